//! Collection functions: `concat`, `element`, `flatten`, `keys`, `length`, `lookup`, `merge`,
//! `range`, `set*`, `slice`, `sort`, `zipmap`, ...

use crate::registry::{arg_err, call_err, func, func_var, p, ret, ret_fn, Func, Marks, Unknowns};
use crate::util::{elem_type, graphemes, num, seq, string_list, vnum, whole};
use crate::FunctionError;
use plinth_sdk::convert::{convert, unify};
use plinth_sdk::{Number, Type, Value};
use std::collections::BTreeMap;

fn dynp(name: &'static str) -> crate::registry::Param {
    p(name, Type::Dynamic).dynamic()
}

pub(crate) fn register(r: &mut Vec<Func>) {
    r.push(func("length", vec![dynp("value").unknown(Unknowns::Shallow).marks(Marks::Shallow)], ret(Type::Number), |a, _| {
        match a[0].unmarked() {
            Value::String(s) => Ok(vnum(graphemes(s).len())),
            Value::List(_, v) | Value::Set(_, v) | Value::Tuple(v) => Ok(vnum(v.len())),
            Value::Map(_, m) | Value::Object(m) => Ok(vnum(m.len())),
            _ => Err(call_err("argument must be a string, a collection type, or a structural type")),
        }
    }));
    r.push(func("alltrue", vec![p("list", Type::list(Type::Bool))], ret(Type::Bool), |a, _| {
        Ok(Value::Bool(seq(a, 0).iter().all(|v| v.as_bool() == Some(true))))
    }));
    r.push(func("anytrue", vec![p("list", Type::list(Type::Bool))], ret(Type::Bool), |a, _| {
        Ok(Value::Bool(seq(a, 0).iter().any(|v| v.as_bool() == Some(true))))
    }));
    r.push(func("chunklist", vec![p("list", Type::list(Type::Dynamic)), p("size", Type::Number)], ret_fn(|a| Ok(Type::list(a[0].type_of()))), |a, _| {
        let size = num(a, 1)
            .to_i64()
            .ok_or_else(|| call_err("invalid size: value must be a whole number, between -9223372036854775808 and 9223372036854775807"))?;
        if size < 0 {
            return Err(call_err("the size argument must be positive"));
        }
        let lt = a[0].type_of();
        let et = elem_type(&lt);
        let items = seq(a, 0);
        if items.is_empty() {
            return Ok(Value::List(lt, vec![]));
        }
        if size == 0 {
            return Ok(Value::List(lt, vec![a[0].clone()]));
        }
        let chunks = items.chunks(size as usize).map(|c| Value::List(et.clone(), c.to_vec())).collect();
        Ok(Value::List(lt, chunks))
    }));
    r.push(func_var("coalesce", vec![], dynp("vals").null().marks(Marks::Shallow), ret_fn(coalesce_ret), |a, _| {
        let t = coalesce_ret(a)?;
        for v in a {
            let v = convert(v, &t).map_err(|e| call_err(e.message))?;
            if v.is_null() {
                continue;
            }
            if v.as_str() == Some("") {
                continue;
            }
            return Ok(v);
        }
        Err(call_err("no non-null, non-empty-string arguments"))
    }));
    r.push(func_var("coalescelist", vec![], dynp("vals").null().marks(Marks::Shallow), ret_fn(|a| {
        let ts: Vec<Type> = a.iter().map(Value::type_of).collect();
        for (i, t) in ts.iter().enumerate() {
            if !matches!(t, Type::List(_) | Type::Tuple(_) | Type::Dynamic) {
                return Err(arg_err(i, format!("a list or tuple is required, but got {}", t.friendly_name())));
            }
        }
        Ok(unify(&ts).unwrap_or(Type::Dynamic))
    }), |a, _| {
        for v in a {
            if v.is_null() {
                continue;
            }
            if !v.as_seq().unwrap_or(&[]).is_empty() {
                return Ok(v.clone());
            }
        }
        Err(call_err("no non-null arguments"))
    }));
    r.push(func("compact", vec![p("list", Type::list(Type::String))], ret(Type::list(Type::String)), |a, _| {
        let out: Vec<Value> = seq(a, 0).iter().filter(|v| !v.is_null() && v.as_str() != Some("")).cloned().collect();
        Ok(Value::List(Type::String, out))
    }));
    r.push(func_var("concat", vec![], dynp("seqs").marks(Marks::Shallow).unknown(Unknowns::Shallow), ret_fn(concat_ret), |a, _| {
        let t = concat_ret(a)?;
        let mut items = Vec::new();
        for v in a {
            items.extend(v.as_seq().unwrap_or(&[]).iter().cloned());
        }
        match t {
            Type::List(et) => {
                let items = items.iter().map(|x| convert(x, &et)).collect::<Result<Vec<_>, _>>().map_err(|e| call_err(e.message))?;
                Ok(Value::List(*et, items))
            }
            _ => Ok(Value::Tuple(items)),
        }
    }));
    r.push(func("contains", vec![dynp("list").marks(Marks::Deep), dynp("value")], ret(Type::Bool), |a, _| {
        let Some(items) = a[0].as_seq() else {
            return Err(call_err("argument must be list, tuple, or set"));
        };
        let target = &a[1];
        for x in items {
            if values_equal(x, target) {
                return Ok(Value::Bool(true));
            }
        }
        Ok(Value::Bool(false))
    }));
    r.push(func("distinct", vec![p("list", Type::list(Type::Dynamic))], ret_fn(|a| Ok(a[0].type_of())), |a, _| {
        let mut out: Vec<Value> = Vec::new();
        for x in seq(a, 0) {
            if !out.iter().any(|y| values_equal(x, y)) {
                out.push(x.clone());
            }
        }
        Ok(Value::List(elem_type(&a[0].type_of()), out))
    }));
    r.push(func("element", vec![dynp("list").marks(Marks::Shallow).unknown(Unknowns::Shallow), p("index", Type::Number)], ret_fn(|a| {
        Ok(match a[0].type_of() {
            Type::List(t) => *t,
            Type::Tuple(ts) => match (a[1].as_i64(), ts.len()) {
                (Some(i), n) if n > 0 && i >= 0 => ts[(i as usize) % n].clone(),
                _ => Type::Dynamic,
            },
            Type::Dynamic => Type::Dynamic,
            _ => return Err(arg_err(0, "cannot read elements from set")),
        })
    }), |a, _| {
        let items = seq(a, 0);
        if items.is_empty() {
            return Err(call_err("cannot use element function with an empty list"));
        }
        let n = num(a, 1);
        if !n.is_integer() {
            return Err(arg_err(1, "index must be a whole number"));
        }
        if n.is_negative() {
            return Err(call_err("cannot use element function with a negative index"));
        }
        let i = n.to_i64().unwrap_or(0) as usize % items.len();
        Ok(items[i].clone())
    }));
    r.push(func("flatten", vec![dynp("list").marks(Marks::Shallow)], ret_fn(|a| {
        match a[0].type_of() {
            Type::List(_) | Type::Set(_) | Type::Tuple(_) | Type::Dynamic => {}
            _ => return Err(call_err("can only flatten lists, sets and tuples")),
        }
        if !a[0].is_wholly_known() {
            return Ok(Type::Dynamic);
        }
        let mut out = Vec::new();
        flatten_into(&a[0], &mut out);
        Ok(Type::Tuple(out.iter().map(Value::type_of).collect()))
    }), |a, _| {
        let mut out = Vec::new();
        flatten_into(&a[0], &mut out);
        Ok(Value::Tuple(out))
    }));
    r.push(func("index", vec![dynp("list"), dynp("value")], ret(Type::Number), |a, _| {
        let Some(items) = a[0].as_seq() else {
            return Err(call_err("argument must be a list or tuple"));
        };
        if matches!(a[0], Value::Set(..)) {
            return Err(call_err("argument must be a list or tuple"));
        }
        for (i, x) in items.iter().enumerate() {
            if values_equal(x, &a[1]) {
                return Ok(vnum(i));
            }
        }
        Err(call_err("item not found"))
    }));
    r.push(func("keys", vec![dynp("inputMap").marks(Marks::Shallow).unknown(Unknowns::Shallow)], ret_fn(|a| {
        Ok(match a[0].type_of() {
            Type::Map(_) => Type::list(Type::String),
            Type::Object(m) => Type::Tuple(m.keys().map(|_| Type::String).collect()),
            Type::Dynamic => Type::Dynamic,
            _ => return Err(arg_err(0, "must have map or object type")),
        })
    }), |a, _| {
        let m = a[0].as_map().cloned().unwrap_or_default();
        let keys: Vec<Value> = m.keys().map(|k| Value::String(k.clone())).collect();
        Ok(match a[0] {
            Value::Object(_) => Value::Tuple(keys),
            _ => Value::List(Type::String, keys),
        })
    }));
    r.push(func("values", vec![dynp("mapping").marks(Marks::Shallow).unknown(Unknowns::Shallow)], ret_fn(|a| {
        Ok(match a[0].type_of() {
            Type::Map(t) => Type::List(t),
            Type::Object(m) => Type::Tuple(m.values().cloned().collect()),
            Type::Dynamic => Type::Dynamic,
            _ => return Err(call_err("values() requires a map as the first argument")),
        })
    }), |a, _| {
        let m = a[0].as_map().cloned().unwrap_or_default();
        let vals: Vec<Value> = m.into_values().collect();
        Ok(match &a[0] {
            Value::Map(t, _) => Value::List(t.clone(), vals),
            _ => Value::Tuple(vals),
        })
    }));
    r.push(func_var("map", vec![], dynp("vals"), ret(Type::Dynamic), |_, _| {
        Err(call_err("the \"map\" function was deprecated in Terraform v0.12 and is no longer available; use tomap({ ... }) syntax to write a literal map"))
    }));
    r.push(Func {
        name: "list",
        params: vec![],
        variadic: Some(dynp("vals")),
        ret: ret(Type::Dynamic),
        imp: |_, _| Err(call_err("the \"list\" function was deprecated in Terraform v0.12 and is no longer available; use tolist([ ... ]) syntax to write a literal list")),
    });
    r.push(func("lookup", vec![dynp("inputMap").marks(Marks::Shallow), p("key", Type::String)], ret_fn(lookup_ret), lookup));
    // `lookup` with a default: a variadic third parameter, as Terraform declares it.
    if let Some(f) = r.iter_mut().find(|f| f.name == "lookup") {
        f.variadic = Some(dynp("default").null().marks(Marks::Shallow));
    }
    r.push(func("matchkeys", vec![p("values", Type::list(Type::Dynamic)), p("keys", Type::list(Type::Dynamic)), p("searchset", Type::list(Type::Dynamic))], ret_fn(|a| Ok(a[0].type_of())), |a, _| {
        let (vals, keys, search) = (seq(a, 0), seq(a, 1), seq(a, 2));
        if vals.len() != keys.len() {
            return Err(call_err("length of keys and values should be equal"));
        }
        let kt = elem_type(&a[1].type_of());
        let st = elem_type(&a[2].type_of());
        if unify(&[kt.clone(), st.clone()]).is_none() {
            return Err(arg_err(2, format!("keys and searchset must be of the same type")));
        }
        let mut out = Vec::new();
        for (v, k) in vals.iter().zip(keys) {
            if search.iter().any(|s| values_equal_loose(s, k)) {
                out.push(v.clone());
            }
        }
        Ok(Value::List(elem_type(&a[0].type_of()), out))
    }));
    r.push(func_var("merge", vec![], dynp("maps").null().marks(Marks::Shallow).unknown(Unknowns::Shallow), ret_fn(merge_ret), |a, _| {
        let t = merge_ret(a)?;
        let mut out = BTreeMap::new();
        for v in a {
            if let Some(m) = v.as_map() {
                for (k, x) in m {
                    out.insert(k.clone(), x.clone());
                }
            }
        }
        match t {
            Type::Map(et) => {
                let out = out.into_iter().map(|(k, v)| Ok((k, convert(&v, &et).map_err(|e| call_err(e.message))?))).collect::<Result<_, FunctionError>>()?;
                Ok(Value::Map(*et, out))
            }
            _ => Ok(Value::Object(out)),
        }
    }));
    r.push(func("one", vec![dynp("list").marks(Marks::Shallow)], ret_fn(|a| {
        Ok(match a[0].type_of() {
            Type::List(t) | Type::Set(t) => *t,
            Type::Tuple(ts) => match ts.len() {
                0 => Type::Dynamic,
                1 => ts[0].clone(),
                _ => return Err(arg_err(0, "must be a list, set, or tuple value with either zero or one elements")),
            },
            Type::Dynamic => Type::Dynamic,
            _ => return Err(arg_err(0, "must be a list, set, or tuple value with either zero or one elements")),
        })
    }), |a, _| {
        let items = seq(a, 0);
        match items.len() {
            0 => Ok(Value::Null(match a[0].type_of() {
                Type::List(t) | Type::Set(t) => *t,
                _ => Type::Dynamic,
            })),
            1 => Ok(items[0].clone()),
            _ => Err(arg_err(0, "must be a list, set, or tuple value with either zero or one elements")),
        }
    }));
    r.push(func_var("range", vec![], p("params", Type::Number), ret(Type::list(Type::Number)), range));
    r.push(func("reverse", vec![dynp("list").marks(Marks::Shallow)], ret_fn(|a| {
        Ok(match a[0].type_of() {
            Type::Tuple(mut ts) => {
                ts.reverse();
                Type::Tuple(ts)
            }
            t @ Type::List(_) => t,
            Type::Set(t) => Type::List(t),
            Type::Dynamic => Type::Dynamic,
            _ => return Err(arg_err(0, "can only reverse list or tuple values")),
        })
    }), |a, _| {
        let mut items = seq(a, 0).to_vec();
        items.reverse();
        Ok(match &a[0] {
            Value::List(t, _) | Value::Set(t, _) => Value::List(t.clone(), items),
            _ => Value::Tuple(items),
        })
    }));
    r.push(func_var("setunion", vec![p("first_set", Type::set(Type::Dynamic))], p("other_sets", Type::set(Type::Dynamic)), ret_fn(set_ret), |a, _| set_op(a, SetOp::Union)));
    r.push(func_var("setintersection", vec![p("first_set", Type::set(Type::Dynamic))], p("other_sets", Type::set(Type::Dynamic)), ret_fn(set_ret), |a, _| set_op(a, SetOp::Intersection)));
    r.push(func("setsubtract", vec![p("a", Type::set(Type::Dynamic)), p("b", Type::set(Type::Dynamic))], ret_fn(set_ret), |a, _| set_op(a, SetOp::Subtract)));
    r.push(func_var("setproduct", vec![], dynp("sets"), ret_fn(setproduct_ret), setproduct));
    r.push(func("slice", vec![dynp("list").marks(Marks::Shallow), p("start_index", Type::Number), p("end_index", Type::Number)], ret_fn(|a| {
        Ok(match a[0].type_of() {
            t @ Type::List(_) => t,
            Type::Tuple(ts) => match (a[1].as_i64(), a[2].as_i64()) {
                (Some(s), Some(e)) if s >= 0 && e >= s && (e as usize) <= ts.len() => Type::Tuple(ts[s as usize..e as usize].to_vec()),
                _ => Type::Dynamic,
            },
            Type::Set(_) => return Err(arg_err(0, "cannot slice a set, because its elements do not have indices; explicitly convert to a list if the ordering of the result is not important")),
            Type::Dynamic => Type::Dynamic,
            _ => return Err(arg_err(0, "must be a list or tuple value")),
        })
    }), |a, _| {
        let items = seq(a, 0);
        let s = whole(a, 1, "start index must be a whole number")?;
        let e = whole(a, 2, "end index must be a whole number")?;
        if s < 0 {
            return Err(arg_err(1, "start index must not be less than zero"));
        }
        if e > items.len() as i64 {
            return Err(arg_err(2, "end index must not be greater than the length of the list"));
        }
        if s > e {
            return Err(arg_err(1, "start index must not be greater than end index"));
        }
        let out = items[s as usize..e as usize].to_vec();
        Ok(match &a[0] {
            Value::List(t, _) => Value::List(t.clone(), out),
            _ => Value::Tuple(out),
        })
    }));
    r.push(func("sort", vec![p("list", Type::list(Type::String))], ret(Type::list(Type::String)), |a, _| {
        let mut items: Vec<String> = Vec::new();
        for (i, v) in seq(a, 0).iter().enumerate() {
            match v.as_str() {
                Some(s) => items.push(s.to_string()),
                None => return Err(arg_err(0, format!("given list element {i} is null; a null string cannot be sorted"))),
            }
        }
        items.sort();
        Ok(string_list(items))
    }));
    r.push(func("sum", vec![dynp("list")], ret(Type::Number), |a, _| {
        let items = match a[0].unmarked() {
            Value::List(_, v) | Value::Set(_, v) | Value::Tuple(v) => v,
            _ => return Err(arg_err(0, "argument must be list, set, or tuple. Received ".to_string() + &a[0].type_of().friendly_name())),
        };
        if items.is_empty() {
            return Err(arg_err(0, "cannot sum an empty list"));
        }
        let mut total: Option<Number> = None;
        for (i, x) in items.iter().enumerate() {
            if x.is_null() {
                return Err(arg_err(0, "argument must be list, set, or tuple of number values"));
            }
            let n = convert(x, &Type::Number).map_err(|_| arg_err(0, format!("argument must be list, set, or tuple of number values")))?;
            let n = n.as_number().cloned().unwrap_or_else(Number::zero);
            let _ = i;
            total = Some(match total {
                None => n,
                Some(t) => t.add(&n).map_err(|e| call_err(e))?,
            });
        }
        Ok(Value::Number(total.unwrap_or_else(Number::zero)))
    }));
    r.push(func("transpose", vec![p("values", Type::map(Type::list(Type::String)))], ret(Type::map(Type::list(Type::String))), |a, _| {
        let mut out: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        for (k, l) in a[0].as_map().cloned().unwrap_or_default() {
            for v in l.as_seq().unwrap_or(&[]) {
                let Some(s) = v.as_str() else {
                    return Err(arg_err(0, "input lists must not contain null values"));
                };
                out.entry(s.to_string()).or_default().push(Value::String(k.clone()));
            }
        }
        Ok(Value::Map(Type::list(Type::String), out.into_iter().map(|(k, v)| (k, Value::List(Type::String, v))).collect()))
    }));
    r.push(func("zipmap", vec![p("keys", Type::list(Type::String)), dynp("values")], ret_fn(|a| {
        Ok(match a[1].type_of() {
            Type::List(t) => Type::Map(t),
            Type::Tuple(ts) => match a[0].as_seq() {
                Some(ks) if a[0].is_wholly_known() => {
                    if ks.len() != ts.len() {
                        return Err(call_err(format!("number of keys ({}) does not match number of values ({})", ks.len(), ts.len())));
                    }
                    Type::Object(ks.iter().zip(ts).map(|(k, t)| (k.as_str().unwrap_or("").to_string(), t)).collect())
                }
                _ => Type::Dynamic,
            },
            Type::Dynamic => Type::Dynamic,
            _ => return Err(arg_err(1, "values must be a list or tuple value")),
        })
    }), |a, _| {
        let ks = seq(a, 0);
        let vs = seq(a, 1);
        if ks.len() != vs.len() {
            return Err(call_err(format!("number of keys ({}) does not match number of values ({})", ks.len(), vs.len())));
        }
        let mut m = BTreeMap::new();
        for (i, (k, v)) in ks.iter().zip(vs).enumerate() {
            let Some(k) = k.as_str() else {
                return Err(arg_err(0, format!("keys list has null value at index {i}")));
            };
            m.insert(k.to_string(), v.clone());
        }
        Ok(match &a[1] {
            Value::List(t, _) => Value::Map(t.clone(), m),
            _ => Value::Object(m),
        })
    }));
}

