//! The `terraform` provider (`terraform.io/builtin/terraform`): the `terraform_data` resource
//! and the `terraform_remote_state` data source, following Terraform 1.11's built-ins.

use crate::common::*;
use plinth_sdk::{Attribute, AttrPath, Block, Diagnostic, Diagnostics, Schema, Type, Value};
use std::collections::BTreeMap;
use std::path::PathBuf;

pub(crate) struct TerraformData;

impl Resource for TerraformData {
    fn type_name(&self) -> &'static str {
        "terraform_data"
    }
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block::new()
                .attr("input", Attribute::optional(Type::Dynamic).describe(
                    "A value to store in the instance state; changing it updates `output` in place.",
                ))
                .attr("output", Attribute::computed(Type::Dynamic).describe(
                    "The stored value of `input`, known after apply.",
                ))
                .attr(
                    "triggers_replace",
                    Attribute::optional(Type::Dynamic)
                        .force_new()
                        .describe("A value which, when changed, replaces the resource."),
                )
                .attr("id", Attribute::computed(Type::String).describe("A random UUID.")),
        }
    }
    fn plan_create(&self, planned: &mut Obj) {
        let input = planned.get("input").cloned().unwrap_or_default();
        planned.insert("output".into(), planned_output(&input));
        planned.insert("id".into(), Value::Unknown(Type::String));
    }
    fn plan_update(&self, prior: &Obj, planned: &mut Obj, rr: &mut Vec<AttrPath>) {
        let input = planned.get("input").cloned().unwrap_or_default();
        if !rr.is_empty() {
            // Replacement: the new instance computes its output from the input.
            planned.insert("output".into(), planned_output(&input));
            planned.insert("id".into(), Value::Unknown(Type::String));
        } else if !same(prior.get("input"), Some(&input)) {
            planned.insert("output".into(), Value::Unknown(input.type_of()));
        }
    }
    fn create(&self, planned: &Obj) -> Result<Obj, Diagnostics> {
        let mut o = planned.clone();
        let input = get(planned, "input").clone();
        o.insert("output".into(), input);
        o.insert("id".into(), str_val(uuid()?));
        Ok(o)
    }
    fn update(&self, prior: &Obj, planned: &Obj) -> Result<Obj, Diagnostics> {
        let mut o = planned.clone();
        o.insert("output".into(), get(planned, "input").clone());
        o.insert("id".into(), prior.get("id").cloned().unwrap_or(Value::Null(Type::String)));
        Ok(o)
    }
    fn import(&self, id: &str) -> Result<Obj, Diagnostics> {
        let mut o = Obj::new();
        o.insert("id".into(), str_val(id));
        Ok(o)
    }
}

/// Output type must always match the input, even when it is null.
fn planned_output(input: &Value) -> Value {
    if input.is_null() {
        input.clone()
    } else {
        Value::Unknown(input.type_of())
    }
}

pub(crate) struct RemoteState;

