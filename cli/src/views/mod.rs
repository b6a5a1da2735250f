//! Renderers: pure functions from plans, states and events to `String`s or JSON values.
//! Nothing here prints; the commands in [`crate::commands`] decide where output goes.
//!
//! - [`plan`]: the human plan (Terraform 1.11's layout), the JSON plan
//!   (`show -json`, format 1.2), and a Markdown pull-request comment.
//! - [`apply`]: progress lines ("x: Creating..."), the apply/destroy summary, `Outputs:`.
//! - [`state`]: `state show` and `show` of a state.
//! - [`json_ui`]: the `-json` machine-readable UI messages.
//! - [`diff`]: the structural value diff shared by all of them.

pub mod apply;
pub mod diff;
pub mod json_ui;
pub mod plan;
pub mod schemas;
pub mod state;

/// A type as Terraform writes it in JSON (`"string"`, `["list","string"]`).
pub fn plan_type_json(t: &plinth_sdk::Type) -> serde_json::Value {
    use plinth_sdk::Type;
    use serde_json::json;
    match t {
        Type::Dynamic => json!("dynamic"),
        Type::Bool => json!("bool"),
        Type::Number => json!("number"),
        Type::String => json!("string"),
        Type::List(e) => json!(["list", plan_type_json(e)]),
        Type::Set(e) => json!(["set", plan_type_json(e)]),
        Type::Map(e) => json!(["map", plan_type_json(e)]),
        Type::Tuple(ts) => json!(["tuple", ts.iter().map(plan_type_json).collect::<Vec<_>>()]),
        Type::Object(m) => json!(["object", m.iter().map(|(k, t)| (k.clone(), plan_type_json(t))).collect::<serde_json::Map<_, _>>()]),
    }
}

#[cfg(test)]
mod tests;
