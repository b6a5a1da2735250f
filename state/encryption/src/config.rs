//! Reading `terraform { encryption { … } }` and encrypting/decrypting with it.
//!
//! References inside the block (`key_provider.pbkdf2.k`, `method.aes_gcm.m`) are evaluated
//! with plinth-lang's evaluator against a scope that knows the declared key providers and
//! methods (as address strings), the root module's variables (`var.NAME`, with the values the
//! caller collected: `-var`, tfvars files, `TF_VAR_NAME`, defaults) and its locals
//! (`local.NAME`, evaluated on demand from variables, other locals and functions), as
//! OpenTofu's early evaluation allows — nothing else.

use crate::envelope::{self, Decrypted};
use crate::keys::{self, KeyProvider, KeyStore, Kind};
use plinth_lang::{Body, EvalContext, Module, NestedBlock, Reference, Scope};
use plinth_sdk::{Diagnostic, Diagnostics, SourceRange, Value};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// A method a target uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MethodRef {
    /// `method "aes_gcm" "NAME" { keys = key_provider.T.N }`: `addr` is `method.aes_gcm.NAME`,
    /// `keys` the key provider's address.
    AesGcm { addr: String, keys: String },
    /// `method "unencrypted" "NAME" {}`: plaintext (for migrating into or out of encryption).
    Unencrypted { addr: String },
}

impl MethodRef {
    pub fn addr(&self) -> &str {
        match self {
            MethodRef::AesGcm { addr, .. } | MethodRef::Unencrypted { addr } => addr,
        }
    }
}

/// The `state` or `plan` target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub method: MethodRef,
    /// `enforced = true`: never write plaintext.
    pub enforced: bool,
    /// `fallback { method = … }`: what existing data may be read with (migration, rotation).
    pub fallback: Option<MethodRef>,
}

/// The evaluated `encryption` block.
pub struct Encryption {
    providers: BTreeMap<String, Arc<KeyProvider>>,
    pub state: Option<Target>,
    pub plan: Option<Target>,
}

impl std::fmt::Debug for Encryption {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encryption")
            .field("key_providers", &self.providers.keys().collect::<Vec<_>>())
            .field("state", &self.state)
            .field("plan", &self.plan)
            .finish()
    }
}

struct EncScope<'a> {
    vars: &'a BTreeMap<String, Value>,
    /// The root module, when the caller gave it: declared variables (for "no value" errors)
    /// and locals.
    module: Option<&'a Module>,
    providers: BTreeMap<String, Vec<String>>,
    methods: BTreeMap<String, Vec<String>>,
    /// Locals evaluated so far, and the ones being evaluated (cycle detection).
    locals: Mutex<(BTreeMap<String, Value>, Vec<String>)>,
}

