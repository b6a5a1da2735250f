//! Module installation for `init`: finds `module` blocks (without evaluating anything),
//! records local sources, clones git sources with the `git` binary into
//! `.terraform/modules/KEY`, and writes `.terraform/modules/modules.json` in Terraform's
//! format so later commands (and `plinth_lang::load_config`) find every module offline.

use plinth_sdk::{Diagnostic, Diagnostics};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

/// One entry of `modules.json` (Terraform's field names and order).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModuleRecord {
    #[serde(rename = "Key")]
    pub key: String,
    #[serde(rename = "Source")]
    pub source: String,
    #[serde(rename = "Version", default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(rename = "Dir")]
    pub dir: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct ModulesManifest {
    #[serde(rename = "Modules")]
    pub modules: Vec<ModuleRecord>,
}

pub const MODULES_DIR: &str = ".terraform/modules";
pub const MANIFEST: &str = ".terraform/modules/modules.json";

impl ModulesManifest {
    /// Reads `.terraform/modules/modules.json` under `root` (empty if absent or unreadable).
    pub fn read(root: &Path) -> ModulesManifest {
        std::fs::read_to_string(root.join(MANIFEST))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default()
    }
    pub fn get(&self, key: &str) -> Option<&ModuleRecord> {
        self.modules.iter().find(|m| m.key == key)
    }
}

/// A `module` block as written, found without evaluating the configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleCallDecl {
    pub name: String,
    pub source: String,
    pub version: Option<String>,
    pub file: PathBuf,
}

/// Where a module source points.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceKind {
    /// `./x` or `../x`: a directory relative to the calling module.
    Local(String),
    /// `git::URL[//subdir][?ref=REF]`, or a `github.com/...` shorthand.
    Git { url: String, subdir: Option<String>, reference: Option<String> },
    /// Anything else (registry addresses, `s3::`, `https://….zip`): not supported yet.
    Unsupported(String),
}

/// Classifies a module source string.
pub fn classify_source(src: &str) -> SourceKind {
    if src.starts_with("./") || src.starts_with("../") || src == "." || src == ".." {
        return SourceKind::Local(src.to_string());
    }
    let git = if let Some(rest) = src.strip_prefix("git::") {
        Some(rest.to_string())
    } else if let Some(rest) = src.strip_prefix("github.com/") {
        Some(format!("https://github.com/{rest}"))
    } else if src.starts_with("git@") {
        Some(src.to_string())
    } else {
        None
    };
    let Some(rest) = git else { return SourceKind::Unsupported(src.to_string()) };
    let (main, query) = match rest.split_once('?') {
        Some((m, q)) => (m.to_string(), Some(q.to_string())),
        None => (rest, None),
    };
    let reference = query.as_deref().and_then(|q| {
        q.split('&').find_map(|kv| kv.strip_prefix("ref=").map(str::to_string))
    });
    // `//` after the scheme's `://` separates the subdirectory.
    let scheme_end = main.find("://").map(|i| i + 3).unwrap_or(0);
    let (url, subdir) = match main[scheme_end..].find("//") {
        Some(i) => {
            let at = scheme_end + i;
            (main[..at].to_string(), Some(main[at + 2..].trim_matches('/').to_string()))
        }
        None => (main, None),
    };
    SourceKind::Git { url, subdir: subdir.filter(|s| !s.is_empty()), reference }
}

/// Lists the `module` blocks in the `*.tf` files of `dir`, sorted by name. Files that do not
/// parse are skipped here (`load_config` reports their syntax errors with full context).
pub fn scan_module_calls(dir: &Path) -> (Vec<ModuleCallDecl>, Diagnostics) {
    let mut diags = Diagnostics::new();
    let mut calls = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return (calls, diags) };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "tf"))
        .collect();
    files.sort();
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else { continue };
        let Ok(body) = hcl_edit::parser::parse_body(&text) else { continue };
        for block in body.get_blocks("module") {
            let Some(name) = block.labels.first().map(|l| l.as_str().to_string()) else { continue };
            let string_attr = |k: &str| {
                block.body.get_attribute(k).and_then(|a| a.value.as_str().map(str::to_string))
            };
            match string_attr("source") {
                Some(source) => calls.push(ModuleCallDecl {
                    name,
                    source,
                    version: string_attr("version"),
                    file: file.clone(),
                }),
                None => diags.push(
                    Diagnostic::error("missing module source")
                        .with_detail(format!(
                            "The module call \"{name}\" in {} has no literal \"source\" argument; \
                             a module source must be a literal string.",
                            file.display()
                        ))
                        .with_help("add source = \"./path/to/module\" to the module block"),
                ),
            }
        }
    }
    calls.sort_by(|a, b| a.name.cmp(&b.name));
    (calls, diags)
}

/// Collapses `.` and `..` components without touching the file system.
pub fn normalize_rel(p: &Path) -> PathBuf {
    let mut out: Vec<Component> = Vec::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if matches!(out.last(), Some(Component::Normal(_))) {
                    out.pop();
                } else {
                    out.push(c);
                }
            }
            c => out.push(c),
        }
    }
    if out.is_empty() {
        PathBuf::from(".")
    } else {
        out.iter().collect()
    }
}