impl DataSource for RemoteState {
    fn type_name(&self) -> &'static str {
        "terraform_remote_state"
    }
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block::new()
                .attr("backend", Attribute::required(Type::String).describe(
                    "The remote backend to use, e.g. `remote` or `http`. (Plinth reads the `local` backend.)",
                ))
                .attr("config", Attribute::optional(Type::Dynamic).describe(
                    "The configuration of the remote backend. Although this is optional, most backends require some configuration.\n\nThe object can use any arguments that would be valid in the equivalent `terraform { backend \"<TYPE>\" { ... } }` block.",
                ))
                .attr("defaults", Attribute::optional(Type::Dynamic).describe(
                    "Default values for outputs, in case the state file is empty or lacks a required output.",
                ))
                .attr("outputs", Attribute::computed(Type::Dynamic).describe(
                    "An object containing every root-level output in the remote state.",
                ))
                .attr("workspace", Attribute::optional(Type::String).describe(
                    "The Terraform workspace to use, if the backend supports workspaces.",
                )),
        }
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        if let Some(b) = cfg(config, "backend").and_then(Value::as_str) {
            if b != "local" {
                d.push(unsupported_backend(b));
            }
        }
        d
    }
    fn read(&self, config: &Obj) -> Result<Obj, Diagnostics> {
        let backend = get_str(config, "backend").unwrap_or_default();
        if backend != "local" {
            return Err(unsupported_backend(&backend).into());
        }
        let cfgv = get(config, "config");
        let workspace = get_str(config, "workspace").unwrap_or_else(|| "default".into());
        let path = local_state_path(cfgv, &workspace);
        let mut outputs = BTreeMap::new();
        match std::fs::read(&path) {
            Ok(bytes) => {
                let j: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
                    error(
                        "cannot read remote state",
                        format!("The state file {} is not valid JSON: {e}.", path.display()),
                    )
                })?;
                let version = j.get("version").and_then(|v| v.as_u64()).unwrap_or(0);
                if version != 4 {
                    return Err(error(
                        "unsupported state format",
                        format!(
                            "The state file {} has format version {version}; Plinth reads version 4.",
                            path.display()
                        ),
                    )
                    .with_help("run `terraform apply` or `plinth apply` once in that configuration to upgrade its state")
                    .into());
                }
                if let Some(outs) = j.get("outputs").and_then(|o| o.as_object()) {
                    for (name, o) in outs {
                        let ty = o.get("type").and_then(cty_type).unwrap_or(Type::Dynamic);
                        let raw = o.get("value").cloned().unwrap_or(serde_json::Value::Null);
                        let v = Value::from_json(&raw, &ty).map_err(|e| {
                            error(
                                "cannot read remote state",
                                format!("The output {name:?} in {} is malformed: {e}.", path.display()),
                            )
                        })?;
                        let sensitive = o.get("sensitive").and_then(|s| s.as_bool()).unwrap_or(false);
                        outputs.insert(name.clone(), v.mark_if(sensitive));
                    }
                }
            }
            // Terraform: a missing state is an error, `defaults` notwithstanding.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(error(
                    "Unable to find remote state",
                    "No stored state was found for the given workspace in the given backend.",
                )
                .with_help(format!(
                    "no state file at {} (relative paths are relative to the directory plinth runs in); apply the other configuration first, or fix config.path / workspace",
                    path.display()
                ))
                .into())
            }
            Err(e) => {
                return Err(error(
                    "cannot read remote state",
                    format!("Reading {} failed: {e}.", path.display()),
                )
                .into())
            }
        }
        if let Some(defaults) = get(config, "defaults").as_map() {
            for (k, v) in defaults {
                outputs.entry(k.clone()).or_insert_with(|| v.clone());
            }
        } else if !get(config, "defaults").is_null() {
            return Err(error(
                "invalid defaults",
                "The defaults argument must be an object whose attributes are output names.",
            )
            .into());
        }
        let mut o = config.clone();
        o.insert("outputs".into(), Value::Object(outputs));
        Ok(o)
    }
}

fn unsupported_backend(b: &str) -> Diagnostic {
    error(
        "unsupported backend for terraform_remote_state",
        format!("Plinth's terraform_remote_state reads the \"local\" backend only, not {b:?}."),
    )
    .with_help("copy the state to a file and use backend = \"local\" with config = { path = \"...\" }")
}

/// Where the local backend keeps a workspace's state (Terraform's layout).
fn local_state_path(config: &Value, workspace: &str) -> PathBuf {
    let path = config.get_attr("path").and_then(Value::as_str).unwrap_or("terraform.tfstate");
    if workspace == "default" {
        return PathBuf::from(path);
    }
    let dir = config
        .get_attr("workspace_dir")
        .and_then(Value::as_str)
        .unwrap_or("terraform.tfstate.d");
    PathBuf::from(dir).join(workspace).join("terraform.tfstate")
}

/// Parses cty's JSON type notation (`"string"`, `["list","string"]`, `["object",{...}]`).
pub(crate) fn cty_type(j: &serde_json::Value) -> Option<Type> {
    use serde_json::Value as J;
    match j {
        J::String(s) => match s.as_str() {
            "string" => Some(Type::String),
            "number" => Some(Type::Number),
            "bool" => Some(Type::Bool),
            "dynamic" => Some(Type::Dynamic),
            _ => None,
        },
        J::Array(a) if a.len() == 2 => {
            let kind = a[0].as_str()?;
            match kind {
                "list" => Some(Type::list(cty_type(&a[1])?)),
                "set" => Some(Type::set(cty_type(&a[1])?)),
                "map" => Some(Type::map(cty_type(&a[1])?)),
                "tuple" => Some(Type::Tuple(
                    a[1].as_array()?.iter().map(cty_type).collect::<Option<Vec<_>>>()?,
                )),
                "object" => Some(Type::Object(
                    a[1].as_object()?
                        .iter()
                        .map(|(k, v)| Some((k.clone(), cty_type(v)?)))
                        .collect::<Option<BTreeMap<_, _>>>()?,
                )),
                _ => None,
            }
        }
        // ["object", {...}, [optional attrs]] appears in type constraints only.
        J::Array(a) if a.len() == 3 && a[0] == "object" => cty_type(&J::Array(a[..2].to_vec())),
        _ => None,
    }
}