fn coalesce_ret(a: &[Value]) -> Result<Type, FunctionError> {
    let ts: Vec<Type> = a.iter().map(Value::type_of).collect();
    unify(&ts).ok_or_else(|| call_err("all arguments must have the same type"))
}

fn concat_ret(a: &[Value]) -> Result<Type, FunctionError> {
    if a.is_empty() {
        return Err(call_err("at least one argument is required"));
    }
    let mut all_lists = true;
    let mut etys = Vec::new();
    let mut tuple = Vec::new();
    for (i, v) in a.iter().enumerate() {
        match v.type_of() {
            Type::List(t) => {
                etys.push((*t).clone());
                if let Some(items) = v.as_seq() {
                    tuple.extend(items.iter().map(|_| (*t).clone()));
                }
            }
            Type::Tuple(ts) => {
                all_lists = false;
                tuple.extend(ts);
            }
            Type::Dynamic => return Ok(Type::Dynamic),
            t => {
                return Err(arg_err(i, format!("all arguments must be lists or tuples; got {}", t.friendly_name())));
            }
        }
    }
    if all_lists {
        if let Some(t) = unify(&etys) {
            return Ok(Type::list(t));
        }
        return Err(arg_err(0, "all arguments must be lists or tuples; got tuple"));
    }
    if a.iter().any(|v| !v.is_known()) {
        return Ok(Type::Dynamic);
    }
    Ok(Type::Tuple(tuple))
}

