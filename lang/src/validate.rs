//! Static validation for `plinth validate`, without provider schemas (the engine adds those):
//!
//! - every reference resolves to something declared (`var`, `local`, resources, data sources,
//!   module calls and their outputs), `count.index` only where `count` is set, `each.*` only
//!   where `for_each` is set, `self` only in postconditions;
//! - no cycles between locals, resources and module calls (the cycle path is reported);
//! - module call inputs match the child's variables (unknown names, missing required ones,
//!   values of the wrong type);
//! - every expression is evaluated with unknown resources, so type errors, bad function calls
//!   and invalid `count` / `for_each` values that are known statically are caught.
//!
//! [`count_value`] and [`for_each_value`] check `count` / `for_each` values for the engine too.

use crate::config::{Body, Config, Expr, Module};
use crate::console::{undeclared_module, undeclared_resource, undeclared_var, StaticScope};
use crate::eval::{collect_refs, eval_expr_with_vars, EvalContext};
use crate::load::range_str;
use crate::reference::Reference;
use crate::suggest::suggest;
use crate::typeexpr::convert_to_constraint;
use plinth_sdk::{Diagnostic, Diagnostics, SourceRange, Type, Value};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Runs every static check over the whole module tree.
pub fn validate_config(config: &Config) -> Diagnostics {
    let mut diags = Diagnostics::new();
    for m in config.root.walk() {
        validate_module(m, &mut diags);
    }
    dedupe(diags)
}

fn dedupe(diags: Diagnostics) -> Diagnostics {
    let mut seen = BTreeSet::new();
    let mut out = Diagnostics::new();
    for d in diags {
        let key = (d.summary.clone(), d.subject.as_ref().map(|s| (s.file.clone(), s.start.byte, s.end.byte)), d.detail.clone());
        if seen.insert(key) {
            out.push(d);
        }
    }
    out
}

#[derive(Clone, Copy, Default)]
struct Ctx<'a> {
    count: bool,
    each: bool,
    self_ok: bool,
    /// The block's own address, for self-references.
    own: Option<&'a str>,
}

/// Where each expression of a module is, with its context.
struct Item<'a> {
    expr: &'a Expr,
    ctx: Ctx<'a>,
    bound: Vec<String>,
}

fn body_items<'a>(b: &'a Body, ctx: Ctx<'a>, bound: &mut Vec<String>, out: &mut Vec<Item<'a>>) {
    for a in b.attributes.values() {
        out.push(Item { expr: &a.expr, ctx, bound: bound.clone() });
    }
    for nb in &b.blocks {
        match &nb.dynamic {
            None => body_items(&nb.body, ctx, bound, out),
            Some(d) => {
                out.push(Item { expr: &d.for_each, ctx, bound: bound.clone() });
                bound.push(d.iterator.clone());
                for l in &d.labels {
                    out.push(Item { expr: l, ctx, bound: bound.clone() });
                }
                body_items(&d.content, ctx, bound, out);
                bound.pop();
            }
        }
    }
}

