//! Terraform numbers: arbitrary-precision decimals that behave like cty's 512-bit binary
//! big floats.
//!
//! cty keeps numbers as Go `big.Float`s with a 512-bit mantissa and prints them with the
//! shortest decimal that reads back to the same float (`Text('f', -1)`). A [`Number`] holds
//! exactly that shortest decimal; every arithmetic result is computed exactly from the
//! operands' binary values, rounded to 512 bits (nearest, ties to even) and turned back into
//! its shortest decimal (see [`binary`]). So `1/3` prints Terraform's 155 digits ending in
//! `5`, `0.1 + 0.2` prints `0.3`, and results of float64 functions (`pow`) print like Go's
//! 53-bit shortest form (`18446744073709550000`).

use bigdecimal::{BigDecimal, One, Signed, ToPrimitive, Zero};
use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// Significant decimal digits a 512-bit mantissa prints as, at most (kept for callers that
/// used it; arithmetic now rounds in binary, see [`binary`]).
pub const DIVISION_DIGITS: u64 = 155;

/// Bits of mantissa in Terraform's numbers.
pub const PRECISION_BITS: u32 = 512;

/// An arbitrary-precision number, or one of the infinities Terraform can produce.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Number {
    Finite(BigDecimal),
    PosInf,
    NegInf,
}

