//! Date and time functions: `formatdate`, `timeadd`, `timecmp`, `timestamp`.

use crate::format::go_quote;
use crate::registry::{arg_err, call_err, func, p, ret, Func};
use crate::util::{s, vnum, vstr};
use crate::FunctionError;
use chrono::{DateTime, Datelike, FixedOffset, Timelike, Utc};
use plinth_sdk::Type;

pub(crate) fn register(r: &mut Vec<Func>) {
    let st = || Type::String;
    r.push(func("timestamp", vec![], ret(st()), |_, _| {
        Ok(vstr(Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()))
    }));
    r.push(func("formatdate", vec![p("format", st()), p("time", st())], ret(st()), |a, _| {
        let t = parse_rfc3339(s(a, 1), 1)?;
        format_date(s(a, 0), &t).map(vstr)
    }));
    r.push(func("timeadd", vec![p("timestamp", st()), p("duration", st())], ret(st()), |a, _| {
        let t = parse_rfc3339(s(a, 0), 0)?;
        let nanos = parse_duration(s(a, 1)).map_err(call_err)?;
        let out = t + chrono::Duration::nanoseconds(nanos as i64);
        Ok(vstr(rfc3339(&out)))
    }));
    r.push(func("timecmp", vec![p("timestamp_a", st()), p("timestamp_b", st())], ret(Type::Number), |a, _| {
        let x = parse_rfc3339(s(a, 0), 0)?;
        let y = parse_rfc3339(s(a, 1), 1)?;
        Ok(vnum(match x.cmp(&y) {
            std::cmp::Ordering::Less => -1,
            std::cmp::Ordering::Equal => 0,
            std::cmp::Ordering::Greater => 1,
        }))
    }));
}

fn rfc3339(t: &DateTime<FixedOffset>) -> String {
    // Go's time.RFC3339 layout has no fractional seconds.
    let frac = "";
    let off = t.offset().local_minus_utc();
    let zone = if off == 0 {
        "Z".to_string()
    } else {
        let sign = if off < 0 { '-' } else { '+' };
        let o = off.abs();
        format!("{sign}{:02}:{:02}", o / 3600, (o % 3600) / 60)
    };
    format!("{}{frac}{zone}", t.format("%Y-%m-%dT%H:%M:%S"))
}

fn parse_rfc3339(text: &str, arg: usize) -> Result<DateTime<FixedOffset>, FunctionError> {
    // Go's RFC3339 layout requires upper-case T and Z and a two-digit hour.
    let ok_shape = text.len() >= 20
        && text.as_bytes().get(10) == Some(&b'T')
        && !text.ends_with('z');
    match DateTime::parse_from_rfc3339(text) {
        Ok(t) if ok_shape => Ok(t),
        _ => {
            let b = text.as_bytes();
            let date_ok = b.len() >= 10 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-' && b[7] == b'-';
            let why = if date_ok && (b.len() == 10 || b[10] != b'T') {
                "missing required time introducer 'T'".to_string()
            } else if date_ok && b.len() == 19 {
                "end of string before UTC offset".to_string()
            } else {
                format!("cannot use {} as year", go_quote(text))
            };
            Err(arg_err(arg, format!("not a valid RFC3339 timestamp: {why}")))
        }
    }
}

/// Go's `time.ParseDuration`, in nanoseconds.
fn parse_duration(text: &str) -> Result<i128, String> {
    let bad = || format!("time: invalid duration {}", go_quote(text));
    let mut rest = text;
    let mut neg = false;
    if let Some(r) = rest.strip_prefix('-') {
        neg = true;
        rest = r;
    } else if let Some(r) = rest.strip_prefix('+') {
        rest = r;
    }
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(bad());
    }
    let mut total: f64 = 0.0;
    while !rest.is_empty() {
        let n_end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        if n_end == 0 {
            return Err(bad());
        }
        let n: f64 = rest[..n_end].parse().map_err(|_| bad())?;
        rest = &rest[n_end..];
        let u_end = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let unit = &rest[..u_end];
        rest = &rest[u_end..];
        let mult: f64 = match unit {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            "" => return Err(format!("time: missing unit in duration {}", go_quote(text))),
            u => return Err(format!("time: unknown unit {} in duration {}", go_quote(u), go_quote(text))),
        };
        total += n * mult;
    }
    let v = total.round() as i128;
    Ok(if neg { -v } else { v })
}