fn module_items(m: &Module) -> Vec<Item<'_>> {
    let mut out = Vec::new();
    let plain = Ctx::default();
    for p in &m.providers {
        body_items(&p.body, plain, &mut Vec::new(), &mut out);
    }
    for v in m.variables.values() {
        for r in &v.validations {
            out.push(Item { expr: &r.condition, ctx: plain, bound: Vec::new() });
            out.push(Item { expr: &r.error_message, ctx: plain, bound: Vec::new() });
        }
    }
    for l in m.locals.values() {
        out.push(Item { expr: &l.expr, ctx: plain, bound: Vec::new() });
    }
    for o in m.outputs.values() {
        out.push(Item { expr: &o.expr, ctx: plain, bound: Vec::new() });
        for d in &o.depends_on {
            out.push(Item { expr: d, ctx: plain, bound: Vec::new() });
        }
        for r in &o.preconditions {
            out.push(Item { expr: &r.condition, ctx: plain, bound: Vec::new() });
            out.push(Item { expr: &r.error_message, ctx: plain, bound: Vec::new() });
        }
    }
    for (key, r) in &m.resources {
        let ctx = Ctx { count: r.count.is_some(), each: r.for_each.is_some(), self_ok: false, own: Some(key.as_str()) };
        if let Some(c) = &r.count {
            out.push(Item { expr: c, ctx: Ctx { count: false, each: false, ..ctx }, bound: Vec::new() });
        }
        if let Some(f) = &r.for_each {
            out.push(Item { expr: f, ctx: Ctx { count: false, each: false, ..ctx }, bound: Vec::new() });
        }
        for d in &r.depends_on {
            out.push(Item { expr: d, ctx, bound: Vec::new() });
        }
        body_items(&r.body, ctx, &mut Vec::new(), &mut out);
        for e in &r.lifecycle.replace_triggered_by {
            out.push(Item { expr: e, ctx, bound: Vec::new() });
        }
        for rule in &r.lifecycle.preconditions {
            out.push(Item { expr: &rule.condition, ctx, bound: Vec::new() });
            out.push(Item { expr: &rule.error_message, ctx, bound: Vec::new() });
        }
        let post = Ctx { self_ok: true, ..ctx };
        for rule in &r.lifecycle.postconditions {
            out.push(Item { expr: &rule.condition, ctx: post, bound: Vec::new() });
            out.push(Item { expr: &rule.error_message, ctx: post, bound: Vec::new() });
        }
    }
    for c in m.module_calls.values() {
        let ctx = Ctx { count: c.count.is_some(), each: c.for_each.is_some(), self_ok: false, own: None };
        if let Some(e) = &c.count {
            out.push(Item { expr: e, ctx: plain, bound: Vec::new() });
        }
        if let Some(e) = &c.for_each {
            out.push(Item { expr: e, ctx: plain, bound: Vec::new() });
        }
        for d in &c.depends_on {
            out.push(Item { expr: d, ctx, bound: Vec::new() });
        }
        for a in c.inputs.values() {
            out.push(Item { expr: &a.expr, ctx, bound: Vec::new() });
        }
    }
    for i in &m.imports {
        out.push(Item { expr: &i.id, ctx: plain, bound: Vec::new() });
    }
    for c in &m.checks {
        for r in &c.asserts {
            out.push(Item { expr: &r.condition, ctx: plain, bound: Vec::new() });
            out.push(Item { expr: &r.error_message, ctx: plain, bound: Vec::new() });
        }
    }
    out
}

fn range_of(e: &Expr, sp: Option<std::ops::Range<usize>>) -> SourceRange {
    match sp {
        Some(s) if s.end <= e.file.text.len() => e.file.range(s),
        _ => e.range.clone(),
    }
}