fn merge_ret(a: &[Value]) -> Result<Type, FunctionError> {
    let mut all_maps = true;
    let mut etys = Vec::new();
    let mut attrs = BTreeMap::new();
    for (i, v) in a.iter().enumerate() {
        match v.type_of() {
            Type::Map(t) => {
                etys.push((*t).clone());
                if let Some(m) = v.as_map() {
                    for k in m.keys() {
                        attrs.insert(k.clone(), (*t).clone());
                    }
                }
            }
            Type::Object(m) => {
                all_maps = false;
                attrs.extend(m);
            }
            Type::Dynamic => {
                if !v.is_null() {
                    return Ok(Type::Dynamic);
                }
            }
            t => {
                let _ = i;
                return Err(call_err(format!("arguments must be maps or objects, got {:?}", t.friendly_name())));
            }
        }
    }
    if all_maps && !etys.is_empty() {
        if let Some(t) = unify(&etys) {
            return Ok(Type::map(t));
        }
    }
    Ok(Type::Object(attrs))
}

fn lookup_ret(a: &[Value]) -> Result<Type, FunctionError> {
    let def = a.get(2);
    if a.len() > 3 {
        return Err(call_err("lookup() takes no more than three arguments"));
    }
    Ok(match a[0].type_of() {
        Type::Map(t) => match def {
            Some(d) => unify(&[(*t).clone(), d.type_of()]).unwrap_or(Type::Dynamic),
            None => *t,
        },
        Type::Object(m) => match a[1].as_str() {
            Some(k) if m.contains_key(k) => m[k].clone(),
            Some(k) => match def {
                Some(d) => d.type_of(),
                None => return Err(arg_err(0, format!("the given object has no attribute {}", crate::format::go_quote(k)))),
            },
            None => Type::Dynamic,
        },
        Type::Dynamic => Type::Dynamic,
        _ => return Err(arg_err(0, "the given object has no attribute named".to_string())),
    })
}

