//! Planning: refresh, evaluate the configuration in dependency order, decide each
//! instance's action (with Terraform's reasons), orphans, drift and outputs.

use crate::addr::{InstanceKey, ModuleInstance, ResourceAddress, ResourceInstanceAddress, Target};
use crate::conditions::{check_rules, RuleKind};
use crate::confgraph::{module_at, NodeKind};
use crate::env::Env;
use crate::model::{Action, ActionReason, OutputChange, Plan, PlanMode, ResourceChange, PLAN_FORMAT_VERSION};
use crate::objchange::{apply_ignore_changes, get_path, ignore_all, proposed_new, same_value};
use crate::prior::{apply_moves, index_state, index_to_state, PriorIndex};
use crate::provcfg::{resource_provider, Configured, ResourceProvider};
use crate::scope::ResVals;
use crate::stateconv::{instance_from_value, instance_value, mark_value, parse_provider_addr, private_bytes};
use crate::{ApplyHook, Context, PlanOptions};
use futures::StreamExt;
use plinth_lang::{IgnoreChanges, Resource, ResourceMode};
use plinth_sdk::{
    AttrPath, ConfiguredProvider, Diagnostic, Diagnostics, PlanChangeRequest, ReadDataSourceRequest, ReadResourceRequest, Schema,
    Type, Value,
};
use plinth_state::{InstanceState, State};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

/// A digest of every `*.tf` / `*.tf.json` file of every module (sorted by path).
pub fn config_fingerprint(config: &plinth_lang::Config) -> String {
    use sha2::{Digest, Sha256};
    let mut dirs = Vec::new();
    fn walk(m: &plinth_lang::Module, out: &mut Vec<std::path::PathBuf>) {
        out.push(m.dir.clone());
        for c in m.module_calls.values() {
            walk(&c.module, out);
        }
    }
    walk(&config.root, &mut dirs);
    dirs.sort();
    dirs.dedup();
    let mut h = Sha256::new();
    for d in dirs {
        let mut files: Vec<_> = std::fs::read_dir(&d)
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| {
                        let n = p.to_string_lossy();
                        n.ends_with(".tf") || n.ends_with(".tf.json")
                    })
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        for f in files {
            h.update(f.to_string_lossy().as_bytes());
            h.update([0]);
            h.update(std::fs::read(&f).unwrap_or_default());
            h.update([0]);
        }
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) struct Planner<'a> {
    pub env: Env<'a>,
    pub opts: &'a PlanOptions,
    pub hook: &'a dyn ApplyHook,
    pub configured: Configured,
    pub diags: Diagnostics,
    pub idx: PriorIndex,
    pub changes: Vec<ResourceChange>,
    pub drift: Vec<ResourceChange>,
    pub claimed: HashSet<ResourceInstanceAddress>,
    /// Data sources read during plan: (address, provider, object).
    pub data_reads: Vec<(ResourceInstanceAddress, String, InstanceState)>,
    /// Actions already decided per resource (for `replace_triggered_by`, data source deferral).
    pub resource_actions: HashMap<ResourceAddress, Vec<Action>>,
    /// Position in `changes` of each current object's planned change.
    pub change_index: HashMap<ResourceInstanceAddress, usize>,
    /// `import` blocks: target → (id expression, range).
    pub imports: HashMap<ResourceInstanceAddress, (plinth_lang::Expr, plinth_sdk::SourceRange)>,
    pub include: Vec<bool>,
    pub instance_filter: HashMap<usize, Vec<ResourceInstanceAddress>>,
    /// Config nodes for which every targeted/included instance filter applies.
    pub targeted: bool,
    /// Resolved providers and schemas of state objects by (provider address, mode, type).
    #[allow(clippy::type_complexity)]
    sp_cache: HashMap<(String, ResourceMode, String), Option<(crate::ResolvedProvider, Option<String>, Arc<Schema>)>>,
}

struct InstJob {
    addr: ResourceInstanceAddress,
    type_name: String,
    mode: ResourceMode,
    provider: Arc<dyn ConfiguredProvider>,
    provider_name: String,
    schema: Arc<Schema>,
    config: Value,
    prior: Option<Value>,
    prior_private: Vec<u8>,
    forced: Option<ActionReason>,
    cbd: bool,
    ignore: IgnoreMode,
    import_id: Option<String>,
    refresh_only: bool,
    data_pending: bool,
    /// A data source nested in a `check` block: read errors are warnings and it is read
    /// again during apply.
    check_nested: bool,
    prev_addr: Option<ResourceInstanceAddress>,
}

#[derive(Clone)]
enum IgnoreMode {
    None,
    All,
    Paths(Vec<AttrPath>),
}

struct InstOut {
    addr: ResourceInstanceAddress,
    change: Option<ResourceChange>,
    value: Value,
    data_read: Option<(String, InstanceState)>,
    diags: Diagnostics,
}

