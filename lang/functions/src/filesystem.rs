//! Filesystem functions: `file`, `fileexists`, `fileset`, `filebase64`, `templatefile`,
//! `abspath`, `dirname`, `basename`, `pathexpand`. Relative paths resolve against
//! [`FunctionContext::cwd`](crate::FunctionContext).

use crate::format::go_quote;
use crate::registry::{arg_err, call_err, func, p, ret, Func, Marks};
use crate::util::{s, vstr};
use crate::{FunctionContext, FunctionError};
use plinth_sdk::{Type, Value};
use std::path::{Path, PathBuf};

pub(crate) fn register(r: &mut Vec<Func>) {
    let st = || Type::String;
    r.push(func("abspath", vec![p("path", st())], ret(st()), |a, ctx| {
        let path = s(a, 0);
        let base = if ctx.cwd.is_absolute() {
            ctx.cwd.to_path_buf()
        } else {
            std::env::current_dir().map(|d| d.join(ctx.cwd)).unwrap_or_else(|_| ctx.cwd.to_path_buf())
        };
        let joined = if path.starts_with('/') { path.to_string() } else { format!("{}/{}", base.display(), path) };
        Ok(vstr(clean(&joined)))
    }));
    r.push(func("dirname", vec![p("path", st())], ret(st()), |a, _| Ok(vstr(dir(s(a, 0))))));
    r.push(func("basename", vec![p("path", st())], ret(st()), |a, _| Ok(vstr(base(s(a, 0))))));
    r.push(func("pathexpand", vec![p("path", st())], ret(st()), |a, _| {
        let path = s(a, 0);
        let home = std::env::var("HOME").unwrap_or_default();
        Ok(vstr(if path == "~" {
            home
        } else if let Some(rest) = path.strip_prefix("~/") {
            format!("{}/{}", home.trim_end_matches('/'), rest)
        } else {
            path.to_string()
        }))
    }));
    r.push(func("file", vec![p("path", st())], ret(st()), |a, ctx| {
        let bytes = read(ctx, s(a, 0))?;
        String::from_utf8(bytes).map(vstr).map_err(|_| {
            call_err(format!("contents of {} are not valid UTF-8; use the filebase64 function to obtain the Base64 encoded contents or the other file functions (e.g. filemd5, filesha256) to obtain file hashing results instead", go_quote(s(a, 0))))
        })
    }));
    r.push(func("filebase64", vec![p("path", st())], ret(st()), |a, ctx| {
        Ok(vstr(crate::encoding::b64(&read(ctx, s(a, 0))?)))
    }));
    r.push(func("fileexists", vec![p("path", st())], ret(Type::Bool), |a, ctx| {
        let path = resolve(ctx, s(a, 0));
        match std::fs::metadata(&path) {
            Ok(m) if m.is_dir() => Err(call_err(format!("{} is a directory, not a file", go_quote(s(a, 0))))),
            Ok(_) => Ok(Value::Bool(true)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Value::Bool(false)),
            Err(e) => Err(call_err(format!("failed to stat {}: {e}", go_quote(s(a, 0))))),
        }
    }));
    r.push(func("fileset", vec![p("path", st()), p("pattern", st())], ret(Type::set(st())), |a, ctx| {
        let root = resolve(ctx, s(a, 0));
        let pattern = s(a, 1);
        compile_glob(pattern).map_err(|e| arg_err(1, format!("failed to glob pattern {}: {e}", go_quote(pattern))))?;
        let mut files = Vec::new();
        walk(&root, "", &mut files);
        let out: Vec<Value> = files
            .into_iter()
            .filter(|f| glob_match(pattern, f))
            .map(Value::String)
            .collect();
        Ok(Value::set(Type::String, out))
    }));
    r.push(func("templatefile", vec![p("path", st()), p("vars", Type::Dynamic).dynamic().marks(Marks::Keep)], ret(Type::Dynamic), |a, ctx| {
        let path = resolve(ctx, s(a, 0));
        let bytes = read(ctx, s(a, 0))?;
        let text = String::from_utf8(bytes).map_err(|_| call_err(format!("contents of {} are not valid UTF-8", go_quote(s(a, 0)))))?;
        if !matches!(a[1].unmarked(), Value::Object(_) | Value::Map(..)) {
            return Err(arg_err(1, "invalid vars value: must be a map"));
        }
        let Some(t) = ctx.template else {
            return Err(call_err("template rendering is not available in this context"));
        };
        let missing = |e: &str| {
            e.split_once("There is no variable named \"").or_else(|| e.split_once("(found a bare name \"")).map(|(at, rest)| (at.to_string(), rest.to_string()))
        };
        t(&text, &path, &a[1]).map_err(|e| match missing(&e) {
            // Terraform reports a variable missing from `vars` against the vars argument.
            Some((at, rest)) => {
                let name = rest.split('"').next().unwrap_or("");
                let at = at.split(": ").next().unwrap_or("").trim_end_matches(':').to_string();
                arg_err(1, format!("vars map does not contain key {}, referenced at {at}", go_quote(name)))
            }
            None => call_err(e),
        })
    }));
}

pub(crate) fn resolve(ctx: &FunctionContext, path: &str) -> PathBuf {
    let p = Path::new(path);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        ctx.cwd.join(p)
    }
}

/// Reading as the file-hash functions do (`os.Open` errors, as call errors).
pub(crate) fn read_open(ctx: &FunctionContext, path: &str) -> Result<Vec<u8>, FunctionError> {
    let full = resolve(ctx, path);
    std::fs::read(&full).map_err(|e| {
        let why = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            _ if full.is_dir() => return call_err(format!("read {}: is a directory", clean(path))),
            _ => e.to_string(),
        };
        call_err(format!("open {}: {why}", clean(path)))
    })
}

