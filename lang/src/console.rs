//! `console` support: evaluating one line as `terraform console` does, and [`StaticScope`],
//! a scope over one module whose variables and locals are evaluated and whose resources are
//! unknown or taken from a map (e.g. built from state).

use crate::config::Module;
use crate::eval::{eval_expr, parse_expression, EvalContext, Scope};
use crate::reference::Reference;
use crate::source::SourceMap;
use crate::suggest::suggest;
use hcl_edit::expr::Expression;
use plinth_sdk::{Diagnostic, Diagnostics, SourceRange, Type, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A scope over one module: `var.*` from the given values (missing ones are unknown of their
/// declared type), `local.*` evaluated on demand (and cached), resources, data sources and
/// module calls from `objects` (keyed `aws_vpc.main`, `data.aws_ami.x`, `module.net`) or
/// unknown when declared but absent, `path.*`, `terraform.workspace`. `count.*`, `each.*`
/// and `self` are unknown when `allow_instance_refs` is set (validation), errors otherwise.
pub struct StaticScope<'a> {
    pub module: &'a Module,
    pub variables: BTreeMap<String, Value>,
    pub objects: BTreeMap<String, Value>,
    pub workspace: String,
    pub cwd: PathBuf,
    pub root_dir: PathBuf,
    /// Answer `count.index`, `each.*` and `self` with unknowns instead of errors.
    pub allow_instance_refs: bool,
    /// Answer undeclared names with unknowns instead of errors (validation reports those
    /// separately).
    pub lenient: bool,
    locals: Mutex<HashMap<String, Result<Value, Diagnostic>>>,
    in_progress: Mutex<Vec<String>>,
}

impl<'a> StaticScope<'a> {
    pub fn new(module: &'a Module, variables: BTreeMap<String, Value>, cwd: &Path) -> Self {
        StaticScope {
            module,
            variables,
            objects: BTreeMap::new(),
            workspace: "default".into(),
            cwd: cwd.to_path_buf(),
            root_dir: module.dir.clone(),
            allow_instance_refs: false,
            lenient: false,
            locals: Mutex::new(HashMap::new()),
            in_progress: Mutex::new(Vec::new()),
        }
    }
    /// Resource, data source and module call values (e.g. from state).
    pub fn with_objects(mut self, objects: BTreeMap<String, Value>) -> Self {
        self.objects = objects;
        self
    }

    fn local(&self, name: &str, range: &SourceRange) -> Result<Value, Diagnostic> {
        if let Some(r) = self.locals.lock().map_err(|_| poisoned())?.get(name) {
            return r.clone();
        }
        let Some(l) = self.module.locals.get(name) else {
            if self.lenient {
                return Ok(Value::unknown());
            }
            let mut d = Diagnostic::error("Reference to undeclared local value")
                .with_detail(format!("A local value with the name \"{name}\" has not been declared."))
                .with_subject(range.clone());
            if let Some(s) = suggest(name, self.module.locals.keys().map(String::as_str)) {
                d = d.with_help(format!("did you mean `local.{s}`?"));
            }
            return Err(d);
        };
        {
            let mut ip = self.in_progress.lock().map_err(|_| poisoned())?;
            if ip.iter().any(|n| n == name) {
                let mut path: Vec<String> = ip.iter().skip_while(|n| *n != name).map(|n| format!("local.{n}")).collect();
                path.push(format!("local.{name}"));
                return Err(Diagnostic::error("Cycle in local values")
                    .with_detail(format!("These local values refer to each other, so none of them can be evaluated first: {}.", path.join(" → ")))
                    .with_subject(range.clone())
                    .with_help("break the cycle by removing one of these references"));
            }
            ip.push(name.to_string());
        }
        let ctx = EvalContext { scope: self, cwd: &self.cwd };
        let (v, diags) = eval_expr(&l.expr, &ctx);
        if let Ok(mut ip) = self.in_progress.lock() {
            ip.retain(|n| n != name);
        }
        let r = match diags.into_iter().find(Diagnostic::is_error) {
            Some(d) => Err(d),
            None => Ok(v),
        };
        if let Ok(mut cache) = self.locals.lock() {
            cache.insert(name.to_string(), r.clone());
        }
        r
    }
}

fn poisoned() -> Diagnostic {
    Diagnostic::bug("Internal error", "A lock was poisoned while evaluating local values.")
}

impl Scope for StaticScope<'_> {
    fn lookup(&self, r: &Reference, range: &SourceRange) -> Result<Value, Diagnostic> {
        let m = self.module;
        match r {
            Reference::Var(n) => match m.variables.get(n) {
                Some(v) => Ok(self.variables.get(n).cloned().unwrap_or_else(|| Value::Unknown(v.ty.to_type()).mark_if(v.sensitive))),
                None if self.lenient => Ok(Value::unknown()),
                None => Err(undeclared_var(m, n, range)),
            },
            Reference::Local(n) => self.local(n, range),
            Reference::Resource { type_name, name } => {
                let key = format!("{type_name}.{name}");
                if let Some(v) = self.objects.get(&key) {
                    return Ok(v.clone());
                }
                if m.resources.contains_key(&key) || self.lenient {
                    return Ok(Value::unknown());
                }
                Err(undeclared_resource(m, &key, range))
            }
            Reference::Data { type_name, name } => {
                let key = format!("data.{type_name}.{name}");
                if let Some(v) = self.objects.get(&key) {
                    return Ok(v.clone());
                }
                if m.resources.contains_key(&key) || self.lenient {
                    return Ok(Value::unknown());
                }
                Err(undeclared_resource(m, &key, range))
            }
            Reference::Module(n) => {
                let key = format!("module.{n}");
                if let Some(v) = self.objects.get(&key) {
                    return Ok(v.clone());
                }
                match m.module_calls.get(n) {
                    Some(_) if self.lenient => Ok(Value::unknown()),
                    Some(c) if c.count.is_none() && c.for_each.is_none() && !c.module.dir.as_os_str().is_empty() => {
                        Ok(Value::Object(c.module.outputs.iter().map(|(k, o)| (k.clone(), Value::unknown().mark_if(o.sensitive))).collect()))
                    }
                    Some(_) => Ok(Value::unknown()),
                    None if self.lenient => Ok(Value::unknown()),
                    None => Err(undeclared_module(m, n, range)),
                }
            }
            Reference::CountIndex => {
                if self.allow_instance_refs {
                    Ok(Value::Unknown(Type::Number))
                } else {
                    Err(Diagnostic::error("Reference to \"count\" in non-counted context")
                        .with_detail("The \"count\" object can only be used in \"module\", \"resource\", and \"data\" blocks, and only when the \"count\" argument is set.")
                        .with_subject(range.clone()))
                }
            }
            Reference::EachKey | Reference::EachValue => {
                if self.allow_instance_refs {
                    Ok(if *r == Reference::EachKey { Value::Unknown(Type::String) } else { Value::unknown() })
                } else {
                    Err(Diagnostic::error("each.value cannot be used in this context")
                        .with_detail("A reference to \"each.key\" or \"each.value\" has been used in a context in which it is unavailable, such as when the configuration no longer contains the value in its \"for_each\" expression.")
                        .with_subject(range.clone()))
                }
            }
            Reference::SelfObject => {
                if self.allow_instance_refs {
                    Ok(Value::unknown())
                } else {
                    Err(Diagnostic::error("Invalid \"self\" reference")
                        .with_detail("The \"self\" object is not available in this context. This object can be used only in resource provisioner, connection, and postcondition blocks.")
                        .with_subject(range.clone()))
                }
            }
            Reference::PathModule => Ok(Value::string(path_string(&m.dir))),
            Reference::PathRoot => Ok(Value::string(path_string(&self.root_dir))),
            Reference::PathCwd => Ok(Value::string(absolute_clean(&self.cwd))),
            Reference::TerraformWorkspace => Ok(Value::string(self.workspace.clone())),
            Reference::Iterator(n) => Err(Diagnostic::error("Unknown variable").with_detail(format!("There is no variable named \"{n}\".")).with_subject(range.clone())),
        }
    }
}

