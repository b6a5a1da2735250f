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
        let v = go_log(num(a, 0).to_f64()) / go_log(num(a, 1).to_f64());
        float(v)
    }));
    r.push(func("pow", vec![p("num", n()), p("power", n())], ret(n()), |a, _| {
        float(go_pow(num(a, 0).to_f64(), num(a, 1).to_f64()))
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

/// Go's `math.Frexp`: `x = frac * 2^exp`, `frac` in [0.5, 1).
fn frexp(x: f64) -> (f64, i32) {
    if x == 0.0 || x.is_nan() || x.is_infinite() {
        return (x, 0);
    }
    let (mut x, mut e) = (x, 0i32);
    if x.abs() < f64::MIN_POSITIVE {
        x *= (1u64 << 52) as f64;
        e = -52;
    }
    let bits = x.to_bits();
    e += ((bits >> 52) & 0x7ff) as i32 - 1022;
    let bits = bits & !(0x7ffu64 << 52) | (1022u64 << 52);
    (f64::from_bits(bits), e)
}

/// Go's `math.Log` (the FreeBSD algorithm Go uses), so `log()` agrees with Terraform to the
/// last bit.
#[allow(clippy::excessive_precision)]
fn go_log(x: f64) -> f64 {
    const LN2_HI: f64 = 6.93147180369123816490e-01;
    const LN2_LO: f64 = 1.90821492927058770002e-10;
    const L1: f64 = 6.666666666666735130e-01;
    const L2: f64 = 3.999999999940941908e-01;
    const L3: f64 = 2.857142874366239149e-01;
    const L4: f64 = 2.222219843214978396e-01;
    const L5: f64 = 1.818357216161805012e-01;
    const L6: f64 = 1.531383769920937332e-01;
    const L7: f64 = 1.479819860511658591e-01;
    if x.is_nan() || x == f64::INFINITY {
        return x;
    }
    if x < 0.0 {
        return f64::NAN;
    }
    if x == 0.0 {
        return f64::NEG_INFINITY;
    }
    let (mut f1, mut ki) = frexp(x);
    if f1 < std::f64::consts::SQRT_2 / 2.0 {
        f1 *= 2.0;
        ki -= 1;
    }
    let f = f1 - 1.0;
    let k = ki as f64;
    let s = f / (2.0 + f);
    let s2 = s * s;
    let s4 = s2 * s2;
    let t1 = s2 * (L1 + s4 * (L3 + s4 * (L5 + s4 * L7)));
    let t2 = s4 * (L2 + s4 * (L4 + s4 * L6));
    let r = t1 + t2;
    let hfsq = 0.5 * f * f;
    k * LN2_HI - ((hfsq - (s * (hfsq + r) + k * LN2_LO)) - f)
}

/// Go's `math.Pow`: integer powers by repeated squaring on the frexp mantissa (so
/// `pow(10, 20)` rounds like Terraform), fractional parts through exp/log.
fn go_pow(x: f64, y: f64) -> f64 {
    if y == 0.0 || x == 1.0 {
        return 1.0;
    }
    if y == 1.0 {
        return x;
    }
    if x.is_nan() || y.is_nan() {
        return f64::NAN;
    }
    if x == 0.0 || y.is_infinite() || x.is_infinite() {
        return x.powf(y);
    }
    if y == 0.5 {
        return x.sqrt();
    }
    if y == -0.5 {
        return 1.0 / x.sqrt();
    }
    let mut yi = y.abs().trunc();
    let mut yf = y.abs() - yi;
    if yf != 0.0 && x < 0.0 {
        return f64::NAN;
    }
    if yi >= 9.223372036854775808e18 {
        return x.powf(y);
    }
    let mut a1 = 1.0f64;
    let mut ae: i32 = 0;
    if yf != 0.0 {
        if yf > 0.5 {
            yf -= 1.0;
            yi += 1.0;
        }
        a1 = (yf * go_log(x)).exp();
    }
    let (mut x1, mut xe) = frexp(x);
    let mut i = yi as i64;
    while i != 0 {
        if !(-(1 << 12)..=(1 << 12)).contains(&xe) {
            ae += xe;
            break;
        }
        if i & 1 == 1 {
            a1 *= x1;
            ae += xe;
        }
        x1 *= x1;
        xe <<= 1;
        if x1 < 0.5 {
            x1 += x1;
            xe -= 1;
        }
        i >>= 1;
    }
    if y < 0.0 {
        a1 = 1.0 / a1;
        ae = -ae;
    }
    ldexp(a1, ae)
}

/// `frac * 2^exp` without intermediate overflow.
fn ldexp(frac: f64, exp: i32) -> f64 {
    let mut f = frac;
    let mut e = exp;
    while e > 1000 {
        f *= 2f64.powi(1000);
        e -= 1000;
    }
    while e < -1000 {
        f *= 2f64.powi(-1000);
        e += 1000;
    }
    f * 2f64.powi(e)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn go_math_agrees_with_terraform() {
        assert_eq!(go_log(707.21860) / go_log(3.0), 5.97238887600385);
        assert_eq!(go_log(8.0) / go_log(2.0), 3.0);
        assert_eq!(go_pow(2.0, 64.0), 18446744073709551616.0);
        assert_eq!(go_pow(2.0, -1.0), 0.5);
        assert_eq!(go_pow(1.5, 2.0), 2.25);
    }
}
