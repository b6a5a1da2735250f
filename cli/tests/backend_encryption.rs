//! State and plan encryption from the command line (OpenTofu's `terraform { encryption }`):
//! the state file holds only an envelope, plans saved with `-out` are encrypted, a wrong
//! passphrase is a clear error, plaintext state migrates through a `fallback`, and an
//! enforced target refuses plaintext.

mod cli_common;
use cli_common::*;

const ENC: &str = r#"
variable "pass" {
  type      = string
  sensitive = true
}

terraform {
  encryption {
    key_provider "pbkdf2" "k" {
      passphrase = var.pass
      iterations = 200000
    }
    method "aes_gcm" "m" {
      keys = key_provider.pbkdf2.k
    }
    state {
      method   = method.aes_gcm.m
      enforced = true
    }
    plan {
      method   = method.aes_gcm.m
      enforced = true
    }
  }
}
"#;

const RES: &str = "resource \"terraform_data\" \"a\" {\n  input = \"topsecret-value\"\n}\n";

const PASS: (&str, &str) = ("TF_VAR_pass", "correct horse battery staple");

fn ok(o: &std::process::Output) {
    assert_eq!(code(o), 0, "stdout:\n{}\nstderr:\n{}", stdout(o), stderr(o));
}

#[test]
fn apply_writes_only_encrypted_state_and_plans_read_it_back() {
    let dir = dir_with(&[("main.tf", &format!("{ENC}{RES}"))]);
    let d = dir.path();
    ok(&run_env(d, &["init"], &[PASS]));
    ok(&run_env(d, &["apply", "-auto-approve"], &[PASS]));
    let raw = std::fs::read_to_string(d.join("terraform.tfstate")).unwrap();
    assert!(raw.contains("\"encryption_version\":\"v0\""), "{raw}");
    assert!(raw.contains("key_provider.pbkdf2.k"));
    assert!(!raw.contains("topsecret") && !raw.contains("terraform_data"), "plaintext leaked: {raw}");
    let v: serde_json::Value = serde_json::from_str(&raw).unwrap();
    assert!(v.get("version").is_none() && v.get("resources").is_none());

    let plan = run_env(d, &["plan", "-detailed-exitcode"], &[PASS]);
    assert_eq!(code(&plan), 0, "{}{}", stdout(&plan), stderr(&plan));
    assert!(stdout(&plan).contains("No changes."), "{}", stdout(&plan));

    // state pull shows the decrypted state; state list reads it.
    let pull = run_env(d, &["state", "pull"], &[PASS]);
    ok(&pull);
    assert!(stdout(&pull).contains("\"terraform_data\""));
    let list = run_env(d, &["state", "list"], &[PASS]);
    assert_eq!(stdout(&list).trim(), "terraform_data.a");

    // Without the block's key, Terraform-style readers see an encrypted state.
    let wrong = run_env(d, &["plan"], &[("TF_VAR_pass", "incorrect horse battery staple")]);
    assert_eq!(code(&wrong), 1);
    assert!(
        stderr(&wrong).contains("decrypting state: the key from key_provider.pbkdf2.k does not decrypt it; check the passphrase"),
        "{}",
        stderr(&wrong)
    );
}

#[test]
fn saved_plans_are_encrypted() {
    let dir = dir_with(&[("main.tf", &format!("{ENC}{RES}"))]);
    let d = dir.path();
    ok(&run_env(d, &["init"], &[PASS]));
    ok(&run_env(d, &["plan", "-out=tfplan"], &[PASS]));
    let raw = std::fs::read(d.join("tfplan")).unwrap();
    assert!(plinth_encryption::is_envelope(&raw), "plan file is not an encryption envelope");
    assert!(!String::from_utf8_lossy(&raw).contains("topsecret"));
    let show = run_env(d, &["show", "tfplan"], &[PASS]);
    ok(&show);
    assert!(stdout(&show).contains("terraform_data.a"), "{}", stdout(&show));
    ok(&run_env(d, &["apply", "tfplan"], &[PASS]));
    let list = run_env(d, &["state", "list"], &[PASS]);
    assert_eq!(stdout(&list).trim(), "terraform_data.a");
}

