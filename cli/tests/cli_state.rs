//! `plinth state list|show|mv|rm|pull|push`, `show` and `output` against hand-written
//! Terraform v4 state files.

mod cli_common;
use cli_common::*;

const LINEAGE: &str = "4f4b2a1e-0000-4000-8000-00000000000a";

fn fixture() -> tempfile::TempDir {
    let resources = format!(
        "[{}, {}]",
        data_resource("a", "id-a", "alpha"),
        data_resource("b", "id-b", "beta")
    );
    let outputs = r#"{
    "greeting": {"value": "hello", "type": "string"},
    "n": {"value": 3, "type": "number"},
    "list": {"value": ["x", "y"], "type": ["list", "string"]},
    "secret": {"value": "s3cr3t", "type": "string", "sensitive": true}
  }"#;
    dir_with(&[
        ("main.tf", "resource \"terraform_data\" \"a\" {\n  input = \"alpha\"\n}\nresource \"terraform_data\" \"b\" {\n  input = \"beta\"\n}\n"),
        ("terraform.tfstate", &state_json(LINEAGE, 5, &resources, outputs)),
    ])
}

fn read_state(p: &std::path::Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(p.join("terraform.tfstate")).unwrap()).unwrap()
}

#[test]
fn list_with_filters() {
    let d = fixture();
    let o = run(d.path(), &["state", "list"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&o), "terraform_data.a\nterraform_data.b\n");
    assert_eq!(stdout(&run(d.path(), &["state", "list", "terraform_data.b"])), "terraform_data.b\n");
    assert_eq!(stdout(&run(d.path(), &["state", "list", "-id=id-a"])), "terraform_data.a\n");
    assert_eq!(stdout(&run(d.path(), &["state", "list", "module.nothing"])), "");
    let o = run(d.path(), &["state", "list", "not valid!"]);
    assert_eq!(code(&o), 1);
}