fn check_refs(m: &Module, item: &Item<'_>, diags: &mut Diagnostics) {
    let e = item.expr;
    let mut bound = item.bound.clone();
    let mut found = Vec::new();
    collect_refs(&e.expr, &e.file, &mut bound, &mut |r, sp, next| found.push((r, sp, next.map(|(n, s)| (n.to_string(), s)))));
    for (r, sp, next) in found {
        let range = range_of(e, sp);
        match &r {
            Reference::Var(n) => {
                if !m.variables.contains_key(n) {
                    diags.push(undeclared_var(m, n, &range));
                }
            }
            Reference::Local(n) => {
                if !m.locals.contains_key(n) {
                    let mut d = Diagnostic::error("Reference to undeclared local value")
                        .with_detail(format!("A local value with the name \"{n}\" has not been declared."))
                        .with_subject(range);
                    if let Some(s) = suggest(n, m.locals.keys().map(String::as_str)) {
                        d = d.with_help(format!("did you mean `local.{s}`?"));
                    }
                    diags.push(d);
                }
            }
            Reference::Resource { type_name, name } | Reference::Data { type_name, name } => {
                let key = if matches!(r, Reference::Data { .. }) { format!("data.{type_name}.{name}") } else { format!("{type_name}.{name}") };
                if !m.resources.contains_key(&key) {
                    diags.push(undeclared_resource(m, &key, &range));
                } else if item.ctx.own == Some(key.as_str()) && !item.ctx.self_ok {
                    diags.push(
                        Diagnostic::error("Self-referential block")
                            .with_detail(format!("Configuration for {key} may not refer to itself."))
                            .with_subject(range)
                            .with_help("use `self` in a postcondition, or refer to another resource"),
                    );
                }
            }
            Reference::Module(n) => match m.module_calls.get(n) {
                None => diags.push(undeclared_module(m, n, &range)),
                Some(c) => {
                    let loaded = !c.module.dir.as_os_str().is_empty();
                    if let (true, Some((attr, asp)), true) = (loaded, next, c.count.is_none() && c.for_each.is_none()) {
                        if !c.module.outputs.contains_key(&attr) {
                            let mut d = Diagnostic::error("Unsupported attribute")
                                .with_detail(format!("This object does not have an attribute named \"{attr}\": module.{n} declares no output value of that name."))
                                .with_subject(range_of(e, asp));
                            if let Some(s) = suggest(&attr, c.module.outputs.keys().map(String::as_str)) {
                                d = d.with_help(format!("did you mean `module.{n}.{s}`?"));
                            }
                            diags.push(d);
                        }
                    }
                }
            },
            Reference::CountIndex => {
                if !item.ctx.count {
                    diags.push(
                        Diagnostic::error("Reference to \"count\" in non-counted context")
                            .with_detail("The \"count\" object can only be used in \"module\", \"resource\", and \"data\" blocks, and only when the \"count\" argument is set.")
                            .with_subject(range)
                            .with_help("set `count` on this block, or remove the reference"),
                    );
                }
            }
            Reference::EachKey | Reference::EachValue => {
                if !item.ctx.each {
                    diags.push(
                        Diagnostic::error("Reference to \"each\" in context without for_each")
                            .with_detail("The \"each\" object can be used only in \"module\" or \"resource\" blocks, and only when the \"for_each\" argument is set.")
                            .with_subject(range)
                            .with_help("set `for_each` on this block, or remove the reference"),
                    );
                }
            }
            Reference::SelfObject => {
                if !item.ctx.self_ok {
                    diags.push(
                        Diagnostic::error("Invalid \"self\" reference")
                            .with_detail("The \"self\" object is not available in this context. This object can be used only in resource provisioner, connection, and postcondition blocks.")
                            .with_subject(range)
                            .with_help(item.ctx.own.map(|o| format!("refer to the resource by name, e.g. `{o}`")).unwrap_or_else(|| "remove the reference to `self`".into())),
                    );
                }
            }
            Reference::PathModule | Reference::PathRoot | Reference::PathCwd | Reference::TerraformWorkspace | Reference::Iterator(_) => {}
        }
    }
}

