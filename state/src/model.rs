//! The state model: Terraform's `terraform.tfstate` format version 4, field for field.
//!
//! Reading then writing a Terraform-written file reproduces it byte for byte: field order is
//! Terraform's, resources and instances are kept in Terraform's sort order, and the writer
//! ([`crate::format`]) escapes like Go's `encoding/json`. Resource `attributes` stay raw JSON
//! (schema-free); callers convert them with a schema ([`InstanceState::attributes_value`]).

use crate::error::StateError;
use crate::format;
use crate::types_json;
use plinth_sdk::{AttrPath, Type, Value};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;

/// The state format version this crate reads and writes.
pub const STATE_VERSION: u32 = 4;
/// The Terraform version written into new state files (`terraform_version`). Terraform 1.x
/// reads any v4 state whatever this says; we claim the version whose behaviour we follow.
pub const TERRAFORM_VERSION: &str = "1.11.4";

/// A whole state snapshot (`terraform.tfstate`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct State {
    /// Always 4.
    pub version: u32,
    pub terraform_version: String,
    /// Incremented on every persisted change; `state push` refuses lower serials.
    pub serial: u64,
    /// A UUID fixed at creation; states of different lineage are unrelated.
    pub lineage: String,
    #[serde(default)]
    pub outputs: BTreeMap<String, OutputState>,
    /// Kept in Terraform's order (module, mode, type, name): call [`State::normalize`]
    /// after editing this vector directly.
    #[serde(default)]
    pub resources: Vec<ResourceState>,
    /// Terraform's check results (`null` when there are no `check` blocks); kept as-is.
    #[serde(default)]
    pub check_results: serde_json::Value,
}

/// A root module output value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutputState {
    /// The value as JSON (no marks, no unknowns).
    pub value: serde_json::Value,
    /// The value's type, written as cty type JSON (`"string"`, `["list","string"]`).
    #[serde(rename = "type", with = "types_json::serde_type")]
    pub ty: Type,
    #[serde(default, skip_serializing_if = "is_false")]
    pub sensitive: bool,
}

/// `managed` (resource blocks) or `data` (data blocks).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Sorts before `Managed`, as in Terraform (string order of "data" < "managed").
    Data,
    Managed,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Data => "data",
            Mode::Managed => "managed",
        }
    }
}

/// The legacy `each` field (`list` for count, `map` for for_each). Terraform ≥ 0.13 no longer
/// writes it; it is kept when read so old files round-trip. New resources should use `None`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EachMode {
    List,
    Map,
}

/// One resource block's instances (all `count`/`for_each` keys, plus deposed objects).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResourceState {
    /// Module instance path such as `module.a["x"].module.b`; `None` at the root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
    pub mode: Mode,
    #[serde(rename = "type")]
    pub type_name: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub each: Option<EachMode>,
    /// Provider configuration address: `provider["registry.terraform.io/hashicorp/random"]`,
    /// `module.a.provider["…"].alias`.
    pub provider: String,
    /// Kept in Terraform's order (no key, ints, strings; current before deposed).
    pub instances: Vec<InstanceState>,
}

/// An instance key: `[0]` (count) or `["blue"]` (for_each).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum IndexKey {
    Int(i64),
    Str(String),
}

impl fmt::Display for IndexKey {
    /// HCL syntax: `[0]`, `["blue"]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IndexKey::Int(i) => write!(f, "[{i}]"),
            IndexKey::Str(s) => {
                write!(f, "[")?;
                // JSON string escaping is HCL's for the characters that matter here.
                f.write_str(&serde_json::Value::String(s.clone()).to_string())?;
                write!(f, "]")
            }
        }
    }
}

impl PartialOrd for IndexKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for IndexKey {
    /// Terraform's order: ints before strings.
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (IndexKey::Int(a), IndexKey::Int(b)) => a.cmp(b),
            (IndexKey::Str(a), IndexKey::Str(b)) => a.cmp(b),
            (IndexKey::Int(_), IndexKey::Str(_)) => Ordering::Less,
            (IndexKey::Str(_), IndexKey::Int(_)) => Ordering::Greater,
        }
    }
}