async fn run_job(j: InstJob, hook: &dyn ApplyHook) -> InstOut {
    let mut diags = Diagnostics::new();
    let block = &j.schema.block;
    let ty = block.implied_type();
    let addr_s = j.addr.to_string();
    let (cfg_bare, cfg_marks) = j.config.clone().unmark_deep();
    if j.mode == ResourceMode::Data {
        if !cfg_bare.is_wholly_known() || j.data_pending {
            let after = mark_value(proposed_new(block, None, &cfg_bare), &cfg_marks, block);
            let reason = if j.data_pending { ActionReason::ReadBecauseDependencyPending } else { ActionReason::ReadBecauseConfigUnknown };
            let change = ResourceChange {
                addr: j.addr.clone(),
                prev_run_addr: None,
                deposed: None,
                provider: j.provider_name.clone(),
                action: Action::Read,
                reason: Some(reason),
                before: Value::Null(ty.clone()),
                after: after.clone(),
                replace_paths: vec![],
                importing: None,
                schema_type: ty,
                config: j.config.clone(),
                planned_private: vec![],
            };
            return InstOut { addr: j.addr, change: Some(change), value: after, data_read: None, diags };
        }
        // "data.x: Reading..." / "Read complete after 0s [id=…]", as Terraform prints them
        // for data sources read while planning.
        hook.pre_apply(&j.addr, Action::Read);
        let started = std::time::Instant::now();
        let resp = j.provider.read_data_source(ReadDataSourceRequest { type_name: j.type_name.clone(), config: cfg_bare.clone() }).await;
        let bad = resp.diagnostics.has_errors();
        let id = resp.state.get_attr("id").and_then(|v| v.as_str().map(str::to_string));
        hook.post_apply(&j.addr, Action::Read, if bad { Err(()) } else { Ok(id) }, started.elapsed());
        if j.check_nested {
            // Terraform reports a nested data source's problems as warnings and plans to
            // read it again during apply, to verify the check block then.
            for mut d in resp.diagnostics.with_address(&addr_s) {
                d.severity = plinth_sdk::Severity::Warning;
                diags.push(d);
            }
            let after = if bad { mark_value(proposed_new(block, None, &cfg_bare), &cfg_marks, block) } else { mark_value(resp.state, &cfg_marks, block) };
            let change = ResourceChange {
                addr: j.addr.clone(),
                prev_run_addr: None,
                deposed: None,
                provider: j.provider_name.clone(),
                action: Action::Read,
                reason: Some(ActionReason::ReadBecauseCheckNested),
                before: Value::Null(ty.clone()),
                after: after.clone(),
                replace_paths: vec![],
                importing: None,
                schema_type: ty,
                config: j.config.clone(),
                planned_private: vec![],
            };
            return InstOut { addr: j.addr, change: Some(change), value: after, data_read: None, diags };
        }
        diags.extend(resp.diagnostics.with_address(&addr_s));
        if bad {
            return InstOut { addr: j.addr, change: None, value: Value::Unknown(ty), data_read: None, diags };
        }
        let v = mark_value(resp.state, &cfg_marks, block);
        let inst = instance_from_value(&v, &j.schema, &[], vec![], false, false);
        return InstOut { addr: j.addr, change: None, value: v, data_read: Some((j.provider_name, inst)), diags };
    }

    // Managed resources.
    let mut prior = j.prior.clone();
    let mut prior_private = j.prior_private.clone();
    let mut importing = None;
    if let Some(id) = &j.import_id {
        if prior.is_none() {
            let resp = j.provider.import_resource(plinth_sdk::ImportResourceRequest { type_name: j.type_name.clone(), id: id.clone() }).await;
            let bad = resp.diagnostics.has_errors();
            diags.extend(resp.diagnostics.with_address(&addr_s));
            if bad {
                return InstOut { addr: j.addr, change: None, value: Value::Unknown(ty), data_read: None, diags };
            }
            let Some(imp) = resp.imported.into_iter().find(|i| i.type_name == j.type_name) else {
                diags.push(
                    Diagnostic::error("Cannot import non-existent remote object")
                        .with_detail(format!("The provider found no {} with ID {id:?} to import into {addr_s}.", j.type_name))
                        .with_address(&addr_s),
                );
                return InstOut { addr: j.addr, change: None, value: Value::Unknown(ty), data_read: None, diags };
            };
            let read = j
                .provider
                .read_resource(ReadResourceRequest { type_name: j.type_name.clone(), current_state: imp.state.clone(), private: imp.private.clone() })
                .await;
            diags.extend(read.diagnostics.with_address(&addr_s));
            match read.new_state {
                Some(s) => {
                    prior = Some(mark_value(s, &[], block));
                    prior_private = read.private;
                    importing = Some(id.clone());
                }
                None => {
                    diags.push(
                        Diagnostic::error("Cannot import non-existent remote object")
                            .with_detail(format!("While attempting to import an existing object to {addr_s}, the provider detected that no object exists with the given id {id:?}."))
                            .with_address(&addr_s),
                    );
                    return InstOut { addr: j.addr, change: None, value: Value::Unknown(ty), data_read: None, diags };
                }
            }
        }
    }
    if j.refresh_only {
        let v = prior.clone().unwrap_or(Value::Unknown(ty));
        return InstOut { addr: j.addr, change: None, value: v, data_read: None, diags };
    }
    let prior_split = prior.clone().map(|p| p.unmark_deep());
    let prior_bare = prior_split.as_ref().map(|(b, _)| b.clone());
    let prior_marks = prior_split.map(|(_, m)| m).unwrap_or_default();
    let mut cfg_eff = cfg_bare.clone();
    if let Some(p) = &prior_bare {
        cfg_eff = match &j.ignore {
            IgnoreMode::None => cfg_eff,
            IgnoreMode::All => ignore_all(block, &cfg_eff, p),
            IgnoreMode::Paths(ps) => apply_ignore_changes(cfg_eff, p, ps),
        };
    }
    let proposed = proposed_new(block, prior_bare.as_ref(), &cfg_eff);
    let resp = j
        .provider
        .plan_change(PlanChangeRequest {
            type_name: j.type_name.clone(),
            prior_state: prior_bare.clone(),
            proposed_new_state: Some(proposed),
            config: cfg_eff.clone(),
            prior_private: prior_private.clone(),
        })
        .await;
    let bad = resp.diagnostics.has_errors();
    diags.extend(resp.diagnostics.with_address(&addr_s));
    if bad {
        return InstOut { addr: j.addr, change: None, value: Value::Unknown(ty), data_read: None, diags };
    }
    let mut planned = resp.planned_state.unwrap_or_else(|| Value::Null(ty.clone()));
    let mut planned_private = resp.planned_private;
    let mut replace_paths = Vec::new();
    let (action, reason) = match &prior_bare {
        None => (Action::Create, None),
        Some(p) => {
            let rr: Vec<AttrPath> = resp
                .requires_replace
                .into_iter()
                .filter(|path| {
                    let a = get_path(p, path);
                    let b = get_path(&planned, path);
                    match (&a, &b) {
                        (Some(x), Some(y)) => !y.is_wholly_known() || !same_value(x, y),
                        (None, None) => false,
                        _ => true,
                    }
                })
                .collect();
            if let Some(r) = j.forced {
                (Action::DeleteThenCreate, Some(r))
            } else if !rr.is_empty() {
                replace_paths = rr;
                (Action::DeleteThenCreate, Some(ActionReason::ReplaceBecauseCannotUpdate))
            } else if same_value(p, &planned) {
                (Action::NoOp, None)
            } else {
                (Action::Update, None)
            }
        }
    };
    let action = if action == Action::DeleteThenCreate {
        let proposed2 = proposed_new(block, None, &cfg_eff);
        let resp2 = j
            .provider
            .plan_change(PlanChangeRequest {
                type_name: j.type_name.clone(),
                prior_state: None,
                proposed_new_state: Some(proposed2),
                config: cfg_eff.clone(),
                prior_private: vec![],
            })
            .await;
        let bad = resp2.diagnostics.has_errors();
        diags.extend(resp2.diagnostics.with_address(&addr_s));
        if bad {
            return InstOut { addr: j.addr, change: None, value: Value::Unknown(ty), data_read: None, diags };
        }
        planned = resp2.planned_state.unwrap_or_else(|| Value::Null(ty.clone()));
        planned_private = resp2.planned_private;
        if j.cbd {
            Action::CreateThenDelete
        } else {
            Action::DeleteThenCreate
        }
    } else {
        action
    };
    // Marks of the new object: the configuration's (Terraform's `MarkWithPaths(unmarkedPaths)`
    // plus the schema's sensitive attributes); ignored attributes keep the prior object's.
    let marks = match (&j.ignore, action.creates()) {
        (IgnoreMode::None, _) | (_, true) => cfg_marks.clone(),
        (IgnoreMode::All, false) => prior_marks.clone(),
        (IgnoreMode::Paths(ps), false) => {
            let ignored = |m: &AttrPath| ps.iter().any(|p| p.is_prefix_of(m) || m.is_prefix_of(p));
            let mut ms: Vec<AttrPath> = cfg_marks.iter().filter(|m| !ignored(m)).cloned().collect();
            ms.extend(prior_marks.iter().filter(|m| ignored(m)).cloned());
            ms
        }
    };
    let after = mark_value(planned, &marks, block);
    let before = prior.clone().unwrap_or(Value::Null(ty.clone()));
    // A change of sensitivity alone is an update (it rewrites `sensitive_attributes`).
    let action = if action == Action::NoOp && !same_marks(&before, &after, block) { Action::Update } else { action };
    let change = ResourceChange {
        addr: j.addr.clone(),
        prev_run_addr: j.prev_addr.clone(),
        deposed: None,
        provider: j.provider_name.clone(),
        action,
        reason,
        before,
        after: after.clone(),
        replace_paths,
        importing,
        schema_type: ty,
        config: j.config.clone(),
        planned_private,
    };
    InstOut { addr: j.addr, change: Some(change), value: after, data_read: None, diags }
}

