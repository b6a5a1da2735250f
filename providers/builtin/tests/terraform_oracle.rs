//! terraform_data planning compared with Terraform itself. The expected summaries are checked
//! in (tests/fixtures/terraform_data_oracle.txt, produced by Terraform 1.11); when `terraform`
//! is on the PATH the test also regenerates them live and compares.

mod support;
use plinth_sdk::*;
use support::*;

/// (name, HCL body, attribute values) for each scenario, planned against the state created
/// from the first one.
type Scenario = (&'static str, &'static str, Vec<(&'static str, Value)>);

fn scenarios() -> Vec<Scenario> {
    vec![
        ("create", "input = \"a\"\ntriggers_replace = 1", vec![("input", s("a")), ("triggers_replace", n(1))]),
        ("noop", "input = \"a\"\ntriggers_replace = 1", vec![("input", s("a")), ("triggers_replace", n(1))]),
        ("update", "input = \"b\"\ntriggers_replace = 1", vec![("input", s("b")), ("triggers_replace", n(1))]),
        ("replace", "input = \"a\"\ntriggers_replace = 2", vec![("input", s("a")), ("triggers_replace", n(2))]),
        ("replace-null-input", "triggers_replace = 2", vec![("triggers_replace", n(2))]),
        ("input-removed", "", vec![]),
    ]
}

fn summary(name: &str, action: &str, unknown: &[String], replace: &[String], output_null: bool) -> String {
    format!(
        "{name}: action={action} unknown=[{}] replace=[{}] output={}",
        unknown.join(","),
        replace.join(","),
        if unknown.iter().any(|u| u == "output") { "unknown" } else if output_null { "null" } else { "known" }
    )
}

fn ours() -> Vec<String> {
    let h = Harness::new("terraform", "terraform_data");
    let mut out = Vec::new();
    let mut state: Option<Value> = None;
    for (name, _, attrs) in scenarios() {
        let cfg = h.config(&attrs);
        let prior = if name == "create" { None } else { state.clone() };
        let p = h.plan(prior.as_ref(), &cfg);
        assert!(!p.diagnostics.has_errors(), "{}", p.diagnostics);
        let planned = p.planned_state.clone().unwrap();
        let unknown: Vec<String> = planned.as_map().unwrap().iter().filter(|(_, v)| !v.is_known()).map(|(k, _)| k.clone()).collect();
        let replace: Vec<String> = p.requires_replace.iter().map(|r| r.to_string()).collect();
        let action = match &prior {
            None => "create",
            Some(_) if !replace.is_empty() => "replace",
            Some(pr) if unmark(pr) == unmark(&planned) => "no-op",
            Some(_) => "update",
        };
        out.push(summary(name, action, &unknown, &replace, planned.get_attr("output").unwrap().is_null()));
        if name == "create" {
            state = Some(h.apply(None, Some(&planned), &cfg).new_state.unwrap());
        }
    }
    out
}

fn theirs() -> Option<Vec<String>> {
    let ok = std::process::Command::new("terraform").arg("version").env("TF_CLI_CONFIG_FILE", "/dev/null").output().is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("skipping the live Terraform comparison: terraform is not on the PATH");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| -> std::process::Output {
        std::process::Command::new("terraform")
            .args(args)
            .current_dir(dir.path())
            .env("TF_CLI_CONFIG_FILE", "/dev/null")
            .env("TF_IN_AUTOMATION", "1")
            .output()
            .unwrap()
    };
    let mut out = Vec::new();
    for (i, (name, body, _)) in scenarios().into_iter().enumerate() {
        std::fs::write(dir.path().join("main.tf"), format!("resource \"terraform_data\" \"x\" {{\n{body}\n}}\n")).unwrap();
        if i == 0 {
            assert!(run(&["init", "-input=false"]).status.success());
        }
        assert!(run(&["plan", "-input=false", "-out=p.bin"]).status.success());
        let show = run(&["show", "-json", "p.bin"]);
        let j: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
        let c = &j["resource_changes"][0]["change"];
        let actions: Vec<String> = c["actions"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_string()).collect();
        let action = match actions.join(",").as_str() {
            "delete,create" | "create,delete" => "replace".to_string(),
            a => a.to_string(),
        };
        let unknown: Vec<String> = c["after_unknown"].as_object().unwrap().iter().filter(|(_, v)| v.as_bool() == Some(true)).map(|(k, _)| k.clone()).collect();
        let replace: Vec<String> = c["replace_paths"].as_array().map(|a| a.iter().map(|p| p[0].as_str().unwrap().to_string()).collect()).unwrap_or_default();
        let output_null = c["after"].get("output").is_none_or(|v| v.is_null());
        out.push(summary(name, &action, &unknown, &replace, output_null));
        if i == 0 {
            assert!(run(&["apply", "-input=false", "-auto-approve"]).status.success());
        }
    }
    Some(out)
}

#[test]
fn terraform_data_plans_like_terraform() {
    let expected_path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/terraform_data_oracle.txt");
    let ours = ours();
    if let Some(theirs) = theirs() {
        if std::env::var_os("UPDATE_ORACLE").is_some() {
            std::fs::write(expected_path, theirs.join("\n") + "\n").unwrap();
        }
        assert_eq!(ours, theirs, "live Terraform disagrees");
    }
    let expected: Vec<String> = std::fs::read_to_string(expected_path).unwrap().lines().map(str::to_string).collect();
    assert_eq!(ours, expected);
}
