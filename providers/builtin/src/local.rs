//! The `local` provider, following `hashicorp/local` 2.5.x: resources `local_file` and
//! `local_sensitive_file`, data sources `local_file` and `local_sensitive_file`.
//!
//! Files are written atomically (a temporary file in the same directory, fsync, rename) with
//! the requested permission (the process umask applies, as with Go's `os.WriteFile`); parent
//! directories are created with `directory_permission`. A file that disappeared or whose
//! content changed outside Plinth is reported gone on refresh, so the plan recreates it.

use crate::common::*;
use base64::Engine;
use plinth_sdk::{Attribute, Block, Diagnostic, Diagnostics, Schema, Type, Value};
use std::io::Write;
use std::path::{Path, PathBuf};

pub(crate) fn resources() -> Vec<Box<dyn Resource>> {
    vec![Box::new(LocalFile { sensitive: false }), Box::new(LocalFile { sensitive: true })]
}

pub(crate) fn data_sources() -> Vec<Box<dyn DataSource>> {
    vec![Box::new(LocalFileData { sensitive: false }), Box::new(LocalFileData { sensitive: true })]
}

fn hash_attrs(b: Block) -> Block {
    let c = |d: &str| Attribute::computed(Type::String).describe(d);
    b.attr("id", c("The hexadecimal encoding of the SHA1 checksum of the file content."))
        .attr("content_md5", c("MD5 checksum of file content."))
        .attr("content_sha1", c("SHA1 checksum of file content."))
        .attr("content_sha256", c("SHA256 checksum of file content."))
        .attr("content_base64sha256", c("Base64 encoded SHA256 checksum of file content."))
        .attr("content_sha512", c("SHA512 checksum of file content."))
        .attr("content_base64sha512", c("Base64 encoded SHA512 checksum of file content."))
}

fn put_hashes(o: &mut Obj, content: &[u8]) {
    let s1 = hex(&sha1(content));
    o.insert("id".into(), str_val(s1.clone()));
    o.insert("content_sha1".into(), str_val(s1));
    o.insert("content_md5".into(), str_val(hex(&md5(content))));
    let s256 = sha256(content);
    o.insert("content_sha256".into(), str_val(hex(&s256)));
    o.insert("content_base64sha256".into(), str_val(b64(&s256)));
    let s512 = sha512(content);
    o.insert("content_sha512".into(), str_val(hex(&s512)));
    o.insert("content_base64sha512".into(), str_val(b64(&s512)));
}

pub(crate) struct LocalFile {
    pub sensitive: bool,
}

impl LocalFile {
    fn content_attrs(&self) -> &'static [&'static str] {
        if self.sensitive {
            &["content", "content_base64", "source"]
        } else {
            &["content", "sensitive_content", "content_base64", "source"]
        }
    }
    fn default_perm(&self) -> &'static str {
        if self.sensitive {
            "0700"
        } else {
            "0777"
        }
    }
}

