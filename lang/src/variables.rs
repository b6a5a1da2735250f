//! Input variable values: collected from every source in Terraform's precedence, then
//! finalized per declared variable (type conversion with `optional` defaults, `nullable`,
//! the sensitive mark, `validation` blocks).
//!
//! Precedence, lowest first (later sources override earlier ones):
//! 1. the `default` in the `variable` block,
//! 2. `TF_VAR_name` environment variables,
//! 3. `terraform.tfvars`, then `terraform.tfvars.json`,
//! 4. `*.auto.tfvars` / `*.auto.tfvars.json`, in lexical order of file name,
//! 5. `-var` and `-var-file` options, in command-line order.
//!
//! Module call inputs go through the same [`finalize_variable`] with [`ValueSource::Caller`].

use crate::config::{Module, Variable};
use crate::eval::{eval_constant, eval_expr, EvalContext, Scope};
use crate::load::range_str;
use crate::reference::Reference;
use crate::source::{SourceFile, SourceMap};
use crate::suggest::suggest;
use crate::typeexpr::convert_to_constraint;
use hcl_edit::structure::Structure;
use hcl_edit::Span;
use plinth_sdk::{Diagnostic, Diagnostics, SourceRange, Type, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where a variable's value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ValueSource {
    Default,
    Env,
    /// A `*.tfvars` / `*.tfvars.json` file (auto-loaded or `-var-file`).
    File(PathBuf),
    /// `-var NAME=VALUE`.
    Cli,
    /// A module call argument.
    Caller,
    /// Typed interactively.
    Input,
}

/// A value before type conversion and validation.
#[derive(Clone, Debug)]
pub struct RawValue {
    pub value: Value,
    pub source: ValueSource,
    /// Where the value is written, when it is written in a file.
    pub range: Option<SourceRange>,
}

/// One `-var` or `-var-file` option, in command-line order.
#[derive(Clone, Debug)]
pub enum CliVar {
    /// `-var 'NAME=VALUE'` (the text after `-var`).
    Var(String),
    /// `-var-file=PATH`.
    File(PathBuf),
}

/// Everything [`collect_variable_values`] reads besides the configuration.
#[derive(Clone, Debug, Default)]
pub struct VariableOptions {
    /// Directory searched for `terraform.tfvars` and `*.auto.tfvars` (the working directory).
    pub dir: PathBuf,
    /// `-var` / `-var-file` options in order.
    pub cli: Vec<CliVar>,
    /// Environment variables (only `TF_VAR_*` are used); pass `std::env::vars().collect()`.
    pub env: Vec<(String, String)>,
}