/// An absolute, lexically cleaned path (no symlink resolution), like Go's `filepath.Abs`.
fn absolute_clean(p: &Path) -> String {
    let abs = if p.is_absolute() { p.to_path_buf() } else { std::env::current_dir().unwrap_or_default().join(p) };
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out.display().to_string()
}

/// `path.module`-style rendering: relative to the working directory, `.` for it.
fn path_string(p: &Path) -> String {
    let rel = std::env::current_dir().ok().and_then(|cwd| {
        let abs = p.canonicalize().ok()?;
        abs.strip_prefix(cwd.canonicalize().ok()?).ok().map(Path::to_path_buf)
    });
    match rel {
        Some(r) if r.as_os_str().is_empty() => ".".into(),
        Some(r) => r.display().to_string(),
        None => p.display().to_string(),
    }
}

fn module_name(m: &Module) -> String {
    if m.path.is_empty() {
        "the root module".into()
    } else {
        format!("module.{}", m.path.join(".module."))
    }
}

pub(crate) fn undeclared_var(m: &Module, n: &str, range: &SourceRange) -> Diagnostic {
    let mut d = Diagnostic::error("Reference to undeclared input variable")
        .with_detail(format!("An input variable with the name \"{n}\" has not been declared. This variable can be declared with a variable \"{n}\" {{}} block."))
        .with_subject(range.clone());
    if let Some(s) = suggest(n, m.variables.keys().map(String::as_str)) {
        d = d.with_help(format!("did you mean `var.{s}`?"));
    }
    d
}

