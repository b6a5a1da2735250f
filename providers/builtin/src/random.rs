//! The `random` provider, following `hashicorp/random` 3.6.x: random_bytes, random_id, random_integer,
//! random_password, random_pet, random_shuffle, random_string, random_uuid.
//!
//! Every argument forces replacement, as upstream. Seeded resources (`seed`) are deterministic
//! for a given seed, but do not reproduce Go's `math/rand` sequence.

use crate::common::*;
use crate::words;
use plinth_sdk::{Attribute, Block, Diagnostic, Diagnostics, Number, Schema, Type, Value};

fn keepers() -> Attribute {
    Attribute::optional(Type::map(Type::String)).force_new().describe(
        "Arbitrary map of values that, when changed, will trigger recreation of the resource.",
    )
}

// ---- random_string / random_password ---------------------------------------------------

pub(crate) struct RandomString {
    pub password: bool,
}

const NUM_CHARS: &str = "0123456789";
const LOWER_CHARS: &str = "abcdefghijklmnopqrstuvwxyz";
const UPPER_CHARS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const SPECIAL_CHARS: &str = "!@#$%&*()-_=+[]{}<>:?";

/// Parameters of a random string, as upstream's `CreateString`.
#[derive(Clone, Debug)]
pub(crate) struct StringParams {
    pub length: i64,
    pub upper: bool,
    pub min_upper: i64,
    pub lower: bool,
    pub min_lower: i64,
    pub numeric: bool,
    pub min_numeric: i64,
    pub special: bool,
    pub min_special: i64,
    pub override_special: Option<String>,
}

impl StringParams {
    fn from_obj(o: &Obj) -> Self {
        let numeric = get_bool(o, "numeric").or_else(|| get_bool(o, "number")).unwrap_or(true);
        StringParams {
            length: get_i64(o, "length").unwrap_or(0),
            upper: get_bool(o, "upper").unwrap_or(true),
            min_upper: get_i64(o, "min_upper").unwrap_or(0),
            lower: get_bool(o, "lower").unwrap_or(true),
            min_lower: get_i64(o, "min_lower").unwrap_or(0),
            numeric,
            min_numeric: get_i64(o, "min_numeric").unwrap_or(0),
            special: get_bool(o, "special").unwrap_or(true),
            min_special: get_i64(o, "min_special").unwrap_or(0),
            override_special: get_str(o, "override_special"),
        }
    }
}

/// Generates a random string: first the `min_*` characters of each class (even for a class
/// that is disabled, as upstream), then the rest from the enabled classes, then shuffles.
pub(crate) fn generate_string(p: &StringParams) -> Result<String, Diagnostic> {
    // As upstream: an empty override_special means the default special characters.
    let special = match &p.override_special {
        Some(s) if !s.is_empty() => s.as_str(),
        _ => SPECIAL_CHARS,
    };
    let mut chars = String::new();
    if p.upper {
        chars.push_str(UPPER_CHARS);
    }
    if p.lower {
        chars.push_str(LOWER_CHARS);
    }
    if p.numeric {
        chars.push_str(NUM_CHARS);
    }
    if p.special {
        chars.push_str(special);
    }
    let mut result: Vec<char> = Vec::with_capacity(p.length.max(0) as usize);
    for (set, min) in [
        (NUM_CHARS, p.min_numeric),
        (LOWER_CHARS, p.min_lower),
        (UPPER_CHARS, p.min_upper),
        (special, p.min_special),
    ] {
        result.extend(pick(set, min)?);
    }
    let rest = p.length - result.len() as i64;
    if rest > 0 {
        if chars.is_empty() {
            return Err(error(
                "no characters to choose from",
                "The settings disable every character class (upper, lower, numeric and special), so no characters can be generated.",
            )
            .with_help("enable at least one of upper, lower, numeric or special"));
        }
        result.extend(pick(&chars, rest)?);
    }
    // Shuffle.
    let mut rng = Rng::Secure;
    let order = rng.perm(result.len())?;
    Ok(order.into_iter().map(|i| result[i]).collect())
}

