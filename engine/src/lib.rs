//! `plinth-engine`: resource addresses, the dependency graph, refresh, plan, apply, import
//! and `moved`/`removed`/`import` blocks.
//!
//! # Public API (what the CLI calls)
//!
//! ```ignore
//! let registry = Arc::new(ProviderRegistry::new(plinth_provider_builtin::providers()));
//! let ctx = Context { config, providers: registry, variables, workspace: "default".into(),
//!                     cwd, parallelism: 10 };
//! let (plan, diags) = plinth_engine::plan(&ctx, &prior_state, &PlanOptions::default()).await;
//! let bytes = plan.as_ref().unwrap().to_bytes();          // `plan -out`
//! let (summary, diags) = plinth_engine::apply(&ctx, &plan, &mut state_manager, &hook, cancel).await;
//! ```
//!
//! - [`addr`]: `module.net.aws_subnet.private[2]` and friends (`Display` + `FromStr`).
//! - [`ProviderRegistry`]: provider local names / sources / version constraints → providers.
//! - [`plan()`] → [`Plan`] (data: [`ResourceChange`]s with [`Action`] + [`ActionReason`],
//!   drift, [`OutputChange`]s, the refreshed state), versioned file via [`Plan::to_bytes`].
//! - [`apply()`] walks the planned changes with bounded parallelism, recording every completed
//!   change durably through a [`StateWriter`] (implemented for `plinth_state::StateManager`
//!   and for the in-memory [`MemoryState`]), reporting progress through an [`ApplyHook`].
//! - [`import()`], [`graph_dot`], [`graph_mermaid`], [`validate_with_schemas`].
//!
//! Invariants: nothing here prints; every error is a [`plinth_sdk::Diagnostic`] naming the
//! resource address; apply never re-decides an action.
//!
//! # How it works
//!
//! - **Graph** (`confgraph`): one node per configuration object in an *unexpanded* module
//!   (variable, local, output, resource, module call + its "close" node), edges from
//!   `references`/`Body::references`, `depends_on`, and module boundaries. `count`/`for_each`
//!   expand when a node is visited, so the graph is O(configuration), not O(instances).
//!   Cycles are reported with the whole path and each member's source range.
//! - **Scope** (`scope`): values per module instance; resources answer as an object (single),
//!   tuple (`count`) or object (`for_each`); `RESOURCE[key]` is answered element-wise through
//!   `Scope::lookup_index`, so 10,000 `x[count.index]` references stay linear.
//! - **Plan** (`plan`): moves (explicit, chained, implicit `count`), parallel refresh (drift is
//!   reported apart), walk in dependency order computing Terraform's proposed new state,
//!   `plan_change`, and actions with Terraform's reasons (tainted, `-replace`,
//!   `replace_triggered_by`, `requires_replace`, orphans by missing config / module / count
//!   index / each key / wrong repetition, `removed` → forget, `import` blocks,
//!   `ignore_changes`, `prevent_destroy`), create-before-destroy forced onto dependencies of
//!   CBD resources, `-target` (targets and their dependencies), `-destroy`, `-refresh-only`,
//!   data sources read at plan when their configuration is known (else `Read` with
//!   `read_because_config_unknown` / `read_because_dependency_pending`), outputs (removed
//!   ones planned for deletion, listed by name). A change of sensitive marks alone is an
//!   update (apply rewrites the marks without calling the provider).
//! - **Conditions** (`conditions`): resource `precondition`s (a failure stops that instance),
//!   `postcondition`s with `self` (after plan when known, after apply/read), output
//!   `precondition`s, `check` assertions (warnings) and check-scoped data sources (read
//!   errors are warnings; read again during apply, `read_because_check_nested`); unknown
//!   conditions are deferred to apply; refresh-only plans report failures as warnings.
//! - **`replace_triggered_by`** (`triggers`): per instance, only updates/replacements of the
//!   referenced instance (or a change of the referenced attribute) trigger.
//! - **Providers** (`provcfg`): a `provider` block inside a child module configures that
//!   module and its descendants (`module.x.provider[...]`), `providers = { … }` maps
//!   configurations, empty blocks passed by the caller are proxies, default configurations
//!   are inherited.
//! - **Apply** (`apply`): first records the refreshed/moved prior state, then walks the
//!   configuration graph plus one destroy node per resource with deletions (deletes after the
//!   deletes of dependents; delete-then-create's create after its delete; create-then-delete
//!   deposes the old object and deletes it after dependents were updated). Each resource is
//!   re-evaluated with the now-known values, re-planned and checked against the plan
//!   ("inconsistent final plan" / "inconsistent result after apply"). Changes that complete
//!   together are recorded with one durable write before any dependent starts (no completed
//!   change waits on provider latency first). Errors skip dependents only; cancellation
//!   stops new work and lets in-flight work finish; a created-but-failed object is kept
//!   tainted.
//! - State JSON follows Terraform's v4 conventions, including `{"value","type"}` wrapping of
//!   dynamic attributes (`terraform_data.input`) and per-instance `dependencies`.

