//! Schema validation with did-you-mean, and graph rendering.

mod common;
use common::*;
use plinth_engine::*;

#[test]
fn validate_reports_unknown_attributes_types_and_missing_required() {
    let f = Fixture::new(&[("main.tf", r#"
resource "terraform_data" "a" {
  inptu = "x"
}
resource "random_strin" "s" {
  length = 3
}
resource "random_string" "t" {
}
resource "terraform_data" "ro" {
  id = "fixed"
}
"#)]);
    let ctx = f.ctx();
    let d = validate_with_schemas(&ctx.config, &ctx.providers);
    let got: Vec<(String, Vec<String>)> = d.iter().map(|x| (x.summary.clone(), x.help.clone())).collect();
    assert!(got.contains(&("Unsupported argument".into(), vec!["did you mean \"input\"?".into()])), "{got:?}");
    assert!(got.contains(&("Invalid resource type".into(), vec!["did you mean \"random_string\"?".into()])), "{got:?}");
    assert!(got.iter().any(|(s, _)| s == "Missing required argument"), "{got:?}");
    assert!(got.iter().any(|(s, _)| s == "Invalid or unknown key"), "{got:?}");
    assert!(d.iter().all(|x| x.subject.is_some()));
}

#[test]
fn unknown_provider_names_what_is_available() {
    let f = Fixture::new(&[("main.tf", "resource \"aws_vpc\" \"main\" {}\n")]);
    let ctx = f.ctx();
    let d = validate_with_schemas(&ctx.config, &ctx.providers);
    let e = d.iter().next().expect("a diagnostic");
    assert_eq!(e.summary, "provider hashicorp/aws is not available");
    assert!(e.detail.as_deref().unwrap().contains("hashicorp/random 3.6.3"));
}

#[test]
fn graph_renders_resource_edges_through_locals() {
    let f = Fixture::new(&[("main.tf", r#"
resource "terraform_data" "a" {}
locals { id = terraform_data.a.id }
resource "terraform_data" "b" {
  input = local.id
}
"#)]);
    let ctx = f.ctx();
    let dot = graph_dot(&ctx);
    assert!(dot.contains("\"terraform_data.b\" -> \"terraform_data.a\""), "{dot}");
    let mm = graph_mermaid(&ctx);
    assert!(mm.starts_with("flowchart LR\n") && mm.contains("-->"), "{mm}");
}

#[tokio::test]
async fn import_command_records_the_object() {
    let mut f = Fixture::new(&[("main.tf", "resource \"random_uuid\" \"u\" {}\n")]);
    let ctx = f.ctx();
    let addr: ResourceInstanceAddress = "random_uuid.u".parse().unwrap();
    let d = import(&ctx, &mut f.state, &addr, "6a5b1e53-3bd2-4f3f-b4f4-8c04b1d3a2a1").await;
    assert!(!d.has_errors(), "{d}");
    assert_eq!(f.state.state.instances().count(), 1);
    let d = import(&ctx, &mut f.state, &addr, "6a5b1e53-3bd2-4f3f-b4f4-8c04b1d3a2a1").await;
    assert_eq!(errors(&d), vec!["Resource already managed by Plinth"]);
    let d = import(&ctx, &mut f.state, &"random_uuid.nope".parse().unwrap(), "x").await;
    assert_eq!(errors(&d), vec!["Configuration for import target does not exist"]);
    let p = f.plan_ok().await;
    assert!(actions(&p).is_empty(), "{:?}", actions(&p));
}
