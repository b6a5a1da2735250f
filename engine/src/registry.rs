//! The provider registry: resolves a module's provider local name (and its
//! `required_providers` source and version constraint) to one of Plinth's built-in providers.

use plinth_lang::{Config, Module};
use plinth_sdk::{Diagnostic, Diagnostics, Provider, ProviderSchema, Schema, SourceRange};
use std::fmt;
use std::sync::{Arc, OnceLock};

/// Every provider Plinth can use, built by the CLI from `plinth_provider_builtin::providers()`.
pub struct ProviderRegistry {
    entries: Vec<Entry>,
}

struct Entry {
    provider: Arc<dyn Provider>,
    /// Normalised source, e.g. `hashicorp/random` or `terraform.io/builtin/terraform`.
    source: String,
    schema: OnceLock<Arc<ProviderSchema>>,
}

/// A provider resolved for a module: which implementation, under which names.
#[derive(Clone)]
pub struct ResolvedProvider {
    pub provider: Arc<dyn Provider>,
    /// Local name in the module (`aws`, `random`).
    pub local_name: String,
    /// Normalised source (`hashicorp/random`, `terraform.io/builtin/terraform`).
    pub source: String,
    pub schema: Arc<ProviderSchema>,
}

impl ResolvedProvider {
    /// Terraform's fully-qualified form used in state and plans:
    /// `provider["registry.terraform.io/hashicorp/random"]`.
    pub fn state_name(&self, alias: Option<&str>) -> String {
        provider_state_name(&self.source, alias)
    }
}

impl fmt::Debug for ResolvedProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ResolvedProvider({} = {})", self.local_name, self.source)
    }
}

/// `provider["registry.terraform.io/hashicorp/random"]` (with `.alias` when aliased).
pub fn provider_state_name(source: &str, alias: Option<&str>) -> String {
    let fq = if source.matches('/').count() >= 2 { source.to_string() } else { format!("registry.terraform.io/{source}") };
    match alias {
        Some(a) => format!("provider[\"{fq}\"].{a}"),
        None => format!("provider[\"{fq}\"]"),
    }
}

/// `registry.terraform.io/hashicorp/aws` → `hashicorp/aws`; `aws` → `hashicorp/aws`.
pub fn normalize_source(s: &str) -> String {
    let s = s.trim().to_ascii_lowercase();
    let s = s.strip_prefix("registry.terraform.io/").or_else(|| s.strip_prefix("registry.opentofu.org/")).unwrap_or(&s);
    if s == "terraform" || s == "builtin/terraform" || s == "hashicorp/terraform" {
        return "terraform.io/builtin/terraform".into();
    }
    if !s.contains('/') {
        return format!("hashicorp/{s}");
    }
    s.to_string()
}

impl ProviderRegistry {
    pub fn new(providers: Vec<Arc<dyn Provider>>) -> Self {
        let entries = providers
            .into_iter()
            .map(|p| Entry { source: normalize_source(p.source()), provider: p, schema: OnceLock::new() })
            .collect();
        ProviderRegistry { entries }
    }

    /// Sources of every provider available, for error messages.
    pub fn available(&self) -> Vec<String> {
        self.entries.iter().map(|e| format!("{} {}", e.source, e.provider.version())).collect()
    }

    fn entry_for_source(&self, source: &str) -> Option<&Entry> {
        let src = normalize_source(source);
        self.entries.iter().find(|e| e.source == src)
    }

    fn schema_of(e: &Entry) -> Arc<ProviderSchema> {
        e.schema.get_or_init(|| Arc::new(e.provider.schema())).clone()
    }

    /// The source a module requires for a local name (`required_providers`, else
    /// `hashicorp/NAME`; `terraform` is the built-in provider).
    pub fn source_for(module: &Module, local_name: &str) -> (String, Option<(String, SourceRange)>) {
        match module.terraform.required_providers.get(local_name) {
            Some(req) => (normalize_source(&req.source), req.version.clone().map(|v| (v, req.range.clone()))),
            None => (normalize_source(local_name), None),
        }
    }