/// Collects root module variable values from every source (defaults are not included: they
/// are applied by [`finalize_variable`]). Later sources override earlier ones.
pub fn collect_variable_values(root: &Module, opts: &VariableOptions, sources: &SourceMap) -> (BTreeMap<String, RawValue>, Diagnostics) {
    let mut out: BTreeMap<String, RawValue> = BTreeMap::new();
    let mut diags = Diagnostics::new();
    // Environment.
    let mut env: Vec<&(String, String)> = opts.env.iter().filter(|(k, _)| k.starts_with("TF_VAR_")).collect();
    env.sort();
    for (k, v) in env {
        let name = &k["TF_VAR_".len()..];
        let Some(var) = root.variables.get(name) else { continue };
        match parse_cli_value(var, v, &format!("<value for var.{name}>"), sources) {
            Ok(value) => {
                out.insert(name.to_string(), RawValue { value, source: ValueSource::Env, range: None });
            }
            Err(d) => diags.extend(d),
        }
    }
    // Auto-loaded files.
    let mut auto = Vec::new();
    for f in ["terraform.tfvars", "terraform.tfvars.json"] {
        let p = opts.dir.join(f);
        if p.is_file() {
            auto.push(p);
        }
    }
    let mut autos: Vec<PathBuf> = std::fs::read_dir(&opts.dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| {
                    let n = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                    (n.ends_with(".auto.tfvars") || n.ends_with(".auto.tfvars.json")) && p.is_file()
                })
                .collect()
        })
        .unwrap_or_default();
    autos.sort();
    auto.extend(autos);
    let mut undeclared_warnings = Vec::new();
    for p in auto {
        let (vals, ds) = read_var_file(&p, root, sources);
        diags.extend(ds);
        for (name, rv) in vals {
            if root.variables.contains_key(&name) {
                out.insert(name, rv);
            } else {
                undeclared_warnings.push((name, rv));
            }
        }
    }
    // Command line.
    for c in &opts.cli {
        match c {
            CliVar::File(p) => {
                if !p.is_file() {
                    diags.push(
                        Diagnostic::error("Failed to read variables file")
                            .with_detail(format!("Given variables file {} does not exist.", p.display()))
                            .with_help("check the path given to -var-file"),
                    );
                    continue;
                }
                let (vals, ds) = read_var_file(p, root, sources);
                diags.extend(ds);
                for (name, rv) in vals {
                    if root.variables.contains_key(&name) {
                        out.insert(name, rv);
                    } else {
                        undeclared_warnings.push((name, rv));
                    }
                }
            }
            CliVar::Var(s) => {
                let Some((name, value)) = s.split_once('=') else {
                    diags.push(
                        Diagnostic::error("Invalid -var option")
                            .with_detail(format!("The given -var option {s:?} is not correctly specified. Must be a variable name and value separated by an equals sign, like -var=\"key=value\"."))
                            .with_help(format!("write -var=\"{s}=VALUE\"")),
                    );
                    continue;
                };
                let name = name.trim();
                let Some(var) = root.variables.get(name) else {
                    let mut d = Diagnostic::error("Value for undeclared variable").with_detail(format!(
                        "A variable named \"{name}\" was assigned on the command line, but the root module does not declare a variable of that name. To use this value, add a \"variable\" block to the configuration."
                    ));
                    if let Some(s) = suggest(name, root.variables.keys().map(String::as_str)) {
                        d = d.with_help(format!("did you mean `-var {s}=…`?"));
                    }
                    diags.push(d);
                    continue;
                };
                match parse_cli_value(var, value, &format!("<value for var.{name}>"), sources) {
                    Ok(v) => {
                        out.insert(name.to_string(), RawValue { value: v, source: ValueSource::Cli, range: None });
                    }
                    Err(d) => diags.extend(d),
                }
            }
        }
    }
    for (name, rv) in undeclared_warnings {
        let file = match &rv.source {
            ValueSource::File(p) => p.display().to_string(),
            _ => String::new(),
        };
        let mut d = Diagnostic::warning("Value for undeclared variable")
            .with_detail(format!(
                "The root module does not declare a variable named \"{name}\" but a value was found in file \"{file}\". If you meant to use this value, add a \"variable\" block to the configuration.\n\nTo silence these warnings, use TF_VAR_... environment variables to provide certain \"global\" settings to all configurations in your organization. To reduce the verbosity of these warnings, use the -compact-warnings option."
            ))
            .with_subject_opt(rv.range.clone());
        if let Some(s) = suggest(&name, root.variables.keys().map(String::as_str)) {
            d = d.with_help(format!("did you mean `{s}`?"));
        }
        diags.push(d);
    }
    (out, diags)
}

/// A `-var` / `TF_VAR_` value: taken literally for primitive types, parsed as an expression
/// otherwise (as Terraform does).
fn parse_cli_value(var: &Variable, text: &str, name: &str, sources: &SourceMap) -> Result<Value, Diagnostics> {
    if var.literal_cli_values {
        return Ok(Value::String(text.to_string()));
    }
    let e = crate::eval::parse_expression(text, name, sources)?;
    eval_constant(&e.expr, &e.file).map_err(|d| Diagnostics::from(*d))
}

