//! The console expression corpus (`tests/console/corpus.txt`, 500+ expressions over every
//! built-in function and every expression form) evaluated by `plinth_lang::console` in the
//! corpus fixture (`tests/console/fixture`), compared byte for byte with what Terraform 1.11's
//! `terraform console` printed (`tests/console/expected.txt`, made by `regenerate.sh`).
//!
//! - `console_corpus_matches_terraform` fails listing every mismatch, except the documented
//!   ones in `tests/console/known_differences.txt`.
//! - `console_corpus_differential` runs the real `terraform console` on every expression when
//!   `terraform` is on the PATH (and says that it skips otherwise), and compares it with both
//!   Plinth and the checked-in expectations (about a minute; `PLINTH_SKIP_DIFFERENTIAL=1`
//!   skips it).

use plinth_lang::console::{eval_console_line, StaticScope};
use plinth_lang::{Config, EvalContext};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/console")
}

fn fixture() -> PathBuf {
    corpus_dir().join("fixture").canonicalize().expect("fixture dir")
}

/// `(expression, expected output or "!! error: summary")` in corpus order (the recorded
/// `!! detail:` line of an error is dropped: details are compared in plinth-functions).
fn expected() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(corpus_dir().join("expected.txt")).expect("expected.txt");
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if let Some(e) = line.strip_prefix("### ") {
            out.push((e.to_string(), String::new()));
        } else if line.starts_with("!! detail: ") {
            continue;
        } else if let Some(last) = out.last_mut() {
            if !last.1.is_empty() {
                last.1.push('\n');
            }
            last.1.push_str(line);
        }
    }
    out
}

fn known_differences() -> Vec<String> {
    std::fs::read_to_string(corpus_dir().join("known_differences.txt"))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split(" #").next().unwrap_or(l).trim_end().to_string())
        .collect()
}

/// Loads the fixture the way `plinth console` does: from inside the directory, as `.`
/// (so `path.module` is `"."`, as in Terraform). Both tests chdir to the same place.
fn load() -> Config {
    std::env::set_current_dir(fixture()).expect("chdir to the fixture");
    let (cfg, d) = plinth_lang::load_config(Path::new("."));
    assert!(!d.has_errors(), "fixture does not load: {d}");
    cfg.expect("fixture config")
}

/// Evaluates every expression; `(expression, plinth's output)`.
fn run_plinth(cfg: &Config, exprs: &[String]) -> Vec<String> {
    let dir = PathBuf::from(".");
    let empty = StaticScope::new(&cfg.root, BTreeMap::new(), &dir);
    let ctx = EvalContext { scope: &empty, cwd: &dir };
    let (vars, _, d) = plinth_lang::variables::finalize_root_variables(&cfg.root, &BTreeMap::new(), &ctx, false);
    assert!(!d.has_errors(), "fixture variables: {d}");
    let scope = StaticScope::new(&cfg.root, vars, &dir);
    exprs
        .iter()
        .map(|e| match eval_console_line(e, &scope, &dir, &cfg.sources) {
            Ok(s) => s,
            Err(d) => {
                let first = d.iter().find(|x| x.is_error());
                let detail = first.and_then(|x| x.detail.clone()).unwrap_or_default();
                format!("!! error: {}{DETAIL}{detail}", first.map(|x| x.summary.clone()).unwrap_or_default())
            }
        })
        .collect()
}

/// Separates an error summary from its detail in `run_plinth`'s output; only the summary
/// is compared (expected.txt records summaries), the detail is shown in reports.
const DETAIL: &str = "\u{1f}";

fn summary_only(s: &str) -> &str {
    s.split(DETAIL).next().unwrap_or(s)
}

fn report(title: &str, rows: &[(String, String, String)]) -> String {
    report_as(title, "plinth", rows)
}

