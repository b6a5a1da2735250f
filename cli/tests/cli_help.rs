//! `plinth --help`, `plinth CMD -help`, `plinth CMD --help` and `plinth help CMD` print the
//! same text, exit 0, and match the snapshots.

mod cli_common;
use cli_common::*;

const PATHS: &[&[&str]] = &[
    &[],
    &["init"],
    &["validate"],
    &["plan"],
    &["apply"],
    &["destroy"],
    &["console"],
    &["fmt"],
    &["force-unlock"],
    &["graph"],
    &["import"],
    &["output"],
    &["providers"],
    &["show"],
    &["state"],
    &["state", "list"],
    &["state", "show"],
    &["state", "mv"],
    &["state", "rm"],
    &["state", "pull"],
    &["state", "push"],
    &["version"],
    &["workspace"],
    &["workspace", "new"],
    &["workspace", "list"],
    &["workspace", "select"],
    &["workspace", "delete"],
    &["workspace", "show"],
    &["refresh"],
    &["taint"],
    &["untaint"],
];

#[test]
fn every_help_spelling_agrees_and_matches_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    for path in PATHS {
        let mut forms: Vec<Vec<&str>> = Vec::new();
        for flag in ["-help", "--help", "-h"] {
            let mut v = path.to_vec();
            v.push(flag);
            forms.push(v);
        }
        let mut v = vec!["help"];
        v.extend(path.iter());
        forms.push(v);
        let mut first: Option<String> = None;
        for f in &forms {
            let o = run(dir.path(), f);
            assert_eq!(code(&o), 0, "{f:?}: {}", stderr(&o));
            assert!(stderr(&o).is_empty(), "{f:?} wrote to stderr: {}", stderr(&o));
            let out = stdout(&o);
            assert!(out.starts_with("Usage: plinth"), "{f:?}: {out}");
            match &first {
                None => first = Some(out),
                Some(x) => assert_eq!(x, &out, "{f:?} differs from {:?}", forms[0]),
            }
        }
        let name = if path.is_empty() { "help_main".to_string() } else { format!("help_{}", path.join("_")) };
        insta::assert_snapshot!(name, first.unwrap_or_default());
    }
}

#[test]
fn no_arguments_prints_main_help() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(dir.path(), &[]);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).contains("Main commands:"));
}

#[test]
fn subcommand_groups_without_subcommand_print_their_help() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(dir.path(), &["state"]);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).contains("Subcommands:"));
    let o = run(dir.path(), &["workspace"]);
    assert!(stdout(&o).contains("new, list, show, select and delete workspaces."));
}

#[test]
fn help_for_unknown_command_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(dir.path(), &["help", "frobnicate"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("no such command"), "{}", stderr(&o));
}
