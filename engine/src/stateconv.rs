//! Conversions between the state model (`plinth_state`, Terraform v4 JSON) and the engine's
//! addresses and [`Value`]s: attributes are read with the provider schema's implied type,
//! sensitive marks come from `sensitive_attributes` and the schema's `sensitive` flags.

use crate::addr::{InstanceKey, ModuleInstance, ResourceAddress, ResourceInstanceAddress};
use plinth_lang::ResourceMode;
use plinth_sdk::{AttrPath, Block, Diagnostic, Nesting, PathStep, Schema, Value};
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
    let v = Value::from_json(&attrs, &ty).map_err(|e| {
        Diagnostic::error("state does not match the resource schema")
            .with_detail(format!("The stored attributes do not fit the schema: {e}."))
    })?;
    Ok(mark_value(v, &inst.sensitive_attributes, &schema.block))
}

/// Builds a state object from a (marked) value.
pub fn instance_from_value(v: &Value, schema_version: u64, private: &[u8], deps: Vec<String>, cbd: bool, tainted: bool) -> InstanceState {
    let (bare, paths) = v.clone().unmark_deep();
    let mut i = InstanceState::new(schema_version, bare.to_json());
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