impl EncScope<'_> {
    fn variable(&self, n: &str, range: &SourceRange) -> Result<Value, Diagnostic> {
        let declared = self.module.and_then(|m| m.variables.get(n));
        match self.vars.get(n) {
            Some(v) if v.is_wholly_known() => Ok(v.clone()),
            // Declared, but no -var, tfvars, TF_VAR_ value and no default.
            _ if declared.is_some() || self.vars.contains_key(n) => {
                let at = declared.map(|v| format!(" (declared at {}:{})", v.range.file.display(), v.range.start.line)).unwrap_or_default();
                Err(Diagnostic::error(format!("No value for variable \"{n}\" used by the encryption block"))
                    .with_detail(format!(
                        "The encryption configuration refers to var.{n}{at}, which has no default and was given no value; state and plans cannot be read or written without it."
                    ))
                    .with_subject(range.clone())
                    .with_help(format!(
                        "set it with -var '{n}=…', in terraform.tfvars (or a *.auto.tfvars file, or -var-file), or in the environment as TF_VAR_{n}"
                    )))
            }
            _ => Err(Diagnostic::error("Reference to undeclared input variable")
                .with_detail(format!("An input variable with the name {n:?} has not been declared."))
                .with_subject(range.clone())
                .with_help(format!("declare it with variable \"{n}\" {{ }} and give it a value"))),
        }
    }

    fn local(&self, n: &str, range: &SourceRange) -> Result<Value, Diagnostic> {
        let Some(local) = self.module.and_then(|m| m.locals.get(n)) else {
            return Err(Diagnostic::error("Reference to undeclared local value")
                .with_detail(format!("A local value with the name {n:?} has not been declared in the root module."))
                .with_subject(range.clone())
                .with_help(format!("declare it in a locals block: locals {{ {n} = … }}")));
        };
        {
            let g = self.locals.lock().map_err(|_| Diagnostic::bug("encryption scope lock poisoned", "a previous evaluation panicked"))?;
            if let Some(v) = g.0.get(n) {
                return Ok(v.clone());
            }
            if g.1.iter().any(|x| x == n) {
                let chain: Vec<String> = g.1.iter().map(|x| format!("local.{x}")).collect();
                return Err(Diagnostic::error("Cycle in local values used by the encryption block")
                    .with_detail(format!("local.{n} depends on itself: {} → local.{n}.", chain.join(" → ")))
                    .with_subject(range.clone())
                    .with_help("break the cycle: a local value cannot refer to itself, directly or through others"));
            }
        }
        if let Ok(mut g) = self.locals.lock() {
            g.1.push(n.to_string());
        }
        let ctx = EvalContext { scope: self, cwd: Path::new(".") };
        let (v, d) = plinth_lang::eval_expr(&local.expr, &ctx);
        if let Ok(mut g) = self.locals.lock() {
            g.1.retain(|x| x != n);
        }
        if let Some(e) = d.into_iter().find(|d| d.is_error()) {
            return Err(e);
        }
        if let Ok(mut g) = self.locals.lock() {
            g.0.insert(n.to_string(), v.clone());
        }
        Ok(v)
    }
}

impl Scope for EncScope<'_> {
    fn lookup(&self, r: &Reference, range: &SourceRange) -> Result<Value, Diagnostic> {
        match r {
            Reference::Var(n) => self.variable(n, range),
            Reference::Local(n) => self.local(n, range),
            Reference::Resource { type_name, name } if type_name == "key_provider" || type_name == "method" => {
                let table = if type_name == "key_provider" { &self.providers } else { &self.methods };
                let names = table.get(name).ok_or_else(|| {
                    Diagnostic::error(format!("Reference to undeclared {type_name}"))
                        .with_detail(format!("There is no {type_name} \"{name}\" block in this encryption block."))
                        .with_subject(range.clone())
                        .with_help(format!("declare it with {type_name} \"{name}\" \"NAME\" {{ … }}"))
                })?;
                Ok(Value::object(names.iter().map(|n| (n.clone(), Value::string(format!("{type_name}.{name}.{n}"))))))
            }
            other => Err(Diagnostic::error("Invalid reference in the encryption block")
                .with_detail(format!(
                    "The encryption block (and the locals it uses) may refer only to variables, locals, key providers and methods, not to {other}: it is evaluated before anything else."
                ))
                .with_subject(range.clone())
                .with_help("use a literal value, var.NAME or local.NAME")),
        }
    }
}

struct Attrs<'a> {
    body: &'a Body,
    scope: &'a EncScope<'a>,
    diags: &'a mut Diagnostics,
    block: String,
    range: Option<SourceRange>,
}

