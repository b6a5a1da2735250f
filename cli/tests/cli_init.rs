//! `plinth init`: local and git module installation (`modules.json` in Terraform's format),
//! provider requirement checks, backend checks; and that `plan` then needs no network.

mod cli_common;
use cli_common::*;
use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) {
    let o = Command::new("git")
        .args(["-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "init.defaultBranch=main"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git");
    assert!(o.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&o.stderr));
}

fn have_git() -> bool {
    Command::new("git").arg("--version").output().is_ok_and(|o| o.status.success())
}

/// A bare repository with a root module (output `x`) and `sub/` (output `y`), tagged v1.
fn bare_repo(root: &Path) -> String {
    let work = root.join("repo-work");
    std::fs::create_dir_all(work.join("sub")).unwrap();
    std::fs::write(work.join("main.tf"), "output \"x\" {\n  value = \"from-git\"\n}\n").unwrap();
    std::fs::write(work.join("sub/main.tf"), "output \"y\" {\n  value = \"from-subdir\"\n}\n").unwrap();
    git(&work, &["init", "-q"]);
    git(&work, &["add", "."]);
    git(&work, &["commit", "-q", "-m", "v1"]);
    git(&work, &["tag", "v1"]);
    git(root, &["clone", "-q", "--bare", "repo-work", "repo.git"]);
    format!("file://{}", root.join("repo.git").display())
}

#[test]
fn empty_directory() {
    let d = tempfile::tempdir().unwrap();
    let o = run(d.path(), &["init"]);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).contains("Plinth initialized in an empty directory!"), "{}", stdout(&o));
}

