//! Plan/apply semantics matched against Terraform 1.11: removed outputs, sensitivity-only
//! changes, `check` blocks and conditions, `replace_triggered_by`, module providers.

mod common;
use common::*;
use plinth_engine::*;

#[tokio::test]
async fn removed_output_is_planned_for_deletion_and_removed_on_apply() {
    let mut f = Fixture::new(&[(
        "main.tf",
        r#"
output "keep" {
  value = "k"
}
output "gone" {
  value = 1
}
output "a_gone" {
  value = "x"
}
"#,
    )]);
    f.converge().await;
    assert!(f.state.state.outputs.contains_key("gone"));
    f.write(&[(
        "main.tf",
        r#"
output "keep" {
  value = "k2"
}
output "b_new" {
  value = 2
}
"#,
    )]);
    let p = f.plan_ok().await;
    let outs: Vec<(String, Action)> = p
        .outputs
        .iter()
        .map(|o| (o.name.clone(), o.action))
        .collect();
    // Sorted by name, as Terraform lists them.
    assert_eq!(
        outs,
        vec![
            ("a_gone".to_string(), Action::Delete),
            ("b_new".to_string(), Action::Create),
            ("gone".to_string(), Action::Delete),
            ("keep".to_string(), Action::Update),
        ]
    );
    let gone = p.outputs.iter().find(|o| o.name == "gone").unwrap();
    assert!(gone.after.is_null());
    assert!(p.has_changes());
    let (_, d) = f.apply_plan(&p).await;
    assert!(!d.has_errors(), "{d}");
    let names: Vec<&String> = f.state.state.outputs.keys().collect();
    assert_eq!(names, vec!["b_new", "keep"]);
    assert!(!f.plan_ok().await.has_changes());
}

fn sensitive_paths(f: &Fixture, name: &str) -> Vec<String> {
    let r = f
        .state
        .state
        .resources
        .iter()
        .find(|r| r.name == name)
        .expect("resource in state");
    r.instances[0]
        .sensitive_attributes
        .iter()
        .map(|p| p.to_string())
        .collect()
}

#[tokio::test]
async fn sensitivity_only_change_is_an_update() {
    let mut f = Fixture::new(&[(
        "main.tf",
        r#"
resource "terraform_data" "a" {
  input = "x"
}
resource "terraform_data" "b" {
  input = sensitive("y")
}
"#,
    )]);
    f.converge().await;
    assert_eq!(sensitive_paths(&f, "a"), Vec::<String>::new());
    assert_eq!(sensitive_paths(&f, "b"), vec!["input"]);
    let id_a = f
        .state
        .state
        .resources
        .iter()
        .find(|r| r.name == "a")
        .unwrap()
        .instances[0]
        .attributes["id"]
        .clone();
    f.write(&[(
        "main.tf",
        r#"
resource "terraform_data" "a" {
  input = sensitive("x")
}
resource "terraform_data" "b" {
  input = "y"
}
"#,
    )]);
    let p = f.plan_ok().await;
    assert_eq!(
        actions(&p),
        vec!["terraform_data.a Update", "terraform_data.b Update"]
    );
    let a = p.change(&"terraform_data.a".parse().unwrap()).unwrap();
    assert!(!a.before.get_attr("input").unwrap().is_sensitive());
    assert!(a.after.get_attr("input").unwrap().is_sensitive());
    // The value itself is unchanged: `output` stays known.
    assert!(a.after.get_attr("output").unwrap().is_known());
    let (s, d) = f.apply_plan(&p).await;
    assert!(!d.has_errors(), "{d}");
    assert_eq!(s.changed, 2);
    assert_eq!(sensitive_paths(&f, "a"), vec!["input"]);
    assert_eq!(sensitive_paths(&f, "b"), Vec::<String>::new());
    let a_state = &f
        .state
        .state
        .resources
        .iter()
        .find(|r| r.name == "a")
        .unwrap()
        .instances[0];
    assert_eq!(a_state.attributes["id"], id_a, "same object");
    let p2 = f.plan_ok().await;
    assert!(actions(&p2).is_empty(), "{:?}", actions(&p2));
}

