//! Shared machinery: the schema-driven planner, the provider shell every built-in provider
//! uses, value accessors, randomness, hashes and diagnostics helpers.

use async_trait::async_trait;
use plinth_sdk::{
    ApplyChangeRequest, ApplyChangeResponse, AttrPath, ConfiguredProvider, Diagnostic,
    Diagnostics, ImportResourceRequest, ImportResourceResponse, ImportedResource,
    PlanChangeRequest, PlanChangeResponse, Provider, ProviderSchema, ReadDataSourceRequest,
    ReadDataSourceResponse, ReadResourceRequest, ReadResourceResponse, Schema, Value,
};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Object helpers shared with the other providers (`plinth_sdk::object`).
pub(crate) use plinth_sdk::object::{
    attr_error, cfg, check_known, from_obj, get, get_bool, get_i64, get_str, get_strings, same,
    str_list, to_obj, Obj,
};

/// One managed resource type of a built-in provider.
pub(crate) trait Resource: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    /// Defaults of optional+computed attributes, applied at plan time when the configuration
    /// leaves them null (the plugin framework's `Default`).
    fn defaults(&self) -> Vec<(&'static str, Value)> {
        Vec::new()
    }
    /// Static checks; unknown values must be tolerated.
    fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }
    /// Normalises the proposed state after defaults are applied, before any comparison.
    fn normalize_plan(&self, _planned: &mut Obj) {}
    /// Adjusts a planned create (defaults applied, unset computed attributes unknown).
    fn plan_create(&self, _planned: &mut Obj) {}
    /// Adjusts a planned update; may add paths that force replacement. Called after the
    /// force_new comparison.
    fn plan_update(&self, _prior: &Obj, _planned: &mut Obj, _requires_replace: &mut Vec<AttrPath>) {
    }
    /// Creates the object; `planned` is the planned state (all configuration known).
    fn create(&self, planned: &Obj) -> Result<Obj, Diagnostics>;
    /// Updates in place (only reached when nothing forcing replacement changed).
    fn update(&self, _prior: &Obj, planned: &Obj) -> Result<Obj, Diagnostics> {
        Ok(planned.clone())
    }
    fn delete(&self, _prior: &Obj) -> Result<(), Diagnostics> {
        Ok(())
    }
    /// Refresh: `None` when the object is gone.
    fn read(&self, state: &Obj) -> Result<Option<Obj>, Diagnostics> {
        Ok(Some(state.clone()))
    }
    fn import(&self, _id: &str) -> Result<Obj, Diagnostics> {
        Err(error(
            "resource does not support import",
            format!("The resource type {} cannot be imported.", self.type_name()),
        )
        .into())
    }
    /// Upgrades a stored state written with an older schema version (JSON, as in state).
    fn upgrade(&self, _from_version: u64, state: serde_json::Value) -> Result<serde_json::Value, Diagnostics> {
        Ok(state)
    }
}

/// One data source of a built-in provider.
pub(crate) trait DataSource: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }
    fn read(&self, config: &Obj) -> Result<Obj, Diagnostics>;
}

pub(crate) struct Inner {
    pub name: &'static str,
    pub source: &'static str,
    pub version: &'static str,
    pub provider_schema: Schema,
    pub resources: Vec<Box<dyn Resource>>,
    pub data_sources: Vec<Box<dyn DataSource>>,
}

/// A built-in provider: the same object serves both stages (there is nothing to configure
/// beyond accepting the `provider` block).
#[derive(Clone)]
pub struct BuiltinProvider(pub(crate) Arc<Inner>);

impl BuiltinProvider {
    fn resource(&self, t: &str) -> Result<&dyn Resource, Diagnostic> {
        self.0.resources.iter().find(|r| r.type_name() == t).map(|b| b.as_ref()).ok_or_else(|| {
            let names: Vec<&str> = self.0.resources.iter().map(|r| r.type_name()).collect();
            error(
                "unsupported resource type",
                format!(
                    "The provider {} does not have a resource type named {t:?}.",
                    self.0.source
                ),
            )
            .with_help(format!("supported resource types: {}", names.join(", ")))
        })
    }
    fn data_source(&self, t: &str) -> Result<&dyn DataSource, Diagnostic> {
        self.0.data_sources.iter().find(|r| r.type_name() == t).map(|b| b.as_ref()).ok_or_else(
            || {
                let names: Vec<&str> = self.0.data_sources.iter().map(|r| r.type_name()).collect();
                error(
                    "unsupported data source",
                    format!(
                        "The provider {} does not have a data source named {t:?}.",
                        self.0.source
                    ),
                )
                .with_help(format!("supported data sources: {}", names.join(", ")))
            },
        )
    }
}

