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
