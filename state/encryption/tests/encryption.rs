//! State and plan encryption: round trips, wrong keys, fallback migration, enforcement, what
//! reaches the backend, and the sealed journal.

use plinth_encryption::{EncryptedBackend, Encryption};
use plinth_sdk::Value;
use plinth_state::*;
use std::collections::BTreeMap;
use std::sync::Arc;

const PBKDF2: &str = r#"
  key_provider "pbkdf2" "k" {
    passphrase = var.pass
    iterations = 200000
  }
  method "aes_gcm" "m" {
    keys = key_provider.pbkdf2.k
  }
"#;

fn enc_in(dir: &std::path::Path, block: &str, pass: &str) -> Result<Encryption, Vec<String>> {
    std::fs::write(dir.join("main.tf"), format!("terraform {{\n  encryption {{\n{block}\n  }}\n}}\n")).unwrap();
    let (m, d) = plinth_lang::load_module_dir(dir, &plinth_lang::SourceMap::default());
    assert!(!d.has_errors(), "{d:?}");
    let body = m.terraform.encryption.expect("encryption block");
    let mut vars = BTreeMap::new();
    vars.insert("pass".to_string(), Value::string(pass));
    Encryption::from_body_in(&body, &vars, &dir.join("keys")).map_err(|d| d.into_iter().map(|d| format!("{}: {}", d.summary, d.detail.unwrap_or_default())).collect())
}

fn enc(block: &str, pass: &str) -> Result<Encryption, Vec<String>> {
    let dir = tempfile::tempdir().unwrap();
    enc_in(dir.path(), block, pass)
}

fn sample_state(n: usize) -> State {
    let mut st = State::new();
    for i in 0..n {
        st.set_instance(
            &InstanceAddr::managed("terraform_data", &format!("r{i}"), None),
            "provider[\"terraform.io/builtin/terraform\"]",
            None,
            InstanceState::new(0, serde_json::json!({"id": format!("id-{i}"), "secret": "hunter2"})),
        );
    }
    st
}

const STATE_ENFORCED: &str = "state {\n method = method.aes_gcm.m\n enforced = true\n }\n plan {\n method = method.aes_gcm.m\n }";

#[test]
fn round_trip_uses_opentofu_envelope() {
    let e = enc(&format!("{PBKDF2}{STATE_ENFORCED}"), "correct horse battery staple").unwrap();
    let plain = sample_state(2).to_json();
    let out = e.encrypt_state(&plain).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["encryption_version"], "v0");
    let meta = v["meta"]["key_provider.pbkdf2.k"].as_str().unwrap();
    let meta: serde_json::Value = serde_json::from_slice(&base64_decode(meta)).unwrap();
    assert_eq!(meta["iterations"], 200000);
    assert_eq!(meta["hash_function"], "sha512");
    assert_eq!(meta["key_length"], 32);
    assert!(!String::from_utf8_lossy(&out).contains("hunter2"));
    let d = e.decrypt_state(&out).unwrap();
    assert_eq!(d.data, plain);
    assert!(!d.was_plaintext);
    // A fresh process (new salt cache) still decrypts it.
    let e2 = enc(&format!("{PBKDF2}{STATE_ENFORCED}"), "correct horse battery staple").unwrap();
    assert_eq!(e2.decrypt_state(&out).unwrap().data, plain);
}

fn base64_decode(s: &str) -> Vec<u8> {
    // Small standalone decoder so the test does not depend on the crate's internals.
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let mut buf = 0u32;
    let mut bits = 0;
    for c in s.bytes().filter(|&c| c != b'=') {
        let v = alphabet.iter().position(|&a| a == c).unwrap() as u32;
        buf = (buf << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
            buf &= (1 << bits) - 1;
        }
    }
    out
}

#[test]
fn wrong_passphrase_is_a_clear_error() {
    let e = enc(&format!("{PBKDF2}{STATE_ENFORCED}"), "correct horse battery staple").unwrap();
    let out = e.encrypt_state(b"{}").unwrap();
    let bad = enc(&format!("{PBKDF2}{STATE_ENFORCED}"), "incorrect horse battery staple").unwrap();
    let err = bad.decrypt_state(&out).unwrap_err();
    assert_eq!(err.summary, "decrypting state: the key from key_provider.pbkdf2.k does not decrypt it; check the passphrase");
}

