//! The plan as data: [`Plan`], [`ResourceChange`], [`Action`], [`ActionReason`],
//! [`OutputChange`], and the versioned plan file ([`Plan::to_bytes`] / [`Plan::from_bytes`]).
//!
//! A plan is applied exactly as written: apply never re-decides an action.

use crate::addr::{ResourceInstanceAddress, Target};
use plinth_sdk::{AttrPath, Diagnostic, Type, Value};
use plinth_state::State;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The plan file's format identifier and version. Bump on incompatible changes.
pub const PLAN_FORMAT: &str = "plinth-plan";
pub const PLAN_FORMAT_VERSION: u32 = 1;

/// What kind of plan to make.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanMode {
    /// Make the infrastructure match the configuration.
    #[default]
    Normal,
    /// Delete everything in the state (`-destroy`).
    Destroy,
    /// Only update the state to match remote objects (`-refresh-only`).
    RefreshOnly,
}

/// What will happen to one resource instance (or deposed object). The replace variants
/// encode order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    NoOp,
    Create,
    Read,
    Update,
    DeleteThenCreate,
    CreateThenDelete,
    Delete,
    /// Remove from state without destroying (`removed { lifecycle { destroy = false } }`).
    Forget,
}

impl Action {
    /// Terraform's JSON `actions` array (`["delete","create"]` for delete-then-create).
    pub fn terraform_actions(self) -> &'static [&'static str] {
        match self {
            Action::NoOp => &["no-op"],
            Action::Create => &["create"],
            Action::Read => &["read"],
            Action::Update => &["update"],
            Action::DeleteThenCreate => &["delete", "create"],
            Action::CreateThenDelete => &["create", "delete"],
            Action::Delete => &["delete"],
            Action::Forget => &["forget"],
        }
    }
    /// The symbol Terraform prints before the address (`+`, `~`, `-/+`, `+/-`, `-`, `<=`).
    pub fn symbol(self) -> &'static str {
        match self {
            Action::NoOp => " ",
            Action::Create => "+",
            Action::Read => "<=",
            Action::Update => "~",
            Action::DeleteThenCreate => "-/+",
            Action::CreateThenDelete => "+/-",
            Action::Delete => "-",
            Action::Forget => ".",
        }
    }
    pub fn is_replace(self) -> bool {
        matches!(self, Action::DeleteThenCreate | Action::CreateThenDelete)
    }
    /// Whether the action destroys a remote object.
    pub fn destroys(self) -> bool {
        matches!(self, Action::Delete | Action::DeleteThenCreate | Action::CreateThenDelete)
    }
    /// Whether the action creates a remote object.
    pub fn creates(self) -> bool {
        matches!(self, Action::Create | Action::DeleteThenCreate | Action::CreateThenDelete)
    }
}

/// Why an action was chosen; serialised as Terraform's `action_reason` strings
/// (`replace_because_tainted`, `delete_because_no_resource_config`, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionReason {
    ReplaceBecauseTainted,
    ReplaceByRequest,
    ReplaceByTriggers,
    ReplaceBecauseCannotUpdate,
    DeleteBecauseNoResourceConfig,
    DeleteBecauseWrongRepetition,
    DeleteBecauseCountIndex,
    DeleteBecauseEachKey,
    DeleteBecauseNoModule,
    DeleteBecauseNoMoveTarget,
    ReadBecauseConfigUnknown,
    ReadBecauseDependencyPending,
    ReadBecauseCheckNested,
}