fn pick(set: &str, n: i64) -> Result<Vec<char>, Diagnostic> {
    let chars: Vec<char> = set.chars().collect();
    let mut out = Vec::new();
    if chars.is_empty() {
        if n > 0 {
            return Err(error(
                "no characters to choose from",
                "A minimum count was requested from an empty character set (override_special is empty).",
            ));
        }
        return Ok(out);
    }
    for _ in 0..n.max(0) {
        out.push(chars[random_below(chars.len() as u64)? as usize]);
    }
    Ok(out)
}

fn bcrypt_hash(s: &str) -> Result<String, Diagnostic> {
    bcrypt::hash(s, bcrypt::DEFAULT_COST)
        .map_err(|e| error("cannot compute bcrypt hash", format!("bcrypt failed: {e}.")))
}

impl Resource for RandomString {
    fn type_name(&self) -> &'static str {
        if self.password {
            "random_password"
        } else {
            "random_string"
        }
    }
    fn schema(&self) -> Schema {
        let b = |d: &str| Attribute::optional_computed(Type::Bool).force_new().describe(d);
        let n = |d: &str| Attribute::optional_computed(Type::Number).force_new().describe(d);
        let mut number = b("Include numeric characters in the result. Default value is `true`. **NOTE**: This is deprecated, use `numeric` instead.");
        number.deprecated = true;
        let mut block = Block::new()
            .attr("keepers", keepers())
            .attr("length", Attribute::required(Type::Number).force_new().describe(
                "The length of the string desired. The minimum value for length is 1 and, length must also be >= (`min_upper` + `min_lower` + `min_numeric` + `min_special`).",
            ))
            .attr("special", b("Include special characters in the result. These are `!@#$%&*()-_=+[]{}<>:?`. Default value is `true`."))
            .attr("upper", b("Include uppercase alphabet characters in the result. Default value is `true`."))
            .attr("lower", b("Include lowercase alphabet characters in the result. Default value is `true`."))
            .attr("number", number)
            .attr("numeric", b("Include numeric characters in the result. Default value is `true`."))
            .attr("min_numeric", n("Minimum number of numeric characters in the result. Default value is `0`."))
            .attr("min_upper", n("Minimum number of uppercase alphabet characters in the result. Default value is `0`."))
            .attr("min_lower", n("Minimum number of lowercase alphabet characters in the result. Default value is `0`."))
            .attr("min_special", n("Minimum number of special characters in the result. Default value is `0`."))
            .attr("override_special", Attribute::optional(Type::String).force_new().describe(
                "Supply your own list of special characters to use for string generation.  This overrides the default character list in the special argument.  The `special` argument must still be set to true for any overwritten characters to be used in generation.",
            ))
            .attr("result", {
                let a = Attribute::computed(Type::String).describe("The generated random string.");
                if self.password { a.sensitive() } else { a }
            })
            .attr("id", Attribute::computed(Type::String).describe(if self.password {
                "A static value used internally by Terraform, this should not be referenced in configurations."
            } else {
                "The generated random string."
            }));
        if self.password {
            block = block.attr(
                "bcrypt_hash",
                Attribute::computed(Type::String).sensitive().describe(
                    "A bcrypt hash of the generated random string. **NOTE**: If the generated random string is greater than 72 bytes in length, `bcrypt_hash` will contain a hash of the first 72 bytes.",
                ),
            );
        }
        Schema { version: if self.password { 3 } else { 2 }, block }
    }
    fn defaults(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("special", Value::Bool(true)),
            ("upper", Value::Bool(true)),
            ("lower", Value::Bool(true)),
            ("number", Value::Bool(true)),
            ("numeric", Value::Bool(true)),
            ("min_numeric", num(0)),
            ("min_upper", num(0)),
            ("min_lower", num(0)),
            ("min_special", num(0)),
        ]
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        let int = |name: &str| cfg(config, name).and_then(Value::as_i64);
        if let Some(l) = int("length") {
            if l < 1 {
                d.push(attr_error(
                    "length",
                    "must be at least 1",
                    format!("Attribute length value must be at least 1, got: {l}."),
                    "set length to 1 or more",
                ));
            }
            let mins: i64 = ["min_upper", "min_lower", "min_numeric", "min_special"]
                .iter()
                .filter_map(|m| int(m))
                .sum();
            if l < mins {
                d.push(attr_error(
                    "length",
                    "shorter than the sum of the minimums",
                    format!("Attribute length value must be at least sum of min_upper + min_lower + min_numeric + min_special ({mins}), got: {l}."),
                    "raise length or lower the min_* arguments",
                ));
            }
        }
        if config.get_attr("number").is_some_and(|v| !v.is_null()) {
            d.push(
                Diagnostic::warning("argument is deprecated")
                    .with_detail("The number argument is deprecated in hashicorp/random 3.x: use numeric instead.")
                    .with_help("replace `number = ...` with `numeric = ...`"),
            );
        }
        for m in ["min_upper", "min_lower", "min_numeric", "min_special"] {
            if let Some(v) = int(m) {
                if v < 0 {
                    d.push(attr_error(
                        m,
                        "must not be negative",
                        format!("Attribute {m} value must be at least 0, got: {v}."),
                        format!("set {m} to 0 or more"),
                    ));
                }
            }
        }
        for name in ["length", "min_upper", "min_lower", "min_numeric", "min_special"] {
            if let Some(v) = cfg(config, name) {
                if !v.as_number().is_some_and(Number::is_integer) {
                    d.push(attr_error(
                        name,
                        "must be a whole number",
                        format!("Attribute {name} must be a whole number."),
                        format!("set {name} to an integer"),
                    ));
                }
            }
        }
        d
    }
    fn normalize_plan(&self, planned: &mut Obj) {
        sync_number_numeric(planned);
    }
    fn create(&self, planned: &Obj) -> Result<Obj, Diagnostics> {
        let params = StringParams::from_obj(planned);
        let result = generate_string(&params)?;
        let mut o = planned.clone();
        if self.password {
            o.insert("bcrypt_hash".into(), str_val(bcrypt_hash(&result)?));
            o.insert("id".into(), str_val("none"));
        } else {
            o.insert("id".into(), str_val(result.clone()));
        }
        o.insert("result".into(), str_val(result));
        Ok(o)
    }
    /// Older SDKv2 versions lack `numeric` (v2), `min_*` defaults and, for passwords, a
    /// `bcrypt_hash` matching `result` (v3): fill them in as upstream's upgraders do.
    fn upgrade(&self, _from: u64, mut state: serde_json::Value) -> Result<serde_json::Value, Diagnostics> {
        let Some(o) = state.as_object_mut() else {
            return Err(error("invalid stored state", "The stored state is not an object.").into());
        };
        for (k, v) in self.defaults() {
            if o.get(k).is_none_or(serde_json::Value::is_null) {
                o.insert(k.to_string(), v.to_json());
            }
        }
        if let Some(number) = o.get("number").cloned() {
            o.insert("numeric".into(), number);
        }
        if self.password {
            let result = o.get("result").and_then(|r| r.as_str()).unwrap_or_default().to_string();
            let valid = o
                .get("bcrypt_hash")
                .and_then(|h| h.as_str())
                .is_some_and(|h| bcrypt::verify(&result, h).unwrap_or(false));
            if !valid {
                o.insert("bcrypt_hash".into(), serde_json::Value::String(bcrypt_hash(&result)?));
            }
        }
        Ok(state)
    }
    fn import(&self, id: &str) -> Result<Obj, Diagnostics> {
        let mut o = Obj::new();
        for (k, v) in self.defaults() {
            o.insert(k.into(), v);
        }
        // Go's len(): bytes, not characters.
        o.insert("length".into(), num(id.len() as i64));
        o.insert("result".into(), str_val(id));
        if self.password {
            o.insert("id".into(), str_val("none"));
            o.insert("bcrypt_hash".into(), str_val(bcrypt_hash(id)?));
        } else {
            o.insert("id".into(), str_val(id));
        }
        Ok(o)
    }
}