/// Whether two values carry sensitive marks at the same paths. Marks of attributes the
/// schema declares sensitive do not count (they are sensitive on both sides, however a
/// state writer recorded them inside nested blocks).
pub(crate) fn same_marks(a: &Value, b: &Value, block: &plinth_sdk::Block) -> bool {
    let norm = |v: &Value| {
        let mut p: Vec<AttrPath> = v.clone().unmark_deep().1.into_iter().filter(|p| !schema_sensitive_path(block, p)).collect();
        p.sort();
        p.dedup();
        p
    };
    norm(a) == norm(b)
}

/// Whether `path` is at or inside an attribute the schema declares sensitive (nested blocks
/// followed through their element keys).
fn schema_sensitive_path(block: &plinth_sdk::Block, path: &AttrPath) -> bool {
    let mut b = block;
    let mut steps = path.0.iter().peekable();
    while let Some(step) = steps.next() {
        let plinth_sdk::PathStep::Attr(name) = step else { return false };
        if let Some(a) = b.attributes.get(name) {
            return a.sensitive;
        }
        let Some(nb) = b.blocks.get(name) else { return false };
        if !matches!(nb.nesting, plinth_sdk::Nesting::Single | plinth_sdk::Nesting::Group) {
            // The element of a list, set or map of blocks.
            if matches!(steps.peek(), Some(plinth_sdk::PathStep::Index(_) | plinth_sdk::PathStep::Key(_))) {
                steps.next();
            }
        }
        b = &nb.block;
    }
    false
}

impl<'a> Planner<'a> {
    pub fn new(ctx: &'a Context, opts: &'a PlanOptions, hook: &'a dyn ApplyHook) -> Self {
        let (env, diags) = Env::new(ctx);
        let n = env.cg.nodes.len();
        Planner {
            env,
            opts,
            hook,
            configured: Configured::default(),
            diags,
            idx: PriorIndex::new(),
            changes: Vec::new(),
            drift: Vec::new(),
            claimed: HashSet::new(),
            data_reads: Vec::new(),
            resource_actions: HashMap::new(),
            change_index: HashMap::new(),
            imports: HashMap::new(),
            include: vec![true; n],
            instance_filter: HashMap::new(),
            targeted: false,
            sp_cache: HashMap::new(),
        }
    }

    /// Marks the nodes `-target` includes: targets and their dependencies.
    fn compute_targets(&mut self) {
        let targets = &self.opts.targets;
        if targets.is_empty() {
            return;
        }
        self.targeted = true;
        let cg = &self.env.cg;
        let mut roots = Vec::new();
        let mut whole = HashSet::new();
        let mut inst_targets: HashMap<usize, Vec<ResourceInstanceAddress>> = HashMap::new();
        for t in targets {
            for (i, n) in cg.nodes.iter().enumerate() {
                let NodeKind::Resource(key) = &n.kind else { continue };
                let hit = match t {
                    Target::Module(m) => {
                        let cp = m.config_path();
                        n.module.len() >= cp.len() && n.module[..cp.len()] == cp[..]
                    }
                    Target::Resource(r) => n.module == r.module.config_path() && *key == r.local_name(),
                    Target::Instance(ia) => n.module == ia.resource.module.config_path() && *key == ia.resource.local_name(),
                };
                if hit {
                    roots.push(i);
                    match t {
                        Target::Instance(ia) => inst_targets.entry(i).or_default().push(ia.clone()),
                        _ => {
                            whole.insert(i);
                        }
                    }
                }
            }
        }
        let inc = cg.graph.ancestors_closure(&roots);
        let dep_roots: Vec<usize> = roots.iter().flat_map(|&r| cg.graph.deps[r].iter().copied()).collect();
        let deps_only = cg.graph.ancestors_closure(&dep_roots);
        for (node, list) in inst_targets {
            if !whole.contains(&node) && !deps_only[node] {
                self.instance_filter.insert(node, list);
            }
        }
        self.include = inc;
        // Outputs are included when everything they depend on is.
        for (i, n) in cg.nodes.iter().enumerate() {
            if matches!(n.kind, NodeKind::Output(_)) && !self.include[i] {
                let anc = cg.graph.ancestors_closure(&[i]);
                let ok = anc.iter().enumerate().all(|(j, &a)| {
                    !a || j == i || !matches!(cg.nodes[j].kind, NodeKind::Resource(_)) || (self.include[j] && !self.instance_filter.contains_key(&j))
                });
                let has_resources = anc.iter().enumerate().any(|(j, &a)| a && matches!(cg.nodes[j].kind, NodeKind::Resource(_)));
                if ok && has_resources {
                    for (j, &a) in anc.iter().enumerate() {
                        if a {
                            self.include[j] = true;
                        }
                    }
                }
            }
        }
    }

    fn collect_imports(&mut self) {
        let root = &self.env.ctx.config.root;
        for imp in &root.imports {
            match imp.to.parse::<ResourceInstanceAddress>() {
                Ok(a) => {
                    self.imports.insert(a, (imp.id.clone(), imp.range.clone()));
                }
                Err(e) => self.diags.push(e.to_diagnostic(&imp.to).with_subject(imp.range.clone())),
            }
        }
    }

    /// Evaluates root variables, and the locals, module calls and module variables that need
    /// no resources, so provider blocks can be configured before the walk.
    fn pre_eval_root(&mut self, order: &[usize]) {
        let cg = &self.env.cg;
        let mut ok: HashSet<usize> = HashSet::new();
        let mut scratch = Diagnostics::new();
        for &i in order {
            let n = &cg.nodes[i];
            // Child modules too (module calls, variables, locals), when they need no
            // resource: provider blocks inside child modules may use them during refresh.
            let simple = match n.kind {
                NodeKind::Var(_) if n.module.is_empty() => true,
                NodeKind::Var(_) | NodeKind::Local(_) | NodeKind::ModuleCall(_) => cg.graph.deps[i].iter().all(|d| ok.contains(d)),
                _ => false,
            };
            if simple {
                self.env.eval_simple_node(i, &mut scratch);
                ok.insert(i);
            }
        }
    }

