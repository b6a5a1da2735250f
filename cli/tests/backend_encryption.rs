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