#[test]
fn config_errors_are_reported_together() {
    let errs = enc(
        r#"key_provider "pbkdf2" "k" {
    passphrase = "short"
    iterations = 1000
  }
  method "aes_gcm" "m" { keys = key_provider.pbkdf2.nope }
  state { method = method.unencrypted.x }"#,
        "",
    )
    .unwrap_err();
    let all = errs.join("\n");
    assert!(all.contains("passphrase is too short"), "{all}");
    assert!(all.contains("too few pbkdf2 iterations"), "{all}");
    assert!(all.contains("Reference to undeclared"), "{all}");
    assert!(errs.len() >= 4, "{all}");
}

#[test]
fn enforced_refuses_plaintext_and_fallback_migrates_it() {
    let strict = enc(&format!("{PBKDF2}{STATE_ENFORCED}"), "correct horse battery staple").unwrap();
    let plain = sample_state(1).to_json();
    let err = strict.decrypt_state(&plain).unwrap_err();
    assert_eq!(err.summary, "the state is not encrypted");
    assert!(err.detail.unwrap().contains("enforced = true"));
    assert!(err.help[0].contains("fallback { method = method.unencrypted.migrate }"));

    let migrating = enc(
        &format!("{PBKDF2}\nmethod \"unencrypted\" \"migrate\" {{}}\nstate {{\n method = method.aes_gcm.m\n fallback {{\n method = method.unencrypted.migrate\n }}\n }}"),
        "correct horse battery staple",
    )
    .unwrap();
    let d = migrating.decrypt_state(&plain).unwrap();
    assert!(d.was_plaintext && d.used_fallback);
    assert_eq!(d.data, plain);

    let unenc_enforced = enc("method \"unencrypted\" \"u\" {}\nstate {\n method = method.unencrypted.u\n enforced = true\n }", "").unwrap_err();
    assert!(unenc_enforced[0].contains("unencrypted state with enforced = true"), "{unenc_enforced:?}");
}

#[test]
fn key_rotation_reads_with_the_fallback_key() {
    let old = enc(&format!("{PBKDF2}{STATE_ENFORCED}"), "the old passphrase!!").unwrap();
    let stored = old.encrypt_state(b"{\"x\":1}").unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("variables.tf"), "").unwrap();
    let rotated = enc_in(
        dir.path(),
        r#"key_provider "pbkdf2" "new" {
    passphrase = "the new passphrase!!"
    iterations = 200000
  }
  key_provider "pbkdf2" "k" {
    passphrase = var.pass
    iterations = 200000
  }
  method "aes_gcm" "new" { keys = key_provider.pbkdf2.new }
  method "aes_gcm" "m" { keys = key_provider.pbkdf2.k }
  state {
    method = method.aes_gcm.new
    fallback { method = method.aes_gcm.m }
  }"#,
        "the old passphrase!!",
    )
    .unwrap();
    let d = rotated.decrypt_state(&stored).unwrap();
    assert!(d.used_fallback);
    let again = rotated.encrypt_state(&d.data).unwrap();
    assert!(String::from_utf8_lossy(&again).contains("key_provider.pbkdf2.new"));
}

#[test]
fn plan_files_are_encrypted() {
    let e = enc(&format!("{PBKDF2}{STATE_ENFORCED}"), "correct horse battery staple").unwrap();
    let plan = b"PK\x03\x04 pretend zip with secret hunter2".to_vec();
    let out = e.encrypt_plan(&plan).unwrap();
    assert!(plinth_encryption::is_envelope(&out));
    assert!(!out.windows(7).any(|w| w == b"hunter2"));
    assert_eq!(e.decrypt_plan(&out).unwrap(), plan);
}

#[test]
fn keyring_provider_stores_a_key_and_says_where() {
    let dir = tempfile::tempdir().unwrap();
    let user = format!("plinth-test-{}", std::process::id());
    let block = format!(
        "key_provider \"keyring\" \"k\" {{\n service = \"plinth-test\"\n user = \"{user}\"\n }}\n method \"aes_gcm\" \"m\" {{ keys = key_provider.keyring.k }}\n state {{ method = method.aes_gcm.m }}"
    );
    let e = enc_in(dir.path(), &block, "").unwrap();
    let out = e.encrypt_state(b"{\"a\":1}").unwrap();
    let stores = e.key_stores();
    assert_eq!(stores.len(), 1, "{stores:?}");
    println!("keyring key stored in {}", stores[0].1);
    match &stores[0].1 {
        plinth_encryption::KeyStore::File(p) => {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(p).unwrap().permissions().mode() & 0o777, 0o600);
        }
        plinth_encryption::KeyStore::OsKeyring | plinth_encryption::KeyStore::Env(_) => {}
    }
    let e2 = enc_in(dir.path(), &block, "").unwrap();
    assert_eq!(e2.decrypt_state(&out).unwrap().data, b"{\"a\":1}");
}

