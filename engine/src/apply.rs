//! The apply executor: walks the configuration graph plus one "destroy" node per resource
//! with deletions, with bounded parallelism. A node starts as soon as everything it depends on
//! is done; deletes run in reverse dependency order; each resource's configuration is
//! re-evaluated with the now-known values of its dependencies; every completed change is
//! recorded durably before dependents start; on error dependents are skipped while
//! independent work goes on; cancellation stops new work and lets in-flight work finish.

use crate::addr::{InstanceKey, ResourceAddress, ResourceInstanceAddress};
use crate::conditions::{check_rules, RuleKind};
use crate::confgraph::{module_at, NodeKind};
use crate::env::Env;
use crate::model::{Action, ApplySummary, Plan, PlanMode, ResourceChange};
use crate::objchange::{inconsistent_paths, proposed_new};
use crate::prior::{index_state, PriorIndex};
use crate::provcfg::{resource_provider, Configured};
use crate::scope::ResVals;
use crate::stateconv::{addr_to_state, instance_from_value, instance_value, mark_value, parse_provider_addr, private_bytes};
use crate::{ApplyHook, Context, StateWriter};
use futures::stream::FuturesUnordered;
use futures::{FutureExt, StreamExt};
use plinth_lang::ResourceMode;
use plinth_sdk::{
    AttrPath, ApplyChangeRequest, ConfiguredProvider, Diagnostic, Diagnostics, PlanChangeRequest, ReadDataSourceRequest, Schema, Value,
};
use plinth_state::{InstanceChange, InstanceState, OutputState, State};
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// Most changes recorded in one durable write.
const MAX_BATCH: usize = 512;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum OpKind {
    Create,
    Update,
    /// Create half of create-then-delete: the old object is deposed in the same commit.
    CreateDeposing,
    DestroyCurrent,
    DestroyDeposed,
    Forget,
    ReadData,
    ImportOnly,
}

struct Op {
    node: usize,
    addr: ResourceInstanceAddress,
    kind: OpKind,
    action: Action,
    deposed: Option<String>,
    provider: Option<Arc<dyn ConfiguredProvider>>,
    provider_name: String,
    schema: Schema,
    prior: Option<Value>,
    prior_state: Option<InstanceState>,
    planned: Value,
    config: Value,
    private: Vec<u8>,
    deps: Vec<String>,
    cbd: bool,
    importing: bool,
}

struct OpResult {
    node: usize,
    addr: ResourceInstanceAddress,
    action: Action,
    kind: OpKind,
    changes: Vec<InstanceChange>,
    value: Option<Value>,
    ok: bool,
    diags: Diagnostics,
    elapsed: Duration,
    id: Option<String>,
    importing: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum NodeState {
    Waiting,
    Running,
    Done,
    Failed,
    Skipped,
}

fn new_deposed_key(addr: &ResourceInstanceAddress) -> String {
    use sha2::{Digest, Sha256};
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let h = Sha256::digest(format!("{addr}{t}{}", std::process::id()).as_bytes());
    h.iter().take(4).map(|b| format!("{b:02x}")).collect()
}

async fn run_op(op: Op, hook: &dyn ApplyHook) -> OpResult {
    let start = Instant::now();
    hook.pre_apply(&op.addr, op.action);
    let (changes, value, ok, diags, id) = {
        let work = do_op(&op);
        tokio::pin!(work);
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + Duration::from_secs(10), Duration::from_secs(10));
        loop {
            tokio::select! {
                r = &mut work => break r,
                _ = tick.tick() => hook.progress(&op.addr, op.action, start.elapsed()),
            }
        }
    };
    // `post_apply` (which tells the user "Creation complete") is called by the executor only
    // after the change is durably recorded, so nothing reported complete can be lost.
    let elapsed = start.elapsed();
    OpResult { node: op.node, addr: op.addr, action: op.action, kind: op.kind, changes, value, ok, diags, elapsed, id, importing: op.importing }
}

type OpOut = (Vec<InstanceChange>, Option<Value>, bool, Diagnostics, Option<String>);

