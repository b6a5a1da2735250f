//! The evaluation environment shared by plan and apply: the configuration graph, the values
//! computed so far, and the evaluation of non-resource nodes (variables, locals, outputs,
//! module call expansion) and of `count`/`for_each`.

use crate::addr::{InstanceKey, ModuleInstance};
use crate::conditions::RuleKind;
use crate::confgraph::{module_at, ConfGraph, NodeKind};
use crate::scope::{EvalScope, Expansion, ModInst, Values};
use crate::Context;
use plinth_lang::{Expr, Module, ObjectAttrConstraint, TypeConstraint};
use plinth_sdk::{convert::convert, Diagnostic, Diagnostics, Type, Value};
use std::collections::BTreeMap;
use std::sync::RwLock;

pub struct Env<'a> {
    pub ctx: &'a Context,
    pub cg: ConfGraph,
    pub values: RwLock<Values>,
    /// Set by apply: conditions are then final (no "known after apply" warnings).
    pub apply_phase: bool,
}

impl<'a> Env<'a> {
    pub fn new(ctx: &'a Context) -> (Env<'a>, Diagnostics) {
        let (cg, diags) = ConfGraph::build(&ctx.config.root);
        (Env { ctx, cg, values: RwLock::new(Values::new()), apply_phase: false }, diags)
    }

