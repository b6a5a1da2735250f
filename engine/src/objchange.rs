//! Object change helpers: Terraform's "proposed new state" (configuration merged with prior
//! values for computed attributes the configuration leaves unset), `ignore_changes`, and
//! value paths.

use plinth_sdk::{AttrPath, Block, Nesting, PathStep, Value};
use std::collections::BTreeMap;

/// Terraform's `ProposedNew`: `config` with computed attributes it leaves null taken from
/// `prior` (or unknown when creating). Nested blocks are merged element by element
/// (single/list by position, map by key); set blocks take the configuration.
pub fn proposed_new(block: &Block, prior: Option<&Value>, config: &Value) -> Value {
    if config.is_null() || !config.is_known() {
        return config.clone();
    }
    let prior = prior.filter(|p| !p.is_null() && p.is_known());
    let Some(cfg) = config.as_map() else { return config.clone() };
    let mut out = BTreeMap::new();
    for (name, attr) in &block.attributes {
        let cv = cfg.get(name).cloned().unwrap_or(Value::Null(attr.ty.clone()));
        let v = if attr.computed && cv.is_null() {
            match prior.and_then(|p| p.get_attr(name)) {
                Some(pv) => pv.clone(),
                None => Value::Unknown(attr.ty.clone()),
            }
        } else {
            cv
        };
        out.insert(name.clone(), v);
    }
    for (name, nb) in &block.blocks {
        let cv = cfg.get(name).cloned().unwrap_or(Value::Null(nb.block.implied_type()));
        let pv = prior.and_then(|p| p.get_attr(name));
        let v = match nb.nesting {
            Nesting::Single | Nesting::Group => proposed_new(&nb.block, pv, &cv),
            Nesting::List => match cv.unmarked() {
                Value::List(t, items) => Value::List(
                    t.clone(),
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, c)| proposed_new(&nb.block, pv.and_then(|p| p.as_seq()).and_then(|s| s.get(i)), c))
                        .collect(),
                ),
                _ => cv.clone(),
            },
            Nesting::Map => match cv.unmarked() {
                Value::Map(t, items) => Value::Map(
                    t.clone(),
                    items
                        .iter()
                        .map(|(k, c)| (k.clone(), proposed_new(&nb.block, pv.and_then(|p| p.get_attr(k)), c)))
                        .collect(),
                ),
                _ => cv.clone(),
            },
            Nesting::Set => cv.clone(),
        };
        out.insert(name.clone(), v);
    }
    // Keep attributes the schema does not know (should not happen) as configured.
    for (k, v) in cfg {
        out.entry(k.clone()).or_insert_with(|| v.clone());
    }
    Value::Object(out)
}

/// The value at `path` (marks on the way are kept on the result).
pub fn get_path(v: &Value, path: &AttrPath) -> Option<Value> {
    let mut cur = v.clone();
    for step in &path.0 {
        let marked = cur.is_sensitive();
        let next = match (cur.unmarked(), step) {
            (Value::Object(m) | Value::Map(_, m), PathStep::Attr(k) | PathStep::Key(k)) => m.get(k).cloned(),
            (Value::List(_, s) | Value::Tuple(s) | Value::Set(_, s), PathStep::Index(i)) => s.get(*i as usize).cloned(),
            (Value::Unknown(_), _) => Some(Value::unknown()),
            _ => None,
        }?;
        cur = next.mark_if(marked);
    }
    Some(cur)
}

/// `v` with the value at `path` replaced by `new` (no-op when the path does not exist).
pub fn set_path(v: Value, path: &[PathStep], new: Value) -> Value {
    let Some((first, rest)) = path.split_first() else { return new };
    let (bare, marked) = v.unmark();
    let out = match (bare, first) {
        (Value::Object(mut m), PathStep::Attr(k) | PathStep::Key(k)) => {
            if let Some(x) = m.remove(k) {
                m.insert(k.clone(), set_path(x, rest, new));
            }
            Value::Object(m)
        }
        (Value::Map(t, mut m), PathStep::Attr(k) | PathStep::Key(k)) => {
            if let Some(x) = m.remove(k) {
                m.insert(k.clone(), set_path(x, rest, new));
            } else if rest.is_empty() {
                m.insert(k.clone(), new);
            }
            Value::Map(t, m)
        }
        (Value::List(t, mut s), PathStep::Index(i)) => {
            if let Some(x) = s.get_mut(*i as usize) {
                *x = set_path(std::mem::take(x), rest, new);
            }
            Value::List(t, s)
        }
        (Value::Tuple(mut s), PathStep::Index(i)) => {
            if let Some(x) = s.get_mut(*i as usize) {
                *x = set_path(std::mem::take(x), rest, new);
            }
            Value::Tuple(s)
        }
        (other, _) => other,
    };
    out.mark_if(marked)
}

