//! Object helpers for providers written against a [`Block`] schema: a resource's value as a
//! name → value map with every schema attribute present ([`to_obj`]/[`from_obj`]), semantic
//! equality for planning ([`same`]), nested-block normalisation ([`conform`]), and accessors
//! that ignore marks. The built-in providers and the AWS provider share them.

use crate::{Block, Diagnostic, Diagnostics, NestedBlock, Nesting, Type, Value};
use std::collections::BTreeMap;

/// An object value as a map from attribute name to value.
pub type Obj = BTreeMap<String, Value>;

/// Semantic equality for planning: marks ignored, nulls of any type equal, lists equal
/// tuples, maps equal objects, sets compare as sets; an unknown equals nothing.
pub fn same(a: Option<&Value>, b: Option<&Value>) -> bool {
    let null = Value::null();
    let a = a.unwrap_or(&null).unmarked();
    let b = b.unwrap_or(&null).unmarked();
    match (a, b) {
        (Value::Null(_), Value::Null(_)) => true,
        (Value::Unknown(_), _) | (_, Value::Unknown(_)) => false,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Number(x), Value::Number(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Set(_, x), Value::Set(_, y)) => {
            x.len() == y.len() && x.iter().all(|p| y.iter().any(|q| same(Some(p), Some(q))))
        }
        (x, y) if x.as_seq().is_some() && y.as_seq().is_some() => {
            let (x, y) = (x.as_seq().unwrap_or(&[]), y.as_seq().unwrap_or(&[]));
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(Some(p), Some(q)))
        }
        (x, y) if x.as_map().is_some() && y.as_map().is_some() => {
            let empty = BTreeMap::new();
            let (x, y) = (x.as_map().unwrap_or(&empty), y.as_map().unwrap_or(&empty));
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(Some(v), Some(w))))
        }
        _ => false,
    }
}

/// Reads an object value into a map with every schema attribute and block present.
pub fn to_obj(block: &Block, v: &Value) -> Obj {
    let mut out = Obj::new();
    for (name, a) in &block.attributes {
        out.insert(name.clone(), v.get_attr(name).cloned().unwrap_or(Value::Null(a.ty.clone())));
    }
    for (name, nb) in &block.blocks {
        let x = v.get_attr(name).cloned().unwrap_or(Value::null());
        out.insert(name.clone(), normalize_block(nb, x));
    }
    out
}

/// As in Terraform, a list, set or map block is never null: absent means empty.
pub fn normalize_block(nb: &NestedBlock, v: Value) -> Value {
    if !v.is_null() {
        return v;
    }
    let t = nb.block.implied_type();
    match nb.nesting {
        Nesting::List => Value::List(t, Vec::new()),
        Nesting::Set => Value::Set(t, Vec::new()),
        Nesting::Map => Value::Map(t, BTreeMap::new()),
        Nesting::Single | Nesting::Group => Value::Null(t),
    }
}

/// Completes a nested-block value to its schema: every attribute present (typed null where
/// missing) and nested blocks normalised, recursively (so that planned and read values compare
/// equal whatever the configuration left out).
pub fn conform(nb: &NestedBlock, v: &Value) -> Value {
    fn object(block: &Block, v: &Value) -> Value {
        let mut out = Obj::new();
        for (name, a) in &block.attributes {
            out.insert(name.clone(), v.get_attr(name).cloned().unwrap_or(Value::Null(a.ty.clone())));
        }
        for (name, inner) in &block.blocks {
            let x = v.get_attr(name).cloned().unwrap_or(Value::null());
            out.insert(name.clone(), conform(inner, &x));
        }
        Value::Object(out)
    }
    let t = nb.block.implied_type();
    match (nb.nesting, v.unmarked()) {
        (_, Value::Unknown(_)) => v.clone(),
        (Nesting::List, x) | (Nesting::Set, x) if x.as_seq().is_some() => {
            let items: Vec<Value> = x
                .as_seq()
                .unwrap_or(&[])
                .iter()
                .map(|e| if e.is_known() { object(&nb.block, e) } else { e.clone() })
                .collect();
            if nb.nesting == Nesting::Set {
                Value::set(t, items)
            } else {
                Value::List(t, items)
            }
        }
        (Nesting::Single | Nesting::Group, x) if !x.is_null() => object(&nb.block, x),
        _ => normalize_block(nb, Value::null()),
    }
}

/// Builds the object value of the schema's implied type: every attribute present (a typed
/// null where unset), sensitive attributes marked, blocks normalised.
pub fn from_obj(block: &Block, mut o: Obj) -> Value {
    let mut out = Obj::new();
    for (name, a) in &block.attributes {
        let v = o.remove(name).unwrap_or(Value::Null(a.ty.clone()));
        let v = if let Value::Null(_) = v { Value::Null(a.ty.clone()) } else { v };
        out.insert(name.clone(), v.mark_if(a.sensitive));
    }
    for (name, nb) in &block.blocks {
        let v = o.remove(name).unwrap_or(Value::null());
        out.insert(name.clone(), normalize_block(nb, v));
    }
    Value::Object(out)
}

