//! `apply` / `destroy` flows: approval prompt, saved plans (no prompt; stale ones refused),
//! progress lines, outputs, `-json` streaming.

mod cli_common;
use cli_common::*;

const CONFIG: &str = "resource \"terraform_data\" \"a\" {\n  input = \"x\"\n}\noutput \"o\" {\n  value = terraform_data.a.output\n}\n";

#[test]
fn prompt_yes_applies_and_no_cancels() {
    let d = dir_with(&[("main.tf", CONFIG)]);
    let o = run_stdin(d.path(), &["apply"], "no\n");
    assert_eq!(code(&o), 1);
    let out = stdout(&o);
    assert!(out.contains("\nDo you want to perform these actions?\n  Plinth will perform the actions described above.\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: \nApply cancelled.\n"), "{out}");
    assert!(!d.path().join("terraform.tfstate").exists() || stdout(&run(d.path(), &["state", "list"])).is_empty());

    let o = run_stdin(d.path(), &["apply"], "yes\n");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("  Enter a value: \nterraform_data.a: Creating...\nterraform_data.a: Creation complete after 0s [id="), "{out}");
    assert!(out.contains("\nApply complete! Resources: 1 added, 0 changed, 0 destroyed.\n\nOutputs:\n\no = \"x\"\n"), "{out}");
    assert_eq!(stdout(&run(d.path(), &["state", "list"])), "terraform_data.a\n");
    assert_eq!(stdout(&run(d.path(), &["output", "-raw", "o"])), "x");

    // Nothing to do: no prompt.
    let o = run(d.path(), &["apply"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("No changes."), "{}", stdout(&o));
    assert!(stdout(&o).contains("Apply complete! Resources: 0 added, 0 changed, 0 destroyed."), "{}", stdout(&o));
    assert!(!stdout(&o).contains("Enter a value"));
}

#[test]
fn input_false_without_auto_approve_is_an_error() {
    let d = dir_with(&[("main.tf", CONFIG)]);
    let o = run(d.path(), &["apply", "-input=false"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("-auto-approve"), "{}", stderr(&o));
}

#[test]
fn destroy_asks_differently() {
    let d = dir_with(&[("main.tf", CONFIG)]);
    assert_eq!(code(&run(d.path(), &["apply", "-auto-approve"])), 0);
    let o = run_stdin(d.path(), &["destroy"], "nope\n");
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).contains("Do you really want to destroy all resources?"), "{}", stdout(&o));
    assert!(stdout(&o).contains("Destroy cancelled."), "{}", stdout(&o));
    let o = run(d.path(), &["destroy", "-auto-approve"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("terraform_data.a: Destroying... [id="), "{}", stdout(&o));
    assert!(stdout(&o).contains("Destroy complete! Resources: 1 destroyed."), "{}", stdout(&o));
    assert_eq!(stdout(&run(d.path(), &["state", "list"])), "");
}

#[test]
fn saved_plan_applies_without_prompt_and_stale_plans_are_refused() {
    let d = dir_with(&[("main.tf", CONFIG)]);
    let o = run(d.path(), &["plan", "-out=tfplan"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = run(d.path(), &["plan", "-out=second"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = run(d.path(), &["apply", "tfplan"]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert!(!stdout(&o).contains("Enter a value"), "{}", stdout(&o));
    assert!(stdout(&o).contains("Apply complete! Resources: 1 added"), "{}", stdout(&o));
    // The other plan was made against the state before this apply.
    let o = run(d.path(), &["apply", "second"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("Saved plan is stale"), "{}", stderr(&o));
    // Not a plan at all.
    let o = run(d.path(), &["apply", "main.tf"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("plan"), "{}", stderr(&o));
    // Variables cannot be changed for a saved plan.
    run(d.path(), &["plan", "-out=third"]);
    let o = run(d.path(), &["apply", "-var", "a=b", "third"]);
    assert_eq!(code(&o), 1);
}

#[test]
fn apply_json_stream() {
    let d = dir_with(&[("main.tf", CONFIG)]);
    let o = run(d.path(), &["apply", "-json", "-auto-approve"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let lines: Vec<serde_json::Value> =
        stdout(&o).lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect();
    let types: Vec<&str> = lines.iter().filter_map(|l| l["type"].as_str()).collect();
    assert_eq!(types.first(), Some(&"version"), "{types:?}");
    for t in ["planned_change", "change_summary", "apply_start", "apply_complete", "outputs"] {
        assert!(types.contains(&t), "{t} missing: {types:?}");
    }
    let last_summary = lines.iter().rfind(|l| l["type"] == "change_summary").unwrap();
    assert_eq!(last_summary["changes"]["operation"], "apply");
    assert_eq!(last_summary["changes"]["add"], 1);
    let outputs = lines.iter().rfind(|l| l["type"] == "outputs").unwrap();
    assert_eq!(outputs["outputs"]["o"]["value"], "x");
}

#[test]
fn variables_from_every_source() {
    let d = dir_with(&[
        ("main.tf", "variable \"a\" {}\nvariable \"b\" {}\nvariable \"c\" {\n  default = \"dc\"\n}\noutput \"all\" {\n  value = \"${var.a}-${var.b}-${var.c}\"\n}\n"),
        ("terraform.tfvars", "a = \"file\"\n"),
        ("x.tfvars", "b = \"varfile\"\n"),
    ]);
    let o = run_env(d.path(), &["apply", "-auto-approve", "-var-file=x.tfvars", "-var", "c=cli"], &[("TF_VAR_b", "env")]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&run(d.path(), &["output", "-raw", "all"])), "file-varfile-cli");
    // A missing required variable with input disabled is an error naming it.
    let e = dir_with(&[("main.tf", "variable \"need\" {}\n")]);
    let o = run(e.path(), &["plan", "-input=false"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("need"), "{}", stderr(&o));
}

#[test]
fn replace_prints_both_halves_in_order() {
    let d = dir_with(&[("main.tf", CONFIG)]);
    assert_eq!(code(&run(d.path(), &["apply", "-auto-approve"])), 0);
    let o = run(d.path(), &["apply", "-auto-approve", "-replace=terraform_data.a"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().filter(|l| l.starts_with("terraform_data.a: ") && !l.contains("Refreshing")).collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert!(lines[0].starts_with("terraform_data.a: Destroying... [id="), "{out}");
    assert_eq!(lines[1], "terraform_data.a: Destruction complete after 0s");
    assert_eq!(lines[2], "terraform_data.a: Creating...");
    assert!(lines[3].starts_with("terraform_data.a: Creation complete after 0s [id="), "{out}");
    assert!(out.contains("Apply complete! Resources: 1 added, 0 changed, 1 destroyed."), "{out}");
}