/// Reads one `.tfvars` (HCL) or `.tfvars.json` file.
pub fn read_var_file(path: &Path, root: &Module, sources: &SourceMap) -> (Vec<(String, RawValue)>, Diagnostics) {
    let mut diags = Diagnostics::new();
    let mut out = Vec::new();
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            diags.push(Diagnostic::error("Failed to read variables file").with_detail(format!("Error reading {}: {e}.", path.display())));
            return (out, diags);
        }
    };
    let shown = crate::load::display_path(path);
    let file = sources.add(SourceFile::new(shown.clone(), text));
    let src = ValueSource::File(shown);
    if path.extension().and_then(|e| e.to_str()) == Some("json") {
        match serde_json::from_str::<serde_json::Value>(&file.text) {
            Ok(serde_json::Value::Object(o)) => {
                for (k, j) in o {
                    let ty = root.variables.get(&k).map(|v| v.ty.to_type()).unwrap_or(Type::Dynamic);
                    let ty = if ty.has_dynamic() { Type::Dynamic } else { ty };
                    match Value::from_json(&j, &ty) {
                        Ok(v) => out.push((k, RawValue { value: v, source: src.clone(), range: Some(file.range(0..0)) })),
                        Err(e) => diags.push(Diagnostic::error("Invalid value in variables file").with_detail(format!("The value for \"{k}\" is not valid: {e}.")).with_subject(file.range(0..0))),
                    }
                }
            }
            Ok(_) => diags.push(Diagnostic::error("Invalid variables file").with_detail("The root of a .tfvars.json file must be an object.").with_subject(file.range(0..0))),
            Err(e) => diags.push(Diagnostic::error("Invalid variables file").with_detail(format!("The file is not valid JSON: {e}.")).with_subject(file.range(0..0))),
        }
        return (out, diags);
    }
    if let Some(at) = crate::load::too_deep(&file.text) {
        diags.push(crate::load::nesting_error(&file, at));
        return (out, diags);
    }
    let body = match hcl_edit::parser::parse_body(&file.text) {
        Ok(b) => b,
        Err(e) => {
            diags.push(crate::load::syntax_error(&file, &e));
            return (out, diags);
        }
    };
    for s in body {
        match s {
            Structure::Attribute(a) => {
                let name = a.key.as_str().to_string();
                let range = file.range(a.value.span().unwrap_or(0..0));
                match eval_constant(&a.value, &file) {
                    Ok(v) => out.push((name, RawValue { value: v, source: src.clone(), range: Some(range) })),
                    Err(d) => diags.push(*d),
                }
            }
            Structure::Block(b) => diags.push(
                Diagnostic::error("Unexpected block in variables file")
                    .with_detail("A variables file may contain only argument assignments, like name = \"value\".")
                    .with_subject(file.range(b.ident.span().unwrap_or(0..0))),
            ),
        }
    }
    (out, diags)
}

/// A scope that answers `var.NAME` for the variable being validated and defers everything
/// else to an outer scope.
struct ValidationScope<'a> {
    name: &'a str,
    value: &'a Value,
    outer: &'a dyn Scope,
}

impl Scope for ValidationScope<'_> {
    fn lookup(&self, r: &Reference, range: &SourceRange) -> Result<Value, Diagnostic> {
        match r {
            Reference::Var(n) if n == self.name => Ok(self.value.clone()),
            other => self.outer.lookup(other, range),
        }
    }
}

fn describe_source(var: &Variable, raw: Option<&RawValue>) -> String {
    match raw.map(|r| &r.source) {
        None | Some(ValueSource::Default) => format!("var.{} declared at {}", var.name, range_str(&var.range)),
        Some(ValueSource::Env) => format!("var.{} set using the TF_VAR_{} environment variable", var.name, var.name),
        Some(ValueSource::Cli) => format!("var.{} set using a -var option", var.name),
        Some(ValueSource::File(p)) => format!("var.{} set in {}", var.name, p.display()),
        Some(ValueSource::Caller) => format!("var.{} declared at {}", var.name, range_str(&var.range)),
        Some(ValueSource::Input) => format!("var.{} entered interactively", var.name),
    }
}