#[test]
fn local_modules_are_recorded() {
    let d = dir_with(&[
        ("main.tf", "module \"net\" {\n  source = \"./modules/net\"\n}\noutput \"o\" {\n  value = module.net.cidr\n}\n"),
        ("modules/net/main.tf", "module \"inner\" {\n  source = \"../inner\"\n}\noutput \"cidr\" {\n  value = \"10.0.0.0/16\"\n}\n"),
        ("modules/inner/main.tf", "output \"z\" {\n  value = 1\n}\n"),
    ]);
    let o = run(d.path(), &["init"]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("Initializing modules...\n- net in modules/net\n- net.inner in modules/inner\n"), "{out}");
    assert!(out.contains("Plinth has been successfully initialized!"), "{out}");
    let manifest = std::fs::read_to_string(d.path().join(".terraform/modules/modules.json")).unwrap();
    assert_eq!(
        manifest,
        r#"{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"net","Source":"./modules/net","Dir":"modules/net"},{"Key":"net.inner","Source":"../inner","Dir":"modules/inner"}]}"#
    );
    let o = run(d.path(), &["validate"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn git_modules_are_cloned_and_plan_works_offline() {
    if !have_git() {
        eprintln!("skipping: git is not installed");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let url = bare_repo(tmp.path());
    let cfg = format!(
        "module \"g\" {{\n  source = \"git::{url}?ref=v1\"\n}}\nmodule \"s\" {{\n  source = \"git::{url}//sub?ref=v1\"\n}}\noutput \"x\" {{\n  value = module.g.x\n}}\noutput \"y\" {{\n  value = module.s.y\n}}\n"
    );
    let d = dir_with(&[("main.tf", &cfg)]);
    // Before init, commands say what to do.
    let o = run(d.path(), &["plan"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("plinth init"), "{}", stderr(&o));

    let o = run(d.path(), &["init"]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(out.contains(&format!("Downloading git::{url}?ref=v1 for g...\n- g in .terraform/modules/g\n")), "{out}");
    assert!(out.contains("- s in .terraform/modules/s/sub\n"), "{out}");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join(".terraform/modules/modules.json")).unwrap()).unwrap();
    assert_eq!(manifest["Modules"][1], serde_json::json!({"Key": "g", "Source": format!("git::{url}?ref=v1"), "Dir": ".terraform/modules/g"}));
    assert_eq!(manifest["Modules"][2]["Dir"], ".terraform/modules/s/sub");
    assert!(d.path().join(".terraform/modules/g/main.tf").exists());

    // The repository can disappear: plan reads the installed copy.
    std::fs::remove_dir_all(tmp.path().join("repo.git")).unwrap();
    let o = run(d.path(), &["plan"]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("from-git"), "{}", stdout(&o));
    assert!(stdout(&o).contains("from-subdir"), "{}", stdout(&o));

    // A second init does not download again.
    let o = run(d.path(), &["init"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!stdout(&o).contains("Downloading"), "{}", stdout(&o));
}

#[test]
fn bad_git_ref_is_a_clear_error() {
    if !have_git() {
        eprintln!("skipping: git is not installed");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let url = bare_repo(tmp.path());
    let d = dir_with(&[("main.tf", &format!("module \"g\" {{\n  source = \"git::{url}?ref=v9\"\n}}\n"))]);
    let o = run(d.path(), &["init"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("failed to download module"), "{}", stderr(&o));
    assert!(stderr(&o).contains("v9"), "{}", stderr(&o));
}

#[test]
fn unsupported_sources_and_missing_dirs() {
    let d = dir_with(&[("main.tf", "module \"c\" {\n  source = \"hashicorp/consul/aws\"\n}\nmodule \"l\" {\n  source = \"./missing\"\n}\n")]);
    let o = run(d.path(), &["init"]);
    assert_eq!(code(&o), 1);
    let e = stderr(&o);
    assert!(e.contains("unsupported module source"), "{e}");
    assert!(e.contains("unreadable module directory"), "{e}");
}

#[test]
fn unknown_provider_names_the_available_ones() {
    let d = dir_with(&[(
        "main.tf",
        "terraform {\n  required_providers {\n    google = {\n      source = \"hashicorp/google\"\n    }\n  }\n}\n",
    )]);
    let o = run(d.path(), &["init"]);
    assert_eq!(code(&o), 1);
    let e = stderr(&o);
    assert!(e.contains("hashicorp/google"), "{e}");
    assert!(e.contains("hashicorp/random"), "{e}");
    assert_eq!(e.matches("is not available").count(), 1, "reported once: {e}");
}

#[test]
fn version_constraints_are_checked() {
    let d = dir_with(&[(
        "main.tf",
        "terraform {\n  required_providers {\n    random = {\n      source  = \"hashicorp/random\"\n      version = \">= 99.0\"\n    }\n  }\n}\n",
    )]);
    let o = run(d.path(), &["init"]);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    let ok = dir_with(&[(
        "main.tf",
        "terraform {\n  required_providers {\n    random = {\n      source  = \"hashicorp/random\"\n      version = \"~> 3.5\"\n    }\n  }\n}\nresource \"random_id\" \"x\" {\n  byte_length = 2\n}\n",
    )]);
    let o = run(ok.path(), &["init"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("- Using hashicorp/random v3."), "{}", stdout(&o));
}

#[test]
fn backend_arguments_are_checked_at_init() {
    // A remote backend missing a required argument fails before any network access.
    let d = dir_with(&[("main.tf", "terraform {\n  backend \"s3\" {\n    bucket = \"b\"\n  }\n}\n")]);
    let o = run(d.path(), &["init"]);
    assert_eq!(code(&o), 1);
    let e = stderr(&o);
    assert!(e.contains("missing required backend argument \"key\""), "{e}");
    assert!(e.contains("backend \"s3\""), "snippet of the block: {e}");
    let o = run(d.path(), &["init", "-backend=false"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let d = dir_with(&[("main.tf", "terraform {\n  backend \"consul\" {}\n}\n")]);
    let o = run(d.path(), &["init"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("unknown backend type \"consul\""), "{}", stderr(&o));
    assert!(stderr(&o).contains("\"pg\""), "{}", stderr(&o));
}

#[test]
fn backend_config_values_are_saved_for_later_commands() {
    let d = dir_with(&[("main.tf", "terraform {\n  backend \"local\" {}\n}\nresource \"terraform_data\" \"a\" {}\n")]);
    let o = run(d.path(), &["init", "-backend-config=path=custom.tfstate"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("Successfully configured the backend \"local\"!"), "{}", stdout(&o));
    let o = run(d.path(), &["apply", "-auto-approve"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(d.path().join("custom.tfstate").exists());
    assert!(!d.path().join("terraform.tfstate").exists());
    assert_eq!(stdout(&run(d.path(), &["state", "list"])), "terraform_data.a\n");
    // A file of key = value lines works too.
    let e = dir_with(&[
        ("main.tf", "terraform {\n  backend \"local\" {}\n}\n"),
        ("local.hcl", "path = \"from-file.tfstate\"\n"),
    ]);
    let o = run(e.path(), &["init", "-backend-config=local.hcl"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let saved = std::fs::read_to_string(e.path().join(".terraform/plinth-backend.json")).unwrap();
    assert!(saved.contains("from-file.tfstate"), "{saved}");
    let o = run(e.path(), &["init", "-backend-config=nope=1"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("nope"), "{}", stderr(&o));
}

#[test]
fn local_backend_path_is_honoured() {
    let d = dir_with(&[(
        "main.tf",
        "terraform {\n  backend \"local\" {\n    path = \"state/custom.tfstate\"\n  }\n}\nresource \"terraform_data\" \"a\" {}\n",
    )]);
    std::fs::create_dir_all(d.path().join("state")).unwrap();
    let o = run(d.path(), &["init"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = run(d.path(), &["plan", "-out=tfplan"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(d.path().join("state/custom.tfstate").exists());
    assert!(!d.path().join("terraform.tfstate").exists());
}

#[test]
fn get_false_and_upgrade() {
    if !have_git() {
        eprintln!("skipping: git is not installed");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let url = bare_repo(tmp.path());
    let d = dir_with(&[("main.tf", &format!("module \"g\" {{\n  source = \"git::{url}?ref=v1\"\n}}\n"))]);
    // Like Terraform: without downloading, the configuration cannot load.
    let o = run(d.path(), &["init", "-get=false"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("Module not installed"), "{}", stderr(&o));
    assert!(!d.path().join(".terraform/modules/g").exists());
    assert_eq!(code(&run(d.path(), &["init"])), 0);
    let o = run(d.path(), &["init", "-upgrade"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("Downloading"), "-upgrade downloads again: {}", stdout(&o));
}