impl ActionReason {
    /// Terraform's `action_reason` string.
    pub fn as_str(self) -> &'static str {
        match self {
            ActionReason::ReplaceBecauseTainted => "replace_because_tainted",
            ActionReason::ReplaceByRequest => "replace_by_request",
            ActionReason::ReplaceByTriggers => "replace_by_triggers",
            ActionReason::ReplaceBecauseCannotUpdate => "replace_because_cannot_update",
            ActionReason::DeleteBecauseNoResourceConfig => "delete_because_no_resource_config",
            ActionReason::DeleteBecauseWrongRepetition => "delete_because_wrong_repetition",
            ActionReason::DeleteBecauseCountIndex => "delete_because_count_index",
            ActionReason::DeleteBecauseEachKey => "delete_because_each_key",
            ActionReason::DeleteBecauseNoModule => "delete_because_no_module",
            ActionReason::DeleteBecauseNoMoveTarget => "delete_because_no_move_target",
            ActionReason::ReadBecauseConfigUnknown => "read_because_config_unknown",
            ActionReason::ReadBecauseDependencyPending => "read_because_dependency_pending",
            ActionReason::ReadBecauseCheckNested => "read_because_check_nested",
        }
    }
}

/// One planned change to a resource instance (or one of its deposed objects).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResourceChange {
    pub addr: ResourceInstanceAddress,
    /// The address in the previous run's state, when a `moved` block (or an implicit
    /// `count` move) changed it.
    pub prev_run_addr: Option<ResourceInstanceAddress>,
    /// The deposed object's key, for changes to deposed objects.
    pub deposed: Option<String>,
    /// `provider["registry.terraform.io/hashicorp/random"]`.
    pub provider: String,
    pub action: Action,
    pub reason: Option<ActionReason>,
    /// The prior object (null when creating). Marks = sensitive.
    #[serde(with = "crate::codec::value")]
    pub before: Value,
    /// The planned object (null when deleting). Unknown = known after apply; marks = sensitive.
    #[serde(with = "crate::codec::value")]
    pub after: Value,
    /// Paths whose change forces replacement.
    #[serde(with = "crate::codec::paths")]
    pub replace_paths: Vec<AttrPath>,
    /// The import ID when this change imports an existing object (`import` block).
    pub importing: Option<String>,
    /// The object type (the schema's implied type).
    pub schema_type: Type,
    /// The configuration value as evaluated at plan time (null for deletes).
    #[serde(with = "crate::codec::value")]
    pub config: Value,
    /// Provider-private data returned by `plan_change`, base64-free raw bytes.
    pub planned_private: Vec<u8>,
}

impl ResourceChange {
    pub fn is_noop(&self) -> bool {
        self.action == Action::NoOp && self.importing.is_none() && self.prev_run_addr.is_none()
    }
}

/// A planned change to a root module output.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutputChange {
    pub name: String,
    pub action: Action,
    #[serde(with = "crate::codec::value")]
    pub before: Value,
    #[serde(with = "crate::codec::value")]
    pub after: Value,
    pub sensitive: bool,
}

/// A saved or in-memory plan. Created by [`crate::plan`], applied by [`crate::apply`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// [`PLAN_FORMAT_VERSION`] when written.
    pub format_version: u32,
    pub mode: PlanMode,
    /// Changes in a stable order (by address), no-ops included.
    pub changes: Vec<ResourceChange>,
    /// Objects changed outside Plinth (prev-run state → refreshed state): Update or Delete.
    pub drift: Vec<ResourceChange>,
    pub outputs: Vec<OutputChange>,
    /// The refreshed state the plan was made against (data sources read during plan included).
    pub prior_state: State,
    /// The state as the previous run left it (before refresh and moves).
    pub prev_run_state: State,
    /// Root module variable values the plan was made with.
    #[serde(with = "value_map")]
    pub variables: BTreeMap<String, Value>,
    pub state_lineage: String,
    pub state_serial: u64,
    /// A digest of every configuration file, so a saved plan is not applied to another config.
    pub config_fingerprint: String,
    pub targets: Vec<Target>,
    /// True when planning failed part-way: such a plan must not be applied.
    pub errored: bool,
    /// Applying this plan creates/updates nothing and only writes the refreshed state
    /// (refresh-only plans).
    #[serde(default)]
    pub refresh_only_apply: bool,
}