/// `number` is the deprecated name of `numeric`: whichever is configured sets the other.
fn sync_number_numeric(planned: &mut Obj) {
    // Both default to true; when one was explicitly set false, the other follows.
    let number = get_bool(planned, "number");
    let numeric = get_bool(planned, "numeric");
    if let (Some(a), Some(b)) = (number, numeric) {
        if a != b {
            planned.insert("number".into(), Value::Bool(false));
            planned.insert("numeric".into(), Value::Bool(false));
        }
    }
}

// ---- random_id -------------------------------------------------------------------------

pub(crate) struct RandomId;

impl Resource for RandomId {
    fn type_name(&self) -> &'static str {
        "random_id"
    }
    fn schema(&self) -> Schema {
        let c = |d: &str| Attribute::computed(Type::String).describe(d);
        Schema {
            version: 0,
            block: Block::new()
                .attr("keepers", keepers())
                .attr("byte_length", Attribute::required(Type::Number).force_new().describe(
                    "The number of random bytes to produce. The minimum value is 1, which produces eight bits of randomness.",
                ))
                .attr("prefix", Attribute::optional(Type::String).force_new().describe(
                    "Arbitrary string to prefix the output value with. This string is supplied as-is, meaning it is not guaranteed to be URL-safe or base64 encoded.",
                ))
                .attr("b64_url", c("The generated id presented in base64, using the URL-friendly character set: case-sensitive letters, digits and the characters `_` and `-`."))
                .attr("b64_std", c("The generated id presented in base64 without additional transformations."))
                .attr("hex", c("The generated id presented in padded hexadecimal digits. This result will always be twice as long as the requested byte length."))
                .attr("dec", c("The generated id presented in non-padded decimal digits."))
                .attr("id", c("The generated id presented in base64 without additional transformations or prefix.")),
        }
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        if let Some(v) = cfg(config, "byte_length") {
            if v.as_i64().is_none_or(|n| n < 1) {
                d.push(attr_error(
                    "byte_length",
                    "must be at least 1",
                    "Attribute byte_length value must be a whole number of at least 1.",
                    "set byte_length to 1 or more",
                ));
            }
        }
        d
    }
    fn create(&self, planned: &Obj) -> Result<Obj, Diagnostics> {
        let n = get_i64(planned, "byte_length").unwrap_or(0);
        if !(1..=1 << 20).contains(&n) {
            return Err(attr_error(
                "byte_length",
                "out of range",
                format!("byte_length must be between 1 and 1048576, got {n}."),
                "set byte_length to a small positive number",
            )
            .into());
        }
        let bytes = random_bytes(n as usize)?;
        let prefix = get_str(planned, "prefix").unwrap_or_default();
        let mut o = planned.clone();
        fill_id(&mut o, &bytes, &prefix);
        Ok(o)
    }
    fn import(&self, id: &str) -> Result<Obj, Diagnostics> {
        use base64::Engine;
        let (prefix, b64) = match id.rfind(',') {
            Some(i) => (&id[..i], &id[i + 1..]),
            None => ("", id),
        };
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(b64).map_err(|e| {
            error(
                "invalid import ID",
                format!("The import ID must be the id's b64_url value, optionally preceded by \"prefix,\"; decoding {b64:?} failed: {e}."),
            )
            .with_help("use the b64_url attribute without the prefix, e.g. `p-9hUg` or `my-prefix,p-9hUg`")
        })?;
        let mut o = Obj::new();
        o.insert("byte_length".into(), num(bytes.len() as i64));
        if !prefix.is_empty() {
            o.insert("prefix".into(), str_val(prefix));
        }
        fill_id(&mut o, &bytes, prefix);
        Ok(o)
    }
}

