//! Addresses of modules, resources and resource instances, in Terraform's syntax:
//! `module.net.aws_subnet.private[2]`, `aws_instance.web["blue"]`, `data.aws_ami.ubuntu`.
//!
//! Addresses are immutable values with `Display` (HCL syntax) and `FromStr`, and
//! serialise as their string form.

use plinth_lang::ResourceMode;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// The key of one instance of a resource or module call: none (no `count`/`for_each`),
/// an integer (`count`) or a string (`for_each`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum InstanceKey {
    #[default]
    NoKey,
    Int(i64),
    Str(String),
}

impl InstanceKey {
    pub fn is_none(&self) -> bool {
        matches!(self, InstanceKey::NoKey)
    }
    /// The key as a Terraform value (`count.index` / `each.key`), `None` for [`InstanceKey::NoKey`].
    pub fn to_value(&self) -> Option<plinth_sdk::Value> {
        match self {
            InstanceKey::NoKey => None,
            InstanceKey::Int(i) => Some(plinth_sdk::Value::number(*i)),
            InstanceKey::Str(s) => Some(plinth_sdk::Value::string(s.clone())),
        }
    }
    /// The key as written in state (`index_key`).
    pub fn to_json(&self) -> Option<serde_json::Value> {
        match self {
            InstanceKey::NoKey => None,
            InstanceKey::Int(i) => Some(serde_json::json!(i)),
            InstanceKey::Str(s) => Some(serde_json::json!(s)),
        }
    }
    /// Reads a state `index_key`.
    pub fn from_json(j: Option<&serde_json::Value>) -> InstanceKey {
        match j {
            Some(serde_json::Value::Number(n)) => n.as_i64().map(InstanceKey::Int).unwrap_or_default(),
            Some(serde_json::Value::String(s)) => InstanceKey::Str(s.clone()),
            _ => InstanceKey::NoKey,
        }
    }
}

impl fmt::Display for InstanceKey {
    /// `""`, `[2]` or `["blue"]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstanceKey::NoKey => Ok(()),
            InstanceKey::Int(i) => write!(f, "[{i}]"),
            InstanceKey::Str(s) => {
                f.write_str("[")?;
                write_quoted(f, s)?;
                f.write_str("]")
            }
        }
    }
}

fn write_quoted(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    f.write_str("\"")?;
    for c in s.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            c if (c as u32) < 0x20 || c == '\u{7f}' => write!(f, "\\u{:04x}", c as u32)?,
            c => write!(f, "{c}")?,
        }
    }
    f.write_str("\"")
}

/// A module instance path from the root: `module.net["a"].module.sub`. Empty = root.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct ModuleInstance(pub Vec<(String, InstanceKey)>);

impl ModuleInstance {
    pub fn root() -> Self {
        ModuleInstance(Vec::new())
    }
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }
    pub fn child(&self, name: &str, key: InstanceKey) -> Self {
        let mut v = self.0.clone();
        v.push((name.to_string(), key));
        ModuleInstance(v)
    }
    pub fn parent(&self) -> Option<ModuleInstance> {
        let mut v = self.0.clone();
        v.pop()?;
        Some(ModuleInstance(v))
    }
    /// The module call names without keys (the configuration path).
    pub fn config_path(&self) -> Vec<String> {
        self.0.iter().map(|(n, _)| n.clone()).collect()
    }
    pub fn is_prefix_of(&self, other: &ModuleInstance) -> bool {
        other.0.len() >= self.0.len() && other.0[..self.0.len()] == self.0[..]
    }
}

impl fmt::Display for ModuleInstance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (name, key)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            write!(f, "module.{name}{key}")?;
        }
        Ok(())
    }
}

/// A resource (all its instances): `module.net.aws_subnet.private`, `data.aws_ami.ubuntu`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceAddress {
    pub module: ModuleInstance,
    pub mode: ResourceMode,
    pub type_name: String,
    pub name: String,
}