fn validate_module(m: &Module, diags: &mut Diagnostics) {
    let items = module_items(m);
    for it in &items {
        check_refs(m, it, diags);
    }
    // Static evaluation with unknown resources.
    let mut scope = StaticScope::new(m, BTreeMap::new(), std::path::Path::new("."));
    scope.lenient = true;
    scope.allow_instance_refs = true;
    let cwd = std::env::current_dir().unwrap_or_default();
    let ctx = EvalContext { scope: &scope, cwd: &cwd };
    for it in &items {
        let vars: Vec<(String, Value)> = it.bound.iter().map(|b| (b.clone(), Value::unknown())).collect();
        let (_, ds) = eval_expr_with_vars(it.expr, &ctx, &vars);
        for d in ds {
            if d.summary != "Cycle in local values" {
                diags.push(d);
            }
        }
    }
    // count / for_each values known statically.
    let metas = m
        .resources
        .values()
        .map(|r| (&r.count, &r.for_each))
        .chain(m.module_calls.values().map(|c| (&c.count, &c.for_each)));
    for (count, for_each) in metas {
        if let Some(c) = count {
            let (v, ds) = eval_expr_with_vars(c, &ctx, &[]);
            if !ds.has_errors() {
                if let Err(d) = count_value(&v, &c.range) {
                    diags.push(d);
                }
            }
        }
        if let Some(f) = for_each {
            let (v, ds) = eval_expr_with_vars(f, &ctx, &[]);
            if !ds.has_errors() {
                if let Err(d) = for_each_value(&v, &f.range) {
                    diags.push(d);
                }
            }
        }
    }
    // Module call inputs.
    for c in m.module_calls.values() {
        if c.module.dir.as_os_str().is_empty() {
            continue;
        }
        let child = &c.module;
        for (name, a) in &c.inputs {
            match child.variables.get(name) {
                None => {
                    let mut d = Diagnostic::error("Unsupported argument")
                        .with_detail(format!("An argument named \"{name}\" is not expected here: module.{} declares no input variable of that name.", c.name))
                        .with_subject(a.name_range.clone());
                    if let Some(s) = suggest(name, child.variables.keys().map(String::as_str)) {
                        d = d.with_help(format!("did you mean `{s}`?"));
                    }
                    diags.push(d);
                }
                Some(var) => {
                    let (v, ds) = eval_expr_with_vars(&a.expr, &ctx, &[]);
                    if ds.has_errors() || !v.is_wholly_known() {
                        continue;
                    }
                    if let Err(msg) = convert_to_constraint(&v, &var.ty) {
                        diags.push(
                            Diagnostic::error("Invalid value for input variable")
                                .with_detail(format!("The given value is not suitable for module.{}.var.{name} declared at {}: {msg}.", c.name, range_str(&var.range)))
                                .with_subject(a.expr.range.clone()),
                        );
                    } else if v.is_null() && !var.nullable && var.default.is_none() {
                        diags.push(
                            Diagnostic::error("Required variable not set")
                                .with_detail(format!("The given value is not suitable for module.{}.var.{name}: required variable may not be set to null.", c.name))
                                .with_subject(a.expr.range.clone()),
                        );
                    }
                }
            }
        }
        for (name, var) in &child.variables {
            if var.default.is_none() && !c.inputs.contains_key(name) {
                diags.push(
                    Diagnostic::error("Missing required argument")
                        .with_detail(format!("The argument \"{name}\" is required, but no definition was found. module.{} declares it without a default value.", c.name))
                        .with_subject(c.range.clone())
                        .with_help(format!("add `{name} = …` to the module block")),
                );
            }
        }
    }
    find_cycles(m, diags);
}

/// Checks a `count` value: a whole, non-negative number. `Ok(None)` when unknown.
pub fn count_value(v: &Value, range: &SourceRange) -> Result<Option<i64>, Diagnostic> {
    let bad = |why: &str| {
        Diagnostic::error("Invalid count argument")
            .with_detail(format!("The given \"count\" argument value is unsuitable: {why}"))
            .with_subject(range.clone())
    };
    let (v, _) = v.clone().unmark();
    if v.is_null() {
        return Err(bad("must not be null."));
    }
    if !v.is_known() {
        return Ok(None);
    }
    let n = match plinth_sdk::convert::convert(&v, &Type::Number) {
        Ok(Value::Number(n)) => n,
        _ => return Err(bad(&format!("a number is required, but it is {}.", v.type_of().friendly_name()))),
    };
    if !n.is_integer() {
        return Err(bad("the value must be a whole number."));
    }
    match n.to_i64() {
        Some(i) if i >= 0 => Ok(Some(i)),
        _ => Err(bad("must be greater than or equal to zero.")),
    }
}

