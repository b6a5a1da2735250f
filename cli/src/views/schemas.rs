//! Schemas the renderers consult to tell nested blocks from attributes and to spot
//! `dynamic`-typed attributes (printed as Terraform prints JSON-typed values). The built-in
//! providers' schemas are used when the type is known; otherwise one is derived from the
//! change's object type (every key an attribute).

use plinth_sdk::{Attribute, Block, Schema, Type};
use std::collections::BTreeMap;
use std::sync::OnceLock;

struct All {
    resources: BTreeMap<String, Schema>,
    data: BTreeMap<String, Schema>,
}

fn all() -> &'static All {
    static ALL: OnceLock<All> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut a = All { resources: BTreeMap::new(), data: BTreeMap::new() };
        for p in crate::commands::builtin_providers() {
            let s = p.schema();
            a.resources.extend(s.resources);
            a.data.extend(s.data_sources);
        }
        a
    })
}

/// The block schema of a resource (or data source) type; derived from `ty` when the type is
/// not a built-in one.
pub fn block_for(type_name: &str, data: bool, ty: &Type) -> Block {
    let found = if data { all().data.get(type_name) } else { all().resources.get(type_name) };
    match found {
        Some(s) => s.block.clone(),
        None => derived(ty),
    }
}

fn derived(ty: &Type) -> Block {
    let mut b = Block::new();
    if let Type::Object(m) = ty {
        for (k, t) in m {
            b = b.attr(k, Attribute::optional(t.clone()));
        }
    }
    b
}

/// The object type of a resource type's schema, when it is a built-in one.
pub fn implied_type(type_name: &str, data: bool) -> Option<Type> {
    let found = if data { all().data.get(type_name) } else { all().resources.get(type_name) };
    found.map(|s| s.block.implied_type())
}

/// The full schema (with version) of a built-in resource or data source type.
pub fn schema_for(type_name: &str, data: bool) -> Option<&'static Schema> {
    if data {
        all().data.get(type_name)
    } else {
        all().resources.get(type_name)
    }
}
