//! Argument parsing: Terraform's single-dash flags, `-flag=value` and `-flag value`,
//! `--flag`, boolean flags with `=false`, repeatable flags, global options and help routing.

use plinth::args::{parse, Command, Invocation, StateCommand, WorkspaceCommand};
use std::time::Duration;

fn run(argv: &[&str]) -> Command {
    match parse(argv) {
        Ok(Invocation::Run { command, .. }) => command,
        other => panic!("expected a command for {argv:?}, got {other:?}"),
    }
}

fn help(argv: &[&str]) -> Vec<String> {
    match parse(argv) {
        Ok(Invocation::Help(p)) => p,
        other => panic!("expected help for {argv:?}, got {other:?}"),
    }
}

#[test]
fn plan_flags_in_every_spelling() {
    let Command::Plan(p) = run(&[
        "plan", "-var", "a=b", "-var=c=d", "--var", "e=f", "-var-file=x.tfvars", "-out", "tfplan",
        "-lock=false", "-lock-timeout=10s", "-refresh=false", "-target=aws_vpc.a", "-target",
        "module.b", "-replace=random_id.x", "-parallelism=3", "-detailed-exitcode", "-json",
        "-no-color", "-input=false",
    ]) else {
        panic!("not a plan")
    };
    assert_eq!(p.plan.vars.vars, ["a=b", "c=d", "e=f"]);
    assert_eq!(p.plan.vars.var_files, [std::path::PathBuf::from("x.tfvars")]);
    assert_eq!(p.out.as_deref(), Some(std::path::Path::new("tfplan")));
    assert!(!p.plan.lock.lock);
    assert_eq!(p.plan.lock.lock_timeout, Duration::from_secs(10));
    assert!(!p.plan.refresh);
    assert_eq!(p.plan.target, ["aws_vpc.a", "module.b"]);
    assert_eq!(p.plan.replace, ["random_id.x"]);
    assert_eq!(p.plan.parallelism, 3);
    assert!(p.detailed_exitcode && p.plan.json && p.plan.ui.no_color && !p.plan.ui.input);
}

#[test]
fn defaults() {
    let Command::Plan(p) = run(&["plan"]) else { panic!() };
    assert!(p.plan.lock.lock && p.plan.refresh && p.plan.ui.input);
    assert_eq!(p.plan.parallelism, 10);
    assert_eq!(p.plan.lock.lock_timeout, Duration::ZERO);
    assert!(!p.plan.destroy && !p.plan.refresh_only);
}

#[test]
fn boolean_flags_take_explicit_values() {
    let Command::Apply(a) = run(&["apply", "-auto-approve", "-lock=true", "-refresh=true"]) else { panic!() };
    assert!(a.auto_approve && a.plan.lock.lock && a.plan.refresh);
    let Command::Apply(a) = run(&["apply", "-auto-approve=false"]) else { panic!() };
    assert!(!a.auto_approve);
    let Command::Fmt(f) = run(&["fmt", "-list=false", "-write=false", "-check", "-recursive"]) else { panic!() };
    assert!(!f.list && !f.write && f.check && f.recursive);
}

#[test]
fn apply_with_plan_file_and_destroy_alias() {
    let Command::Apply(a) = run(&["apply", "-auto-approve", "tfplan"]) else { panic!() };
    assert_eq!(a.plan_file.as_deref(), Some(std::path::Path::new("tfplan")));
    let Command::Destroy(d) = run(&["destroy", "-auto-approve", "-target=a.b"]) else { panic!() };
    assert!(d.plan.destroy && d.auto_approve && d.plan_file.is_none());
    let Command::Apply(a) = run(&["apply", "-destroy", "-refresh-only"]) else { panic!() };
    assert!(a.plan.destroy && a.plan.refresh_only);
}