    /// Resolves a provider local name used in `module`. `range` is where it is used.
    pub fn resolve(&self, module: &Module, local_name: &str, range: Option<&SourceRange>) -> Result<ResolvedProvider, Diagnostic> {
        let (source, _) = Self::source_for(module, local_name);
        match self.entry_for_source(&source) {
            Some(e) => Ok(ResolvedProvider {
                provider: e.provider.clone(),
                local_name: local_name.to_string(),
                source: e.source.clone(),
                schema: Self::schema_of(e),
            }),
            None => Err(Diagnostic::error(format!("provider {source} is not available"))
                .with_detail(format!(
                    "The provider {local_name:?} (source {source:?}) is not one of Plinth's built-in providers. Available: {}.",
                    self.available().join(", ")
                ))
                .with_subject_opt(range.cloned())
                .with_help("use a resource type from one of the available providers, or set `source` in `required_providers` to one of them")),
        }
    }

    /// Resolves the provider by its normalised source (for state entries).
    pub fn by_source(&self, source: &str) -> Option<ResolvedProvider> {
        self.entry_for_source(source).map(|e| ResolvedProvider {
            provider: e.provider.clone(),
            local_name: e.provider.name().to_string(),
            source: e.source.clone(),
            schema: Self::schema_of(e),
        })
    }

    /// The schema of a resource type (managed or data) for a resolved provider.
    pub fn resource_schema<'a>(p: &'a ResolvedProvider, data: bool, type_name: &str) -> Option<&'a Schema> {
        if data {
            p.schema.data_sources.get(type_name)
        } else {
            p.schema.resources.get(type_name)
        }
    }

    /// Checks every module's `required_providers`: sources must be available and version
    /// constraints must admit the upstream version each built-in provider follows.
    pub fn check_requirements(&self, config: &Config) -> Diagnostics {
        let mut diags = Diagnostics::new();
        check_module(self, &config.root, &mut diags);
        diags
    }
}

fn check_module(reg: &ProviderRegistry, m: &Module, diags: &mut Diagnostics) {
    for (local, req) in &m.terraform.required_providers {
        let src = normalize_source(&req.source);
        let Some(e) = reg.entry_for_source(&src) else {
            diags.push(
                Diagnostic::error(format!("provider {src} is not available"))
                    .with_detail(format!(
                        "required_providers names {local:?} with source {:?}, which is not one of Plinth's built-in providers. Available: {}.",
                        req.source,
                        reg.available().join(", ")
                    ))
                    .with_subject(req.range.clone())
                    .with_help("remove the requirement, or point `source` at one of the available providers"),
            );
            continue;
        };
        if let Some(vc) = &req.version {
            let have = e.provider.version();
            match VersionConstraint::parse(vc) {
                Err(msg) => diags.push(
                    Diagnostic::error("invalid version constraint")
                        .with_detail(format!("The version constraint {vc:?} for provider {src} is not valid: {msg}."))
                        .with_subject(req.range.clone())
                        .with_help("write constraints like `>= 3.0`, `~> 3.5` or `= 3.6.3`, separated by commas"),
                ),
                Ok(c) => {
                    if !c.admits(have) {
                        diags.push(
                            Diagnostic::error(format!("provider {src} version constraint cannot be met"))
                                .with_detail(format!(
                                    "This configuration requires {src} {vc:?}, but Plinth's built-in {local} provider follows the behaviour and schema of {src} {have}."
                                ))
                                .with_subject(req.range.clone())
                                .with_help(format!("relax the constraint so that it admits {have} (for example `>= {have}` or `~> {}`)", major_minor(have))),
                        );
                    }
                }
            }
        }
    }
    for call in m.module_calls.values() {
        check_module(reg, &call.module, diags);
    }
}

fn major_minor(v: &str) -> String {
    v.split('.').take(2).collect::<Vec<_>>().join(".")
}

/// A parsed version like `3.6.3` or `1.0.0-beta1`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    pub parts: Vec<u64>,
    pub pre: Option<String>,
}