impl Attrs<'_> {
    fn check_known(&mut self, allowed: &[&str]) {
        for (n, a) in &self.body.attributes {
            if !allowed.contains(&n.as_str()) {
                self.diags.push(
                    Diagnostic::error("Unsupported argument")
                        .with_detail(format!("An argument named {n:?} is not expected in {}.", self.block))
                        .with_subject(a.name_range.clone())
                        .with_help(format!("the arguments of {} are: {}", self.block, allowed.join(", "))),
                );
            }
        }
    }

    fn value(&mut self, name: &str) -> Option<(Value, SourceRange)> {
        let a = self.body.attributes.get(name)?;
        let cwd = Path::new(".");
        let ctx = EvalContext { scope: self.scope, cwd };
        let (v, d) = plinth_lang::eval_expr(&a.expr, &ctx);
        let bad = d.has_errors();
        self.diags.extend(d);
        if bad || v.is_null() {
            return None;
        }
        let (v, _) = v.unmark_deep();
        if !v.is_wholly_known() {
            self.diags.push(
                Diagnostic::error("Invalid encryption argument")
                    .with_detail(format!("The value of {name:?} must be known before any operation starts."))
                    .with_subject(a.expr.range.clone()),
            );
            return None;
        }
        Some((v, a.expr.range.clone()))
    }

    fn string(&mut self, name: &str) -> Option<(String, SourceRange)> {
        let (v, r) = self.value(name)?;
        match v.as_str() {
            Some(s) => Some((s.to_string(), r)),
            None => {
                self.diags.push(
                    Diagnostic::error("Incorrect attribute value type")
                        .with_detail(format!("{name:?} in {} must be a string.", self.block))
                        .with_subject(r),
                );
                None
            }
        }
    }

    fn required_string(&mut self, name: &str) -> Option<(String, SourceRange)> {
        if !self.body.attributes.contains_key(name) {
            let mut d = Diagnostic::error("Missing required argument")
                .with_detail(format!("The argument {name:?} is required in {}.", self.block))
                .with_help(format!("add {name} = … to {}", self.block));
            if let Some(r) = &self.range {
                d = d.with_subject(r.clone());
            }
            self.diags.push(d);
            return None;
        }
        self.string(name)
    }

    fn int(&mut self, name: &str, default: i64) -> (i64, Option<SourceRange>) {
        let Some((v, r)) = self.value(name) else { return (default, None) };
        match v.as_i64() {
            Some(n) => (n, Some(r)),
            None => {
                self.diags.push(
                    Diagnostic::error("Incorrect attribute value type")
                        .with_detail(format!("{name:?} in {} must be a whole number.", self.block))
                        .with_subject(r),
                );
                (default, None)
            }
        }
    }

    fn bool(&mut self, name: &str) -> bool {
        let Some((v, r)) = self.value(name) else { return false };
        match v.as_bool() {
            Some(b) => b,
            None => {
                self.diags.push(
                    Diagnostic::error("Incorrect attribute value type")
                        .with_detail(format!("{name:?} in {} must be true or false.", self.block))
                        .with_subject(r),
                );
                false
            }
        }
    }
}

fn labels2(nb: &NestedBlock, diags: &mut Diagnostics) -> Option<(String, String)> {
    if nb.labels.len() != 2 {
        diags.push(
            Diagnostic::error(format!("Invalid {} block", nb.type_name))
                .with_detail(format!("A {} block needs two labels: its type and its name.", nb.type_name))
                .with_subject(nb.type_range.clone())
                .with_help(format!("write {} \"TYPE\" \"NAME\" {{ … }}", nb.type_name)),
        );
        return None;
    }
    Some((nb.labels[0].clone(), nb.labels[1].clone()))
}

impl Encryption {
    /// Evaluates the `encryption` block. `vars` are the root module's variable values
    /// (references to anything else are errors). All mistakes are reported at once.
    pub fn from_body(body: &Body, vars: &BTreeMap<String, Value>) -> Result<Encryption, Diagnostics> {
        Self::evaluate(body, vars, None, &default_key_dir())
    }

    /// [`Encryption::from_body`] with the folder where `keyring` providers keep fallback key
    /// files (default `$XDG_CONFIG_HOME/plinth/keys` or `~/.config/plinth/keys`).
    pub fn from_body_in(body: &Body, vars: &BTreeMap<String, Value>, key_dir: &Path) -> Result<Encryption, Diagnostics> {
        Self::evaluate(body, vars, None, key_dir)
    }

    /// Evaluates the root module's `encryption` block (`module.terraform.encryption`; `None`
    /// when it has none) with `vars`, the root variables' values as the caller collected them
    /// (its precedence: defaults < `TF_VAR_` < tfvars < `-var`/`-var-file`). The block may
    /// also use the module's locals. A declared variable missing from `vars` (or unknown
    /// there) is a "No value for variable" error naming the ways to set it.
    pub fn from_module(module: &Module, vars: &BTreeMap<String, Value>) -> Result<Option<Encryption>, Diagnostics> {
        Self::from_module_in(module, vars, &default_key_dir())
    }

