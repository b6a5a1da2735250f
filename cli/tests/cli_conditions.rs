//! Custom conditions through the binary: resource preconditions/postconditions, output
//! preconditions and `check` blocks, compared with Terraform 1.11 where it is on the PATH
//! (summaries, locations and messages of the diagnostics; the plan itself byte for byte),
//! and snapshots of Plinth's own rendering.

mod e2e_support;
use e2e_support::*;

const FAILING: &str = r#"variable "n" {
  default = 1
}
resource "terraform_data" "a" {
  input = "x"
  lifecycle {
    precondition {
      condition     = var.n > 1
      error_message = "n must be > 1, got ${var.n}."
    }
  }
}
resource "terraform_data" "b" {
  input = "y"
}
output "o" {
  value = 1
  precondition {
    condition     = var.n > 5
    error_message = "Output needs n > 5."
  }
}
check "health" {
  assert {
    condition     = var.n == 2
    error_message = "n is not 2."
  }
}
"#;

const DEFERRED: &str = r#"resource "terraform_data" "b" {
  input = "y"
  lifecycle {
    postcondition {
      condition     = self.output == "z"
      error_message = "Output is ${self.output}."
    }
  }
}
check "later" {
  assert {
    condition     = terraform_data.b.output == "nope"
    error_message = "b output is not nope."
  }
}
output "o" {
  value = terraform_data.b.output
}
"#;

/// `Error: X` / `Warning: X`, `on FILE line N` and the message of every
/// diagnostic, whatever the box drawing around them.
fn diag_facts(s: &str) -> Vec<String> {
    let re_head = regex::Regex::new(r"^(Error|Warning): (.*)$").expect("regex");
    // `on FILE line N, in BLOCK:` (Terraform leaves `, in BLOCK` out when the subject is
    // the block's own header; Plinth always names it): compared as `on FILE line N`.
    let re_on = regex::Regex::new(r"^on (\S+) line (\d+)(, in .*)?:$").expect("regex");
    let lines: Vec<String> = s
        .lines()
        .map(|l| l.trim_start_matches('│').trim().to_string())
        .collect();
    let mut out = Vec::new();
    let mut in_diag = false;
    for (i, l) in lines.iter().enumerate() {
        if re_head.is_match(l) {
            out.push(l.clone());
            in_diag = true;
        } else if let (true, Some(c)) = (in_diag, re_on.captures(l)) {
            out.push(format!("on {} line {}", &c[1], &c[2]));
            // The message: the paragraph after the snippet's blank line, unwrapped (Terraform
            // wraps it at the terminal width, Plinth does not).
            let msg: Vec<&str> = lines[i + 1..]
                .iter()
                .skip_while(|x| !x.is_empty())
                .skip_while(|x| x.is_empty())
                .take_while(|x| !x.is_empty() && !x.starts_with('╵'))
                .map(String::as_str)
                .collect();
            out.push(msg.join(" "));
            in_diag = false;
        }
    }
    out.sort();
    out
}

fn actions_section(s: &str) -> String {
    let start = s.find("  # ").unwrap_or(0);
    let end = s[start..]
        .find("\nPlan:")
        .map(|i| start + i)
        .unwrap_or(s.len());
    s[start..end].to_string()
}

#[test]
fn failed_conditions_plan() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "main.tf", FAILING);
    plinth(tmp.path(), &["init", "-input=false"]).ok("plinth init");
    let p = plinth(tmp.path(), &["plan", "-input=false", "-no-color"]);
    if unavailable("failed_conditions_plan", &p) {
        return;
    }
    assert_eq!(p.code, 1, "{}{}", p.stdout, p.stderr);
    insta::assert_snapshot!("failed_conditions_plan_stdout", mask(&p.stdout));
    insta::assert_snapshot!("failed_conditions_plan_stderr", mask(&p.stderr));
    if !terraform_available("failed_conditions_plan") {
        return;
    }
    let tf = tempfile::tempdir().expect("tempdir");
    write(tf.path(), "main.tf", FAILING);
    terraform(tf.path(), &["init", "-input=false", "-no-color"]).ok("terraform init");
    let t = terraform(tf.path(), &["plan", "-input=false", "-no-color"]);
    assert_eq!(t.code, 1);
    assert_eq!(
        diag_facts(&format!("{}{}", p.stdout, p.stderr)),
        diag_facts(&format!("{}{}", t.stdout, t.stderr)),
        "diagnostics (left Plinth, right Terraform)"
    );
    assert_eq!(
        actions_section(&p.stdout),
        actions_section(&t.stdout),
        "planned actions (left Plinth, right Terraform)"
    );
    assert!(
        !p.stdout.contains("Changes to Outputs"),
        "an output whose precondition failed is not planned"
    );
}