/// Checks a `for_each` value: a map, an object, or a set of strings. Returns the instances
/// by key (`each.key` → `each.value`), or `Ok(None)` when not known yet.
pub fn for_each_value(v: &Value, range: &SourceRange) -> Result<Option<BTreeMap<String, Value>>, Diagnostic> {
    let bad = |why: String, help: Option<&str>| {
        let mut d = Diagnostic::error("Invalid for_each argument")
            .with_detail(format!("The given \"for_each\" argument value is unsuitable: {why}"))
            .with_subject(range.clone());
        if let Some(h) = help {
            d = d.with_help(h);
        }
        d
    };
    if v.is_sensitive() {
        return Err(bad(
            "Sensitive values, or values derived from sensitive values, cannot be used as for_each arguments. If used, the sensitive value could be exposed as a resource instance key.".into(),
            Some("use `nonsensitive(…)` if the keys are not secret"),
        ));
    }
    if v.is_null() {
        return Err(bad("the given \"for_each\" argument value is null. A map, or set of strings is allowed.".into(), None));
    }
    if !v.is_known() {
        return Ok(None);
    }
    match v {
        Value::Map(_, m) | Value::Object(m) => Ok(Some(m.clone())),
        Value::Set(_, items) => {
            let mut out = BTreeMap::new();
            for x in items {
                if !x.is_known() {
                    return Ok(None);
                }
                match x.unmarked() {
                    Value::String(s) => {
                        out.insert(s.clone(), x.clone());
                    }
                    Value::Null(_) => return Err(bad("the given \"for_each\" argument value is unsuitable: \"for_each\" sets must not contain null values.".into(), None)),
                    other => {
                        return Err(bad(
                            format!("the \"for_each\" argument must be a map, or set of strings, and you have provided a set of {}.", other.type_of().friendly_name()),
                            Some("convert the elements with `toset([for x in … : tostring(x)])`"),
                        ))
                    }
                }
            }
            Ok(Some(out))
        }
        other => Err(bad(
            format!("the \"for_each\" argument must be a map, or set of strings, and you have provided a value of type {}.", describe(&other.type_of())),
            matches!(other, Value::Tuple(_) | Value::List(..)).then_some("wrap the list in `toset(…)` to use its elements as keys"),
        )),
    }
}

fn describe(t: &Type) -> String {
    match t {
        Type::Tuple(_) => "tuple".into(),
        Type::List(e) => format!("list of {}", e.friendly_name()),
        other => other.friendly_name(),
    }
}

/// Every expression of a resource that creates a dependency.
fn resource_exprs(r: &crate::config::Resource) -> Vec<&Expr> {
    let mut exprs: Vec<&Expr> = Vec::new();
    exprs.extend(r.count.iter());
    exprs.extend(r.for_each.iter());
    exprs.extend(r.depends_on.iter());
    let mut items = Vec::new();
    body_items(&r.body, Ctx::default(), &mut Vec::new(), &mut items);
    exprs.extend(items.iter().map(|i| i.expr));
    exprs.extend(r.lifecycle.replace_triggered_by.iter());
    exprs
}

