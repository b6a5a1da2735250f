//! `plinth validate`: human output and Terraform's `validate -json` document.

mod cli_common;
use cli_common::*;

#[test]
fn valid_configuration() {
    let d = dir_with(&[("main.tf", "resource \"terraform_data\" \"a\" {\n  input = 1\n}\n")]);
    let o = run(d.path(), &["validate"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&o), "Success! The configuration is valid.\n\n");
    let o = run(d.path(), &["validate", "-json"]);
    assert_eq!(code(&o), 0);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"format_version": "1.0", "valid": true, "error_count": 0, "warning_count": 0, "diagnostics": []})
    );
}

#[test]
fn invalid_configuration_json_shape_matches_terraform() {
    let d = dir_with(&[("main.tf", "resource \"terraform_data\" \"a\" {\n  input = var.nope\n}\n")]);
    let o = run(d.path(), &["validate", "-json"]);
    assert_eq!(code(&o), 1);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["format_version"], "1.0");
    assert_eq!(v["valid"], false);
    assert_eq!(v["error_count"], 1);
    assert_eq!(v["warning_count"], 0);
    let diag = &v["diagnostics"][0];
    assert_eq!(diag["severity"], "error");
    assert_eq!(diag["summary"], "Reference to undeclared input variable");
    // Exactly what terraform 1.11.4 reports for this file.
    assert_eq!(
        diag["range"],
        serde_json::json!({"filename": "main.tf", "start": {"line": 2, "column": 11, "byte": 42}, "end": {"line": 2, "column": 19, "byte": 50}})
    );
    assert_eq!(
        diag["snippet"],
        serde_json::json!({
            "context": "resource \"terraform_data\" \"a\"",
            "code": "  input = var.nope",
            "start_line": 2,
            "highlight_start_offset": 10,
            "highlight_end_offset": 18,
            "values": []
        })
    );
}

#[test]
fn schema_errors_are_reported() {
    let d = dir_with(&[("main.tf", "resource \"terraform_data\" \"a\" {\n  inptu = 1\n}\n")]);
    let o = run(d.path(), &["validate", "-json"]);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["valid"], false);
    assert!(v["error_count"].as_u64().unwrap() >= 1);
    let o = run(d.path(), &["validate"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("inptu"), "{}", stderr(&o));
}

#[test]
fn validate_a_directory_argument() {
    let d = dir_with(&[("sub/main.tf", "resource \"terraform_data\" \"a\" {}\n")]);
    let o = run(d.path(), &["validate", "sub"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn syntax_errors_are_invalid() {
    let d = dir_with(&[("main.tf", "x = {\n")]);
    let o = run(d.path(), &["validate", "-json"]);
    assert_eq!(code(&o), 1);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["valid"], false);
    assert!(v["diagnostics"][0]["range"]["filename"] == "main.tf", "{v}");
}
