//! Provider configurations of child modules against Terraform 1.11 (runs where `terraform`
//! is on the PATH): a `provider` block inside a child module configures that module and its
//! descendants (`module.legacy.provider[...]` in state), `providers = { x = x.alias }` maps
//! a configuration, an empty block the caller passes a configuration for is a proxy, and
//! other children inherit the root's default configuration.

mod e2e_support;
use e2e_support::*;
use std::path::Path;

const ROOT: &str = r#"provider "terraform" {
  alias = "west"
}
module "legacy" {
  source = "./legacy"
}
module "mapped" {
  source = "./plain"
  providers = {
    terraform = terraform.west
  }
}
module "inherit" {
  source = "./plain"
}
module "proxy" {
  source = "./proxy"
  providers = {
    terraform = terraform.west
  }
}
"#;

fn setup(dir: &Path) {
    for sub in ["legacy", "plain", "proxy"] {
        std::fs::create_dir_all(dir.join(sub)).expect("mkdir");
    }
    write(dir, "main.tf", ROOT);
    write(dir, "legacy/main.tf", "provider \"terraform\" {\n}\nresource \"terraform_data\" \"l\" {\n  input = \"l\"\n}\nmodule \"nested\" {\n  source = \"../plain\"\n}\n");
    write(
        dir,
        "plain/main.tf",
        "resource \"terraform_data\" \"p\" {\n  input = \"p\"\n}\n",
    );
    write(
        dir,
        "proxy/main.tf",
        "provider \"terraform\" {\n}\nresource \"terraform_data\" \"x\" {\n  input = \"x\"\n}\n",
    );
}

/// `module type.name provider` of every resource in a state file.
fn providers(dir: &Path) -> Vec<String> {
    let s: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("terraform.tfstate")).expect("state"),
    )
    .expect("state JSON");
    let mut v: Vec<String> = s["resources"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| {
                    format!(
                        "{} {}.{} {}",
                        r["module"].as_str().unwrap_or("-"),
                        r["type"].as_str().unwrap_or(""),
                        r["name"].as_str().unwrap_or(""),
                        r["provider"].as_str().unwrap_or("")
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn module_provider_configurations_match_terraform() {
    let pl = tempfile::tempdir().expect("tempdir");
    setup(pl.path());
    plinth(pl.path(), &["init", "-input=false"]).ok("plinth init");
    let a = plinth(
        pl.path(),
        &["apply", "-auto-approve", "-input=false", "-no-color"],
    );
    if unavailable("module_provider_configurations_match_terraform", &a) {
        return;
    }
    a.ok("plinth apply");
    let expected = vec![
        "module.inherit terraform_data.p provider[\"terraform.io/builtin/terraform\"]",
        "module.legacy terraform_data.l module.legacy.provider[\"terraform.io/builtin/terraform\"]",
        "module.legacy.module.nested terraform_data.p module.legacy.provider[\"terraform.io/builtin/terraform\"]",
        "module.mapped terraform_data.p provider[\"terraform.io/builtin/terraform\"].west",
        "module.proxy terraform_data.x provider[\"terraform.io/builtin/terraform\"].west",
    ];
    assert_eq!(providers(pl.path()), expected);
    let again = plinth(
        pl.path(),
        &["plan", "-input=false", "-no-color", "-detailed-exitcode"],
    );
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);

    if !terraform_available("module_provider_configurations_match_terraform") {
        return;
    }
    let tf = tempfile::tempdir().expect("tempdir");
    setup(tf.path());
    terraform(tf.path(), &["init", "-input=false", "-no-color"]).ok("terraform init");
    terraform(
        tf.path(),
        &["apply", "-auto-approve", "-input=false", "-no-color"],
    )
    .ok("terraform apply");
    assert_eq!(
        providers(tf.path()),
        providers(pl.path()),
        "provider addresses (left Terraform, right Plinth)"
    );
    // Each tool plans no changes on the other's state.
    let tf_state = std::fs::read(tf.path().join("terraform.tfstate")).expect("read");
    let pl_state = std::fs::read(pl.path().join("terraform.tfstate")).expect("read");
    std::fs::write(tf.path().join("terraform.tfstate"), &pl_state).expect("write");
    std::fs::write(pl.path().join("terraform.tfstate"), &tf_state).expect("write");
    let t = terraform(
        tf.path(),
        &["plan", "-input=false", "-no-color", "-detailed-exitcode"],
    );
    assert_eq!(
        t.code, 0,
        "Terraform on Plinth's state:\n{}{}",
        t.stdout, t.stderr
    );
    let p = plinth(
        pl.path(),
        &["plan", "-input=false", "-no-color", "-detailed-exitcode"],
    );
    assert_eq!(
        p.code, 0,
        "Plinth on Terraform's state:\n{}{}",
        p.stdout, p.stderr
    );

    // Removing the legacy module: its objects cannot be destroyed without its provider block.
    let edited = ROOT.replace("module \"legacy\" {\n  source = \"./legacy\"\n}\n", "");
    write(tf.path(), "main.tf", &edited);
    write(pl.path(), "main.tf", &edited);
    let t = terraform(tf.path(), &["plan", "-input=false", "-no-color"]);
    let p = plinth(pl.path(), &["plan", "-input=false", "-no-color"]);
    assert_eq!((p.code, t.code), (1, 1));
    let count = |s: &str| s.matches("Provider configuration not present").count();
    assert_eq!(
        count(&p.stderr),
        count(&format!("{}{}", t.stdout, t.stderr)),
        "{}",
        p.stderr
    );
}
