//! Evaluation state shared by plan and apply: the values of variables, locals, outputs,
//! resources and module expansions per *module instance*, and [`EvalScope`], the
//! implementation of [`plinth_lang::Scope`] over them.

use crate::addr::{InstanceKey, ModuleInstance};
use crate::confgraph::ModPath;
use plinth_lang::{Module, Reference, ResourceMode, Scope};
use plinth_sdk::{Diagnostic, SourceRange, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::RwLock;

/// How a resource or module call is repeated.
#[derive(Clone, Debug, PartialEq)]
pub enum Expansion {
    Single,
    Count(i64),
    /// Keys → `each.value`.
    ForEach(BTreeMap<String, Value>),
}

impl Expansion {
    pub fn keys(&self) -> Vec<(InstanceKey, Option<Value>)> {
        match self {
            Expansion::Single => vec![(InstanceKey::NoKey, None)],
            Expansion::Count(n) => (0..*n).map(|i| (InstanceKey::Int(i), None)).collect(),
            Expansion::ForEach(m) => m.iter().map(|(k, v)| (InstanceKey::Str(k.clone()), Some(v.clone()))).collect(),
        }
    }
}

/// One expanded module instance and the key data of its call (for `count.index` / `each.*`
/// in the call's inputs).
#[derive(Clone, Debug)]
pub struct ModInst {
    pub addr: ModuleInstance,
    pub each_value: Option<Value>,
}

#[derive(Clone, Debug)]
pub struct ResVals {
    pub expansion: Expansion,
    pub instances: BTreeMap<InstanceKey, Value>,
}

#[derive(Default)]
pub struct Values {
    pub vars: HashMap<(ModuleInstance, String), Value>,
    pub locals: HashMap<(ModuleInstance, String), Value>,
    pub outputs: HashMap<(ModuleInstance, String), Value>,
    /// Outputs whose precondition failed: neither planned nor saved.
    pub failed_outputs: std::collections::HashSet<(ModuleInstance, String)>,
    pub resources: HashMap<(ModuleInstance, String), ResVals>,
    /// Expanded instances of each configuration module path.
    pub module_insts: HashMap<ModPath, Vec<ModInst>>,
    /// Expansion of each module call in each parent instance.
    pub module_expansion: HashMap<(ModuleInstance, String), Expansion>,
}

impl Values {
    pub fn new() -> Self {
        let mut v = Values::default();
        v.module_insts.insert(Vec::new(), vec![ModInst { addr: ModuleInstance::root(), each_value: None }]);
        v
    }

    /// The whole value of a resource: object (single), tuple (count), object (for_each).
    pub fn resource_value(&self, mi: &ModuleInstance, key: &str) -> Option<Value> {
        let rv = self.resources.get(&(mi.clone(), key.to_string()))?;
        Some(match &rv.expansion {
            Expansion::Single => rv.instances.get(&InstanceKey::NoKey).cloned().unwrap_or_else(Value::unknown),
            Expansion::Count(n) => Value::Tuple(
                (0..*n).map(|i| rv.instances.get(&InstanceKey::Int(i)).cloned().unwrap_or_else(Value::unknown)).collect(),
            ),
            Expansion::ForEach(m) => Value::Object(
                m.keys()
                    .map(|k| (k.clone(), rv.instances.get(&InstanceKey::Str(k.clone())).cloned().unwrap_or_else(Value::unknown)))
                    .collect(),
            ),
        })
    }

    /// `module.NAME` from module instance `mi`: object of outputs, or tuple/object of those.
    pub fn module_value(&self, mi: &ModuleInstance, name: &str, call_module: &Module) -> Option<Value> {
        let exp = self.module_expansion.get(&(mi.clone(), name.to_string()))?;
        let outputs_of = |key: InstanceKey| {
            let child = mi.child(name, key);
            Value::Object(
                call_module
                    .outputs
                    .keys()
                    .map(|o| (o.clone(), self.outputs.get(&(child.clone(), o.clone())).cloned().unwrap_or_else(Value::unknown)))
                    .collect(),
            )
        };
        Some(match exp {
            Expansion::Single => outputs_of(InstanceKey::NoKey),
            Expansion::Count(n) => Value::Tuple((0..*n).map(|i| outputs_of(InstanceKey::Int(i))).collect()),
            Expansion::ForEach(m) => {
                Value::Object(m.keys().map(|k| (k.clone(), outputs_of(InstanceKey::Str(k.clone())))).collect())
            }
        })
    }
}

/// Where an expression is evaluated.
pub struct EvalScope<'a> {
    pub values: &'a RwLock<Values>,
    pub module: &'a Module,
    pub root_dir: &'a Path,
    pub cwd: &'a Path,
    pub workspace: &'a str,
    pub module_instance: ModuleInstance,
    /// `count.index` / `each.key` (+ `each.value`) of the object being evaluated.
    pub key: InstanceKey,
    pub each_value: Option<Value>,
    /// `self` in postconditions.
    pub self_value: Option<Value>,
}

