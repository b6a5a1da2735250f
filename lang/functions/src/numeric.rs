//! Numeric functions: `abs`, `ceil`, `floor`, `log`, `max`, `min`, `parseint`, `pow`, `signum`.

use crate::registry::{arg_err, call_err, func, func_var, p, ret, Func};
use crate::util::{num, s, vnum};
use crate::FunctionError;
use bigdecimal::{BigDecimal, RoundingMode};
use num_bigint::BigInt;
use plinth_sdk::{Number, Type, Value};

pub(crate) fn register(r: &mut Vec<Func>) {
    let n = || Type::Number;
    r.push(func("abs", vec![p("num", n())], ret(n()), |a, _| {
        let x = num(a, 0);
        Ok(Value::Number(if x.is_negative() { x.neg() } else { x }))
    }));
    r.push(func("ceil", vec![p("num", n())], ret(n()), |a, _| Ok(Value::Number(round(&num(a, 0), RoundingMode::Ceiling)))));
    r.push(func("floor", vec![p("num", n())], ret(n()), |a, _| Ok(Value::Number(round(&num(a, 0), RoundingMode::Floor)))));
    r.push(func("signum", vec![p("num", n())], ret(n()), |a, _| {
        let x = num(a, 0);
        if matches!(x, Number::PosInf | Number::NegInf) || !x.is_integer() || x.to_i64().is_none() {
            return Err(call_err("value must be a whole number, between -9223372036854775808 and 9223372036854775807"));
        }
        Ok(vnum(if x.is_zero() { 0 } else if x.is_negative() { -1 } else { 1 }))
    }));
    r.push(func("log", vec![p("num", n()), p("base", n())], ret(n()), |a, _| {
        let v = num(a, 0).to_f64().ln() / num(a, 1).to_f64().ln();
        float(v)
    }));
    r.push(func("pow", vec![p("num", n()), p("power", n())], ret(n()), |a, _| {
        float(num(a, 0).to_f64().powf(num(a, 1).to_f64()))
    }));
    r.push(func_var("max", vec![], p("numbers", n()), ret(n()), |a, _| {
        let mut it = a.iter().filter_map(Value::as_number);
        let first = it.next().cloned().ok_or_else(|| call_err("must pass at least one number"))?;
        Ok(Value::Number(it.fold(first, |m, x| if *x > m { x.clone() } else { m })))
    }));
    r.push(func_var("min", vec![], p("numbers", n()), ret(n()), |a, _| {
        let mut it = a.iter().filter_map(Value::as_number);
        let first = it.next().cloned().ok_or_else(|| call_err("must pass at least one number"))?;
        Ok(Value::Number(it.fold(first, |m, x| if *x < m { x.clone() } else { m })))
    }));
    r.push(func("parseint", vec![p("number", Type::Dynamic).dynamic(), p("base", n())], ret(n()), |a, _| {
        let Some(text) = a[0].as_str() else {
            return Err(arg_err(0, format!("first argument must be a string, not {}", a[0].type_of().friendly_name())));
        };
        let base = num(a, 1);
        let b = base.to_i64().filter(|b| (2..=62).contains(b)).ok_or_else(|| {
            arg_err(1, "base must be a whole number between 2 and 62 inclusive")
        })?;
        parse_int(text, b as u32).map(Value::Number).ok_or_else(|| {
            arg_err(0, format!("cannot parse {} as a base {b} integer", crate::format::go_quote(text)))
        })
    }));
    let _ = s;
}

/// A float64 result, as cty's `NumberFloatVal` (NaN is an error there too).
fn float(v: f64) -> Result<Value, FunctionError> {
    Number::from_f64(v)
        .map(Value::Number)
        .ok_or_else(|| call_err("panic in function implementation: Float.SetFloat64(NaN)"))
}

fn round(x: &Number, mode: RoundingMode) -> Number {
    match x {
        Number::Finite(d) => Number::Finite(d.with_scale_round(0, mode).normalized()),
        other => other.clone(),
    }
}

/// Go's `big.Int.SetString(s, base)` for bases 2..=62 (digits 0-9, a-z, A-Z; for bases up to
/// 36 letters are case-insensitive), with an optional sign.
fn parse_int(text: &str, base: u32) -> Option<Number> {
    let (neg, digits) = match text.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if digits.is_empty() {
        return None;
    }
    let mut acc = BigInt::from(0);
    for c in digits.chars() {
        let d = match c {
            '0'..='9' => c as u32 - '0' as u32,
            'a'..='z' => c as u32 - 'a' as u32 + 10,
            'A'..='Z' if base <= 36 => c as u32 - 'A' as u32 + 10,
            'A'..='Z' => c as u32 - 'A' as u32 + 36,
            _ => return None,
        };
        if d >= base {
            return None;
        }
        acc = acc * base + d;
    }
    if neg {
        acc = -acc;
    }
    Some(Number::Finite(BigDecimal::from(acc)))
}