fn lookup(a: &[Value], _: &crate::FunctionContext) -> Result<Value, FunctionError> {
    let t = lookup_ret(a)?;
    let key = a[1].as_str().unwrap_or("");
    let m = a[0].as_map();
    if let Some(v) = m.and_then(|m| m.get(key)) {
        if !matches!(t, Type::Dynamic) {
            return convert(v, &t).map_err(|e| call_err(e.message));
        }
        return Ok(v.clone());
    }
    match a.get(2) {
        Some(d) => {
            if !matches!(t, Type::Dynamic) {
                return convert(d, &t).map_err(|e| call_err(e.message));
            }
            Ok(d.clone())
        }
        None => Err(call_err(format!("lookup failed to find key {}", crate::format::go_quote(key)))),
    }
}

fn flatten_into(v: &Value, out: &mut Vec<Value>) {
    match v.unmarked() {
        Value::List(_, vs) | Value::Set(_, vs) | Value::Tuple(vs) => {
            for x in vs {
                match x.unmarked() {
                    Value::List(..) | Value::Set(..) | Value::Tuple(..) if !x.is_null() => {
                        flatten_into(x, out)
                    }
                    _ => out.push(x.clone()),
                }
            }
        }
        _ => out.push(v.clone()),
    }
}

/// cty `Equals` for known values: same type and same content.
pub(crate) fn values_equal(a: &Value, b: &Value) -> bool {
    let (a, b) = (a.unmarked(), b.unmarked());
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Null(_), Value::Null(_)) => true,
        (Value::List(_, x), Value::List(_, y))
        | (Value::Set(_, x), Value::Set(_, y))
        | (Value::Tuple(x), Value::Tuple(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| values_equal(p, q))
        }
        (Value::Map(_, x), Value::Map(_, y)) | (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|((k1, p), (k2, q))| k1 == k2 && values_equal(p, q))
        }
        _ => false,
    }
}