#[async_trait]
impl Provider for BuiltinProvider {
    fn name(&self) -> &str {
        self.0.name
    }
    fn source(&self) -> &str {
        self.0.source
    }
    fn version(&self) -> &str {
        self.0.version
    }
    fn schema(&self) -> ProviderSchema {
        ProviderSchema {
            provider: self.0.provider_schema.clone(),
            resources: self.0.resources.iter().map(|r| (r.type_name().to_string(), r.schema())).collect(),
            data_sources: self
                .0
                .data_sources
                .iter()
                .map(|d| (d.type_name().to_string(), d.schema()))
                .collect(),
        }
    }
    fn validate_resource_config(&self, type_name: &str, config: &Value) -> Diagnostics {
        if let Ok(r) = self.resource(type_name) {
            return r.validate(config);
        }
        match self.data_source(type_name) {
            Ok(d) => d.validate(config),
            Err(e) => e.into(),
        }
    }
    async fn configure(&self, _config: Value) -> Result<Arc<dyn ConfiguredProvider>, Diagnostics> {
        Ok(Arc::new(self.clone()))
    }
}

#[async_trait]
impl ConfiguredProvider for BuiltinProvider {
    async fn read_resource(&self, req: ReadResourceRequest) -> ReadResourceResponse {
        let r = match self.resource(&req.type_name) {
            Ok(r) => r,
            Err(e) => return ReadResourceResponse { diagnostics: e.into(), ..Default::default() },
        };
        let block = r.schema().block;
        let state = to_obj(&block, &req.current_state);
        match r.read(&state) {
            Ok(new) => ReadResourceResponse {
                new_state: new.map(|o| from_obj(&block, o)),
                private: req.private,
                diagnostics: Diagnostics::new(),
            },
            Err(d) => ReadResourceResponse {
                new_state: Some(req.current_state),
                private: req.private,
                diagnostics: d,
            },
        }
    }

    async fn plan_change(&self, req: PlanChangeRequest) -> PlanChangeResponse {
        let r = match self.resource(&req.type_name) {
            Ok(r) => r,
            Err(e) => return PlanChangeResponse { diagnostics: e.into(), ..Default::default() },
        };
        plan(r, req)
    }

    async fn apply_change(&self, req: ApplyChangeRequest) -> ApplyChangeResponse {
        let r = match self.resource(&req.type_name) {
            Ok(r) => r,
            Err(e) => return ApplyChangeResponse { diagnostics: e.into(), ..Default::default() },
        };
        let block = r.schema().block;
        let prior = req.prior_state.as_ref().filter(|v| !v.is_null()).map(|v| to_obj(&block, v));
        let planned = req.planned_state.as_ref().filter(|v| !v.is_null()).map(|v| to_obj(&block, v));
        let result = match (&prior, &planned) {
            (None, None) => Ok(None),
            (Some(p), None) => r.delete(p).map(|_| None),
            (None, Some(n)) => {
                check_known(&block, n).and_then(|_| r.create(n)).map(Some)
            }
            (Some(p), Some(n)) => check_known(&block, n).and_then(|_| r.update(p, n)).map(Some),
        };
        match result {
            Ok(new) => ApplyChangeResponse {
                new_state: new.map(|o| from_obj(&block, o)),
                private: Vec::new(),
                diagnostics: Diagnostics::new(),
            },
            Err(d) => ApplyChangeResponse {
                // Nothing was changed: what existed before still exists.
                new_state: req.prior_state.filter(|v| !v.is_null()),
                private: req.planned_private,
                diagnostics: d,
            },
        }
    }

    async fn import_resource(&self, req: ImportResourceRequest) -> ImportResourceResponse {
        let r = match self.resource(&req.type_name) {
            Ok(r) => r,
            Err(e) => return ImportResourceResponse { diagnostics: e.into(), ..Default::default() },
        };
        let block = r.schema().block;
        match r.import(&req.id) {
            Ok(o) => ImportResourceResponse {
                imported: vec![ImportedResource {
                    type_name: req.type_name,
                    state: from_obj(&block, o),
                    private: Vec::new(),
                }],
                diagnostics: Diagnostics::new(),
            },
            Err(d) => ImportResourceResponse { imported: Vec::new(), diagnostics: d },
        }
    }

