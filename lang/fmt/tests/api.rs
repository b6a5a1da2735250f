//! The library API the CLI uses: `format_source` errors and `format_paths` file walking,
//! writing, checking and diffs (expected outputs taken from `terraform fmt`).

mod common;

use plinth_fmt::{format_paths, format_source, unified_diff, FmtOptions};
use std::fs;
use std::path::PathBuf;

fn opts() -> FmtOptions {
    FmtOptions { check: false, diff: false, recursive: false, write: true, list: true }
}

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    fs::write(p.join("main.tf"), "a=1\n").unwrap();
    fs::write(p.join("ok.tf"), "a = 1\n").unwrap();
    fs::write(p.join("vars.tfvars"), "x   = 2\n").unwrap();
    fs::write(p.join("t.tftest.hcl"), "run \"r\" {\ncommand=plan\n}\n").unwrap();
    fs::write(p.join(".hidden.tf"), "a=1\n").unwrap();
    fs::write(p.join("backup.tf~"), "a=1\n").unwrap();
    fs::write(p.join("notes.md"), "a=1\n").unwrap();
    fs::write(p.join("x.tf.json"), "{\"a\":1}").unwrap();
    fs::create_dir(p.join("sub")).unwrap();
    fs::write(p.join("sub/child.tf"), "b=2\n").unwrap();
    dir
}

fn names(paths: &[PathBuf], root: &std::path::Path) -> Vec<String> {
    paths.iter().map(|p| p.strip_prefix(root).unwrap().display().to_string()).collect()
}

#[test]
fn directory_formats_supported_files_in_name_order_and_writes_them() {
    let dir = setup();
    let report = format_paths(&[dir.path().to_path_buf()], &opts());
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(names(&report.changed, dir.path()), ["main.tf", "t.tftest.hcl", "vars.tfvars"]);
    assert_eq!(fs::read_to_string(dir.path().join("main.tf")).unwrap(), "a = 1\n");
    assert_eq!(fs::read_to_string(dir.path().join("t.tftest.hcl")).unwrap(), "run \"r\" {\n  command = plan\n}\n");
    // ignored and unsupported files are untouched, and subdirectories are not visited
    assert_eq!(fs::read_to_string(dir.path().join(".hidden.tf")).unwrap(), "a=1\n");
    assert_eq!(fs::read_to_string(dir.path().join("backup.tf~")).unwrap(), "a=1\n");
    assert_eq!(fs::read_to_string(dir.path().join("sub/child.tf")).unwrap(), "b=2\n");
    assert!(report.diffs.is_empty());
    // a second run finds nothing to do
    let again = format_paths(&[dir.path().to_path_buf()], &opts());
    assert!(again.changed.is_empty() && again.errors.is_empty());
}

#[test]
fn recursive_visits_subdirectories() {
    let dir = setup();
    let report = format_paths(&[dir.path().to_path_buf()], &FmtOptions { recursive: true, ..opts() });
    assert_eq!(names(&report.changed, dir.path()), ["main.tf", "sub/child.tf", "t.tftest.hcl", "vars.tfvars"]);
    assert_eq!(fs::read_to_string(dir.path().join("sub/child.tf")).unwrap(), "b = 2\n");
}

#[test]
fn check_and_write_false_never_write() {
    for o in [FmtOptions { check: true, ..opts() }, FmtOptions { write: false, ..opts() }] {
        let dir = setup();
        let report = format_paths(&[dir.path().to_path_buf()], &o);
        assert_eq!(report.changed.len(), 3);
        assert_eq!(fs::read_to_string(dir.path().join("main.tf")).unwrap(), "a=1\n");
    }
}

#[test]
fn diff_is_a_unified_diff_like_terraform_fmt_diff() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("n.tf");
    fs::write(&file, "x=1").unwrap();
    let report = format_paths(std::slice::from_ref(&file), &FmtOptions { diff: true, write: false, ..opts() });
    let name = file.display();
    // what `terraform fmt -diff` prints for this file
    let expected = format!(
        "--- old/{name}\n+++ new/{name}\n@@ -1 +1 @@\n-x=1\n\\ No newline at end of file\n+x = 1\n\\ No newline at end of file\n"
    );
    assert_eq!(report.diffs, [expected]);
}