impl Version {
    pub fn parse(s: &str) -> Result<Version, String> {
        let s = s.trim().trim_start_matches('v');
        let (main, pre) = match s.split_once('-') {
            Some((m, p)) => (m, Some(p.to_string())),
            None => (s, None),
        };
        let main = main.split('+').next().unwrap_or(main);
        if main.is_empty() {
            return Err("a version number is required".into());
        }
        let parts = main
            .split('.')
            .map(|p| p.parse::<u64>().map_err(|_| format!("{s:?} is not a version number")))
            .collect::<Result<Vec<_>, _>>()?;
        if parts.len() > 3 {
            return Err(format!("{s:?} has more than three parts"));
        }
        Ok(Version { parts, pre })
    }
    fn padded(&self) -> [u64; 3] {
        let mut a = [0; 3];
        for (i, p) in self.parts.iter().enumerate() {
            a[i] = *p;
        }
        a
    }
    fn cmp_to(&self, o: &Version) -> std::cmp::Ordering {
        self.padded().cmp(&o.padded()).then_with(|| match (&self.pre, &o.pre) {
            (None, None) => std::cmp::Ordering::Equal,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (Some(_), None) => std::cmp::Ordering::Less,
            (Some(a), Some(b)) => a.cmp(b),
        })
    }
}

/// A comma-separated list of version constraints, all of which must hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionConstraint(pub Vec<(String, Version)>);

impl VersionConstraint {
    pub fn parse(s: &str) -> Result<Self, String> {
        let mut out = Vec::new();
        for part in s.split(',') {
            let p = part.trim();
            if p.is_empty() {
                return Err("an empty constraint".into());
            }
            let op = ["~>", ">=", "<=", "!=", "=", ">", "<"].into_iter().find(|o| p.starts_with(o)).unwrap_or("=");
            let rest = p.strip_prefix(op).unwrap_or(p);
            out.push((op.to_string(), Version::parse(rest)?));
        }
        Ok(VersionConstraint(out))
    }
    pub fn admits(&self, version: &str) -> bool {
        let Ok(v) = Version::parse(version) else { return false };
        self.0.iter().all(|(op, c)| {
            use std::cmp::Ordering::*;
            let ord = v.cmp_to(c);
            match op.as_str() {
                "=" => ord == Equal,
                "!=" => ord != Equal,
                ">" => ord == Greater,
                ">=" => ord != Less,
                "<" => ord == Less,
                "<=" => ord != Greater,
                "~>" => {
                    if ord == Less {
                        return false;
                    }
                    // `~> 3.5` allows 3.x ≥ 3.5; `~> 3.5.1` allows 3.5.x ≥ 3.5.1; `~> 3` allows 3.x.
                    let fixed = if c.parts.len() <= 1 { 1 } else { c.parts.len() - 1 };
                    v.padded()[..fixed] == c.padded()[..fixed]
                }
                _ => false,
            }
        })
    }
}

/// Groups resource types by the provider local name they imply (`aws_vpc` → `aws`).
pub fn implied_local_name(type_name: &str) -> &str {
    type_name.split('_').next().unwrap_or(type_name)
}


#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn constraints() {
        let ok = |c: &str, v: &str| VersionConstraint::parse(c).unwrap().admits(v);
        assert!(ok(">= 3.0", "3.6.3"));
        assert!(ok("~> 3.5", "3.6.3"));
        assert!(!ok("~> 3.5", "4.0.0"));
        assert!(ok("~> 3.6.0", "3.6.3"));
        assert!(!ok("~> 3.5.0", "3.6.3"));
        assert!(ok("= 3.6.3", "3.6.3"));
        assert!(ok("3.6.3", "3.6.3"));
        assert!(!ok(">= 3.0, < 3.6", "3.6.3"));
        assert!(ok(">= 3.0, != 3.6.2", "3.6.3"));
        assert!(!ok(">= 6.28", "5.100.0"));
        assert!(ok("~> 3", "3.9.0"));
        assert!(VersionConstraint::parse(">= x").is_err());
    }
    #[test]
    fn sources() {
        assert_eq!(normalize_source("registry.terraform.io/hashicorp/AWS"), "hashicorp/aws");
        assert_eq!(normalize_source("random"), "hashicorp/random");
        assert_eq!(normalize_source("terraform"), "terraform.io/builtin/terraform");
        assert_eq!(provider_state_name("hashicorp/random", None), "provider[\"registry.terraform.io/hashicorp/random\"]");
        assert_eq!(provider_state_name("terraform.io/builtin/terraform", None), "provider[\"terraform.io/builtin/terraform\"]");
    }
}