#[tokio::test]
async fn sensitivity_of_an_ignored_attribute_follows_the_prior_object() {
    let mut f = Fixture::new(&[(
        "main.tf",
        r#"
resource "terraform_data" "a" {
  input = "x"
  lifecycle {
    ignore_changes = [input]
  }
}
"#,
    )]);
    f.converge().await;
    f.write(&[(
        "main.tf",
        r#"
resource "terraform_data" "a" {
  input = sensitive("z")
  lifecycle {
    ignore_changes = [input]
  }
}
"#,
    )]);
    let p = f.plan_ok().await;
    assert!(actions(&p).is_empty(), "{:?}", actions(&p));
}

fn warnings(d: &plinth_sdk::Diagnostics) -> Vec<String> {
    d.iter()
        .filter(|x| !x.is_error())
        .map(|x| x.summary.clone())
        .collect()
}

fn detail_of<'a>(d: &'a plinth_sdk::Diagnostics, summary: &str) -> Vec<&'a str> {
    d.iter()
        .filter(|x| x.summary == summary)
        .map(|x| x.detail.as_deref().unwrap_or(""))
        .collect()
}

#[tokio::test]
async fn failed_preconditions_stop_the_plan_and_check_assertions_warn() {
    let f = Fixture::new(&[(
        "main.tf",
        r#"
variable "n" {
  default = 1
}
resource "terraform_data" "a" {
  input = "x"
  lifecycle {
    precondition {
      condition     = var.n > 1
      error_message = "n must be > 1, got ${var.n}."
    }
  }
}
resource "terraform_data" "b" {
  input = "y"
}
output "o" {
  value = 1
  precondition {
    condition     = var.n > 5
    error_message = "Output needs n > 5."
  }
}
check "health" {
  assert {
    condition     = var.n == 2
    error_message = "n is not 2."
  }
}
"#,
    )]);
    let (p, d) = f.plan(&PlanOptions::default()).await;
    assert!(p.errored);
    assert_eq!(
        errors(&d),
        vec![
            "Resource precondition failed",
            "Module output value precondition failed"
        ]
    );
    assert_eq!(
        detail_of(&d, "Resource precondition failed"),
        vec!["n must be > 1, got 1."]
    );
    assert_eq!(
        detail_of(&d, "Module output value precondition failed"),
        vec!["Output needs n > 5."]
    );
    assert_eq!(warnings(&d), vec!["Check block assertion failed"]);
    assert_eq!(
        detail_of(&d, "Check block assertion failed"),
        vec!["n is not 2."]
    );
    // The precondition's subject is its condition, as in Terraform (main.tf:9:23 here).
    let pre = d
        .iter()
        .find(|x| x.summary == "Resource precondition failed")
        .unwrap();
    let subj = pre.subject.as_ref().unwrap();
    assert_eq!((subj.start.line, subj.start.column), (9, 23));
    assert_eq!(pre.address.as_deref(), Some("terraform_data.a"));
    // terraform_data.a is not planned; b is.
    assert_eq!(actions(&p), vec!["terraform_data.b Create"]);
}