impl ResourceAddress {
    pub fn managed(type_name: &str, name: &str) -> Self {
        ResourceAddress {
            module: ModuleInstance::root(),
            mode: ResourceMode::Managed,
            type_name: type_name.into(),
            name: name.into(),
        }
    }
    pub fn instance(&self, key: InstanceKey) -> ResourceInstanceAddress {
        ResourceInstanceAddress { resource: self.clone(), key }
    }
    /// `TYPE.NAME` or `data.TYPE.NAME` (without the module path).
    pub fn local_name(&self) -> String {
        match self.mode {
            ResourceMode::Managed => format!("{}.{}", self.type_name, self.name),
            ResourceMode::Data => format!("data.{}.{}", self.type_name, self.name),
        }
    }
}

impl fmt::Display for ResourceAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.module.is_root() {
            write!(f, "{}.", self.module)?;
        }
        f.write_str(&self.local_name())
    }
}

/// One instance of a resource: `aws_instance.web["blue"]`, `module.a[0].x.y[2]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceInstanceAddress {
    pub resource: ResourceAddress,
    pub key: InstanceKey,
}

impl fmt::Display for ResourceInstanceAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.resource, self.key)
    }
}

/// What `-target` (and `moved`/`removed` blocks) can name: a module instance, a whole
/// resource, or one resource instance.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    Module(ModuleInstance),
    Resource(ResourceAddress),
    Instance(ResourceInstanceAddress),
}

impl Target {
    /// Whether this target selects the given resource instance.
    pub fn contains(&self, a: &ResourceInstanceAddress) -> bool {
        match self {
            Target::Module(m) => m.is_prefix_of(&a.resource.module),
            Target::Resource(r) => *r == a.resource,
            Target::Instance(i) => i == a,
        }
    }
    /// Whether this target selects (some instance of) the given resource.
    pub fn touches_resource(&self, r: &ResourceAddress) -> bool {
        match self {
            Target::Module(m) => m.is_prefix_of(&r.module),
            Target::Resource(x) => x == r,
            Target::Instance(i) => i.resource == *r,
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Module(m) => m.fmt(f),
            Target::Resource(r) => r.fmt(f),
            Target::Instance(i) => i.fmt(f),
        }
    }
}

/// Why an address failed to parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddrParseError(pub String);

impl fmt::Display for AddrParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for AddrParseError {}

impl AddrParseError {
    /// As a diagnostic with Terraform's wording.
    pub fn to_diagnostic(&self, input: &str) -> plinth_sdk::Diagnostic {
        plinth_sdk::Diagnostic::error("invalid address")
            .with_detail(format!("The address {input:?} is not valid: {}.", self.0))
            .with_help("write a resource address like `aws_instance.web`, `aws_instance.web[0]`, `module.net.aws_subnet.private[\"a\"]` or `data.aws_ami.ubuntu`")
    }
}

#[derive(Debug, PartialEq)]
enum Tok {
    Name(String),
    Key(InstanceKey),
}