fn slash(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

/// What the installer did, line by line as `init` prints it.
#[derive(Debug, Default)]
pub struct InstallReport {
    pub lines: Vec<String>,
    pub manifest: ModulesManifest,
}

/// Installs every module reachable from the root module in `root`.
/// `upgrade` re-clones git modules that are already installed.
pub fn install_modules(root: &Path, upgrade: bool) -> (InstallReport, Diagnostics) {
    let mut report = InstallReport::default();
    let mut diags = Diagnostics::new();
    let previous = ModulesManifest::read(root);
    report.manifest.modules.push(ModuleRecord {
        key: String::new(),
        source: String::new(),
        version: None,
        dir: ".".into(),
    });
    install_children(root, Path::new("."), "", &previous, upgrade, &mut report, &mut diags, 0);
    if !diags.has_errors() {
        if let Err(e) = write_manifest(root, &report.manifest) {
            diags.push(
                Diagnostic::error("failed to write the module manifest")
                    .with_detail(format!("Could not write {MANIFEST}: {e}."))
                    .with_help("check that the .terraform directory is writable"),
            );
        }
    }
    (report, diags)
}

fn write_manifest(root: &Path, m: &ModulesManifest) -> std::io::Result<()> {
    let dir = root.join(MODULES_DIR);
    std::fs::create_dir_all(&dir)?;
    let text = serde_json::to_string(m).map_err(std::io::Error::other)?;
    let tmp = dir.join("modules.json.tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(tmp, root.join(MANIFEST))
}

#[allow(clippy::too_many_arguments)]
fn install_children(
    root: &Path,
    module_dir: &Path,
    key_prefix: &str,
    previous: &ModulesManifest,
    upgrade: bool,
    report: &mut InstallReport,
    diags: &mut Diagnostics,
    depth: usize,
) {
    if depth > 32 {
        diags.push(
            Diagnostic::error("module nesting is too deep")
                .with_detail(format!(
                    "The module {key_prefix} is nested more than 32 calls deep; a module probably \
                     calls itself."
                ))
                .with_help("check the module sources for a cycle"),
        );
        return;
    }
    let (calls, d) = scan_module_calls(&root.join(module_dir));
    diags.extend(d);
    for call in calls {
        let key = if key_prefix.is_empty() { call.name.clone() } else { format!("{key_prefix}.{}", call.name) };
        let dir = match classify_source(&call.source) {
            SourceKind::Local(rel) => {
                let dir = normalize_rel(&module_dir.join(&rel));
                if !root.join(&dir).is_dir() {
                    diags.push(
                        Diagnostic::error("unreadable module directory")
                            .with_detail(format!(
                                "The module \"{key}\" has source \"{}\", but the directory {} does not exist.",
                                call.source,
                                slash(&dir)
                            ))
                            .with_help("fix the source path; local paths are relative to the calling module's directory"),
                    );
                    continue;
                }
                report.lines.push(format!("- {key} in {}", slash(&dir)));
                dir
            }
            SourceKind::Git { url, subdir, reference } => {
                let install = PathBuf::from(MODULES_DIR).join(&key);
                let already = previous
                    .get(&key)
                    .is_some_and(|r| r.source == call.source)
                    && root.join(&install).is_dir();
                if !already || upgrade {
                    report.lines.push(format!("Downloading {} for {key}...", call.source));
                    if let Err(d) = git_clone(root, &url, reference.as_deref(), &install, &key) {
                        diags.push(d);
                        continue;
                    }
                }
                let dir = match &subdir {
                    Some(s) => install.join(s),
                    None => install,
                };
                if !root.join(&dir).is_dir() {
                    diags.push(
                        Diagnostic::error("module subdirectory not found")
                            .with_detail(format!(
                                "The module \"{key}\" was cloned from {url}, but it has no \
                                 subdirectory \"{}\".",
                                subdir.unwrap_or_default()
                            ))
                            .with_help("check the part of the source after \"//\""),
                    );
                    continue;
                }
                report.lines.push(format!("- {key} in {}", slash(&dir)));
                dir
            }
            SourceKind::Unsupported(src) => {
                diags.push(
                    Diagnostic::error("unsupported module source")
                        .with_detail(format!(
                            "The module \"{key}\" has source \"{src}\". Plinth installs local \
                             paths (\"./…\", \"../…\") and git repositories (\"git::URL?ref=TAG\", \
                             \"git::URL//subdir?ref=TAG\") only; registry and archive sources are \
                             not supported yet."
                        ))
                        .with_help(format!(
                            "use a git source, e.g. source = \"git::https://example.com/{}.git?ref=v1.0.0\"",
                            call.name
                        )),
                );
                continue;
            }
        };
        report.manifest.modules.push(ModuleRecord {
            key: key.clone(),
            source: call.source.clone(),
            version: None,
            dir: slash(&dir),
        });
        install_children(root, &dir, &key, previous, upgrade, report, diags, depth + 1);
    }
}

fn git_clone(
    root: &Path,
    url: &str,
    reference: Option<&str>,
    install: &Path,
    key: &str,
) -> Result<(), Diagnostic> {
    let target = root.join(install);
    if target.exists() {
        std::fs::remove_dir_all(&target).map_err(|e| {
            Diagnostic::error("failed to replace an installed module")
                .with_detail(format!("Could not remove {}: {e}.", target.display()))
        })?;
    }
    if let Some(parent) = target.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    let run = |args: &[&str], cwd: &Path| {
        tracing::debug!(?args, "git");
        Command::new("git")
            .args(args)
            .current_dir(cwd)
            .env("GIT_TERMINAL_PROMPT", "0")
            .output()
    };
    let target_s = target.to_string_lossy().to_string();
    let fail = |stderr: &str| {
        Diagnostic::error("failed to download module")
            .with_detail(format!(
                "Could not download module \"{key}\" from {url}{}: {}",
                reference.map(|r| format!(" at ref {r}")).unwrap_or_default(),
                stderr.trim()
            ))
            .with_help("check the URL and the ref (a tag, branch or commit) and that git can reach the repository")
    };
    // A tag or branch: a shallow clone. A commit id: a full clone, then checkout.
    let mut args = vec!["clone", "--quiet"];
    if let Some(r) = reference {
        args.extend(["--depth", "1", "--branch", r]);
    }
    args.extend([url, target_s.as_str()]);
    let out = run(&args, root).map_err(|e| {
        Diagnostic::error("git is not available")
            .with_detail(format!("Installing module \"{key}\" needs the git program: {e}."))
            .with_help("install git and make sure it is on the PATH")
    })?;
    if out.status.success() {
        return Ok(());
    }
    let Some(r) = reference else {
        return Err(fail(&String::from_utf8_lossy(&out.stderr)));
    };
    let _ = std::fs::remove_dir_all(&target);
    let out = run(&["clone", "--quiet", url, &target_s], root).map_err(|e| fail(&e.to_string()))?;
    if !out.status.success() {
        return Err(fail(&String::from_utf8_lossy(&out.stderr)));
    }
    let out = run(&["checkout", "--quiet", r], &target).map_err(|e| fail(&e.to_string()))?;
    if !out.status.success() {
        let _ = std::fs::remove_dir_all(&target);
        return Err(fail(&String::from_utf8_lossy(&out.stderr)));
    }
    Ok(())
}

/// Module keys whose installed copy is missing or whose source changed since `init`.
pub fn stale_modules(root: &Path) -> Vec<String> {
    let manifest = ModulesManifest::read(root);
    let mut stale = BTreeMap::new();
    check_stale(root, Path::new("."), "", &manifest, &mut stale, 0);
    stale.into_keys().collect()
}

fn check_stale(
    root: &Path,
    dir: &Path,
    prefix: &str,
    manifest: &ModulesManifest,
    stale: &mut BTreeMap<String, ()>,
    depth: usize,
) {
    if depth > 32 {
        return;
    }
    for call in scan_module_calls(&root.join(dir)).0 {
        let key = if prefix.is_empty() { call.name.clone() } else { format!("{prefix}.{}", call.name) };
        let child = match (classify_source(&call.source), manifest.get(&key)) {
            (SourceKind::Local(rel), _) => normalize_rel(&dir.join(rel)),
            (_, Some(r)) if r.source == call.source && root.join(&r.dir).is_dir() => PathBuf::from(&r.dir),
            _ => {
                stale.insert(key, ());
                continue;
            }
        };
        check_stale(root, &child, &key, manifest, stale, depth + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_sources() {
        assert_eq!(classify_source("./net"), SourceKind::Local("./net".into()));
        assert_eq!(
            classify_source("git::https://example.com/vpc.git?ref=v1.2.0"),
            SourceKind::Git {
                url: "https://example.com/vpc.git".into(),
                subdir: None,
                reference: Some("v1.2.0".into())
            }
        );
        assert_eq!(
            classify_source("git::file:///tmp/x.git//modules/sub?ref=main"),
            SourceKind::Git {
                url: "file:///tmp/x.git".into(),
                subdir: Some("modules/sub".into()),
                reference: Some("main".into())
            }
        );
        assert!(matches!(classify_source("hashicorp/consul/aws"), SourceKind::Unsupported(_)));
    }

    #[test]
    fn normalizes_paths() {
        assert_eq!(normalize_rel(Path::new("./a/../b/./c")), PathBuf::from("b/c"));
        assert_eq!(normalize_rel(Path::new(".terraform/modules/g/./x")), PathBuf::from(".terraform/modules/g/x"));
        assert_eq!(normalize_rel(Path::new("../shared")), PathBuf::from("../shared"));
    }

    #[test]
    fn manifest_format_is_terraforms() {
        let m = ModulesManifest {
            modules: vec![
                ModuleRecord { key: "".into(), source: "".into(), version: None, dir: ".".into() },
                ModuleRecord { key: "a".into(), source: "./mods/a".into(), version: None, dir: "mods/a".into() },
            ],
        };
        assert_eq!(
            serde_json::to_string(&m).unwrap(),
            r#"{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"a","Source":"./mods/a","Dir":"mods/a"}]}"#
        );
    }
}