/// For each output of `child`, the child's input variables it depends on (transitively
/// through locals, resources and nested module calls, the latter conservatively).
fn output_var_deps(child: &Module) -> BTreeMap<String, BTreeSet<String>> {
    fn targets(m: &Module, exprs: &[&Expr]) -> Vec<String> {
        let mut out = Vec::new();
        for e in exprs {
            let mut bound = Vec::new();
            collect_refs(&e.expr, &e.file, &mut bound, &mut |r, _, _| {
                let t = match &r {
                    Reference::Var(n) => format!("var.{n}"),
                    Reference::Local(n) => format!("local.{n}"),
                    Reference::Resource { type_name, name } => format!("{type_name}.{name}"),
                    Reference::Data { type_name, name } => format!("data.{type_name}.{name}"),
                    Reference::Module(n) => format!("module.{n}"),
                    _ => return,
                };
                out.push(t);
            });
        }
        let _ = m;
        out
    }
    let node_targets = |n: &str| -> Vec<String> {
        if let Some(l) = n.strip_prefix("local.").and_then(|l| child.locals.get(l)) {
            return targets(child, &[&l.expr]);
        }
        if let Some(c) = n.strip_prefix("module.").and_then(|c| child.module_calls.get(c)) {
            let mut exprs: Vec<&Expr> = c.inputs.values().map(|a| &a.expr).collect();
            exprs.extend(c.count.iter());
            exprs.extend(c.for_each.iter());
            exprs.extend(c.depends_on.iter());
            return targets(child, &exprs);
        }
        if let Some(r) = child.resources.get(n) {
            return targets(child, &resource_exprs(r));
        }
        Vec::new()
    };
    let mut out = BTreeMap::new();
    for (name, o) in &child.outputs {
        let mut exprs: Vec<&Expr> = vec![&o.expr];
        exprs.extend(o.depends_on.iter());
        let mut stack = targets(child, &exprs);
        let mut seen = BTreeSet::new();
        let mut vars = BTreeSet::new();
        while let Some(t) = stack.pop() {
            if !seen.insert(t.clone()) {
                continue;
            }
            if let Some(v) = t.strip_prefix("var.") {
                vars.insert(v.to_string());
            } else {
                stack.extend(node_targets(&t));
            }
        }
        out.insert(name.clone(), vars);
    }
    out
}