impl Resource for LocalFile {
    fn type_name(&self) -> &'static str {
        if self.sensitive {
            "local_sensitive_file"
        } else {
            "local_file"
        }
    }
    fn schema(&self) -> Schema {
        let s = self.sensitive;
        let content = Attribute::optional(Type::String).force_new().describe(if s {
            "Sensitive content to store in the file, expected to be a UTF-8 encoded string. Conflicts with `content_base64` and `source`. Exactly one of these three arguments must be specified."
        } else {
            "Content to store in the file, expected to be a UTF-8 encoded string. Conflicts with `sensitive_content`, `content_base64` and `source`. Exactly one of these four arguments must be specified."
        });
        let content_base64 = Attribute::optional(Type::String).force_new().describe(
            "Content to store in the file, expected to be binary encoded as base64 string.",
        );
        let mut b = Block::new()
            .attr("filename", Attribute::required(Type::String).force_new().describe(
                "The path to the file that will be created. Missing parent directories will be created. If the file already exists, it will be overridden with the given content.",
            ))
            .attr("content", content.clone().mark_sensitive_if(s))
            .attr("content_base64", content_base64.mark_sensitive_if(s))
            .attr("source", Attribute::optional(Type::String).force_new().describe(
                "Path to file to use as source for the one we are creating.",
            ))
            .attr("file_permission", Attribute::optional_computed(Type::String).force_new().describe(format!(
                "Permissions to set for the output file (before umask), expressed as string in [numeric notation](https://en.wikipedia.org/wiki/File-system_permissions#Numeric_notation). Default value is `\"{}\"`.",
                self.default_perm()
            )))
            .attr("directory_permission", Attribute::optional_computed(Type::String).force_new().describe(format!(
                "Permissions to set for directories created (before umask), expressed as string in [numeric notation](https://en.wikipedia.org/wiki/File-system_permissions#Numeric_notation). Default value is `\"{}\"`.",
                self.default_perm()
            )));
        if !s {
            let mut sc = Attribute::optional(Type::String).force_new().sensitive().describe(
                "Sensitive content to store in the file, expected to be an UTF-8 encoded string. Will not be displayed in diffs.",
            );
            sc.deprecated = true;
            b = b.attr("sensitive_content", sc);
        }
        Schema { version: 0, block: hash_attrs(b) }
    }
    fn defaults(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("file_permission", str_val(self.default_perm())),
            ("directory_permission", str_val(self.default_perm())),
        ]
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        let given: Vec<&str> = self
            .content_attrs()
            .iter()
            .copied()
            .filter(|a| config.get_attr(a).is_some_and(|v| !v.is_null()))
            .collect();
        let list = self.content_attrs().join(", ");
        if given.len() != 1 {
            d.push(
                error(
                    "invalid combination of arguments",
                    format!(
                        "Exactly one of these attributes must be configured: [{list}]; {} configured.",
                        if given.is_empty() { "none is".to_string() } else { given.join(" and ") + " are" }
                    ),
                )
                .with_help(format!("set exactly one of {list}")),
            );
        }
        if !self.sensitive && config.get_attr("sensitive_content").is_some_and(|v| !v.is_null()) {
            d.push(
                Diagnostic::warning("argument is deprecated")
                    .with_detail("The sensitive_content argument of local_file is deprecated in hashicorp/local 2.x.")
                    .with_help("use the local_sensitive_file resource with content instead"),
            );
        }
        if let Some(b64v) = cfg(config, "content_base64").and_then(Value::as_str) {
            if base64::engine::general_purpose::STANDARD.decode(b64v).is_err() {
                d.push(attr_error("content_base64", "not valid base64", "The value is not a valid standard base64 encoding.", "use base64encode(...) or filebase64(...) to produce it"));
            }
        }
        for p in ["file_permission", "directory_permission"] {
            if let Some(m) = cfg(config, p).and_then(Value::as_str) {
                if let Err(e) = parse_mode(m) {
                    d.push(attr_error(p, "bad file mode", e, "use 3 or 4 octal digits, e.g. \"0644\""));
                }
            }
        }
        d
    }
    fn create(&self, planned: &Obj) -> Result<Obj, Diagnostics> {
        let content = resolve_content(planned, self.content_attrs())?;
        let filename = get_str(planned, "filename").unwrap_or_default();
        let fmode = parse_mode(&get_str(planned, "file_permission").unwrap_or_else(|| self.default_perm().into()))
            .map_err(|e| attr_error("file_permission", "bad file mode", e, "use 3 or 4 octal digits"))?;
        let dmode = parse_mode(&get_str(planned, "directory_permission").unwrap_or_else(|| self.default_perm().into()))
            .map_err(|e| attr_error("directory_permission", "bad file mode", e, "use 3 or 4 octal digits"))?;
        write_atomic(Path::new(&filename), &content, fmode, dmode)?;
        let mut o = planned.clone();
        put_hashes(&mut o, &content);
        Ok(o)
    }
    fn delete(&self, prior: &Obj) -> Result<(), Diagnostics> {
        let filename = get_str(prior, "filename").unwrap_or_default();
        match std::fs::remove_file(&filename) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(error("cannot delete file", format!("Removing {filename} failed: {e}.")).into()),
        }
    }
    fn read(&self, state: &Obj) -> Result<Option<Obj>, Diagnostics> {
        let filename = get_str(state, "filename").unwrap_or_default();
        match std::fs::read(&filename) {
            Ok(bytes) => {
                if Some(hex(&sha1(&bytes))) != get_str(state, "id") {
                    return Ok(None);
                }
                Ok(Some(state.clone()))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(error("cannot read file", format!("Reading {filename} failed: {e}.")).into()),
        }
    }
}