pub mod addr;
mod apply;
pub mod codec;
mod conditions;
mod confgraph;
mod env;
pub mod graph;
pub mod model;
pub mod objchange;
mod plan;
mod prior;
mod provcfg;
pub mod registry;
mod scope;
pub mod stateconv;
mod suggest;
mod tools;
mod triggers;

pub use addr::{InstanceKey, ModuleInstance, ResourceAddress, ResourceInstanceAddress, Target};
pub use model::{
    Action, ActionReason, ApplySummary, OutputChange, Plan, PlanMode, PlanSummary, ResourceChange,
    PLAN_FORMAT_VERSION,
};
pub use registry::{ProviderRegistry, ResolvedProvider, VersionConstraint};
pub use tokio_util::sync::CancellationToken;

use plinth_sdk::{Diagnostic, Diagnostics, Value};
pub use plinth_state::InstanceChange;
use plinth_state::State;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Everything an operation needs besides the state.
#[derive(Clone)]
pub struct Context {
    /// The loaded configuration (`plinth_lang::load_config`).
    pub config: Arc<plinth_lang::Config>,
    pub providers: Arc<ProviderRegistry>,
    /// Root module variable values, already collected and converted by plinth-lang
    /// (`-var`, `*.tfvars`, `TF_VAR_*`, defaults). Sensitive variables carry marks.
    pub variables: BTreeMap<String, Value>,
    /// `terraform.workspace`.
    pub workspace: String,
    /// `path.cwd`, and the base of relative paths in functions like `file()`.
    pub cwd: PathBuf,
    /// Maximum concurrent provider operations (default 10).
    pub parallelism: usize,
}

/// Options of [`plan()`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanOptions {
    pub mode: PlanMode,
    /// Read every object in state before planning (`-refresh=false` turns it off).
    pub refresh: bool,
    /// `-target`: plan only these and what they depend on.
    pub targets: Vec<Target>,
    /// `-replace`: force these instances to be replaced.
    pub replace: Vec<ResourceInstanceAddress>,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions { mode: PlanMode::Normal, refresh: true, targets: Vec::new(), replace: Vec::new() }
    }
}

/// Progress callbacks during refresh and apply (the CLI renders them as
/// "aws_instance.web: Creating..." lines). Called from worker tasks: keep them quick.
pub trait ApplyHook: Send + Sync {
    fn pre_refresh(&self, _addr: &ResourceInstanceAddress) {}
    fn post_refresh(&self, _addr: &ResourceInstanceAddress, _id: Option<&str>) {}
    fn pre_apply(&self, _addr: &ResourceInstanceAddress, _action: Action) {}
    /// Every 10 seconds while a change is in flight ("Still creating... [10s elapsed]").
    fn progress(&self, _addr: &ResourceInstanceAddress, _action: Action, _elapsed: Duration) {}
    /// `outcome`: `Ok(id)` (the object's `id` attribute when it has one) or `Err(())`
    /// (the error itself is in the returned diagnostics).
    fn post_apply(
        &self,
        _addr: &ResourceInstanceAddress,
        _action: Action,
        _outcome: Result<Option<String>, ()>,
        _elapsed: Duration,
    ) {
    }
}

/// A hook that does nothing.
pub struct NoHook;
impl ApplyHook for NoHook {}

