//! Exit statuses like Terraform's: 0 ok, 1 error, 2 for `plan -detailed-exitcode` with
//! changes, 3 for `fmt -check` with changes, 2 for `fmt` syntax errors; usage errors are 1
//! with a pointer to the help.

mod cli_common;
use cli_common::*;

#[test]
fn unknown_command_suggests_and_exits_1() {
    let d = tempfile::tempdir().unwrap();
    let o = run(d.path(), &["paln"]);
    assert_eq!(code(&o), 1);
    let e = stderr(&o);
    assert!(e.contains("Invalid command-line arguments"), "{e}");
    assert!(e.contains("Did you mean \"plan\"?"), "{e}");
}

#[test]
fn unknown_flag_names_the_whole_flag() {
    let d = tempfile::tempdir().unwrap();
    let o = run(d.path(), &["plan", "-bogus"]);
    assert_eq!(code(&o), 1);
    let e = stderr(&o);
    assert!(e.contains("'-bogus'"), "{e}");
    assert!(e.contains("plinth plan -help"), "{e}");
}

#[test]
fn version_flags() {
    let d = tempfile::tempdir().unwrap();
    for args in [&["version"][..], &["-version"], &["--version"], &["-v"]] {
        let o = run(d.path(), args);
        assert_eq!(code(&o), 0);
        assert!(stdout(&o).starts_with(&format!("Plinth v{}\non ", env!("CARGO_PKG_VERSION"))), "{}", stdout(&o));
        assert!(stdout(&o).contains("+ provider registry.terraform.io/hashicorp/random v"), "{}", stdout(&o));
    }
    let o = run(d.path(), &["version", "-json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["plinth_version"], env!("CARGO_PKG_VERSION"));
    assert!(v["provider_selections"]["registry.terraform.io/hashicorp/random"].is_string());
    assert!(v["provider_selections"]["terraform.io/builtin/terraform"].is_string());
}

#[test]
fn chdir_switches_directory() {
    let d = dir_with(&[("sub/main.tf", "a   = 1\n")]);
    let o = run(d.path(), &["-chdir=sub", "fmt", "-check"]);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert_eq!(stdout(&o), "main.tf\n");
    let o = run(d.path(), &["-chdir=nope", "fmt"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("-chdir"), "{}", stderr(&o));
}

#[test]
fn fmt_check_exits_3_and_lists_files() {
    let d = dir_with(&[("a.tf", "a   = 1\n"), ("b.tf", "b = 2\n")]);
    let o = run(d.path(), &["fmt", "-check"]);
    assert_eq!(code(&o), 3);
    assert_eq!(stdout(&o), "a.tf\n");
    // -check never writes.
    assert_eq!(std::fs::read_to_string(d.path().join("a.tf")).unwrap(), "a   = 1\n");
    let o = run(d.path(), &["fmt"]);
    assert_eq!(code(&o), 0);
    assert_eq!(stdout(&o), "a.tf\n");
    assert_eq!(std::fs::read_to_string(d.path().join("a.tf")).unwrap(), "a = 1\n");
    let o = run(d.path(), &["fmt", "-check"]);
    assert_eq!(code(&o), 0);
    assert_eq!(stdout(&o), "");
}

#[test]
fn fmt_syntax_error_exits_2() {
    let d = dir_with(&[("bad.tf", "b = {\n")]);
    let o = run(d.path(), &["fmt"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("bad.tf"), "{}", stderr(&o));
    let o = run(d.path(), &["fmt", "nonexistent"]);
    assert_eq!(code(&o), 2);
}

#[test]
fn fmt_stdin() {
    let d = tempfile::tempdir().unwrap();
    let o = run_stdin(d.path(), &["fmt", "-"], "x  = 1\n");
    assert_eq!(code(&o), 0);
    assert_eq!(stdout(&o), "x = 1\n");
    let o = run_stdin(d.path(), &["fmt", "-check", "-"], "x  = 1\n");
    assert_eq!(code(&o), 3);
    assert_eq!(stdout(&o), "");
    let o = run_stdin(d.path(), &["fmt", "-"], "x = {\n");
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("<stdin>"), "{}", stderr(&o));
}

#[test]
fn fmt_diff() {
    let d = dir_with(&[("a.tf", "a   = 1\n")]);
    let o = run(d.path(), &["fmt", "-diff", "-write=false"]);
    assert_eq!(code(&o), 0);
    assert_eq!(stdout(&o), "a.tf\n--- old/a.tf\n+++ new/a.tf\n@@ -1 +1 @@\n-a   = 1\n+a = 1\n");
}

#[test]
fn plan_detailed_exitcode() {
    let d = dir_with(&[("main.tf", "resource \"terraform_data\" \"a\" {\n  input = \"x\"\n}\n")]);
    let o = run(d.path(), &["plan", "-detailed-exitcode"]);
    assert_eq!(code(&o), 2, "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("Plan: 1 to add, 0 to change, 0 to destroy."), "{}", stdout(&o));
    let o = run(d.path(), &["plan"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let e = dir_with(&[("main.tf", "locals {\n  a = 1\n}\n")]);
    let o = run(e.path(), &["plan", "-detailed-exitcode"]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("No changes."), "{}", stdout(&o));
}

#[test]
fn plan_errors_exit_1() {
    let d = dir_with(&[("main.tf", "resource \"terraform_data\" \"a\" {\n  input = var.nope\n}\n")]);
    let o = run(d.path(), &["plan", "-detailed-exitcode"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("Reference to undeclared input variable"), "{}", stderr(&o));
    let o = run(d.path(), &["plan", "-target=not an address"]);
    assert_eq!(code(&o), 1);
}

#[test]
fn no_configuration_is_an_error_for_plan() {
    let d = tempfile::tempdir().unwrap();
    let o = run(d.path(), &["plan"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("No configuration files"), "{}", stderr(&o));
}

#[test]
fn plan_json_streams_ui_messages() {
    let d = dir_with(&[("main.tf", "resource \"terraform_data\" \"a\" {\n  input = \"x\"\n}\n")]);
    let o = run(d.path(), &["plan", "-json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let lines: Vec<serde_json::Value> =
        stdout(&o).lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect();
    let types: Vec<&str> = lines.iter().filter_map(|l| l["type"].as_str()).collect();
    assert_eq!(types.first(), Some(&"version"));
    assert!(types.contains(&"planned_change"), "{types:?}");
    assert!(types.contains(&"change_summary"), "{types:?}");
    for l in &lines {
        for k in ["@level", "@message", "@module", "@timestamp", "type"] {
            assert!(l.get(k).is_some(), "{k} missing in {l}");
        }
    }
    let summary = lines.iter().find(|l| l["type"] == "change_summary").unwrap();
    assert_eq!(summary["changes"]["add"], 1);
}

#[test]
fn apply_json_requires_auto_approve() {
    let d = dir_with(&[("main.tf", "resource \"terraform_data\" \"a\" {}\n")]);
    let o = run(d.path(), &["apply", "-json"]);
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).contains("Plan file or auto-approve required"), "{}", stdout(&o));
}

#[test]
fn plan_json_reports_errors_as_diagnostic_messages() {
    let d = dir_with(&[("main.tf", "resource \"terraform_data\" \"a\" {\n  input = var.nope\n}\n")]);
    let o = run(d.path(), &["plan", "-json"]);
    assert_eq!(code(&o), 1);
    assert_eq!(stderr(&o), "", "errors go to stdout as JSON in -json mode");
    let lines: Vec<serde_json::Value> = stdout(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let diag = lines.iter().find(|l| l["type"] == "diagnostic").expect("a diagnostic message");
    assert_eq!(diag["@level"], "error");
    assert_eq!(diag["diagnostic"]["severity"], "error");
    assert_eq!(diag["diagnostic"]["summary"], "Reference to undeclared input variable");
    assert_eq!(diag["diagnostic"]["range"]["filename"], "main.tf");
}

#[test]
fn fmt_recursive_and_list_false() {
    let d = dir_with(&[("a.tf", "a   = 1\n"), ("sub/b.tf", "b   = 1\n")]);
    let o = run(d.path(), &["fmt", "-check"]);
    assert_eq!(stdout(&o), "a.tf\n");
    let o = run(d.path(), &["fmt", "-check", "-recursive"]);
    assert_eq!(code(&o), 3);
    assert_eq!(stdout(&o), "a.tf\nsub/b.tf\n");
    let o = run(d.path(), &["fmt", "-list=false", "-recursive"]);
    assert_eq!(code(&o), 0);
    assert_eq!(stdout(&o), "");
    assert_eq!(std::fs::read_to_string(d.path().join("sub/b.tf")).unwrap(), "b = 1\n");
}

#[test]
fn compact_warnings() {
    let d = dir_with(&[("main.tf", "resource \"terraform_data\" \"a\" {}\n"), ("terraform.tfvars", "undeclared = 1\n")]);
    let o = run(d.path(), &["plan"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("Warning: Value for undeclared variable"), "{}", stderr(&o));
    let o = run(d.path(), &["plan", "-compact-warnings"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("Warnings:\n\n- Value for undeclared variable\n"), "{e}");
    assert!(e.contains("To see the full warning notes, run Plinth without -compact-warnings."), "{e}");
    assert!(!e.contains("╷"), "{e}");
}
