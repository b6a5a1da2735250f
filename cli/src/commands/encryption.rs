//! State and plan encryption for commands: reads the root module's `terraform { encryption
//! { … } }` block (see `plinth-encryption`), wraps the state backend in
//! [`plinth_encryption::EncryptedBackend`], and encrypts/decrypts plan files.
//!
//! Variables in the block take their defaults and `TF_VAR_NAME` values (the block is
//! needed before `-var` values are collected, as in OpenTofu's early evaluation).

use plinth_encryption::{EncryptedBackend, Encryption};
use plinth_lang::Config;
use plinth_sdk::{Diagnostic, Value};
use plinth_state::StateBackend;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The configuration's encryption, if it has an `encryption` block.
pub fn encryption(config: Option<&Config>) -> Result<Option<Arc<Encryption>>, Diagnostic> {
    let Some(config) = config else { return Ok(None) };
    let Some(body) = config.root.terraform.encryption.as_ref() else { return Ok(None) };
    let mut vars = BTreeMap::new();
    for (name, v) in &config.root.variables {
        if let Ok(s) = std::env::var(format!("TF_VAR_{name}")) {
            vars.insert(name.clone(), Value::string(s));
        } else if let Some(d) = &v.default {
            vars.insert(name.clone(), d.clone());
        }
    }
    match Encryption::from_body(body, &vars) {
        Ok(e) => Ok(Some(Arc::new(e))),
        Err(diags) => Err(diags
            .into_iter()
            .find(|d| d.is_error())
            .unwrap_or_else(|| Diagnostic::bug("invalid encryption block", "no error was reported"))),
    }
}

/// `backend` wrapped in [`EncryptedBackend`] when the configuration has an encryption block.
pub fn wrap_backend(config: Option<&Config>, backend: Arc<dyn StateBackend>) -> Result<Arc<dyn StateBackend>, Diagnostic> {
    Ok(match encryption(config)? {
        Some(enc) => EncryptedBackend::wrap(backend, enc),
        None => backend,
    })
}

/// Plan file bytes to write (encrypted when the `plan` target says so).
pub fn encrypt_plan(config: Option<&Config>, bytes: Vec<u8>) -> Result<Vec<u8>, Diagnostic> {
    match encryption(config)? {
        Some(enc) => enc.encrypt_plan(&bytes),
        None => Ok(bytes),
    }
}

/// Plan file bytes as read (decrypted when encrypted). Without an encryption block an
/// encrypted plan is a clear error.
pub fn decrypt_plan(config: Option<&Config>, bytes: Vec<u8>) -> Result<Vec<u8>, Diagnostic> {
    match encryption(config)? {
        Some(enc) => enc.decrypt_plan(&bytes),
        None if plinth_encryption::is_envelope(&bytes) => Err(Diagnostic::error("the plan file is encrypted")
            .with_detail("This plan file is an encrypted envelope, and the configuration has no encryption block.")
            .with_help("run the command in the configuration that wrote the plan, with its encryption block")),
        None => Ok(bytes),
    }
}

/// Writes a plan file, encrypted when the configuration's `plan` target says so. An
/// encryption failure comes back as an I/O error naming it.
pub fn write_plan_file(config: Option<&Config>, path: &std::path::Path, bytes: Vec<u8>) -> std::io::Result<()> {
    let bytes = encrypt_plan(config, bytes)
        .map_err(|d| std::io::Error::other(format!("{}: {}", d.summary, d.detail.unwrap_or_default())))?;
    std::fs::write(path, bytes)
}

/// Plan file bytes as read from disk: an encrypted plan is decrypted with the encryption
/// block of the configuration in the working directory.
pub fn decrypt_plan_file(bytes: Vec<u8>) -> Result<Vec<u8>, Diagnostic> {
    if !plinth_encryption::is_envelope(&bytes) {
        return Ok(bytes);
    }
    let config = plinth_lang::load_config(std::path::Path::new(".")).0;
    decrypt_plan(config.as_ref(), bytes)
}