#[test]
fn plaintext_state_is_refused_when_enforced_and_migrated_with_a_fallback() {
    let dir = dir_with(&[("main.tf", RES)]);
    let d = dir.path();
    ok(&run(d, &["init"]));
    ok(&run(d, &["apply", "-auto-approve"]));
    assert!(std::fs::read_to_string(d.join("terraform.tfstate")).unwrap().contains("topsecret"));

    std::fs::write(d.join("main.tf"), format!("{ENC}{RES}")).unwrap();
    let refused = run_env(d, &["plan"], &[PASS]);
    assert_eq!(code(&refused), 1);
    assert!(stderr(&refused).contains("the state is not encrypted"), "{}", stderr(&refused));
    assert!(stderr(&refused).contains("fallback"), "{}", stderr(&refused));

    let migrating = ENC.replace(
        "    state {\n      method   = method.aes_gcm.m\n      enforced = true\n    }",
        "    method \"unencrypted\" \"migrate\" {}\n    state {\n      method   = method.aes_gcm.m\n      enforced = true\n      fallback {\n        method = method.unencrypted.migrate\n      }\n    }",
    );
    assert_ne!(migrating, ENC);
    std::fs::write(d.join("main.tf"), format!("{migrating}{RES}\nresource \"terraform_data\" \"b\" {{}}\n")).unwrap();
    ok(&run_env(d, &["apply", "-auto-approve"], &[PASS]));
    let raw = std::fs::read_to_string(d.join("terraform.tfstate")).unwrap();
    assert!(plinth_encryption::is_envelope(raw.as_bytes()), "{raw}");
    assert!(!raw.contains("topsecret"));
    // The backup of the old plaintext snapshot is what Terraform would keep too; the new
    // snapshot reads back with both resources.
    let list = run_env(d, &["state", "list"], &[PASS]);
    assert_eq!(stdout(&list).trim(), "terraform_data.a\nterraform_data.b");
}

/// Plinth's precedence for the encryption block's variables: default < TF_VAR_ <
/// terraform.tfvars < *.auto.tfvars < -var; a needed variable without a value is a clear
/// error in commands that have no -var option too.
#[test]
fn encryption_variables_come_from_every_source_with_plinths_precedence() {
    let right = PASS.1;
    let wrong = "incorrect horse battery staple";
    let dir = dir_with(&[("main.tf", &format!("{ENC}{RES}"))]);
    let d = dir.path();
    ok(&run(d, &["init"]));
    let var = format!("pass={right}");
    ok(&run(d, &["apply", "-auto-approve", "-var", &var]));
    assert!(plinth_encryption::is_envelope(&std::fs::read(d.join("terraform.tfstate")).unwrap()));
    let plan = run(d, &["plan", "-detailed-exitcode", "-var", &var]);
    assert_eq!(code(&plan), 0, "{}{}", stdout(&plan), stderr(&plan));

    // No value anywhere: plan stops at the variable, state list at the encryption block.
    let plan = run(d, &["plan", "-input=false"]);
    assert_eq!(code(&plan), 1);
    assert!(stderr(&plan).contains("No value for required variable"), "{}", stderr(&plan));
    let list = run(d, &["state", "list"]);
    assert_eq!(code(&list), 1, "{}", stdout(&list));
    let e = stderr(&list);
    assert!(e.contains("No value for variable \"pass\" used by the encryption block"), "{e}");
    assert!(e.contains("TF_VAR_pass") && e.contains("terraform.tfvars"), "{e}");
    assert!(e.contains("main.tf"), "points at the reference: {e}");

    let decrypt_err = "decrypting state: the key from key_provider.pbkdf2.k does not decrypt it";
    // terraform.tfvars counts (for plan and for state commands).
    std::fs::write(d.join("terraform.tfvars"), format!("pass = \"{right}\"\n")).unwrap();
    ok(&run(d, &["state", "list"]));
    let plan = run(d, &["plan", "-detailed-exitcode"]);
    assert_eq!(code(&plan), 0, "{}", stderr(&plan));
    // … and overrides TF_VAR_.
    let env_loses = run_env(d, &["state", "list"], &[("TF_VAR_pass", wrong)]);
    assert_eq!(code(&env_loses), 0, "tfvars beats TF_VAR_: {}", stderr(&env_loses));
    std::fs::write(d.join("terraform.tfvars"), format!("pass = \"{wrong}\"\n")).unwrap();
    let file_wins = run_env(d, &["state", "list"], &[PASS]);
    assert_eq!(code(&file_wins), 1);
    assert!(stderr(&file_wins).contains(decrypt_err), "{}", stderr(&file_wins));
    // -var beats the files.
    let plan = run(d, &["plan", "-detailed-exitcode", "-var", &var]);
    assert_eq!(code(&plan), 0, "-var beats terraform.tfvars: {}", stderr(&plan));
    // *.auto.tfvars beats terraform.tfvars; -var-file is read too.
    std::fs::write(d.join("x.auto.tfvars"), format!("pass = \"{right}\"\n")).unwrap();
    ok(&run(d, &["state", "list"]));
    std::fs::write(d.join("x.auto.tfvars"), format!("pass = \"{wrong}\"\n")).unwrap();
    std::fs::write(d.join("right.tfvars"), format!("pass = \"{right}\"\n")).unwrap();
    let plan = run(d, &["plan", "-detailed-exitcode", "-var-file=right.tfvars"]);
    assert_eq!(code(&plan), 0, "-var-file: {}", stderr(&plan));
    let plan = run(d, &["plan"]);
    assert_eq!(code(&plan), 1);
    assert!(stderr(&plan).contains(decrypt_err), "{}", stderr(&plan));
}