#[test]
fn unified_diff_groups_hunks_with_three_lines_of_context() {
    let old: String = (1..=20).map(|i| format!("l{i}\n")).collect();
    let new = old.replace("l2\n", "L2\n").replace("l18\n", "L18\n");
    let d = unified_diff(&old, &new, "a", "b");
    assert_eq!(
        d,
        "--- a\n+++ b\n@@ -1,5 +1,5 @@\n l1\n-l2\n+L2\n l3\n l4\n l5\n@@ -15,6 +15,6 @@\n l15\n l16\n l17\n-l18\n+L18\n l19\n l20\n"
    );
    assert_eq!(unified_diff("same\n", "same\n", "a", "b"), "");
}

#[test]
fn syntax_errors_are_reported_with_positions_and_other_files_still_formatted() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("bad.tf"), "resource \"a\" \"b\" {\n  x = \n}\n").unwrap();
    fs::write(dir.path().join("good.tf"), "y=1\n").unwrap();
    let report = format_paths(&[dir.path().to_path_buf()], &opts());
    assert_eq!(report.errors.len(), 1);
    let (path, err) = &report.errors[0];
    assert!(path.ends_with("bad.tf"));
    assert_eq!(err.line, 2, "{err}");
    assert_eq!(fs::read_to_string(dir.path().join("bad.tf")).unwrap(), "resource \"a\" \"b\" {\n  x = \n}\n");
    assert_eq!(names(&report.changed, dir.path()), ["good.tf"]);
}

#[test]
fn explicit_paths_missing_or_unsupported_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let md = dir.path().join("README.md");
    fs::write(&md, "# hi").unwrap();
    let later = dir.path().join("later.tf");
    fs::write(&later, "a=1\n").unwrap();
    let report = format_paths(&[md.clone(), dir.path().join("missing.tf"), later.clone()], &opts());
    // a missing path ends the run (later.tf is not visited), as in terraform
    assert_eq!(report.errors.len(), 2);
    assert!(report.changed.is_empty());
    assert!(report.errors[0].1.message.contains("only .tf, .tfvars"), "{}", report.errors[0].1);
    assert!(report.errors[1].1.message.contains("no file or directory"), "{}", report.errors[1].1);
    // an explicitly named file is formatted whatever directory it is in
    let tf = dir.path().join(".hidden.tf");
    fs::write(&tf, "a=1\n").unwrap();
    assert_eq!(format_paths(std::slice::from_ref(&tf), &opts()).changed, [tf]);
}

#[test]
fn format_source_reports_syntax_errors() {
    for (src, line) in [("a = ", 1), ("a = 1\nb = \"open\n", 2), ("x {\n  y = 1\n", 2), ("a = 1 +\n", 1), ("a = <<EOT\nx\n", 3), ("a = 1 & 2\n", 1)] {
        let err = format_source(src).expect_err(src);
        assert_eq!(err.line, line, "{src:?}: {err}");
        assert!(!err.message.is_empty());
    }
}

#[test]
fn format_source_examples() {
    let cases = [
        ("a=1\nbbb=2\n", "a   = 1\nbbb = 2\n"),
        ("x = \"${var.y}\"", "x = var.y"),
        ("variable v {\n  type = \"list\"\n}\n", "variable \"v\" {\n  type = list(string)\n}\n"),
        ("a = [ for x in y : x ]\r\n", "a = [for x in y : x]\r\n"),
        ("a = f(b ...)\n", "a = f(b...)\n"),
        ("a = - 1\n", "a = -1\n"),
        ("a = \"x${ b+1 }\"\n", "a = \"x${b + 1}\"\n"),
        ("a = {k: v}\n", "a = { k : v }\n"),
    ];
    for (src, want) in cases {
        assert_eq!(format_source(src).as_deref(), Ok(want), "{src:?}");
    }
}