mod value_map {
    use plinth_sdk::Value;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::collections::BTreeMap;
    pub fn serialize<S: Serializer>(m: &BTreeMap<String, Value>, s: S) -> Result<S::Ok, S::Error> {
        m.iter().map(|(k, v)| (k.clone(), crate::codec::encode(v))).collect::<BTreeMap<_, _>>().serialize(s)
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, Value>, D::Error> {
        let m = BTreeMap::<String, serde_json::Value>::deserialize(d)?;
        m.into_iter()
            .map(|(k, v)| Ok((k, crate::codec::decode(&v).map_err(serde::de::Error::custom)?)))
            .collect()
    }
}

/// Counts of a plan's changes, as in "Plan: 1 to add, 0 to change, 0 to destroy."
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PlanSummary {
    pub add: usize,
    pub change: usize,
    pub destroy: usize,
    pub import: usize,
    pub forget: usize,
}

impl Plan {
    /// The versioned plan file: a small header line then JSON.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = format!("{PLAN_FORMAT} {PLAN_FORMAT_VERSION}\n").into_bytes();
        // Serialising our own types cannot fail (no non-string map keys).
        match serde_json::to_vec(self) {
            Ok(b) => out.extend(b),
            Err(e) => out.extend(format!("{{\"error\": {:?}}}", e.to_string()).into_bytes()),
        }
        out
    }

    /// Reads a plan file written by [`Plan::to_bytes`].
    pub fn from_bytes(b: &[u8]) -> Result<Plan, Diagnostic> {
        let bad = |d: String| {
            Diagnostic::error("invalid plan file")
                .with_detail(d)
                .with_help("create the plan again with `plinth plan -out=FILE`")
        };
        let nl = b.iter().position(|c| *c == b'\n').ok_or_else(|| bad("The file is not a Plinth plan.".into()))?;
        let header = std::str::from_utf8(&b[..nl]).map_err(|_| bad("The file is not a Plinth plan.".into()))?;
        let mut parts = header.split(' ');
        if parts.next() != Some(PLAN_FORMAT) {
            return Err(bad("The file is not a Plinth plan.".into()));
        }
        let v: u32 = parts.next().and_then(|v| v.parse().ok()).ok_or_else(|| bad("The plan file has no format version.".into()))?;
        if v != PLAN_FORMAT_VERSION {
            return Err(bad(format!(
                "The plan file has format version {v}, but this Plinth reads version {PLAN_FORMAT_VERSION}."
            )));
        }
        serde_json::from_slice(&b[nl + 1..]).map_err(|e| bad(format!("The plan file is damaged: {e}.")))
    }

    /// Whether applying would change anything (resources or outputs; in refresh-only mode,
    /// whether anything drifted).
    pub fn has_changes(&self) -> bool {
        if self.mode == PlanMode::RefreshOnly {
            return !self.drift.is_empty() || self.outputs.iter().any(|o| o.action != Action::NoOp);
        }
        self.changes.iter().any(|c| !c.is_noop()) || self.outputs.iter().any(|o| o.action != Action::NoOp)
    }

    /// `(add, change, destroy, import, forget)` counts, Terraform's way: a replace counts
    /// as one add and one destroy; reads and no-ops count nowhere.
    pub fn summary(&self) -> PlanSummary {
        let mut s = PlanSummary::default();
        for c in &self.changes {
            if c.importing.is_some() {
                s.import += 1;
            }
            match c.action {
                Action::Create => s.add += 1,
                Action::Update => s.change += 1,
                Action::DeleteThenCreate | Action::CreateThenDelete => {
                    s.add += 1;
                    s.destroy += 1
                }
                Action::Delete => s.destroy += 1,
                Action::Forget => s.forget += 1,
                Action::NoOp | Action::Read => {}
            }
        }
        s
    }

    /// The change for an address (the current object's, not a deposed one's).
    pub fn change(&self, addr: &ResourceInstanceAddress) -> Option<&ResourceChange> {
        self.changes.iter().find(|c| c.addr == *addr && c.deposed.is_none())
    }
}

/// What an apply did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApplySummary {
    pub added: usize,
    pub changed: usize,
    pub destroyed: usize,
    pub imported: usize,
    pub forgotten: usize,
    /// Changes not started because of an earlier error or cancellation.
    pub skipped: usize,
    /// Whether the apply was cancelled before it finished.
    pub cancelled: bool,
}
