//! End to end: Terraform interoperability (runs only where `terraform` is on the PATH; run
//! as `TF_CLI_CONFIG_FILE=/dev/null terraform`, no provider downloads needed for
//! `terraform_data`).
//! - state written by Terraform plans as "No changes" under Plinth, and the reverse;
//! - `plinth show -json` of a plan has the same resource_changes (addresses and actions) as
//!   `terraform show -json` of Terraform's plan of the same change.

mod e2e_support;
use e2e_support::*;
use std::collections::BTreeSet;

const CONFIG: &str = r#"
variable "name" {
  default = "one"
}

resource "terraform_data" "base" {
  input = var.name
}

resource "terraform_data" "counted" {
  count = 3
  input = { n = count.index, tags = ["a", "b"], base = terraform_data.base.output }
}

resource "terraform_data" "each" {
  for_each         = toset(["blue", "green"])
  input            = each.key
  triggers_replace = [terraform_data.base.id]
}

resource "terraform_data" "secret" {
  input = sensitive("s3cr3t-${var.name}")
}

resource "terraform_data" "cbd" {
  input            = "cbd-${var.name}"
  triggers_replace = var.name
  lifecycle {
    create_before_destroy = true
  }
}

output "base" {
  value = terraform_data.base.output
}

output "secret" {
  value     = terraform_data.secret.output
  sensitive = true
}
"#;

fn setup() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "main.tf", CONFIG);
    tmp
}

#[test]
fn terraform_state_plans_no_changes_in_plinth() {
    if !terraform_available("terraform_state_plans_no_changes_in_plinth") {
        return;
    }
    let tmp = setup();
    let dir = tmp.path();
    terraform(dir, &["init", "-input=false", "-no-color"]).ok("terraform init");
    terraform(dir, &["apply", "-auto-approve", "-input=false", "-no-color"]).ok("terraform apply");
    plinth(dir, &["init", "-input=false"]).ok("plinth init");
    let p = plinth(dir, &["plan", "-input=false", "-no-color", "-detailed-exitcode"]);
    if unavailable("terraform_state_plans_no_changes_in_plinth", &p) {
        return;
    }
    assert_eq!(p.code, 0, "Plinth should see no changes in Terraform's state:\n{}{}", p.stdout, p.stderr);
    assert!(p.stdout.contains("No changes."), "{}", p.stdout);
}

#[test]
fn plinth_state_plans_no_changes_in_terraform() {
    if !terraform_available("plinth_state_plans_no_changes_in_terraform") {
        return;
    }
    let tmp = setup();
    let dir = tmp.path();
    plinth(dir, &["init", "-input=false"]).ok("plinth init");
    let a = plinth(dir, &["apply", "-auto-approve", "-input=false", "-no-color"]);
    if unavailable("plinth_state_plans_no_changes_in_terraform", &a) {
        return;
    }
    a.ok("plinth apply");
    terraform(dir, &["init", "-input=false", "-no-color"]).ok("terraform init");
    let p = terraform(dir, &["plan", "-input=false", "-no-color", "-detailed-exitcode"]);
    assert_eq!(p.code, 0, "Terraform should see no changes in Plinth's state:\n{}{}", p.stdout, p.stderr);
}