fn fill_id(o: &mut Obj, bytes: &[u8], prefix: &str) {
    use base64::Engine;
    let url = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    o.insert("id".into(), str_val(url.clone()));
    o.insert("b64_url".into(), str_val(format!("{prefix}{url}")));
    o.insert("b64_std".into(), str_val(format!("{prefix}{}", b64(bytes))));
    o.insert("hex".into(), str_val(format!("{prefix}{}", hex(bytes))));
    o.insert("dec".into(), str_val(format!("{prefix}{}", big_decimal(bytes))));
}

/// The big-endian unsigned integer in `bytes`, in decimal.
pub(crate) fn big_decimal(bytes: &[u8]) -> String {
    let mut digits: Vec<u8> = Vec::new(); // little-endian base 10
    for &b in bytes {
        let mut carry = b as u32;
        for d in digits.iter_mut() {
            let v = *d as u32 * 256 + carry;
            *d = (v % 10) as u8;
            carry = v / 10;
        }
        while carry > 0 {
            digits.push((carry % 10) as u8);
            carry /= 10;
        }
    }
    if digits.is_empty() {
        return "0".into();
    }
    digits.iter().rev().map(|d| char::from(b'0' + d)).collect()
}

// ---- random_bytes ----------------------------------------------------------------------

pub(crate) struct RandomBytes;