#[tokio::test]
async fn backend_never_stores_plaintext_and_the_journal_is_sealed() {
    let dir = tempfile::tempdir().unwrap();
    let e = Arc::new(enc(&format!("{PBKDF2}{STATE_ENFORCED}"), "correct horse battery staple").unwrap());
    let inner: Arc<dyn StateBackend> = Arc::new(LocalBackend::new(dir.path()));
    let b = EncryptedBackend::wrap(inner.clone(), e.clone());
    let mut st = sample_state(3);
    st.serial = 1;
    b.write("default", &st).await.unwrap();
    let raw = std::fs::read(dir.path().join("terraform.tfstate")).unwrap();
    assert!(State::from_json(&raw).is_err(), "the stored file must not be a readable state");
    assert!(!String::from_utf8_lossy(&raw).contains("hunter2"));
    assert!(matches!(inner.read("default").await, Err(StateError::Encrypted { .. })));
    assert_eq!(inner.read("default").await.unwrap_err().to_diagnostic().summary, "the state is encrypted");
    assert_eq!(b.read("default").await.unwrap().unwrap(), st);

    // Journal: a run that dies after recording a change leaves only sealed records.
    let (mut m, _) = StateManager::open(b.clone(), "default", Some(LockInfo::new("OperationTypeApply")), std::time::Duration::ZERO)
        .await
        .unwrap();
    m.record(InstanceChange::Set {
        addr: InstanceAddr::managed("terraform_data", "journaled", None),
        provider: "provider[\"terraform.io/builtin/terraform\"]".into(),
        each: None,
        instance: InstanceState::new(0, serde_json::json!({"id": "j", "secret": "hunter2"})),
    })
    .await
    .unwrap();
    let jp = b.journal_path("default");
    let journal = std::fs::read_to_string(&jp).unwrap();
    assert!(!journal.is_empty());
    assert!(!journal.contains("hunter2") && !journal.contains("journaled"), "{journal}");
    m.release().await.unwrap();
    // The next run recovers the sealed change.
    let (m2, rec) = StateManager::open(b.clone(), "default", Some(LockInfo::new("OperationTypeApply")), std::time::Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(rec.changes_replayed, 1);
    assert_eq!(m2.state().instances().count(), 4);
    m2.close().await.unwrap();
    let raw = std::fs::read(dir.path().join("terraform.tfstate")).unwrap();
    assert!(!String::from_utf8_lossy(&raw).contains("journaled"));
}

#[tokio::test]
async fn plaintext_state_migrates_on_next_write() {
    let dir = tempfile::tempdir().unwrap();
    let inner: Arc<dyn StateBackend> = Arc::new(LocalBackend::new(dir.path()));
    let mut st = sample_state(1);
    st.serial = 1;
    inner.write("default", &st).await.unwrap();

    let strict = Arc::new(enc(&format!("{PBKDF2}{STATE_ENFORCED}"), "correct horse battery staple").unwrap());
    let err = EncryptedBackend::wrap(inner.clone(), strict).read("default").await.unwrap_err();
    assert_eq!(err.to_diagnostic().summary, "the state is not encrypted");

    let e = Arc::new(
        enc(
            &format!("{PBKDF2}\nmethod \"unencrypted\" \"migrate\" {{}}\nstate {{\n method = method.aes_gcm.m\n enforced = true\n fallback {{\n method = method.unencrypted.migrate\n }}\n }}"),
            "correct horse battery staple",
        )
        .unwrap(),
    );
    let b = EncryptedBackend::new(inner.clone(), e);
    let got = b.read("default").await.unwrap().unwrap();
    assert!(b.migration_pending());
    let mut next = got.clone();
    next.serial += 1;
    b.write("default", &next).await.unwrap();
    assert!(!b.migration_pending());
    let raw = std::fs::read(dir.path().join("terraform.tfstate")).unwrap();
    assert!(plinth_encryption::is_envelope(&raw));
    assert_eq!(b.read("default").await.unwrap().unwrap(), next);
}

/// Loads `main.tf` (`text`) and evaluates its encryption block with `vars`.
fn module_enc(text: &str, vars: &[(&str, &str)]) -> Result<Encryption, Vec<String>> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), text).unwrap();
    let (m, d) = plinth_lang::load_module_dir(dir.path(), &plinth_lang::SourceMap::default());
    assert!(!d.has_errors(), "{d:?}");
    let vars: BTreeMap<String, Value> = vars.iter().map(|(k, v)| (k.to_string(), Value::string(*v))).collect();
    match Encryption::from_module_in(&m, &vars, &dir.path().join("keys")) {
        Ok(e) => Ok(e.expect("the module has an encryption block")),
        Err(d) => Err(d.into_iter().map(|d| format!("{}: {} | {}", d.summary, d.detail.unwrap_or_default(), d.help.join(" "))).collect()),
    }
}