/// Equality after unifying primitive types (for `matchkeys`).
fn values_equal_loose(a: &Value, b: &Value) -> bool {
    if values_equal(a, b) {
        return true;
    }
    match (convert(a, &Type::String), convert(b, &Type::String)) {
        (Ok(x), Ok(y)) if a.type_of().is_primitive() && b.type_of().is_primitive() => values_equal(&x, &y),
        _ => false,
    }
}

fn range(a: &[Value], _: &crate::FunctionContext) -> Result<Value, FunctionError> {
    let (start, end, step) = match a.len() {
        1 => (Number::zero(), num(a, 0), None),
        2 => (num(a, 0), num(a, 1), None),
        3 => (num(a, 0), num(a, 1), Some(num(a, 2))),
        _ => return Err(call_err("must have one, two, or three arguments")),
    };
    let step = match step {
        Some(s) => {
            // cty has no zero check: a zero step runs into the 1024-value limit.
            if start < end && s.is_negative() {
                return Err(call_err("step must be positive when start is less than limit"));
            }
            if start > end && !s.is_negative() {
                return Err(call_err("step must be negative when start is greater than limit"));
            }
            s
        }
        None => {
            if start > end {
                Number::from(-1)
            } else {
                Number::one()
            }
        }
    };
    let mut out = Vec::new();
    let mut cur = start;
    let up = !step.is_negative();
    while (up && cur < end) || (!up && cur > end) {
        if out.len() >= 1024 {
            return Err(call_err("more than 1024 values were generated; either decrease the difference between start and end or use a smaller step"));
        }
        out.push(Value::Number(cur.clone()));
        cur = cur.add(&step).map_err(call_err)?;
    }
    Ok(Value::List(Type::Number, out))
}

