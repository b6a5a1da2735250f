//! Type conversion and mark functions: `tostring`, `tonumber`, `tobool`, `tolist`, `toset`,
//! `tomap`, `sensitive`, `nonsensitive`, `issensitive`, `ephemeralasnull`.

use crate::format::go_quote;
use crate::registry::{arg_err, func, p, ret, ret_fn, Func, Marks, Unknowns};
use crate::FunctionError;
use plinth_sdk::convert::{convert, unify};
use plinth_sdk::{Type, Value};

fn anyp(name: &'static str) -> crate::registry::Param {
    p(name, Type::Dynamic).dynamic().null().unknown(Unknowns::Allow).marks(Marks::Keep)
}

pub(crate) fn register(r: &mut Vec<Func>) {
    r.push(func("tostring", vec![anyp("v")], ret(Type::String), |a, _| to(&a[0], &Type::String)));
    r.push(func("tonumber", vec![anyp("v")], ret(Type::Number), |a, _| to(&a[0], &Type::Number)));
    r.push(func("tobool", vec![anyp("v")], ret(Type::Bool), |a, _| to(&a[0], &Type::Bool)));
    r.push(func("tolist", vec![anyp("v")], ret_fn(|a| Ok(target(&a[0], Kind::List))), |a, _| to(&a[0], &target(&a[0], Kind::List))));
    r.push(func("toset", vec![anyp("v")], ret_fn(|a| Ok(target(&a[0], Kind::Set))), |a, _| to(&a[0], &target(&a[0], Kind::Set))));
    r.push(func("tomap", vec![anyp("v")], ret_fn(|a| Ok(target(&a[0], Kind::Map))), |a, _| to(&a[0], &target(&a[0], Kind::Map))));
    r.push(func("sensitive", vec![anyp("value")], ret_fn(|a| Ok(a[0].type_of())), |a, _| Ok(a[0].clone().mark_sensitive())));
    r.push(func("nonsensitive", vec![anyp("value")], ret_fn(|a| Ok(a[0].type_of())), |a, _| Ok(a[0].clone().unmark().0)));
    r.push(func("issensitive", vec![anyp("value")], ret(Type::Bool), |a, _| {
        if a[0].is_sensitive() {
            return Ok(Value::Bool(true));
        }
        if !a[0].is_known() {
            return Ok(Value::Unknown(Type::Bool));
        }
        Ok(Value::Bool(false))
    }));
    r.push(func("ephemeralasnull", vec![anyp("value")], ret_fn(|a| Ok(a[0].type_of())), |a, _| Ok(a[0].clone())));
}

#[derive(Clone, Copy)]
enum Kind {
    List,
    Set,
    Map,
}

/// The collection type `tolist`/`toset`/`tomap` aim for: the element type is unified from
/// the value's own element types (Dynamic when that is impossible, so the conversion error
/// says why).
fn target(v: &Value, k: Kind) -> Type {
    let t = v.type_of();
    let et = match &t {
        Type::List(e) | Type::Set(e) | Type::Map(e) => (**e).clone(),
        Type::Tuple(ts) => unify(ts).unwrap_or(Type::Dynamic),
        Type::Object(m) => unify(&m.values().cloned().collect::<Vec<_>>()).unwrap_or(Type::Dynamic),
        _ => Type::Dynamic,
    };
    match k {
        Kind::List => Type::list(et),
        Kind::Set => Type::set(et),
        Kind::Map => Type::map(et),
    }
}

fn to(v: &Value, t: &Type) -> Result<Value, FunctionError> {
    let from = v.type_of();
    // Structural mismatches that cty words specially.
    let mismatch = |what: &str| arg_err(0, format!("cannot convert {} to {what}", from.friendly_name()));
    match t {
        Type::List(_) | Type::Set(_) | Type::Map(_) => {
            let is_map = matches!(t, Type::Map(_));
            let any_single = format!("{} of any single type", if is_map { "map" } else if matches!(t, Type::List(_)) { "list" } else { "set" });
            match (&from, is_map) {
                (Type::Tuple(ts), false) if !ts.is_empty() && unify(ts).is_none() => return Err(mismatch(&any_single)),
                (Type::Object(m), true) if !m.is_empty() && unify(&m.values().cloned().collect::<Vec<_>>()).is_none() => return Err(mismatch(&any_single)),
                (Type::Object(_) | Type::Map(_), false) | (Type::Tuple(_) | Type::List(_) | Type::Set(_), true) => {
                    return Err(mismatch(&any_single))
                }
                (Type::String | Type::Number | Type::Bool, _) => return Err(mismatch(&any_single)),
                _ => {}
            }
        }
        Type::String | Type::Number | Type::Bool => {
            if !matches!(from, Type::String | Type::Number | Type::Bool | Type::Dynamic) {
                return Err(mismatch(&t.friendly_name()));
            }
            if let (Some(s), true) = (v.as_str(), v.is_known()) {
                if *t == Type::Number && plinth_sdk::Number::parse(s).is_none() {
                    return Err(arg_err(0, format!("cannot convert {} to number; given string must be a decimal representation of a number", go_quote(s))));
                }
                if *t == Type::Bool && s != "true" && s != "false" {
                    return Err(arg_err(0, format!("cannot convert {} to bool; only the strings \"true\" or \"false\" are allowed", go_quote(s))));
                }
            }
            if *t == Type::Number && from == Type::Bool || *t == Type::Bool && from == Type::Number {
                return Err(mismatch(&t.friendly_name()));
            }
        }
        _ => {}
    }
    convert(v, t).map_err(|e| arg_err(0, crate::registry::conversion_message(&e)))
}