#[tokio::test]
async fn unknown_conditions_are_deferred_to_apply() {
    let mut f = Fixture::new(&[(
        "main.tf",
        r#"
resource "terraform_data" "b" {
  input = "y"
  lifecycle {
    postcondition {
      condition     = self.output == "z"
      error_message = "Output is ${self.output}."
    }
  }
}
resource "terraform_data" "c" {
  input = terraform_data.b.output
  lifecycle {
    precondition {
      condition     = terraform_data.b.output == "y"
      error_message = "b must output y."
    }
  }
}
check "later" {
  assert {
    condition     = terraform_data.b.output == "nope"
    error_message = "b output is ${terraform_data.b.output}, not nope."
  }
}
"#,
    )]);
    let (p, d) = f.plan(&PlanOptions::default()).await;
    assert!(!d.has_errors(), "{d}");
    assert_eq!(
        warnings(&d),
        vec!["Check block assertion known after apply"]
    );
    assert_eq!(
        detail_of(&d, "Check block assertion known after apply"),
        vec!["The condition could not be evaluated at this time, a result will be known when this plan is applied."]
    );
    assert_eq!(
        actions(&p),
        vec!["terraform_data.b Create", "terraform_data.c Create"]
    );
    let (s, d) = f.apply_plan(&p).await;
    // b is created and kept in state, then its postcondition fails; c and the check block
    // (which depend on it) are skipped, as in Terraform.
    assert_eq!(errors(&d), vec!["Resource postcondition failed"], "{d}");
    assert_eq!(
        detail_of(&d, "Resource postcondition failed"),
        vec!["Output is y."]
    );
    assert_eq!(s.added, 1);
    assert_eq!(s.skipped, 1);
    assert!(f.state.state.resources.iter().any(|r| r.name == "b"));
    assert!(!f.state.state.resources.iter().any(|r| r.name == "c"));
    assert!(warnings(&d).is_empty(), "{d}");

    // Fixed: the check block is evaluated during apply with the now-known value.
    f.write(&[(
        "main.tf",
        r#"
resource "terraform_data" "b" {
  input = "y"
}
resource "terraform_data" "d" {
  input = "d"
}
check "later" {
  assert {
    condition     = terraform_data.d.output == "nope"
    error_message = "d output is ${terraform_data.d.output}, not nope."
  }
}
"#,
    )]);
    let (p, d) = f.plan(&PlanOptions::default()).await;
    assert_eq!(
        warnings(&d),
        vec!["Check block assertion known after apply"]
    );
    let (_, d) = f.apply_plan(&p).await;
    assert!(!d.has_errors(), "{d}");
    assert_eq!(warnings(&d), vec!["Check block assertion failed"]);
    assert_eq!(
        detail_of(&d, "Check block assertion failed"),
        vec!["d output is d, not nope."]
    );
}

#[tokio::test]
async fn postconditions_are_checked_at_plan_when_known_and_preconditions_at_apply() {
    let mut f = Fixture::new(&[(
        "main.tf",
        r#"
resource "terraform_data" "c" {
  input = "c"
  lifecycle {
    postcondition {
      condition     = self.input == "zz"
      error_message = "c input is ${self.input}."
    }
  }
}
"#,
    )]);
    let (p, d) = f.plan(&PlanOptions::default()).await;
    assert!(p.errored);
    assert_eq!(errors(&d), vec!["Resource postcondition failed"]);
    assert_eq!(
        detail_of(&d, "Resource postcondition failed"),
        vec!["c input is c."]
    );

    // A precondition on a value known only after apply: checked (and failing) during apply,
    // before the instance is created.
    f.write(&[(
        "main.tf",
        r#"
resource "terraform_data" "a" {
  input = "a"
}
resource "terraform_data" "b" {
  for_each = toset(["k"])
  input    = each.key
  lifecycle {
    precondition {
      condition     = terraform_data.a.output == "other-${each.key}"
      error_message = "a.output is ${terraform_data.a.output}."
    }
    postcondition {
      condition     = self.output == each.value
      error_message = "unexpected"
    }
  }
}
"#,
    )]);
    let (p, d) = f.plan(&PlanOptions::default()).await;
    assert!(!d.has_errors(), "{d}");
    let (s, d) = f.apply_plan(&p).await;
    assert_eq!(errors(&d), vec!["Resource precondition failed"], "{d}");
    assert_eq!(
        detail_of(&d, "Resource precondition failed"),
        vec!["a.output is a."]
    );
    assert_eq!(s.added, 1);
    assert!(!f.state.state.resources.iter().any(|r| r.name == "b"));
}

#[tokio::test]
async fn passing_conditions_and_output_precondition_on_apply() {
    let mut f = Fixture::new(&[(
        "main.tf",
        r#"
resource "terraform_data" "a" {
  for_each = { x = "1" }
  input    = each.value
  lifecycle {
    postcondition {
      condition     = self.output == each.value
      error_message = "bad"
    }
  }
}
output "o" {
  value = terraform_data.a["x"].output
  precondition {
    condition     = terraform_data.a["x"].output == "2"
    error_message = "o must be 2, is ${terraform_data.a["x"].output}."
  }
}
output "p" {
  value = "kept"
}
"#,
    )]);
    let (p, d) = f.plan(&PlanOptions::default()).await;
    assert!(!d.has_errors(), "{d}");
    let (_, d) = f.apply_plan(&p).await;
    assert_eq!(
        errors(&d),
        vec!["Module output value precondition failed"],
        "{d}"
    );
    assert!(
        !f.state.state.outputs.contains_key("o"),
        "a failed output is not saved"
    );
    assert!(f.state.state.outputs.contains_key("p"));
}