    async fn refresh(&mut self) {
        let mut jobs = Vec::new();
        let keys: Vec<ResourceInstanceAddress> = self.idx.keys().cloned().collect();
        for addr in keys {
            if addr.resource.mode != ResourceMode::Managed {
                continue;
            }
            if self.targeted && !self.opts.targets.iter().any(|t| t.contains(&addr)) && !self.addr_included(&addr) {
                continue;
            }
            let Some(o) = self.idx.get(&addr) else { continue };
            let Some(cur) = o.current.clone() else { continue };
            // Objects still in the configuration are read with the configuration's provider
            // block; orphans with the one recorded in state.
            let cfg_mod = module_at(&self.env.ctx.config.root, &addr.resource.module.config_path())
                .and_then(|m| m.resources.get(&addr.resource.local_name()))
                .and_then(|r| resource_provider(&self.env.ctx.providers, &self.env.ctx.config.root, &addr.resource.module.config_path(), r).ok())
                .map(|rp| rp.config_module);
            let pmod = cfg_mod.unwrap_or_else(|| crate::provcfg::provider_addr_module(&o.provider));
            let Some((rp, alias, schema)) = self.state_provider(&addr, &o.provider.clone()) else { continue };
            let Some(cp) = self.configured.get_for_orphan(&self.env, &rp, alias.as_deref(), &pmod, &addr.to_string(), &mut self.diags).await else { continue };
            let tn = addr.resource.type_name.clone();
            let cp2 = cp.clone();
            let value = match instance_value(&cur, &schema, |v, j| cp2.upgrade_resource_state(&tn, v, j)) {
                Ok(v) => v,
                Err(d) => {
                    self.diags.push(d.with_address(addr.to_string()));
                    continue;
                }
            };
            jobs.push((addr, cp, schema, value, private_bytes(&cur)));
        }
        let hook = self.hook;
        let par = self.env.ctx.parallelism.max(1);
        let results: Vec<_> = futures::stream::iter(jobs)
            .map(|(addr, cp, schema, value, private)| async move {
                hook.pre_refresh(&addr);
                let (bare, _) = value.clone().unmark_deep();
                let resp = cp
                    .read_resource(ReadResourceRequest { type_name: addr.resource.type_name.clone(), current_state: bare, private })
                    .await;
                let id = resp.new_state.as_ref().and_then(|s| s.get_attr("id")).and_then(|v| v.as_str().map(str::to_string));
                hook.post_refresh(&addr, id.as_deref());
                (addr, schema, value, resp)
            })
            .buffer_unordered(par)
            .collect()
            .await;
        for (addr, schema, before, resp) in results {
            let addr_s = addr.to_string();
            let bad = resp.diagnostics.has_errors();
            self.diags.extend(resp.diagnostics.with_address(&addr_s));
            if bad {
                continue;
            }
            let Some(o) = self.idx.get_mut(&addr) else { continue };
            let ty = schema.block.implied_type();
            match resp.new_state {
                None => {
                    self.drift.push(drift_change(&addr, o.prev_addr.clone(), &o.provider, Action::Delete, before, Value::Null(ty.clone()), ty));
                    o.current = None;
                }
                Some(new) => {
                    let (_, marks) = before.clone().unmark_deep();
                    let after = mark_value(new, &marks, &schema.block);
                    if same_value(&before, &after) {
                        // Unchanged: keep the stored object (and its JSON) as it is.
                        if let Some(cur) = &mut o.current {
                            if private_bytes(cur) != resp.private {
                                cur.private = if resp.private.is_empty() { None } else { Some(crate::stateconv::base64_encode(&resp.private)) };
                            }
                        }
                        continue;
                    }
                    self.drift.push(drift_change(&addr, o.prev_addr.clone(), &o.provider, Action::Update, before, after.clone(), ty));
                    if let Some(cur) = &o.current {
                        let mut inst = instance_from_value(&after, &schema, &resp.private, cur.dependencies.clone(), cur.create_before_destroy, cur.is_tainted());
                        inst.identity = cur.identity.clone();
                        inst.identity_schema_version = cur.identity_schema_version;
                        o.current = Some(inst);
                    }
                }
            }
        }
    }

    fn addr_included(&self, addr: &ResourceInstanceAddress) -> bool {
        let key = addr.resource.local_name();
        match self.env.cg.get(&addr.resource.module.config_path(), &NodeKind::Resource(key)) {
            Some(i) => self.include[i] && self.instance_filter.get(&i).is_none_or(|l| l.contains(addr)),
            None => false,
        }
    }

    /// Provider, alias and schema for an object recorded in state (cached per provider
    /// address and type).
    fn state_provider(&mut self, addr: &ResourceInstanceAddress, provider_addr: &str) -> Option<(crate::ResolvedProvider, Option<String>, Arc<Schema>)> {
        let ck = (provider_addr.to_string(), addr.resource.mode, addr.resource.type_name.clone());
        if let Some(hit) = self.sp_cache.get(&ck) {
            return hit.clone();
        }
        let r = self.state_provider_uncached(addr, provider_addr);
        self.sp_cache.insert(ck, r.clone());
        r
    }

    fn state_provider_uncached(&mut self, addr: &ResourceInstanceAddress, provider_addr: &str) -> Option<(crate::ResolvedProvider, Option<String>, Arc<Schema>)> {
        let Some((source, alias)) = parse_provider_addr(provider_addr) else {
            self.diags.push(Diagnostic::error("invalid provider address in state").with_detail(format!("{addr} records provider {provider_addr:?}.")).with_address(addr.to_string()));
            return None;
        };
        let Some(rp) = self.env.ctx.providers.by_source(&source) else {
            self.diags.push(
                Diagnostic::error(format!("provider {source} is not available"))
                    .with_detail(format!("The state has {addr} from provider {source}, which is not one of Plinth's built-in providers ({}).", self.env.ctx.providers.available().join(", ")))
                    .with_address(addr.to_string()),
            );
            return None;
        };
        let data = addr.resource.mode == ResourceMode::Data;
        let Some(schema) = crate::ProviderRegistry::resource_schema(&rp, data, &addr.resource.type_name).cloned().map(Arc::new) else {
            self.diags.push(
                Diagnostic::error("resource type not supported")
                    .with_detail(format!("The state has {addr}, but provider {source} has no resource type {:?}.", addr.resource.type_name))
                    .with_address(addr.to_string()),
            );
            return None;
        };
        Some((rp, alias, schema))
    }

    fn prior_value(&mut self, addr: &ResourceInstanceAddress, schema: &Schema, cp: &Arc<dyn ConfiguredProvider>) -> Option<(Value, Vec<u8>, bool)> {
        let o = self.idx.get(addr)?;
        let cur = o.current.as_ref()?;
        let tn = addr.resource.type_name.clone();
        match instance_value(cur, schema, |v, j| cp.upgrade_resource_state(&tn, v, j)) {
            Ok(v) => Some((v, private_bytes(cur), cur.is_tainted())),
            Err(d) => {
                self.diags.push(d.with_address(addr.to_string()));
                None
            }
        }
    }