    fn upgrade_resource_state(
        &self,
        type_name: &str,
        from_version: u64,
        state: serde_json::Value,
    ) -> Result<serde_json::Value, Diagnostics> {
        let r = self.resource(type_name).map_err(Diagnostics::from)?;
        let current = r.schema().version;
        if from_version > current {
            return Err(error(
                "state written by a newer provider",
                format!(
                    "The state of this {type_name} has schema version {from_version}, but Plinth follows {} {} whose schema version is {current}.",
                    self.0.source, self.0.version
                ),
            )
            .with_help("use the Plinth release that wrote this state, or re-import the resource")
            .into());
        }
        if from_version == current {
            return Ok(state);
        }
        r.upgrade(from_version, state)
    }

    async fn read_data_source(&self, req: ReadDataSourceRequest) -> ReadDataSourceResponse {
        let d = match self.data_source(&req.type_name) {
            Ok(d) => d,
            Err(e) => {
                return ReadDataSourceResponse { state: Value::null(), diagnostics: e.into() }
            }
        };
        let block = d.schema().block;
        let mut diags = d.validate(&req.config);
        if diags.has_errors() {
            return ReadDataSourceResponse { state: Value::null(), diagnostics: diags };
        }
        let config = to_obj(&block, &req.config);
        match d.read(&config) {
            Ok(o) => ReadDataSourceResponse { state: from_obj(&block, o), diagnostics: diags },
            Err(e) => {
                diags.extend(e);
                ReadDataSourceResponse { state: Value::null(), diagnostics: diags }
            }
        }
    }
}

/// The schema-driven planner (see the crate documentation for the rules).
pub(crate) fn plan(r: &dyn Resource, req: PlanChangeRequest) -> PlanChangeResponse {
    let Some(proposed) = req.proposed_new_state.filter(|v| !v.is_null()) else {
        return PlanChangeResponse::default();
    };
    let schema = r.schema();
    let block = &schema.block;
    let config_obj = match req.config.unmarked() {
        Value::Object(_) | Value::Map(..) => Some(&req.config),
        _ => None,
    };
    let diags = r.validate(config_obj.unwrap_or(&proposed));
    if diags.has_errors() {
        return PlanChangeResponse { diagnostics: diags, ..Default::default() };
    }
    let mut planned = to_obj(block, &proposed);
    // Whether the configuration sets the attribute (without a configuration object, fall back
    // to whether the proposed value has it, for non-computed attributes).
    let set_in_config = |name: &str| -> bool {
        match config_obj {
            Some(c) => c.get_attr(name).is_some_and(|v| !v.is_null()),
            None => {
                let computed = block.attributes.get(name).is_some_and(|a| a.computed);
                !computed && planned_has(&proposed, name)
            }
        }
    };
    let defaults: BTreeMap<&str, Value> = r.defaults().into_iter().collect();
    let prior = req.prior_state.as_ref().filter(|v| !v.is_null()).map(|v| to_obj(block, v));
    // Defaults and computed attributes the configuration leaves unset.
    let mut unset_computed = Vec::new();
    for (name, a) in &block.attributes {
        if set_in_config(name) {
            continue;
        }
        if let Some(d) = defaults.get(name.as_str()) {
            planned.insert(name.clone(), d.clone());
        } else if a.computed {
            unset_computed.push(name.clone());
            let v = match &prior {
                None => Value::Unknown(a.ty.clone()),
                Some(p) => p.get(name).cloned().unwrap_or(Value::Null(a.ty.clone())),
            };
            planned.insert(name.clone(), v);
        }
    }
    r.normalize_plan(&mut planned);
    let mut requires_replace = Vec::new();
    match &prior {
        None => r.plan_create(&mut planned),
        Some(p) => {
            for (name, a) in &block.attributes {
                if a.force_new && !same(planned.get(name), p.get(name)) {
                    requires_replace.push(AttrPath::attr(name.clone()));
                }
            }
            for (name, b) in &block.blocks {
                let inner_force = b.block.attributes.values().any(|a| a.force_new);
                if (b.force_new || inner_force) && !same(planned.get(name), p.get(name)) {
                    requires_replace.push(AttrPath::attr(name.clone()));
                }
            }
            let unknownify = |planned: &mut Obj| {
                for name in &unset_computed {
                    if let Some(a) = block.attributes.get(name) {
                        planned.insert(name.clone(), Value::Unknown(a.ty.clone()));
                    }
                }
            };
            let forced = !requires_replace.is_empty();
            if forced {
                unknownify(&mut planned);
            }
            r.plan_update(p, &mut planned, &mut requires_replace);
            if !forced && !requires_replace.is_empty() {
                unknownify(&mut planned);
            }
        }
    }
    PlanChangeResponse {
        planned_state: Some(from_obj(block, planned)),
        requires_replace,
        planned_private: req.prior_private,
        diagnostics: diags,
    }
}