/// Applies `ignore_changes` paths to a configuration value: each path takes the prior value.
pub fn apply_ignore_changes(config: Value, prior: &Value, paths: &[AttrPath]) -> Value {
    let mut v = config;
    for p in paths {
        if let Some(pv) = get_path(prior, p) {
            // A map key that no longer exists in prior is removed from config.
            v = set_path(v, &p.0, pv);
        } else if let Some((PathStep::Key(k), parent)) = p.0.split_last() {
            if let Some(Value::Map(t, mut m)) = get_path(&v, &AttrPath(parent.to_vec())).map(|x| x.unmark().0) {
                m.remove(k);
                v = set_path(v, parent, Value::Map(t, m));
            }
        }
    }
    v
}

/// `ignore_changes = all`: every non-computed-only attribute takes its prior value.
pub fn ignore_all(block: &Block, config: &Value, prior: &Value) -> Value {
    let (Some(cfg), Some(pr)) = (config.as_map(), prior.as_map()) else { return config.clone() };
    let mut out = cfg.clone();
    for name in block.attributes.keys().chain(block.blocks.keys()) {
        if let Some(p) = pr.get(name) {
            out.insert(name.clone(), p.clone());
        }
    }
    Value::Object(out)
}

/// Equality ignoring sensitive marks.
pub fn same_value(a: &Value, b: &Value) -> bool {
    match (a.unmarked(), b.unmarked()) {
        (Value::List(t1, x), Value::List(t2, y)) | (Value::Set(t1, x), Value::Set(t2, y)) => {
            t1 == t2 && x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_value(p, q))
        }
        (Value::Tuple(x), Value::Tuple(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_value(p, q)),
        (Value::Map(t1, x), Value::Map(t2, y)) => {
            t1 == t2 && x.len() == y.len() && x.iter().zip(y).all(|((k1, p), (k2, q))| k1 == k2 && same_value(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|((k1, p), (k2, q))| k1 == k2 && same_value(p, q))
        }
        (x, y) => x == y,
    }
}

pub fn strip(v: &Value) -> Value {
    v.clone().unmark_deep().0
}

/// Whether a known value in `planned` disagrees with `actual` (Terraform's consistency rule:
/// known planned values must be kept; unknown ones may become anything).
pub fn inconsistent_paths(planned: &Value, actual: &Value, at: &mut AttrPath, out: &mut Vec<AttrPath>) {
    match (planned.unmarked(), actual.unmarked()) {
        (Value::Unknown(_), _) => {}
        (Value::Object(p), Value::Object(a)) => {
            for (k, pv) in p {
                at.0.push(PathStep::Attr(k.clone()));
                match a.get(k) {
                    Some(av) => inconsistent_paths(pv, av, at, out),
                    None => out.push(at.clone()),
                }
                at.0.pop();
            }
        }
        (p, a) => {
            if !p.is_wholly_known() {
                // Partially known collections: only compare shape loosely.
                if p.as_seq().map(<[Value]>::len) != a.as_seq().map(<[Value]>::len) && p.as_seq().is_some() && a.as_seq().is_some() {
                    // A list that grew or shrank is still a legitimate refinement when an
                    // element was unknown; accept it.
                }
                return;
            }
            if !same_value(p, a) {
                out.push(at.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plinth_sdk::{Attribute, Type};

    fn block() -> Block {
        Block::new()
            .attr("id", Attribute::computed(Type::String))
            .attr("input", Attribute::optional(Type::String))
            .attr("tags", Attribute::optional_computed(Type::map(Type::String)))
    }

    #[test]
    fn proposed_new_takes_prior_computed() {
        let cfg = Value::object([("id", Value::Null(Type::String)), ("input", Value::string("a")), ("tags", Value::Null(Type::map(Type::String)))]);
        let created = proposed_new(&block(), None, &cfg);
        assert_eq!(created.get_attr("id"), Some(&Value::Unknown(Type::String)));
        let prior = Value::object([("id", Value::string("x")), ("input", Value::string("b")), ("tags", Value::Map(Type::String, Default::default()))]);
        let upd = proposed_new(&block(), Some(&prior), &cfg);
        assert_eq!(upd.get_attr("id"), Some(&Value::string("x")));
        assert_eq!(upd.get_attr("input"), Some(&Value::string("a")));
    }

    #[test]
    fn ignore_changes_paths() {
        let cfg = Value::object([("input", Value::string("new")), ("id", Value::Null(Type::String))]);
        let prior = Value::object([("input", Value::string("old")), ("id", Value::string("x"))]);
        let out = apply_ignore_changes(cfg, &prior, &[AttrPath::attr("input")]);
        assert_eq!(out.get_attr("input"), Some(&Value::string("old")));
    }

    #[test]
    fn inconsistency_detection() {
        let planned = Value::object([("a", Value::string("x")), ("b", Value::Unknown(Type::String))]);
        let actual = Value::object([("a", Value::string("y")), ("b", Value::string("z"))]);
        let mut out = Vec::new();
        inconsistent_paths(&planned, &actual, &mut AttrPath::root(), &mut out);
        assert_eq!(out, vec![AttrPath::attr("a")]);
    }
}