async fn do_op(op: &Op) -> OpOut {
    let addr_s = op.addr.to_string();
    let mut diags = Diagnostics::new();
    let block = &op.schema.block;
    let ty = block.implied_type();
    let cur_addr = addr_to_state(&op.addr, None);
    match op.kind {
        OpKind::Forget => (vec![InstanceChange::Remove { addr: addr_to_state(&op.addr, op.deposed.as_deref()) }], None, true, diags, None),
        OpKind::ImportOnly => {
            let inst = instance_from_value(&op.prior.clone().unwrap_or(Value::Null(ty)), &op.schema, &op.private, op.deps.clone(), op.cbd, false);
            let id = id_of(op.prior.as_ref());
            (vec![InstanceChange::Set { addr: cur_addr, provider: op.provider_name.clone(), each: None, instance: inst }], op.prior.clone(), true, diags, id)
        }
        OpKind::ReadData => {
            let Some(p) = &op.provider else { return (vec![], None, false, diags, None) };
            let (cfg, marks) = op.config.clone().unmark_deep();
            let resp = p.read_data_source(ReadDataSourceRequest { type_name: op.addr.resource.type_name.clone(), config: cfg }).await;
            let bad = resp.diagnostics.has_errors();
            diags.extend(resp.diagnostics.with_address(&addr_s));
            if bad {
                return (vec![], None, false, diags, None);
            }
            let v = mark_value(resp.state, &marks, block);
            let inst = instance_from_value(&v, &op.schema, &[], vec![], false, false);
            (vec![InstanceChange::Set { addr: cur_addr, provider: op.provider_name.clone(), each: None, instance: inst }], Some(v), true, diags, None)
        }
        OpKind::DestroyCurrent | OpKind::DestroyDeposed => {
            let Some(p) = &op.provider else { return (vec![], None, false, diags, None) };
            let prior = op.prior.clone().map(|v| v.unmark_deep().0);
            let resp = p
                .apply_change(ApplyChangeRequest {
                    type_name: op.addr.resource.type_name.clone(),
                    prior_state: prior,
                    planned_state: None,
                    config: Value::Null(ty),
                    planned_private: op.private.clone(),
                })
                .await;
            let bad = resp.diagnostics.has_errors();
            diags.extend(resp.diagnostics.with_address(&addr_s));
            let sa = addr_to_state(&op.addr, op.deposed.as_deref());
            if bad {
                // The object may still exist: keep it (and whatever the provider says remains).
                if let (Some(ns), Some(old)) = (resp.new_state, &op.prior_state) {
                    let mut inst = instance_from_value(&mark_value(ns, &old.sensitive_attributes, block), &op.schema, &resp.private, old.dependencies.clone(), old.create_before_destroy, old.is_tainted());
                    inst.deposed = op.deposed.clone();
                    return (vec![InstanceChange::Set { addr: sa, provider: op.provider_name.clone(), each: None, instance: inst }], None, false, diags, None);
                }
                return (vec![], None, false, diags, None);
            }
            (vec![InstanceChange::Remove { addr: sa }], None, true, diags, None)
        }
        OpKind::Create | OpKind::Update | OpKind::CreateDeposing => {
            let Some(p) = &op.provider else { return (vec![], None, false, diags, None) };
            let (cfg, cfg_marks) = op.config.clone().unmark_deep();
            let prior = if op.kind == OpKind::Update { op.prior.clone().map(|v| v.unmark_deep()) } else { None };
            let prior_bare = prior.as_ref().map(|(b, _)| b.clone());
            let (planned_bare, planned_marks) = op.planned.clone().unmark_deep();
            // A change of sensitivity alone: the provider is not called (as in Terraform);
            // the object is rewritten with the planned marks.
            if op.kind == OpKind::Update && planned_bare.is_wholly_known() && prior_bare.as_ref().is_some_and(|b| crate::objchange::same_value(b, &planned_bare)) {
                if let Some(old) = &op.prior_state {
                    let mut marks = planned_marks;
                    marks.extend(cfg_marks);
                    let v = mark_value(planned_bare, &marks, block);
                    let mut inst = instance_from_value(&v, &op.schema, &op.private, op.deps.clone(), op.cbd, false);
                    inst.identity = old.identity.clone();
                    inst.identity_schema_version = old.identity_schema_version;
                    let id = id_of(Some(&v));
                    return (vec![InstanceChange::Set { addr: cur_addr, provider: op.provider_name.clone(), each: None, instance: inst }], Some(v), true, diags, id);
                }
            }
            // Final plan with the now-known configuration.
            let proposed = proposed_new(block, prior_bare.as_ref(), &cfg);
            let resp = p
                .plan_change(PlanChangeRequest {
                    type_name: op.addr.resource.type_name.clone(),
                    prior_state: prior_bare.clone(),
                    proposed_new_state: Some(proposed),
                    config: cfg.clone(),
                    prior_private: if op.kind == OpKind::Update { op.private.clone() } else { vec![] },
                })
                .await;
            let bad = resp.diagnostics.has_errors();
            diags.extend(resp.diagnostics.with_address(&addr_s));
            if bad {
                return (vec![], None, false, diags, None);
            }
            let final_planned = resp.planned_state.unwrap_or(Value::Null(ty.clone()));
            let mut bad_paths = Vec::new();
            inconsistent_paths(&op.planned.clone().unmark_deep().0, &final_planned, &mut AttrPath::root(), &mut bad_paths);
            if !bad_paths.is_empty() {
                diags.push(
                    Diagnostic::error("Provider produced inconsistent final plan")
                        .with_detail(format!(
                            "When expanding the plan for {addr_s} to include new values learned so far during apply, the provider changed the planned value of {}. This is a bug in the provider or in Plinth.",
                            bad_paths.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(", ")
                        ))
                        .with_address(&addr_s),
                );
                return (vec![], None, false, diags, None);
            }
            let resp = p
                .apply_change(ApplyChangeRequest {
                    type_name: op.addr.resource.type_name.clone(),
                    prior_state: prior_bare,
                    planned_state: Some(final_planned.clone()),
                    config: cfg,
                    planned_private: resp.planned_private,
                })
                .await;
            let failed = resp.diagnostics.has_errors();
            diags.extend(resp.diagnostics.with_address(&addr_s));
            // The marks the plan decided (configuration, schema, ignored attributes' prior
            // marks) plus the configuration's as evaluated now.
            let mut marks = cfg_marks;
            marks.extend(planned_marks);
            let mut changes = Vec::new();
            if op.kind == OpKind::CreateDeposing {
                if let Some(old) = &op.prior_state {
                    if failed && resp.new_state.is_none() {
                        return (vec![], None, false, diags, None);
                    }
                    let mut o = old.clone();
                    let key = op.deposed.clone().unwrap_or_else(|| new_deposed_key(&op.addr));
                    o.deposed = Some(key.clone());
                    changes.push(InstanceChange::Set { addr: addr_to_state(&op.addr, Some(&key)), provider: op.provider_name.clone(), each: None, instance: o });
                }
            }
            match resp.new_state {
                Some(ns) if !ns.is_null() => {
                    if !failed {
                        let mut bad_paths = Vec::new();
                        inconsistent_paths(&final_planned, &ns, &mut AttrPath::root(), &mut bad_paths);
                        if !bad_paths.is_empty() {
                            diags.push(
                                Diagnostic::error("Provider produced inconsistent result after apply")
                                    .with_detail(format!(
                                        "When applying changes to {addr_s}, the provider produced an unexpected new value for {}. The object was saved in the state; run plan again to reconcile it.",
                                        bad_paths.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(", ")
                                    ))
                                    .with_address(&addr_s),
                            );
                        }
                    }
                    let v = mark_value(ns, &marks, block);
                    // An object created but failed part-way is saved tainted.
                    let tainted = failed && op.kind != OpKind::Update;
                    let inst = instance_from_value(&v, &op.schema, &resp.private, op.deps.clone(), op.cbd, tainted);
                    changes.push(InstanceChange::Set { addr: cur_addr, provider: op.provider_name.clone(), each: None, instance: inst });
                    let id = id_of(Some(&v));
                    let ok = !failed && !diags.has_errors();
                    (changes, Some(v), ok, diags, id)
                }
                _ => {
                    if op.kind == OpKind::Update && !failed {
                        // The provider says the object is gone after an update.
                        changes.push(InstanceChange::Remove { addr: cur_addr });
                    }
                    if !failed {
                        diags.push(Diagnostic::bug("provider returned no object", format!("Applying {addr_s} returned no new object and no error.")).with_address(&addr_s));
                    }
                    (changes, None, false, diags, None)
                }
            }
        }
    }
}