impl Number {
    pub fn zero() -> Self {
        Number::Finite(BigDecimal::zero())
    }
    pub fn from_i64(v: i64) -> Self {
        Number::Finite(BigDecimal::from(v))
    }
    pub fn from_u64(v: u64) -> Self {
        Number::Finite(BigDecimal::from(v))
    }
    /// From a float; NaN is not a Terraform number and yields `None`.
    pub fn from_f64(v: f64) -> Option<Self> {
        if v.is_nan() {
            None
        } else if v == f64::INFINITY {
            Some(Number::PosInf)
        } else if v == f64::NEG_INFINITY {
            Some(Number::NegInf)
        } else {
            // cty's NumberFloatVal: a 53-bit big.Float, printed with Go's shortest rule.
            Some(Number::Finite(binary::from_f64(v)))
        }
    }
    /// Parses Terraform number syntax (`12`, `-1.5`, `1e30`, `0.1`).
    /// Surrounding whitespace is not allowed (Terraform rejects `" 1"`).
    pub fn parse(s: &str) -> Option<Self> {
        let t = s;
        match t {
            "+Inf" | "Inf" | "inf" | "+inf" => return Some(Number::PosInf),
            "-Inf" | "-inf" => return Some(Number::NegInf),
            _ => {}
        }
        if t.is_empty() || t.starts_with('+') && t.len() == 1 {
            return None;
        }
        let ok = t
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'));
        if !ok {
            return None;
        }
        let body = t.strip_prefix('+').unwrap_or(t);
        if !body.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '.') {
            return None;
        }
        BigDecimal::from_str(body).ok().map(|d| Number::Finite(binary::round_decimal(&d)))
    }
    pub fn as_decimal(&self) -> Option<&BigDecimal> {
        match self {
            Number::Finite(d) => Some(d),
            _ => None,
        }
    }
    pub fn is_integer(&self) -> bool {
        match self {
            Number::Finite(d) => d.is_integer(),
            _ => false,
        }
    }
    pub fn to_i64(&self) -> Option<i64> {
        match self {
            Number::Finite(d) if d.is_integer() => d.to_i64(),
            _ => None,
        }
    }
    pub fn to_f64(&self) -> f64 {
        match self {
            Number::Finite(d) => d.to_f64().unwrap_or(f64::NAN),
            Number::PosInf => f64::INFINITY,
            Number::NegInf => f64::NEG_INFINITY,
        }
    }
    pub fn is_negative(&self) -> bool {
        match self {
            Number::Finite(d) => d.is_negative(),
            Number::NegInf => true,
            Number::PosInf => false,
        }
    }
    pub fn is_zero(&self) -> bool {
        matches!(self, Number::Finite(d) if d.is_zero())
    }
    pub fn neg(&self) -> Number {
        match self {
            Number::Finite(d) => Number::Finite(-d.clone()),
            Number::PosInf => Number::NegInf,
            Number::NegInf => Number::PosInf,
        }
    }
    /// Both operands as `i64` when they are whole numbers in its range: the fast path for
    /// the integer arithmetic configurations are full of (`count.index + 1`, `n % 2`).
    /// Results within ±2^127 are exact in a 512-bit float, so these paths agree with the
    /// binary emulation bit for bit.
    fn small_ints(&self, o: &Number) -> Option<(i64, i64)> {
        match (self, o) {
            (Number::Finite(a), Number::Finite(b)) => {
                let small = |d: &BigDecimal| d.is_integer() && d.abs() < BigDecimal::from(i64::MAX / 2);
                if small(a) && small(b) {
                    Some((a.to_i64()?, b.to_i64()?))
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    fn from_i128(v: i128) -> Number {
        Number::Finite(BigDecimal::from(v))
    }

    pub fn add(&self, o: &Number) -> Result<Number, &'static str> {
        if let Some((a, b)) = self.small_ints(o) {
            return Ok(Number::from_i128(a as i128 + b as i128));
        }
        Ok(match (self, o) {
            (Number::Finite(a), Number::Finite(b)) => Number::Finite(binary::add(a, b)),
            (Number::PosInf, Number::NegInf) | (Number::NegInf, Number::PosInf) => {
                return Err("can't compute the sum of infinities with opposite signs")
            }
            (Number::Finite(_), inf) | (inf, _) => inf.clone(),
        })
    }
    pub fn sub(&self, o: &Number) -> Result<Number, &'static str> {
        match (self, o) {
            (Number::PosInf, Number::PosInf) | (Number::NegInf, Number::NegInf) => {
                Err("can't subtract infinity from itself")
            }
            _ => self.add(&o.neg()),
        }
    }
    pub fn mul(&self, o: &Number) -> Result<Number, &'static str> {
        if let Some((a, b)) = self.small_ints(o) {
            return Ok(Number::from_i128(a as i128 * b as i128));
        }
        Ok(match (self, o) {
            (Number::Finite(a), Number::Finite(b)) => Number::Finite(binary::mul(a, b)),
            (a, b) => {
                if a.is_zero() || b.is_zero() {
                    return Err("can't multiply zero by infinity");
                }
                if a.is_negative() != b.is_negative() {
                    Number::NegInf
                } else {
                    Number::PosInf
                }
            }
        })
    }
    pub fn div(&self, o: &Number) -> Result<Number, &'static str> {
        if let Some((a, b)) = self.small_ints(o) {
            if b != 0 && a % b == 0 {
                return Ok(Number::from_i64(a / b));
            }
        }
        match (self, o) {
            // cty: x/0 is an infinity with x's sign; 0/0 is an error.
            (a, b) if b.is_zero() => {
                if a.is_zero() {
                    Err("can't divide zero by zero or infinity by infinity")
                } else if a.is_negative() {
                    Ok(Number::NegInf)
                } else {
                    Ok(Number::PosInf)
                }
            }
            (Number::Finite(a), Number::Finite(b)) => Ok(Number::Finite(binary::div(a, b))),
            (Number::Finite(_), _) => Ok(Number::zero()),
            (_, Number::Finite(b)) => {
                if self.is_negative() != b.is_negative() {
                    Ok(Number::NegInf)
                } else {
                    Ok(Number::PosInf)
                }
            }
            _ => Err("can't divide zero by zero or infinity by infinity"),
        }
    }
    /// Terraform's `%`: remainder with the sign of the dividend; `x % 0` is `x` (observed in
    /// Terraform 1.11); infinities are an error.
    pub fn rem(&self, o: &Number) -> Result<Number, &'static str> {
        if let Some((a, b)) = self.small_ints(o) {
            if b != 0 {
                // Truncated division: the remainder has the dividend's sign, as in cty.
                return Ok(Number::from_i64(a % b));
            }
        }
        match (self, o) {
            (Number::Finite(a), Number::Finite(b)) => {
                if b.is_zero() {
                    // Observed: `1 % 0` is 1 in Terraform 1.11.
                    return Ok(self.clone());
                }
                // cty: a - b * trunc(a / b), each step rounded to 512 bits.
                let q = binary::div(a, b).with_scale_round(0, bigdecimal::RoundingMode::Down);
                let t = binary::mul(b, &q);
                Ok(Number::Finite(binary::add(a, &(-t))))
            }
            _ => Err("can't use modulo with infinity"),
        }
    }
    pub fn one() -> Number {
        Number::Finite(BigDecimal::one())
    }
}