#[test]
fn chdir_before_subcommand() {
    match parse(&["-chdir=infra", "plan"]).unwrap() {
        Invocation::Run { chdir, command: Command::Plan(_) } => {
            assert_eq!(chdir.as_deref(), Some(std::path::Path::new("infra")))
        }
        other => panic!("{other:?}"),
    }
    match parse(&["--chdir", "x", "validate", "-json", "dir"]).unwrap() {
        Invocation::Run { chdir, command: Command::Validate(v) } => {
            assert_eq!(chdir.as_deref(), Some(std::path::Path::new("x")));
            assert!(v.json);
            assert_eq!(v.dir.as_deref(), Some(std::path::Path::new("dir")));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn help_routes() {
    assert!(help(&[]).is_empty());
    assert!(help(&["-help"]).is_empty());
    assert!(help(&["--help"]).is_empty());
    assert_eq!(help(&["plan", "-help"]), ["plan"]);
    assert_eq!(help(&["plan", "--help"]), ["plan"]);
    assert_eq!(help(&["plan", "-h"]), ["plan"]);
    assert_eq!(help(&["help", "plan"]), ["plan"]);
    assert_eq!(help(&["state"]), ["state"]);
    assert_eq!(help(&["state", "mv", "-help"]), ["state", "mv"]);
    assert_eq!(help(&["help", "workspace", "new"]), ["workspace", "new"]);
}

#[test]
fn version_aliases() {
    assert!(matches!(run(&["-version"]), Command::Version(v) if !v.json));
    assert!(matches!(run(&["-v"]), Command::Version(_)));
    assert!(matches!(run(&["version", "-json"]), Command::Version(v) if v.json));
}

#[test]
fn fmt_reads_stdin_with_a_dash() {
    let Command::Fmt(f) = run(&["fmt", "-"]) else { panic!() };
    assert_eq!(f.targets, ["-"]);
    let Command::Fmt(f) = run(&["fmt", "-check", "a.tf", "dir"]) else { panic!() };
    assert_eq!(f.targets, ["a.tf", "dir"]);
}

#[test]
fn state_and_workspace_subcommands() {
    assert!(matches!(run(&["state", "list"]), Command::State(StateCommand::List(_))));
    let Command::State(StateCommand::Mv(m)) = run(&["state", "mv", "-dry-run", "a.b", "a.c"]) else { panic!() };
    assert!(m.dry_run);
    assert_eq!((m.source.as_str(), m.destination.as_str()), ("a.b", "a.c"));
    let Command::State(StateCommand::Rm(r)) = run(&["state", "rm", "a.b", "c.d"]) else { panic!() };
    assert_eq!(r.addresses, ["a.b", "c.d"]);
    let Command::State(StateCommand::Push(p)) = run(&["state", "push", "-force", "-"]) else { panic!() };
    assert!(p.force);
    assert_eq!(p.path, "-");
    let Command::Workspace(WorkspaceCommand::New(n)) = run(&["workspace", "new", "-lock=false", "dev"]) else { panic!() };
    assert_eq!(n.name, "dev");
    assert!(!n.lock.lock);
    let Command::Workspace(WorkspaceCommand::Select(s)) = run(&["workspace", "select", "-or-create", "x"]) else { panic!() };
    assert!(s.or_create);
    assert!(matches!(run(&["env", "list"]), Command::Workspace(WorkspaceCommand::List(_))));
    let Command::ForceUnlock(f) = run(&["force-unlock", "-force", "1234-abcd"]) else { panic!() };
    assert!(f.force);
    assert_eq!(f.lock_id, "1234-abcd");
}

#[test]
fn show_output_import_graph() {
    let Command::Show(s) = run(&["show", "-json", "tfplan"]) else { panic!() };
    assert!(s.json);
    let Command::Show(s) = run(&["show", "-format=markdown", "tfplan"]) else { panic!() };
    assert_eq!(s.format.as_deref(), Some("markdown"));
    let Command::Output(o) = run(&["output", "-raw", "name"]) else { panic!() };
    assert!(o.raw);
    assert_eq!(o.name.as_deref(), Some("name"));
    let Command::Import(i) = run(&["import", "-var", "a=1", "random_id.x", "abc"]) else { panic!() };
    assert_eq!((i.address.as_str(), i.id.as_str()), ("random_id.x", "abc"));
    let Command::Graph(g) = run(&["graph", "-format=mermaid"]) else { panic!() };
    assert_eq!(g.format, "mermaid");
    let Command::Graph(g) = run(&["graph"]) else { panic!() };
    assert_eq!(g.format, "dot");
}

#[test]
fn errors() {
    let e = parse(&["plan", "-bogus"]).unwrap_err();
    assert_eq!(e.command, ["plan"]);
    assert!(e.message.contains("-bogus"), "{}", e.message);
    let e = parse(&["paln"]).unwrap_err();
    assert!(e.message.contains("Did you mean \"plan\""), "{}", e.message);
    let e = parse(&["plan", "-lock-timeout=soon"]).unwrap_err();
    assert!(e.message.contains("invalid duration"), "{}", e.message);
    let e = parse(&["state", "frobnicate"]).unwrap_err();
    assert!(e.message.contains("list, mv, pull, push, rm, show"), "{}", e.message);
    assert!(parse(&["plan", "-parallelism=0"]).is_err());
    assert!(parse(&["import", "only-one"]).is_err());
    assert!(parse(&["-chdir"]).is_err());
}

#[test]
fn var_and_var_file_keep_their_order() {
    use plinth::args::VarArg;
    let Command::Apply(a) = run(&["apply", "-var-file=a.tfvars", "-var", "x=1", "--var-file", "b.tfvars", "-var=y=2"]) else { panic!() };
    assert_eq!(
        a.plan.vars.ordered,
        [
            VarArg::File("a.tfvars".into()),
            VarArg::Var("x=1".into()),
            VarArg::File("b.tfvars".into()),
            VarArg::Var("y=2".into()),
        ]
    );
}