fn id_of(v: Option<&Value>) -> Option<String> {
    v.and_then(|v| v.get_attr("id")).and_then(|i| i.as_str().map(str::to_string))
}

/// `(config path, TYPE.NAME)` of a resource.
type ResKey = (Vec<String>, String);

fn res_key(a: &ResourceAddress) -> ResKey {
    (a.module.config_path(), a.local_name())
}

struct Exec<'a> {
    env: Env<'a>,
    plan: &'a Plan,
    configured: Configured,
    prior: PriorIndex,
    diags: Diagnostics,
    /// Planned changes by current-object address.
    by_addr: HashMap<ResourceInstanceAddress, &'a ResourceChange>,
    /// Destroy-node index → changes with a destroy half.
    destroy_groups: Vec<(ResKey, Vec<&'a ResourceChange>)>,
    /// Resource key → config graph node.
    deps_strings: HashMap<ResKey, Vec<String>>,
    summary: ApplySummary,
    /// Deposed keys chosen for create-then-delete replacements.
    ctd_keys: HashMap<ResourceInstanceAddress, String>,
}

impl<'a> Exec<'a> {
    /// Evaluates the postconditions of the resource of `addr` with `self` = `value`, and
    /// turns a nested data source's read errors into warnings. Returns whether the
    /// instance is still good.
    fn after_op(&self, addr: &ResourceInstanceAddress, kind: OpKind, value: Option<&Value>, ok: bool, diags: &mut Diagnostics) -> bool {
        let Some(m) = module_at(&self.env.ctx.config.root, &addr.resource.module.config_path()) else { return ok };
        let Some(r) = m.resources.get(&addr.resource.local_name()) else { return ok };
        let mut ok = ok;
        if kind == OpKind::ReadData && r.check.is_some() {
            for d in diags.0.iter_mut() {
                d.severity = plinth_sdk::Severity::Warning;
            }
            ok = true;
        }
        if !ok || r.lifecycle.postconditions.is_empty() || !matches!(kind, OpKind::Create | OpKind::Update | OpKind::CreateDeposing | OpKind::ReadData) {
            return ok;
        }
        let Some(v) = value else { return ok };
        let each = self.each_value(addr);
        let out = {
            let mut scope = self.env.scope(m, &addr.resource.module, addr.key.clone(), each);
            scope.self_value = Some(v.clone());
            check_rules(&self.env, &r.lifecycle.postconditions, &scope, RuleKind::ResourcePostcondition, false, Some(&addr.to_string()))
        };
        diags.extend(out.diags);
        !out.failed
    }

    /// `each.value` of a `for_each` instance.
    fn each_value(&self, addr: &ResourceInstanceAddress) -> Option<Value> {
        let InstanceKey::Str(k) = &addr.key else { return None };
        let values = self.env.values.read().ok()?;
        match &values.resources.get(&(addr.resource.module.clone(), addr.resource.local_name()))?.expansion {
            crate::scope::Expansion::ForEach(m) => m.get(k).cloned(),
            _ => None,
        }
    }

    fn prior_value(&mut self, addr: &ResourceInstanceAddress, schema: &Schema, cp: Option<&Arc<dyn ConfiguredProvider>>) -> Option<(Value, InstanceState)> {
        let o = self.prior.get(addr)?;
        let cur = o.current.clone()?;
        let tn = addr.resource.type_name.clone();
        let r = instance_value(&cur, schema, |v, j| match cp {
            Some(p) => p.upgrade_resource_state(&tn, v, j),
            None => Ok(j),
        });
        match r {
            Ok(v) => Some((v, cur)),
            Err(d) => {
                self.diags.push(d.with_address(addr.to_string()));
                None
            }
        }
    }