pub mod binary {
    //! Emulation of Go's `math/big.Float` at a given precision: exact decimal → nearest
    //! binary float (ties to even) and binary float → shortest decimal that rounds back to it
    //! (`big.Float.Text('f', -1)`, which uses a symmetric half-ulp interval).

    use super::PRECISION_BITS;
    use bigdecimal::num_bigint::{BigInt, BigUint, Sign};
    use bigdecimal::{BigDecimal, Zero};

    /// A finite binary float: `(-1)^neg * mant * 2^exp`, `mant < 2^prec`.
    #[derive(Clone, Debug)]
    struct Float {
        neg: bool,
        mant: BigUint,
        exp: i64,
    }

    fn pow10(n: u64) -> BigUint {
        BigUint::from(10u32).pow(n as u32)
    }

    /// The exact rational value of a decimal: (numerator, denominator), numerator signed.
    fn rational(d: &BigDecimal) -> (BigInt, BigUint) {
        let (digits, scale) = d.as_bigint_and_exponent();
        if scale >= 0 {
            (digits, pow10(scale as u64))
        } else {
            (digits * BigInt::from_biguint(Sign::Plus, pow10((-scale) as u64)), BigUint::from(1u32))
        }
    }

    /// Rounds `num/den` to a `prec`-bit float, ties to even.
    fn round_rational(num: &BigInt, den: &BigUint, prec: u32) -> Option<Float> {
        if num.is_zero() {
            return None;
        }
        let neg = num.sign() == Sign::Minus;
        let n = num.magnitude();
        let prec = prec as i64;
        // Choose e so that n / (den * 2^e) lies in [2^(prec-1), 2^prec).
        let mut e = n.bits() as i64 - den.bits() as i64 - prec;
        loop {
            let (q, r) = if e >= 0 {
                let d = den << (e as usize);
                (n / &d, n % &d)
            } else {
                let nn = n << ((-e) as usize);
                (&nn / den, &nn % den)
            };
            let bits = q.bits() as i64;
            if bits > prec {
                e += 1;
                continue;
            }
            if bits < prec {
                e -= 1;
                continue;
            }
            // Round half to even using the remainder.
            let d = if e >= 0 { den << (e as usize) } else { den.clone() };
            let twice = r << 1usize;
            let mut q = q;
            if twice > d || (twice == d && q.bit(0)) {
                q += 1u32;
            }
            let mut exp = e;
            if q.bits() as i64 > prec {
                q >>= 1usize;
                exp += 1;
            }
            return Some(Float { neg, mant: q, exp });
        }
    }

    /// Exact decimal digits of `m * 2^e` (m > 0): (digits without trailing zeros, position of
    /// the decimal point from the left).
    fn decimal_of(m: &BigUint, e: i64) -> (Vec<u8>, i64) {
        let (digits, frac) = if e >= 0 {
            ((m << (e as usize)).to_string(), 0i64)
        } else {
            let five = BigUint::from(5u32).pow((-e) as u32);
            ((m * five).to_string(), -e)
        };
        let mut d: Vec<u8> = digits.into_bytes();
        let mut dp = d.len() as i64 - frac;
        // trim leading zeros
        let lead = d.iter().take_while(|&&c| c == b'0').count();
        d.drain(..lead);
        dp -= 0;
        let _ = lead;
        while d.last() == Some(&b'0') {
            d.pop();
        }
        if d.is_empty() {
            dp = 0;
        }
        (d, dp)
    }

    fn at(d: &[u8], i: usize) -> u8 {
        d.get(i).copied().unwrap_or(b'0')
    }

    fn round_up(d: &mut Vec<u8>, dp: &mut i64, n: usize) {
        if n >= d.len() {
            return;
        }
        let mut n = n;
        while n > 0 && d[n - 1] >= b'9' {
            n -= 1;
        }
        if n == 0 {
            d.clear();
            d.push(b'1');
            *dp += 1;
            return;
        }
        d[n - 1] += 1;
        d.truncate(n);
    }

    fn round_down(d: &mut Vec<u8>, n: usize) {
        if n >= d.len() {
            return;
        }
        d.truncate(n);
        while d.last() == Some(&b'0') {
            d.pop();
        }
    }

    fn should_round_up(d: &[u8], n: usize) -> bool {
        if d[n] == b'5' && n + 1 == d.len() {
            return n > 0 && (d[n - 1] - b'0') & 1 != 0;
        }
        d[n] >= b'5'
    }