trait MarkSensitiveIf {
    fn mark_sensitive_if(self, yes: bool) -> Self;
}
impl MarkSensitiveIf for Attribute {
    fn mark_sensitive_if(self, yes: bool) -> Self {
        if yes {
            self.sensitive()
        } else {
            self
        }
    }
}

/// The bytes to write, from whichever content argument is set.
fn resolve_content(o: &Obj, attrs: &[&str]) -> Result<Vec<u8>, Diagnostics> {
    for a in attrs {
        let Some(s) = get_str(o, a) else { continue };
        return match *a {
            "content" | "sensitive_content" => Ok(s.into_bytes()),
            "content_base64" => base64::engine::general_purpose::STANDARD.decode(s.as_bytes()).map_err(|e| {
                attr_error("content_base64", "not valid base64", format!("Decoding failed: {e}."), "use base64encode(...) to produce it").into()
            }),
            _ => std::fs::read(&s).map_err(|e| {
                attr_error("source", "cannot read source file", format!("Reading {s} failed: {e}."), "check that the source path exists and is readable").into()
            }),
        };
    }
    Err(error("no content", format!("Exactly one of {} must be set.", attrs.join(", "))).into())
}

/// Parses a permission string of 3 or 4 octal digits.
pub(crate) fn parse_mode(m: &str) -> Result<u32, String> {
    if m.len() < 3 || m.len() > 4 {
        return Err(format!("bad mode for file - string length should be 3 or 4 digits: {m}"));
    }
    let v = u32::from_str_radix(m, 8).map_err(|_| format!("bad mode for file - must be octal digits: {m}"))?;
    if v > 0o777 {
        return Err(format!("bad mode for file - integer value greater than 0777: {m}"));
    }
    Ok(v)
}

fn io_err(what: &str, p: &Path, e: std::io::Error) -> Diagnostics {
    Diagnostic::error(format!("cannot {what}"))
        .with_detail(format!("{} failed: {e}.", p.display()))
        .with_help("check the path and its permissions")
        .into()
}

/// Writes `content` to `path` atomically with mode `fmode` (subject to umask), creating
/// missing parent directories with `dmode`.
fn write_atomic(path: &Path, content: &[u8], fmode: u32, dmode: u32) -> Result<(), Diagnostics> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.exists() {
        let mut b = std::fs::DirBuilder::new();
        b.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            b.mode(dmode);
        }
        b.create(&dir).map_err(|e| io_err("create directory", &dir, e))?;
    }
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let tag = hex(&random_bytes(6).map_err(Diagnostics::from)?);
    let tmp = dir.join(format!(".{name}.plinth-{tag}.tmp"));
    let result = (|| -> std::io::Result<()> {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(fmode);
        }
        let mut f = opts.open(&tmp)?;
        f.write_all(content)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(io_err("write file", path, e));
    }
    Ok(())
}

pub(crate) struct LocalFileData {
    pub sensitive: bool,
}

impl DataSource for LocalFileData {
    fn type_name(&self) -> &'static str {
        if self.sensitive {
            "local_sensitive_file"
        } else {
            "local_file"
        }
    }
    fn schema(&self) -> Schema {
        let s = self.sensitive;
        let b = Block::new()
            .attr("filename", Attribute::required(Type::String).describe("Path to the file that will be read. The data source will return an error if the file does not exist."))
            .attr("content", Attribute::computed(Type::String).mark_sensitive_if(s).describe("Raw content of the file that was read, as UTF-8 encoded string. Files that do not contain UTF-8 text will have invalid UTF-8 sequences in `content`\n  replaced with the Unicode replacement character."))
            .attr("content_base64", Attribute::computed(Type::String).mark_sensitive_if(s).describe("Base64 encoded version of the file content (use this when dealing with binary data)."));
        Schema { version: 0, block: hash_attrs(b) }
    }
    fn read(&self, config: &Obj) -> Result<Obj, Diagnostics> {
        let filename = get_str(config, "filename").unwrap_or_default();
        let bytes = std::fs::read(&filename).map_err(|e| {
            Diagnostics::from(
                error("read local file data source error", format!("The file at given path cannot be read: {filename}: {e}."))
                    .with_help("check that the file exists and is readable"),
            )
        })?;
        let mut o = config.clone();
        o.insert("content".into(), str_val(String::from_utf8_lossy(&bytes).to_string()));
        o.insert("content_base64".into(), str_val(b64(&bytes)));
        put_hashes(&mut o, &bytes);
        Ok(o)
    }
}