fn undeclared(kind: &str, what: &str, name: &str, candidates: Vec<&str>, range: &SourceRange) -> Diagnostic {
    let mut d = Diagnostic::error(format!("Reference to undeclared {kind}"))
        .with_detail(format!("{what} {name:?} has not been declared in this module."))
        .with_subject(range.clone());
    if let Some(s) = crate::suggest::suggest(name, candidates) {
        d = d.with_help(format!("did you mean {s:?}?"));
    }
    d
}

impl Scope for EvalScope<'_> {
    fn lookup_index(&self, r: &Reference, key: &Value, _range: &SourceRange) -> Option<Result<Value, Diagnostic>> {
        let values = self.values.read().ok()?;
        let mi = &self.module_instance;
        let inst_key = match key.unmarked() {
            Value::Number(n) => InstanceKey::Int(n.to_i64()?),
            Value::String(s) => InstanceKey::Str(s.clone()),
            _ => return None,
        };
        match r {
            Reference::Resource { type_name, name } | Reference::Data { type_name, name } => {
                let mode = if matches!(r, Reference::Data { .. }) { ResourceMode::Data } else { ResourceMode::Managed };
                let rk = crate::confgraph::resource_key(mode, type_name, name);
                let rv = values.resources.get(&(mi.clone(), rk))?;
                let present = match (&rv.expansion, &inst_key) {
                    (Expansion::Count(n), InstanceKey::Int(i)) => *i >= 0 && i < n,
                    (Expansion::ForEach(m), InstanceKey::Str(k)) => m.contains_key(k),
                    _ => false,
                };
                if !present {
                    return None;
                }
                Some(Ok(rv.instances.get(&inst_key).cloned().unwrap_or_else(Value::unknown)))
            }
            Reference::Module(n) => {
                let call = self.module.module_calls.get(n)?;
                let exp = values.module_expansion.get(&(mi.clone(), n.clone()))?;
                let present = match (exp, &inst_key) {
                    (Expansion::Count(c), InstanceKey::Int(i)) => *i >= 0 && i < c,
                    (Expansion::ForEach(m), InstanceKey::Str(k)) => m.contains_key(k),
                    _ => false,
                };
                if !present {
                    return None;
                }
                let child = mi.child(n, inst_key);
                Some(Ok(Value::Object(
                    call.module
                        .outputs
                        .keys()
                        .map(|o| (o.clone(), values.outputs.get(&(child.clone(), o.clone())).cloned().unwrap_or_else(Value::unknown)))
                        .collect(),
                )))
            }
            _ => None,
        }
    }

    fn lookup(&self, r: &Reference, range: &SourceRange) -> Result<Value, Diagnostic> {
        let values = self.values.read().map_err(|_| Diagnostic::bug("evaluation state poisoned", "A worker panicked."))?;
        let mi = &self.module_instance;
        match r {
            Reference::Var(n) => {
                if !self.module.variables.contains_key(n) {
                    return Err(undeclared("input variable", "An input variable named", n, self.module.variables.keys().map(String::as_str).collect(), range));
                }
                Ok(values.vars.get(&(mi.clone(), n.clone())).cloned().unwrap_or_else(Value::unknown))
            }
            Reference::Local(n) => {
                if !self.module.locals.contains_key(n) {
                    return Err(undeclared("local value", "A local value named", n, self.module.locals.keys().map(String::as_str).collect(), range));
                }
                Ok(values.locals.get(&(mi.clone(), n.clone())).cloned().unwrap_or_else(Value::unknown))
            }
            Reference::Resource { type_name, name } | Reference::Data { type_name, name } => {
                let data = matches!(r, Reference::Data { .. });
                let key = crate::confgraph::resource_key(if data { ResourceMode::Data } else { ResourceMode::Managed }, type_name, name);
                if !self.module.resources.contains_key(&key) {
                    let cands: Vec<&str> = self.module.resources.keys().map(String::as_str).collect();
                    let mut d = Diagnostic::error("Reference to undeclared resource")
                        .with_detail(format!(
                            "A {}resource {:?} {:?} has not been declared in {}.",
                            if data { "data " } else { "managed " },
                            type_name,
                            name,
                            if mi.is_root() { "the root module".to_string() } else { mi.to_string() }
                        ))
                        .with_subject(range.clone());
                    if let Some(s) = crate::suggest::suggest(&key, cands) {
                        d = d.with_help(format!("did you mean `{s}`?"));
                    }
                    return Err(d);
                }
                match values.resource_value(mi, &key) {
                    Some(v) => Ok(v),
                    None => Ok(Value::unknown()),
                }
            }
            Reference::Module(n) => {
                let Some(call) = self.module.module_calls.get(n) else {
                    return Err(undeclared("module", "A module call named", n, self.module.module_calls.keys().map(String::as_str).collect(), range));
                };
                Ok(values.module_value(mi, n, &call.module).unwrap_or_else(Value::unknown))
            }
            Reference::CountIndex => match &self.key {
                InstanceKey::Int(i) => Ok(Value::number(*i)),
                _ => Err(Diagnostic::error("Reference to \"count\" in non-counted context")
                    .with_detail("The \"count\" object can only be used in \"module\", \"resource\", and \"data\" blocks, and only when the \"count\" argument is set.")
                    .with_subject(range.clone())),
            },
            Reference::EachKey | Reference::EachValue => match &self.key {
                InstanceKey::Str(k) => Ok(if *r == Reference::EachKey {
                    Value::string(k.clone())
                } else {
                    self.each_value.clone().unwrap_or_else(|| Value::string(k.clone()))
                }),
                _ => Err(Diagnostic::error("Reference to \"each\" in context without for_each")
                    .with_detail("The \"each\" object can be used only in \"module\" or \"resource\" blocks, and only when the \"for_each\" argument is set.")
                    .with_subject(range.clone())),
            },
            Reference::PathModule => Ok(Value::string(rel_path(self.module.dir.as_path(), self.cwd))),
            Reference::PathRoot => Ok(Value::string(rel_path(self.root_dir, self.cwd))),
            Reference::PathCwd => Ok(Value::string(self.cwd.display().to_string())),
            Reference::TerraformWorkspace => Ok(Value::string(self.workspace.to_string())),
            Reference::SelfObject => self.self_value.clone().ok_or_else(|| {
                Diagnostic::error("Invalid \"self\" reference")
                    .with_detail("The \"self\" object is only available in postconditions, provisioner and connection blocks.")
                    .with_subject(range.clone())
            }),
            Reference::Iterator(n) => Err(Diagnostic::bug(format!("unresolved iterator {n}"), "The evaluator asked the scope for a local iterator variable.")
                .with_subject(range.clone())),
        }
    }
}

/// `path.module` is relative to the working directory, as Terraform prints it (`.` for the root).
fn rel_path(p: &Path, cwd: &Path) -> String {
    let s = match p.strip_prefix(cwd) {
        Ok(r) => r.display().to_string(),
        Err(_) => p.display().to_string(),
    };
    if s.is_empty() {
        ".".into()
    } else {
        s
    }
}