    /// Go's `roundShortest` then `%f` with precision -1, as a decimal.
    fn shortest(f: &Float, prec: u32) -> BigDecimal {
        let (mut d, mut dp) = decimal_of(&f.mant, f.exp);
        // Normalise the mantissa to prec+1 bits: its last bit is half an ulp.
        let shift = prec as i64 + 1 - f.mant.bits() as i64;
        let (m2, e2) = if shift >= 0 {
            (&f.mant << (shift as usize), f.exp - shift)
        } else {
            (&f.mant >> ((-shift) as usize), f.exp - shift)
        };
        let (lower, _) = decimal_of(&(&m2 - 1u32), e2);
        let (upper, _) = decimal_of(&(&m2 + 1u32), e2);
        let inclusive = !m2.bit(1);
        let mut i = 0;
        while i < d.len() {
            let l = at(&lower, i);
            let m = at(&d, i);
            let u = at(&upper, i);
            let okdown = l != m || inclusive && i + 1 == lower.len();
            let okup = m != u && (inclusive || m + 1 < u || i + 1 < upper.len());
            if okdown && okup {
                if i + 1 < d.len() && should_round_up(&d, i + 1) {
                    round_up(&mut d, &mut dp, i + 1);
                } else {
                    round_down(&mut d, i + 1);
                }
                break;
            } else if okdown {
                round_down(&mut d, i + 1);
                break;
            } else if okup {
                round_up(&mut d, &mut dp, i + 1);
                break;
            }
            i += 1;
        }
        let digits = BigInt::parse_bytes(&d, 10).unwrap_or_default();
        let digits = if f.neg { -digits } else { digits };
        let scale = d.len() as i64 - dp;
        BigDecimal::new(digits, scale)
    }

    fn from_rational(num: &BigInt, den: &BigUint) -> BigDecimal {
        match round_rational(num, den, PRECISION_BITS) {
            None => BigDecimal::zero(),
            Some(f) => shortest(&f, PRECISION_BITS),
        }
    }

    /// The exact value of the 512-bit float nearest to `d`, as a rational.
    fn exact(d: &BigDecimal) -> (BigInt, BigUint) {
        let (n, den) = rational(d);
        if den == BigUint::from(1u32) && n.bits() <= PRECISION_BITS as u64 {
            return (n, den);
        }
        match round_rational(&n, &den, PRECISION_BITS) {
            None => (BigInt::zero(), BigUint::from(1u32)),
            Some(f) => {
                let m = BigInt::from_biguint(if f.neg { Sign::Minus } else { Sign::Plus }, f.mant);
                if f.exp >= 0 {
                    (m << (f.exp as usize), BigUint::from(1u32))
                } else {
                    (m, BigUint::from(1u32) << ((-f.exp) as usize))
                }
            }
        }
    }

    /// A decimal as Terraform holds it: its nearest 512-bit float's shortest decimal.
    pub fn round_decimal(d: &BigDecimal) -> BigDecimal {
        let (digits, _) = d.as_bigint_and_exponent();
        // Up to 150 significant digits a decimal is its own shortest form.
        if digits.magnitude().bits() <= 498 {
            return d.normalized();
        }
        let (n, den) = rational(d);
        from_rational(&n, &den).normalized()
    }

    pub fn add(a: &BigDecimal, b: &BigDecimal) -> BigDecimal {
        let (an, ad) = exact(a);
        let (bn, bd) = exact(b);
        let num = an * BigInt::from_biguint(Sign::Plus, bd.clone()) + bn * BigInt::from_biguint(Sign::Plus, ad.clone());
        from_rational(&num, &(ad * bd)).normalized()
    }

    pub fn mul(a: &BigDecimal, b: &BigDecimal) -> BigDecimal {
        let (an, ad) = exact(a);
        let (bn, bd) = exact(b);
        from_rational(&(an * bn), &(ad * bd)).normalized()
    }

    /// `a / b`; `b` must not be zero.
    pub fn div(a: &BigDecimal, b: &BigDecimal) -> BigDecimal {
        let (an, ad) = exact(a);
        let (bn, bd) = exact(b);
        let neg = bn.sign() == Sign::Minus;
        let num = an * BigInt::from_biguint(Sign::Plus, bd);
        let num = if neg { -num } else { num };
        let den = ad * bn.magnitude();
        from_rational(&num, &den).normalized()
    }

