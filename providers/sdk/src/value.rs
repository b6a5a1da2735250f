//! Terraform values (cty values) with unknowns and sensitive marks.

use crate::number::Number;
use crate::path::{AttrPath, PathStep};
use crate::types::Type;
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// A Terraform value.
///
/// * `Null(t)` and `Unknown(t)` are typed, like cty's (`tostring(null)` prints differently
///   from `null`); `Unknown` is "known after apply".
/// * Collections carry their element type so that empty ones keep it (`tolist([])`).
/// * `Set` elements are kept deduplicated and in canonical order (see [`Value::canonical_cmp`]).
/// * `Sensitive(v)` marks `v` sensitive; operations propagate the mark (see [`Value::unmark`]).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null(Type),
    Unknown(Type),
    Bool(bool),
    Number(Number),
    String(String),
    List(Type, Vec<Value>),
    Set(Type, Vec<Value>),
    Map(Type, BTreeMap<String, Value>),
    Tuple(Vec<Value>),
    Object(BTreeMap<String, Value>),
    Sensitive(Box<Value>),
}

impl Default for Value {
    fn default() -> Self {
        Value::Null(Type::Dynamic)
    }
}

impl Value {
    pub fn null() -> Value {
        Value::Null(Type::Dynamic)
    }
    pub fn unknown() -> Value {
        Value::Unknown(Type::Dynamic)
    }
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }
    pub fn number(n: impl Into<Number>) -> Value {
        Value::Number(n.into())
    }
    pub fn object<I: IntoIterator<Item = (S, Value)>, S: Into<String>>(attrs: I) -> Value {
        Value::Object(attrs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }
    /// A list whose element type is taken from the first element (Dynamic if empty).
    pub fn list(items: Vec<Value>) -> Value {
        let t = items.first().map(Value::type_of).unwrap_or(Type::Dynamic);
        Value::List(t, items)
    }
    /// A set, deduplicated and sorted canonically.
    pub fn set(elem: Type, mut items: Vec<Value>) -> Value {
        items.sort_by(Value::canonical_cmp);
        items.dedup();
        Value::Set(elem, items)
    }
    pub fn map(elem: Type, items: BTreeMap<String, Value>) -> Value {
        Value::Map(elem, items)
    }

    /// The value's type (for a sensitive value, the type of what it wraps).
    pub fn type_of(&self) -> Type {
        match self {
            Value::Null(t) | Value::Unknown(t) => t.clone(),
            Value::Bool(_) => Type::Bool,
            Value::Number(_) => Type::Number,
            Value::String(_) => Type::String,
            Value::List(t, _) => Type::List(Box::new(t.clone())),
            Value::Set(t, _) => Type::Set(Box::new(t.clone())),
            Value::Map(t, _) => Type::Map(Box::new(t.clone())),
            Value::Tuple(vs) => Type::Tuple(vs.iter().map(Value::type_of).collect()),
            Value::Object(m) => {
                Type::Object(m.iter().map(|(k, v)| (k.clone(), v.type_of())).collect())
            }
            Value::Sensitive(v) => v.type_of(),
        }
    }

    pub fn is_null(&self) -> bool {
        match self {
            Value::Null(_) => true,
            Value::Sensitive(v) => v.is_null(),
            _ => false,
        }
    }
    /// False only for a value that is itself unknown (its elements may still be unknown).
    pub fn is_known(&self) -> bool {
        match self {
            Value::Unknown(_) => false,
            Value::Sensitive(v) => v.is_known(),
            _ => true,
        }
    }
    /// True when nothing inside the value is unknown.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown(_) => false,
            Value::Sensitive(v) => v.is_wholly_known(),
            Value::List(_, vs) | Value::Set(_, vs) | Value::Tuple(vs) => {
                vs.iter().all(Value::is_wholly_known)
            }
            Value::Map(_, m) | Value::Object(m) => m.values().all(Value::is_wholly_known),
            _ => true,
        }
    }
    /// Whether this value is marked sensitive at its top level.
    pub fn is_sensitive(&self) -> bool {
        matches!(self, Value::Sensitive(_))
    }
    /// Whether this value or anything inside it is marked sensitive.
    pub fn contains_sensitive(&self) -> bool {
        match self {
            Value::Sensitive(_) => true,
            Value::List(_, vs) | Value::Set(_, vs) | Value::Tuple(vs) => {
                vs.iter().any(Value::contains_sensitive)
            }
            Value::Map(_, m) | Value::Object(m) => m.values().any(Value::contains_sensitive),
            _ => false,
        }
    }
    /// Marks the value sensitive (idempotent).
    pub fn mark_sensitive(self) -> Value {
        match self {
            Value::Sensitive(_) => self,
            v => Value::Sensitive(Box::new(v)),
        }
    }
    /// Marks the value sensitive when `yes`.
    pub fn mark_if(self, yes: bool) -> Value {
        if yes {
            self.mark_sensitive()
        } else {
            self
        }
    }
    /// Removes the top-level mark: returns the bare value and whether it was marked.
    pub fn unmark(self) -> (Value, bool) {
        match self {
            Value::Sensitive(v) => (v.unmark().0, true),
            v => (v, false),
        }
    }
    /// Borrowing form of [`Value::unmark`].
    pub fn unmarked(&self) -> &Value {
        match self {
            Value::Sensitive(v) => v.unmarked(),
            v => v,
        }
    }
    /// Removes every mark, returning the paths that were marked (for state's
    /// `sensitive_attributes`).
    pub fn unmark_deep(self) -> (Value, Vec<AttrPath>) {
        let mut paths = Vec::new();
        let v = unmark_deep_at(self, &mut AttrPath::root(), &mut paths);
        (v, paths)
    }
    /// Re-applies marks at the given paths (the inverse of [`Value::unmark_deep`]).
    pub fn mark_paths(self, paths: &[AttrPath]) -> Value {
        let mut v = self;
        for p in paths {
            v = mark_at(v, &p.0);
        }
        v
    }

    /// Attribute of an object (or key of a map); `None` if absent or not an object/map.
    /// Marks on `self` are not applied to the result: use [`Value::get_attr_marked`] for that.
    pub fn get_attr(&self, name: &str) -> Option<&Value> {
        match self.unmarked() {
            Value::Object(m) | Value::Map(_, m) => m.get(name),
            _ => None,
        }
    }
    /// Attribute access that keeps the sensitive mark and unknown-ness of `self`.
    pub fn get_attr_marked(&self, name: &str) -> Option<Value> {
        let marked = self.is_sensitive();
        match self.unmarked() {
            Value::Object(m) | Value::Map(_, m) => m.get(name).cloned().map(|v| v.mark_if(marked)),
            Value::Unknown(Type::Object(attrs)) => {
                attrs.get(name).map(|t| Value::Unknown(t.clone()).mark_if(marked))
            }
            Value::Unknown(Type::Map(t)) => Some(Value::Unknown((**t).clone()).mark_if(marked)),
            Value::Unknown(Type::Dynamic) => Some(Value::unknown().mark_if(marked)),
            _ => None,
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match self.unmarked() {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self.unmarked() {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
    pub fn as_number(&self) -> Option<&Number> {
        match self.unmarked() {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }
    pub fn as_i64(&self) -> Option<i64> {
        self.as_number().and_then(Number::to_i64)
    }
    /// Elements of a list, set or tuple.
    pub fn as_seq(&self) -> Option<&[Value]> {
        match self.unmarked() {
            Value::List(_, v) | Value::Set(_, v) | Value::Tuple(v) => Some(v),
            _ => None,
        }
    }
    /// Entries of a map or object.
    pub fn as_map(&self) -> Option<&BTreeMap<String, Value>> {
        match self.unmarked() {
            Value::Map(_, m) | Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// Canonical order used for set elements and for printing sets, as Terraform prints
    /// them: numbers numerically, strings lexically, false before true; other values by
    /// their JSON-ish rendering. Unknowns sort last.
    pub fn canonical_cmp(a: &Value, b: &Value) -> Ordering {
        match (a.unmarked(), b.unmarked()) {
            (Value::Number(x), Value::Number(y)) => x.cmp(y),
            (Value::String(x), Value::String(y)) => x.cmp(y),
            (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
            (Value::Unknown(_), Value::Unknown(_)) => Ordering::Equal,
            (Value::Unknown(_), _) => Ordering::Greater,
            (_, Value::Unknown(_)) => Ordering::Less,
            (x, y) => format!("{x:?}").cmp(&format!("{y:?}")),
        }
    }

    /// Converts a wholly known value to JSON (state and plan files).
    /// Marks are dropped (callers record them separately); unknowns become `null`.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Null(_) | Value::Unknown(_) => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Number(n) => number_to_json(n),
            Value::String(s) => J::String(s.clone()),
            Value::List(_, vs) | Value::Set(_, vs) | Value::Tuple(vs) => {
                J::Array(vs.iter().map(Value::to_json).collect())
            }
            Value::Map(_, m) | Value::Object(m) => {
                J::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
            }
            Value::Sensitive(v) => v.to_json(),
        }
    }

    /// Reads JSON as a value of type `ty` (`Type::Dynamic` infers: arrays become tuples,
    /// objects become objects).
    pub fn from_json(j: &serde_json::Value, ty: &Type) -> Result<Value, String> {
        use serde_json::Value as J;
        Ok(match (j, ty) {
            (J::Null, t) => Value::Null(t.clone()),
            (J::Bool(b), Type::Bool | Type::Dynamic) => Value::Bool(*b),
            (J::Bool(b), Type::String) => Value::String(b.to_string()),
            (J::Number(n), Type::Number | Type::Dynamic) => Value::Number(
                Number::parse(&n.to_string()).ok_or_else(|| format!("invalid number {n}"))?,
            ),
            (J::Number(n), Type::String) => Value::String(n.to_string()),
            (J::String(s), Type::String | Type::Dynamic) => Value::String(s.clone()),
            (J::String(s), Type::Number) => Value::Number(
                Number::parse(s).ok_or_else(|| format!("a number is required, not {s:?}"))?,
            ),
            (J::String(s), Type::Bool) => match s.as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => return Err(format!("a bool is required, not {s:?}")),
            },
            (J::Array(a), Type::List(t)) => Value::List(
                (**t).clone(),
                a.iter().map(|x| Value::from_json(x, t)).collect::<Result<_, _>>()?,
            ),
            (J::Array(a), Type::Set(t)) => Value::set(
                (**t).clone(),
                a.iter().map(|x| Value::from_json(x, t)).collect::<Result<_, _>>()?,
            ),
            (J::Array(a), Type::Tuple(ts)) => {
                if a.len() != ts.len() {
                    return Err(format!("a tuple of {} elements is required", ts.len()));
                }
                Value::Tuple(
                    a.iter().zip(ts).map(|(x, t)| Value::from_json(x, t)).collect::<Result<_, _>>()?,
                )
            }
            (J::Array(a), Type::Dynamic) => Value::Tuple(
                a.iter().map(|x| Value::from_json(x, &Type::Dynamic)).collect::<Result<_, _>>()?,
            ),
            (J::Object(o), Type::Map(t)) => Value::Map(
                (**t).clone(),
                o.iter()
                    .map(|(k, x)| Ok((k.clone(), Value::from_json(x, t)?)))
                    .collect::<Result<_, String>>()?,
            ),
            (J::Object(o), Type::Object(attrs)) => {
                let mut m = BTreeMap::new();
                for (k, t) in attrs {
                    let v = match o.get(k) {
                        Some(x) => Value::from_json(x, t)?,
                        None => Value::Null(t.clone()),
                    };
                    m.insert(k.clone(), v);
                }
                Value::Object(m)
            }
            (J::Object(o), Type::Dynamic) => Value::Object(
                o.iter()
                    .map(|(k, x)| Ok((k.clone(), Value::from_json(x, &Type::Dynamic)?)))
                    .collect::<Result<_, String>>()?,
            ),
            (j, t) => {
                return Err(format!("JSON value {j} does not fit type {}", t.friendly_name()))
            }
        })
    }
}

fn number_to_json(n: &Number) -> serde_json::Value {
    let s = n.to_string();
    // serde_json is built with `arbitrary_precision`, so every digit survives.
    serde_json::from_str::<serde_json::Number>(&s)
        .map(serde_json::Value::Number)
        .unwrap_or(serde_json::Value::String(s))
}

fn unmark_deep_at(v: Value, at: &mut AttrPath, out: &mut Vec<AttrPath>) -> Value {
    match v {
        Value::Sensitive(inner) => {
            out.push(at.clone());
            let (bare, _) = inner.unmark();
            // Marks nested under a marked value are redundant.
            bare.unmark_deep().0
        }
        Value::List(t, vs) => Value::List(t, unmark_seq(vs, at, out)),
        Value::Set(t, vs) => Value::Set(t, unmark_seq(vs, at, out)),
        Value::Tuple(vs) => Value::Tuple(unmark_seq(vs, at, out)),
        Value::Map(t, m) => Value::Map(t, unmark_entries(m, at, out, true)),
        Value::Object(m) => Value::Object(unmark_entries(m, at, out, false)),
        v => v,
    }
}

fn unmark_seq(vs: Vec<Value>, at: &mut AttrPath, out: &mut Vec<AttrPath>) -> Vec<Value> {
    vs.into_iter()
        .enumerate()
        .map(|(i, v)| {
            at.0.push(PathStep::Index(i as u64));
            let r = unmark_deep_at(v, at, out);
            at.0.pop();
            r
        })
        .collect()
}

fn unmark_entries(
    m: BTreeMap<String, Value>,
    at: &mut AttrPath,
    out: &mut Vec<AttrPath>,
    is_map: bool,
) -> BTreeMap<String, Value> {
    m.into_iter()
        .map(|(k, v)| {
            at.0.push(if is_map { PathStep::Key(k.clone()) } else { PathStep::Attr(k.clone()) });
            let r = unmark_deep_at(v, at, out);
            at.0.pop();
            (k, r)
        })
        .collect()
}

fn mark_at(v: Value, steps: &[PathStep]) -> Value {
    let Some((first, rest)) = steps.split_first() else {
        return v.mark_sensitive();
    };
    let (v, marked) = v.unmark();
    let out = match (v, first) {
        (Value::Object(mut m), PathStep::Attr(k) | PathStep::Key(k)) => {
            if let Some(x) = m.remove(k) {
                m.insert(k.clone(), mark_at(x, rest));
            }
            Value::Object(m)
        }
        (Value::Map(t, mut m), PathStep::Attr(k) | PathStep::Key(k)) => {
            if let Some(x) = m.remove(k) {
                m.insert(k.clone(), mark_at(x, rest));
            }
            Value::Map(t, m)
        }
        (Value::List(t, mut vs), PathStep::Index(i)) => {
            if let Some(x) = vs.get_mut(*i as usize) {
                *x = mark_at(std::mem::take(x), rest);
            }
            Value::List(t, vs)
        }
        (Value::Tuple(mut vs), PathStep::Index(i)) => {
            if let Some(x) = vs.get_mut(*i as usize) {
                *x = mark_at(std::mem::take(x), rest);
            }
            Value::Tuple(vs)
        }
        (Value::Set(t, vs), _) => {
            // Terraform cannot mark individual set elements: mark the whole set.
            Value::Set(t, vs).mark_sensitive()
        }
        (v, _) => v,
    };
    out.mark_if(marked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_round_trip_through_paths() {
        let v = Value::object([
            ("a", Value::string("x").mark_sensitive()),
            ("b", Value::list(vec![Value::number(1), Value::number(2).mark_sensitive()])),
        ]);
        let (bare, paths) = v.clone().unmark_deep();
        assert!(!bare.contains_sensitive());
        assert_eq!(paths.len(), 2);
        assert_eq!(bare.mark_paths(&paths), v);
    }

    #[test]
    fn json_round_trip() {
        let ty = Type::object([("n", Type::Number), ("s", Type::set(Type::String))]);
        let j = serde_json::json!({"n": 12.5, "s": ["b", "a", "b"]});
        let v = Value::from_json(&j, &ty).unwrap();
        assert_eq!(v.get_attr("s").unwrap().as_seq().unwrap().len(), 2);
        assert_eq!(v.to_json(), serde_json::json!({"n": 12.5, "s": ["a", "b"]}));
    }
}
