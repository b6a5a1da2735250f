//! `plinth-provider-builtin`: the providers that ship inside Plinth, with the same schemas
//! (resource type names, attributes, required/optional/computed, sensitive, `force_new` =
//! Terraform's RequiresReplace, schema versions) as the upstream Terraform providers:
//!
//! | provider | source | follows |
//! |---|---|---|
//! | `terraform` | `terraform.io/builtin/terraform` | Terraform 1.11: `terraform_data`, data `terraform_remote_state` (local backend) |
//! | `random` | `hashicorp/random` | 3.6.3: random_bytes, random_id, random_integer, random_password, random_pet, random_shuffle, random_string, random_uuid |
//! | `tls` | `hashicorp/tls` | 4.0.6 |
//! | `local` | `hashicorp/local` | 2.5.2 |
//!
//! [`providers()`] returns all of them. Each is a [`plinth_sdk::Provider`] whose
//! `configure` returns a [`plinth_sdk::ConfiguredProvider`] (nothing to configure).
//!
//! # How the engine calls a configured provider
//!
//! Values are objects of the schema's implied type. Every value the provider returns has
//! every attribute and block present (typed nulls where unset), and attributes the schema
//! marks `sensitive` come back wrapped in [`plinth_sdk::Value::Sensitive`].
//!
//! * **`plan_change`**
//!   - `proposed_new_state == None` (delete): `planned_state == None`.
//!   - `prior_state == None` (create): planned = proposed, where every attribute the
//!     configuration (`req.config`) leaves null gets its upstream default if it has one
//!     (e.g. `special = true`, `file_permission = "0777"`) or, when computed,
//!     `Value::Unknown(type)`. Resource-specific rules then apply (`terraform_data.output` is
//!     unknown only when `input` is not null).
//!   - both present (update): computed attributes the configuration leaves null keep their
//!     prior values. Every `force_new` attribute (or nested block) whose planned value differs
//!     from the prior one (semantic equality: marks ignored, nulls equal, unknown differs) is
//!     returned in `requires_replace`, and the unset computed attributes are then planned
//!     unknown. Otherwise the change is in place: only `terraform_data` (`input` →
//!     `output` unknown) and `early_renewal_hours` of the tls certificates update in place.
//!     A certificate in state with `ready_for_renewal = true` plans a replacement.
//!   - On `requires_replace` the engine calls `plan_change` again with `prior_state: None`
//!     to get the planned create state.
//!   - Validation errors (bad lengths, unknown algorithms, ...) come back as diagnostics
//!     with no planned state.
//! * **`apply_change`**: create (`prior None`), update, or delete (`planned None`). Returns
//!   the new state object; on error, diagnostics (summary + detail + help) and the prior
//!   state (nothing is half-created by these providers). Never panics.
//! * **`read_resource`** (refresh): `local_file`/`local_sensitive_file` return `None` (gone)
//!   when the file is missing or its content's SHA-1 no longer matches `id`, so the plan
//!   recreates it, as upstream. Certificates recompute `ready_for_renewal`. Others return the
//!   state unchanged.
//! * **`import_resource`**: upstream ID formats: `random_string`/`random_password` by the
//!   value, `random_integer` by `result,min,max[,seed]`, `random_id` by `[prefix,]b64_url`,
//!   `random_bytes` by its base64,
//!   `random_uuid` by the UUID, `terraform_data` by any ID, `tls_private_key` by a PEM or
//!   OpenSSH private key (or a path to a file holding one); `local_file` is not importable.
//! * **`read_data_source`**: `terraform_remote_state` reads a v4 state file's `outputs`
//!   directly (local backend); `local_file` / `local_sensitive_file` read a file.

//! # Deviations from upstream
//!
//! Schemas match upstream (see `tests/snapshots/schemas__schemas.snap`); behaviour differs in:
//! - `random_integer` / `random_shuffle` with `seed`: deterministic per seed, but not Go's
//!   `math/rand` sequence, so a seed yields different values than under Terraform.
//! - `random_pet`: Plinth's own word lists (same shape: adverbs, adjective, name).
//! - `random_string`/`random_password`: when `number` and `numeric` disagree, both become
//!   `false` (upstream's plan modifier copies the configured one).
//! - `tls`: ECDSA P224 keys are generated (upstream's default curve) but cannot sign
//!   certificates or requests; RSA keys of 1024..16384 bits are generated, but only keys of
//!   2048 bits or more can sign. `subject.street_address` with several lines is encoded as
//!   one STREET attribute joined by ", ". Serial numbers have 127 random bits.
//! - `tls_private_key` can be imported from a PEM/OpenSSH private key (upstream cannot).
//! - data `tls_certificate` reads `content` only (`url` is a clear error); the provider's
//!   `proxy` block is accepted and ignored.
//! - data `terraform_remote_state` reads the `local` backend only.

// `Diagnostic` (the SDK's error type) is large; errors here are rare and not hot.
#![allow(clippy::result_large_err)]

mod common;
mod der;
mod keys;
mod local;
mod random;
mod terraform;
mod tls;
mod words;

pub use common::BuiltinProvider;

use common::Inner;
use plinth_sdk::{Provider, Schema};
use std::sync::Arc;

/// The `terraform.io/builtin/terraform` provider.
pub fn terraform_provider() -> BuiltinProvider {
    BuiltinProvider(Arc::new(Inner {
        name: "terraform",
        source: "terraform.io/builtin/terraform",
        version: "1.11.0",
        provider_schema: Schema::default(),
        resources: vec![Box::new(terraform::TerraformData)],
        data_sources: vec![Box::new(terraform::RemoteState)],
    }))
}

/// The `hashicorp/random` provider.
pub fn random_provider() -> BuiltinProvider {
    BuiltinProvider(Arc::new(Inner {
        name: "random",
        source: "hashicorp/random",
        version: "3.6.3",
        provider_schema: Schema::default(),
        resources: vec![
            Box::new(random::RandomBytes),
            Box::new(random::RandomId),
            Box::new(random::RandomInteger),
            Box::new(random::RandomString { password: true }),
            Box::new(random::RandomPet),
            Box::new(random::RandomShuffle),
            Box::new(random::RandomString { password: false }),
            Box::new(random::RandomUuid),
        ],
        data_sources: vec![],
    }))
}

/// The `hashicorp/tls` provider.
pub fn tls_provider() -> BuiltinProvider {
    BuiltinProvider(Arc::new(Inner {
        name: "tls",
        source: "hashicorp/tls",
        version: "4.0.6",
        provider_schema: tls::provider_schema(),
        resources: tls::resources(),
        data_sources: tls::data_sources(),
    }))
}

/// The `hashicorp/local` provider.
pub fn local_provider() -> BuiltinProvider {
    BuiltinProvider(Arc::new(Inner {
        name: "local",
        source: "hashicorp/local",
        version: "2.5.2",
        provider_schema: Schema::default(),
        resources: local::resources(),
        data_sources: local::data_sources(),
    }))
}

/// Every built-in provider: terraform, random, tls, local.
pub fn providers() -> Vec<Arc<dyn Provider>> {
    vec![
        Arc::new(terraform_provider()),
        Arc::new(random_provider()),
        Arc::new(tls_provider()),
        Arc::new(local_provider()),
    ]
}