    async fn plan_resource_node(&mut self, id: usize) {
        let node = self.env.cg.nodes[id].clone();
        let NodeKind::Resource(key) = &node.kind else { return };
        let ctx = self.env.ctx;
        let Some(m) = module_at(&ctx.config.root, &node.module) else { return };
        let Some(r) = m.resources.get(key) else { return };
        let rp = match resource_provider(&ctx.providers, &ctx.config.root, &node.module, r) {
            Ok(p) => p,
            Err(d) => {
                self.diags.push(d);
                return;
            }
        };
        let data = r.mode == ResourceMode::Data;
        let Some(schema) = crate::ProviderRegistry::resource_schema(&rp.resolved, data, &r.type_name).cloned().map(Arc::new) else {
            self.diags.push(unsupported_type(r, &rp));
            return;
        };
        let Some(cp) = self.configured.get(&self.env, &rp.resolved, rp.alias.as_deref(), &rp.config_module, &mut self.diags).await else { return };
        let filter = self.instance_filter.get(&id).cloned();
        let insts = self.env.module_instances(&node.module);
        let mut jobs = Vec::new();
        let refresh_only = self.opts.mode == PlanMode::RefreshOnly;
        let ignore = match &r.lifecycle.ignore_changes {
            IgnoreChanges::None => IgnoreMode::None,
            IgnoreChanges::All => IgnoreMode::All,
            IgnoreChanges::Paths(p) => IgnoreMode::Paths(p.clone()),
        };
        let data_pending = data && self.depends_on_pending(r, &node.module);
        // Instances with postconditions: where to evaluate them.
        let mut post_scope: HashMap<ResourceInstanceAddress, (ModuleInstance, InstanceKey, Option<Value>)> = HashMap::new();
        for inst in insts {
            let exp = {
                let scope = self.env.scope(m, &inst.addr, InstanceKey::NoKey, None);
                let mut d = Diagnostics::new();
                let e = self.env.expansion(r.count.as_ref(), r.for_each.as_ref(), &scope, &mut d);
                self.diags.extend(d.with_address(&format!("{}", ResourceAddress { module: inst.addr.clone(), mode: r.mode, type_name: r.type_name.clone(), name: r.name.clone() })));
                e
            };
            if let Ok(mut w) = self.env.values.write() {
                w.resources.insert((inst.addr.clone(), key.clone()), ResVals { expansion: exp.clone(), instances: BTreeMap::new() });
            }
            let raddr = ResourceAddress { module: inst.addr.clone(), mode: r.mode, type_name: r.type_name.clone(), name: r.name.clone() };
            for (k, each) in exp.keys() {
                let addr = raddr.instance(k.clone());
                if let Some(f) = &filter {
                    if !f.contains(&addr) {
                        continue;
                    }
                }
                self.claimed.insert(addr.clone());
                let (config, d) = {
                    let scope = self.env.scope(m, &inst.addr, k.clone(), each.clone());
                    self.env.eval_body(&r.body, &schema.block, &scope)
                };
                let bad = d.has_errors();
                self.diags.extend(d.with_address(&addr.to_string()));
                if bad {
                    continue;
                }
                if !r.lifecycle.preconditions.is_empty() {
                    let out = {
                        let scope = self.env.scope(m, &inst.addr, k.clone(), each.clone());
                        check_rules(&self.env, &r.lifecycle.preconditions, &scope, RuleKind::ResourcePrecondition, true, Some(&addr.to_string()))
                    };
                    if refresh_only {
                        // Refresh-only plans report failed conditions as warnings (Terraform).
                        self.diags.extend(as_warnings(out.diags));
                    } else {
                        self.diags.extend(out.diags);
                        if out.failed {
                            // Not planned: what depends on it sees an unknown value.
                            continue;
                        }
                    }
                }
                if !r.lifecycle.postconditions.is_empty() {
                    post_scope.insert(addr.clone(), (inst.addr.clone(), k.clone(), each.clone()));
                }
                let (prior, prior_private, tainted) = if data {
                    (None, vec![], false)
                } else {
                    match self.prior_value(&addr, &schema, &cp) {
                        Some((v, p, t)) => (Some(v), p, t),
                        None => (None, vec![], false),
                    }
                };
                // Evaluated for every instance (an invalid entry is an error even on create).
                let triggered = !data && !r.lifecycle.replace_triggered_by.is_empty() && self.replace_triggered(r, m, &inst.addr, &k);
                let forced = if prior.is_none() {
                    None
                } else if tainted {
                    Some(ActionReason::ReplaceBecauseTainted)
                } else if self.opts.replace.contains(&addr) {
                    Some(ActionReason::ReplaceByRequest)
                } else if triggered {
                    Some(ActionReason::ReplaceByTriggers)
                } else {
                    None
                };
                let import_id = if prior.is_none() && !data { self.import_id(&addr, m, &inst.addr) } else { None };
                let prev_addr = self.idx.get(&addr).map(|o| o.prev_addr.clone()).filter(|p| *p != addr);
                jobs.push(InstJob {
                    addr,
                    type_name: r.type_name.clone(),
                    mode: r.mode,
                    provider: cp.clone(),
                    provider_name: rp.state_name.clone(),
                    schema: schema.clone(),
                    config,
                    prior,
                    prior_private,
                    forced,
                    cbd: r.lifecycle.create_before_destroy,
                    ignore: ignore.clone(),
                    import_id,
                    refresh_only: refresh_only && !data,
                    data_pending,
                    check_nested: r.check.is_some(),
                    prev_addr,
                });
            }
        }
        let par = ctx.parallelism.max(1);
        let hook = self.hook;
        let outs: Vec<InstOut> = futures::stream::iter(jobs).map(|j| run_job(j, hook)).buffered(par).collect().await;
        for o in outs {
            self.diags.extend(o.diags);
            if let Some((mi, k, each)) = post_scope.get(&o.addr) {
                // Postconditions see the planned object as `self` (deferred while unknown).
                let deleting = o.change.as_ref().is_some_and(|c| c.action == Action::Delete);
                if !deleting && !o.value.is_null() {
                    let out = {
                        let mut scope = self.env.scope(m, mi, k.clone(), each.clone());
                        scope.self_value = Some(o.value.clone());
                        check_rules(&self.env, &r.lifecycle.postconditions, &scope, RuleKind::ResourcePostcondition, true, Some(&o.addr.to_string()))
                    };
                    self.diags.extend(if refresh_only { as_warnings(out.diags) } else { out.diags });
                }
            }
            if let Ok(mut w) = self.env.values.write() {
                if let Some(rv) = w.resources.get_mut(&(o.addr.resource.module.clone(), key.clone())) {
                    rv.instances.insert(o.addr.key.clone(), o.value);
                }
            }
            if let Some((p, inst)) = o.data_read {
                self.data_reads.push((o.addr.clone(), p, inst));
            }
            if let Some(mut c) = o.change {
                if c.action.destroys() && r.lifecycle.prevent_destroy {
                    self.diags.push(prevent_destroy_error(&c.addr, Some(r)));
                }
                if c.prev_run_addr.is_none() {
                    c.prev_run_addr = self.idx.get(&c.addr).map(|p| p.prev_addr.clone()).filter(|p| *p != c.addr);
                }
                self.resource_actions.entry(c.addr.resource.clone()).or_default().push(c.action);
                if c.deposed.is_none() {
                    self.change_index.insert(c.addr.clone(), self.changes.len());
                }
                self.changes.push(c);
            }
        }
    }

    fn import_id(&mut self, addr: &ResourceInstanceAddress, m: &plinth_lang::Module, mi: &ModuleInstance) -> Option<String> {
        let (expr, range) = self.imports.get(addr).cloned()?;
        let (v, d) = {
            let scope = self.env.scope(m, mi, InstanceKey::NoKey, None);
            self.env.eval(&expr, &scope)
        };
        self.diags.extend(d);
        match v.as_str() {
            Some(s) if v.is_known() => Some(s.to_string()),
            _ => {
                self.diags.push(
                    Diagnostic::error("Invalid import id argument")
                        .with_detail("The import ID must be a known string at plan time.".to_string())
                        .with_subject(range)
                        .with_address(addr.to_string()),
                );
                None
            }
        }
    }