impl Resource for RandomBytes {
    fn type_name(&self) -> &'static str {
        "random_bytes"
    }
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block::new()
                .attr("keepers", keepers())
                .attr("length", Attribute::required(Type::Number).force_new().describe("The number of bytes requested. The minimum value for length is 1."))
                .attr("base64", Attribute::computed(Type::String).sensitive().describe("The generated bytes presented in base64 string format."))
                .attr("hex", Attribute::computed(Type::String).sensitive().describe("The generated bytes presented in hex string format."))
                .attr("id", Attribute::computed(Type::String).describe("A static value used internally by Terraform, this should not be referenced in configurations.")),
        }
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        if let Some(v) = cfg(config, "length") {
            if v.as_i64().is_none_or(|n| n < 1) {
                d.push(attr_error("length", "must be at least 1", "Attribute length value must be a whole number of at least 1.", "set length to 1 or more"));
            }
        }
        d
    }
    fn create(&self, planned: &Obj) -> Result<Obj, Diagnostics> {
        let n = get_i64(planned, "length").unwrap_or(0);
        if !(1..=1 << 20).contains(&n) {
            return Err(attr_error("length", "out of range", format!("length must be between 1 and 1048576, got {n}."), "set length to a small positive number").into());
        }
        let bytes = random_bytes(n as usize)?;
        let mut o = planned.clone();
        o.insert("base64".into(), str_val(b64(&bytes)));
        o.insert("hex".into(), str_val(hex(&bytes)));
        o.insert("id".into(), str_val("none"));
        Ok(o)
    }
    fn import(&self, id: &str) -> Result<Obj, Diagnostics> {
        use base64::Engine;
        let bytes = base64::engine::general_purpose::STANDARD.decode(id).map_err(|e| {
            error("invalid import ID", format!("The import ID must be the bytes in standard base64; decoding failed: {e}."))
                .with_help("use the base64 attribute's value, e.g. `hI7HJQ==`")
        })?;
        let mut o = Obj::new();
        o.insert("length".into(), num(bytes.len() as i64));
        o.insert("base64".into(), str_val(id));
        o.insert("hex".into(), str_val(hex(&bytes)));
        o.insert("id".into(), str_val("none"));
        Ok(o)
    }
}

// ---- random_integer --------------------------------------------------------------------

pub(crate) struct RandomInteger;

