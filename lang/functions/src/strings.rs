//! String functions: `upper`, `format`, `regex`, `replace`, `split`, `substr`, ...

use crate::registry::{arg_err, call_err, func, func_var, p, ret, ret_fn, Func, Marks, Unknowns};
use crate::util::{graphemes, is_go_space, s, string_list, vstr, whole};
use crate::{FunctionContext, FunctionError};
use plinth_sdk::{Number, Type, Value};
use std::collections::BTreeMap;

pub(crate) fn register(r: &mut Vec<Func>) {
    let st = || Type::String;
    r.push(func("upper", vec![p("str", st())], ret(st()), |a, _| Ok(vstr(per_rune(s(a, 0), true)))));
    r.push(func("lower", vec![p("str", st())], ret(st()), |a, _| Ok(vstr(per_rune(s(a, 0), false)))));
    r.push(func("chomp", vec![p("str", st())], ret(st()), |a, _| {
        Ok(vstr(s(a, 0).trim_end_matches(['\n', '\r'])))
    }));
    r.push(func("trimspace", vec![p("str", st())], ret(st()), |a, _| {
        Ok(vstr(s(a, 0).trim_matches(is_go_space)))
    }));
    r.push(func("strrev", vec![p("str", st())], ret(st()), |a, _| {
        let g = graphemes(s(a, 0));
        Ok(vstr(g.into_iter().rev().collect::<String>()))
    }));
    r.push(func("title", vec![p("str", st())], ret(st()), |a, _| Ok(vstr(title(s(a, 0))))));
    r.push(func("startswith", vec![p("str", st()), p("prefix", st())], ret(Type::Bool), |a, _| {
        Ok(Value::Bool(s(a, 0).starts_with(s(a, 1))))
    }));
    r.push(func("endswith", vec![p("str", st()), p("suffix", st())], ret(Type::Bool), |a, _| {
        Ok(Value::Bool(s(a, 0).ends_with(s(a, 1))))
    }));
    r.push(func("strcontains", vec![p("str", st()), p("substr", st())], ret(Type::Bool), |a, _| {
        Ok(Value::Bool(s(a, 0).contains(s(a, 1))))
    }));
    r.push(func("trim", vec![p("str", st()), p("cutset", st())], ret(st()), |a, _| {
        let cut: Vec<char> = s(a, 1).chars().collect();
        Ok(vstr(s(a, 0).trim_matches(|c| cut.contains(&c))))
    }));
    r.push(func("trimprefix", vec![p("str", st()), p("prefix", st())], ret(st()), |a, _| {
        Ok(vstr(s(a, 0).strip_prefix(s(a, 1)).unwrap_or(s(a, 0))))
    }));
    r.push(func("trimsuffix", vec![p("str", st()), p("suffix", st())], ret(st()), |a, _| {
        Ok(vstr(s(a, 0).strip_suffix(s(a, 1)).unwrap_or(s(a, 0))))
    }));
    r.push(func("indent", vec![p("spaces", Type::Number), p("str", st())], ret(st()), |a, _| {
        let n = whole(a, 0, "value must be a whole number")?.max(0) as usize;
        Ok(vstr(s(a, 1).replace('\n', &format!("\n{}", " ".repeat(n)))))
    }));
    r.push(func("split", vec![p("separator", st()), p("str", st())], ret(Type::list(st())), |a, _| {
        let (sep, text) = (s(a, 0), s(a, 1));
        let parts: Vec<String> = if sep.is_empty() {
            text.chars().map(String::from).collect()
        } else {
            text.split(sep).map(String::from).collect()
        };
        Ok(string_list(parts))
    }));
    r.push(func_var(
        "join",
        vec![p("separator", st())],
        p("lists", Type::list(st())),
        ret(st()),
        |a, _| {
            if a.len() < 2 {
                return Err(call_err("at least one list is required"));
            }
            let mut parts = Vec::new();
            for (li, l) in a[1..].iter().enumerate() {
                for (i, v) in l.as_seq().unwrap_or(&[]).iter().enumerate() {
                    match v.as_str() {
                        Some(x) => parts.push(x.to_string()),
                        None => {
                            let _ = li;
                            return Err(arg_err(li + 1, format!("element {i} is null; cannot concatenate null values")));
                        }
                    }
                }
            }
            Ok(vstr(parts.join(s(a, 0))))
        },
    ));
    r.push(func("substr", vec![p("str", st()), p("offset", Type::Number), p("length", Type::Number)], ret(st()), |a, _| {
        let offset = whole(a, 1, "offset must be a whole number")?;
        let length = whole(a, 2, "length must be a whole number")?;
        let g = graphemes(s(a, 0));
        let total = g.len() as i64;
        let mut off = offset;
        if off < 0 {
            off += total;
            if off < 0 {
                off = 0;
            }
        } else if length == 0 {
            return Ok(vstr(""));
        }
        if off >= total {
            return Ok(vstr(""));
        }
        let end = if length < 0 { total } else { (off + length).min(total) };
        Ok(vstr(g[off as usize..end as usize].concat()))
    }));
    r.push(func("replace", vec![p("str", st()), p("substr", st()), p("replace", st())], ret(st()), |a, _| {
        let (text, sub, rep) = (s(a, 0), s(a, 1), s(a, 2));
        if sub.len() > 1 && sub.starts_with('/') && sub.ends_with('/') {
            let re = compile(&sub[1..sub.len() - 1], 1)?;
            return Ok(vstr(re.replace_all(text, rep).into_owned()));
        }
        Ok(vstr(text.replace(sub, rep)))
    }));
    r.push(func("regex", vec![p("pattern", st()), p("string", st())], ret_fn(regex_ret), |a, _| {
        let re = compile(s(a, 0), 0)?;
        let text = s(a, 1);
        let caps = re
            .captures(text)
            .ok_or_else(|| call_err("pattern did not match any part of the given string"))?;
        Ok(captures_value(&re, &caps))
    }));
    r.push(func("regexall", vec![p("pattern", st()), p("string", st())], ret_fn(|a| Ok(Type::list(regex_ret(a)?))), |a, _| {
        let re = compile(s(a, 0), 0)?;
        let t = regex_ret(a)?;
        let items: Vec<Value> = re.captures_iter(s(a, 1)).map(|c| captures_value(&re, &c)).collect();
        Ok(Value::List(t, items))
    }));
    r.push(func_var("format", vec![p("format", st())], p("args", Type::Dynamic).null().dynamic().unknown(Unknowns::Reject), ret(st()), |a, _| {
        match format(s(a, 0), &a[1..]) {
            Err(e) if e.arg == Some(usize::MAX) => Ok(Value::Unknown(Type::String)),
            r => r.map(vstr),
        }
    }));
    r.push(func_var(
        "formatlist",
        vec![p("format", st())],
        p("args", Type::Dynamic).null().dynamic(),
        ret(Type::list(st())),
        formatlist,
    ));
    r.push(func("templatestring", vec![p("template", st()), p("vars", Type::Dynamic).marks(Marks::Keep)], ret(st()), |a, ctx| {
        let Some(t) = ctx.template else {
            return Err(call_err("templates are not available here"));
        };
        t(s(a, 0), ctx.cwd, &a[1]).map_err(call_err)
    }));
}