pub(crate) fn undeclared_resource(m: &Module, key: &str, range: &SourceRange) -> Diagnostic {
    let data = key.starts_with("data.");
    let bare = key.strip_prefix("data.").unwrap_or(key);
    let (t, n) = bare.split_once('.').unwrap_or((bare, ""));
    let kind = if data { "data resource" } else { "managed resource" };
    let mut d = Diagnostic::error("Reference to undeclared resource")
        .with_detail(format!("A {kind} \"{t}\" \"{n}\" has not been declared in {}.", module_name(m)))
        .with_subject(range.clone());
    let cands: Vec<&str> = m.resources.keys().map(String::as_str).filter(|k| k.starts_with("data.") == data).collect();
    if let Some(s) = suggest(key, cands) {
        d = d.with_help(format!("did you mean `{s}`?"));
    }
    d
}

pub(crate) fn undeclared_module(m: &Module, n: &str, range: &SourceRange) -> Diagnostic {
    let mut d = Diagnostic::error("Reference to undeclared module")
        .with_detail(format!("No module call named \"{n}\" is declared in {}.", module_name(m)))
        .with_subject(range.clone());
    if let Some(s) = suggest(n, m.module_calls.keys().map(String::as_str)) {
        d = d.with_help(format!("did you mean `module.{s}`?"));
    }
    d
}

/// Evaluates one console line and returns exactly what `terraform console` prints for it
/// (without the trailing newline). `type(x)` at the top level prints the type of `x`.
pub fn eval_console_line(src: &str, scope: &dyn Scope, cwd: &Path, sources: &SourceMap) -> Result<String, Diagnostics> {
    if src.trim().is_empty() {
        return Ok(String::new());
    }
    let e = parse_expression(src, "<console-input>", sources)?;
    let ctx = EvalContext { scope, cwd };
    if let Expression::FuncCall(call) = e.expr.as_ref() {
        let ns: Vec<&str> = call.name.namespace.iter().map(|n| n.as_str()).collect();
        if call.name.name.as_str() == "type" && (ns.is_empty() || ns == ["core"]) {
            let args: Vec<&Expression> = call.args.iter().collect();
            if args.len() != 1 {
                return Err(Diagnostics::from(
                    Diagnostic::error(if args.is_empty() { "Not enough function arguments" } else { "Too many function arguments" })
                        .with_detail("Function \"type\" expects 1 argument(s).")
                        .with_subject(e.range.clone()),
                ));
            }
            let arg = crate::load::mk_expr(args[0].clone(), &e.file);
            let (v, d) = eval_expr(&arg, &ctx);
            if d.has_errors() {
                return Err(d);
            }
            return Ok(crate::funcs::type_string(&v.type_of()));
        }
    }
    let (v, d) = eval_expr(&e, &ctx);
    if d.has_errors() {
        return Err(d);
    }
    Ok(crate::funcs::console_format(&v))
}
