//! `plinth workspace new|list|select|delete|show`, and commands following the selection.

mod cli_common;
use cli_common::*;

#[test]
fn lifecycle() {
    let d = dir_with(&[("main.tf", "resource \"terraform_data\" \"a\" {}\n")]);
    let p = d.path();
    assert_eq!(stdout(&run(p, &["workspace", "show"])), "default\n");
    assert_eq!(stdout(&run(p, &["workspace", "list"])), "* default\n\n");

    let o = run(p, &["workspace", "new", "dev"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).starts_with("Created and switched to workspace \"dev\"!"), "{}", stdout(&o));
    assert_eq!(std::fs::read_to_string(p.join(".terraform/environment")).unwrap(), "dev");
    assert_eq!(stdout(&run(p, &["workspace", "show"])), "dev\n");
    assert_eq!(stdout(&run(p, &["workspace", "list"])), "  default\n* dev\n\n");

    let o = run(p, &["workspace", "new", "dev"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("Workspace \"dev\" already exists"), "{}", stderr(&o));

    // The active workspace cannot be deleted.
    let o = run(p, &["workspace", "delete", "dev"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("is your active workspace"), "{}", stderr(&o));

    let o = run(p, &["workspace", "select", "default"]);
    assert_eq!(code(&o), 0);
    assert_eq!(stdout(&o), "Switched to workspace \"default\".\n");
    let o = run(p, &["workspace", "delete", "dev"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&o), "Deleted workspace \"dev\"!\n");
    assert_eq!(stdout(&run(p, &["workspace", "list"])), "* default\n\n");
}

#[test]
fn select_missing_and_or_create() {
    let d = tempfile::tempdir().unwrap();
    let o = run(d.path(), &["workspace", "select", "nope"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("Workspace \"nope\" doesn't exist"), "{}", stderr(&o));
    let o = run(d.path(), &["workspace", "select", "-or-create", "nope"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&run(d.path(), &["workspace", "show"])), "nope\n");
}

#[test]
fn invalid_names_and_default() {
    let d = tempfile::tempdir().unwrap();
    let o = run(d.path(), &["workspace", "new", "a/b"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("invalid workspace name"), "{}", stderr(&o));
    run(d.path(), &["workspace", "new", "x"]);
    let o = run(d.path(), &["workspace", "delete", "default"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("default"), "{}", stderr(&o));
}

#[test]
fn non_empty_workspace_needs_force() {
    let d = dir_with(&[("main.tf", "resource \"terraform_data\" \"a\" {}\n")]);
    let p = d.path();
    run(p, &["workspace", "new", "dev"]);
    let state = state_json("4f4b2a1e-0000-4000-8000-000000000002", 1, &format!("[{}]", data_resource("a", "id-1", "x")), "{}");
    std::fs::write(p.join("terraform.tfstate.d/dev/terraform.tfstate"), state).unwrap();
    run(p, &["workspace", "select", "default"]);
    let o = run(p, &["workspace", "delete", "dev"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("terraform_data.a"), "{}", stderr(&o));
    let o = run(p, &["workspace", "delete", "-force", "dev"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn commands_use_the_selected_workspace_and_tf_workspace() {
    let d = dir_with(&[("main.tf", "output \"w\" {\n  value = terraform.workspace\n}\n")]);
    let p = d.path();
    run(p, &["workspace", "new", "staging"]);
    let o = run_stdin(p, &["console"], "terraform.workspace\n");
    assert_eq!(stdout(&o), "\"staging\"\n", "{}", stderr(&o));
    let o = run_env(p, &["workspace", "show"], &[("TF_WORKSPACE", "default")]);
    assert_eq!(stdout(&o), "default\n");
    let o = run_env(p, &["plan"], &[("TF_WORKSPACE", "missing")]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("\"missing\" does not exist"), "{}", stderr(&o));
}