/// Finalizes one variable: applies the default when no value was given (or when `null` was
/// given and `nullable = false`), converts to the type constraint (with `optional` defaults),
/// marks sensitive variables, and runs `validation` blocks. `ctx.scope` answers references
/// other than `var.<this variable>` in validation conditions. On error the value is unknown.
pub fn finalize_variable(var: &Variable, raw: Option<&RawValue>, ctx: &EvalContext<'_>) -> (Value, Diagnostics) {
    let mut diags = Diagnostics::new();
    let subject = raw.and_then(|r| r.range.clone()).unwrap_or_else(|| var.range.clone());
    let given = raw.map(|r| r.value.clone());
    let value = match given {
        Some(v) if v.is_null() && !var.nullable => match &var.default {
            Some(d) if !d.is_null() => d.clone(),
            _ => {
                diags.push(
                    Diagnostic::error("Required variable not set")
                        .with_detail(format!("Unsuitable value for {}: required variable may not be set to null.", describe_source(var, raw)))
                        .with_subject(subject),
                );
                return (Value::Unknown(var.ty.to_type()), diags);
            }
        },
        Some(v) => v,
        None => match &var.default {
            Some(d) => d.clone(),
            None => {
                let mut d = Diagnostic::error("No value for required variable").with_subject(var.range.clone());
                if raw.is_none() {
                    d = d
                        .with_detail(format!(
                            "The root module input variable \"{}\" is not set, and has no default value. Use a -var or -var-file command line argument to provide a value for this variable.",
                            var.name
                        ))
                        .with_help(format!("pass -var=\"{}=…\", or add `default = …` to the variable block", var.name));
                }
                diags.push(d);
                return (Value::Unknown(var.ty.to_type()), diags);
            }
        },
    };
    let converted = match convert_to_constraint(&value, &var.ty) {
        Ok(v) => v,
        Err(msg) => {
            diags.push(
                Diagnostic::error("Invalid value for input variable")
                    .with_detail(format!("The given value is not suitable for {}: {msg}.", describe_source(var, raw)))
                    .with_subject(subject),
            );
            return (Value::Unknown(var.ty.to_type()), diags);
        }
    };
    let converted = converted.mark_if(var.sensitive);
    for rule in &var.validations {
        let scope = ValidationScope { name: &var.name, value: &converted, outer: ctx.scope };
        let vctx = EvalContext { scope: &scope, cwd: ctx.cwd };
        let (c, ds) = eval_expr(&rule.condition, &vctx);
        if ds.has_errors() {
            diags.extend(ds);
            continue;
        }
        let (c, _) = c.unmark();
        if !c.is_known() {
            continue;
        }
        let ok = match plinth_sdk::convert::convert(&c, &Type::Bool) {
            Ok(Value::Bool(b)) => b,
            _ => {
                diags.push(
                    Diagnostic::error("Invalid variable validation result")
                        .with_detail(format!("Invalid validation condition result value: a bool is required, but the condition produced {}.", c.type_of().friendly_name()))
                        .with_subject(rule.condition.range.clone()),
                );
                continue;
            }
        };
        if ok {
            continue;
        }
        let (m, mds) = eval_expr(&rule.error_message, &vctx);
        let msg = if mds.has_errors() {
            diags.extend(mds);
            "The error message could not be evaluated.".to_string()
        } else if m.is_sensitive() {
            "The error message included a sensitive value, so it will not be displayed.".to_string()
        } else {
            m.as_str().map(str::to_string).unwrap_or_else(|| "The error message is not a string.".into())
        };
        diags.push(
            Diagnostic::error("Invalid value for variable")
                .with_detail(format!("{msg}\n\nThis was checked by the validation rule at {}.", header_range(&rule.range, "validation")))
                .with_subject(subject.clone()),
        );
    }
    if diags.has_errors() {
        return (Value::Unknown(var.ty.to_type()).mark_if(var.sensitive), diags);
    }
    (converted, diags)
}

/// Finalizes every root module variable. With `input_allowed = false` a missing required
/// variable is an error ("No value for required variable"); with `true` it is returned in
/// the second element so the CLI can prompt for it and call [`finalize_variable`] again.
pub fn finalize_root_variables(
    root: &Module,
    raw: &BTreeMap<String, RawValue>,
    ctx: &EvalContext<'_>,
    input_allowed: bool,
) -> (BTreeMap<String, Value>, Vec<String>, Diagnostics) {
    let mut out = BTreeMap::new();
    let mut missing = Vec::new();
    let mut diags = Diagnostics::new();
    for (name, var) in &root.variables {
        let r = raw.get(name);
        if r.is_none() && var.default.is_none() && input_allowed {
            missing.push(name.clone());
            out.insert(name.clone(), Value::Unknown(var.ty.to_type()));
            continue;
        }
        let (v, ds) = finalize_variable(var, r, ctx);
        diags.extend(ds);
        out.insert(name.clone(), v);
    }
    (out, missing, diags)
}

/// `file:line,col-col` of a block's keyword (`validation`), as Terraform cites rules.
pub(crate) fn header_range(r: &SourceRange, keyword: &str) -> String {
    format!("{}:{},{}-{}", r.file.display(), r.start.line, r.start.column, r.start.column + keyword.len())
}