/// One object of a resource instance: the current object, or a deposed one
/// (`deposed: Some(id)`, left by a create-before-destroy replacement).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InstanceState {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_index_key",
        deserialize_with = "de_index_key"
    )]
    pub index_key: Option<IndexKey>,
    /// `Some("tainted")` for tainted objects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deposed: Option<String>,
    pub schema_version: u64,
    /// The object's attributes as JSON, in the provider schema's shape.
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub attributes: serde_json::Value,
    /// Pre-0.12 flatmap attributes; only present in very old states, kept as-is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes_flat: Option<serde_json::Value>,
    /// Paths of sensitive values inside `attributes`.
    #[serde(default, serialize_with = "ser_paths", deserialize_with = "de_paths")]
    pub sensitive_attributes: Vec<AttrPath>,
    /// Resource identity (Terraform ≥ 1.12); kept as-is when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_schema_version: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<serde_json::Value>,
    /// Provider-private data, base64 (opaque to Plinth's engine).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private: Option<String>,
    /// Absolute addresses of the resources this object depended on when last applied.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub create_before_destroy: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn ser_index_key<S: Serializer>(k: &Option<IndexKey>, s: S) -> Result<S::Ok, S::Error> {
    match k {
        Some(IndexKey::Int(i)) => s.serialize_i64(*i),
        Some(IndexKey::Str(v)) => s.serialize_str(v),
        None => s.serialize_none(),
    }
}

fn de_index_key<'de, D: Deserializer<'de>>(d: D) -> Result<Option<IndexKey>, D::Error> {
    // Through serde_json::Value: its deserializer copes with `arbitrary_precision` numbers.
    let v = Option::<serde_json::Value>::deserialize(d)?;
    match v {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(IndexKey::Str(s))),
        Some(serde_json::Value::Number(n)) => n
            .as_i64()
            .map(|i| Some(IndexKey::Int(i)))
            .ok_or_else(|| serde::de::Error::custom(format!("index_key {n} is not an integer"))),
        Some(other) => Err(serde::de::Error::custom(format!(
            "index_key must be a number or a string, not {other}"
        ))),
    }
}

fn ser_paths<S: Serializer>(paths: &[AttrPath], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut seq = s.serialize_seq(Some(paths.len()))?;
    for p in paths {
        seq.serialize_element(&p.to_state_json())?;
    }
    seq.end()
}

fn de_paths<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<AttrPath>, D::Error> {
    let v = Option::<Vec<serde_json::Value>>::deserialize(d)?.unwrap_or_default();
    v.iter()
        .map(|j| {
            AttrPath::from_state_json(j).ok_or_else(|| {
                serde::de::Error::custom(format!("unsupported sensitive attribute path {j}"))
            })
        })
        .collect()
}

/// Identifies one object in the state: a resource instance (`deposed: None`) or one of its
/// deposed objects.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct InstanceAddr {
    /// Module instance path (`module.a[0]`), `None` at the root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
    pub mode: Mode,
    #[serde(rename = "type")]
    pub type_name: String,
    pub name: String,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_index_key",
        deserialize_with = "de_index_key"
    )]
    pub key: Option<IndexKey>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deposed: Option<String>,
}

impl PartialOrd for IndexKeyOrd<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for IndexKeyOrd<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.0, other.0) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(a), Some(b)) => a.cmp(b),
        }
    }
}
impl PartialEq for IndexKeyOrd<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}
impl Eq for IndexKeyOrd<'_> {}
struct IndexKeyOrd<'a>(Option<&'a IndexKey>);

impl InstanceAddr {
    /// A managed resource instance at the root module.
    pub fn managed(type_name: &str, name: &str, key: Option<IndexKey>) -> InstanceAddr {
        InstanceAddr {
            module: None,
            mode: Mode::Managed,
            type_name: type_name.into(),
            name: name.into(),
            key,
            deposed: None,
        }
    }
    /// The resource part (without key and deposed) in Terraform syntax: `module.a.data.x.y`.
    pub fn resource_string(&self) -> String {
        let mut s = String::new();
        if let Some(m) = &self.module {
            s.push_str(m);
            s.push('.');
        }
        if self.mode == Mode::Data {
            s.push_str("data.");
        }
        s.push_str(&self.type_name);
        s.push('.');
        s.push_str(&self.name);
        s
    }
}