    /// [`Encryption::from_module`] with the `keyring` key folder.
    pub fn from_module_in(module: &Module, vars: &BTreeMap<String, Value>, key_dir: &Path) -> Result<Option<Encryption>, Diagnostics> {
        match &module.terraform.encryption {
            Some(body) => Self::evaluate(body, vars, Some(module), key_dir).map(Some),
            None => Ok(None),
        }
    }

    fn evaluate(body: &Body, vars: &BTreeMap<String, Value>, module: Option<&Module>, key_dir: &Path) -> Result<Encryption, Diagnostics> {
        let mut diags = Diagnostics::new();
        let mut scope = EncScope {
            vars,
            module,
            providers: BTreeMap::new(),
            methods: BTreeMap::new(),
            locals: Mutex::new((BTreeMap::new(), Vec::new())),
        };
        for nb in &body.blocks {
            if let ("key_provider" | "method", [t, n]) = (nb.type_name.as_str(), nb.labels.as_slice()) {
                let table = if nb.type_name == "key_provider" { &mut scope.providers } else { &mut scope.methods };
                table.entry(t.clone()).or_default().push(n.clone());
            }
        }
        for (n, a) in &body.attributes {
            diags.push(
                Diagnostic::error("Unsupported argument")
                    .with_detail(format!("An argument named {n:?} is not expected in the encryption block."))
                    .with_subject(a.name_range.clone())
                    .with_help("the encryption block holds key_provider, method, state, plan and remote_state_data_sources blocks"),
            );
        }
        let mut providers = BTreeMap::new();
        let mut methods: BTreeMap<String, MethodRef> = BTreeMap::new();
        // Key providers first: methods refer to them.
        for nb in body.blocks.iter().filter(|b| b.type_name == "key_provider") {
            let Some((ty, name)) = labels2(nb, &mut diags) else { continue };
            let addr = format!("key_provider.{ty}.{name}");
            let mut at = Attrs { body: &nb.body, scope: &scope, diags: &mut diags, block: format!("key_provider \"{ty}\" \"{name}\""), range: Some(nb.type_range.clone()) };
            let kind = match ty.as_str() {
                "pbkdf2" => {
                    at.check_known(&["passphrase", "key_length", "iterations", "hash_function", "salt_length", "encrypted_metadata_alias"]);
                    let pass = at.required_string("passphrase");
                    let (key_length, klr) = at.int("key_length", 32);
                    let (iterations, ir) = at.int("iterations", 600_000);
                    let hash = at.string("hash_function");
                    let (salt_length, slr) = at.int("salt_length", 32);
                    if let Some((p, r)) = &pass {
                        if p.chars().count() < 16 {
                            diags.push(
                                Diagnostic::error("passphrase is too short")
                                    .with_detail(format!("The pbkdf2 passphrase of {addr} has {} characters; it needs at least 16.", p.chars().count()))
                                    .with_subject(r.clone())
                                    .with_help("use a longer passphrase (a random one from a secret store is best)"),
                            );
                        }
                    }
                    if iterations < 200_000 {
                        let mut d = Diagnostic::error("too few pbkdf2 iterations")
                            .with_detail(format!("{addr} asks for {iterations} iterations; at least 200000 are required (the default is 600000)."))
                            .with_help("raise iterations, or remove it to use the default 600000");
                        if let Some(r) = ir {
                            d = d.with_subject(r);
                        }
                        diags.push(d);
                    }
                    if !(1..=64).contains(&key_length) {
                        let mut d = Diagnostic::error("invalid key_length")
                            .with_detail(format!("key_length must be between 1 and 64 bytes (aes_gcm uses 32), not {key_length}."));
                        if let Some(r) = klr {
                            d = d.with_subject(r);
                        }
                        diags.push(d);
                    }
                    if !(1..=1024).contains(&salt_length) {
                        let mut d = Diagnostic::error("invalid salt_length")
                            .with_detail(format!("salt_length must be between 1 and 1024 bytes, not {salt_length}."));
                        if let Some(r) = slr {
                            d = d.with_subject(r);
                        }
                        diags.push(d);
                    }
                    let hash_function = match hash {
                        None => "sha512".to_string(),
                        Some((h, _)) if ["sha512", "sha256", "sha384", "sha224", "sha1"].contains(&h.as_str()) => h,
                        Some((h, r)) => {
                            diags.push(
                                Diagnostic::error("unknown hash_function")
                                    .with_detail(format!("{h:?} is not a supported hash function."))
                                    .with_subject(r)
                                    .with_help("use \"sha512\" (the default) or \"sha256\""),
                            );
                            continue;
                        }
                    };
                    let Some((passphrase, _)) = pass else { continue };
                    Kind::Pbkdf2(keys::Pbkdf2 {
                        passphrase,
                        key_length: key_length.clamp(1, 64) as usize,
                        iterations: iterations.clamp(1, u32::MAX as i64) as u32,
                        hash_function,
                        salt_length: salt_length.clamp(1, 1024) as usize,
                    })
                }
                "aws_kms" => {
                    at.check_known(&["kms_key_id", "region", "key_spec", "encrypted_metadata_alias"]);
                    let id = at.required_string("kms_key_id");
                    let region = at.required_string("region");
                    let spec = at.required_string("key_spec");
                    if let Some((s, r)) = &spec {
                        if s != "AES_256" {
                            diags.push(
                                Diagnostic::error("unsupported key_spec")
                                    .with_detail(format!("aes_gcm needs a 256-bit data key; key_spec {s:?} is not supported."))
                                    .with_subject(r.clone())
                                    .with_help("use key_spec = \"AES_256\""),
                            );
                        }
                    }
                    let (Some((kms_key_id, _)), Some((region, _)), Some((key_spec, _))) = (id, region, spec) else { continue };
                    if cfg!(not(feature = "aws_kms")) {
                        diags.push(
                            Diagnostic::error("the aws_kms key provider is not built into this Plinth")
                                .with_detail("This Plinth was compiled without the `aws_kms` cargo feature.")
                                .with_subject(nb.type_range.clone())
                                .with_help("use a Plinth built with the `aws_kms` feature, or the pbkdf2 key provider"),
                        );
                        continue;
                    }
                    Kind::AwsKms(keys::AwsKms { kms_key_id, region, key_spec })
                }
                "keyring" => {
                    at.check_known(&["service", "user", "key_length", "file"]);
                    let service = at.string("service").map(|s| s.0).unwrap_or_else(|| "plinth".into());
                    let user = at.string("user").map(|s| s.0).unwrap_or_else(|| name.clone());
                    let (key_length, _) = at.int("key_length", 32);
                    let file = at.string("file").map(|s| s.0.into()).unwrap_or_else(|| key_dir.join(format!("{service}-{user}.key")));
                    let env_var = format!(
                        "PLINTH_KEYRING_{}",
                        user.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }).collect::<String>()
                    );
                    Kind::Keyring(keys::Keyring { service, user, key_length: key_length.clamp(16, 64) as usize, file, env_var })
                }
                other => {
                    diags.push(
                        Diagnostic::error("unknown key provider")
                            .with_detail(format!("Plinth has no key provider {other:?}."))
                            .with_subject(nb.type_range.clone())
                            .with_help("use \"pbkdf2\", \"aws_kms\" or \"keyring\""),
                    );
                    continue;
                }
            };
            providers.insert(addr.clone(), Arc::new(KeyProvider::new(addr, kind)));
        }
        for nb in body.blocks.iter().filter(|b| b.type_name == "method") {
            let Some((ty, name)) = labels2(nb, &mut diags) else { continue };
            let addr = format!("method.{ty}.{name}");
            let mut at = Attrs { body: &nb.body, scope: &scope, diags: &mut diags, block: format!("method \"{ty}\" \"{name}\""), range: Some(nb.type_range.clone()) };
            match ty.as_str() {
                "aes_gcm" => {
                    at.check_known(&["keys", "aad"]);
                    let Some((keys, r)) = at.required_string("keys") else { continue };
                    if !providers.contains_key(&keys) {
                        if declared(&scope.providers, "key_provider", &keys) {
                            continue; // declared, but its own error is already reported
                        }
                        diags.push(
                            Diagnostic::error("invalid keys")
                                .with_detail(format!("keys must refer to a key provider (key_provider.TYPE.NAME); {keys:?} is not one."))
                                .with_subject(r),
                        );
                        continue;
                    }
                    methods.insert(addr.clone(), MethodRef::AesGcm { addr, keys });
                }
                "unencrypted" => {
                    at.check_known(&[]);
                    methods.insert(addr.clone(), MethodRef::Unencrypted { addr });
                }
                other => diags.push(
                    Diagnostic::error("unknown encryption method")
                        .with_detail(format!("Plinth has no encryption method {other:?}."))
                        .with_subject(nb.type_range.clone())
                        .with_help("use \"aes_gcm\", or \"unencrypted\" to migrate"),
                ),
            }
        }
        let mut targets: BTreeMap<&str, Target> = BTreeMap::new();
        for nb in &body.blocks {
            match nb.type_name.as_str() {
                "key_provider" | "method" | "remote_state_data_sources" => {}
                t @ ("state" | "plan") => {
                    let mut at = Attrs { body: &nb.body, scope: &scope, diags: &mut diags, block: format!("the {t} block"), range: Some(nb.type_range.clone()) };
                    at.check_known(&["method", "enforced"]);
                    let m = at.required_string("method");
                    let enforced = at.bool("enforced");
                    let method = m.and_then(|(m, r)| method_of(&methods, &scope.methods, &m, &r, &mut diags));
                    let mut fallback = None;
                    for fb in &nb.body.blocks {
                        if fb.type_name != "fallback" {
                            diags.push(
                                Diagnostic::error("Unsupported block type")
                                    .with_detail(format!("Blocks of type {:?} are not expected in the {t} block.", fb.type_name))
                                    .with_subject(fb.type_range.clone()),
                            );
                            continue;
                        }
                        let mut fa = Attrs { body: &fb.body, scope: &scope, diags: &mut diags, block: "fallback".into(), range: Some(fb.type_range.clone()) };
                        fa.check_known(&["method"]);
                        fallback = fa.required_string("method").and_then(|(m, r)| method_of(&methods, &scope.methods, &m, &r, &mut diags));
                    }
                    let Some(method) = method else { continue };
                    if enforced && matches!(method, MethodRef::Unencrypted { .. }) {
                        diags.push(
                            Diagnostic::error(format!("unencrypted {t} with enforced = true"))
                                .with_detail(format!("The {t} target uses {} while enforced = true forbids writing plaintext.", method.addr()))
                                .with_subject(nb.type_range.clone())
                                .with_help("use an aes_gcm method, or set enforced = false while migrating"),
                        );
                    }
                    targets.insert(if t == "state" { "state" } else { "plan" }, Target { method, enforced, fallback });
                }
                other => diags.push(
                    Diagnostic::error("Unsupported block type")
                        .with_detail(format!("Blocks of type {other:?} are not expected in the encryption block."))
                        .with_subject(nb.type_range.clone())
                        .with_help("the encryption block holds key_provider, method, state and plan blocks"),
                ),
            }
        }
        if diags.has_errors() {
            return Err(diags);
        }
        Ok(Encryption { providers, state: targets.remove("state"), plan: targets.remove("plan") })
    }

    /// Where keyring key providers found or stored their keys (after first use), to tell
    /// the user.
    pub fn key_stores(&self) -> Vec<(String, KeyStore)> {
        self.providers.values().filter_map(|p| p.store().map(|s| (p.addr.clone(), s))).collect()
    }

    /// Whether state is encrypted on write.
    pub fn encrypts_state(&self) -> bool {
        matches!(self.state, Some(Target { method: MethodRef::AesGcm { .. }, .. }))
    }

    /// Whether plans are encrypted on write.
    pub fn encrypts_plan(&self) -> bool {
        matches!(self.plan, Some(Target { method: MethodRef::AesGcm { .. }, .. }))
    }

    /// Encrypts a state file's bytes with the `state` target's method (plaintext unchanged
    /// when there is no target or its method is `unencrypted`).
    pub fn encrypt_state(&self, plain: &[u8]) -> Result<Vec<u8>, Diagnostic> {
        self.encrypt(self.state.as_ref(), "state", plain)
    }

    /// Decrypts stored state bytes (plaintext passes where a method allows it).
    pub fn decrypt_state(&self, stored: &[u8]) -> Result<Decrypted, Diagnostic> {
        self.decrypt(self.state.as_ref(), "state", stored)
    }

    /// Encrypts a plan file with the `plan` target's method.
    pub fn encrypt_plan(&self, plain: &[u8]) -> Result<Vec<u8>, Diagnostic> {
        self.encrypt(self.plan.as_ref(), "plan", plain)
    }

    /// Decrypts a plan file.
    pub fn decrypt_plan(&self, stored: &[u8]) -> Result<Vec<u8>, Diagnostic> {
        self.decrypt(self.plan.as_ref(), "plan", stored).map(|d| d.data)
    }

    fn encrypt(&self, target: Option<&Target>, what: &str, plain: &[u8]) -> Result<Vec<u8>, Diagnostic> {
        let Some(t) = target else { return Ok(plain.to_vec()) };
        match &t.method {
            MethodRef::Unencrypted { addr } => {
                if t.enforced {
                    return Err(Diagnostic::error(format!("refusing to write an unencrypted {what}"))
                        .with_detail(format!("The {what} target uses {addr}, and enforced = true forbids plaintext."))
                        .with_help("use an aes_gcm method for this target"));
                }
                Ok(plain.to_vec())
            }
            MethodRef::AesGcm { keys, .. } => {
                let p = self.provider(keys)?;
                let (key, meta) = p.encryption_key().map_err(|m| key_error(what, "encrypting", keys, &m))?;
                let data = envelope::seal(&key, plain).map_err(|m| key_error(what, "encrypting", keys, &m))?;
                Ok(envelope::build(keys, &meta, &data))
            }
        }
    }

    fn provider(&self, addr: &str) -> Result<&Arc<KeyProvider>, Diagnostic> {
        self.providers.get(addr).ok_or_else(|| {
            Diagnostic::bug("encryption method refers to a missing key provider", format!("{addr} is not declared."))
        })
    }

    fn decrypt(&self, target: Option<&Target>, what: &str, stored: &[u8]) -> Result<Decrypted, Diagnostic> {
        let env = envelope::parse(stored);
        let Some(t) = target else {
            if env.is_some() {
                return Err(Diagnostic::error(format!("the {what} is encrypted"))
                    .with_detail(format!("The {what} is an encrypted envelope, but the encryption block has no {what} target to decrypt it with."))
                    .with_help(format!("add a {what} {{ method = method.aes_gcm.NAME }} block with the key that encrypted it")));
            }
            return Ok(Decrypted { data: stored.to_vec(), was_plaintext: true, used_fallback: false });
        };
        let methods: Vec<(&MethodRef, bool)> =
            std::iter::once((&t.method, false)).chain(t.fallback.as_ref().map(|f| (f, true))).collect();
        let Some(env) = env else {
            return match methods.iter().find(|(m, _)| matches!(m, MethodRef::Unencrypted { .. })) {
                Some((_, fb)) => Ok(Decrypted { data: stored.to_vec(), was_plaintext: true, used_fallback: *fb }),
                None => Err(Diagnostic::error(format!("the {what} is not encrypted"))
                    .with_detail(format!(
                        "The stored {what} is plaintext, but the {what} target uses {}{} and has no unencrypted fallback to read it with.",
                        t.method.addr(),
                        if t.enforced { " with enforced = true" } else { "" }
                    ))
                    .with_help(format!(
                        "to encrypt existing plaintext, add method \"unencrypted\" \"migrate\" {{}} and fallback {{ method = method.unencrypted.migrate }} to the {what} block; the next write encrypts it"
                    ))),
            };
        };
        if env.encryption_version != envelope::VERSION {
            return Err(Diagnostic::error(format!("unsupported {what} encryption version"))
                .with_detail(format!("The {what} was encrypted with envelope version {:?}; Plinth reads {:?}.", env.encryption_version, envelope::VERSION))
                .with_help("use the tool that wrote it to decrypt it"));
        }
        let data = envelope::unb64(&env.encrypted_data).ok_or_else(|| {
            Diagnostic::error(format!("the encrypted {what} is damaged"))
                .with_detail("Its encrypted_data is not valid base64.")
                .with_help("restore the previous copy (the backend's backup or version history)")
        })?;
        let mut first_err: Option<Diagnostic> = None;
        for (m, fb) in &methods {
            let MethodRef::AesGcm { keys, .. } = m else { continue };
            let Some(meta_b64) = env.meta.get(keys.as_str()) else { continue };
            let Some(meta) = envelope::unb64(meta_b64) else { continue };
            let p = self.provider(keys)?;
            let res = p
                .decryption_key(&meta)
                .map_err(|msg| key_error(what, "decrypting", keys, &msg))
                .and_then(|key| {
                    envelope::open(&key, &data).ok_or_else(|| {
                        let hint = match &p.kind {
                            Kind::Pbkdf2(_) => "check the passphrase",
                            Kind::Keyring(_) => "check that the keyring holds the key that encrypted it",
                            Kind::AwsKms(_) => "check the KMS key",
                        };
                        Diagnostic::error(format!("decrypting {what}: the key from {keys} does not decrypt it; {hint}"))
                            .with_detail(format!("AES-GCM authentication failed: the {what} was encrypted with another key, or it was altered."))
                            .with_help(format!("{hint}; after changing a key, keep the old one as a fallback until the {what} is rewritten"))
                    })
                });
            match res {
                Ok(plain) => return Ok(Decrypted { data: plain, was_plaintext: false, used_fallback: *fb }),
                Err(e) => {
                    first_err.get_or_insert(e);
                }
            }
        }
        Err(first_err.unwrap_or_else(|| {
            Diagnostic::error(format!("decrypting {what}: no configured key provider matches"))
                .with_detail(format!(
                    "The {what} was encrypted with {}, which neither {} nor its fallback uses.",
                    env.meta.keys().cloned().collect::<Vec<_>>().join(", "),
                    t.method.addr()
                ))
                .with_help("configure the key provider that encrypted it (as the method's keys, or in a fallback method)")
        }))
    }
}

