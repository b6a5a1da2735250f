//! Variable values: precedence of sources, -var parsing, conversion with optional defaults,
//! sensitivity, validation; and module-call style finalization.

use plinth_lang::variables::{collect_variable_values, finalize_root_variables, finalize_variable, CliVar, RawValue, ValueSource, VariableOptions};
use plinth_lang::{load_config, EmptyScope, EvalContext};
use plinth_sdk::Value;
use std::path::Path;

fn setup(files: &[(&str, &str)]) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for (n, t) in files {
        std::fs::write(d.path().join(n), t).unwrap();
    }
    d
}

const VARS: &str = r#"
variable "a" { default = "default" }
variable "b" { default = "default" }
variable "c" { default = "default" }
variable "d" { default = "default" }
variable "e" { default = "default" }
variable "list" {
  type    = list(number)
  default = []
}
variable "obj" {
  type    = object({ name = string, size = optional(number, 10) })
  default = { name = "x" }
}
variable "secret" {
  type      = string
  default   = "s"
  sensitive = true
}
"#;

#[test]
fn sources_apply_in_terraform_precedence() {
    let d = setup(&[
        ("main.tf", VARS),
        ("terraform.tfvars", "b = \"tfvars\"\nc = \"tfvars\"\nd = \"tfvars\"\ne = \"tfvars\"\n"),
        ("b.auto.tfvars", "d = \"auto-b\"\ne = \"auto-b\"\n"),
        ("a.auto.tfvars.json", r#"{"d": "auto-a", "e": "auto-a"}"#),
        ("extra.tfvars", "e = \"var-file\"\n"),
    ]);
    let (cfg, diags) = load_config(d.path());
    assert!(!diags.has_errors(), "{diags}");
    let cfg = cfg.unwrap();
    let opts = VariableOptions {
        dir: d.path().to_path_buf(),
        cli: vec![CliVar::Var("e=cli-first".into()), CliVar::File(d.path().join("extra.tfvars")), CliVar::Var("list=[1, 2]".into()), CliVar::Var("obj={name = \"n\"}".into())],
        env: vec![("TF_VAR_a".into(), "env".into()), ("TF_VAR_b".into(), "env".into()), ("TF_VAR_zzz".into(), "ignored".into())],
    };
    let (raw, diags) = collect_variable_values(&cfg.root, &opts, &cfg.sources);
    assert!(!diags.has_errors(), "{diags}");
    let ctx = EvalContext { scope: &EmptyScope, cwd: d.path() };
    let (vals, missing, diags) = finalize_root_variables(&cfg.root, &raw, &ctx, false);
    assert!(missing.is_empty());
    assert!(!diags.has_errors(), "{diags}");
    assert_eq!(vals["a"], Value::string("env"));
    assert_eq!(vals["b"], Value::string("tfvars"));
    assert_eq!(vals["c"], Value::string("tfvars"));
    assert_eq!(vals["d"], Value::string("auto-b"), "auto files load in lexical order");
    assert_eq!(vals["e"], Value::string("var-file"), "-var-file after -var wins");
    assert_eq!(vals["list"].as_seq().unwrap().len(), 2);
    assert_eq!(vals["obj"].get_attr("size").unwrap().as_i64(), Some(10));
    assert!(vals["secret"].is_sensitive());
    assert_eq!(raw["e"].source, ValueSource::File(d.path().join("extra.tfvars")));
}

#[test]
fn module_inputs_are_finalized_like_root_values() {
    let d = setup(&[("main.tf", "variable \"n\" {\n  type = number\n  validation {\n    condition     = var.n < 10\n    error_message = \"n must be below 10, got ${var.n}.\"\n  }\n}\n")]);
    let (cfg, _) = load_config(d.path());
    let cfg = cfg.unwrap();
    let var = &cfg.root.variables["n"];
    let ctx = EvalContext { scope: &EmptyScope, cwd: Path::new(".") };
    let (v, diags) = finalize_variable(var, Some(&RawValue { value: Value::string("3"), source: ValueSource::Caller, range: None }), &ctx);
    assert!(!diags.has_errors(), "{diags}");
    assert_eq!(v, Value::number(3));
    let (_, diags) = finalize_variable(var, Some(&RawValue { value: Value::number(12), source: ValueSource::Caller, range: None }), &ctx);
    assert_eq!(diags.0[0].summary, "Invalid value for variable");
    assert!(diags.0[0].detail.as_ref().unwrap().starts_with("n must be below 10, got 12."));
    let (_, diags) = finalize_variable(var, Some(&RawValue { value: Value::unknown(), source: ValueSource::Caller, range: None }), &ctx);
    assert!(!diags.has_errors(), "unknown values skip validation: {diags}");
}

#[test]
fn missing_required_values_are_returned_when_input_is_allowed() {
    let d = setup(&[("main.tf", "variable \"region\" {}\n")]);
    let (cfg, _) = load_config(d.path());
    let cfg = cfg.unwrap();
    let ctx = EvalContext { scope: &EmptyScope, cwd: Path::new(".") };
    let (_, missing, diags) = finalize_root_variables(&cfg.root, &Default::default(), &ctx, true);
    assert_eq!(missing, vec!["region".to_string()]);
    assert!(!diags.has_errors());
    let (_, _, diags) = finalize_root_variables(&cfg.root, &Default::default(), &ctx, false);
    assert_eq!(diags.0[0].summary, "No value for required variable");
}