fn report_as(title: &str, other: &str, rows: &[(String, String, String)]) -> String {
    rows.iter()
        .map(|(e, want, got)| format!("### {e}\n--- {title}\n{want}\n--- {other}\n{}\n", got.replace(DETAIL, "\n    detail: ")))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn console_corpus_matches_terraform() {
    let cfg = load();
    let cases = expected();
    assert!(cases.len() >= 300, "corpus has only {} expressions", cases.len());
    let exprs: Vec<String> = cases.iter().map(|c| c.0.clone()).collect();
    let got = run_plinth(&cfg, &exprs);
    let known = known_differences();
    let mut bad = Vec::new();
    let mut matched = 0;
    for ((e, want), got) in cases.iter().zip(&got) {
        if want == summary_only(got) {
            matched += 1;
        } else if !known.contains(e) {
            bad.push((e.clone(), want.clone(), got.clone()));
        }
    }
    eprintln!("console corpus: {matched} of {} match terraform 1.11 ({} known differences)", cases.len(), known.len());
    assert!(bad.is_empty(), "{} of {} differ from Terraform:\n{}", bad.len(), cases.len(), report("terraform", &bad));
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read fixture").flatten() {
        let target = to.join(e.file_name());
        if e.file_type().map(|t| t.is_dir()).unwrap_or(false) {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).expect("copy fixture file");
        }
    }
}

fn copy_fixture() -> tempfile::TempDir {
    let d = tempfile::tempdir().expect("tempdir");
    copy_dir(&fixture(), &d.path().join("fixture"));
    d
}

fn terraform_output(expr: &str, dir: &Path) -> Option<String> {
    let mut child = Command::new("terraform")
        .args(["console", "-no-color"])
        .current_dir(dir)
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    {
        use std::io::Write;
        let mut stdin = child.stdin.take()?;
        writeln!(stdin, "{expr}").ok()?;
    }
    let out = child.wait_with_output().ok()?;
    if out.status.success() {
        let s = String::from_utf8_lossy(&out.stdout).into_owned();
        Some(s.strip_suffix('\n').unwrap_or(&s).to_string())
    } else {
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        let summary = err.lines().find_map(|l| l.strip_prefix("Error: ")).unwrap_or("unknown").to_string();
        Some(format!("!! error: {summary}"))
    }
}

#[test]
fn console_corpus_differential() {
    if std::env::var_os("PLINTH_SKIP_DIFFERENTIAL").is_some() {
        eprintln!("skipping the differential console run: PLINTH_SKIP_DIFFERENTIAL is set");
        return;
    }
    let have = Command::new("terraform").arg("version").stdout(Stdio::null()).stderr(Stdio::null()).status();
    if !matches!(have, Ok(s) if s.success()) {
        eprintln!("skipping the differential console run: terraform is not on the PATH");
        return;
    }
    let cfg = load();
    let cases = expected();
    let exprs: Vec<String> = cases.iter().map(|c| c.0.clone()).collect();
    let got = run_plinth(&cfg, &exprs);
    // Run terraform in a few threads, one process per expression, each thread in its own
    // copy of the fixture (terraform console takes the state lock of its directory).
    let threads = 4;
    let copies: Vec<tempfile::TempDir> = (0..threads).map(|_| copy_fixture()).collect();
    let chunks: Vec<Vec<(usize, String)>> = (0..threads)
        .map(|t| exprs.iter().cloned().enumerate().filter(|(i, _)| i % threads == t).collect())
        .collect();
    let mut live: Vec<Option<String>> = vec![None; exprs.len()];
    std::thread::scope(|s| {
        let handles: Vec<_> = chunks
            .into_iter()
            .zip(&copies)
            .map(|(chunk, copy)| {
                let dir = copy.path().to_path_buf();
                let dir = dir.join("fixture");
                s.spawn(move || chunk.into_iter().map(|(i, e)| (i, terraform_output(&e, &dir))).collect::<Vec<_>>())
            })
            .collect();
        for h in handles {
            for (i, o) in h.join().expect("terraform runner thread") {
                live[i] = o;
            }
        }
    });
    let known = known_differences();
    let mut stale = Vec::new();
    let mut bad = Vec::new();
    let mut matched = 0;
    for (i, (e, want)) in cases.iter().enumerate() {
        let Some(t) = &live[i] else { continue };
        if t != want {
            stale.push((e.clone(), want.clone(), t.clone()));
        }
        if t == summary_only(&got[i]) {
            matched += 1;
        } else if !known.contains(e) {
            bad.push((e.clone(), t.clone(), got[i].clone()));
        }
    }
    eprintln!("differential console run: {matched} of {} match the live terraform", cases.len());
    assert!(stale.is_empty(), "expected.txt is stale for {} expressions (run tests/console/regenerate.sh):\n{}", stale.len(), report_as("checked in", "live terraform", &stale));
    assert!(bad.is_empty(), "{} differ from the live terraform:\n{}", bad.len(), report("terraform", &bad));
}