impl fmt::Display for InstanceAddr {
    /// `module.a.aws_subnet.x[0]`, `data.x.y["k"]`, with ` (deposed object ID)` if deposed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.resource_string())?;
        if let Some(k) = &self.key {
            write!(f, "{k}")?;
        }
        if let Some(d) = &self.deposed {
            write!(f, " (deposed object {d})")?;
        }
        Ok(())
    }
}

impl Default for State {
    fn default() -> Self {
        State::new()
    }
}

fn resource_cmp(a: &ResourceState, b: &ResourceState) -> Ordering {
    resource_key_cmp(a, b.module.as_deref(), b.mode, &b.type_name, &b.name)
}

/// Terraform's resource order: module, mode, type, name (plain string comparisons).
fn resource_key_cmp(
    a: &ResourceState,
    module: Option<&str>,
    mode: Mode,
    type_name: &str,
    name: &str,
) -> Ordering {
    a.module
        .as_deref()
        .unwrap_or("")
        .cmp(module.unwrap_or(""))
        .then_with(|| a.mode.cmp(&mode))
        .then_with(|| a.type_name.as_str().cmp(type_name))
        .then_with(|| a.name.as_str().cmp(name))
}

/// Terraform's instance order: no key, int keys, string keys; current before deposed.
fn instance_key_cmp(a: &InstanceState, key: Option<&IndexKey>, deposed: Option<&str>) -> Ordering {
    IndexKeyOrd(a.index_key.as_ref())
        .cmp(&IndexKeyOrd(key))
        .then_with(|| a.deposed.as_deref().unwrap_or("").cmp(deposed.unwrap_or("")))
}

/// The `check_results` key marking a [`State::opaque`] stand-in.
const OPAQUE_KEY: &str = "plinth:opaque_payload";

impl State {
    /// An empty state with a fresh lineage and serial 0.
    pub fn new() -> State {
        State {
            version: STATE_VERSION,
            terraform_version: TERRAFORM_VERSION.to_string(),
            serial: 0,
            lineage: new_lineage(),
            outputs: BTreeMap::new(),
            resources: Vec::new(),
            check_results: serde_json::Value::Null,
        }
    }

    /// A stand-in whose [`State::to_json`] is exactly `payload`: how an encrypting backend
    /// decorator hands an encrypted envelope to the backend it wraps (backends store what
    /// `to_json` returns). The stand-in has no resources; never plan against it.
    pub fn opaque(payload: Vec<u8>) -> State {
        let mut st = State::new();
        st.check_results = serde_json::json!({ OPAQUE_KEY: String::from_utf8_lossy(&payload) });
        st
    }

    /// The payload of a [`State::opaque`] stand-in.
    pub fn opaque_payload(&self) -> Option<&str> {
        match &self.check_results {
            serde_json::Value::Object(m) if m.len() == 1 => m.get(OPAQUE_KEY).and_then(|v| v.as_str()),
            _ => None,
        }
    }

    /// Parses a state file. Only format version 4 is accepted. An encrypted state (OpenTofu's
    /// envelope: `encrypted_data` and `encryption_version`, no `version`) is
    /// [`StateError::Encrypted`] carrying the stored bytes, for a decrypting decorator.
    pub fn from_json(bytes: &[u8]) -> Result<State, StateError> {
        #[derive(Deserialize)]
        struct VersionOnly {
            version: Option<serde_json::Value>,
            encrypted_data: Option<serde_json::Value>,
            encryption_version: Option<serde_json::Value>,
        }
        // Parse once; only on failure look at the version to explain it better.
        let full = serde_json::from_slice::<State>(bytes);
        let version = match &full {
            Ok(st) => Some(u64::from(st.version)),
            Err(_) => {
                let v = serde_json::from_slice::<VersionOnly>(bytes)
                    .map_err(|e| StateError::Invalid { message: format!("the state is not valid JSON: {e}") })?;
                if v.version.is_none() && v.encrypted_data.is_some() && v.encryption_version.is_some() {
                    return Err(StateError::Encrypted { payload: bytes.to_vec() });
                }
                v.version.and_then(|v| v.as_u64())
            }
        };
        match version {
            Some(4) => {}
            Some(n) => return Err(StateError::UnsupportedVersion(n)),
            None => {
                return Err(StateError::Invalid {
                    message: "the state has no numeric \"version\" field".into(),
                })
            }
        }
        let mut st = full.map_err(|e| StateError::Invalid {
            message: format!("the state file does not match format version 4: {e}"),
        })?;
        st.normalize();
        Ok(st)
    }