fn tokenize(s: &str) -> Result<Vec<Tok>, AddrParseError> {
    let b: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    let mut expect_name = true;
    while i < b.len() {
        let c = b[i];
        if c == '.' {
            if expect_name {
                return Err(AddrParseError(format!("unexpected \".\" at offset {i}")));
            }
            expect_name = true;
            i += 1;
        } else if c == '[' {
            if expect_name {
                return Err(AddrParseError(format!("unexpected \"[\" at offset {i}")));
            }
            i += 1;
            if i < b.len() && b[i] == '"' {
                i += 1;
                let mut st = String::new();
                loop {
                    let Some(&c) = b.get(i) else {
                        return Err(AddrParseError("unterminated string key".into()));
                    };
                    i += 1;
                    match c {
                        '"' => break,
                        '\\' => {
                            let Some(&e) = b.get(i) else {
                                return Err(AddrParseError("unterminated escape".into()));
                            };
                            i += 1;
                            match e {
                                'n' => st.push('\n'),
                                'r' => st.push('\r'),
                                't' => st.push('\t'),
                                '"' => st.push('"'),
                                '\\' => st.push('\\'),
                                'u' => {
                                    let hex: String = b.get(i..i + 4).map(|x| x.iter().collect()).unwrap_or_default();
                                    let cp = u32::from_str_radix(&hex, 16)
                                        .ok()
                                        .and_then(char::from_u32)
                                        .ok_or_else(|| AddrParseError(format!("invalid escape \\u{hex}")))?;
                                    st.push(cp);
                                    i += 4;
                                }
                                e => return Err(AddrParseError(format!("invalid escape \\{e}"))),
                            }
                        }
                        c => st.push(c),
                    }
                }
                out.push(Tok::Key(InstanceKey::Str(st)));
            } else {
                let start = i;
                while i < b.len() && (b[i].is_ascii_digit() || (i == start && b[i] == '-')) {
                    i += 1;
                }
                let num: String = b[start..i].iter().collect();
                let n: i64 = num
                    .parse()
                    .map_err(|_| AddrParseError(format!("an index must be a whole number or a quoted string, not {:?}", num)))?;
                out.push(Tok::Key(InstanceKey::Int(n)));
            }
            if b.get(i) != Some(&']') {
                return Err(AddrParseError("expected \"]\"".into()));
            }
            i += 1;
        } else if expect_name && (c.is_alphabetic() || c == '_') {
            let start = i;
            while i < b.len() && (b[i].is_alphanumeric() || b[i] == '_' || b[i] == '-') {
                i += 1;
            }
            out.push(Tok::Name(b[start..i].iter().collect()));
            expect_name = false;
        } else {
            return Err(AddrParseError(format!("unexpected character {c:?} at offset {i}")));
        }
    }
    if expect_name {
        return Err(AddrParseError(if out.is_empty() { "the address is empty".into() } else { "the address ends with \".\"".into() }));
    }
    Ok(out)
}

impl FromStr for Target {
    type Err = AddrParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let toks = tokenize(s.trim())?;
        let mut i = 0;
        let mut module = Vec::new();
        while matches!(toks.get(i), Some(Tok::Name(n)) if n == "module") {
            let Some(Tok::Name(name)) = toks.get(i + 1) else {
                return Err(AddrParseError("\"module\" must be followed by a module name".into()));
            };
            i += 2;
            let key = match toks.get(i) {
                Some(Tok::Key(k)) => {
                    i += 1;
                    k.clone()
                }
                _ => InstanceKey::NoKey,
            };
            module.push((name.clone(), key));
        }
        let module = ModuleInstance(module);
        if i == toks.len() {
            if module.is_root() {
                return Err(AddrParseError("the address is empty".into()));
            }
            return Ok(Target::Module(module));
        }
        let mut mode = ResourceMode::Managed;
        if matches!(toks.get(i), Some(Tok::Name(n)) if n == "data") {
            mode = ResourceMode::Data;
            i += 1;
        }
        let (Some(Tok::Name(t)), Some(Tok::Name(n))) = (toks.get(i), toks.get(i + 1)) else {
            return Err(AddrParseError("a resource address needs a type and a name (TYPE.NAME)".into()));
        };
        i += 2;
        let resource = ResourceAddress { module, mode, type_name: t.clone(), name: n.clone() };
        match toks.get(i) {
            None => Ok(Target::Resource(resource)),
            Some(Tok::Key(k)) if i + 1 == toks.len() => {
                Ok(Target::Instance(ResourceInstanceAddress { resource, key: k.clone() }))
            }
            Some(_) => Err(AddrParseError("unexpected text after the resource address".into())),
        }
    }
}

impl FromStr for ModuleInstance {
    type Err = AddrParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.trim().is_empty() {
            return Ok(ModuleInstance::root());
        }
        match s.parse::<Target>()? {
            Target::Module(m) => Ok(m),
            _ => Err(AddrParseError("a module address (module.NAME) is required".into())),
        }
    }
}