/// Rejects a planned state that still has an unknown configurable (not computed) attribute at
/// apply time: the engine must have resolved every configuration value by then.
pub fn check_known(block: &Block, planned: &Obj) -> Result<(), Diagnostics> {
    for (name, a) in &block.attributes {
        if a.computed {
            continue;
        }
        if planned.get(name).is_some_and(|v| !v.is_wholly_known()) {
            return Err(Diagnostic::bug(
                "unknown value at apply time",
                format!("The attribute {name:?} is still unknown when applying."),
            )
            .into());
        }
    }
    Ok(())
}

/// The attribute `name`, unmarked; a null when absent.
pub fn get<'a>(o: &'a Obj, name: &str) -> &'a Value {
    static NULL: Value = Value::Null(Type::Dynamic);
    o.get(name).map(|v| v.unmarked()).unwrap_or(&NULL)
}
pub fn get_str(o: &Obj, name: &str) -> Option<String> {
    get(o, name).as_str().map(str::to_string)
}
pub fn get_bool(o: &Obj, name: &str) -> Option<bool> {
    get(o, name).as_bool()
}
pub fn get_i64(o: &Obj, name: &str) -> Option<i64> {
    get(o, name).as_i64()
}
/// The strings of a list or set attribute (other elements skipped).
pub fn get_strings(o: &Obj, name: &str) -> Vec<String> {
    strings(get(o, name))
}
/// The strings of a list or set value (other elements skipped).
pub fn strings(v: &Value) -> Vec<String> {
    v.as_seq().map(|s| s.iter().filter_map(|v| v.as_str().map(str::to_string)).collect()).unwrap_or_default()
}
pub fn str_list(items: Vec<String>) -> Value {
    Value::List(Type::String, items.into_iter().map(Value::String).collect())
}
pub fn str_set(items: Vec<String>) -> Value {
    Value::set(Type::String, items.into_iter().map(Value::String).collect())
}

/// An attribute of a configuration value, for validation: `Some(value)` only when known and
/// not null.
pub fn cfg<'a>(config: &'a Value, name: &str) -> Option<&'a Value> {
    config.get_attr(name).map(Value::unmarked).filter(|v| !v.is_null() && v.is_wholly_known())
}

/// `invalid value for ATTR: SUMMARY`, with a detail and a help line.
pub fn attr_error(attr: &str, summary: impl Into<String>, detail: impl Into<String>, help: impl Into<String>) -> Diagnostic {
    let s: String = summary.into();
    Diagnostic::error(format!("invalid value for {attr}: {s}")).with_detail(detail).with_help(help)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Attribute;

    #[test]
    fn same_ignores_marks_null_types_and_set_order() {
        let a = Value::set(Type::String, vec![Value::string("x"), Value::string("y")]);
        let b = Value::set(Type::String, vec![Value::string("y"), Value::string("x")]);
        assert!(same(Some(&a), Some(&b)));
        assert!(same(Some(&Value::string("s").mark_sensitive()), Some(&Value::string("s"))));
        assert!(same(None, Some(&Value::Null(Type::String))));
        assert!(!same(Some(&Value::Unknown(Type::String)), Some(&Value::Unknown(Type::String))));
        let l = Value::List(Type::String, vec![Value::string("x"), Value::string("y")]);
        let r = Value::List(Type::String, vec![Value::string("y"), Value::string("x")]);
        assert!(!same(Some(&l), Some(&r)), "lists keep their order");
    }

    #[test]
    fn objects_round_trip_with_every_attribute_typed_and_marked() {
        let block = Block::default()
            .attr("name", Attribute::required(Type::String))
            .attr("secret", Attribute::optional(Type::String).sensitive())
            .attr("n", Attribute::optional(Type::Number));
        let o = to_obj(&block, &Value::object(vec![("name", Value::string("a")), ("secret", Value::string("s"))]));
        assert_eq!(get_str(&o, "name").as_deref(), Some("a"));
        assert!(get(&o, "n").is_null());
        let v = from_obj(&block, o);
        assert!(v.get_attr("secret").is_some_and(|s| s.is_sensitive()), "{v:?}");
        assert_eq!(v.get_attr("n"), Some(&Value::Null(Type::Number)));
        let mut planned = to_obj(&block, &v);
        assert!(check_known(&block, &planned).is_ok());
        planned.insert("n".into(), Value::Unknown(Type::Number));
        assert!(check_known(&block, &planned).is_err());
    }
}