    /// Serialises exactly as Terraform does: 2-space indentation, Go's escaping of `<>&`,
    /// trailing newline.
    pub fn to_json(&self) -> Vec<u8> {
        if let Some(p) = self.opaque_payload() {
            return p.as_bytes().to_vec();
        }
        format::to_terraform_json(self)
    }

    /// Sorts resources and instances into Terraform's order and drops resources without
    /// instances. Idempotent; stable for already sorted input.
    pub fn normalize(&mut self) {
        self.resources.retain(|r| !r.instances.is_empty());
        self.resources.sort_by(resource_cmp);
        for r in &mut self.resources {
            r.instances.sort_by(|a, b| {
                instance_key_cmp(a, b.index_key.as_ref(), b.deposed.as_deref())
            });
        }
    }

    /// True when the state has no resources and no outputs (Terraform's `State.Empty`).
    pub fn is_empty(&self) -> bool {
        self.resources.iter().all(|r| r.instances.is_empty()) && self.outputs.is_empty()
    }

    fn resource_pos(
        &self,
        module: Option<&str>,
        mode: Mode,
        type_name: &str,
        name: &str,
    ) -> Result<usize, usize> {
        self.resources.binary_search_by(|r| resource_key_cmp(r, module, mode, type_name, name))
    }

    /// The resource `(module, mode, type, name)`, if present.
    pub fn resource(
        &self,
        module: Option<&str>,
        mode: Mode,
        type_name: &str,
        name: &str,
    ) -> Option<&ResourceState> {
        self.resource_pos(module, mode, type_name, name).ok().map(|i| &self.resources[i])
    }

    /// The object at `addr` (current or deposed), if present.
    pub fn instance(&self, addr: &InstanceAddr) -> Option<&InstanceState> {
        let r = self.resource(addr.module.as_deref(), addr.mode, &addr.type_name, &addr.name)?;
        let i = r
            .instances
            .binary_search_by(|i| instance_key_cmp(i, addr.key.as_ref(), addr.deposed.as_deref()))
            .ok()?;
        Some(&r.instances[i])
    }

    /// Every object in the state with its address, in Terraform's order.
    pub fn instances(&self) -> impl Iterator<Item = (InstanceAddr, &InstanceState)> {
        self.resources.iter().flat_map(|r| {
            r.instances.iter().map(move |i| {
                (
                    InstanceAddr {
                        module: r.module.clone(),
                        mode: r.mode,
                        type_name: r.type_name.clone(),
                        name: r.name.clone(),
                        key: i.index_key.clone(),
                        deposed: i.deposed.clone(),
                    },
                    i,
                )
            })
        })
    }

    /// Inserts or replaces the object at `addr` (the instance's own `index_key`/`deposed`
    /// are overwritten from `addr`). Creates the resource if needed and updates its
    /// provider (and `each` when given).
    pub fn set_instance(
        &mut self,
        addr: &InstanceAddr,
        provider: &str,
        each: Option<EachMode>,
        mut instance: InstanceState,
    ) {
        instance.index_key = addr.key.clone();
        instance.deposed = addr.deposed.clone();
        let pos = self.resource_pos(addr.module.as_deref(), addr.mode, &addr.type_name, &addr.name);
        let r = match pos {
            Ok(i) => &mut self.resources[i],
            Err(i) => {
                self.resources.insert(
                    i,
                    ResourceState {
                        module: addr.module.clone(),
                        mode: addr.mode,
                        type_name: addr.type_name.clone(),
                        name: addr.name.clone(),
                        each,
                        provider: provider.to_string(),
                        instances: Vec::new(),
                    },
                );
                &mut self.resources[i]
            }
        };
        if r.provider != provider {
            r.provider = provider.to_string();
        }
        if each.is_some() {
            r.each = each;
        }
        match r
            .instances
            .binary_search_by(|i| instance_key_cmp(i, addr.key.as_ref(), addr.deposed.as_deref()))
        {
            Ok(i) => r.instances[i] = instance,
            Err(i) => r.instances.insert(i, instance),
        }
    }