    pub fn module(&self, path: &[String]) -> Option<&'a Module> {
        module_at(&self.ctx.config.root, path)
    }

    pub fn scope(&'a self, module: &'a Module, mi: &ModuleInstance, key: InstanceKey, each_value: Option<Value>) -> EvalScope<'a> {
        EvalScope {
            values: &self.values,
            module,
            root_dir: self.ctx.config.root.dir.as_path(),
            cwd: self.ctx.cwd.as_path(),
            workspace: &self.ctx.workspace,
            module_instance: mi.clone(),
            key,
            each_value,
            self_value: None,
        }
    }

    pub fn eval(&self, e: &Expr, scope: &EvalScope<'_>) -> (Value, Diagnostics) {
        let ectx = plinth_lang::EvalContext { scope, cwd: self.ctx.cwd.as_path() };
        plinth_lang::eval_expr(e, &ectx)
    }

    pub fn eval_body(&self, body: &plinth_lang::Body, block: &plinth_sdk::Block, scope: &EvalScope<'_>) -> (Value, Diagnostics) {
        let ectx = plinth_lang::EvalContext { scope, cwd: self.ctx.cwd.as_path() };
        plinth_lang::eval_body(body, block, &ectx)
    }

    pub fn module_instances(&self, path: &[String]) -> Vec<ModInst> {
        self.values.read().map(|v| v.module_insts.get(path).cloned().unwrap_or_default()).unwrap_or_default()
    }

    /// Evaluates a variable, local, output or module call node for every instance of its
    /// module. Resource nodes are handled by plan/apply.
    pub fn eval_simple_node(&self, id: usize, diags: &mut Diagnostics) {
        let node = self.cg.nodes[id].clone();
        let Some(m) = self.module(&node.module) else { return };
        let insts = self.module_instances(&node.module);
        match &node.kind {
            NodeKind::Var(name) => {
                let Some(var) = m.variables.get(name) else { return };
                for inst in &insts {
                    let v = if node.module.is_empty() {
                        match self.ctx.variables.get(name) {
                            Some(v) => v.clone(),
                            None => var.default.clone().unwrap_or_else(Value::null),
                        }
                    } else {
                        self.eval_module_input(&node.module, inst, name, var, diags)
                    };
                    let v = v.mark_if(var.sensitive);
                    if let Ok(mut w) = self.values.write() {
                        w.vars.insert((inst.addr.clone(), name.clone()), v);
                    }
                }
            }
            NodeKind::Local(name) => {
                let Some(l) = m.locals.get(name) else { return };
                for inst in &insts {
                    let (v, d) = {
                        let scope = self.scope(m, &inst.addr, InstanceKey::NoKey, None);
                        self.eval(&l.expr, &scope)
                    };
                    diags.extend(d);
                    if let Ok(mut w) = self.values.write() {
                        w.locals.insert((inst.addr.clone(), name.clone()), v);
                    }
                }
            }
            NodeKind::Output(name) => {
                let Some(o) = m.outputs.get(name) else { return };
                for inst in &insts {
                    if !o.preconditions.is_empty() {
                        let scope = self.scope(m, &inst.addr, InstanceKey::NoKey, None);
                        let out = crate::conditions::check_rules(self, &o.preconditions, &scope, RuleKind::OutputPrecondition, !self.apply_phase, None);
                        diags.extend(out.diags);
                        if out.failed {
                            // No value: the output is neither planned nor saved.
                            if let Ok(mut w) = self.values.write() {
                                w.outputs.insert((inst.addr.clone(), name.clone()), Value::unknown().mark_if(o.sensitive));
                                w.failed_outputs.insert((inst.addr.clone(), name.clone()));
                            }
                            continue;
                        }
                    }
                    let (v, d) = {
                        let scope = self.scope(m, &inst.addr, InstanceKey::NoKey, None);
                        self.eval(&o.expr, &scope)
                    };
                    let had_errors = d.has_errors();
                    diags.extend(d);
                    if !o.sensitive && v.contains_sensitive() && !had_errors {
                        diags.push(
                            Diagnostic::error("Output refers to sensitive values")
                                .with_detail(
                                    "To reduce the risk of accidentally exporting sensitive data that was intended to be only internal, Plinth requires that any root module output containing sensitive data be explicitly marked as sensitive, to confirm your intent.",
                                )
                                .with_subject(o.range.clone())
                                .with_help("if you do intend to export this data, annotate the output value as sensitive by adding `sensitive = true`"),
                        );
                    }
                    let v = v.mark_if(o.sensitive);
                    if let Ok(mut w) = self.values.write() {
                        w.outputs.insert((inst.addr.clone(), name.clone()), v);
                    }
                }
            }
            NodeKind::ModuleCall(name) => {
                let Some(call) = m.module_calls.get(name) else { return };
                let mut child_path = node.module.clone();
                child_path.push(name.clone());
                let mut children = Vec::new();
                for inst in &insts {
                    let exp = {
                        let scope = self.scope(m, &inst.addr, InstanceKey::NoKey, None);
                        self.expansion(call.count.as_ref(), call.for_each.as_ref(), &scope, diags)
                    };
                    for (key, each) in exp.keys() {
                        children.push(ModInst { addr: inst.addr.child(name, key), each_value: each });
                    }
                    if let Ok(mut w) = self.values.write() {
                        w.module_expansion.insert((inst.addr.clone(), name.clone()), exp);
                    }
                }
                if let Ok(mut w) = self.values.write() {
                    w.module_insts.insert(child_path, children);
                }
            }
            NodeKind::Check(name) => {
                let Some(c) = m.checks.iter().find(|c| c.name == *name) else { return };
                for inst in &insts {
                    let scope = self.scope(m, &inst.addr, InstanceKey::NoKey, None);
                    let out = crate::conditions::check_rules(self, &c.asserts, &scope, RuleKind::CheckAssertion, !self.apply_phase, None);
                    diags.extend(out.diags);
                }
            }
            NodeKind::ModuleExit(_) | NodeKind::Resource(_) => {}
        }
    }

    fn eval_module_input(&self, path: &[String], inst: &ModInst, name: &str, var: &plinth_lang::Variable, diags: &mut Diagnostics) -> Value {
        let parent_path = &path[..path.len() - 1];
        let call_name = &path[path.len() - 1];
        let Some(parent) = self.module(parent_path) else { return Value::unknown() };
        let Some(call) = parent.module_calls.get(call_name) else { return Value::unknown() };
        let parent_mi = inst.addr.parent().unwrap_or_default();
        let key = inst.addr.0.last().map(|(_, k)| k.clone()).unwrap_or_default();
        let raw = match call.inputs.get(name) {
            Some(a) => {
                let (v, d) = {
                    let scope = self.scope(parent, &parent_mi, key, inst.each_value.clone());
                    self.eval(&a.expr, &scope)
                };
                diags.extend(d);
                if v.is_null() && !var.nullable {
                    var.default.clone().unwrap_or(v)
                } else {
                    v
                }
            }
            None => match &var.default {
                Some(d) => d.clone(),
                None => {
                    diags.push(
                        Diagnostic::error("Missing required argument")
                            .with_detail(format!("The argument {name:?} is required, but no definition was found."))
                            .with_subject(call.range.clone())
                            .with_help(format!("set `{name} = …` in the module \"{call_name}\" block")),
                    );
                    Value::unknown()
                }
            },
        };
        match convert_constraint(&raw, &var.ty) {
            Ok(v) => v,
            Err(e) => {
                let subject = call.inputs.get(name).map(|a| a.range.clone()).unwrap_or_else(|| call.range.clone());
                diags.push(
                    Diagnostic::error("Invalid value for input variable")
                        .with_detail(format!("The given value is not suitable for module.{call_name}'s input variable {name:?}: {e}."))
                        .with_subject(subject),
                );
                Value::unknown()
            }
        }
    }

    /// Evaluates `count` / `for_each` (Terraform's rules and messages).
    pub fn expansion(&self, count: Option<&Expr>, for_each: Option<&Expr>, scope: &EvalScope<'_>, diags: &mut Diagnostics) -> Expansion {
        if let Some(e) = count {
            let (v, d) = self.eval(e, scope);
            let bad = d.has_errors();
            diags.extend(d);
            if bad {
                return Expansion::Count(0);
            }
            let err = |detail: &str| {
                Diagnostic::error("Invalid count argument").with_detail(detail.to_string()).with_subject(e.range.clone())
            };
            if v.is_sensitive() {
                diags.push(err("Sensitive values, or values derived from sensitive values, cannot be used as count arguments."));
                return Expansion::Count(0);
            }
            if !v.is_known() {
                diags.push(
                    err("The \"count\" value depends on resource attributes that cannot be determined until apply, so Plinth cannot predict how many instances will be created.")
                        .with_help("use -target to first apply only the resources that the count depends on"),
                );
                return Expansion::Count(0);
            }
            if v.is_null() {
                diags.push(err("The given \"count\" argument value is null. An integer is required."));
                return Expansion::Count(0);
            }
            let n = match convert(&v, &Type::Number) {
                Ok(n) => n,
                Err(_) => {
                    diags.push(err(&format!("The given \"count\" argument value is unsuitable: a number is required, not {}.", v.type_of().friendly_name())));
                    return Expansion::Count(0);
                }
            };
            match n.as_i64() {
                Some(i) if i >= 0 => Expansion::Count(i),
                Some(_) => {
                    diags.push(err("The given \"count\" argument value is unsuitable: must be greater than or equal to zero."));
                    Expansion::Count(0)
                }
                None => {
                    diags.push(err("The given \"count\" argument value is unsuitable: the value must be a whole number."));
                    Expansion::Count(0)
                }
            }
        } else if let Some(e) = for_each {
            let (v, d) = self.eval(e, scope);
            let bad = d.has_errors();
            diags.extend(d);
            if bad {
                return Expansion::ForEach(BTreeMap::new());
            }
            let err = |detail: String| {
                Diagnostic::error("Invalid for_each argument").with_detail(detail).with_subject(e.range.clone())
            };
            if v.contains_sensitive() && v.is_sensitive() {
                diags.push(err("Sensitive values, or values derived from sensitive values, cannot be used as for_each arguments. If used, the sensitive value could be exposed as a resource instance key.".into()));
                return Expansion::ForEach(BTreeMap::new());
            }
            if v.is_null() {
                diags.push(err("The given \"for_each\" argument value is null. A map, or set of strings is allowed.".into()));
                return Expansion::ForEach(BTreeMap::new());
            }
            let unknown_help = "use -target to first apply only the resources that the for_each value depends on, then apply a second time to fully converge";
            match v.unmarked() {
                Value::Unknown(t) => {
                    let what = if matches!(t, Type::Set(_)) { "set includes values" } else { "map includes keys" };
                    diags.push(err(format!("The \"for_each\" {what} derived from resource attributes that cannot be determined until apply, and so Plinth cannot determine the full set of keys that will identify the instances of this resource. When working with unknown values in for_each, it's better to define the map keys statically in your configuration and place apply-time results only in the map values.")).with_help(unknown_help));
                    Expansion::ForEach(BTreeMap::new())
                }
                Value::Map(_, m) | Value::Object(m) => Expansion::ForEach(m.clone()),
                Value::Set(_, items) => {
                    let mut out = BTreeMap::new();
                    for it in items {
                        if !it.is_known() {
                            diags.push(err("The \"for_each\" set includes values derived from resource attributes that cannot be determined until apply, and so Plinth cannot determine the full set of keys that will identify the instances of this resource. When working with unknown values in for_each, it's better to use a map value where the keys are defined statically in your configuration and where only the values contain apply-time results.".into()).with_help(unknown_help));
                            return Expansion::ForEach(BTreeMap::new());
                        }
                        match it.as_str() {
                            Some(s) => {
                                out.insert(s.to_string(), it.clone());
                            }
                            None if it.is_null() => {
                                diags.push(err("The given \"for_each\" argument value is unsuitable: \"for_each\" sets must not contain null values.".into()));
                                return Expansion::ForEach(BTreeMap::new());
                            }
                            None => {
                                diags.push(err(format!("The given \"for_each\" argument value is unsuitable: \"for_each\" supports maps and sets of strings, but you have provided a set containing type {}.", it.type_of().friendly_name())));
                                return Expansion::ForEach(BTreeMap::new());
                            }
                        }
                    }
                    Expansion::ForEach(out)
                }
                other => {
                    diags.push(err(format!("The given \"for_each\" argument value is unsuitable: the \"for_each\" argument must be a map, or set of strings, and you have provided a value of type {}.", other.type_of().friendly_name())).with_help("convert a list to a set with toset(...)"));
                    Expansion::ForEach(BTreeMap::new())
                }
            }
        } else {
            Expansion::Single
        }
    }
}