impl FromStr for ResourceAddress {
    type Err = AddrParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.parse::<Target>()? {
            Target::Resource(r) => Ok(r),
            Target::Instance(_) => Err(AddrParseError("a resource address without an instance key is required".into())),
            Target::Module(_) => Err(AddrParseError("a resource address (TYPE.NAME) is required".into())),
        }
    }
}

impl FromStr for ResourceInstanceAddress {
    type Err = AddrParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.parse::<Target>()? {
            Target::Resource(r) => Ok(ResourceInstanceAddress { resource: r, key: InstanceKey::NoKey }),
            Target::Instance(i) => Ok(i),
            Target::Module(_) => Err(AddrParseError("a resource instance address (TYPE.NAME[KEY]) is required".into())),
        }
    }
}

macro_rules! serde_as_string {
    ($t:ty) => {
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.to_string())
            }
        }
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}
serde_as_string!(ResourceAddress);
serde_as_string!(ResourceInstanceAddress);
serde_as_string!(Target);

impl Serialize for ModuleInstance {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}
impl<'de> Deserialize<'de> for ModuleInstance {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn display_examples() {
        let a: ResourceInstanceAddress = "module.net.aws_subnet.private[2]".parse().unwrap();
        assert_eq!(a.resource.module.0, vec![("net".to_string(), InstanceKey::NoKey)]);
        assert_eq!(a.key, InstanceKey::Int(2));
        assert_eq!(a.to_string(), "module.net.aws_subnet.private[2]");
        let b: ResourceInstanceAddress = "aws_instance.web[\"blue\"]".parse().unwrap();
        assert_eq!(b.to_string(), "aws_instance.web[\"blue\"]");
        let c: ResourceAddress = "data.aws_ami.ubuntu".parse().unwrap();
        assert_eq!(c.mode, ResourceMode::Data);
        assert_eq!(c.to_string(), "data.aws_ami.ubuntu");
        let m: Target = "module.a[\"x\"].module.b[0]".parse().unwrap();
        assert!(matches!(m, Target::Module(ref mi) if mi.0.len() == 2));
        assert_eq!(m.to_string(), "module.a[\"x\"].module.b[0]");
    }

    #[test]
    fn parse_errors() {
        for bad in ["", "aws_instance", "aws_instance.", "aws_instance.web[", "aws_instance.web[x]", "module", "a.b.c", "a.b[0][1]", ".a.b"] {
            assert!(bad.parse::<Target>().is_err(), "{bad:?} should not parse");
        }
    }

    fn ident() -> impl Strategy<Value = String> {
        "[a-z_][a-z0-9_-]{0,8}".prop_filter("reserved", |s| s != "module" && s != "data")
    }
    fn key() -> impl Strategy<Value = InstanceKey> {
        prop_oneof![
            Just(InstanceKey::NoKey),
            (-5i64..100000).prop_map(InstanceKey::Int),
            ".{0,6}".prop_map(InstanceKey::Str),
        ]
    }
    fn resource_instance() -> impl Strategy<Value = ResourceInstanceAddress> {
        (prop::collection::vec((ident(), key()), 0..3), any::<bool>(), ident(), ident(), key()).prop_map(
            |(m, data, t, n, k)| ResourceInstanceAddress {
                resource: ResourceAddress {
                    module: ModuleInstance(m),
                    mode: if data { ResourceMode::Data } else { ResourceMode::Managed },
                    type_name: t,
                    name: n,
                },
                key: k,
            },
        )
    }

    proptest! {
        #[test]
        fn round_trip(a in resource_instance()) {
            let s = a.to_string();
            let back: ResourceInstanceAddress = s.parse().map_err(|e: AddrParseError| TestCaseError::fail(format!("{s}: {e}")))?;
            prop_assert_eq!(back, a);
        }
        #[test]
        fn module_round_trip(m in prop::collection::vec((ident(), key()), 1..4)) {
            let m = ModuleInstance(m);
            let back: ModuleInstance = m.to_string().parse().unwrap();
            prop_assert_eq!(back, m);
        }
    }
}