/// Whether `addr` (`TYPE_NAME.T.N`) names a block declared in `table` (type → names).
fn declared(table: &BTreeMap<String, Vec<String>>, kind: &str, addr: &str) -> bool {
    let mut parts = addr.splitn(3, '.');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(k), Some(t), Some(n)) if k == kind => table.get(t).is_some_and(|ns| ns.iter().any(|x| x == n)),
        _ => false,
    }
}

fn method_of(
    methods: &BTreeMap<String, MethodRef>,
    declared_methods: &BTreeMap<String, Vec<String>>,
    m: &str,
    r: &SourceRange,
    diags: &mut Diagnostics,
) -> Option<MethodRef> {
    match methods.get(m) {
        Some(x) => Some(x.clone()),
        // Declared, but its own error is already reported.
        None if declared(declared_methods, "method", m) => None,
        None => {
            diags.push(
                Diagnostic::error("invalid method reference")
                    .with_detail(format!("method must refer to a method block (method.TYPE.NAME); {m:?} is not one."))
                    .with_subject(r.clone()),
            );
            None
        }
    }
}

fn key_error(what: &str, action: &str, addr: &str, message: &str) -> Diagnostic {
    Diagnostic::error(format!("{action} {what}: the key provider {addr} failed"))
        .with_detail(format!("{}.", message.trim_end_matches('.')))
        .with_help(format!("check the configuration and credentials of {addr}"))
}

fn default_key_dir() -> std::path::PathBuf {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".config")))
        .unwrap_or_else(|| std::path::PathBuf::from(".terraform"));
    base.join("plinth").join("keys")
}