impl Resource for RandomInteger {
    fn type_name(&self) -> &'static str {
        "random_integer"
    }
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block::new()
                .attr("keepers", keepers())
                .attr("min", Attribute::required(Type::Number).force_new().describe("The minimum inclusive value of the range."))
                .attr("max", Attribute::required(Type::Number).force_new().describe("The maximum inclusive value of the range."))
                .attr("seed", Attribute::optional(Type::String).force_new().describe("A custom seed to always produce the same value."))
                .attr("result", Attribute::computed(Type::Number).describe("The random integer result."))
                .attr("id", Attribute::computed(Type::String).describe("The string representation of the integer result.")),
        }
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        let min = cfg(config, "min").and_then(Value::as_i64);
        let max = cfg(config, "max").and_then(Value::as_i64);
        for (name, v) in [("min", min), ("max", max)] {
            if cfg(config, name).is_some() && v.is_none() {
                d.push(attr_error(name, "must be a whole number", format!("Attribute {name} must be a whole number that fits in 64 bits."), format!("set {name} to an integer")));
            }
        }
        if let (Some(a), Some(b)) = (min, max) {
            if b < a {
                d.push(error(
                    "minimum value needs to be smaller than or equal to maximum value",
                    format!("min ({a}) is greater than max ({b})."),
                ).with_help("swap min and max"));
            }
        }
        d
    }
    fn create(&self, planned: &Obj) -> Result<Obj, Diagnostics> {
        let min = get_i64(planned, "min").unwrap_or(0);
        let max = get_i64(planned, "max").unwrap_or(0);
        if max < min {
            return Err(self.validate(&Value::Object(planned.clone())));
        }
        let span = (max as i128 - min as i128 + 1) as u128;
        let mut rng = Rng::new(get_str(planned, "seed").as_deref());
        let r = if span > u64::MAX as u128 {
            // The full 64-bit range.
            let hi = rng.below(1 << 32)?;
            let lo = rng.below(1 << 32)?;
            ((hi << 32) | lo) as i64
        } else {
            (min as i128 + rng.below(span as u64)? as i128) as i64
        };
        let mut o = planned.clone();
        o.insert("result".into(), num(r));
        o.insert("id".into(), str_val(r.to_string()));
        Ok(o)
    }
    fn import(&self, id: &str) -> Result<Obj, Diagnostics> {
        let parts: Vec<&str> = id.split(',').collect();
        let bad = || -> Diagnostics {
            error(
                "invalid import ID",
                format!("The import ID {id:?} must be \"result,min,max\" or \"result,min,max,seed\" with whole numbers."),
            )
            .with_help("for example: `terraform import random_integer.priority 15390,1,50000`")
            .into()
        };
        if parts.len() != 3 && parts.len() != 4 {
            return Err(bad());
        }
        let nums: Vec<i64> = parts[..3].iter().map(|p| p.trim().parse::<i64>()).collect::<Result<_, _>>().map_err(|_| bad())?;
        let mut o = Obj::new();
        o.insert("result".into(), num(nums[0]));
        o.insert("min".into(), num(nums[1]));
        o.insert("max".into(), num(nums[2]));
        o.insert("id".into(), str_val(nums[0].to_string()));
        if parts.len() == 4 {
            o.insert("seed".into(), str_val(parts[3]));
        }
        Ok(o)
    }
}

// ---- random_uuid -----------------------------------------------------------------------

pub(crate) struct RandomUuid;