#[test]
fn deferred_conditions_plan_and_apply() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "main.tf", DEFERRED);
    plinth(tmp.path(), &["init", "-input=false"]).ok("plinth init");
    let p = plinth(
        tmp.path(),
        &["plan", "-input=false", "-no-color", "-out=p.tfplan"],
    );
    if unavailable("deferred_conditions_plan_and_apply", &p) {
        return;
    }
    assert_eq!(p.code, 0, "{}{}", p.stdout, p.stderr);
    insta::assert_snapshot!("deferred_conditions_plan_stderr", mask(&p.stderr));
    let a = plinth(
        tmp.path(),
        &["apply", "-input=false", "-no-color", "p.tfplan"],
    );
    assert_eq!(a.code, 1, "{}{}", a.stdout, a.stderr);
    insta::assert_snapshot!("deferred_conditions_apply_stderr", mask(&a.stderr));
    assert_eq!(
        state_list(tmp.path()),
        vec!["terraform_data.b"],
        "the object is kept although its postcondition failed"
    );
    if !terraform_available("deferred_conditions_plan_and_apply") {
        return;
    }
    let tf = tempfile::tempdir().expect("tempdir");
    write(tf.path(), "main.tf", DEFERRED);
    terraform(tf.path(), &["init", "-input=false", "-no-color"]).ok("terraform init");
    let t = terraform(
        tf.path(),
        &["plan", "-input=false", "-no-color", "-out=p.tfplan"],
    );
    assert_eq!(
        diag_facts(&format!("{}{}", p.stdout, p.stderr)),
        diag_facts(&format!("{}{}", t.stdout, t.stderr)),
        "plan diagnostics (left Plinth, right Terraform)"
    );
    let ta = terraform(
        tf.path(),
        &["apply", "-input=false", "-no-color", "p.tfplan"],
    );
    assert_eq!(ta.code, 1);
    assert_eq!(
        diag_facts(&format!("{}{}", a.stdout, a.stderr)),
        diag_facts(&format!("{}{}", ta.stdout, ta.stderr)),
        "apply diagnostics (left Plinth, right Terraform)"
    );
}

const NO_REFERENCES: &str = r#"resource "terraform_data" "c" {
  input = "c"
  lifecycle {
    postcondition {
      condition     = 1 == 1
      error_message = "x."
    }
  }
}
output "o" {
  value = 1
  precondition {
    condition     = true
    error_message = "y."
  }
}
check "k" {
  assert {
    condition     = true
    error_message = "z."
  }
}
"#;

#[test]
fn conditions_without_references_are_invalid() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "main.tf", NO_REFERENCES);
    let v = plinth(tmp.path(), &["validate", "-no-color"]);
    if unavailable("conditions_without_references_are_invalid", &v) {
        return;
    }
    assert_eq!(v.code, 1, "{}{}", v.stdout, v.stderr);
    insta::assert_snapshot!("conditions_without_references_validate", mask(&v.stderr));
    if !terraform_available("conditions_without_references_are_invalid") {
        return;
    }
    let tf = tempfile::tempdir().expect("tempdir");
    write(tf.path(), "main.tf", NO_REFERENCES);
    let t = terraform(tf.path(), &["validate", "-no-color"]);
    assert_eq!(t.code, 1);
    let dedup = |mut v: Vec<String>| {
        v.dedup();
        v
    };
    assert_eq!(
        dedup(diag_facts(&format!("{}{}", v.stdout, v.stderr))),
        dedup(diag_facts(&format!("{}{}", t.stdout, t.stderr))),
        "validate diagnostics (left Plinth, right Terraform)"
    );
}