/// Go's `strings.ToUpper`/`ToLower`: rune by rune, a rune without a single-rune mapping
/// stays as it is (`ß` stays `ß`).
fn per_rune(s: &str, upper: bool) -> String {
    s.chars()
        .map(|c| {
            let mut m: Vec<char> = if upper { c.to_uppercase().collect() } else { c.to_lowercase().collect() };
            if m.len() == 1 {
                m.pop().unwrap_or(c)
            } else {
                c
            }
        })
        .collect()
}

fn title(s: &str) -> String {
    fn is_sep(c: char) -> bool {
        if (c as u32) <= 0x7f {
            return !(c.is_ascii_alphanumeric() || c == '_');
        }
        if c.is_alphanumeric() {
            return false;
        }
        is_go_space(c)
    }
    let mut out = String::with_capacity(s.len());
    let mut prev = ' ';
    for c in s.chars() {
        if is_sep(prev) {
            out.push_str(&per_rune(&c.to_string(), true));
        } else {
            out.push(c);
        }
        prev = c;
    }
    out
}

fn compile(pat: &str, arg: usize) -> Result<regex::Regex, FunctionError> {
    regex::Regex::new(pat).map_err(|e| {
        let msg = e.to_string();
        let last = msg.lines().filter(|l| !l.trim().is_empty()).next_back().unwrap_or("").trim().to_string();
        let last = last.strip_prefix("error: ").unwrap_or(&last).to_string();
        // Go's regexp/syntax wording for the common mistakes.
        let go = match last.as_str() {
            "unclosed group" => "missing closing )".to_string(),
            "unclosed character class" => "missing closing ]".to_string(),
            "unopened group" => "unexpected )".to_string(),
            "repetition operator missing expression" => "missing argument to repetition operator".to_string(),
            other => other.to_string(),
        };
        arg_err(arg, format!("invalid regexp pattern: {go} in {pat}"))
    })
}