impl Resource for RandomUuid {
    fn type_name(&self) -> &'static str {
        "random_uuid"
    }
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block::new()
                .attr("keepers", keepers())
                .attr("result", Attribute::computed(Type::String).describe("The generated uuid presented in string format."))
                .attr("id", Attribute::computed(Type::String).describe("The generated uuid presented in string format.")),
        }
    }
    fn create(&self, planned: &Obj) -> Result<Obj, Diagnostics> {
        let u = uuid()?;
        let mut o = planned.clone();
        o.insert("result".into(), str_val(u.clone()));
        o.insert("id".into(), str_val(u));
        Ok(o)
    }
    fn import(&self, id: &str) -> Result<Obj, Diagnostics> {
        let ok = id.len() == 36
            && id.char_indices().all(|(i, c)| {
                if [8, 13, 18, 23].contains(&i) {
                    c == '-'
                } else {
                    c.is_ascii_hexdigit()
                }
            });
        if !ok {
            return Err(error(
                "invalid import ID",
                format!("{id:?} is not a UUID (8-4-4-4-12 hexadecimal digits)."),
            )
            .with_help("for example: `aabbccdd-eeff-0011-2233-445566778899`")
            .into());
        }
        let mut o = Obj::new();
        o.insert("result".into(), str_val(id));
        o.insert("id".into(), str_val(id));
        Ok(o)
    }
}

// ---- random_pet ------------------------------------------------------------------------

pub(crate) struct RandomPet;

impl Resource for RandomPet {
    fn type_name(&self) -> &'static str {
        "random_pet"
    }
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block::new()
                .attr("keepers", keepers())
                .attr("length", Attribute::optional_computed(Type::Number).force_new().describe("The length (in words) of the pet name. Defaults to 2"))
                .attr("prefix", Attribute::optional(Type::String).force_new().describe("A string to prefix the name with."))
                .attr("separator", Attribute::optional_computed(Type::String).force_new().describe("The character to separate words in the pet name. Defaults to \"-\""))
                .attr("id", Attribute::computed(Type::String).describe("The random pet name.")),
        }
    }
    fn defaults(&self) -> Vec<(&'static str, Value)> {
        vec![("length", num(2)), ("separator", str_val("-"))]
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        if let Some(v) = cfg(config, "length") {
            if !v.as_i64().is_some_and(|n| (1..=1000).contains(&n)) {
                d.push(attr_error("length", "must be at least 1", "Attribute length value must be a whole number of at least 1.", "set length to 1 or more"));
            }
        }
        d
    }
    fn create(&self, planned: &Obj) -> Result<Obj, Diagnostics> {
        let length = get_i64(planned, "length").unwrap_or(2).clamp(1, 1000) as usize;
        let sep = get_str(planned, "separator").unwrap_or_else(|| "-".into());
        let mut parts = Vec::new();
        let choose = |list: &[&str]| -> Result<String, Diagnostic> {
            Ok(list[random_below(list.len() as u64)? as usize].to_string())
        };
        for _ in 2..length {
            parts.push(choose(words::ADVERBS)?);
        }
        if length >= 2 {
            parts.push(choose(words::ADJECTIVES)?);
        }
        parts.push(choose(words::NAMES)?);
        let mut pet = parts.join(&sep);
        if let Some(p) = get_str(planned, "prefix") {
            pet = format!("{p}{sep}{pet}");
        }
        let mut o = planned.clone();
        o.insert("id".into(), str_val(pet));
        Ok(o)
    }
}

// ---- random_shuffle --------------------------------------------------------------------

pub(crate) struct RandomShuffle;