    /// Resource nodes each resource node depends on, through locals/variables/outputs.
    fn resource_deps(&self) -> Vec<Vec<usize>> {
        let cg = &self.env.cg;
        let n = cg.nodes.len();
        let mut out = vec![Vec::new(); n];
        for (i, node) in cg.nodes.iter().enumerate() {
            if !matches!(node.kind, NodeKind::Resource(_)) {
                continue;
            }
            let mut seen = HashSet::new();
            let mut stack: Vec<usize> = cg.graph.deps[i].clone();
            while let Some(d) = stack.pop() {
                if !seen.insert(d) {
                    continue;
                }
                if matches!(cg.nodes[d].kind, NodeKind::Resource(_)) {
                    out[i].push(d);
                } else {
                    stack.extend(cg.graph.deps[d].iter().copied());
                }
            }
        }
        out
    }

    /// Starts a node: evaluates what it needs and returns the provider operations to run.
    async fn start_node(&mut self, id: usize, n_conf: usize) -> Vec<Op> {
        if id >= n_conf {
            return self.start_destroy(id, id - n_conf).await;
        }
        if self.plan.mode == PlanMode::Destroy {
            return Vec::new();
        }
        let node = self.env.cg.nodes[id].clone();
        let NodeKind::Resource(key) = &node.kind else {
            let mut d = Diagnostics::new();
            self.env.eval_simple_node(id, &mut d);
            // Errors in outputs/locals were reported at plan time; at apply they only matter
            // when they are new.
            self.diags.extend(d);
            return Vec::new();
        };
        let ctx = self.env.ctx;
        let Some(m) = module_at(&ctx.config.root, &node.module) else { return Vec::new() };
        let Some(r) = m.resources.get(key) else { return Vec::new() };
        let rp = match resource_provider(&ctx.providers, &ctx.config.root, &node.module, r) {
            Ok(p) => p,
            Err(d) => {
                self.diags.push(d);
                return Vec::new();
            }
        };
        let data = r.mode == ResourceMode::Data;
        let Some(schema) = crate::ProviderRegistry::resource_schema(&rp.resolved, data, &r.type_name).cloned() else { return Vec::new() };
        let insts = self.env.module_instances(&node.module);
        let deps = self.deps_strings.get(&(node.module.clone(), key.clone())).cloned().unwrap_or_default();
        let mut ops = Vec::new();
        let mut cp: Option<Arc<dyn ConfiguredProvider>> = None;
        for inst in insts {
            let exp = {
                let scope = self.env.scope(m, &inst.addr, InstanceKey::NoKey, None);
                let mut d = Diagnostics::new();
                let e = self.env.expansion(r.count.as_ref(), r.for_each.as_ref(), &scope, &mut d);
                self.diags.extend(d);
                e
            };
            let raddr = ResourceAddress { module: inst.addr.clone(), mode: r.mode, type_name: r.type_name.clone(), name: r.name.clone() };
            let mut vals = BTreeMap::new();
            for (k, each) in exp.keys() {
                let addr = raddr.instance(k.clone());
                let change = self.by_addr.get(&addr).copied();
                let needs_provider = change.is_some_and(|c| matches!(c.action, Action::Create | Action::Update | Action::DeleteThenCreate | Action::CreateThenDelete | Action::Read));
                if needs_provider && cp.is_none() {
                    cp = self.configured.get(&self.env, &rp.resolved, rp.alias.as_deref(), &rp.config_module, &mut self.diags).await;
                    if cp.is_none() {
                        return Vec::new();
                    }
                }
                let prior = self.prior_value(&addr, &schema, cp.as_ref());
                match change.map(|c| c.action) {
                    Some(Action::Create | Action::Update | Action::DeleteThenCreate | Action::CreateThenDelete | Action::Read) => {
                        let c = change.expect("checked above");
                        let (config, d) = {
                            let scope = self.env.scope(m, &inst.addr, k.clone(), each.clone());
                            self.env.eval_body(&r.body, &schema.block, &scope)
                        };
                        let mut bad = d.has_errors();
                        self.diags.extend(d.with_address(&addr.to_string()));
                        if !bad && !r.lifecycle.preconditions.is_empty() {
                            // Checked again with the values now known (deferred at plan while unknown).
                            let out = {
                                let scope = self.env.scope(m, &inst.addr, k.clone(), each.clone());
                                check_rules(&self.env, &r.lifecycle.preconditions, &scope, RuleKind::ResourcePrecondition, false, Some(&addr.to_string()))
                            };
                            bad = out.failed;
                            self.diags.extend(out.diags);
                        }
                        if bad {
                            // Let the failure flow through the normal path: an op that fails.
                            vals.insert(k.clone(), Value::Unknown(schema.block.implied_type()));
                            ops.push(Op {
                                node: id,
                                addr,
                                kind: OpKind::Create,
                                action: c.action,
                                deposed: None,
                                provider: None,
                                provider_name: rp.state_name.clone(),
                                schema: schema.clone(),
                                prior: None,
                                prior_state: None,
                                planned: c.after.clone(),
                                config,
                                private: vec![],
                                deps: deps.clone(),
                                cbd: false,
                                importing: false,
                            });
                            continue;
                        }
                        let kind = match c.action {
                            Action::Create | Action::DeleteThenCreate => OpKind::Create,
                            Action::CreateThenDelete => OpKind::CreateDeposing,
                            Action::Update => OpKind::Update,
                            _ => OpKind::ReadData,
                        };
                        let (prior_v, prior_s) = match (&prior, c.importing.is_some()) {
                            (_, true) => (Some(c.before.clone()), None),
                            (Some((v, s)), false) => (Some(v.clone()), Some(s.clone())),
                            (None, false) => (None, None),
                        };
                        let private = if c.importing.is_some() {
                            vec![]
                        } else {
                            prior.as_ref().map(|(_, s)| private_bytes(s)).unwrap_or_default()
                        };
                        vals.insert(k.clone(), c.after.clone());
                        let deposed = self.ctd_keys.get(&addr).cloned();
                        ops.push(Op {
                            node: id,
                            addr,
                            kind,
                            action: c.action,
                            deposed,
                            provider: cp.clone(),
                            provider_name: rp.state_name.clone(),
                            schema: schema.clone(),
                            prior: prior_v,
                            prior_state: prior_s,
                            planned: c.after.clone(),
                            config,
                            private,
                            deps: deps.clone(),
                            cbd: r.lifecycle.create_before_destroy || c.action == Action::CreateThenDelete,
                            importing: c.importing.is_some(),
                        });
                    }
                    Some(Action::NoOp) if change.is_some_and(|c| c.importing.is_some()) => {
                        let c = change.expect("checked above");
                        vals.insert(k.clone(), c.before.clone());
                        ops.push(Op {
                            node: id,
                            addr,
                            kind: OpKind::ImportOnly,
                            action: Action::NoOp,
                            deposed: None,
                            provider: None,
                            provider_name: rp.state_name.clone(),
                            schema: schema.clone(),
                            prior: Some(c.before.clone()),
                            prior_state: None,
                            planned: c.after.clone(),
                            config: Value::null(),
                            private: vec![],
                            deps: deps.clone(),
                            cbd: r.lifecycle.create_before_destroy,
                            importing: true,
                        });
                    }
                    _ => {
                        let v = prior.map(|(v, _)| v).unwrap_or_else(|| Value::Unknown(schema.block.implied_type()));
                        vals.insert(k.clone(), v);
                    }
                }
            }
            if let Ok(mut w) = self.env.values.write() {
                w.resources.insert((inst.addr.clone(), key.clone()), ResVals { expansion: exp, instances: vals });
            }
        }
        ops
    }