const MONTHS: [&str; 12] = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
];
const DAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

fn format_date(spec: &str, t: &DateTime<FixedOffset>) -> Result<String, FunctionError> {
    let chars: Vec<char> = spec.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            // Quoted literal; '' is a literal quote.
            if chars.get(i + 1) == Some(&'\'') {
                out.push('\'');
                i += 2;
                continue;
            }
            let mut j = i + 1;
            loop {
                if j >= chars.len() {
                    return Err(arg_err(0, "unterminated literal '"));
                }
                if chars[j] == '\'' {
                    if chars.get(j + 1) == Some(&'\'') {
                        out.push('\'');
                        j += 2;
                        continue;
                    }
                    break;
                }
                out.push(chars[j]);
                j += 1;
            }
            i = j + 1;
            continue;
        }
        if !c.is_ascii_alphabetic() {
            out.push(c);
            i += 1;
            continue;
        }
        let mut j = i;
        while j < chars.len() && chars[j] == c {
            j += 1;
        }
        let tok: String = chars[i..j].iter().collect();
        i = j;
        let off = t.offset().local_minus_utc();
        let offs = |colon: bool| {
            let sign = if off < 0 { '-' } else { '+' };
            let o = off.abs();
            if colon {
                format!("{sign}{:02}:{:02}", o / 3600, (o % 3600) / 60)
            } else {
                format!("{sign}{:02}{:02}", o / 3600, (o % 3600) / 60)
            }
        };
        let h12 = match t.hour() % 12 {
            0 => 12,
            h => h,
        };
        let piece = match tok.as_str() {
            "YYYY" => format!("{:04}", t.year()),
            "YY" => format!("{:02}", t.year() % 100),
            "MMMM" => MONTHS[t.month0() as usize].to_string(),
            "MMM" => MONTHS[t.month0() as usize][..3].to_string(),
            "MM" => format!("{:02}", t.month()),
            "M" => t.month().to_string(),
            "DD" => format!("{:02}", t.day()),
            "D" => t.day().to_string(),
            "EEEE" => DAYS[t.weekday().num_days_from_monday() as usize].to_string(),
            "EEE" => DAYS[t.weekday().num_days_from_monday() as usize][..3].to_string(),
            "hh" => format!("{:02}", t.hour()),
            "h" => t.hour().to_string(),
            "HH" => format!("{:02}", h12),
            "H" => h12.to_string(),
            "AA" => (if t.hour() < 12 { "AM" } else { "PM" }).to_string(),
            "aa" => (if t.hour() < 12 { "am" } else { "pm" }).to_string(),
            "mm" => format!("{:02}", t.minute()),
            "m" => t.minute().to_string(),
            "ss" => format!("{:02}", t.second()),
            "s" => t.second().to_string(),
            "ZZZZZ" => offs(true),
            "ZZZZ" => offs(false),
            "ZZZ" => {
                if off == 0 {
                    "UTC".to_string()
                } else {
                    offs(false)
                }
            }
            "Z" => {
                if off == 0 {
                    "Z".to_string()
                } else {
                    offs(true)
                }
            }
            _ => return Err(call_err(format!("invalid date format verb {}", go_quote(&tok)))).map_err(|e| arg_err(0, e.message)),
        };
        out.push_str(&piece);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn durations_and_formats() {
        assert_eq!(parse_duration("1h30m").unwrap(), 5_400_000_000_000);
        assert_eq!(parse_duration("-1.5s").unwrap(), -1_500_000_000);
        assert!(parse_duration("1x").is_err());
        let t = parse_rfc3339("2024-02-03T04:05:06Z", 0).unwrap();
        assert_eq!(format_date("DD MMM YYYY hh:mm ZZZ EEE", &t).unwrap(), "03 Feb 2024 04:05 UTC Sat");
        assert_eq!(format_date("h 'o''clock' AA", &t).unwrap(), "4 o'clock AM");
    }
}
