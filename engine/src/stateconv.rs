//! Conversions between the state model (`plinth_state`, Terraform v4 JSON) and the engine's
//! addresses and [`Value`]s: attributes are read with the provider schema's implied type,
//! sensitive marks come from `sensitive_attributes` and the schema's `sensitive` flags.

use crate::addr::{InstanceKey, ModuleInstance, ResourceAddress, ResourceInstanceAddress};
use plinth_lang::ResourceMode;
use plinth_sdk::{AttrPath, Block, Diagnostic, Nesting, PathStep, Schema, Type, Value};
use plinth_state::{IndexKey, InstanceAddr, InstanceState, Mode};

pub fn key_to_state(k: &InstanceKey) -> Option<IndexKey> {
    match k {
        InstanceKey::NoKey => None,
        InstanceKey::Int(i) => Some(IndexKey::Int(*i)),
        InstanceKey::Str(s) => Some(IndexKey::Str(s.clone())),
    }
}

pub fn key_from_state(k: &Option<IndexKey>) -> InstanceKey {
    match k {
        None => InstanceKey::NoKey,
        Some(IndexKey::Int(i)) => InstanceKey::Int(*i),
        Some(IndexKey::Str(s)) => InstanceKey::Str(s.clone()),
    }
}

pub fn addr_to_state(a: &ResourceInstanceAddress, deposed: Option<&str>) -> InstanceAddr {
    InstanceAddr {
        module: if a.resource.module.is_root() { None } else { Some(a.resource.module.to_string()) },
        mode: match a.resource.mode {
            ResourceMode::Managed => Mode::Managed,
            ResourceMode::Data => Mode::Data,
        },
        type_name: a.resource.type_name.clone(),
        name: a.resource.name.clone(),
        key: key_to_state(&a.key),
        deposed: deposed.map(str::to_string),
    }
}

pub fn addr_from_state(a: &InstanceAddr) -> Result<ResourceInstanceAddress, Diagnostic> {
    let module: ModuleInstance = match &a.module {
        None => ModuleInstance::root(),
        Some(m) => m.parse().map_err(|e: crate::addr::AddrParseError| {
            Diagnostic::error("invalid module address in state").with_detail(format!("The state records module {m:?}: {e}."))
        })?,
    };
    Ok(ResourceInstanceAddress {
        resource: ResourceAddress {
            module,
            mode: match a.mode {
                Mode::Managed => ResourceMode::Managed,
                Mode::Data => ResourceMode::Data,
            },
            type_name: a.type_name.clone(),
            name: a.name.clone(),
        },
        key: key_from_state(&a.key),
    })
}

/// `provider["registry.terraform.io/hashicorp/aws"].west` → (`registry.terraform.io/hashicorp/aws`, `Some("west")`).
/// A `module.x.` prefix is ignored.
pub fn parse_provider_addr(s: &str) -> Option<(String, Option<String>)> {
    let start = s.find("provider[\"")? + "provider[\"".len();
    let rest = &s[start..];
    let end = rest.find("\"]")?;
    let source = rest[..end].to_string();
    let after = &rest[end + 2..];
    let alias = after.strip_prefix('.').map(str::to_string);
    Some((source, alias))
}

/// Paths of attributes the schema declares sensitive (nested blocks of single nesting too).
pub fn schema_sensitive_paths(block: &Block) -> Vec<AttrPath> {
    let mut out = Vec::new();
    collect_sensitive(block, &AttrPath::root(), &mut out);
    out
}

fn collect_sensitive(block: &Block, at: &AttrPath, out: &mut Vec<AttrPath>) {
    for (n, a) in &block.attributes {
        if a.sensitive {
            out.push(at.clone().then(PathStep::Attr(n.clone())));
        }
    }
    for (n, b) in &block.blocks {
        if matches!(b.nesting, Nesting::Single | Nesting::Group) {
            collect_sensitive(&b.block, &at.clone().then(PathStep::Attr(n.clone())), out);
        }
    }
}

