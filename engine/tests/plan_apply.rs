//! Plan and apply end to end with the built-in providers: configurations inline, expected
//! actions and reasons as Terraform 1.11 reports them.

mod common;
use common::*;
use plinth_engine::*;

const TWO: &str = r#"
resource "terraform_data" "a" {
  input = "one"
}
resource "terraform_data" "b" {
  input = terraform_data.a.output
}
output "b" {
  value = terraform_data.b.output
}
"#;

#[tokio::test]
async fn create_then_noop() {
    let mut f = Fixture::new(&[("main.tf", TWO)]);
    let p = f.plan_ok().await;
    assert_eq!(actions(&p), vec!["terraform_data.a Create", "terraform_data.b Create"]);
    let b = p.change(&"terraform_data.b".parse().unwrap()).unwrap();
    assert!(!b.after.get_attr("input").unwrap().is_known(), "b.input depends on a.output: known after apply");
    assert_eq!(p.summary(), PlanSummary { add: 2, ..Default::default() });
    assert_eq!(p.outputs.len(), 1);
    assert_eq!(p.outputs[0].action, Action::Create);
    assert!(!p.outputs[0].after.is_known());

    let (s, d) = f.apply_plan(&p).await;
    assert!(!d.has_errors(), "{d}");
    assert_eq!(s.added, 2);
    let out = f.state.state.outputs.get("b").expect("output b");
    assert_eq!(out.value, serde_json::json!("one"));

    let p2 = f.plan_ok().await;
    assert!(actions(&p2).is_empty(), "{:?}", actions(&p2));
    assert!(!p2.has_changes());
}