/// Detects reference cycles between locals, resources and module calls. Module calls whose
/// child is loaded are split into one node per input and per output (an output depends only
/// on the inputs it uses), so two modules feeding each other unrelated values are no cycle.
fn find_cycles(m: &Module, diags: &mut Diagnostics) {
    // Node → (target node → first reference range).
    let mut edges: BTreeMap<String, BTreeMap<String, SourceRange>> = BTreeMap::new();
    let loaded = |n: &str| m.module_calls.get(n).is_some_and(|c| !c.module.dir.as_os_str().is_empty());
    let add = |from: &str, exprs: Vec<&Expr>, edges: &mut BTreeMap<String, BTreeMap<String, SourceRange>>| {
        let entry = edges.entry(from.to_string()).or_default();
        for e in exprs {
            let mut bound = Vec::new();
            let mut found = Vec::new();
            collect_refs(&e.expr, &e.file, &mut bound, &mut |r, sp, next| found.push((r, sp, next.map(|(n, s)| (n.to_string(), s)))));
            for (r, sp, next) in found {
                let tos: Vec<String> = match &r {
                    Reference::Local(n) if m.locals.contains_key(n) => vec![format!("local.{n}")],
                    Reference::Resource { type_name, name } if m.resources.contains_key(&format!("{type_name}.{name}")) => vec![format!("{type_name}.{name}")],
                    Reference::Data { type_name, name } if m.resources.contains_key(&format!("data.{type_name}.{name}")) => vec![format!("data.{type_name}.{name}")],
                    Reference::Module(n) if loaded(n) => {
                        let outs = &m.module_calls[n].module.outputs;
                        match next {
                            Some((a, _)) if outs.contains_key(&a) => vec![format!("module.{n}.{a}")],
                            _ => outs.keys().map(|o| format!("module.{n}.{o}")).collect(),
                        }
                    }
                    Reference::Module(n) if m.module_calls.contains_key(n) => vec![format!("module.{n}")],
                    _ => continue,
                };
                for to in tos {
                    entry.entry(to).or_insert_with(|| range_of(e, sp.clone()));
                }
            }
        }
    };
    for (n, l) in &m.locals {
        add(&format!("local.{n}"), vec![&l.expr], &mut edges);
    }
    for (k, r) in &m.resources {
        add(k, resource_exprs(r), &mut edges);
    }
    for (n, c) in &m.module_calls {
        let mut meta: Vec<&Expr> = Vec::new();
        meta.extend(c.count.iter());
        meta.extend(c.for_each.iter());
        meta.extend(c.depends_on.iter());
        if !loaded(n) {
            meta.extend(c.inputs.values().map(|a| &a.expr));
            add(&format!("module.{n}"), meta, &mut edges);
            continue;
        }
        add(&format!("module.{n}"), meta, &mut edges);
        for (v, a) in &c.inputs {
            add(&format!("module.{n}.var.{v}"), vec![&a.expr], &mut edges);
        }
        for (o, vars) in output_var_deps(&c.module) {
            let entry = edges.entry(format!("module.{n}.{o}")).or_default();
            entry.insert(format!("module.{n}"), c.range.clone());
            for v in vars {
                if let Some(a) = c.inputs.get(&v) {
                    entry.insert(format!("module.{n}.var.{v}"), a.range.clone());
                }
            }
        }
    }
    // Self-references of resources are reported by the reference check.
    for scc in tarjan(&edges) {
        if scc.len() < 2 {
            continue;
        }
        let set: BTreeSet<&String> = scc.iter().collect();
        let start = scc.iter().min().cloned().unwrap_or_default();
        // Shortest path from start back to start inside the component.
        let mut prev: BTreeMap<String, String> = BTreeMap::new();
        let mut q = VecDeque::from([start.clone()]);
        let mut closing = None;
        while let Some(n) = q.pop_front() {
            for t in edges.get(&n).map(|e| e.keys().cloned().collect::<Vec<_>>()).unwrap_or_default() {
                if !set.contains(&t) {
                    continue;
                }
                if t == start {
                    closing = Some(n.clone());
                    q.clear();
                    break;
                }
                if !prev.contains_key(&t) {
                    prev.insert(t.clone(), n.clone());
                    q.push_back(t);
                }
            }
        }
        let Some(last) = closing else { continue };
        let mut path = vec![last.clone()];
        let mut cur = last;
        while cur != start {
            let Some(p) = prev.get(&cur) else { break };
            path.push(p.clone());
            cur = p.clone();
        }
        path.reverse();
        path.push(start.clone());
        let range = path.get(1).and_then(|next| edges.get(&start).and_then(|e| e.get(next))).cloned();
        diags.push(
            Diagnostic::error(format!("Cycle: {}", scc_sorted(&scc)))
                .with_detail(format!("These objects refer to each other, so none of them can be evaluated first:\n  {}", path.join(" → ")))
                .with_subject_opt(range)
                .with_help("break the cycle by removing one of these references"),
        );
    }
}

fn scc_sorted(scc: &[String]) -> String {
    let mut v = scc.to_vec();
    v.sort();
    v.join(", ")
}

/// Strongly connected components (iterative Tarjan, so deep graphs cannot overflow the stack).
fn tarjan(edges: &BTreeMap<String, BTreeMap<String, SourceRange>>) -> Vec<Vec<String>> {
    let nodes: Vec<&String> = edges.keys().collect();
    let idx: BTreeMap<&String, usize> = nodes.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let adj: Vec<Vec<usize>> = nodes.iter().map(|n| edges[*n].keys().filter_map(|t| idx.get(t).copied()).collect()).collect();
    let n = nodes.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut out = Vec::new();
    let mut counter = 0;
    for s in 0..n {
        if index[s] != usize::MAX {
            continue;
        }
        let mut work: Vec<(usize, usize)> = vec![(s, 0)];
        while let Some((v, i)) = work.pop() {
            if i == 0 {
                index[v] = counter;
                low[v] = counter;
                counter += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if i < adj[v].len() {
                work.push((v, i + 1));
                let w = adj[v][i];
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            if low[v] == index[v] {
                let mut comp = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    comp.push(nodes[w].clone());
                    if w == v {
                        break;
                    }
                }
                out.push(comp);
            }
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
        }
    }
    out
}