    /// Whether any resource the data source's `depends_on` names has pending changes.
    fn depends_on_pending(&self, r: &Resource, path: &[String]) -> bool {
        let mi_path = path.to_vec();
        r.depends_on.iter().any(|e| {
            crate::confgraph::expr_refs(e).iter().any(|rf| match rf {
                plinth_lang::Reference::Resource { type_name, name } => self
                    .resource_actions
                    .iter()
                    .any(|(ra, acts)| ra.module.config_path() == mi_path && ra.type_name == *type_name && ra.name == *name && ra.mode == ResourceMode::Managed && acts.iter().any(|a| *a != Action::NoOp)),
                plinth_lang::Reference::Module(n) => self.resource_actions.iter().any(|(ra, acts)| {
                    let cp = ra.module.config_path();
                    cp.len() > mi_path.len() && cp[..mi_path.len()] == mi_path[..] && cp[mi_path.len()] == *n && acts.iter().any(|a| *a != Action::NoOp)
                }),
                _ => false,
            })
        })
    }

    /// `replace_triggered_by` for one instance (Terraform's `EvaluateReplaceTriggeredBy`, see
    /// [`crate::triggers`]): the referenced resources were planned before this one.
    fn replace_triggered(&mut self, r: &Resource, m: &plinth_lang::Module, mi: &ModuleInstance, key: &InstanceKey) -> bool {
        let replacing = |a: Action| matches!(a, Action::Update | Action::DeleteThenCreate | Action::CreateThenDelete);
        for e in &r.lifecycle.replace_triggered_by {
            let text = e.file.text.get(e.range.start.byte..e.range.end.byte).unwrap_or("");
            let Some(t) = crate::triggers::parse_trigger(text) else {
                self.diags.push(invalid_trigger(e));
                continue;
            };
            if !m.resources.contains_key(&format!("{}.{}", t.type_name, t.name)) {
                let d = Diagnostic::error("Invalid reference in replace_triggered_by expression")
                    .with_detail("Only resources, count.index, and each.key may be used in replace_triggered_by.")
                    .with_subject(e.range.clone());
                self.diags.push(d);
                continue;
            }
            let ra = ResourceAddress { module: mi.clone(), mode: ResourceMode::Managed, type_name: t.type_name.clone(), name: t.name.clone() };
            let Some(index) = &t.index else {
                if t.path.0.is_empty() {
                    if self.resource_actions.get(&ra).is_some_and(|acts| acts.iter().any(|a| replacing(*a))) {
                        return true;
                    }
                    continue;
                }
                // An attribute of a single-instance resource.
                if self.attr_changed(&ra.clone().instance(InstanceKey::NoKey), &t.path) {
                    return true;
                }
                continue;
            };
            let Some(k) = self.trigger_key(index, e, key) else { continue };
            let ia = ra.instance(k);
            if t.path.0.is_empty() {
                if self.change_index.get(&ia).is_some_and(|&i| replacing(self.changes[i].action)) {
                    return true;
                }
            } else if self.attr_changed(&ia, &t.path) {
                return true;
            }
        }
        false
    }

    /// Whether the planned change of `ia` (an update or a replacement) changes the value at `path`.
    fn attr_changed(&self, ia: &ResourceInstanceAddress, path: &AttrPath) -> bool {
        let Some(&i) = self.change_index.get(ia) else { return false };
        let c = &self.changes[i];
        if !matches!(c.action, Action::Update | Action::DeleteThenCreate | Action::CreateThenDelete) {
            return false;
        }
        match (get_path(&c.before, path), get_path(&c.after, path)) {
            (Some(b), Some(a)) => !(a.is_wholly_known() && b.is_wholly_known() && same_value(&b, &a)),
            (None, None) => false,
            _ => true,
        }
    }

    /// The instance key of a `replace_triggered_by` entry: `count.index`, `each.key` or a
    /// constant, as Terraform allows.
    fn trigger_key(&mut self, index: &str, e: &plinth_lang::Expr, key: &InstanceKey) -> Option<InstanceKey> {
        match index {
            "count.index" | "each.key" => return Some(key.clone()),
            _ => {}
        }
        if let Ok(n) = index.parse::<i64>() {
            return Some(InstanceKey::Int(n));
        }
        if let Some(s) = index.strip_prefix('"').and_then(|x| x.strip_suffix('"')).filter(|x| !x.contains(['"', '\\', '$', '%'])) {
            return Some(InstanceKey::Str(s.to_string()));
        }
        self.diags.push(invalid_trigger(e));
        None
    }

    fn orphans(&mut self) {
        let root = &self.env.ctx.config.root;
        let removed = collect_removed(root, &[]);
        let keys: Vec<ResourceInstanceAddress> = self.idx.keys().cloned().collect();
        for addr in keys {
            let Some(o) = self.idx.get(&addr).cloned() else { continue };
            if self.targeted && !self.opts.targets.iter().any(|t| t.contains(&addr)) {
                continue;
            }
            let is_data = addr.resource.mode == ResourceMode::Data;
            if !self.claimed.contains(&addr) && o.current.is_some() && !is_data {
                let cfg_res = module_at(root, &addr.resource.module.config_path()).and_then(|m| m.resources.get(&addr.resource.local_name()));
                let (action, reason) = match removed.iter().find(|(t, _)| t.contains(&addr)) {
                    Some((_, false)) => (Action::Forget, None),
                    _ => (Action::Delete, Some(self.orphan_reason(&addr))),
                };
                if action == Action::Delete {
                    if let Some(r) = cfg_res {
                        if r.lifecycle.prevent_destroy {
                            self.diags.push(prevent_destroy_error(&addr, Some(r)));
                        }
                    }
                }
                self.push_delete(&addr, &o.provider, o.current.as_ref(), None, action, reason, o.prev_addr.clone());
            }
            if !is_data {
                for d in &o.deposed {
                    self.push_delete(&addr, &o.provider, Some(d), d.deposed.clone(), Action::Delete, None, o.prev_addr.clone());
                }
            }
        }
    }