/// Where apply (and import) record state, durably, one completed change at a time.
/// Implemented for `plinth_state::StateManager` (journaled) and [`MemoryState`].
#[async_trait::async_trait]
pub trait StateWriter: Send {
    /// The current state.
    fn state(&self) -> &State;
    /// Applies `changes` and makes them durable before returning (one group commit).
    async fn record(&mut self, changes: Vec<InstanceChange>) -> Result<(), Diagnostic>;
    /// Writes a full snapshot (end of apply).
    async fn persist(&mut self) -> Result<(), Diagnostic>;
}

#[async_trait::async_trait]
impl StateWriter for plinth_state::StateManager {
    fn state(&self) -> &State {
        plinth_state::StateManager::state(self)
    }
    async fn record(&mut self, changes: Vec<InstanceChange>) -> Result<(), Diagnostic> {
        self.record_all(changes).await.map_err(|e| e.to_diagnostic())
    }
    async fn persist(&mut self) -> Result<(), Diagnostic> {
        plinth_state::StateManager::persist(self).await.map_err(|e| e.to_diagnostic())
    }
}

/// An in-memory [`StateWriter`] (tests, pipelines).
#[derive(Clone, Debug, Default)]
pub struct MemoryState {
    pub state: State,
    /// Every change recorded, in order.
    pub log: Vec<InstanceChange>,
    /// Number of `record` calls (group commits).
    pub commits: usize,
}

impl MemoryState {
    pub fn new(state: State) -> Self {
        MemoryState { state, log: Vec::new(), commits: 0 }
    }
}

#[async_trait::async_trait]
impl StateWriter for MemoryState {
    fn state(&self) -> &State {
        &self.state
    }
    async fn record(&mut self, changes: Vec<InstanceChange>) -> Result<(), Diagnostic> {
        self.commits += 1;
        for c in changes {
            c.apply_to(&mut self.state);
            self.log.push(c);
        }
        Ok(())
    }
    async fn persist(&mut self) -> Result<(), Diagnostic> {
        self.state.serial += 1;
        Ok(())
    }
}

/// Plans: refresh, evaluate the configuration, decide each instance's action.
/// Returns `None` only when no plan could be made at all; a plan with `errored` set shows
/// what was decided before the errors.
pub async fn plan(ctx: &Context, prior: &State, opts: &PlanOptions) -> (Option<Plan>, Diagnostics) {
    plan::plan(ctx, prior, opts, &NoHook).await
}

/// [`plan()`] with refresh progress reported to `hook` (`pre_refresh` / `post_refresh`).
pub async fn plan_with_hook(ctx: &Context, prior: &State, opts: &PlanOptions, hook: &dyn ApplyHook) -> (Option<Plan>, Diagnostics) {
    plan::plan(ctx, prior, opts, hook).await
}

/// A digest of the configuration files (what [`Plan::config_fingerprint`] holds).
pub fn config_fingerprint(config: &plinth_lang::Config) -> String {
    plan::config_fingerprint(config)
}

/// Applies a plan exactly as made. Refuses a plan whose state lineage or serial no longer
/// matches `state`, or whose configuration changed since.
pub async fn apply(
    ctx: &Context,
    plan: &Plan,
    state: &mut dyn StateWriter,
    hook: &dyn ApplyHook,
    cancel: CancellationToken,
) -> (ApplySummary, Diagnostics) {
    apply::apply(ctx, plan, state, hook, cancel).await
}

/// `plinth import ADDR ID`: imports an existing object into the state at `addr` (which must
/// be declared in the configuration).
pub async fn import(ctx: &Context, state: &mut dyn StateWriter, addr: &ResourceInstanceAddress, id: &str) -> Diagnostics {
    tools::import(ctx, state, addr, id).await
}

/// The configuration's dependency graph in Graphviz DOT (resources and module calls; edges
/// point from a resource to what it depends on).
pub fn graph_dot(ctx: &Context) -> String {
    tools::graph_dot(&ctx.config)
}

/// The configuration's dependency graph as a Mermaid flowchart.
pub fn graph_mermaid(ctx: &Context) -> String {
    tools::graph_mermaid(&ctx.config)
}

/// Checks every resource and data block against its provider schema (unknown resource types,
/// unknown attributes and blocks with "did you mean", missing required attributes) and the
/// `required_providers` constraints. Also reports dependency cycles.
pub fn validate_with_schemas(config: &plinth_lang::Config, providers: &ProviderRegistry) -> Diagnostics {
    tools::validate_with_schemas(config, providers)
}