#[tokio::test]
async fn check_block_scoped_data_source() {
    let f0 = Fixture::new(&[]);
    // The provider resolves relative paths against the process's directory: use an absolute one.
    let other = f0.path().join("other.tfstate");
    let cfg = r#"
resource "terraform_data" "b" {
  input = "y"
}
check "scoped" {
  data "terraform_remote_state" "s" {
    backend = "local"
    config = {
      path = "OTHER"
    }
  }
  assert {
    condition     = data.terraform_remote_state.s.outputs.o == "zz"
    error_message = "o is ${data.terraform_remote_state.s.outputs.o}."
  }
}
check "missing" {
  data "terraform_remote_state" "m" {
    backend = "remote"
    config = {
      organization = "x"
    }
  }
  assert {
    condition     = length(data.terraform_remote_state.m.outputs) > 0
    error_message = "no outputs."
  }
}
"#
    .replace("OTHER", &other.display().to_string());
    let mut f = f0;
    f.write(&[("main.tf", &cfg)]);
    std::fs::write(
        &other,
        r#"{"version":4,"terraform_version":"1.11.4","serial":1,"lineage":"x","outputs":{"o":{"value":"v","type":"string"}},"resources":[]}"#,
    )
    .unwrap();
    let (p, d) = f.plan(&PlanOptions::default()).await;
    assert!(!d.has_errors(), "{d}");
    // Both nested data sources are read again during apply (Terraform's
    // read_because_check_nested); a failed read is a warning.
    assert_eq!(
        actions(&p),
        vec![
            "data.terraform_remote_state.m Read read_because_check_nested",
            "data.terraform_remote_state.s Read read_because_check_nested",
            "terraform_data.b Create",
        ]
    );
    let s = p
        .change(&"data.terraform_remote_state.s".parse().unwrap())
        .unwrap();
    assert!(
        s.after.is_wholly_known(),
        "the value read during plan is shown"
    );
    assert_eq!(
        detail_of(&d, "Check block assertion failed"),
        vec!["o is v."]
    );
    assert!(d.iter().any(|x| !x.is_error() && x.address.as_deref() == Some("data.terraform_remote_state.m")), "{d}");
    let (sum, d) = f.apply_plan(&p).await;
    assert!(!d.has_errors(), "{d}");
    assert_eq!(sum.added, 1);
    assert_eq!(
        detail_of(&d, "Check block assertion failed"),
        vec!["o is v."]
    );
    assert!(
        f.state.state.resources.iter().any(|r| r.name == "s"),
        "the nested data source is saved in state"
    );
}

#[tokio::test]
async fn replace_triggered_by_follows_planned_changes_only() {
    let v1 = r#"
resource "terraform_data" "a" {
  count = 2
  input = "x${count.index}"
}
resource "terraform_data" "b" {
  count = 2
  input = "b"
  lifecycle {
    replace_triggered_by = [terraform_data.a[count.index]]
  }
}
resource "terraform_data" "c" {
  input = "c"
  lifecycle {
    replace_triggered_by = [terraform_data.a[0].input]
  }
}
resource "terraform_data" "d" {
  input = "d"
  lifecycle {
    replace_triggered_by = [terraform_data.a[1].output]
  }
}
resource "terraform_data" "e" {
  input = "e"
  lifecycle {
    replace_triggered_by = [terraform_data.a]
  }
}
resource "terraform_data" "f" {
  input = "f"
  lifecycle {
    replace_triggered_by = [terraform_data.c.output]
  }
}
"#;
    let mut f = Fixture::new(&[("main.tf", v1)]);
    f.converge().await;
    // Nothing changed: nothing is replaced (the references alone never trigger).
    assert!(actions(&f.plan_ok().await).is_empty());
    let v2 = v1
        .replace("\"x${count.index}\"", "count.index == 0 ? \"x0\" : \"y1\"")
        .replace(
            "replace_triggered_by = [terraform_data.c.output]",
            "replace_triggered_by = [terraform_data.new, terraform_data.c.output]",
        )
        + "resource \"terraform_data\" \"new\" {\n}\n";
    f.write(&[("main.tf", &v2)]);
    let p = f.plan_ok().await;
    assert_eq!(
        actions(&p),
        vec![
            "terraform_data.a[1] Update",
            "terraform_data.b[1] DeleteThenCreate replace_by_triggers",
            "terraform_data.d DeleteThenCreate replace_by_triggers",
            "terraform_data.e DeleteThenCreate replace_by_triggers",
            "terraform_data.new Create",
        ]
    );
    f.apply_plan(&p).await;
    assert!(actions(&f.plan_ok().await).is_empty(), "converged");
}