/// `local.*` in the encryption block, computed from variables and functions.
#[test]
fn encryption_block_uses_locals() {
    let enc = ENC.replace("passphrase = var.pass", "passphrase = local.passphrase")
        + "locals {\n  passphrase = \"${upper(var.pass)}-and-some-more-words\"\n}\n";
    let dir = dir_with(&[("main.tf", &format!("{enc}{RES}"))]);
    let d = dir.path();
    ok(&run(d, &["init"]));
    ok(&run(d, &["apply", "-auto-approve", "-var", "pass=short"]));
    let plan = run(d, &["plan", "-detailed-exitcode", "-var", "pass=short"]);
    assert_eq!(code(&plan), 0, "{}{}", stdout(&plan), stderr(&plan));
    let wrong = run(d, &["plan", "-var", "pass=other"]);
    assert_eq!(code(&wrong), 1);
    assert!(stderr(&wrong).contains("does not decrypt it"), "{}", stderr(&wrong));
    // The same passphrase written out reads the state: the local was evaluated as written.
    let literal = ENC.replace("passphrase = var.pass", "passphrase = \"SHORT-and-some-more-words\"");
    std::fs::write(d.join("main.tf"), format!("{literal}{RES}")).unwrap();
    let list = run(d, &["state", "list"]);
    assert_eq!(stdout(&list).trim(), "terraform_data.a", "{}", stderr(&list));
    // A local that depends on a resource is refused with a reason.
    let bad = ENC.replace("passphrase = var.pass", "passphrase = local.p") + "locals {\n  p = terraform_data.a.output\n}\n";
    std::fs::write(d.join("main.tf"), format!("{bad}{RES}")).unwrap();
    let o = run(d, &["plan", "-var", "pass=short"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("Invalid reference in the encryption block"), "{}", stderr(&o));
}

/// An encrypted saved plan: `apply -var` may repeat the plan's values (the encryption block
/// needs them to decrypt the plan and the state, as in OpenTofu); other values are refused.
#[test]
fn saved_encrypted_plan_applies_with_the_encryption_variables_given_again() {
    let res = "variable \"name\" {\n  type = string\n}\nresource \"terraform_data\" \"a\" {\n  input = var.name\n}\n";
    let dir = dir_with(&[("main.tf", &format!("{ENC}{res}"))]);
    let d = dir.path();
    let pass = format!("pass={}", PASS.1);
    ok(&run(d, &["init"]));
    ok(&run(d, &["plan", "-out=tfplan", "-var", &pass, "-var", "name=one"]));
    // Without the passphrase the plan cannot be read, and the error says how to give it.
    let o = run(d, &["apply", "tfplan"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("No value for variable \"pass\" used by the encryption block"), "{}", stderr(&o));
    // A different value for another variable is refused.
    let o = run(d, &["apply", "-var", &pass, "-var", "name=two", "tfplan"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("Mismatch between the saved plan's variables and the apply's"), "{}", stderr(&o));
    assert!(stderr(&o).contains("var.name"), "{}", stderr(&o));
    // The plan's own values: applied.
    let o = run(d, &["apply", "-var", &pass, "-var", "name=one", "tfplan"]);
    ok(&o);
    assert!(stdout(&o).contains("Apply complete! Resources: 1 added"), "{}", stdout(&o));
    let list = run_env(d, &["state", "list"], &[PASS]);
    assert_eq!(stdout(&list).trim(), "terraform_data.a", "{}", stderr(&list));
}