impl Resource for RandomShuffle {
    fn type_name(&self) -> &'static str {
        "random_shuffle"
    }
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block::new()
                .attr("keepers", keepers())
                .attr("seed", Attribute::optional(Type::String).force_new().describe("Arbitrary string with which to seed the random number generator, in order to produce less-volatile permutations of the list."))
                .attr("input", Attribute::required(Type::list(Type::String)).force_new().describe("The list of strings to shuffle."))
                .attr("result_count", Attribute::optional(Type::Number).force_new().describe("The number of results to return. Defaults to the number of items in the `input` list. If fewer items are requested, some elements will be excluded from the result. If more items are requested, items will be repeated in the result but not more frequently than the number of items in the input list."))
                .attr("result", Attribute::computed(Type::list(Type::String)).describe("Random permutation of the list of strings given in `input`. The number of elements is determined by `result_count` if set, or the number of elements in `input`."))
                .attr("id", Attribute::computed(Type::String).describe("A static value used internally by Terraform, this should not be referenced in configurations.")),
        }
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        if let Some(v) = cfg(config, "result_count") {
            if !v.as_i64().is_some_and(|n| (0..=1 << 24).contains(&n)) {
                d.push(attr_error("result_count", "must not be negative", "Attribute result_count value must be a whole number of at least 0.", "set result_count to 0 or more"));
            }
        }
        d
    }
    fn create(&self, planned: &Obj) -> Result<Obj, Diagnostics> {
        let input = get_strings(planned, "input");
        let mut count = get_i64(planned, "result_count").unwrap_or(0).clamp(0, 1 << 24) as usize;
        if count == 0 {
            count = input.len();
        }
        let mut result = Vec::with_capacity(count);
        if !input.is_empty() {
            let mut rng = Rng::new(get_str(planned, "seed").as_deref());
            'fill: loop {
                for i in rng.perm(input.len())? {
                    result.push(input[i].clone());
                    if result.len() >= count {
                        break 'fill;
                    }
                }
            }
        }
        let mut o = planned.clone();
        o.insert("result".into(), str_list(result));
        o.insert("id".into(), str_val("-"));
        Ok(o)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn big_decimal_matches_u128() {
        assert_eq!(big_decimal(&[]), "0");
        assert_eq!(big_decimal(&[0, 0]), "0");
        let b = [0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04, 0xff];
        let mut n: u128 = 0;
        for x in b {
            n = n * 256 + x as u128;
        }
        assert_eq!(big_decimal(&b), n.to_string());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn string_honours_classes_and_minimums(
            length in 1i64..40,
            upper: bool, lower: bool, numeric: bool, special: bool,
            min_upper in 0i64..4, min_lower in 0i64..4, min_numeric in 0i64..4, min_special in 0i64..4,
            override_special in proptest::option::of("[!#%^~]{0,4}"),
        ) {
            let mins = min_upper + min_lower + min_numeric + min_special;
            prop_assume!(length >= mins);
            let specials: String = override_special.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| SPECIAL_CHARS.into());
            let p = StringParams { length, upper, min_upper, lower, min_lower, numeric, min_numeric, special, min_special, override_special: override_special.clone() };
            let any_class = upper || lower || numeric || special;
            match generate_string(&p) {
                Ok(s) => {
                    prop_assert_eq!(s.chars().count() as i64, length);
                    let count = |f: &dyn Fn(char) -> bool| s.chars().filter(|c| f(*c)).count() as i64;
                    prop_assert!(count(&|c| c.is_ascii_uppercase()) >= min_upper);
                    prop_assert!(count(&|c| c.is_ascii_lowercase()) >= min_lower);
                    prop_assert!(count(&|c| c.is_ascii_digit()) >= min_numeric);
                    prop_assert!(count(&|c| specials.contains(c)) >= min_special);
                    // Classes that are off appear only as many times as their minimum asks.
                    if !upper { prop_assert_eq!(count(&|c| c.is_ascii_uppercase()), min_upper); }
                    if !lower { prop_assert_eq!(count(&|c| c.is_ascii_lowercase()), min_lower); }
                    if !numeric { prop_assert_eq!(count(&|c| c.is_ascii_digit()), min_numeric); }
                    if !special { prop_assert_eq!(count(&|c| specials.contains(c)), min_special); }
                    // Every character comes from some allowed set.
                    prop_assert!(s.chars().all(|c| c.is_ascii_alphanumeric() || specials.contains(c)));
                }
                Err(_) => prop_assert!(!any_class && length > mins),
            }
        }
    }

    #[test]
    fn seeded_shuffle_and_integer_are_deterministic() {
        let mut a = crate::common::Rng::new(Some("x"));
        let mut b = crate::common::Rng::new(Some("x"));
        assert_eq!(a.perm(20).unwrap(), b.perm(20).unwrap());
        let mut p = a.perm(50).unwrap();
        p.sort();
        assert_eq!(p, (0..50).collect::<Vec<_>>());
    }
}
