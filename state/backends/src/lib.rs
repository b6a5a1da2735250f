//! `plinth-backends`: the remote state backends of Terraform — `s3` (behind the `s3` cargo
//! feature, on by default), `pg`, `gcs` and `azurerm` — each implementing
//! [`plinth_state::StateBackend`] with Terraform's object layout, lock format and argument
//! names, so that Terraform and Plinth can share one backend.
//!
//! [`backend_from_config`] turns a `backend "KIND" { … }` block (with `-backend-config`
//! values already merged in by the caller) into a backend; [`parse_backend_config_file`]
//! reads a `-backend-config=FILE` file (`key = "value"` lines, as Terraform accepts).

#![allow(clippy::result_large_err)] // StateError carries LockInfo by value, as plinth-state does

pub mod azurerm;
mod config;
pub mod gcs;
pub mod pg;
mod pg_tls;
#[cfg(feature = "s3")]
pub mod s3;
mod util;

pub use config::{parse_backend_config_file, Args};

use plinth_sdk::Diagnostic;
use plinth_state::{LocalBackend, StateBackend};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// The backend kinds [`backend_from_config`] knows.
pub const BACKEND_KINDS: &[&str] = &["local", "s3", "pg", "gcs", "azurerm"];

/// Builds the backend `kind` from its arguments (Terraform's names; `-backend-config` values
/// already merged in). `cwd` is the working directory: the local journal lives under its
/// `.terraform/`, and relative paths (local backend, credential files) resolve against it.
///
/// Unknown arguments, missing required ones and wrongly typed values are diagnostics naming
/// the argument, with a did-you-mean where one is close. Network access happens here only
/// where Terraform also does it at `init` (pg creates its schema and table).
pub fn backend_from_config(
    kind: &str,
    config: &BTreeMap<String, serde_json::Value>,
    cwd: &Path,
) -> Result<Arc<dyn StateBackend>, Diagnostic> {
    match kind {
        "local" => {
            let mut a = Args::new("local", config);
            let path = a.string("path")?;
            let wdir = a.string("workspace_dir")?;
            a.finish()?;
            let path = cwd.join(path.unwrap_or_else(|| "terraform.tfstate".into()));
            let wdir = cwd.join(wdir.unwrap_or_else(|| "terraform.tfstate.d".into()));
            Ok(Arc::new(LocalBackend::with_paths(path, wdir)))
        }
        "pg" => Ok(Arc::new(pg::PgBackend::from_config(config, cwd)?)),
        "gcs" => Ok(Arc::new(gcs::GcsBackend::from_config(config, cwd)?)),
        "azurerm" => Ok(Arc::new(azurerm::AzureBackend::from_config(config, cwd)?)),
        #[cfg(feature = "s3")]
        "s3" => Ok(Arc::new(s3::S3Backend::from_config(config, cwd)?)),
        #[cfg(not(feature = "s3"))]
        "s3" => Err(Diagnostic::error("the s3 backend is not built into this Plinth")
            .with_detail("This Plinth was compiled without the `s3` cargo feature.")
            .with_help("Use a Plinth built with default features, or rebuild with `--features s3`.")),
        other => {
            let mut d = Diagnostic::error(format!("unknown backend type {other:?}"))
                .with_detail(format!(
                    "Plinth supports the backends {}.",
                    BACKEND_KINDS.iter().map(|k| format!("{k:?}")).collect::<Vec<_>>().join(", ")
                ));
            if let Some(s) = util::did_you_mean(other, BACKEND_KINDS.iter().copied()) {
                d = d.with_help(format!("Did you mean {s:?}?"));
            } else {
                d = d.with_help("Use one of the supported backend types, or remove the backend block to keep state in a local file.");
            }
            Err(d)
        }
    }
}
