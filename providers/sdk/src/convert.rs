//! Terraform's type conversion rules (cty `convert`): tuple→list, object→map,
//! string↔number↔bool, and unification of element types.

use crate::number::Number;
use crate::types::Type;
use crate::value::Value;
use std::collections::BTreeMap;

/// Why a conversion failed, phrased like Terraform ("a number is required").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConversionError {
    /// Where inside the value (e.g. `[2].name`), empty at the top.
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for ConversionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

fn err(path: &str, message: impl Into<String>) -> ConversionError {
    ConversionError { path: path.to_string(), message: message.into() }
}

/// Converts `v` to type `ty`. Unknowns and nulls become unknowns/nulls of the target type;
/// sensitive marks are preserved.
pub fn convert(v: &Value, ty: &Type) -> Result<Value, ConversionError> {
    convert_at(v, ty, "")
}

fn convert_at(v: &Value, ty: &Type, path: &str) -> Result<Value, ConversionError> {
    if let Value::Sensitive(inner) = v {
        return Ok(convert_at(inner, ty, path)?.mark_sensitive());
    }
    if *ty == Type::Dynamic {
        return Ok(v.clone());
    }
    match v {
        Value::Null(_) => return Ok(Value::Null(ty.clone())),
        Value::Unknown(from) => {
            if from == ty || *from == Type::Dynamic || can_convert_type(from, ty) {
                return Ok(Value::Unknown(ty.clone()));
            }
            return Err(err(path, required_message(ty)));
        }
        _ => {}
    }
    match ty {
        Type::Dynamic => Ok(v.clone()),
        Type::String => match v {
            Value::String(_) => Ok(v.clone()),
            Value::Number(n) => Ok(Value::String(n.to_string())),
            Value::Bool(b) => Ok(Value::String(b.to_string())),
            _ => Err(err(path, "string required")),
        },
        Type::Number => match v {
            Value::Number(_) => Ok(v.clone()),
            Value::String(s) => Number::parse(s)
                .map(Value::Number)
                .ok_or_else(|| err(path, "a number is required")),
            _ => Err(err(path, "number required")),
        },
        Type::Bool => match v {
            Value::Bool(_) => Ok(v.clone()),
            Value::String(s) if s == "true" => Ok(Value::Bool(true)),
            Value::String(s) if s == "false" => Ok(Value::Bool(false)),
            Value::String(_) => Err(err(path, "a bool is required")),
            _ => Err(err(path, "bool required")),
        },
        Type::List(et) | Type::Set(et) => {
            let items = match v {
                Value::List(_, vs) | Value::Set(_, vs) | Value::Tuple(vs) => vs,
                _ => return Err(err(path, format!("{} required", ty.friendly_name()))),
            };
            let et = if **et == Type::Dynamic {
                unify(&items.iter().map(Value::type_of).collect::<Vec<_>>()).ok_or_else(|| {
                    err(path, "all elements must have the same type")
                })?
            } else {
                (**et).clone()
            };
            let mut out = Vec::with_capacity(items.len());
            for (i, x) in items.iter().enumerate() {
                out.push(convert_at(x, &et, &format!("{path}[{i}]"))?);
            }
            Ok(match ty {
                Type::List(_) => Value::List(et, out),
                _ => Value::set(et, out),
            })
        }
        Type::Map(et) => {
            let items = match v {
                Value::Map(_, m) | Value::Object(m) => m,
                _ => return Err(err(path, format!("{} required", ty.friendly_name()))),
            };
            let et = if **et == Type::Dynamic {
                unify(&items.values().map(Value::type_of).collect::<Vec<_>>()).ok_or_else(|| {
                    err(path, "all map elements must have the same type")
                })?
            } else {
                (**et).clone()
            };
            let mut out = BTreeMap::new();
            for (k, x) in items {
                out.insert(k.clone(), convert_at(x, &et, &format!("{path}[{k:?}]"))?);
            }
            Ok(Value::Map(et, out))
        }
        Type::Tuple(ts) => {
            let items = match v {
                Value::List(_, vs) | Value::Set(_, vs) | Value::Tuple(vs) => vs,
                _ => return Err(err(path, "tuple required")),
            };
            if items.len() != ts.len() {
                return Err(err(path, format!("tuple required with exactly {} elements", ts.len())));
            }
            let mut out = Vec::with_capacity(items.len());
            for (i, (x, t)) in items.iter().zip(ts).enumerate() {
                out.push(convert_at(x, t, &format!("{path}[{i}]"))?);
            }
            Ok(Value::Tuple(out))
        }
        Type::Object(attrs) => {
            let items = match v {
                Value::Map(_, m) | Value::Object(m) => m,
                _ => return Err(err(path, "object required")),
            };
            let mut out = BTreeMap::new();
            for (k, t) in attrs {
                match items.get(k) {
                    Some(x) => {
                        let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                        out.insert(k.clone(), convert_at(x, t, &p)?);
                    }
                    None => {
                        return Err(err(path, format!("attribute {k:?} is required")));
                    }
                }
            }
            Ok(Value::Object(out))
        }
    }
}

fn required_message(ty: &Type) -> String {
    format!("{} required", ty.friendly_name())
}