    /// A float64 as cty's `NumberFloatVal` prints it (53-bit shortest decimal).
    pub fn from_f64(v: f64) -> BigDecimal {
        if v == 0.0 {
            return BigDecimal::zero();
        }
        let bits = v.to_bits();
        let neg = bits >> 63 == 1;
        let exp_bits = ((bits >> 52) & 0x7ff) as i64;
        let frac = bits & ((1u64 << 52) - 1);
        let (mant, exp) = if exp_bits == 0 { (frac, -1074) } else { (frac | (1u64 << 52), exp_bits - 1075) };
        let f = Float { neg, mant: BigUint::from(mant), exp };
        shortest(&f, 53).normalized()
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Number {
    fn cmp(&self, other: &Self) -> Ordering {
        use Number::*;
        match (self, other) {
            (Finite(a), Finite(b)) => a.cmp(b),
            (PosInf, PosInf) | (NegInf, NegInf) => Ordering::Equal,
            (PosInf, _) | (_, NegInf) => Ordering::Greater,
            (NegInf, _) | (_, PosInf) => Ordering::Less,
        }
    }
}

impl fmt::Display for Number {
    /// Terraform's rendering: plain decimal, every digit, no exponent, no trailing zeros.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::PosInf => f.write_str("+Inf"),
            Number::NegInf => f.write_str("-Inf"),
            Number::Finite(d) => {
                let n = d.normalized();
                if n.is_zero() {
                    return f.write_str("0");
                }
                let (digits, scale) = n.as_bigint_and_exponent();
                let neg = digits.is_negative();
                let s = digits.abs().to_string();
                let body = if scale <= 0 {
                    let mut s = s;
                    s.extend(std::iter::repeat_n('0', (-scale) as usize));
                    s
                } else {
                    let scale = scale as usize;
                    if s.len() > scale {
                        format!("{}.{}", &s[..s.len() - scale], &s[s.len() - scale..])
                    } else {
                        format!("0.{}{}", "0".repeat(scale - s.len()), s)
                    }
                };
                if neg {
                    write!(f, "-{body}")
                } else {
                    f.write_str(&body)
                }
            }
        }
    }
}

impl From<i64> for Number {
    fn from(v: i64) -> Self {
        Number::from_i64(v)
    }
}
impl From<i32> for Number {
    fn from(v: i32) -> Self {
        Number::from_i64(v as i64)
    }
}
impl From<u64> for Number {
    fn from(v: u64) -> Self {
        Number::from_u64(v)
    }
}
impl From<usize> for Number {
    fn from(v: usize) -> Self {
        Number::from_u64(v as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn prints_like_terraform() {
        assert_eq!(Number::parse("1.0").unwrap().to_string(), "1");
        assert_eq!(Number::parse("1e30").unwrap().to_string(), "1000000000000000000000000000000");
        assert_eq!(Number::parse("-0.50").unwrap().to_string(), "-0.5");
        assert_eq!(Number::parse("0.001").unwrap().to_string(), "0.001");
        let third = Number::one().div(&Number::from(3)).unwrap().to_string();
        assert_eq!(third, format!("0.{}5", "3".repeat(154)));
        let p = |s: &str| Number::parse(s).unwrap();
        assert_eq!(p("0.1").add(&p("0.2")).unwrap().to_string(), "0.3");
        assert_eq!(
            p("100000000000000000000000000001").div(&p("3")).unwrap().to_string(),
            format!("33333333333333333333333333333.{}", "6".repeat(126))
        );
        assert_eq!(Number::from_f64(2f64.powi(64)).unwrap().to_string(), "18446744073709550000");
        assert_eq!(Number::from_f64(2f64.sqrt()).unwrap().to_string(), "1.4142135623730951");
        assert!(Number::parse(" 1").is_none());
        assert_eq!(Number::one().div(&Number::zero()), Ok(Number::PosInf));
        assert_eq!(
            p("585.17247").rem(&p("142")).unwrap().to_string(),
            format!("17.17247{}22", "0".repeat(146))
        );
        assert_eq!(p("-7").rem(&p("3")).unwrap().to_string(), "-1");
        assert_eq!(Number::from(-2).div(&Number::zero()), Ok(Number::NegInf));
        assert!(Number::zero().div(&Number::zero()).is_err());
        assert_eq!(Number::from(1).rem(&Number::zero()).unwrap().to_string(), "1");
    }
}