fn regex_ret(a: &[Value]) -> Result<Type, FunctionError> {
    let Some(pat) = a[0].as_str() else { return Ok(Type::Dynamic) };
    if !a[0].is_known() {
        return Ok(Type::Dynamic);
    }
    let re = compile(pat, 0)?;
    let names: Vec<Option<&str>> = re.capture_names().skip(1).collect();
    let unnamed = names.iter().filter(|n| n.is_none()).count();
    let named: Vec<&str> = names.iter().flatten().copied().collect();
    Ok(match (unnamed, named.len()) {
        (0, 0) => Type::String,
        (0, _) => Type::Object(named.into_iter().map(|n| (n.to_string(), Type::String)).collect()),
        (n, 0) => Type::Tuple(vec![Type::String; n]),
        _ => {
            return Err(arg_err(
                0,
                "invalid regular expression: cannot use both named and unnamed capture groups",
            ))
        }
    })
}

fn captures_value(re: &regex::Regex, c: &regex::Captures) -> Value {
    let names: Vec<Option<&str>> = re.capture_names().skip(1).collect();
    if names.is_empty() {
        return vstr(c.get(0).map(|m| m.as_str()).unwrap_or(""));
    }
    let get = |i: usize| match c.get(i) {
        Some(m) => vstr(m.as_str()),
        None => Value::Null(Type::String),
    };
    if names.iter().all(Option::is_some) {
        let m: BTreeMap<String, Value> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.unwrap_or("").to_string(), get(i + 1)))
            .collect();
        return Value::Object(m);
    }
    Value::Tuple((1..=names.len()).map(get).collect())
}

fn formatlist(a: &[Value], _: &FunctionContext) -> Result<Value, FunctionError> {
    let fmt = s(a, 0);
    let args = &a[1..];
    let mut n: Option<usize> = None;
    for (i, v) in args.iter().enumerate() {
        if let Some(items) = v.as_seq().filter(|_| !matches!(v, Value::Null(_))) {
            {
                match n {
                    None => n = Some(items.len()),
                    Some(k) if k != items.len() => {
                        return Err(arg_err(
                            i + 1,
                            format!("argument {} has length {}, which is inconsistent with argument {} of length {}", i + 1, items.len(), first_list_arg(args) + 1, k),
                        ))
                    }
                    _ => {}
                }
            }
        }
    }
    let n = match n {
        None => {
            return match format(fmt, args) {
                Err(e) if e.arg == Some(usize::MAX) => Ok(Value::Unknown(Type::list(Type::String))),
                r => Ok(string_list(vec![r?])),
            }
        }
        Some(n) => n,
    };
    let mut out = Vec::with_capacity(n);
    for k in 0..n {
        let row: Vec<Value> = args
            .iter()
            .map(|v| match v.as_seq() {
                Some(items) => items[k].clone(),
                None => v.clone(),
            })
            .collect();
        if row.iter().any(Value::is_null) {
            return Ok(Value::Unknown(Type::list(Type::String)));
        }
        out.push(format(fmt, &row).map_err(|e| FunctionError { arg: e.arg, message: format!("error on format iteration {k}: {}", e.message) })?);
    }
    Ok(string_list(out))
}

fn first_list_arg(args: &[Value]) -> usize {
    args.iter().position(|v| v.as_seq().is_some()).unwrap_or(0)
}