    /// Removes the object at `addr`; removes the resource when it has no objects left.
    /// Returns the removed object.
    pub fn remove_instance(&mut self, addr: &InstanceAddr) -> Option<InstanceState> {
        let ri = self
            .resource_pos(addr.module.as_deref(), addr.mode, &addr.type_name, &addr.name)
            .ok()?;
        let r = &mut self.resources[ri];
        let ii = r
            .instances
            .binary_search_by(|i| instance_key_cmp(i, addr.key.as_ref(), addr.deposed.as_deref()))
            .ok()?;
        let removed = r.instances.remove(ii);
        if r.instances.is_empty() {
            self.resources.remove(ri);
        }
        Some(removed)
    }

    /// Addresses of every object, as users write them (`module.a.x.y[0]`).
    pub fn addresses(&self) -> Vec<String> {
        self.instances().map(|(a, _)| a.to_string()).collect()
    }
}

impl InstanceState {
    /// A current, untainted object with these attributes and no sensitive paths.
    pub fn new(schema_version: u64, attributes: serde_json::Value) -> InstanceState {
        InstanceState {
            index_key: None,
            status: None,
            deposed: None,
            schema_version,
            attributes,
            attributes_flat: None,
            sensitive_attributes: Vec::new(),
            identity_schema_version: None,
            identity: None,
            private: None,
            dependencies: Vec::new(),
            create_before_destroy: false,
        }
    }

    /// Whether `status` is `tainted`.
    pub fn is_tainted(&self) -> bool {
        self.status.as_deref() == Some("tainted")
    }

    /// The attributes as a [`Value`] of the schema's type `ty`, with sensitive marks applied
    /// at `sensitive_attributes`.
    pub fn attributes_value(&self, ty: &Type) -> Result<Value, StateError> {
        let v = Value::from_json(&self.attributes, ty).map_err(|e| StateError::Invalid {
            message: format!("the attributes do not match the resource type's schema: {e}"),
        })?;
        Ok(v.mark_paths(&self.sensitive_attributes))
    }

    /// Builds an object from a value: marks are stripped into `sensitive_attributes`.
    pub fn from_value(schema_version: u64, value: Value) -> InstanceState {
        let (v, paths) = value.unmark_deep();
        let mut i = InstanceState::new(schema_version, v.to_json());
        i.sensitive_attributes = paths;
        i
    }
}

impl OutputState {
    /// The output as a [`Value`], marked sensitive when `sensitive` is set.
    pub fn to_value(&self) -> Result<Value, StateError> {
        let v = Value::from_json(&self.value, &self.ty).map_err(|e| StateError::Invalid {
            message: format!("an output value does not match its recorded type: {e}"),
        })?;
        Ok(v.mark_if(self.sensitive))
    }

    /// Records a value; `sensitive` is set if the output is declared sensitive or the value
    /// carries a sensitive mark anywhere.
    pub fn from_value(value: &Value, declared_sensitive: bool) -> OutputState {
        OutputState {
            value: value.to_json(),
            ty: value.type_of(),
            sensitive: declared_sensitive || value.contains_sensitive(),
        }
    }
}

/// A fresh lineage: a random UUID formatted as Terraform's `go-uuid` does.
pub fn new_lineage() -> String {
    let mut b = [0u8; 16];
    if getrandom::fill(&mut b).is_err() {
        // No OS randomness: fall back to time and pid, still unique enough for a lineage.
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        b[..16].copy_from_slice(&(t ^ ((std::process::id() as u128) << 64)).to_le_bytes());
    }
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

/// Checks that `new` may replace `current` (`state push`), with Terraform's rules: an empty
/// current state may always be replaced; otherwise the lineage must match and the serial
/// must not go backwards. `force` skips the checks.
pub fn check_push(current: &State, new: &State, force: bool) -> Result<(), StateError> {
    if force || current.is_empty() {
        return Ok(());
    }
    if new.lineage != current.lineage {
        return Err(StateError::LineageMismatch {
            current: current.lineage.clone(),
            new: new.lineage.clone(),
        });
    }
    if new.serial < current.serial {
        return Err(StateError::SerialTooLow { current: current.serial, new: new.serial });
    }
    Ok(())
}