#[derive(Clone, Copy)]
enum SetOp {
    Union,
    Intersection,
    Subtract,
}

fn set_ret(a: &[Value]) -> Result<Type, FunctionError> {
    let ts: Vec<Type> = a.iter().map(|v| elem_type(&v.type_of())).collect();
    let t = unify(&ts).ok_or_else(|| call_err("given sets must all have compatible element types"))?;
    Ok(Type::set(t))
}

fn set_op(a: &[Value], op: SetOp) -> Result<Value, FunctionError> {
    let t = set_ret(a)?;
    let et = elem_type(&t);
    let sets: Vec<Vec<Value>> = a
        .iter()
        .map(|v| {
            v.as_seq()
                .unwrap_or(&[])
                .iter()
                .map(|x| convert(x, &et))
                .collect::<Result<Vec<_>, _>>()
        })
        .collect::<Result<_, _>>()
        .map_err(|e| call_err(e.message))?;
    let mut out: Vec<Value> = match op {
        SetOp::Union => sets.concat(),
        SetOp::Intersection => sets[0]
            .iter()
            .filter(|x| sets[1..].iter().all(|s| s.iter().any(|y| values_equal(x, y))))
            .cloned()
            .collect(),
        SetOp::Subtract => sets[0]
            .iter()
            .filter(|x| !sets[1].iter().any(|y| values_equal(x, y)))
            .cloned()
            .collect(),
    };
    let mut dedup: Vec<Value> = Vec::new();
    for x in out.drain(..) {
        if !dedup.iter().any(|y| values_equal(&x, y)) {
            dedup.push(x);
        }
    }
    Ok(Value::set(et, dedup))
}