    async fn start_destroy(&mut self, id: usize, group: usize) -> Vec<Op> {
        let changes: Vec<&ResourceChange> = self.destroy_groups[group].1.clone();
        let mut ops = Vec::new();
        for c in changes {
            let kind = match (c.action, &c.deposed) {
                (Action::Forget, _) => OpKind::Forget,
                (_, Some(_)) | (Action::CreateThenDelete, None) => OpKind::DestroyDeposed,
                _ => OpKind::DestroyCurrent,
            };
            let (provider, schema, prior_state) = match self.destroy_target(c).await {
                Some(x) => x,
                None => continue,
            };
            let private = prior_state.as_ref().map(private_bytes).unwrap_or_default();
            let deposed = match (&c.deposed, c.action) {
                (Some(k), _) => Some(k.clone()),
                (None, Action::CreateThenDelete) => self.ctd_keys.get(&c.addr).cloned(),
                _ => None,
            };
            ops.push(Op {
                node: id,
                addr: c.addr.clone(),
                kind,
                action: if c.action == Action::Forget { Action::Forget } else { Action::Delete },
                deposed,
                provider,
                provider_name: c.provider.clone(),
                schema,
                prior: Some(c.before.clone()),
                prior_state,
                planned: Value::null(),
                config: Value::null(),
                private,
                deps: vec![],
                cbd: false,
                importing: false,
            });
        }
        ops
    }

    /// Provider, schema and stored object for a destroy half. For create-then-delete the
    /// object to delete is the one deposed when the replacement was created.
    async fn destroy_target(&mut self, c: &ResourceChange) -> Option<(Option<Arc<dyn ConfiguredProvider>>, Schema, Option<InstanceState>)> {
        let Some((source, alias)) = parse_provider_addr(&c.provider) else {
            self.diags.push(Diagnostic::error("invalid provider address").with_detail(format!("{} has provider {:?}.", c.addr, c.provider)).with_address(c.addr.to_string()));
            return None;
        };
        let Some(rp) = self.env.ctx.providers.by_source(&source) else {
            self.diags.push(Diagnostic::error(format!("provider {source} is not available")).with_address(c.addr.to_string()));
            return None;
        };
        let schema = crate::ProviderRegistry::resource_schema(&rp, false, &c.addr.resource.type_name).cloned()?;
        let provider = if c.action == Action::Forget {
            None
        } else {
            let pmod = crate::provcfg::provider_addr_module(&c.provider);
            Some(self.configured.get_for_orphan(&self.env, &rp, alias.as_deref(), &pmod, &c.addr.to_string(), &mut self.diags).await?)
        };
        let stored = self.prior.get(&c.addr).and_then(|o| match &c.deposed {
            Some(k) => o.deposed.iter().find(|d| d.deposed.as_deref() == Some(k)).cloned(),
            None => o.current.clone(),
        });
        Some((provider, schema, stored))
    }
}