const VAR_BLOCK: &str = r#"
variable "passphrase" {
  type      = string
  sensitive = true
}
terraform {
  encryption {
    key_provider "pbkdf2" "k" {
      passphrase = var.passphrase
      iterations = 200000
    }
    method "aes_gcm" "m" {
      keys = key_provider.pbkdf2.k
    }
    state {
      method = method.aes_gcm.m
    }
  }
}
"#;

#[test]
fn a_variable_without_default_takes_the_callers_value_or_says_how_to_set_it() {
    let e = module_enc(VAR_BLOCK, &[("passphrase", "correct horse battery staple")]).unwrap();
    let sealed = e.encrypt_state(b"{}").unwrap();
    let again = module_enc(VAR_BLOCK, &[("passphrase", "correct horse battery staple")]).unwrap();
    assert_eq!(again.decrypt_state(&sealed).unwrap().data, b"{}");

    let errs = module_enc(VAR_BLOCK, &[]).unwrap_err();
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].starts_with("No value for variable \"passphrase\" used by the encryption block: The encryption configuration refers to var.passphrase (declared at "), "{errs:?}");
    assert!(errs[0].contains("-var 'passphrase=…'") && errs[0].contains("terraform.tfvars") && errs[0].contains("TF_VAR_passphrase"), "{errs:?}");

    // Undeclared stays an error of its own.
    let errs = module_enc(&VAR_BLOCK.replace("var.passphrase", "var.nope"), &[("passphrase", "x")]).unwrap_err();
    assert!(errs[0].starts_with("Reference to undeclared input variable"), "{errs:?}");
}

#[test]
fn locals_are_evaluated_from_variables_and_functions() {
    let text = VAR_BLOCK.replace("var.passphrase", "local.pass")
        + "locals {\n  prefix = upper(var.passphrase)\n  pass   = \"${local.prefix}-${join(\"-\", [\"battery\", \"staple\"])}\"\n}\n";
    let e = module_enc(&text, &[("passphrase", "horse")]).unwrap();
    let sealed = e.encrypt_state(b"{}").unwrap();
    // The same key as a literal passphrase of the computed value.
    let lit = module_enc(&VAR_BLOCK.replace("var.passphrase", "\"HORSE-battery-staple\""), &[]).unwrap();
    assert_eq!(lit.decrypt_state(&sealed).unwrap().data, b"{}");
    let other = module_enc(&text, &[("passphrase", "mouse")]).unwrap();
    assert!(other.decrypt_state(&sealed).is_err());

    // A local that needs a resource cannot be known this early.
    let bad = VAR_BLOCK.replace("var.passphrase", "local.pass") + "locals {\n  pass = terraform_data.x.output\n}\n";
    let errs = module_enc(&bad, &[("passphrase", "x")]).unwrap_err();
    assert!(errs[0].starts_with("Invalid reference in the encryption block"), "{errs:?}");
    // Cycles and undeclared locals.
    let cyc = VAR_BLOCK.replace("var.passphrase", "local.a") + "locals {\n  a = local.b\n  b = \"${local.a}x\"\n}\n";
    let errs = module_enc(&cyc, &[]).unwrap_err();
    assert!(errs[0].starts_with("Cycle in local values used by the encryption block"), "{errs:?}");
    assert!(errs[0].contains("local.a → local.b → local.a"), "{errs:?}");
    let errs = module_enc(&VAR_BLOCK.replace("var.passphrase", "local.none"), &[]).unwrap_err();
    assert!(errs[0].starts_with("Reference to undeclared local value"), "{errs:?}");
    // A local using a variable without a value names the variable.
    let errs = module_enc(&text, &[]).unwrap_err();
    assert!(errs[0].starts_with("No value for variable \"passphrase\""), "{errs:?}");
}