fn setproduct_ret(a: &[Value]) -> Result<Type, FunctionError> {
    if a.len() < 2 {
        return Err(call_err("at least two arguments are required"));
    }
    let mut ets = Vec::new();
    let mut any_list = false;
    for (i, v) in a.iter().enumerate() {
        match v.type_of() {
            Type::Set(t) => ets.push(*t),
            Type::List(t) => {
                any_list = true;
                ets.push(*t)
            }
            Type::Tuple(ts) => {
                any_list = true;
                ets.push(unify(&ts).ok_or_else(|| arg_err(i, "a set or a list is required"))?)
            }
            Type::Dynamic => return Ok(Type::Dynamic),
            _ => return Err(arg_err(i, "a set or a list is required")),
        }
    }
    let et = Type::Tuple(ets);
    Ok(if any_list { Type::list(et) } else { Type::set(et) })
}

fn setproduct(a: &[Value], _: &crate::FunctionContext) -> Result<Value, FunctionError> {
    let t = setproduct_ret(a)?;
    let et = elem_type(&t);
    let Type::Tuple(ets) = &et else { return Ok(Value::Unknown(t)) };
    let mut rows: Vec<Vec<Value>> = vec![vec![]];
    for (v, t) in a.iter().zip(ets) {
        let items = v.as_seq().unwrap_or(&[]);
        let mut next = Vec::new();
        for row in &rows {
            for x in items {
                let mut r = row.clone();
                r.push(convert(x, t).map_err(|e| call_err(e.message))?);
                next.push(r);
            }
        }
        rows = next;
    }
    let out: Vec<Value> = rows.into_iter().map(Value::Tuple).collect();
    Ok(match t {
        Type::Set(_) => Value::set(et, out),
        _ => Value::List(et, out),
    })
}

#[allow(dead_code)]
fn _unused(_: &[Value]) -> Value {
    string_list(vec![])
}