#[tokio::test]
async fn replace_triggered_by_must_be_a_static_reference() {
    let f = Fixture::new(&[(
        "main.tf",
        r#"
resource "terraform_data" "a" {
  count = 2
}
resource "terraform_data" "g" {
  for_each = toset(["k"])
  lifecycle {
    replace_triggered_by = [terraform_data.a[each.key == "k" ? 0 : 1].input]
  }
}
"#,
    )]);
    let (_, d) = f.plan(&PlanOptions::default()).await;
    assert_eq!(errors(&d), vec!["Invalid expression"]);
}

/// `provider "cfg" { region = … }`; `cfg_thing` records the region of the configuration that
/// planned it (so a test sees which provider block each resource used).
struct CfgProvider;
struct CfgConfigured(String);

#[async_trait::async_trait]
impl plinth_sdk::Provider for CfgProvider {
    fn name(&self) -> &str {
        "cfg"
    }
    fn source(&self) -> &str {
        "hashicorp/cfg"
    }
    fn version(&self) -> &str {
        "1.0.0"
    }
    fn schema(&self) -> plinth_sdk::ProviderSchema {
        use plinth_sdk::{Attribute, Block, Schema, Type};
        let mut s = plinth_sdk::ProviderSchema {
            provider: Schema {
                version: 0,
                block: Block::new().attr("region", Attribute::optional(Type::String)),
            },
            ..Default::default()
        };
        s.resources.insert(
            "cfg_thing".into(),
            Schema {
                version: 0,
                block: Block::new()
                    .attr("id", Attribute::computed(Type::String))
                    .attr("region", Attribute::computed(Type::String)),
            },
        );
        s
    }
    async fn configure(
        &self,
        config: plinth_sdk::Value,
    ) -> Result<std::sync::Arc<dyn plinth_sdk::ConfiguredProvider>, plinth_sdk::Diagnostics> {
        let region = config
            .get_attr("region")
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| "default".into());
        Ok(std::sync::Arc::new(CfgConfigured(region)))
    }
}

#[async_trait::async_trait]
impl plinth_sdk::ConfiguredProvider for CfgConfigured {
    async fn read_resource(
        &self,
        req: plinth_sdk::ReadResourceRequest,
    ) -> plinth_sdk::ReadResourceResponse {
        plinth_sdk::ReadResourceResponse {
            new_state: Some(req.current_state),
            ..Default::default()
        }
    }
    async fn plan_change(
        &self,
        req: plinth_sdk::PlanChangeRequest,
    ) -> plinth_sdk::PlanChangeResponse {
        use plinth_sdk::Value;
        let Some(p) = req.proposed_new_state else {
            return Default::default();
        };
        let mut m = p.as_map().cloned().unwrap_or_default();
        m.insert("region".into(), Value::string(self.0.clone()));
        let id = req
            .prior_state
            .as_ref()
            .and_then(|s| s.get_attr("id").cloned())
            .unwrap_or(Value::Unknown(plinth_sdk::Type::String));
        m.insert("id".into(), id);
        let mut rr = vec![];
        if let Some(prior) = &req.prior_state {
            if prior.get_attr("region") != m.get("region") {
                rr.push(plinth_sdk::AttrPath::attr("region"));
            }
        }
        plinth_sdk::PlanChangeResponse {
            planned_state: Some(Value::Object(m)),
            requires_replace: rr,
            ..Default::default()
        }
    }
    async fn apply_change(
        &self,
        req: plinth_sdk::ApplyChangeRequest,
    ) -> plinth_sdk::ApplyChangeResponse {
        let new_state = req.planned_state.map(|p| {
            let mut m = p.as_map().cloned().unwrap_or_default();
            m.insert(
                "id".into(),
                plinth_sdk::Value::string(format!("id-{}", self.0)),
            );
            plinth_sdk::Value::Object(m)
        });
        plinth_sdk::ApplyChangeResponse {
            new_state,
            ..Default::default()
        }
    }
    async fn import_resource(
        &self,
        _req: plinth_sdk::ImportResourceRequest,
    ) -> plinth_sdk::ImportResourceResponse {
        Default::default()
    }
    async fn read_data_source(
        &self,
        _req: plinth_sdk::ReadDataSourceRequest,
    ) -> plinth_sdk::ReadDataSourceResponse {
        Default::default()
    }
}