#[tokio::test]
async fn update_in_place_and_replace_by_triggers() {
    let mut f = Fixture::new(&[("main.tf", TWO)]);
    f.converge().await;
    f.write(&[("main.tf", &TWO.replace("\"one\"", "\"two\""))]);
    let p = f.plan_ok().await;
    assert_eq!(actions(&p), vec!["terraform_data.a Update", "terraform_data.b Update"]);
    assert_eq!(p.summary().change, 2);
    f.apply_plan(&p).await;
    assert_eq!(f.state.state.outputs["b"].value, serde_json::json!("two"));

    f.write(&[("main.tf", r#"
resource "terraform_data" "a" {
  input = "two"
  triggers_replace = ["v2"]
}
"#)]);
    let p = f.plan_ok().await;
    assert_eq!(
        actions(&p),
        vec!["terraform_data.a DeleteThenCreate replace_because_cannot_update", "terraform_data.b Delete delete_because_no_resource_config"]
    );
    let a = p.change(&"terraform_data.a".parse().unwrap()).unwrap();
    assert_eq!(a.replace_paths.len(), 1);
    assert_eq!(a.replace_paths[0].to_string(), "triggers_replace");
    let (s, d) = f.apply_plan(&p).await;
    assert!(!d.has_errors(), "{d}");
    assert_eq!((s.added, s.destroyed), (1, 2));
    assert!(f.state.state.outputs.is_empty(), "output b was removed from the configuration");
}

#[tokio::test]
async fn count_and_for_each_with_delete_reasons() {
    let mut f = Fixture::new(&[("main.tf", r#"
resource "terraform_data" "c" {
  count = 3
  input = count.index
}
resource "terraform_data" "e" {
  for_each = toset(["x", "y"])
  input    = each.key
}
resource "terraform_data" "r" {
  count = 1
}
"#)]);
    f.converge().await;
    assert_eq!(f.state.state.instances().count(), 6);
    f.write(&[("main.tf", r#"
resource "terraform_data" "c" {
  count = 2
  input = count.index
}
resource "terraform_data" "e" {
  for_each = toset(["x"])
  input    = each.key
}
resource "terraform_data" "r" {
  for_each = toset(["k"])
}
"#)]);
    let p = f.plan_ok().await;
    assert_eq!(
        actions(&p),
        vec![
            "terraform_data.c[2] Delete delete_because_count_index",
            "terraform_data.e[\"y\"] Delete delete_because_each_key",
            "terraform_data.r[0] Delete delete_because_wrong_repetition",
            "terraform_data.r[\"k\"] Create",
        ]
    );
}

#[tokio::test]
async fn modules_pass_values_both_ways() {
    let mut f = Fixture::new(&[
        ("main.tf", r#"
module "net" {
  source = "./modules/net"
  name   = "blue"
  n      = 2
}
resource "terraform_data" "use" {
  input = module.net.names
}
output "names" {
  value = module.net.names
}
"#),
        ("modules/net/main.tf", r#"
variable "name" { type = string }
variable "n" { type = number }
resource "terraform_data" "sub" {
  count = var.n
  input = "${var.name}-${count.index}"
}
output "names" {
  value = terraform_data.sub[*].output
}
"#),
    ]);
    let p = f.plan_ok().await;
    assert_eq!(
        actions(&p),
        vec!["terraform_data.use Create", "module.net.terraform_data.sub[0] Create", "module.net.terraform_data.sub[1] Create"]
    );
    let sub = p.change(&"module.net.terraform_data.sub[1]".parse().unwrap()).unwrap();
    assert_eq!(sub.after.get_attr("input").unwrap().as_str(), Some("blue-1"));
    f.apply_plan(&p).await;
    assert_eq!(f.state.state.outputs["names"].value, serde_json::json!(["blue-0", "blue-1"]));
    // Dropping the module call deletes its resources with delete_because_no_resource_config.
    f.write(&[("main.tf", "")]);
    let p = f.plan_ok().await;
    let reasons: Vec<_> = p.changes.iter().filter(|c| c.addr.resource.module.is_root() == false).map(|c| c.reason).collect();
    assert_eq!(reasons, vec![Some(ActionReason::DeleteBecauseNoResourceConfig); 2]);
}

#[tokio::test]
async fn moved_blocks_and_implicit_count_moves() {
    let mut f = Fixture::new(&[("main.tf", r#"
resource "terraform_data" "old" {
  input = "x"
}
resource "terraform_data" "single" {
  input = "s"
}
"#)]);
    f.converge().await;
    f.write(&[("main.tf", r#"
resource "terraform_data" "mid" {
  input = "x"
}
resource "terraform_data" "single" {
  count = 1
  input = "s"
}
moved {
  from = terraform_data.old
  to   = terraform_data.mid
}
"#)]);
    let p = f.plan_ok().await;
    assert_eq!(
        actions(&p),
        vec![
            "terraform_data.mid NoOp (moved from terraform_data.old)",
            "terraform_data.single[0] NoOp (moved from terraform_data.single)"
        ]
    );
    // Chained moves collapse into one.
    f.write(&[("main.tf", r#"
resource "terraform_data" "new" {
  input = "x"
}
resource "terraform_data" "single" {
  input = "s"
}
moved {
  from = terraform_data.old
  to   = terraform_data.mid
}
moved {
  from = terraform_data.mid
  to   = terraform_data.new
}
"#)]);
    let p = f.plan_ok().await;
    assert_eq!(actions(&p), vec!["terraform_data.new NoOp (moved from terraform_data.old)"]);
    let (_, d) = f.apply_plan(&p).await;
    assert!(!d.has_errors(), "{d}");
    assert!(f.state.state.addresses().contains(&"terraform_data.new".to_string()));
}

#[tokio::test]
async fn target_includes_dependencies_not_dependents() {
    let f = Fixture::new(&[("main.tf", r#"
resource "terraform_data" "base" {}
resource "terraform_data" "mid" {
  input = terraform_data.base.id
}
resource "terraform_data" "top" {
  input = terraform_data.mid.id
}
resource "terraform_data" "other" {}
"#)]);
    let opts = PlanOptions { targets: vec!["terraform_data.mid".parse().unwrap()], ..Default::default() };
    let (p, d) = f.plan(&opts).await;
    assert!(!d.has_errors(), "{d}");
    assert_eq!(actions(&p), vec!["terraform_data.base Create", "terraform_data.mid Create"]);
}

#[tokio::test]
async fn replace_request_and_tainted() {
    let mut f = Fixture::new(&[("main.tf", "resource \"terraform_data\" \"a\" {}\nresource \"terraform_data\" \"b\" {}\n")]);
    f.converge().await;
    let opts = PlanOptions { replace: vec!["terraform_data.a".parse().unwrap()], ..Default::default() };
    let (p, _) = f.plan(&opts).await;
    assert_eq!(actions(&p), vec!["terraform_data.a DeleteThenCreate replace_by_request"]);
    // Taint b by hand.
    let mut st = f.state.state.clone();
    for r in &mut st.resources {
        if r.name == "b" {
            r.instances[0].status = Some("tainted".into());
        }
    }
    f.state.state = st;
    let p = f.plan_ok().await;
    assert_eq!(actions(&p), vec!["terraform_data.b DeleteThenCreate replace_because_tainted"]);
}

#[tokio::test]
async fn create_before_destroy_orders_create_first_and_propagates() {
    let mut f = Fixture::new(&[("main.tf", r#"
resource "terraform_data" "dep" {
  triggers_replace = "1"
}
resource "terraform_data" "app" {
  triggers_replace = terraform_data.dep.id
  lifecycle {
    create_before_destroy = true
  }
}
"#)]);
    f.converge().await;
    f.write(&[("main.tf", &std::fs::read_to_string(f.path().join("main.tf")).unwrap().replace("\"1\"", "\"2\""))]);
    let p = f.plan_ok().await;
    assert_eq!(
        actions(&p),
        vec!["terraform_data.app CreateThenDelete replace_because_cannot_update", "terraform_data.dep CreateThenDelete replace_because_cannot_update"]
    );
    let (s, d) = f.apply_plan(&p).await;
    assert!(!d.has_errors(), "{d}");
    assert_eq!((s.added, s.destroyed), (2, 2));
    // Creates happened before deletes: every Set of a new object precedes the Removes of deposed ones.
    let log: Vec<String> = f
        .state
        .log
        .iter()
        .filter_map(|c| match c {
            InstanceChange::Set { addr, .. } if addr.deposed.is_none() => Some(format!("create {}", addr.resource_string())),
            InstanceChange::Remove { addr } if addr.deposed.is_some() => Some(format!("delete {}", addr.resource_string())),
            _ => None,
        })
        .collect();
    let first_delete = log.iter().position(|l| l.starts_with("delete")).unwrap();
    let last_create = log.iter().rposition(|l| l.starts_with("create")).unwrap();
    assert!(last_create < first_delete, "{log:?}");
    assert!(f.state.state.resources.iter().all(|r| r.instances.iter().all(|i| i.deposed.is_none())));
}

#[tokio::test]
async fn cycles_are_reported_with_their_path() {
    let f = Fixture::new(&[("main.tf", r#"
locals {
  a = local.b
  b = terraform_data.x.id
}
resource "terraform_data" "x" {
  input = local.a
}
"#)]);
    let ctx = f.ctx();
    let (p, d) = plan(&ctx, &f.state.state, &PlanOptions::default()).await;
    assert!(p.is_none());
    let e = d.iter().find(|d| d.summary.starts_with("Cycle")).expect("cycle diagnostic");
    assert!(e.summary.contains("local.a") && e.summary.contains("local.b") && e.summary.contains("terraform_data.x"), "{}", e.summary);
    assert!(e.subject.is_some());
}

#[tokio::test]
async fn unknown_for_each_is_an_error() {
    let f = Fixture::new(&[("main.tf", r#"
resource "terraform_data" "a" {}
resource "terraform_data" "b" {
  for_each = toset([terraform_data.a.id])
}
"#)]);
    let (_, d) = f.plan(&PlanOptions::default()).await;
    let e = d.iter().find(|e| e.summary == "Invalid for_each argument").unwrap_or_else(|| panic!("{d}"));
    assert!(e.detail.as_deref().unwrap().contains("cannot be determined until apply"));
}

#[tokio::test]
async fn sensitive_output_needs_sensitive_true() {
    let f = Fixture::new(&[("main.tf", r#"
variable "secret" {
  default   = "s3cr3t"
  sensitive = true
}
output "leak" {
  value = var.secret
}
"#)]);
    let (_, d) = f.plan(&PlanOptions::default()).await;
    assert_eq!(errors(&d), vec!["Output refers to sensitive values"]);
    f.write(&[("main.tf", r#"
variable "secret" {
  default   = "s3cr3t"
  sensitive = true
}
output "ok" {
  value     = var.secret
  sensitive = true
}
"#)]);
    let p = f.plan_ok().await;
    assert!(p.outputs[0].sensitive);
    assert!(p.outputs[0].after.is_sensitive());
}

#[tokio::test]
async fn destroy_plan_deletes_everything_in_reverse_order() {
    let mut f = Fixture::new(&[("main.tf", TWO)]);
    f.converge().await;
    let opts = PlanOptions { mode: PlanMode::Destroy, ..Default::default() };
    let (p, d) = f.plan(&opts).await;
    assert!(!d.has_errors(), "{d}");
    assert_eq!(actions(&p), vec!["terraform_data.a Delete", "terraform_data.b Delete"]);
    assert!(p.outputs.iter().all(|o| o.action == Action::Delete));
    let (s, d) = f.apply_plan(&p).await;
    assert!(!d.has_errors(), "{d}");
    assert_eq!(s.destroyed, 2);
    let order: Vec<String> = f.state.log.iter().filter_map(|c| match c {
        InstanceChange::Remove { addr } => Some(addr.name.clone()),
        _ => None,
    }).collect();
    assert_eq!(order, vec!["b", "a"]);
    assert!(f.state.state.resources.is_empty() && f.state.state.outputs.is_empty());
}

#[tokio::test]
async fn prevent_destroy_blocks_deletion() {
    let mut f = Fixture::new(&[("main.tf", r#"
resource "terraform_data" "keep" {
  triggers_replace = "1"
  lifecycle {
    prevent_destroy = true
  }
}
"#)]);
    f.converge().await;
    f.write(&[("main.tf", r#"
resource "terraform_data" "keep" {
  triggers_replace = "2"
  lifecycle {
    prevent_destroy = true
  }
}
"#)]);
    let (p, d) = f.plan(&PlanOptions::default()).await;
    assert_eq!(errors(&d), vec!["Instance cannot be destroyed"]);
    assert!(p.errored);
    let (_, d) = f.apply_plan(&p).await;
    assert!(d.has_errors(), "an errored plan must not apply");
}

#[tokio::test]
async fn removed_block_forgets() {
    let mut f = Fixture::new(&[("main.tf", "resource \"terraform_data\" \"a\" {}\n")]);
    f.converge().await;
    f.write(&[("main.tf", "removed {\n  from = terraform_data.a\n  lifecycle {\n    destroy = false\n  }\n}\n")]);
    let p = f.plan_ok().await;
    assert_eq!(actions(&p), vec!["terraform_data.a Forget"]);
    assert_eq!(p.summary().forget, 1);
    let (s, d) = f.apply_plan(&p).await;
    assert!(!d.has_errors(), "{d}");
    assert_eq!(s.forgotten, 1);
    assert!(f.state.state.resources.is_empty());
}

#[tokio::test]
async fn import_block_plans_an_import() {
    let mut f = Fixture::new(&[("main.tf", r#"
import {
  to = terraform_data.imp
  id = "abc-123"
}
resource "terraform_data" "imp" {}
"#)]);
    let p = f.plan_ok().await;
    assert_eq!(actions(&p), vec!["terraform_data.imp NoOp (import abc-123)"]);
    assert_eq!(p.summary().import, 1);
    let (s, d) = f.apply_plan(&p).await;
    assert!(!d.has_errors(), "{d}");
    assert_eq!(s.imported, 1);
    let inst = f.state.state.instances().next().unwrap().1.clone();
    assert_eq!(inst.attributes["id"], serde_json::json!("abc-123"));
}

#[tokio::test]
async fn plan_file_round_trip_and_stale_plans_are_refused() {
    let mut f = Fixture::new(&[("main.tf", TWO)]);
    let p = f.plan_ok().await;
    let bytes = p.to_bytes();
    let back = Plan::from_bytes(&bytes).unwrap();
    assert_eq!(back, p);
    assert!(Plan::from_bytes(b"garbage").is_err());
    f.apply_plan(&back).await;
    // Applying the same plan again: the state moved on.
    let (_, d) = f.apply_plan(&back).await;
    assert_eq!(errors(&d), vec!["Saved plan is stale"]);
}

#[tokio::test]
async fn data_sources_read_at_plan_or_deferred() {
    // Providers resolve relative paths against the process directory (the CLI runs in the
    // configuration directory); tests use absolute paths instead.
    let f = Fixture::new(&[("hello.txt", "hi there")]);
    let dir = f.path().display().to_string();
    f.write(&[("main.tf", &format!(r#"
data "local_file" "known" {{
  filename = "{dir}/hello.txt"
}}
resource "terraform_data" "a" {{
  input = data.local_file.known.content
}}
resource "local_file" "f" {{
  filename = "{dir}/out-${{terraform_data.a.id}}.txt"
  content  = "x"
}}
data "local_file" "later" {{
  filename = local_file.f.filename
}}
"#))]);
    let p = f.plan_ok().await;
    let a = p.change(&"terraform_data.a".parse().unwrap()).unwrap();
    assert_eq!(a.after.get_attr("input").unwrap().as_str(), Some("hi there"));
    let later = p.change(&"data.local_file.later".parse().unwrap()).unwrap();
    assert_eq!(later.action, Action::Read);
    assert_eq!(later.reason, Some(ActionReason::ReadBecauseConfigUnknown));
    assert!(p.prior_state.resources.iter().any(|r| r.name == "known"));
}

#[tokio::test]
async fn unsupported_provider_version_is_a_clear_error() {
    let f = Fixture::new(&[("main.tf", r#"
terraform {
  required_providers {
    random = {
      source  = "hashicorp/random"
      version = ">= 4.0"
    }
  }
}
"#)]);
    let ctx = f.ctx();
    let (p, d) = plan(&ctx, &f.state.state, &PlanOptions::default()).await;
    assert!(p.is_none());
    let e = &d.0[0];
    assert_eq!(e.summary, "provider hashicorp/random version constraint cannot be met");
    assert!(e.detail.as_deref().unwrap().contains("3.6.3"));
}

#[tokio::test]
async fn refresh_only_reports_drift() {
    let mut f = Fixture::new(&[]);
    let dir = f.path().display().to_string();
    f.write(&[("main.tf", &format!(r#"
resource "local_file" "f" {{
  filename = "{dir}/f.txt"
  content  = "hello"
}}
"#))]);
    f.converge().await;
    std::fs::remove_file(f.path().join("f.txt")).unwrap();
    let opts = PlanOptions { mode: PlanMode::RefreshOnly, ..Default::default() };
    let (p, d) = f.plan(&opts).await;
    assert!(!d.has_errors(), "{d}");
    assert!(p.changes.is_empty());
    assert_eq!(p.drift.len(), 1);
    assert_eq!(p.drift[0].action, Action::Delete);
    // A normal plan recreates it.
    let p = f.plan_ok().await;
    assert_eq!(actions(&p), vec!["local_file.f Create"]);
}

#[tokio::test]
async fn cbd_is_forced_onto_dependencies_even_when_the_dependent_only_updates() {
    // Observed with Terraform 1.11: dep shows `+/-` although app is only updated in place.
    let mut f = Fixture::new(&[("main.tf", r#"
resource "terraform_data" "dep" {
  triggers_replace = "1"
}
resource "terraform_data" "app" {
  input = terraform_data.dep.id
  lifecycle {
    create_before_destroy = true
  }
}
"#)]);
    f.converge().await;
    f.write(&[("main.tf", &std::fs::read_to_string(f.path().join("main.tf")).unwrap().replace("\"1\"", "\"2\""))]);
    let p = f.plan_ok().await;
    assert_eq!(
        actions(&p),
        vec!["terraform_data.app Update", "terraform_data.dep CreateThenDelete replace_because_cannot_update"]
    );
    let (s, d) = f.apply_plan(&p).await;
    assert!(!d.has_errors(), "{d}");
    assert_eq!((s.added, s.changed, s.destroyed), (1, 1, 1));
    let new_dep = f.state.state.instances().find(|(a, _)| a.name == "dep").unwrap().1.attributes["id"].clone();
    let app_input = f.state.state.instances().find(|(a, _)| a.name == "app").unwrap().1.attributes["input"]["value"].clone();
    assert_eq!(new_dep, app_input, "app was updated with the new dep's id");
}

#[tokio::test]
async fn ignore_changes_keeps_prior_values() {
    let mut f = Fixture::new(&[("main.tf", r#"
resource "terraform_data" "a" {
  input = "one"
  lifecycle {
    ignore_changes = [input]
  }
}
resource "terraform_data" "b" {
  input = "one"
  lifecycle {
    ignore_changes = all
  }
}
"#)]);
    f.converge().await;
    f.write(&[("main.tf", &std::fs::read_to_string(f.path().join("main.tf")).unwrap().replace("\"one\"", "\"two\""))]);
    let p = f.plan_ok().await;
    assert!(actions(&p).is_empty(), "{:?}", actions(&p));
}

#[tokio::test]
async fn module_for_each_and_instance_targets() {
    let f = Fixture::new(&[
        ("main.tf", r#"
module "svc" {
  for_each = { api = 1, web = 2 }
  source   = "./svc"
  size     = each.value
}
output "ids" {
  value = { for k, m in module.svc : k => m.size }
}
"#),
        ("svc/main.tf", r#"
variable "size" { type = number }
resource "terraform_data" "x" {
  count = var.size
}
output "size" { value = length(terraform_data.x) }
"#),
    ]);
    let p = f.plan_ok().await;
    assert_eq!(
        actions(&p),
        vec![
            "module.svc[\"api\"].terraform_data.x[0] Create",
            "module.svc[\"web\"].terraform_data.x[0] Create",
            "module.svc[\"web\"].terraform_data.x[1] Create",
        ]
    );
    let out = &p.outputs[0];
    assert_eq!(out.after.get_attr("web").and_then(|v| v.as_i64()), Some(2));
    let opts = PlanOptions { targets: vec!["module.svc[\"web\"].terraform_data.x[1]".parse().unwrap()], ..Default::default() };
    let (p, d) = f.plan(&opts).await;
    assert!(!d.has_errors(), "{d}");
    assert_eq!(actions(&p), vec!["module.svc[\"web\"].terraform_data.x[1] Create"]);
}

#[tokio::test]
async fn replace_triggered_by_replaces_on_dependency_change() {
    let mut f = Fixture::new(&[("main.tf", r#"
resource "terraform_data" "src" {
  input = "1"
}
resource "terraform_data" "follower" {
  lifecycle {
    replace_triggered_by = [terraform_data.src]
  }
}
"#)]);
    f.converge().await;
    f.write(&[("main.tf", &std::fs::read_to_string(f.path().join("main.tf")).unwrap().replace("\"1\"", "\"2\""))]);
    let p = f.plan_ok().await;
    assert_eq!(actions(&p), vec!["terraform_data.follower DeleteThenCreate replace_by_triggers", "terraform_data.src Update"]);
}

#[tokio::test]
async fn state_is_terraform_compatible_for_terraform_data() {
    let mut f = Fixture::new(&[("main.tf", TWO)]);
    f.converge().await;
    let st = &f.state.state;
    let (_, b) = st.instances().find(|(a, _)| a.name == "b").unwrap();
    assert_eq!(b.attributes["input"]["type"], serde_json::json!("string"));
    assert_eq!(b.dependencies, vec!["terraform_data.a".to_string()]);
    let res = st.resources.iter().find(|r| r.name == "b").unwrap();
    assert_eq!(res.provider, "provider[\"terraform.io/builtin/terraform\"]");
}

#[tokio::test]
async fn saved_plan_for_a_new_workspace_applies_to_a_fresh_state() {
    let mut f = Fixture::new(&[("main.tf", TWO)]);
    let p = Plan::from_bytes(&f.plan_ok().await.to_bytes()).unwrap();
    // A new process opens the (still missing) state again: a new lineage.
    f.state = MemoryState::new(plinth_state::State::new());
    let (s, d) = f.apply_plan(&p).await;
    assert!(!d.has_errors(), "{d}");
    assert_eq!(s.added, 2);
}