/// Deliberate difference: `terraform fmt` (1.11) silently drops block labels containing
/// `$` or `%` (its scanner splits them into several literal tokens, and the label
/// rewrite skips those), which changes what the configuration means. We keep them.
#[test]
fn labels_with_dollar_or_percent_are_kept() {
    assert_eq!(format_source("r \"a$b\" c \"$${x}\" {}\n").as_deref(), Ok("r \"a$b\" \"c\" \"$${x}\" {}\n"));
}

#[test]
fn unified_diff_applies_and_stays_bounded_on_big_rewrites() {
    // every line changes: the edit distance exceeds the search bound
    let old: String = (0..5000).map(|i| format!("a={i}\n")).collect();
    let new: String = (0..5000).map(|i| format!("a = {i}\n")).collect();
    let d = unified_diff(&old, &new, "a", "b");
    assert_eq!(d.lines().filter(|l| l.starts_with('-') && !l.starts_with("---")).count(), 5000);
    assert_eq!(d.lines().filter(|l| l.starts_with('+') && !l.starts_with("+++")).count(), 5000);
    // scattered small changes are found exactly
    let new2 = old.replace("a=10\n", "a = 10\n").replace("a=4000\n", "");
    let d2 = unified_diff(&old, &new2, "a", "b");
    assert_eq!(d2.matches("\n-a=").count(), 2, "{d2}");
    assert_eq!(d2.matches("\n+a").count(), 1, "{d2}");
}

/// Applies a unified diff produced by `unified_diff` to `old`.
fn apply(old: &str, diff: &str) -> String {
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let mut out = String::new();
    let mut next = 0usize; // next old line to copy
    let mut lines = diff.split_inclusive('\n').skip(2).peekable();
    while let Some(line) = lines.next() {
        if let Some(rest) = line.strip_prefix("@@ -") {
            let start: usize = rest.split([',', ' ']).next().unwrap().parse().unwrap();
            let start = if rest.split(' ').next().unwrap().ends_with(",0") { start } else { start - 1 };
            while next < start {
                out.push_str(old_lines[next]);
                next += 1;
            }
            continue;
        }
        let no_newline = lines.peek().is_some_and(|l| l.starts_with('\\'));
        let body = &line[1..];
        let body = if no_newline { body.strip_suffix('\n').unwrap() } else { body };
        match &line[..1] {
            " " => {
                out.push_str(body);
                next += 1;
            }
            "-" => next += 1,
            "+" => out.push_str(body),
            "\\" => {}
            other => panic!("unexpected diff line {other:?}"),
        }
        if no_newline {
            lines.next();
        }
    }
    while next < old_lines.len() {
        out.push_str(old_lines[next]);
        next += 1;
    }
    out
}

#[test]
fn diffs_of_scrambled_corpus_files_apply_to_the_formatted_text() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut n = 0;
    for entry in fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "golden") {
            continue;
        }
        let original = fs::read_to_string(&p).unwrap();
        for src in [original.clone(), common::mutate(&original, &[0, 3, 1, 4, 2, 0, 0], false), common::mutate(&original, &[4, 9, 2], true)] {
            let formatted = format_source(&src).unwrap();
            let d = unified_diff(&src, &formatted, "old", "new");
            assert_eq!(apply(&src, &d), formatted, "{}:\n{d}", p.display());
        }
        n += 1;
    }
    assert!(n >= 25);
    let old: String = (0..300).map(|i| if i % 7 == 0 { format!("x{i} = 1\n") } else { format!("x{i}=1\n") }).collect();
    let new = format_source(&old).unwrap();
    assert_eq!(apply(&old, &unified_diff(&old, &new, "a", "b")), new);
}

#[test]
fn stdout_text_adds_the_newline_terraform_prints() {
    assert_eq!(plinth_fmt::stdout_text("a = 1"), "a = 1\n");
    assert_eq!(plinth_fmt::stdout_text("a = 1\n"), "a = 1\n");
    assert_eq!(plinth_fmt::stdout_text(""), "\n");
}