/// Marks a value: the given paths plus the schema's sensitive attributes (where present and
/// not null).
pub fn mark_value(v: Value, paths: &[AttrPath], schema: &Block) -> Value {
    let mut all: Vec<AttrPath> = paths.to_vec();
    all.extend(schema_sensitive_paths(schema));
    if all.is_empty() {
        return v;
    }
    v.mark_paths(&all)
}

/// Reads an object from state as a value of the schema's type, upgrading it first when the
/// state was written with an older schema version.
pub fn instance_value(
    inst: &InstanceState,
    schema: &Schema,
    upgrade: impl FnOnce(u64, serde_json::Value) -> Result<serde_json::Value, plinth_sdk::Diagnostics>,
) -> Result<Value, Diagnostic> {
    let ty = schema.block.implied_type();
    let attrs = if inst.schema_version < schema.version {
        upgrade(inst.schema_version, inst.attributes.clone()).map_err(|d| {
            d.into_iter().next().unwrap_or_else(|| Diagnostic::error("state upgrade failed"))
        })?
    } else {
        inst.attributes.clone()
    };
    let v = from_state_json(&attrs, &ty).map_err(|e| {
        Diagnostic::error("state does not match the resource schema")
            .with_detail(format!("The stored attributes do not fit the schema: {e}."))
    })?;
    Ok(mark_value(v, &inst.sensitive_attributes, &schema.block))
}

/// Builds a state object from a (marked) value.
pub fn instance_from_value(v: &Value, schema: &Schema, private: &[u8], deps: Vec<String>, cbd: bool, tainted: bool) -> InstanceState {
    let (bare, paths) = v.clone().unmark_deep();
    let ty = schema.block.implied_type();
    let mut i = InstanceState::new(schema.version, to_state_json(&bare, &ty));
    i.sensitive_attributes = paths;
    i.private = if private.is_empty() { None } else { Some(base64_encode(private)) };
    i.dependencies = deps;
    i.create_before_destroy = cbd;
    if tainted {
        i.status = Some("tainted".into());
    }
    i
}

pub fn private_bytes(inst: &InstanceState) -> Vec<u8> {
    inst.private.as_deref().map(base64_decode).unwrap_or_default()
}

/// State JSON of a value of schema type `ty`, as Terraform writes it: attributes of
/// dynamic type (`terraform_data.input`) are wrapped as `{"value": …, "type": …}`.
pub fn to_state_json(v: &Value, ty: &Type) -> serde_json::Value {
    use serde_json::Value as J;
    let v = v.unmarked();
    if v.is_null() || !v.is_known() {
        return J::Null;
    }
    match ty {
        Type::Dynamic => serde_json::json!({ "value": v.to_json(), "type": plinth_state::type_to_json(&v.type_of()) }),
        Type::Object(attrs) => match v.as_map() {
            Some(m) => J::Object(
                attrs
                    .iter()
                    .map(|(k, t)| (k.clone(), m.get(k).map(|x| to_state_json(x, t)).unwrap_or(J::Null)))
                    .chain(m.iter().filter(|(k, _)| !attrs.contains_key(*k)).map(|(k, x)| (k.clone(), x.to_json())))
                    .collect(),
            ),
            None => v.to_json(),
        },
        Type::List(t) | Type::Set(t) => match v.as_seq() {
            Some(items) => J::Array(items.iter().map(|x| to_state_json(x, t)).collect()),
            None => v.to_json(),
        },
        Type::Map(t) => match v.as_map() {
            Some(m) => J::Object(m.iter().map(|(k, x)| (k.clone(), to_state_json(x, t))).collect()),
            None => v.to_json(),
        },
        Type::Tuple(ts) => match v.as_seq() {
            Some(items) => J::Array(items.iter().zip(ts).map(|(x, t)| to_state_json(x, t)).collect()),
            None => v.to_json(),
        },
        _ => v.to_json(),
    }
}