/// Converts a value to a variable's type constraint, filling `optional(T, default)` attributes.
pub fn convert_constraint(v: &Value, tc: &TypeConstraint) -> Result<Value, String> {
    if let Value::Sensitive(inner) = v {
        return Ok(convert_constraint(inner, tc)?.mark_sensitive());
    }
    if v.is_null() {
        return Ok(Value::Null(constraint_type(tc)));
    }
    if !v.is_known() {
        return Ok(Value::Unknown(constraint_type(tc)));
    }
    match tc {
        TypeConstraint::Any => Ok(v.clone()),
        TypeConstraint::Primitive(t) => convert(v, t).map_err(|e| e.to_string()),
        TypeConstraint::List(inner) | TypeConstraint::Set(inner) => {
            let items = v.as_seq().ok_or_else(|| format!("{} required", constraint_type(tc).friendly_name()))?;
            let conv: Vec<Value> = items.iter().map(|x| convert_constraint(x, inner)).collect::<Result<_, _>>()?;
            let want = match tc {
                TypeConstraint::List(_) => Type::list(constraint_type(inner)),
                _ => Type::set(constraint_type(inner)),
            };
            convert(&Value::Tuple(conv), &want).map_err(|e| e.to_string())
        }
        TypeConstraint::Map(inner) => {
            let items = v.as_map().ok_or("map required")?;
            let conv: BTreeMap<String, Value> =
                items.iter().map(|(k, x)| Ok((k.clone(), convert_constraint(x, inner)?))).collect::<Result<_, String>>()?;
            convert(&Value::Object(conv), &Type::map(constraint_type(inner))).map_err(|e| e.to_string())
        }
        TypeConstraint::Tuple(ts) => {
            let items = v.as_seq().ok_or("tuple required")?;
            if items.len() != ts.len() {
                return Err(format!("tuple required with exactly {} elements", ts.len()));
            }
            Ok(Value::Tuple(items.iter().zip(ts).map(|(x, t)| convert_constraint(x, t)).collect::<Result<_, _>>()?))
        }
        TypeConstraint::Object(attrs) => {
            let items = v.as_map().ok_or("object required")?;
            let mut out = BTreeMap::new();
            for (k, ObjectAttrConstraint { ty, optional, default }) in attrs {
                match items.get(k) {
                    Some(x) if !(x.is_null() && default.is_some()) => {
                        out.insert(k.clone(), convert_constraint(x, ty).map_err(|e| format!("attribute {k:?}: {e}"))?);
                    }
                    _ if *optional || default.is_some() => {
                        let d = default.clone().unwrap_or(Value::Null(constraint_type(ty)));
                        out.insert(k.clone(), convert_constraint(&d, ty)?);
                    }
                    _ => return Err(format!("attribute {k:?} is required")),
                }
            }
            Ok(Value::Object(out))
        }
    }
}

pub fn constraint_type(tc: &TypeConstraint) -> Type {
    match tc {
        TypeConstraint::Any => Type::Dynamic,
        TypeConstraint::Primitive(t) => t.clone(),
        TypeConstraint::List(t) => Type::list(constraint_type(t)),
        TypeConstraint::Set(t) => Type::set(constraint_type(t)),
        TypeConstraint::Map(t) => Type::map(constraint_type(t)),
        TypeConstraint::Tuple(ts) => Type::Tuple(ts.iter().map(constraint_type).collect()),
        TypeConstraint::Object(m) => Type::Object(m.iter().map(|(k, a)| (k.clone(), constraint_type(&a.ty))).collect()),
    }
}