fn changes(j: &serde_json::Value) -> BTreeSet<String> {
    j["resource_changes"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|rc| {
                    format!(
                        "{} {} {}",
                        rc["address"].as_str().unwrap_or(""),
                        rc["change"]["actions"],
                        rc["action_reason"].as_str().unwrap_or("-")
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn show_json_resource_changes_match_terraform() {
    if !terraform_available("show_json_resource_changes_match_terraform") {
        return;
    }
    // Both tools start from the same state (written by Terraform), then plan the same edit.
    let tf = setup();
    terraform(tf.path(), &["init", "-input=false", "-no-color"]).ok("terraform init");
    terraform(tf.path(), &["apply", "-auto-approve", "-input=false", "-no-color"]).ok("terraform apply");
    let pl = tempfile::tempdir().expect("tempdir");
    write(pl.path(), "main.tf", CONFIG);
    std::fs::copy(tf.path().join("terraform.tfstate"), pl.path().join("terraform.tfstate")).expect("copy state");

    // The edit: a changed variable (updates, replaces, create-before-destroy), one resource
    // removed and the count shrunk.
    let edited = CONFIG.replace("count = 3", "count = 2").replace(
        "resource \"terraform_data\" \"secret\" {\n  input = sensitive(\"s3cr3t-${var.name}\")\n}\n",
        "",
    ).replace("value     = terraform_data.secret.output", "value     = \"gone\"");
    write(tf.path(), "main.tf", &edited);
    write(pl.path(), "main.tf", &edited);

    terraform(tf.path(), &["plan", "-input=false", "-no-color", "-var", "name=two", "-out=tf.tfplan"]).ok("terraform plan");
    let tj: serde_json::Value =
        serde_json::from_str(&terraform(tf.path(), &["show", "-json", "tf.tfplan"]).stdout).expect("terraform JSON");

    plinth(pl.path(), &["init", "-input=false"]).ok("plinth init");
    let pp = plinth(pl.path(), &["plan", "-input=false", "-no-color", "-var", "name=two", "-out=pl.tfplan"]);
    if unavailable("show_json_resource_changes_match_terraform", &pp) {
        return;
    }
    pp.ok("plinth plan");
    let ps = plinth(pl.path(), &["show", "-json", "pl.tfplan"]);
    ps.ok("plinth show -json");
    let pj: serde_json::Value = serde_json::from_str(&ps.stdout).expect("plinth JSON");

    assert_eq!(changes(&pj), changes(&tj), "resource_changes differ (left Plinth, right Terraform)");
    let outs = |j: &serde_json::Value| -> BTreeSet<String> {
        j["output_changes"].as_object().map(|m| m.iter().map(|(k, v)| format!("{k} {}", v["actions"])).collect()).unwrap_or_default()
    };
    assert_eq!(outs(&pj), outs(&tj), "output_changes differ");
}

/// The human plan of the same change from the same (Terraform-written) state is byte for
/// byte Terraform's, from "will perform the following actions" to the "Plan:" line, with
/// "Terraform" read as "Plinth".
#[test]
fn human_plan_matches_terraform_byte_for_byte() {
    if !terraform_available("human_plan_matches_terraform_byte_for_byte") {
        return;
    }
    let config = CONFIG.replace(
        "input = { n = count.index, tags = [\"a\", \"b\"], base = terraform_data.base.output }",
        "input = { n = count.index, tags = [\"a\", \"b\"], base = terraform_data.base.output, multi = \"x\\ny\\n${var.name}\\n\" }",
    );
    let tf = tempfile::tempdir().expect("tempdir");
    write(tf.path(), "main.tf", &config);
    terraform(tf.path(), &["init", "-input=false", "-no-color"]).ok("terraform init");
    terraform(tf.path(), &["apply", "-auto-approve", "-input=false", "-no-color"]).ok("terraform apply");
    let pl = tempfile::tempdir().expect("tempdir");
    std::fs::copy(tf.path().join("terraform.tfstate"), pl.path().join("terraform.tfstate")).expect("copy state");
    let edited = config.replace("count = 3", "count = 2");
    write(tf.path(), "main.tf", &edited);
    write(pl.path(), "main.tf", &edited);

    let t = terraform(tf.path(), &["plan", "-input=false", "-no-color", "-var", "name=two"]);
    t.ok("terraform plan");
    plinth(pl.path(), &["init", "-input=false"]).ok("plinth init");
    let p = plinth(pl.path(), &["plan", "-input=false", "-no-color", "-var", "name=two"]);
    if unavailable("human_plan_matches_terraform_byte_for_byte", &p) {
        return;
    }
    p.ok("plinth plan");
    let section = |s: &str| -> String {
        let start = s.find("will perform the following actions").unwrap_or(0);
        let end = s[start..].find("\nPlan:").map(|i| start + i).unwrap_or(s.len());
        s[start..end].to_string()
    };
    let want = section(&t.stdout).replace("Terraform", "Plinth");
    let got = section(&p.stdout);
    assert!(want.len() > 500, "unexpectedly short Terraform plan:\n{}", t.stdout);
    assert_eq!(got, want, "Plinth's plan (left) differs from Terraform's (right)");
}

/// One scenario: Terraform applies `v1`, then both tools plan `v2` (with `args`) from that
/// same state; their human plans must be byte-identical from "will perform the following
/// actions" (or "Changes to Outputs:") to the line before the closing note.
struct Scenario {
    name: &'static str,
    v1: &'static str,
    v2: &'static str,
    args: &'static [&'static str],
    /// A Terraform command run after applying v1 (e.g. `taint ADDR`).
    prepare: &'static [&'static str],
    /// A known difference still to fix: the scenario then runs only in
    /// `plan_scenarios_with_known_gaps` (ignored by default).
    known_gap: Option<&'static str>,
}

const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "moved",
        v1: "resource \"terraform_data\" \"old\" {\n  input = \"x\"\n}\n",
        v2: "resource \"terraform_data\" \"new\" {\n  input = \"x\"\n}\nmoved {\n  from = terraform_data.old\n  to   = terraform_data.new\n}\n",
        args: &[],
        prepare: &[],
        known_gap: None,
    },
    Scenario {
        name: "replace_requested",
        v1: "resource \"terraform_data\" \"a\" {\n  input = \"x\"\n}\nresource \"terraform_data\" \"b\" {\n  input = terraform_data.a.id\n}\n",
        v2: "resource \"terraform_data\" \"a\" {\n  input = \"x\"\n}\nresource \"terraform_data\" \"b\" {\n  input = terraform_data.a.id\n}\n",
        args: &["-replace=terraform_data.a"],
        prepare: &[],
        known_gap: None,
    },
    Scenario {
        name: "destroy",
        v1: "resource \"terraform_data\" \"a\" {\n  input = [\"x\", \"y\"]\n}\nresource \"terraform_data\" \"b\" {\n  input = terraform_data.a.id\n}\n",
        v2: "resource \"terraform_data\" \"a\" {\n  input = [\"x\", \"y\"]\n}\nresource \"terraform_data\" \"b\" {\n  input = terraform_data.a.id\n}\n",
        args: &["-destroy"],
        prepare: &[],
        known_gap: None,
    },
    Scenario {
        name: "tainted",
        v1: "resource \"terraform_data\" \"a\" {\n  input = { k = \"v\" }\n}\n",
        v2: "resource \"terraform_data\" \"a\" {\n  input = { k = \"v\" }\n}\n",
        args: &[],
        prepare: &["taint", "terraform_data.a"],
        known_gap: None,
    },
    Scenario {
        name: "import",
        v1: "resource \"terraform_data\" \"z\" {\n  input = \"q\"\n}\n",
        v2: "resource \"terraform_data\" \"z\" {\n  input = \"q\"\n}\nimport {\n  to = terraform_data.i\n  id = \"abc-123\"\n}\nresource \"terraform_data\" \"i\" {\n}\n",
        args: &[],
        prepare: &[],
        known_gap: None,
    },
    Scenario {
        name: "outputs_only",
        // Terraform plans `- gone = 1 -> null` for an output removed from the configuration.
        v1: "resource \"terraform_data\" \"a\" {\n  input = \"x\"\n}\noutput \"o\" {\n  value = \"v\"\n}\noutput \"gone\" {\n  value = 1\n}\n",
        v2: "resource \"terraform_data\" \"a\" {\n  input = \"x\"\n}\noutput \"o\" {\n  value = \"v2\"\n}\noutput \"n\" {\n  value = { a = [1, 2], b = null, s = sensitive(\"x\") }\n  sensitive = true\n}\noutput \"n2\" {\n  value = { a = [1, 2], b = null }\n}\noutput \"m\" {\n  value = \"line1\\nline2\\n\"\n}\n",
        args: &[],
        prepare: &[],
        known_gap: None,
    },
    Scenario {
        name: "sensitivity_changes",
        // Terraform plans an update when only an attribute's sensitivity changes.
        v1: "variable \"v\" {\n  default = \"x\"\n}\nresource \"terraform_data\" \"a\" {\n  input = var.v\n}\nresource \"terraform_data\" \"b\" {\n  input = sensitive(\"y\")\n}\n",
        v2: "variable \"v\" {\n  default = \"x\"\n}\nresource \"terraform_data\" \"a\" {\n  input = sensitive(var.v)\n}\nresource \"terraform_data\" \"b\" {\n  input = \"y\"\n}\n",
        args: &[],
        prepare: &[],
        known_gap: None,
    },
    Scenario {
        name: "check_block_scoped_data",
        // A data source nested in a check block is read during plan and planned to be read
        // again during apply (read_because_check_nested); data sources sort first. It reads
        // the state v1 left, whose output `o` is "v".
        v1: "resource \"terraform_data\" \"a\" {\n  input = \"x\"\n}\noutput \"o\" {\n  value = \"v\"\n}\n",
        v2: "resource \"terraform_data\" \"a\" {\n  input = \"x2\"\n}\noutput \"o\" {\n  value = \"v\"\n}\ncheck \"c\" {\n  data \"terraform_remote_state\" \"s\" {\n    backend = \"local\"\n    config = {\n      path = \"terraform.tfstate\"\n    }\n  }\n  assert {\n    condition     = data.terraform_remote_state.s.outputs.o == \"v\"\n    error_message = \"o is not v.\"\n  }\n}\n",
        args: &[],
        prepare: &[],
        known_gap: None,
    },
    Scenario {
        name: "replace_triggered_by",
        // Only updates/replacements trigger (not creates); an instance reference triggers on
        // that instance only; an attribute reference on a change of that attribute.
        v1: "resource \"terraform_data\" \"a\" {\n  count = 2\n  input = \"x${count.index}\"\n}\nresource \"terraform_data\" \"b\" {\n  count = 2\n  input = \"b\"\n  lifecycle {\n    replace_triggered_by = [terraform_data.a[count.index]]\n  }\n}\nresource \"terraform_data\" \"c\" {\n  input = \"c\"\n  lifecycle {\n    replace_triggered_by = [terraform_data.a[0].input]\n  }\n}\nresource \"terraform_data\" \"d\" {\n  input = \"d\"\n  lifecycle {\n    replace_triggered_by = [terraform_data.a[1].output]\n  }\n}\nresource \"terraform_data\" \"e\" {\n  input = \"e\"\n  lifecycle {\n    replace_triggered_by = [terraform_data.a]\n  }\n}\nresource \"terraform_data\" \"f\" {\n  input = \"f\"\n  lifecycle {\n    replace_triggered_by = [terraform_data.c.output]\n  }\n}\nresource \"terraform_data\" \"g\" {\n  for_each = toset([\"k\", \"l\"])\n  input    = each.key\n  lifecycle {\n    replace_triggered_by = [terraform_data.a[1].input]\n  }\n}\nresource \"terraform_data\" \"h\" {\n  for_each = toset([\"k\"])\n  input    = each.key\n  lifecycle {\n    replace_triggered_by = [terraform_data.g[each.key]]\n  }\n}\nresource \"terraform_data\" \"i\" {\n  lifecycle {\n    replace_triggered_by = [terraform_data.g[\"l\"].output]\n  }\n}\n",
        v2: "resource \"terraform_data\" \"a\" {\n  count = 2\n  input = count.index == 0 ? \"x0\" : \"y1\"\n}\nresource \"terraform_data\" \"b\" {\n  count = 2\n  input = \"b\"\n  lifecycle {\n    replace_triggered_by = [terraform_data.a[count.index]]\n  }\n}\nresource \"terraform_data\" \"c\" {\n  input = \"c\"\n  lifecycle {\n    replace_triggered_by = [terraform_data.a[0].input]\n  }\n}\nresource \"terraform_data\" \"d\" {\n  input = \"d\"\n  lifecycle {\n    replace_triggered_by = [terraform_data.a[1].output]\n  }\n}\nresource \"terraform_data\" \"e\" {\n  input = \"e\"\n  lifecycle {\n    replace_triggered_by = [terraform_data.a]\n  }\n}\nresource \"terraform_data\" \"new\" {\n  input = \"n\"\n}\nresource \"terraform_data\" \"f\" {\n  input = \"f\"\n  lifecycle {\n    replace_triggered_by = [terraform_data.new, terraform_data.c.output]\n  }\n}\nresource \"terraform_data\" \"g\" {\n  for_each = toset([\"k\", \"l\"])\n  input    = each.key\n  lifecycle {\n    replace_triggered_by = [terraform_data.a[1].input]\n  }\n}\nresource \"terraform_data\" \"h\" {\n  for_each = toset([\"k\"])\n  input    = each.key\n  lifecycle {\n    replace_triggered_by = [terraform_data.g[each.key]]\n  }\n}\nresource \"terraform_data\" \"i\" {\n  lifecycle {\n    replace_triggered_by = [terraform_data.g[\"l\"].output]\n  }\n}\n",
        args: &[],
        prepare: &[],
        known_gap: None,
    },
];