pub(crate) async fn apply(ctx: &Context, plan: &Plan, state: &mut dyn StateWriter, hook: &dyn ApplyHook, cancel: CancellationToken) -> (ApplySummary, Diagnostics) {
    let t0 = Instant::now();
    let tm = |what: &str| tracing::debug!(target: "plinth::timing", "apply {what}: {:?}", t0.elapsed());
    let mut diags = Diagnostics::new();
    let mut summary = ApplySummary::default();
    if plan.errored {
        diags.push(
            Diagnostic::error("cannot apply a plan that has errors")
                .with_detail("The plan was created with errors, so it is incomplete.")
                .with_help("fix the errors and run plan again"),
        );
        return (summary, diags);
    }
    {
        let cur = state.state();
        // A plan made against a brand-new (empty) state applies to any still-empty state:
        // a fresh workspace gets a new lineage each time it is opened.
        let both_new = cur.serial == 0 && cur.is_empty() && plan.state_serial == 0 && plan.prev_run_state.is_empty();
        if !both_new && (cur.lineage != plan.state_lineage || cur.serial != plan.state_serial) {
            diags.push(
                Diagnostic::error("Saved plan is stale")
                    .with_detail(format!(
                        "The plan was made against state lineage {} serial {}, but the state is now lineage {} serial {}. Something changed the state since the plan was created, so applying it could undo those changes.",
                        plan.state_lineage, plan.state_serial, cur.lineage, cur.serial
                    ))
                    .with_help("run plan again and apply the new plan"),
            );
            return (summary, diags);
        }
    }
    let fp = crate::plan::config_fingerprint(&ctx.config);
    if !plan.config_fingerprint.is_empty() && fp != plan.config_fingerprint {
        diags.push(
            Diagnostic::error("configuration changed since the plan was made")
                .with_detail("The configuration files differ from those the saved plan was created from, so the plan no longer describes what would happen.")
                .with_help("run plan again and apply the new plan"),
        );
        return (summary, diags);
    }

    // 1. Bring the state to the refreshed prior state (moves, refresh, data sources read
    //    during plan) in one commit.
    tm("checked");
    let sync = state_diff(state.state(), &plan.prior_state);
    if !sync.is_empty() {
        if let Err(d) = state.record(sync).await {
            diags.push(d);
            return (summary, diags);
        }
    }
    if plan.mode == PlanMode::RefreshOnly {
        let outs: BTreeMap<String, OutputState> = plan
            .outputs
            .iter()
            .filter(|o| o.action != Action::Delete && o.after.is_wholly_known())
            .map(|o| (o.name.clone(), OutputState::from_value(&o.after, o.sensitive)))
            .collect();
        if let Err(d) = state.record(vec![InstanceChange::Outputs { outputs: outs }]).await {
            diags.push(d);
        }
        if let Err(d) = state.persist().await {
            diags.push(d);
        }
        return (summary, diags);
    }

    // Apply evaluates with the variable values the plan was made with.
    let ctx_owned = Context { variables: plan.variables.clone(), ..ctx.clone() };
    let ctx = &ctx_owned;
    let (mut env, d) = Env::new(ctx);
    env.apply_phase = true;
    diags.extend(d);
    let mut pd = Diagnostics::new();
    let prior = index_state(&plan.prior_state, &mut pd);
    diags.extend(pd);
    let mut by_addr = HashMap::new();
    let mut groups: BTreeMap<ResKey, Vec<&ResourceChange>> = BTreeMap::new();
    for c in &plan.changes {
        if c.deposed.is_none() && !matches!(c.action, Action::Delete | Action::Forget) {
            by_addr.insert(c.addr.clone(), c);
        }
        if matches!(c.action, Action::Delete | Action::Forget | Action::DeleteThenCreate | Action::CreateThenDelete) {
            groups.entry(res_key(&c.addr.resource)).or_default().push(c);
        }
    }
    let mut ex = Exec {
        env,
        plan,
        configured: Configured::default(),
        prior,
        diags: Diagnostics::new(),
        by_addr,
        destroy_groups: groups.into_iter().collect(),
        deps_strings: HashMap::new(),
        summary: ApplySummary::default(),
        ctd_keys: plan
            .changes
            .iter()
            .filter(|c| c.action == Action::CreateThenDelete && c.deposed.is_none())
            .map(|c| (c.addr.clone(), new_deposed_key(&c.addr)))
            .collect(),
    };

    // 2. The apply graph: config nodes, then one destroy node per resource with deletions.
    let n_conf = ex.env.cg.nodes.len();
    let n = n_conf + ex.destroy_groups.len();
    let mut g = crate::graph::Graph::with_nodes(n);
    for (i, ds) in ex.env.cg.graph.deps.iter().enumerate() {
        for &d in ds {
            g.add_edge(i, d);
        }
    }
    let rdeps = ex.resource_deps();
    let mut node_of: HashMap<ResKey, usize> = HashMap::new();
    for (i, node) in ex.env.cg.nodes.iter().enumerate() {
        if let NodeKind::Resource(k) = &node.kind {
            node_of.insert((node.module.clone(), k.clone()), i);
        }
    }
    for (i, deps) in rdeps.iter().enumerate() {
        if let NodeKind::Resource(k) = &ex.env.cg.nodes[i].kind {
            let strs: Vec<String> = deps
                .iter()
                .map(|&d| {
                    let dn = &ex.env.cg.nodes[d];
                    let mut s: String = dn.module.iter().map(|m| format!("module.{m}.")).collect();
                    if let NodeKind::Resource(dk) = &dn.kind {
                        s.push_str(dk);
                    }
                    s
                })
                .collect();
            ex.deps_strings.insert((ex.env.cg.nodes[i].module.clone(), k.clone()), strs);
        }
    }
    // dependents: resource key → keys depending on it (configuration + recorded dependencies).
    let mut dependents: HashMap<ResKey, HashSet<ResKey>> = HashMap::new();
    for (i, deps) in rdeps.iter().enumerate() {
        if let NodeKind::Resource(k) = &ex.env.cg.nodes[i].kind {
            let me = (ex.env.cg.nodes[i].module.clone(), k.clone());
            for &d in deps {
                if let NodeKind::Resource(dk) = &ex.env.cg.nodes[d].kind {
                    dependents.entry((ex.env.cg.nodes[d].module.clone(), dk.clone())).or_default().insert(me.clone());
                }
            }
        }
    }
    for (sa, inst) in plan.prior_state.instances() {
        let Ok(a) = crate::stateconv::addr_from_state(&sa) else { continue };
        let me = res_key(&a.resource);
        for dep in &inst.dependencies {
            if let Ok(t) = dep.parse::<crate::addr::Target>() {
                let r = match t {
                    crate::addr::Target::Resource(r) => r,
                    crate::addr::Target::Instance(i) => i.resource,
                    crate::addr::Target::Module(_) => continue,
                };
                dependents.entry(res_key(&r)).or_default().insert(me.clone());
            }
        }
    }
    let destroy_node: HashMap<ResKey, usize> = ex.destroy_groups.iter().enumerate().map(|(i, (k, _))| (k.clone(), n_conf + i)).collect();
    for (gi, (key, changes)) in ex.destroy_groups.iter().enumerate() {
        let me = n_conf + gi;
        let has_dtc = changes.iter().any(|c| c.action == Action::DeleteThenCreate);
        let has_ctd = changes.iter().any(|c| c.action == Action::CreateThenDelete);
        let pure = changes.iter().all(|c| matches!(c.action, Action::Delete | Action::Forget));
        let apply_node = node_of.get(key).copied();
        if let Some(a) = apply_node {
            if has_dtc {
                g.add_edge(a, me);
            }
            if has_ctd {
                g.add_edge(me, a);
            }
        }
        for s in dependents.get(key).into_iter().flatten() {
            if s == key {
                continue;
            }
            if let Some(&sd) = destroy_node.get(s) {
                g.add_edge(me, sd);
            }
            if pure || has_ctd {
                if let Some(&sa) = node_of.get(s) {
                    g.add_edge(me, sa);
                }
            }
        }
    }
    g.dedup();
    if let Err(cycles) = g.toposort() {
        let names: Vec<String> = cycles
            .iter()
            .flatten()
            .map(|&i| if i < n_conf { ex.env.cg.nodes[i].display() } else { format!("{} (destroy)", ex.destroy_groups[i - n_conf].0 .1) })
            .collect();
        diags.push(Diagnostic::bug("cycle in the apply graph", format!("The planned changes cannot be ordered: {}.", names.join(", "))));
        return (summary, diags);
    }

    tm("graph built");
    let mut t_record = Duration::ZERO;
    let mut t_start = Duration::ZERO;
    // 3. Walk.
    let par = ctx.parallelism.max(1);
    let mut indeg: Vec<usize> = g.deps.iter().map(Vec::len).collect();
    let mut st = vec![NodeState::Waiting; n];
    let mut pending_ops = vec![0usize; n];
    let mut ready: VecDeque<usize> = (0..n).filter(|&i| indeg[i] == 0).collect();
    let mut queue: VecDeque<Op> = VecDeque::new();
    let mut inflight = FuturesUnordered::new();
    let mut cancelled = false;
    let mut done_nodes: Vec<usize> = Vec::new();
    loop {
        // Completed nodes release their dependents.
        while let Some(i) = done_nodes.pop() {
            for &d in &g.rdeps[i] {
                indeg[d] -= 1;
                if indeg[d] == 0 {
                    ready.push_back(d);
                }
            }
        }
        while let Some(i) = ready.pop_front() {
            let blocked = g.deps[i].iter().any(|&d| matches!(st[d], NodeState::Failed | NodeState::Skipped));
            if blocked || cancelled {
                st[i] = NodeState::Skipped;
                if i >= n_conf {
                    summary.skipped += ex.destroy_groups[i - n_conf].1.len();
                } else if let NodeKind::Resource(k) = &ex.env.cg.nodes[i].kind {
                    let module = ex.env.cg.nodes[i].module.clone();
                    summary.skipped += plan
                        .changes
                        .iter()
                        .filter(|c| c.deposed.is_none() && !matches!(c.action, Action::NoOp | Action::Delete | Action::Forget) && c.addr.resource.module.config_path() == module && c.addr.resource.local_name() == *k)
                        .count();
                }
                done_nodes.push(i);
                continue;
            }
            st[i] = NodeState::Running;
            let ts = Instant::now();
            let ops = ex.start_node(i, n_conf).await;
            t_start += ts.elapsed();
            if ops.is_empty() {
                st[i] = NodeState::Done;
                done_nodes.push(i);
            } else {
                pending_ops[i] = ops.len();
                queue.extend(ops);
            }
        }
        if !done_nodes.is_empty() {
            continue;
        }
        if cancelled {
            for op in queue.drain(..) {
                summary.skipped += 1;
                pending_ops[op.node] -= 1;
                st[op.node] = NodeState::Skipped;
                if pending_ops[op.node] == 0 {
                    done_nodes.push(op.node);
                }
            }
        }
        while inflight.len() < par && !cancelled {
            let Some(op) = queue.pop_front() else { break };
            inflight.push(run_op(op, hook));
        }
        if !done_nodes.is_empty() {
            continue;
        }
        if inflight.is_empty() {
            break;
        }
        let first = if cancelled {
            inflight.next().await
        } else {
            tokio::select! {
                r = inflight.next() => r,
                _ = cancel.cancelled() => {
                    cancelled = true;
                    summary.cancelled = true;
                    continue;
                }
            }
        };
        let Some(first) = first else { continue };
        // Group commit: collect every change that completes without waiting (refilling the
        // free slots with queued, independent work), then record them with one durable
        // write. No completed change waits on provider or network latency before it is
        // recorded, and dependents start only after the write.
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            while inflight.len() < par && !cancelled && !cancel.is_cancelled() {
                let Some(op) = queue.pop_front() else { break };
                inflight.push(run_op(op, hook));
            }
            match inflight.next().now_or_never() {
                Some(Some(r)) => batch.push(r),
                _ => break,
            }
        }
        let changes: Vec<InstanceChange> = batch.iter().flat_map(|r| r.changes.iter().cloned()).collect();
        let tr = Instant::now();
        let record_err = if changes.is_empty() { None } else { state.record(changes).await.err() };
        t_record += tr.elapsed();
        if let Some(d) = record_err.clone() {
            diags.push(d.with_address(&batch.iter().map(|r| r.addr.to_string()).collect::<Vec<_>>().join(", ")));
            // Without durable state, stop scheduling new work.
            cancelled = true;
        }
        for mut r in batch {
            if let Some(v) = &r.value {
                // `self` of postconditions is the new object, visible to the scope first.
                if let Ok(mut w) = ex.env.values.write() {
                    let key = r.addr.resource.local_name();
                    if let Some(rv) = w.resources.get_mut(&(r.addr.resource.module.clone(), key)) {
                        rv.instances.insert(r.addr.key.clone(), v.clone());
                    }
                }
            }
            // The change itself succeeded (a nested data source's failed read counts as done);
            // a failed postcondition then fails the node, so dependents are skipped.
            let done = ex.after_op(&r.addr, r.kind, r.value.as_ref(), r.ok, &mut r.diags);
            let changed_ok = r.ok || (done && r.kind == OpKind::ReadData);
            let recorded = record_err.is_none() || r.changes.is_empty();
            hook.post_apply(&r.addr, r.action, if changed_ok && recorded { Ok(r.id.clone()) } else { Err(()) }, r.elapsed);
            ex.diags.extend(r.diags);
            if changed_ok {
                match (r.kind, r.action) {
                    (OpKind::Forget, _) => ex.summary.forgotten += 1,
                    (OpKind::DestroyCurrent | OpKind::DestroyDeposed, _) => ex.summary.destroyed += 1,
                    (_, Action::Create | Action::DeleteThenCreate | Action::CreateThenDelete) => ex.summary.added += 1,
                    (_, Action::Update) => ex.summary.changed += 1,
                    _ => {}
                }
                if r.importing {
                    ex.summary.imported += 1;
                }
            }
            if !done {
                st[r.node] = NodeState::Failed;
            }
            if let Some(v) = r.value {
                if let Ok(mut w) = ex.env.values.write() {
                    let key = r.addr.resource.local_name();
                    if let Some(rv) = w.resources.get_mut(&(r.addr.resource.module.clone(), key)) {
                        rv.instances.insert(r.addr.key.clone(), v);
                    }
                }
            }
            pending_ops[r.node] -= 1;
            if pending_ops[r.node] == 0 {
                if st[r.node] == NodeState::Running {
                    st[r.node] = NodeState::Done;
                }
                done_nodes.push(r.node);
            }
        }
    }
    tm("walked");
    tracing::debug!(target: "plinth::timing", "apply: recording {t_record:?}, starting nodes {t_start:?}");
    summary.added += ex.summary.added;
    summary.changed += ex.summary.changed;
    summary.destroyed += ex.summary.destroyed;
    summary.imported += ex.summary.imported;
    summary.forgotten += ex.summary.forgotten;
    diags.extend(ex.diags);

    // 4. Outputs.
    let mut outs: BTreeMap<String, OutputState> = state.state().outputs.clone();
    if plan.mode == PlanMode::Destroy {
        outs.clear();
    } else {
        let root = &ctx.config.root;
        let values = ex.env.values.read().ok();
        for (name, o) in &root.outputs {
            let Some(v) = values.as_ref().and_then(|v| v.outputs.get(&(crate::addr::ModuleInstance::root(), name.clone())).cloned()) else { continue };
            if v.is_wholly_known() {
                outs.insert(name.clone(), OutputState::from_value(&v, o.sensitive));
            }
        }
        if plan.targets.is_empty() {
            outs.retain(|k, _| root.outputs.contains_key(k));
        }
    }
    if outs != state.state().outputs {
        if let Err(d) = state.record(vec![InstanceChange::Outputs { outputs: outs }]).await {
            diags.push(d);
        }
    }
    if let Err(d) = state.persist().await {
        diags.push(d);
    }
    tm("persisted");
    (summary, diags)
}

/// The changes that turn `from` into `to` (objects only; outputs are left alone).
pub(crate) fn state_diff(from: &State, to: &State) -> Vec<InstanceChange> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for r in &to.resources {
        for i in &r.instances {
            let addr = plinth_state::InstanceAddr {
                module: r.module.clone(),
                mode: r.mode,
                type_name: r.type_name.clone(),
                name: r.name.clone(),
                key: i.index_key.clone(),
                deposed: i.deposed.clone(),
            };
            if from.instance(&addr) != Some(i) {
                out.push(InstanceChange::Set { addr: addr.clone(), provider: r.provider.clone(), each: None, instance: i.clone() });
            }
            seen.insert(addr);
        }
    }
    for (addr, _) in from.instances() {
        if !seen.contains(&addr) {
            out.push(InstanceChange::Remove { addr });
        }
    }
    out
}