    fn orphan_reason(&self, addr: &ResourceInstanceAddress) -> ActionReason {
        let root = &self.env.ctx.config.root;
        let cp = addr.resource.module.config_path();
        let Some(m) = module_at(root, &cp) else { return ActionReason::DeleteBecauseNoResourceConfig };
        if !addr.resource.module.is_root() {
            let expanded = self.env.module_instances(&cp).iter().any(|i| i.addr == addr.resource.module);
            if !expanded {
                return ActionReason::DeleteBecauseNoModule;
            }
        }
        let Some(r) = m.resources.get(&addr.resource.local_name()) else { return ActionReason::DeleteBecauseNoResourceConfig };
        match (&addr.key, r.count.is_some(), r.for_each.is_some()) {
            (InstanceKey::Int(_), true, _) => ActionReason::DeleteBecauseCountIndex,
            (InstanceKey::Str(_), _, true) => ActionReason::DeleteBecauseEachKey,
            _ => ActionReason::DeleteBecauseWrongRepetition,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn push_delete(
        &mut self,
        addr: &ResourceInstanceAddress,
        provider: &str,
        obj: Option<&InstanceState>,
        deposed: Option<String>,
        action: Action,
        reason: Option<ActionReason>,
        prev: ResourceInstanceAddress,
    ) {
        let Some((_, _, schema)) = self.state_provider(addr, provider) else { return };
        let ty = schema.block.implied_type();
        let before = obj
            .and_then(|o| crate::stateconv::from_state_json(&o.attributes, &ty).ok().map(|v| mark_value(v, &o.sensitive_attributes, &schema.block)))
            .unwrap_or(Value::Null(ty.clone()));
        self.resource_actions.entry(addr.resource.clone()).or_default().push(action);
        self.changes.push(ResourceChange {
            addr: addr.clone(),
            prev_run_addr: Some(prev).filter(|p| p != addr),
            deposed,
            provider: provider.to_string(),
            action,
            reason,
            before,
            after: Value::Null(ty.clone()),
            replace_paths: vec![],
            importing: None,
            schema_type: ty,
            config: Value::null(),
            planned_private: vec![],
        });
    }

    /// `create_before_destroy` propagates to the (replaced) dependencies of CBD resources.
    fn propagate_cbd(&mut self) {
        let cg = &self.env.cg;
        let mut roots = Vec::new();
        for (i, n) in cg.nodes.iter().enumerate() {
            let NodeKind::Resource(key) = &n.kind else { continue };
            let Some(r) = module_at(&self.env.ctx.config.root, &n.module).and_then(|m| m.resources.get(key)) else { continue };
            // Terraform forces create_before_destroy onto everything a CBD resource depends
            // on (whether or not the CBD resource itself changes).
            if r.lifecycle.create_before_destroy {
                roots.push(i);
            }
        }
        if roots.is_empty() {
            return;
        }
        let anc = cg.graph.ancestors_closure(&roots);
        for c in &mut self.changes {
            if c.action == Action::DeleteThenCreate {
                if let Some(i) = cg.get(&c.addr.resource.module.config_path(), &NodeKind::Resource(c.addr.resource.local_name())) {
                    if anc[i] {
                        c.action = Action::CreateThenDelete;
                    }
                }
            }
        }
    }

    fn output_changes(&self, prior: &State, destroy: bool) -> Vec<OutputChange> {
        let mut out = Vec::new();
        let root = &self.env.ctx.config.root;
        let values = self.env.values.read().ok();
        let before_of = |name: &str| prior.outputs.get(name).and_then(|o| o.to_value().ok());
        if !destroy {
            for (name, o) in &root.outputs {
                if let Some(i) = self.env.cg.get(&[], &NodeKind::Output(name.clone())) {
                    if !self.include[i] {
                        continue;
                    }
                }
                if values.as_ref().is_some_and(|v| v.failed_outputs.contains(&(ModuleInstance::root(), name.clone()))) {
                    continue;
                }
                let after = values.as_ref().and_then(|v| v.outputs.get(&(ModuleInstance::root(), name.clone())).cloned()).unwrap_or_else(Value::unknown);
                let before = before_of(name);
                let action = match &before {
                    None => Action::Create,
                    Some(b) if same_value(b, &after) => Action::NoOp,
                    Some(_) => Action::Update,
                };
                let sensitive = o.sensitive || after.contains_sensitive();
                out.push(OutputChange { name: name.clone(), action, before: before.unwrap_or_else(Value::null), after, sensitive });
            }
        }
        for (name, o) in &prior.outputs {
            if destroy || !root.outputs.contains_key(name) {
                if self.targeted && !destroy {
                    continue;
                }
                out.push(OutputChange {
                    name: name.clone(),
                    action: Action::Delete,
                    before: o.to_value().unwrap_or_else(|_| Value::null()),
                    after: Value::null(),
                    sensitive: o.sensitive,
                });
            }
        }
        // Terraform lists output changes by name.
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out
    }

    fn plan_destroy(&mut self) {
        let keys: Vec<ResourceInstanceAddress> = self.idx.keys().cloned().collect();
        let root = &self.env.ctx.config.root;
        for addr in keys {
            if addr.resource.mode == ResourceMode::Data {
                continue;
            }
            if self.targeted && !self.opts.targets.iter().any(|t| t.contains(&addr)) && !self.destroy_target_dependent(&addr) {
                continue;
            }
            let Some(o) = self.idx.get(&addr).cloned() else { continue };
            if let Some(cur) = &o.current {
                if let Some(r) = module_at(root, &addr.resource.module.config_path()).and_then(|m| m.resources.get(&addr.resource.local_name())) {
                    if r.lifecycle.prevent_destroy {
                        self.diags.push(prevent_destroy_error(&addr, Some(r)));
                    }
                }
                self.push_delete(&addr, &o.provider, Some(cur), None, Action::Delete, None, o.prev_addr.clone());
            }
            for d in &o.deposed {
                self.push_delete(&addr, &o.provider, Some(d), d.deposed.clone(), Action::Delete, None, o.prev_addr.clone());
            }
        }
    }

    /// With `-destroy -target=X`, what depends on X is destroyed too.
    fn destroy_target_dependent(&self, addr: &ResourceInstanceAddress) -> bool {
        let cg = &self.env.cg;
        let Some(me) = cg.get(&addr.resource.module.config_path(), &NodeKind::Resource(addr.resource.local_name())) else { return false };
        let mut roots = Vec::new();
        for t in &self.opts.targets {
            for (i, n) in cg.nodes.iter().enumerate() {
                if let NodeKind::Resource(k) = &n.kind {
                    let hit = match t {
                        Target::Module(m) => n.module.starts_with(&m.config_path()),
                        Target::Resource(r) => n.module == r.module.config_path() && *k == r.local_name(),
                        Target::Instance(ia) => n.module == ia.resource.module.config_path() && *k == ia.resource.local_name(),
                    };
                    if hit {
                        roots.push(i);
                    }
                }
            }
        }
        cg.graph.descendants_closure(&roots)[me]
    }
}

fn as_warnings(d: Diagnostics) -> Diagnostics {
    Diagnostics(
        d.into_iter()
            .map(|mut x| {
                x.severity = plinth_sdk::Severity::Warning;
                x
            })
            .collect(),
    )
}

fn invalid_trigger(e: &plinth_lang::Expr) -> Diagnostic {
    Diagnostic::error("Invalid expression")
        .with_detail("A single static variable reference is required: only attribute access and indexing with constant keys. No calculations, function calls, template expressions, etc are allowed here.")
        .with_subject(e.range.clone())
        .with_help("write a reference like `aws_instance.web`, `aws_instance.web[count.index]` or `aws_instance.web[each.key].ami`")
}

fn drift_change(addr: &ResourceInstanceAddress, prev: ResourceInstanceAddress, provider: &str, action: Action, before: Value, after: Value, ty: Type) -> ResourceChange {
    ResourceChange {
        addr: addr.clone(),
        prev_run_addr: Some(prev).filter(|p| p != addr),
        deposed: None,
        provider: provider.to_string(),
        action,
        reason: None,
        before,
        after,
        replace_paths: vec![],
        importing: None,
        schema_type: ty,
        config: Value::null(),
        planned_private: vec![],
    }
}

fn unsupported_type(r: &Resource, rp: &ResourceProvider) -> Diagnostic {
    let data = r.mode == ResourceMode::Data;
    let names: Vec<&str> = if data {
        rp.resolved.schema.data_sources.keys().map(String::as_str).collect()
    } else {
        rp.resolved.schema.resources.keys().map(String::as_str).collect()
    };
    let mut d = Diagnostic::error(format!("Invalid {}resource type", if data { "data " } else { "" }))
        .with_detail(format!("The provider {} does not support {}resource type {:?}.", rp.resolved.source, if data { "data " } else { "" }, r.type_name))
        .with_subject(r.decl_range.clone());
    if let Some(s) = crate::suggest::suggest(&r.type_name, names) {
        d = d.with_help(format!("did you mean {s:?}?"));
    }
    d
}

pub(crate) fn prevent_destroy_error(addr: &ResourceInstanceAddress, r: Option<&Resource>) -> Diagnostic {
    Diagnostic::error("Instance cannot be destroyed")
        .with_detail(format!(
            "Resource {addr} has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed. To avoid this error and continue with the plan, either disable lifecycle.prevent_destroy or reduce the scope of the plan using the -target option."
        ))
        .with_subject_opt(r.map(|r| r.decl_range.clone()))
        .with_address(addr.to_string())
        .with_help("remove `prevent_destroy = true` from the resource's lifecycle block if destroying it is intended")
}

fn collect_removed(m: &plinth_lang::Module, path: &[String]) -> Vec<(Target, bool)> {
    let mut out = Vec::new();
    for r in &m.removed {
        if let Ok(t) = r.from.parse::<Target>() {
            let t = match t {
                Target::Module(mi) => {
                    let mut v: Vec<(String, InstanceKey)> = path.iter().map(|p| (p.clone(), InstanceKey::NoKey)).collect();
                    v.extend(mi.0);
                    Target::Module(ModuleInstance(v))
                }
                other => other,
            };
            out.push((t, r.destroy));
        }
    }
    for (n, c) in &m.module_calls {
        let mut p = path.to_vec();
        p.push(n.clone());
        out.extend(collect_removed(&c.module, &p));
    }
    out
}

pub(crate) async fn plan(ctx: &Context, prior: &State, opts: &PlanOptions, hook: &dyn ApplyHook) -> (Option<Plan>, Diagnostics) {
    let t0 = std::time::Instant::now();
    let tm = |what: &str| tracing::debug!(target: "plinth::timing", "plan {what}: {:?}", t0.elapsed());
    let mut p = Planner::new(ctx, opts, hook);
    p.diags.extend(ctx.providers.check_requirements(&ctx.config));
    crate::conditions::static_checks(&ctx.config.root, &mut p.diags);
    let order = match p.env.cg.graph.toposort() {
        Ok(o) => o,
        Err(cycles) => {
            let mut d = p.diags;
            d.extend(p.env.cg.cycle_diagnostics(&cycles));
            return (None, d);
        }
    };
    if p.diags.has_errors() {
        return (None, p.diags);
    }
    let mut idx_diags = Diagnostics::new();
    p.idx = index_state(prior, &mut idx_diags);
    p.diags.extend(idx_diags);
    let mut mv = Diagnostics::new();
    apply_moves(&ctx.config.root, &mut p.idx, &mut mv);
    p.diags.extend(mv);
    p.compute_targets();
    p.collect_imports();
    p.pre_eval_root(&order);
    tm("prepared");
    if opts.refresh {
        p.refresh().await;
    }
    tm("refreshed");
    if opts.mode == PlanMode::Destroy {
        p.plan_destroy();
    } else {
        for &i in &order {
            if !p.include[i] {
                continue;
            }
            if matches!(p.env.cg.nodes[i].kind, NodeKind::Resource(_)) {
                p.plan_resource_node(i).await;
            } else {
                let mut d = Diagnostics::new();
                p.env.eval_simple_node(i, &mut d);
                p.diags.extend(d);
            }
        }
        if opts.mode == PlanMode::Normal {
            p.orphans();
            p.propagate_cbd();
        }
    }
    tm("walked");
    for r in &opts.replace {
        if !p.changes.iter().any(|c| c.addr == *r) && !p.idx.contains_key(r) {
            p.diags.push(
                Diagnostic::warning("Replace target not found")
                    .with_detail(format!("The -replace option names {r}, which has no object in the state, so there is nothing to replace."))
                    .with_address(r.to_string()),
            );
        }
    }
    let outputs = p.output_changes(prior, opts.mode == PlanMode::Destroy);
    // Terraform's order: by module, data sources before managed resources, then type, name
    // and key.
    let order_key = |a: &ResourceInstanceAddress| {
        (a.resource.module.clone(), a.resource.mode != ResourceMode::Data, a.resource.type_name.clone(), a.resource.name.clone(), a.key.clone())
    };
    p.changes.sort_by(|a, b| order_key(&a.addr).cmp(&order_key(&b.addr)).then_with(|| a.deposed.cmp(&b.deposed)));
    p.drift.sort_by(|a, b| a.addr.cmp(&b.addr));
    let mut prior_state = index_to_state(&p.idx, prior, &p.data_reads);
    // Data sources not read this time (no configuration) are dropped, as Terraform does.
    let read: HashSet<&ResourceInstanceAddress> = p.data_reads.iter().map(|(a, _, _)| a).collect();
    prior_state.resources.retain_mut(|r| {
        if r.mode == plinth_state::Mode::Data {
            let module: ModuleInstance = r.module.as_deref().and_then(|m| m.parse().ok()).unwrap_or_default();
            r.instances.retain(|i| {
                let a = ResourceAddress { module: module.clone(), mode: ResourceMode::Data, type_name: r.type_name.clone(), name: r.name.clone() }
                    .instance(crate::stateconv::key_from_state(&i.index_key));
                read.contains(&a)
            });
        }
        !r.instances.is_empty()
    });
    tm("prior state built");
    let errored = p.diags.has_errors();
    let plan = Plan {
        format_version: PLAN_FORMAT_VERSION,
        mode: opts.mode,
        changes: p.changes,
        drift: p.drift,
        outputs,
        prior_state,
        prev_run_state: prior.clone(),
        variables: ctx.variables.clone(),
        state_lineage: prior.lineage.clone(),
        state_serial: prior.serial,
        config_fingerprint: config_fingerprint(&ctx.config),
        targets: opts.targets.clone(),
        errored,
        refresh_only_apply: opts.mode == PlanMode::RefreshOnly,
    };
    tm("done");
    (Some(plan), p.diags)
}

#[cfg(test)]
mod tests {
    use super::*;
    use plinth_sdk::{Attribute, Block, Nesting, NestedBlock, PathStep};

    #[test]
    fn schema_sensitive_marks_do_not_count_as_a_sensitivity_change() {
        let inner = Block::new().attr("password", Attribute::optional(Type::String).sensitive()).attr("user", Attribute::optional(Type::String));
        let block = Block::new()
            .attr("name", Attribute::optional(Type::String))
            .block("login", NestedBlock { nesting: Nesting::List, block: inner, min_items: 0, max_items: 0, force_new: false });
        let obj = |marked_password: bool, marked_name: bool| {
            let pw = Value::string("p");
            let login = Value::object([("password", if marked_password { pw.mark_sensitive() } else { pw }), ("user", Value::string("u"))]);
            let name = Value::string("n");
            Value::object([("name", if marked_name { name.mark_sensitive() } else { name }), ("login", Value::Tuple(vec![login]))])
        };
        // Terraform records login[0].password in sensitive_attributes; Plinth's planned
        // value may not: no update.
        assert!(same_marks(&obj(true, false), &obj(false, false), &block));
        // A configuration mark on a plain attribute does count.
        assert!(!same_marks(&obj(true, false), &obj(true, true), &block));
        let p = AttrPath(vec![PathStep::Attr("login".into()), PathStep::Index(0), PathStep::Attr("password".into())]);
        assert!(schema_sensitive_path(&block, &p));
        assert!(!schema_sensitive_path(&block, &AttrPath::attr("name")));
    }
}