fn plan_section(s: &str) -> String {
    let start = ["will perform the following actions", "Changes to Outputs:", "No changes."]
        .iter()
        .filter_map(|m| s.find(m))
        .min()
        .unwrap_or(0);
    let rest = &s[start..];
    let end = ["\n\nYou can apply this plan", "\n─", "\nWarning:", "\n\nPlinth has compared", "\n\nTerraform has compared"]
        .iter()
        .filter_map(|m| rest.find(m))
        .min()
        .unwrap_or(rest.len());
    rest[..end].to_string()
}

#[test]
fn plan_scenarios_match_terraform_byte_for_byte() {
    run_scenarios("plan_scenarios_match_terraform_byte_for_byte", false);
}

/// Scenarios with a known difference (none at the moment): this test shows whether they
/// still differ.
#[test]
fn plan_scenarios_with_known_gaps() {
    run_scenarios("plan_scenarios_with_known_gaps", true);
}

fn run_scenarios(test: &str, gaps: bool) {
    if !terraform_available(test) {
        return;
    }
    let mut failures = Vec::new();
    for sc in SCENARIOS {
        if sc.known_gap.is_some() != gaps {
            if let Some(g) = sc.known_gap {
                println!("{test}: scenario {} left out, known gap: {g}", sc.name);
            }
            continue;
        }
        let tf = tempfile::tempdir().expect("tempdir");
        write(tf.path(), "main.tf", sc.v1);
        terraform(tf.path(), &["init", "-input=false", "-no-color"]).ok("terraform init");
        terraform(tf.path(), &["apply", "-auto-approve", "-input=false", "-no-color"]).ok("terraform apply");
        if !sc.prepare.is_empty() {
            terraform(tf.path(), sc.prepare).ok("terraform prepare");
        }
        let pl = tempfile::tempdir().expect("tempdir");
        std::fs::copy(tf.path().join("terraform.tfstate"), pl.path().join("terraform.tfstate")).expect("copy state");
        write(tf.path(), "main.tf", sc.v2);
        write(pl.path(), "main.tf", sc.v2);
        let mut args = vec!["plan", "-input=false", "-no-color"];
        args.extend_from_slice(sc.args);
        let t = terraform(tf.path(), &args);
        t.ok(&format!("terraform plan ({})", sc.name));
        plinth(pl.path(), &["init", "-input=false"]).ok("plinth init");
        let p = plinth(pl.path(), &args);
        if unavailable(test, &p) {
            return;
        }
        let want = plan_section(&t.stdout).replace("Terraform", "Plinth");
        let got = plan_section(&p.stdout);
        if p.code != 0 || got != want {
            failures.push(format!(
                "scenario {}: exit {}\n--- Terraform\n{want}\n--- Plinth\n{got}\n--- Plinth stderr\n{}",
                sc.name, p.code, p.stderr
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// `plinth show` and `plinth state show ADDR` of a Terraform-written state print exactly
/// what Terraform prints; `show -json` has the same values.
#[test]
fn show_of_state_matches_terraform() {
    if !terraform_available("show_of_state_matches_terraform") {
        return;
    }
    let config = CONFIG.replace(
        "input = { n = count.index, tags = [\"a\", \"b\"], base = terraform_data.base.output }",
        "input = { n = count.index, tags = [\"a\", \"b\"], base = terraform_data.base.output, multi = \"x\\ny\\n\" }",
    );
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "main.tf", &config);
    terraform(dir.path(), &["init", "-input=false", "-no-color"]).ok("terraform init");
    terraform(dir.path(), &["apply", "-auto-approve", "-input=false", "-no-color"]).ok("terraform apply");
    plinth(dir.path(), &["init", "-input=false"]).ok("plinth init");
    let p = plinth(dir.path(), &["show", "-no-color"]);
    if unavailable("show_of_state_matches_terraform", &p) {
        return;
    }
    assert_eq!(p.stdout, terraform(dir.path(), &["show", "-no-color"]).stdout, "show (left Plinth, right Terraform)");
    for addr in ["terraform_data.counted[1]", "terraform_data.each[\"blue\"]", "terraform_data.secret"] {
        let ps = plinth(dir.path(), &["state", "show", "-no-color", addr]);
        let ts = terraform(dir.path(), &["state", "show", "-no-color", addr]);
        assert_eq!(ps.stdout, ts.stdout, "state show {addr} (left Plinth, right Terraform)");
    }
    let pj: serde_json::Value = serde_json::from_str(&plinth(dir.path(), &["show", "-json"]).stdout).expect("plinth JSON");
    let tj: serde_json::Value = serde_json::from_str(&terraform(dir.path(), &["show", "-json"]).stdout).expect("terraform JSON");
    let values = |j: &serde_json::Value| -> Vec<(String, serde_json::Value, serde_json::Value)> {
        j["values"]["root_module"]["resources"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|r| (r["address"].as_str().unwrap_or("").to_string(), r["values"].clone(), r["sensitive_values"].clone()))
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(values(&pj), values(&tj), "show -json resources (left Plinth, right Terraform)");
    assert_eq!(pj["values"]["outputs"], tj["values"]["outputs"], "show -json outputs");
}

/// `apply -auto-approve` and `destroy -auto-approve` print the same lines as Terraform
/// (compared as sorted sets, since parallel applies finish in any order; ids masked; the
/// legend paragraph, which wraps differently around "Plinth", left out).
#[test]
fn apply_and_destroy_output_match_terraform() {
    if !terraform_available("apply_and_destroy_output_match_terraform") {
        return;
    }
    let config = "resource \"terraform_data\" \"a\" {\n  input = \"x\"\n}\nresource \"terraform_data\" \"b\" {\n  count = 2\n  input = terraform_data.a.id\n}\noutput \"o\" {\n  value = { k = terraform_data.a.output, l = [1] }\n}\noutput \"s\" {\n  value     = \"x\"\n  sensitive = true\n}\n";
    let uuid = regex::Regex::new(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").expect("regex");
    let norm = |s: &str| -> Vec<String> {
        let s = uuid.replace_all(s, "<uuid>").replace("Terraform", "Plinth");
        let mut v: Vec<String> = s
            .lines()
            .filter(|l| !l.starts_with("Plinth used the selected") && !l.contains("Resource actions are indicated"))
            .map(str::to_string)
            .collect();
        v.sort();
        v
    };
    let tf = tempfile::tempdir().expect("tempdir");
    let pl = tempfile::tempdir().expect("tempdir");
    write(tf.path(), "main.tf", config);
    write(pl.path(), "main.tf", config);
    terraform(tf.path(), &["init", "-input=false", "-no-color"]).ok("terraform init");
    plinth(pl.path(), &["init", "-input=false"]).ok("plinth init");
    for cmd in ["apply", "destroy"] {
        let t = terraform(tf.path(), &[cmd, "-auto-approve", "-input=false", "-no-color"]);
        t.ok(cmd);
        let p = plinth(pl.path(), &[cmd, "-auto-approve", "-input=false", "-no-color"]);
        if unavailable("apply_and_destroy_output_match_terraform", &p) {
            return;
        }
        p.ok(cmd);
        assert_eq!(norm(&p.stdout), norm(&t.stdout), "{cmd} output lines (left Plinth, right Terraform)");
    }
}