/// Reads state JSON written by [`to_state_json`] (or by Terraform) as a value of type `ty`.
pub fn from_state_json(j: &serde_json::Value, ty: &Type) -> Result<Value, String> {
    use serde_json::Value as J;
    match (j, ty) {
        (J::Null, t) => Ok(Value::Null(t.clone())),
        (J::Object(o), Type::Dynamic) if o.len() == 2 && o.contains_key("value") && o.contains_key("type") => {
            let t = plinth_state::type_from_json(&o["type"])?;
            Value::from_json(&o["value"], &t)
        }
        (J::Object(o), Type::Object(attrs)) => {
            let mut m = std::collections::BTreeMap::new();
            for (k, t) in attrs {
                m.insert(k.clone(), from_state_json(o.get(k).unwrap_or(&J::Null), t)?);
            }
            Ok(Value::Object(m))
        }
        (J::Array(a), Type::List(t)) => Ok(Value::List((**t).clone(), a.iter().map(|x| from_state_json(x, t)).collect::<Result<_, _>>()?)),
        (J::Array(a), Type::Set(t)) => Ok(Value::set((**t).clone(), a.iter().map(|x| from_state_json(x, t)).collect::<Result<_, _>>()?)),
        (J::Object(o), Type::Map(t)) => Ok(Value::Map(
            (**t).clone(),
            o.iter().map(|(k, x)| Ok((k.clone(), from_state_json(x, t)?))).collect::<Result<_, String>>()?,
        )),
        (J::Array(a), Type::Tuple(ts)) if a.len() == ts.len() => {
            Ok(Value::Tuple(a.iter().zip(ts).map(|(x, t)| from_state_json(x, t)).collect::<Result<_, _>>()?))
        }
        (j, t) => Value::from_json(j, t),
    }
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub fn base64_encode(b: &[u8]) -> String {
    let mut out = String::with_capacity(b.len().div_ceil(3) * 4);
    for chunk in b.chunks(3) {
        let n = (u32::from(chunk[0]) << 16) | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8) | u32::from(*chunk.get(2).unwrap_or(&0));
        out.push(B64[(n >> 18) as usize & 63] as char);
        out.push(B64[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 { B64[(n >> 6) as usize & 63] as char } else { '=' });
        out.push(if chunk.len() > 2 { B64[n as usize & 63] as char } else { '=' });
    }
    out
}

pub fn base64_decode(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = 0u32;
    let mut bits = 0;
    for c in s.bytes() {
        let v = match B64.iter().position(|x| *x == c) {
            Some(v) => v as u32,
            None => continue,
        };
        buf = (buf << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn provider_addresses() {
        assert_eq!(
            parse_provider_addr("provider[\"registry.terraform.io/hashicorp/aws\"].west"),
            Some(("registry.terraform.io/hashicorp/aws".into(), Some("west".into())))
        );
        assert_eq!(
            parse_provider_addr("module.a.provider[\"terraform.io/builtin/terraform\"]"),
            Some(("terraform.io/builtin/terraform".into(), None))
        );
    }
    #[test]
    fn dynamic_attributes_use_terraforms_wrapper() {
        let ty = Type::object([("id", Type::String), ("input", Type::Dynamic), ("triggers_replace", Type::Dynamic)]);
        let v = Value::object([
            ("id", Value::string("x")),
            ("input", Value::Tuple(vec![Value::number(1), Value::string("x")])),
            ("triggers_replace", Value::Null(Type::Dynamic)),
        ]);
        let j = to_state_json(&v, &ty);
        assert_eq!(
            j,
            serde_json::json!({"id": "x", "input": {"value": [1, "x"], "type": ["tuple", ["number", "string"]]}, "triggers_replace": null})
        );
        assert_eq!(from_state_json(&j, &ty).unwrap(), v);
    }

    #[test]
    fn base64_round_trip() {
        for s in ["", "a", "ab", "abc", "abcd", "{\"schema_version\":\"1\"}"] {
            assert_eq!(base64_decode(&base64_encode(s.as_bytes())), s.as_bytes());
        }
        assert_eq!(base64_encode(b"hello"), "aGVsbG8=");
    }
    #[test]
    fn addresses_round_trip_through_state() {
        let a: ResourceInstanceAddress = "module.a[\"x\"].random_id.b[3]".parse().unwrap();
        assert_eq!(addr_from_state(&addr_to_state(&a, None)).unwrap(), a);
    }
}
