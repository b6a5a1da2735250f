//! The aws_kms key provider against moto's KMS (cargo feature `aws_kms`): GenerateDataKey
//! on encrypt, Decrypt of the stored ciphertext blob on decrypt. Skips, printing why, when
//! PLINTH_TEST_MOTO_ENDPOINT is absent (also read from `.tools/services.env`).
#![cfg(feature = "aws_kms")]

use plinth_encryption::Encryption;
use std::collections::BTreeMap;
use std::path::Path;

fn moto() -> Option<String> {
    if let Ok(v) = std::env::var("PLINTH_TEST_MOTO_ENDPOINT") {
        return Some(v);
    }
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.tools/services.env")).ok()?;
    text.lines()
        .filter_map(|l| l.trim_start_matches("export ").split_once('='))
        .find(|(k, _)| *k == "PLINTH_TEST_MOTO_ENDPOINT")
        .map(|(_, v)| v.to_string())
}

#[test]
fn aws_kms_round_trip_on_moto() {
    let Some(ep) = moto() else {
        eprintln!("skipping aws_kms_round_trip_on_moto: PLINTH_TEST_MOTO_ENDPOINT is not set");
        return;
    };
    let out = std::process::Command::new("curl")
        .args(["-s", "-X", "POST", &ep, "-H", "X-Amz-Target: TrentService.CreateKey", "-H", "Content-Type: application/x-amz-json-1.1", "-d", "{}", "--aws-sigv4", "aws:amz:us-east-1:kms", "--user", "test:test"])
        .output()
        .expect("curl");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("CreateKey answer");
    let key_id = v["KeyMetadata"]["KeyId"].as_str().expect("KeyId").to_string();
    std::env::set_var("AWS_ENDPOINT_URL_KMS", &ep);
    std::env::set_var("AWS_ACCESS_KEY_ID", "test");
    std::env::set_var("AWS_SECRET_ACCESS_KEY", "test");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf"),
        format!("terraform {{\n encryption {{\n key_provider \"aws_kms\" \"k\" {{\n kms_key_id = \"{key_id}\"\n region = \"us-east-1\"\n key_spec = \"AES_256\"\n }}\n method \"aes_gcm\" \"m\" {{ keys = key_provider.aws_kms.k }}\n state {{ method = method.aes_gcm.m }}\n }}\n}}\n"),
    )
    .unwrap();
    let (m, d) = plinth_lang::load_module_dir(dir.path(), &plinth_lang::SourceMap::default());
    assert!(!d.has_errors());
    let body = m.terraform.encryption.unwrap();
    let e = Encryption::from_body(&body, &BTreeMap::new()).unwrap();
    let sealed = e.encrypt_state(b"{\"secret\":1}").unwrap();
    let env: serde_json::Value = serde_json::from_slice(&sealed).unwrap();
    assert!(env["meta"]["key_provider.aws_kms.k"].is_string());
    // A new configuration (no cached key) decrypts through KMS Decrypt.
    let e2 = Encryption::from_body(&body, &BTreeMap::new()).unwrap();
    assert_eq!(e2.decrypt_state(&sealed).unwrap().data, b"{\"secret\":1}");
}