/// cty's `format`: Go-like verbs over Terraform values.
pub(crate) fn format(fmt: &str, args: &[Value]) -> Result<String, FunctionError> {
    let mut out = String::new();
    let chars: Vec<char> = fmt.chars().collect();
    let mut i = 0;
    let mut argi = 0usize;
    let mut used = 0usize;
    while i < chars.len() {
        let c = chars[i];
        if c != '%' {
            out.push(c);
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        if i < chars.len() && chars[i] == '%' {
            out.push('%');
            i += 1;
            continue;
        }
        let mut minus = false;
        let mut plus = false;
        let mut space = false;
        let mut zero = false;
        let mut sharp = false;
        while i < chars.len() {
            match chars[i] {
                '-' => minus = true,
                '+' => plus = true,
                ' ' => space = true,
                '0' => zero = true,
                '#' => sharp = true,
                _ => break,
            }
            i += 1;
        }
        if i < chars.len() && chars[i] == '[' {
            let mut j = i + 1;
            let mut n = 0usize;
            while j < chars.len() && chars[j].is_ascii_digit() {
                n = n * 10 + chars[j].to_digit(10).unwrap_or(0) as usize;
                j += 1;
            }
            if j < chars.len() && chars[j] == ']' {
                argi = n.saturating_sub(1);
                i = j + 1;
            }
        }
        let mut width: Option<usize> = None;
        while i < chars.len() && chars[i].is_ascii_digit() {
            width = Some(width.unwrap_or(0) * 10 + chars[i].to_digit(10).unwrap_or(0) as usize);
            i += 1;
        }
        let mut prec: Option<usize> = None;
        if i < chars.len() && chars[i] == '.' {
            i += 1;
            prec = Some(0);
            while i < chars.len() && chars[i].is_ascii_digit() {
                prec = Some(prec.unwrap_or(0) * 10 + chars[i].to_digit(10).unwrap_or(0) as usize);
                i += 1;
            }
        }
        if i >= chars.len() {
            return Err(call_err(format!("invalid format string starting at offset {i}")));
        }
        let verb = chars[i];
        i += 1;
        if argi >= args.len() {
            return Err(call_err(format!(
                "not enough arguments for \"%{verb}\" at {start}: need index {} but have {} total",
                argi + 1,
                args.len()
            )));
        }
        let arg = args[argi].clone();
        if arg.is_null() {
            return Err(FunctionError { arg: Some(usize::MAX), message: String::new() });
        }
        argi += 1;
        used = used.max(argi);
        let arg_no = argi; // 1-based for messages
        let body = format_verb(verb, sharp, plus, space, prec, &arg).map_err(|m| match m.strip_prefix('\u{0}') {
            Some(m) => call_err(format!("{m} in {} at offset {start}", crate::format::go_quote(&chars[start..i].iter().collect::<String>()))),
            None => call_err(format!("unsupported value for \"%{verb}\" at {start}: {m}")),
        })?;
        let _ = arg_no;
        let body = match verb {
            'd' | 'e' | 'E' | 'f' | 'g' | 'G' | 'x' | 'X' | 'o' | 'b' if zero && !minus => {
                pad_zero(&body, width.unwrap_or(0))
            }
            _ => body,
        };
        let len = body.chars().count();
        let w = width.unwrap_or(0);
        if len < w {
            if minus {
                out.push_str(&body);
                out.push_str(&" ".repeat(w - len));
            } else {
                out.push_str(&" ".repeat(w - len));
                out.push_str(&body);
            }
        } else {
            out.push_str(&body);
        }
    }
    if used < args.len() {
        return Err(arg_err(1, format!("too many arguments; only {used} used by format string")));
    }
    Ok(out)
}

fn pad_zero(body: &str, w: usize) -> String {
    let len = body.chars().count();
    if len >= w {
        return body.to_string();
    }
    let (sign, digits) = match body.strip_prefix(['-', '+', ' ']) {
        Some(rest) => (&body[..1], rest),
        None => ("", body),
    };
    format!("{sign}{}{digits}", "0".repeat(w - len))
}

fn format_verb(
    verb: char,
    sharp: bool,
    plus: bool,
    space: bool,
    prec: Option<usize>,
    arg: &Value,
) -> Result<String, String> {
    use plinth_sdk::convert::convert;
    if !arg.is_known() {
        return Err("value is unknown".into());
    }
    let sign = |neg: bool, s: String| -> String {
        if neg {
            s
        } else if plus {
            format!("+{s}")
        } else if space {
            format!(" {s}")
        } else {
            s
        }
    };
    match verb {
        'v' => {
            if sharp {
                return Ok(crate::encoding::json_encode(arg).map_err(|e| e.message)?);
            }
            match arg.unmarked() {
                Value::Null(_) => Ok("null".into()),
                Value::String(x) => Ok(x.clone()),
                Value::Number(n) => Ok(sign(n.is_negative(), n.to_string())),
                Value::Bool(b) => Ok(b.to_string()),
                _ => Ok(crate::encoding::json_encode(arg).map_err(|e| e.message)?),
            }
        }
        's' | 'q' => {
            if arg.is_null() {
                return Err("null value cannot be formatted".into());
            }
            let v = convert(arg, &Type::String).map_err(|e| e.message)?;
            let mut x = v.as_str().unwrap_or("").to_string();
            if let Some(p) = prec {
                x = x.chars().take(p).collect();
            }
            if verb == 'q' {
                Ok(serde_json::to_string(&x).unwrap_or_default())
            } else {
                Ok(x)
            }
        }
        't' => {
            if arg.is_null() {
                return Err("null value cannot be formatted".into());
            }
            let v = convert(arg, &Type::Bool).map_err(|e| e.message)?;
            Ok(v.as_bool().unwrap_or(false).to_string())
        }
        'd' | 'b' | 'o' | 'x' | 'X' | 'e' | 'E' | 'f' | 'g' | 'G' => {
            if arg.is_null() {
                return Err("null value cannot be formatted".into());
            }
            if verb == 'x' || verb == 'X' {
                if let Some(st) = arg.as_str() {
                    if Number::parse(st).is_none() {
                        let h: String = st.bytes().map(|b| format!("{b:02x}")).collect();
                        return Ok(if verb == 'X' { h.to_uppercase() } else { h });
                    }
                }
            }
            let v = convert(arg, &Type::Number).map_err(|e| e.message)?;
            let n = v.as_number().cloned().unwrap_or_else(Number::zero);
            match verb {
                'd' | 'b' | 'o' | 'x' | 'X' => {
                    if !n.is_integer() {
                        return Err("an integer is required".into());
                    }
                    let d = n.as_decimal().map(|d| d.with_scale(0).to_string()).unwrap_or_default();
                    let big: num_bigint::BigInt = d.parse().map_err(|_| "integer required".to_string())?;
                    let neg = big.sign() == num_bigint::Sign::Minus;
                    let mag = big.magnitude();
                    let body = match verb {
                        'd' => mag.to_str_radix(10),
                        'b' => mag.to_str_radix(2),
                        'o' => mag.to_str_radix(8),
                        'x' => mag.to_str_radix(16),
                        _ => mag.to_str_radix(16).to_uppercase(),
                    };
                    Ok(sign(neg, if neg { format!("-{body}") } else { body }))
                }
                _ => {
                    let f = n.to_f64();
                    let body = match verb {
                        'f' => fixed(&n, prec.unwrap_or(6)),
                        'e' | 'E' => {
                            let s = go_exp(f, prec.unwrap_or(6));
                            if verb == 'E' { s.to_uppercase() } else { s }
                        }
                        _ => {
                            let s = match prec {
                                None => go_g_shortest(&n),
                                Some(p) => go_g(f, p.max(1)),
                            };
                            if verb == 'G' { s.to_uppercase() } else { s }
                        }
                    };
                    Ok(sign(n.is_negative(), body))
                }
            }
        }
        _ => Err(format!("\u{0}unsupported format verb '{verb}'")),
    }
}

fn fixed(n: &Number, prec: usize) -> String {
    match n {
        Number::Finite(d) => {
            let r = d.with_scale_round(prec as i64, bigdecimal::RoundingMode::HalfEven);
            let s = r.to_plain_string();
            s
        }
        Number::PosInf => "+Inf".into(),
        Number::NegInf => "-Inf".into(),
    }
}

fn go_exp(f: f64, prec: usize) -> String {
    let s = format!("{:.*e}", prec, f);
    // Rust: 1.5e0 → Go: 1.5e+00
    match s.split_once('e') {
        Some((m, e)) => {
            let (sgn, digits) = match e.strip_prefix('-') {
                Some(d) => ('-', d),
                None => ('+', e),
            };
            format!("{m}e{sgn}{digits:0>2}")
        }
        None => s,
    }
}

fn go_g(f: f64, prec: usize) -> String {
    if f == 0.0 {
        return "0".into();
    }
    let exp = f.abs().log10().floor() as i32;
    if exp < -4 || exp >= prec as i32 {
        let s = go_exp(f, prec - 1);
        let (m, e) = s.split_once('e').unwrap_or((&s, ""));
        let m = if m.contains('.') { m.trim_end_matches('0').trim_end_matches('.') } else { m };
        format!("{m}e{e}")
    } else {
        let decimals = (prec as i32 - 1 - exp).max(0) as usize;
        let s = format!("{:.*}", decimals, f);
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    }
}

/// Go's `%g` for a `big.Float` with the shortest precision: `%e` form when the decimal
/// exponent is below -4 or at least 6 (Go's rule for shortest formatting), else `%f`.
fn go_g_shortest(n: &Number) -> String {
    let Number::Finite(_) = n else { return n.to_string() };
    if n.is_zero() {
        return "0".into();
    }
    let text = n.to_string();
    let (neg, body) = match text.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, text.as_str()),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let all = format!("{int}{frac}");
    let lead = all.len() - all.trim_start_matches('0').len();
    let digits = all.trim_start_matches('0').trim_end_matches('0');
    let exp = int.len() as i64 - lead as i64 - 1;
    if exp < -4 || exp >= 6 {
        let mant = if digits.len() > 1 { format!("{}.{}", &digits[..1], &digits[1..]) } else { digits.to_string() };
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{}{mant}e{sign}{:02}", if neg { "-" } else { "" }, exp.abs())
    } else {
        text
    }
}