#[test]
fn no_state_is_an_error() {
    let d = tempfile::tempdir().unwrap();
    let o = run(d.path(), &["state", "list"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("No state file was found!"), "{}", stderr(&o));
}

#[test]
fn show_one_instance() {
    let d = fixture();
    let o = run(d.path(), &["state", "show", "terraform_data.a"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("# terraform_data.a:\nresource \"terraform_data\" \"a\" {\n"), "{out}");
    assert!(out.contains("id-a"), "{out}");
    let o = run(d.path(), &["state", "show", "terraform_data.zzz"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("No instance found for the given address!"), "{}", stderr(&o));
}

#[test]
fn mv_renames_and_keeps_a_backup() {
    let d = fixture();
    let o = run(d.path(), &["state", "mv", "-dry-run", "terraform_data.a", "terraform_data.c"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&o), "Would move \"terraform_data.a\" to \"terraform_data.c\"\n");
    assert_eq!(read_state(d.path())["serial"], 5);

    let o = run(d.path(), &["state", "mv", "terraform_data.a", "terraform_data.c"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&o), "Move \"terraform_data.a\" to \"terraform_data.c\"\nSuccessfully moved 1 object(s).\n");
    assert_eq!(stdout(&run(d.path(), &["state", "list"])), "terraform_data.b\nterraform_data.c\n");
    let st = read_state(d.path());
    assert_eq!(st["lineage"], LINEAGE);
    assert!(st["serial"].as_u64().unwrap() > 5);
    assert!(d.path().join("terraform.tfstate.backup").exists());

    // Onto an existing object, or from nothing: errors.
    let o = run(d.path(), &["state", "mv", "terraform_data.b", "terraform_data.c"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("already an object"), "{}", stderr(&o));
    let o = run(d.path(), &["state", "mv", "terraform_data.nope", "terraform_data.d"]);
    assert_eq!(code(&o), 1);
    let o = run(d.path(), &["state", "mv", "terraform_data.b", "random_id.b"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("different resource types"), "{}", stderr(&o));
}

#[test]
fn mv_into_a_module_and_to_an_instance() {
    let d = fixture();
    let o = run(d.path(), &["state", "mv", "terraform_data.a", "module.m.terraform_data.a"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = run(d.path(), &["state", "mv", "terraform_data.b", "terraform_data.many[1]"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&run(d.path(), &["state", "list"])), "terraform_data.many[1]\nmodule.m.terraform_data.a\n");
    let o = run(d.path(), &["state", "mv", "module.m", "module.n"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&run(d.path(), &["state", "list"])).contains("module.n.terraform_data.a"));
}

#[test]
fn rm_forgets_instances() {
    let d = fixture();
    let o = run(d.path(), &["state", "rm", "-dry-run", "terraform_data.a"]);
    assert_eq!(stdout(&o), "Would remove terraform_data.a\n");
    let o = run(d.path(), &["state", "rm", "terraform_data.a"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&o), "Removed terraform_data.a\nSuccessfully removed 1 resource instance(s).\n");
    assert_eq!(stdout(&run(d.path(), &["state", "list"])), "terraform_data.b\n");
    let o = run(d.path(), &["state", "rm", "terraform_data.a"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("No matching objects found"), "{}", stderr(&o));
}

#[test]
fn pull_and_push() {
    let d = fixture();
    let o = run(d.path(), &["state", "pull"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let pulled: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(pulled["lineage"], LINEAGE);
    assert_eq!(pulled["resources"].as_array().unwrap().len(), 2);

    // An older serial of the same lineage is refused unless -force.
    let older = state_json(LINEAGE, 2, "[]", "{}");
    let o = run_stdin(d.path(), &["state", "push", "-"], &older);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("serial"), "{}", stderr(&o));
    // Another lineage too.
    let other = d.path().join("other.tfstate");
    std::fs::write(&other, state_json("4f4b2a1e-0000-4000-8000-0000000000ff", 9, "[]", "{}")).unwrap();
    let o = run(d.path(), &["state", "push", "other.tfstate"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("lineage"), "{}", stderr(&o));
    let o = run(d.path(), &["state", "push", "-force", "other.tfstate"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(read_state(d.path())["lineage"], "4f4b2a1e-0000-4000-8000-0000000000ff");
    assert_eq!(stdout(&run(d.path(), &["state", "list"])), "");
}

#[test]
fn output_command() {
    let d = fixture();
    let o = run(d.path(), &["output"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&o), "greeting = \"hello\"\nlist = tolist([\n  \"x\",\n  \"y\",\n])\nn = 3\nsecret = <sensitive>\n");
    assert_eq!(stdout(&run(d.path(), &["output", "greeting"])), "\"hello\"\n");
    assert_eq!(stdout(&run(d.path(), &["output", "-raw", "greeting"])), "hello");
    assert_eq!(stdout(&run(d.path(), &["output", "-raw", "n"])), "3");
    assert_eq!(stdout(&run(d.path(), &["output", "-raw", "secret"])), "s3cr3t");
    assert_eq!(stdout(&run(d.path(), &["output", "-json", "list"])), "[\"x\",\"y\"]\n");
    let o = run(d.path(), &["output", "-raw", "list"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("Unsupported value for raw output"), "{}", stderr(&o));
    let all: serde_json::Value = serde_json::from_slice(&run(d.path(), &["output", "-json"]).stdout).unwrap();
    assert_eq!(all["greeting"], serde_json::json!({"sensitive": false, "type": "string", "value": "hello"}));
    assert_eq!(all["secret"]["sensitive"], true);
    assert_eq!(all["list"]["type"], serde_json::json!(["list", "string"]));
    let o = run(d.path(), &["output", "greting"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("did you mean \"greeting\""), "{}", stderr(&o));
}

#[test]
fn show_state() {
    let d = fixture();
    let o = run(d.path(), &["show"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("# terraform_data.a:"), "{}", stdout(&o));
    let o = run(d.path(), &["show", "-json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v.get("format_version").is_some(), "{v}");
    let o = run(d.path(), &["show", "terraform.tfstate"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = run(d.path(), &["show", "main.tf"]);
    assert_eq!(code(&o), 1);
}

#[test]
fn show_saved_plan_in_every_format() {
    let d = dir_with(&[("main.tf", "resource \"terraform_data\" \"a\" {\n  input = \"x\"\n}\n")]);
    let o = run(d.path(), &["plan", "-out=tfplan"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("Saved the plan to: tfplan"), "{}", stdout(&o));
    let o = run(d.path(), &["show", "tfplan"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("# terraform_data.a will be created"), "{}", stdout(&o));
    let o = run(d.path(), &["show", "-json", "tfplan"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["resource_changes"][0]["change"]["actions"], serde_json::json!(["create"]));
    let o = run(d.path(), &["show", "-format=markdown", "tfplan"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("terraform_data.a"), "{}", stdout(&o));
}
