//! State and plan encryption for commands: reads the root module's `terraform { encryption
//! { … } }` block (see `plinth-encryption`), wraps the state backend in
//! [`plinth_encryption::EncryptedBackend`], and encrypts/decrypts plan files.
//!
//! The block may use root variables and locals (OpenTofu's early evaluation). Variables take
//! Plinth's usual precedence: the values [`crate::commands::workdir::variables`] collected for
//! this command (`-var`, `-var-file`, tfvars, `TF_VAR_NAME`, defaults, answers typed at a
//! prompt) once it ran; before that, or in commands without `-var` options (`state`,
//! `output`, `workspace`, `show`), tfvars files, `TF_VAR_NAME` and defaults. A variable the
//! block needs that has no value is an error saying how to set it.

use plinth_encryption::{EncryptedBackend, Encryption};
use plinth_lang::variables::VariableOptions;
use plinth_lang::Config;
use plinth_sdk::{Diagnostic, Diagnostics, Value};
use plinth_state::StateBackend;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Root variable values collected for the running command (see [`set_variables`]).
static VARIABLES: Mutex<Option<BTreeMap<String, Value>>> = Mutex::new(None);

/// Records the root variables' values the command collected (all sources, Plinth's
/// precedence), for the encryption block's `var.NAME` references.
pub fn set_variables(values: &BTreeMap<String, Value>) {
    if let Ok(mut g) = VARIABLES.lock() {
        *g = Some(values.clone());
    }
}

/// Root variable values without `-var` options: tfvars files, `TF_VAR_NAME`, defaults.
/// Variables without a value are left out (the encryption block reports them if it needs
/// them); other problems with the values are reported here only when the encryption block
/// fails, so a command that does not need them is not stopped by them.
fn variables_without_cli(config: &Config) -> (BTreeMap<String, Value>, Diagnostics) {
    let opts = VariableOptions {
        dir: PathBuf::from("."),
        cli: Vec::new(),
        env: std::env::vars().collect(),
    };
    let (raw, mut diags) =
        plinth_lang::variables::collect_variable_values(&config.root, &opts, &config.sources);
    let scope = plinth_lang::EmptyScope;
    let cwd = crate::commands::workdir::cwd();
    let ctx = plinth_lang::EvalContext { scope: &scope, cwd: &cwd };
    let (mut values, missing, d) =
        plinth_lang::variables::finalize_root_variables(&config.root, &raw, &ctx, true);
    diags.extend(d);
    for m in missing {
        values.remove(&m);
    }
    (values, diags)
}

/// The configuration's encryption, if it has an `encryption` block.
pub fn encryption(config: Option<&Config>) -> Result<Option<Arc<Encryption>>, Diagnostic> {
    let Some(config) = config else {
        return Ok(None);
    };
    if config.root.terraform.encryption.is_none() {
        return Ok(None);
    }
    let collected = VARIABLES.lock().ok().and_then(|g| g.clone());
    let (vars, var_diags) = match collected {
        Some(v) => (v, Diagnostics::new()),
        None => variables_without_cli(config),
    };
    match Encryption::from_module(&config.root, &vars) {
        Ok(e) => Ok(e.map(Arc::new)),
        Err(diags) => {
            let first = diags
                .into_iter()
                .find(|d| d.is_error())
                .unwrap_or_else(|| Diagnostic::bug("invalid encryption block", "no error was reported"));
            // A variable without a value may be one whose tfvars/TF_VAR_ value was invalid:
            // that error says more.
            if first.summary.starts_with("No value for variable") {
                if let Some(v) = var_diags.into_iter().find(|d| d.is_error()) {
                    return Err(v);
                }
            }
            Err(first)
        }
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
