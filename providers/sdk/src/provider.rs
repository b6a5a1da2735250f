//! The provider contract, in two stages.
//!
//! Before configuration a [`Provider`] describes itself (name, source, the upstream provider
//! version it follows, schemas) and validates configuration statically. [`Provider::configure`]
//! returns a [`ConfiguredProvider`] that talks to the real API: refresh (`read_resource`),
//! `plan_change`, `apply_change`, `import_resource`, `read_data_source`.
//!
//! Values crossing this boundary are objects of the schema's implied type. Every call returns
//! diagnostics; none panics. Cloud errors become diagnostics naming the API error code.

use crate::diagnostics::Diagnostics;
use crate::path::AttrPath;
use crate::schema::ProviderSchema;
use crate::value::Value;
use async_trait::async_trait;
use std::sync::Arc;

/// A built-in provider, before configuration.
#[async_trait]
pub trait Provider: Send + Sync {
    /// Local name, e.g. `random`; resource types are prefixed with it (`random_id`).
    fn name(&self) -> &str;
    /// Registry source it implements, e.g. `hashicorp/random`.
    fn source(&self) -> &str;
    /// The upstream provider version whose schema and behaviour this follows, e.g. `3.6.3`.
    fn version(&self) -> &str;
    fn schema(&self) -> ProviderSchema;
    /// Static checks of a resource's configuration (unknowns may appear).
    fn validate_resource_config(&self, _type_name: &str, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }
    /// Configures the provider with its `provider` block (an object of the provider schema).
    async fn configure(&self, config: Value) -> Result<Arc<dyn ConfiguredProvider>, Diagnostics>;
}

/// A provider configured for a workspace: it may call its API.
#[async_trait]
pub trait ConfiguredProvider: Send + Sync {
    /// Refresh: the current remote object, or `None` if it is gone.
    async fn read_resource(&self, req: ReadResourceRequest) -> ReadResourceResponse;
    /// Decide the planned new state from the prior state and the proposed one
    /// (configuration merged over prior computed values). Marks which paths force replacement.
    async fn plan_change(&self, req: PlanChangeRequest) -> PlanChangeResponse;
    /// Make it so: create (prior is None), update, or delete (planned is None).
    async fn apply_change(&self, req: ApplyChangeRequest) -> ApplyChangeResponse;
    /// Import an existing object by its import ID.
    async fn import_resource(&self, req: ImportResourceRequest) -> ImportResourceResponse;
    /// Read a data source.
    async fn read_data_source(&self, req: ReadDataSourceRequest) -> ReadDataSourceResponse;
    /// Upgrade a stored object written with an older schema version (identity by default).
    fn upgrade_resource_state(
        &self,
        _type_name: &str,
        _from_version: u64,
        state: serde_json::Value,
    ) -> Result<serde_json::Value, Diagnostics> {
        Ok(state)
    }
}

#[derive(Clone, Debug)]
pub struct ReadResourceRequest {
    pub type_name: String,
    pub current_state: Value,
    /// Opaque provider-private data stored beside the state.
    pub private: Vec<u8>,
}

#[derive(Clone, Debug, Default)]
pub struct ReadResourceResponse {
    /// `None`: the object no longer exists.
    pub new_state: Option<Value>,
    pub private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

#[derive(Clone, Debug)]
pub struct PlanChangeRequest {
    pub type_name: String,
    /// `None` when creating.
    pub prior_state: Option<Value>,
    /// `None` when deleting. Configuration values, with prior values for computed attributes
    /// the configuration leaves unset and unknown for computed ones on create.
    pub proposed_new_state: Option<Value>,
    /// The configuration as written (null for unset attributes).
    pub config: Value,
    pub prior_private: Vec<u8>,
}

#[derive(Clone, Debug, Default)]
pub struct PlanChangeResponse {
    /// `None` when deleting.
    pub planned_state: Option<Value>,
    /// Attribute paths whose change forces replacement.
    pub requires_replace: Vec<AttrPath>,
    pub planned_private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

#[derive(Clone, Debug)]
pub struct ApplyChangeRequest {
    pub type_name: String,
    pub prior_state: Option<Value>,
    /// `None` to delete.
    pub planned_state: Option<Value>,
    pub config: Value,
    pub planned_private: Vec<u8>,
}

#[derive(Clone, Debug, Default)]
pub struct ApplyChangeResponse {
    /// The object as it now exists (`None` after a delete). On an error the provider returns
    /// what exists, if anything, so that nothing is lost (the engine saves it as tainted).
    pub new_state: Option<Value>,
    pub private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

#[derive(Clone, Debug)]
pub struct ImportResourceRequest {
    pub type_name: String,
    pub id: String,
}

#[derive(Clone, Debug)]
pub struct ImportedResource {
    pub type_name: String,
    pub state: Value,
    pub private: Vec<u8>,
}

#[derive(Clone, Debug, Default)]
pub struct ImportResourceResponse {
    pub imported: Vec<ImportedResource>,
    pub diagnostics: Diagnostics,
}

#[derive(Clone, Debug)]
pub struct ReadDataSourceRequest {
    pub type_name: String,
    pub config: Value,
}

#[derive(Clone, Debug, Default)]
pub struct ReadDataSourceResponse {
    pub state: Value,
    pub diagnostics: Diagnostics,
}