fn planned_has(v: &Value, name: &str) -> bool {
    v.get_attr(name).is_some_and(|x| !x.is_null())
}






// ---- accessors -------------------------------------------------------------------------

pub(crate) fn str_val(s: impl Into<String>) -> Value {
    Value::String(s.into())
}
pub(crate) fn num(n: i64) -> Value {
    Value::number(n)
}


// ---- diagnostics -----------------------------------------------------------------------

pub(crate) fn error(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostic {
    Diagnostic::error(summary).with_detail(detail)
}


// ---- randomness and hashes -------------------------------------------------------------

/// Cryptographically secure random bytes.
pub(crate) fn random_bytes(n: usize) -> Result<Vec<u8>, Diagnostic> {
    let mut buf = vec![0u8; n];
    aws_lc_rs::rand::fill(&mut buf).map_err(|_| {
        error(
            "random number generator failed",
            "The system's random number generator returned an error.",
        )
    })?;
    Ok(buf)
}

/// A uniformly random integer in `0..n` (n > 0), by rejection sampling.
pub(crate) fn random_below(n: u64) -> Result<u64, Diagnostic> {
    if n <= 1 {
        return Ok(0);
    }
    let zone = u64::MAX - (u64::MAX % n);
    loop {
        let b = random_bytes(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(&b);
        let x = u64::from_le_bytes(a);
        if x < zone {
            return Ok(x % n);
        }
    }
}

/// A UUID in hashicorp/go-uuid's format (16 random bytes as 8-4-4-4-12 hex).
pub(crate) fn uuid() -> Result<String, Diagnostic> {
    let b = random_bytes(16)?;
    let h = hex(&b);
    Ok(format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32]))
}

pub(crate) fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

pub(crate) fn sha1(b: &[u8]) -> Vec<u8> {
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, b).as_ref().to_vec()
}
pub(crate) fn sha256(b: &[u8]) -> Vec<u8> {
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, b).as_ref().to_vec()
}
pub(crate) fn sha512(b: &[u8]) -> Vec<u8> {
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA512, b).as_ref().to_vec()
}
pub(crate) fn md5(b: &[u8]) -> Vec<u8> {
    use md5::Digest;
    md5::Md5::digest(b).to_vec()
}

pub(crate) fn b64(b: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(b)
}

/// A deterministic generator for seeded resources (random_integer, random_shuffle).
/// SplitMix64 seeded from the seed string's SHA-256; not Go's math/rand stream.
pub(crate) struct SeededRng(u64);

impl SeededRng {
    pub(crate) fn new(seed: &str) -> Self {
        let h = sha256(seed.as_bytes());
        let mut a = [0u8; 8];
        a.copy_from_slice(&h[..8]);
        SeededRng(u64::from_le_bytes(a))
    }
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        if n <= 1 {
            return 0;
        }
        let zone = u64::MAX - (u64::MAX % n);
        loop {
            let x = self.next_u64();
            if x < zone {
                return x % n;
            }
        }
    }
}

/// Either the seeded generator or the system's secure one.
pub(crate) enum Rng {
    Seeded(SeededRng),
    Secure,
}

impl Rng {
    pub(crate) fn new(seed: Option<&str>) -> Self {
        match seed {
            Some(s) => Rng::Seeded(SeededRng::new(s)),
            None => Rng::Secure,
        }
    }
    pub(crate) fn below(&mut self, n: u64) -> Result<u64, Diagnostic> {
        match self {
            Rng::Seeded(r) => Ok(r.below(n)),
            Rng::Secure => random_below(n),
        }
    }
    /// A random permutation of 0..n (Fisher–Yates).
    pub(crate) fn perm(&mut self, n: usize) -> Result<Vec<usize>, Diagnostic> {
        let mut v: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let j = self.below(i as u64 + 1)? as usize;
            v.swap(i, j);
        }
        Ok(v)
    }
}
