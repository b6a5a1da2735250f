//! `state show ADDR` and `show` (of a state): Terraform's
//! `# random_id.x:` + `resource "random_id" "x" { … }` format, every attribute shown,
//! sensitive ones as `(sensitive value)`, then the outputs.

use super::diff::{self, Opts};
use super::schemas;
use plinth_sdk::{Type, Value};
use plinth_state::{InstanceAddr, InstanceState, Mode, State};

fn addr_string(a: &InstanceAddr) -> String {
    let mut s = a.resource_string();
    if let Some(k) = &a.key {
        s += &k.to_string();
    }
    s
}

/// One instance: `# addr:` then the resource block (no trailing newline after `}`).
/// `value` is the object with sensitive marks applied.
pub fn render_instance(address: &str, mode: Mode, type_name: &str, name: &str, deposed: Option<&str>, value: &Value, color: bool) -> String {
    let data = mode == Mode::Data;
    let schema = schemas::block_for(type_name, data, &value.type_of());
    let d = diff::diff_resource(Some(value), Some(value), Some(&schema), &[]);
    let o = Opts { color, show_unchanged: true, hide_symbols: true, ..Opts::default() };
    let kw = if data { "data" } else { "resource" };
    let title = match deposed {
        Some(k) => format!("# {address}: (deposed object {k})"),
        None => format!("# {address}:"),
    };
    format!("{title}\n{kw} \"{type_name}\" \"{name}\" {}", d.render(0, &o))
}

/// The attributes of a stored instance as a value (marks applied). Falls back to reading
/// the JSON without a schema when the type is not a built-in one.
pub fn instance_value(type_name: &str, mode: Mode, inst: &InstanceState) -> Value {
    if let Some(schema) = schemas::schema_for(type_name, mode == Mode::Data) {
        // The engine's reader decodes `dynamic` attributes ({"value","type"}) and applies
        // the schema's sensitive marks.
        if let Ok(v) = plinth_engine::stateconv::instance_value(inst, schema, |_, j| Ok(j)) {
            return v;
        }
    }
    inst.attributes_value(&Type::Dynamic).unwrap_or_else(|_| Value::null())
}

/// `plinth state show ADDR` for one object in the state; `None` if it is not there.
pub fn render_show(state: &State, addr: &InstanceAddr, color: bool) -> Option<String> {
    let inst = state.instance(addr)?;
    let v = instance_value(&addr.type_name, addr.mode, inst);
    let mut out = render_instance(&addr_string(addr), addr.mode, &addr.type_name, &addr.name, addr.deposed.as_deref(), &v, color);
    if inst.is_tainted() {
        out = out.replacen(":\n", ": (tainted)\n", 1);
    }
    out.push('\n');
    Some(out)
}

/// `plinth show` of a state: every object, a blank line between them, then
/// `Outputs:` (values as `terraform console` prints them, sensitive ones as
/// `(sensitive value)`). An empty state prints "The state file is empty. No resources are
/// represented."
pub fn render_state(state: &State, color: bool) -> String {
    let mut parts = Vec::new();
    for (addr, inst) in state.instances() {
        let v = instance_value(&addr.type_name, addr.mode, inst);
        let mut s = render_instance(&addr_string(&addr), addr.mode, &addr.type_name, &addr.name, addr.deposed.as_deref(), &v, color);
        if inst.is_tainted() {
            s = s.replacen(":\n", ": (tainted)\n", 1);
        }
        parts.push(s);
    }
    if parts.is_empty() && state.outputs.is_empty() {
        return "The state file is empty. No resources are represented.\n".to_string();
    }
    let mut out = String::new();
    for p in parts {
        out += &p;
        out += "\n\n";
    }
    if !state.outputs.is_empty() {
        out += "\nOutputs:\n\n";
        for (name, o) in &state.outputs {
            let v = if o.sensitive {
                "(sensitive value)".to_string()
            } else {
                match Value::from_json(&o.value, &o.ty) {
                    Ok(v) => plinth_functions::console_format(&v),
                    Err(_) => o.value.to_string(),
                }
            };
            out += &format!("{name} = {v}\n");
        }
    }
    out
}

/// `plinth show -json` of a state: Terraform's state representation
/// (`{"format_version":"1.0","terraform_version":…,"values":{"outputs":…,"root_module":…}}`).
pub fn render_json(state: &State) -> serde_json::Value {
    use serde_json::{json, Map, Value as J};
    let mut outputs = Map::new();
    for (k, o) in &state.outputs {
        outputs.insert(k.clone(), json!({ "sensitive": o.sensitive, "value": o.value, "type": super::plan_type_json(&o.ty) }));
    }
    let mut modules: std::collections::BTreeMap<String, Vec<J>> = Default::default();
    for (addr, inst) in state.instances() {
        if addr.deposed.is_some() {
            continue;
        }
        let v = instance_value(&addr.type_name, addr.mode, inst);
        let (bare, _) = v.clone().unmark_deep();
        let mut m = Map::new();
        let address = addr_string(&addr);
        m.insert("address".into(), json!(address));
        m.insert("mode".into(), json!(if addr.mode == Mode::Data { "data" } else { "managed" }));
        m.insert("type".into(), json!(addr.type_name));
        m.insert("name".into(), json!(addr.name));
        match &addr.key {
            Some(plinth_state::IndexKey::Int(i)) => {
                m.insert("index".into(), json!(i));
            }
            Some(plinth_state::IndexKey::Str(k)) => {
                m.insert("index".into(), json!(k));
            }
            None => {}
        }
        let provider = state
            .resources
            .iter()
            .find(|r| r.module == addr.module && r.type_name == addr.type_name && r.name == addr.name && r.mode == addr.mode)
            .map(|r| r.provider.clone())
            .unwrap_or_default();
        let pname = provider.trim_start_matches("provider[").trim_end_matches(']').trim_matches('"').to_string();
        m.insert("provider_name".into(), json!(pname));
        m.insert("schema_version".into(), json!(inst.schema_version));
        m.insert("values".into(), bare.to_json());
        m.insert("sensitive_values".into(), sens_values(&v));
        if inst.is_tainted() {
            m.insert("tainted".into(), json!(true));
        }
        if !inst.dependencies.is_empty() {
            m.insert("depends_on".into(), json!(inst.dependencies));
        }
        modules.entry(addr.module.clone().unwrap_or_default()).or_default().push(J::Object(m));
    }
    let mut root = Map::new();
    root.insert("resources".into(), J::Array(modules.remove("").unwrap_or_default()));
    if !modules.is_empty() {
        root.insert(
            "child_modules".into(),
            J::Array(modules.into_iter().map(|(a, rs)| json!({ "resources": rs, "address": a })).collect()),
        );
    }
    json!({
        "format_version": "1.0",
        "terraform_version": state.terraform_version,
        "values": { "outputs": outputs, "root_module": root }
    })
}

fn sens_values(v: &Value) -> serde_json::Value {
    use serde_json::{Map, Value as J};
    if v.is_sensitive() {
        return J::Bool(true);
    }
    match v {
        Value::List(_, xs) | Value::Set(_, xs) | Value::Tuple(xs) => J::Array(xs.iter().map(sens_values).collect()),
        Value::Map(_, m) | Value::Object(m) => {
            let mut o = Map::new();
            for (k, x) in m {
                let j = sens_values(x);
                if j != J::Bool(false) {
                    o.insert(k.clone(), j);
                }
            }
            J::Object(o)
        }
        _ => J::Bool(false),
    }
}
