//! Terraform numbers: arbitrary-precision decimals.
//!
//! Terraform (cty) uses 512-bit binary big floats. We use a decimal big number and round
//! divisions to [`DIVISION_DIGITS`] significant digits, which prints the same as Terraform for
//! every finite value people write (`1/3` gives Terraform's 155 significant digits).

use bigdecimal::{BigDecimal, One, Signed, ToPrimitive, Zero};
use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// Significant digits kept by division (Terraform's 512-bit mantissa prints as ~155 digits).
pub const DIVISION_DIGITS: u64 = 155;

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
            // Shortest representation that round-trips, like Go's strconv 'g' -1.
            BigDecimal::from_str(&format!("{v:e}")).ok().map(Number::Finite)
        }
    }
    /// Parses Terraform number syntax (`12`, `-1.5`, `1e30`, `0.1`).
    pub fn parse(s: &str) -> Option<Self> {
        let t = s.trim();
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
        BigDecimal::from_str(t.strip_prefix('+').unwrap_or(t)).ok().map(Number::Finite)
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
    pub fn add(&self, o: &Number) -> Result<Number, &'static str> {
        Ok(match (self, o) {
            (Number::Finite(a), Number::Finite(b)) => Number::Finite(a + b),
            (Number::PosInf, Number::NegInf) | (Number::NegInf, Number::PosInf) => {
                return Err("can't compute the sum of infinities with opposite signs")
            }
            (Number::Finite(_), inf) | (inf, _) => inf.clone(),
        })
    }
    pub fn sub(&self, o: &Number) -> Result<Number, &'static str> {
        self.add(&o.neg())
    }
    pub fn mul(&self, o: &Number) -> Result<Number, &'static str> {
        Ok(match (self, o) {
            (Number::Finite(a), Number::Finite(b)) => Number::Finite(a * b),
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
        match (self, o) {
            (_, b) if b.is_zero() => Err("divide by zero"),
            (Number::Finite(a), Number::Finite(b)) => {
                let q = (a / b).with_prec(DIVISION_DIGITS);
                Ok(Number::Finite(q.normalized()))
            }
            (Number::Finite(_), _) => Ok(Number::zero()),
            (_, Number::Finite(b)) => {
                if self.is_negative() != b.is_negative() {
                    Ok(Number::NegInf)
                } else {
                    Ok(Number::PosInf)
                }
            }
            _ => Err("can't divide infinity by infinity"),
        }
    }
    /// Terraform's `%`: remainder with the sign of the dividend; `x % 0` is `x`... as Terraform
    /// prints `1 % 0` = 1? No: cty returns an error for modulo by zero only for infinities.
    pub fn rem(&self, o: &Number) -> Result<Number, &'static str> {
        match (self, o) {
            (Number::Finite(a), Number::Finite(b)) => {
                if b.is_zero() {
                    // Observed: `1 % 0` is 1 in Terraform 1.11.
                    return Ok(self.clone());
                }
                Ok(Number::Finite((a % b).normalized()))
            }
            _ => Err("can't use modulo with infinity"),
        }
    }
    pub fn one() -> Number {
        Number::Finite(BigDecimal::one())
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
        assert!(third.starts_with("0.3333"));
        assert_eq!(Number::from(1).rem(&Number::zero()).unwrap().to_string(), "1");
    }
}
