//! `import`, `graph`, `providers` and `-state=PATH`.

mod cli_common;
use cli_common::*;

#[test]
fn import_into_a_declared_resource() {
    let d = dir_with(&[("main.tf", "resource \"random_id\" \"x\" {\n  byte_length = 3\n}\n")]);
    let o = run(d.path(), &["import", "random_id.x", "AAEC"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).starts_with("random_id.x: Importing from ID \"AAEC\"...\n"), "{}", stdout(&o));
    assert!(stdout(&o).contains("Import successful!"), "{}", stdout(&o));
    assert_eq!(stdout(&run(d.path(), &["state", "list"])), "random_id.x\n");
    assert!(stdout(&run(d.path(), &["state", "show", "random_id.x"])).contains("hex         = \"000102\""));
    // Importing again onto an existing object, or into an undeclared resource, fails.
    let o = run(d.path(), &["import", "random_id.y", "AAEC"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("does not exist"), "{}", stderr(&o));
    let o = run(d.path(), &["import", "not an address", "x"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("invalid address"), "{}", stderr(&o));
}

#[test]
fn graph_formats() {
    let d = dir_with(&[(
        "main.tf",
        "resource \"random_id\" \"x\" {\n  byte_length = 3\n}\nresource \"terraform_data\" \"d\" {\n  input = random_id.x.hex\n}\n",
    )]);
    let o = run(d.path(), &["graph"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let dot = stdout(&o);
    assert!(dot.starts_with("digraph {"), "{dot}");
    assert!(dot.contains("random_id.x") && dot.contains("terraform_data.d"), "{dot}");
    let o = run(d.path(), &["graph", "-format=mermaid"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).starts_with("flowchart"), "{}", stdout(&o));
    let o = run(d.path(), &["graph", "-format=png"]);
    assert_eq!(code(&o), 1);
}

#[test]
fn providers_lists_builtin_and_required() {
    let d = dir_with(&[(
        "main.tf",
        "terraform {\n  required_providers {\n    random = {\n      source  = \"hashicorp/random\"\n      version = \"~> 3.5\"\n    }\n  }\n}\nresource \"random_id\" \"x\" {\n  byte_length = 3\n}\n",
    )]);
    let o = run(d.path(), &["providers"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("Built-in providers:\n"), "{out}");
    assert!(out.contains("hashicorp/tls"), "{out}");
    assert!(out.contains("provider[registry.terraform.io/hashicorp/random] ~> 3.5"), "{out}");
    let o = run(d.path(), &["providers", "-json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["builtin"].as_array().unwrap().iter().any(|p| p["source"] == "hashicorp/random"));
    assert_eq!(v["required"][0]["version_constraint"], "~> 3.5");
}

#[test]
fn state_flag_points_at_another_file() {
    let d = dir_with(&[("main.tf", "resource \"terraform_data\" \"a\" {}\n")]);
    let o = run(d.path(), &["apply", "-auto-approve", "-state=other.tfstate"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(d.path().join("other.tfstate").exists());
    assert_eq!(stdout(&run(d.path(), &["state", "list", "-state=other.tfstate"])), "terraform_data.a\n");
    assert_eq!(code(&run(d.path(), &["state", "list"])), 1);
}