#[tokio::test]
async fn provider_blocks_in_child_modules_and_provider_maps() {
    let root = r#"
provider "cfg" {
  region = "root"
}
provider "cfg" {
  alias  = "west"
  region = "west"
}
resource "cfg_thing" "r" {}
module "legacy" {
  source = "./legacy"
  region = "legacy-region"
}
module "mapped" {
  source = "./plain"
  providers = {
    cfg = cfg.west
  }
}
module "inherit" {
  source = "./plain"
}
module "proxy" {
  source = "./proxy"
  providers = {
    cfg = cfg.west
  }
}
"#;
    let proxy = "provider \"cfg\" {\n}\nresource \"cfg_thing\" \"x\" {}\n";
    let legacy = r#"
variable "region" {}
provider "cfg" {
  region = var.region
}
resource "cfg_thing" "l" {}
module "nested" {
  source = "../plain"
}
"#;
    let plain = "resource \"cfg_thing\" \"p\" {}\n";
    let mut f = Fixture::new(&[
        ("main.tf", root),
        ("legacy/main.tf", legacy),
        ("plain/main.tf", plain),
        ("proxy/main.tf", proxy),
    ])
    .with_providers(vec![std::sync::Arc::new(CfgProvider)]);
    let p = f.plan_ok().await;
    let got: Vec<String> = p
        .changes
        .iter()
        .map(|c| {
            format!(
                "{} {} {}",
                c.addr,
                c.provider,
                c.after
                    .get_attr("region")
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            "cfg_thing.r provider[\"registry.terraform.io/hashicorp/cfg\"] root",
            "module.inherit.cfg_thing.p provider[\"registry.terraform.io/hashicorp/cfg\"] root",
            "module.legacy.cfg_thing.l module.legacy.provider[\"registry.terraform.io/hashicorp/cfg\"] legacy-region",
            "module.legacy.module.nested.cfg_thing.p module.legacy.provider[\"registry.terraform.io/hashicorp/cfg\"] legacy-region",
            "module.mapped.cfg_thing.p provider[\"registry.terraform.io/hashicorp/cfg\"].west west",
            // An empty provider block the caller passes a configuration for is a proxy.
            "module.proxy.cfg_thing.x provider[\"registry.terraform.io/hashicorp/cfg\"].west west",
        ]
    );
    let (_, d) = f.apply_plan(&p).await;
    assert!(!d.has_errors(), "{d}");
    let providers: Vec<(Option<String>, String)> = f
        .state
        .state
        .resources
        .iter()
        .map(|r| (r.module.clone(), r.provider.clone()))
        .collect();
    assert!(
        providers.contains(&(
            Some("module.legacy.module.nested".into()),
            "module.legacy.provider[\"registry.terraform.io/hashicorp/cfg\"]".into()
        )),
        "{providers:?}"
    );
    // The next plan refreshes each object with its own configuration: no changes.
    let p = f.plan_ok().await;
    assert!(actions(&p).is_empty(), "{:?}", actions(&p));

    // Removing the module removes its provider block: its objects cannot be destroyed
    // without it (Terraform: "Provider configuration not present").
    f.write(&[
        (
            "main.tf",
            &root.replace(
                "module \"legacy\" {\n  source = \"./legacy\"\n  region = \"legacy-region\"\n}\n",
                "",
            ),
        ),
        ("legacy/main.tf", legacy),
        ("plain/main.tf", plain),
        ("proxy/main.tf", proxy),
    ]);
    let (_, d) = f.plan(&PlanOptions::default()).await;
    assert_eq!(
        errors(&d),
        vec!["Provider configuration not present"; 2],
        "{d}"
    );
    assert!(d.iter().any(|x| x.detail.as_deref().unwrap_or("").starts_with("To work with module.legacy.cfg_thing.l (orphan) its original provider configuration at module.legacy.provider[\"registry.terraform.io/hashicorp/cfg\"] is required")), "{d}");
}

#[tokio::test]
async fn refresh_only_plans_report_failed_conditions_as_warnings() {
    let mut f = Fixture::new(&[(
        "main.tf",
        "resource \"terraform_data\" \"c\" {\n  input = \"c\"\n}\n",
    )]);
    f.converge().await;
    f.write(&[(
        "main.tf",
        r#"
resource "terraform_data" "c" {
  input = "c"
  lifecycle {
    postcondition {
      condition     = self.input == "zz"
      error_message = "c input is ${self.input}."
    }
    precondition {
      condition     = path.module == "x"
      error_message = "pre."
    }
  }
}
"#,
    )]);
    let opts = PlanOptions {
        mode: PlanMode::RefreshOnly,
        ..Default::default()
    };
    let (p, d) = f.plan(&opts).await;
    assert!(!p.errored && !d.has_errors(), "{d}");
    let mut w = warnings(&d);
    w.sort();
    assert_eq!(
        w,
        vec![
            "Resource postcondition failed",
            "Resource precondition failed"
        ]
    );
    // A normal plan stops on them.
    let (_, d) = f.plan(&PlanOptions::default()).await;
    assert_eq!(errors(&d), vec!["Resource precondition failed"]);
}

#[tokio::test]
async fn conditions_must_refer_to_something() {
    let f = Fixture::new(&[(
        "main.tf",
        r#"
resource "terraform_data" "c" {
  count = 2
  input = "c"
  lifecycle {
    postcondition {
      condition     = 1 == 1
      error_message = "x."
    }
  }
}
output "o" {
  value = 1
  precondition {
    condition     = true
    error_message = "y."
  }
}
check "k" {
  assert {
    condition     = true
    error_message = "z."
  }
}
"#,
    )]);
    let (p, d) = plan(&f.ctx(), &f.state.state, &PlanOptions::default()).await;
    assert!(p.is_none());
    assert_eq!(
        errors(&d),
        vec![
            "Invalid postcondition expression",
            "Invalid precondition expression",
            "Invalid assert expression",
            "Zero assert blocks"
        ]
    );
    let v = validate_with_schemas(&f.ctx().config, &f.ctx().providers);
    assert_eq!(errors(&v).len(), 4);
}

#[tokio::test]
async fn aliased_provider_configurations_passed_to_a_child() {
    let root = r#"
provider "cfg" {
  region = "root"
}
provider "cfg" {
  alias  = "west"
  region = "west"
}
module "child" {
  source = "./child"
  providers = {
    cfg      = cfg
    cfg.east = cfg.west
  }
}
"#;
    let child = r#"
terraform {
  required_providers {
    cfg = {
      source                = "hashicorp/cfg"
      configuration_aliases = [cfg.east]
    }
  }
}
resource "cfg_thing" "d" {}
resource "cfg_thing" "e" {
  provider = cfg.east
}
"#;
    let f = Fixture::new(&[("main.tf", root), ("child/main.tf", child)])
        .with_providers(vec![std::sync::Arc::new(CfgProvider)]);
    let p = f.plan_ok().await;
    let got: Vec<String> = p
        .changes
        .iter()
        .map(|c| {
            format!(
                "{} {} {}",
                c.addr,
                c.provider,
                c.after
                    .get_attr("region")
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            "module.child.cfg_thing.d provider[\"registry.terraform.io/hashicorp/cfg\"] root",
            "module.child.cfg_thing.e provider[\"registry.terraform.io/hashicorp/cfg\"].west west",
        ]
    );
}