pub(crate) fn read(ctx: &FunctionContext, path: &str) -> Result<Vec<u8>, FunctionError> {
    let full = resolve(ctx, path);
    std::fs::read(&full).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            arg_err(0, format!("no file exists at {}; this function works only with files that are distributed as part of the configuration source code, so if this file will be created by a resource in this configuration you must instead obtain this result from an attribute of that resource", go_quote(path)))
        } else if full.is_dir() {
            arg_err(0, format!("failed to read file: read {}: is a directory", clean(path)))
        } else {
            call_err(format!("failed to read {}: {e}", go_quote(path)))
        }
    })
}

/// Go's `filepath.Clean`.
pub(crate) fn clean(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let body = parts.join("/");
    match (rooted, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".into(),
        (false, false) => body,
    }
}

fn dir(path: &str) -> String {
    let i = path.rfind('/').map(|i| i + 1).unwrap_or(0);
    clean(&path[..i])
}

fn base(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let t = path.trim_end_matches('/');
    if t.is_empty() {
        return "/".into();
    }
    t.rsplit('/').next().unwrap_or(t).to_string()
}

fn walk(root: &Path, rel: &str, out: &mut Vec<String>) {
    let Ok(rd) = std::fs::read_dir(root.join(rel)) else { return };
    let mut entries: Vec<_> = rd.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        let r = if rel.is_empty() { name } else { format!("{rel}/{name}") };
        match e.file_type() {
            Ok(t) if t.is_dir() => walk(root, &r, out),
            Ok(_) => {
                if std::fs::metadata(root.join(&r)).map(|m| m.is_file()).unwrap_or(false) {
                    out.push(r)
                }
            }
            Err(_) => {}
        }
    }
}

fn compile_glob(pattern: &str) -> Result<(), String> {
    let mut depth = 0i32;
    let mut in_class = false;
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '[' if !in_class => in_class = true,
            ']' if in_class => in_class = false,
            '{' if !in_class => depth += 1,
            '}' if !in_class => depth -= 1,
            _ => {}
        }
    }
    if in_class || depth != 0 {
        return Err("syntax error in pattern".into());
    }
    Ok(())
}

/// doublestar-style matching: `*` within a segment, `**` across segments, `?`, `[...]`,
/// `{a,b}`.
pub(crate) fn glob_match(pattern: &str, path: &str) -> bool {
    for alt in expand_braces(pattern) {
        let ps: Vec<&str> = alt.split('/').collect();
        let ss: Vec<&str> = path.split('/').collect();
        if match_segments(&ps, &ss) {
            return true;
        }
    }
    false
}

fn expand_braces(p: &str) -> Vec<String> {
    let Some(open) = p.find('{') else { return vec![p.to_string()] };
    let mut depth = 0;
    let mut close = None;
    for (i, c) in p[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    close = Some(open + i);
                    break;
                }
            }
            _ => {}
        }
    }
    let Some(close) = close else { return vec![p.to_string()] };
    let inner = &p[open + 1..close];
    let mut alts = Vec::new();
    let mut d = 0;
    let mut start = 0;
    for (i, c) in inner.char_indices() {
        match c {
            '{' => d += 1,
            '}' => d -= 1,
            ',' if d == 0 => {
                alts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    alts.push(&inner[start..]);
    let mut out = Vec::new();
    for a in alts {
        out.extend(expand_braces(&format!("{}{}{}", &p[..open], a, &p[close + 1..])));
    }
    out
}

fn match_segments(ps: &[&str], ss: &[&str]) -> bool {
    match ps.first() {
        None => ss.is_empty(),
        Some(&"**") => (0..=ss.len()).any(|k| match_segments(&ps[1..], &ss[k..])),
        Some(p) => !ss.is_empty() && match_one(p.as_bytes(), ss[0].as_bytes()) && match_segments(&ps[1..], &ss[1..]),
    }
}

fn match_one(p: &[u8], s: &[u8]) -> bool {
    match p.first() {
        None => s.is_empty(),
        Some(b'*') => (0..=s.len()).any(|k| match_one(&p[1..], &s[k..])),
        Some(b'?') => !s.is_empty() && match_one(&p[1..], &s[1..]),
        Some(b'[') => {
            let Some(end) = p.iter().position(|&c| c == b']') else { return false };
            let Some(&c) = s.first() else { return false };
            let mut class = &p[1..end];
            let neg = matches!(class.first(), Some(b'^' | b'!'));
            if neg {
                class = &class[1..];
            }
            let mut hit = false;
            let mut i = 0;
            while i < class.len() {
                if i + 2 < class.len() && class[i + 1] == b'-' {
                    if class[i] <= c && c <= class[i + 2] {
                        hit = true;
                    }
                    i += 3;
                } else {
                    if class[i] == c {
                        hit = true;
                    }
                    i += 1;
                }
            }
            hit != neg && match_one(&p[end + 1..], &s[1..])
        }
        Some(b'\\') if p.len() > 1 => s.first() == Some(&p[1]) && match_one(&p[2..], &s[1..]),
        Some(&c) => s.first() == Some(&c) && match_one(&p[1..], &s[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn paths_like_go() {
        assert_eq!(clean("a/../b/./c/"), "b/c");
        assert_eq!(clean("/../a"), "/a");
        assert_eq!(dir("foo/bar/baz.txt"), "foo/bar");
        assert_eq!(dir("baz.txt"), ".");
        assert_eq!(base("foo/bar/"), "bar");
        assert_eq!(base(""), ".");
        assert!(glob_match("**/*.tf", "a/b/main.tf"));
        assert!(glob_match("*.{tf,md}", "x.md"));
        assert!(!glob_match("*.tf", "a/main.tf"));
    }
}