/// Whether values of type `from` can in principle convert to `to` (used for unknowns).
pub fn can_convert_type(from: &Type, to: &Type) -> bool {
    use Type::*;
    match (from, to) {
        (_, Dynamic) | (Dynamic, _) => true,
        (a, b) if a == b => true,
        (String | Number | Bool, String) => true,
        (String, Number | Bool) => true,
        (List(a) | Set(a), List(b) | Set(b)) => can_convert_type(a, b),
        (Tuple(ts), List(b) | Set(b)) => ts.iter().all(|t| can_convert_type(t, b)),
        (List(_) | Set(_), Tuple(_)) => true,
        (Tuple(a), Tuple(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| can_convert_type(x, y)),
        (Map(a), Map(b)) => can_convert_type(a, b),
        (Object(m), Map(b)) => m.values().all(|t| can_convert_type(t, b)),
        (Map(_), Object(_)) => true,
        (Object(a), Object(b)) => b.iter().all(|(k, t)| a.get(k).is_some_and(|f| can_convert_type(f, t))),
        _ => false,
    }
}

/// The common type that all of `types` convert to, as cty's `unify`: equal types stay;
/// primitives mixing string with number or bool become string; tuples of one length unify
/// element-wise, of different lengths (or mixed with lists) into lists; objects with identical
/// attribute sets unify attribute-wise, otherwise (or mixed with maps) into maps.
/// `None` when there is no common type. An empty slice unifies to `Dynamic`.
pub fn unify(types: &[Type]) -> Option<Type> {
    let known: Vec<&Type> = types.iter().filter(|t| **t != Type::Dynamic).collect();
    let Some(first) = known.first() else {
        return Some(Type::Dynamic);
    };
    if known.iter().all(|t| t == first) {
        return Some((*first).clone());
    }
    if known.iter().all(|t| t.is_primitive()) {
        if known.iter().any(|t| **t == Type::String) {
            return Some(Type::String);
        }
        return None;
    }
    // Lists mixed with tuples unify as lists, maps mixed with objects as maps (cty's
    // unifyTuplesAsList / unifyObjectsAsMaps).
    let all_seq = known.iter().all(|t| matches!(t, Type::List(_) | Type::Tuple(_)));
    let all_map = known.iter().all(|t| matches!(t, Type::Map(_) | Type::Object(_)));
    let mixed = known.iter().any(|t| matches!(t, Type::List(_) | Type::Map(_)))
        && known.iter().any(|t| matches!(t, Type::Tuple(_) | Type::Object(_)));
    if mixed && (all_seq || all_map) {
        let elems: Vec<Type> = known
            .iter()
            .flat_map(|t| match t {
                Type::List(e) | Type::Map(e) => vec![(**e).clone()],
                Type::Tuple(ts) => ts.clone(),
                Type::Object(m) => m.values().cloned().collect(),
                _ => vec![],
            })
            .collect();
        let e = unify(&elems)?;
        return Some(if all_seq { Type::list(e) } else { Type::map(e) });
    }
    // Collections of the same kind: unify element types.
    let kind = |t: &Type| std::mem::discriminant(t);
    if known.iter().all(|t| kind(t) == kind(first)) {
        match first {
            Type::List(_) | Type::Set(_) | Type::Map(_) => {
                let elems: Vec<Type> = known.iter().filter_map(|t| t.element_type().cloned()).collect();
                let e = unify(&elems)?;
                return Some(match first {
                    Type::List(_) => Type::list(e),
                    Type::Set(_) => Type::set(e),
                    _ => Type::map(e),
                });
            }
            Type::Object(a0) => {
                let same_keys = known.iter().all(|t| match t {
                    Type::Object(a) => a.keys().eq(a0.keys()),
                    _ => false,
                });
                if same_keys {
                    let mut out = BTreeMap::new();
                    for k in a0.keys() {
                        let ts: Vec<Type> = known
                            .iter()
                            .filter_map(|t| match t {
                                Type::Object(a) => a.get(k).cloned(),
                                _ => None,
                            })
                            .collect();
                        out.insert(k.clone(), unify(&ts)?);
                    }
                    return Some(Type::Object(out));
                }
                let all: Vec<Type> = known
                    .iter()
                    .flat_map(|t| match t {
                        Type::Object(a) => a.values().cloned().collect::<Vec<_>>(),
                        _ => vec![],
                    })
                    .collect();
                return Some(Type::map(unify(&all)?));
            }
            Type::Tuple(t0) => {
                let same_len = known.iter().all(|t| matches!(t, Type::Tuple(x) if x.len() == t0.len()));
                if same_len {
                    let mut out = Vec::new();
                    for i in 0..t0.len() {
                        let ts: Vec<Type> = known
                            .iter()
                            .filter_map(|t| match t {
                                Type::Tuple(x) => x.get(i).cloned(),
                                _ => None,
                            })
                            .collect();
                        out.push(unify(&ts)?);
                    }
                    return Some(Type::Tuple(out));
                }
                // Tuples of different lengths unify as a list.
                let all: Vec<Type> = known
                    .iter()
                    .flat_map(|t| match t {
                        Type::Tuple(x) => x.clone(),
                        _ => vec![],
                    })
                    .collect();
                return Some(Type::list(unify(&all)?));
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn tuple_to_list_unifies_to_string() {
        let v = Value::Tuple(vec![Value::number(1), Value::string("a")]);
        let out = convert(&v, &Type::list(Type::Dynamic)).unwrap();
        assert_eq!(out, Value::List(Type::String, vec![Value::string("1"), Value::string("a")]));
    }
    #[test]
    fn object_to_map_and_errors() {
        let v = Value::object([("a", Value::number(1))]);
        assert!(matches!(convert(&v, &Type::map(Type::Number)).unwrap(), Value::Map(..)));
        let e = convert(&Value::string("x"), &Type::Number).unwrap_err();
        assert_eq!(e.message, "a number is required");
    }
}
