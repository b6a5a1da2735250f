//! `plinth console` on standard input: values print as `terraform console` prints them,
//! variables and locals of the configuration and resources of the state are in scope, and
//! an error stops with status 1 and nothing more on stdout.

mod cli_common;
use cli_common::*;

#[test]
fn evaluates_lines_without_configuration() {
    let d = tempfile::tempdir().unwrap();
    let o = run_stdin(d.path(), &["console"], "1 + 1\n\n[\"a\", \"b\"]\n{ b = 1, a = \"x\" }\ntolist([])\nterraform.workspace\n");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "2\n[\n  \"a\",\n  \"b\",\n]\n{\n  \"a\" = \"x\"\n  \"b\" = 1\n}\ntolist([])\n\"default\"\n"
    );
}

#[test]
fn variables_and_locals_from_the_configuration() {
    let d = dir_with(&[(
        "main.tf",
        "variable \"name\" {\n  type = string\n}\nvariable \"secret\" {\n  default   = \"s3cr3t\"\n  sensitive = true\n}\nlocals {\n  greeting = \"hello ${var.name}\"\n}\n",
    )]);
    let o = run_stdin(d.path(), &["console", "-var", "name=world"], "local.greeting\nupper(var.name)\nvar.secret\n");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&o), "\"hello world\"\n\"WORLD\"\n(sensitive value)\n");
    let o = run_env(d.path(), &["console"], &[("TF_VAR_name", "env")]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn resources_come_from_the_state() {
    let state = state_json("4f4b2a1e-0000-4000-8000-000000000001", 3, &format!("[{}]", data_resource("a", "id-123", "hello")), "{}");
    let d = dir_with(&[
        ("main.tf", "resource \"terraform_data\" \"a\" {\n  input = \"hello\"\n}\n"),
        ("terraform.tfstate", &state),
    ]);
    let o = run_stdin(d.path(), &["console"], "terraform_data.a.id\nterraform_data.a.output\n");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&o), "\"id-123\"\n\"hello\"\n");
}

#[test]
fn errors_exit_1_with_a_diagnostic() {
    let d = tempfile::tempdir().unwrap();
    let o = run_stdin(d.path(), &["console"], "1 + 1\nvar.nope\n3\n");
    assert_eq!(code(&o), 1);
    assert_eq!(stdout(&o), "2\n");
    let e = stderr(&o);
    assert!(e.contains("Error: Reference to undeclared input variable"), "{e}");
    assert!(e.contains("var.nope"), "{e}");
}

#[test]
fn exit_stops_reading() {
    let d = tempfile::tempdir().unwrap();
    let o = run_stdin(d.path(), &["console"], "1\nexit\n2\n");
    assert_eq!(code(&o), 0);
    assert_eq!(stdout(&o), "1\n");
}

#[test]
fn matches_terraform_when_available() {
    let have_tf = std::process::Command::new("terraform").arg("version").env("TF_CLI_CONFIG_FILE", "/dev/null").output().is_ok_and(|o| o.status.success());
    if !have_tf {
        eprintln!("skipping: terraform is not installed");
        return;
    }
    let d = tempfile::tempdir().unwrap();
    for expr in ["[1, \"a\"]", "tomap({a = 1})", "toset([\"b\", \"a\"])", "\"multi\\nline\"", "1/3", "{x = [true]}"] {
        let tf = std::process::Command::new("terraform")
            .arg("console")
            .env("TF_CLI_CONFIG_FILE", "/dev/null")
            .current_dir(d.path())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut c| {
                use std::io::Write;
                c.stdin.take().unwrap().write_all(format!("{expr}\n").as_bytes())?;
                c.wait_with_output()
            })
            .unwrap();
        let ours = run_stdin(d.path(), &["console"], &format!("{expr}\n"));
        assert_eq!(stdout(&ours), String::from_utf8_lossy(&tf.stdout), "for {expr}");
    }
}

#[test]
fn plan_flag_evaluates_against_the_planned_state() {
    let d = dir_with(&[("main.tf", "resource \"terraform_data\" \"a\" {\n  input = \"planned\"\n}\n")]);
    let o = run_stdin(d.path(), &["console", "-plan"], "terraform_data.a.input\nterraform_data.a.id\n");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&o), "\"planned\"\n(known after apply)\n");
    // Without -plan the resource is not in the state yet: its value is unknown.
    let o = run_stdin(d.path(), &["console"], "terraform_data.a.input\n");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&o), "(known after apply)\n");
}
