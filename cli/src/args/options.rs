//! The clap argument structs of every command. Long flag names are Terraform's; they are
//! accepted as `-name`, `-name=value`, `-name value` and `--name` (see [`super::normalize`]).
//! Boolean flags accept `-flag`, `-flag=true` and `-flag=false`.

use clap::{ArgAction, Args, Parser};
use std::path::PathBuf;
use std::time::Duration;

fn duration(s: &str) -> Result<Duration, String> {
    super::parse_duration(s)
}

/// Options shared by commands that lock state.
#[derive(Args, Debug, Clone)]
pub struct LockOpts {
    /// `-lock=false`: don't hold a state lock.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "true", action = ArgAction::Set)]
    pub lock: bool,
    /// `-lock-timeout=10s`: how long to retry a held lock.
    #[arg(long = "lock-timeout", value_parser = duration, default_value = "0s")]
    pub lock_timeout: Duration,
}

impl Default for LockOpts {
    fn default() -> Self {
        LockOpts { lock: true, lock_timeout: Duration::ZERO }
    }
}

/// Input variables: `-var 'a=b'` and `-var-file=FILE`, in command-line order.
#[derive(Args, Debug, Clone, Default)]
pub struct VarOpts {
    #[arg(long = "var", action = ArgAction::Append, value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    #[arg(long = "var-file", action = ArgAction::Append, value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
    /// Both kinds in command-line order (later ones win), filled in after parsing.
    #[arg(skip)]
    pub ordered: Vec<VarArg>,
}

/// One `-var` or `-var-file` option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VarArg {
    Var(String),
    File(PathBuf),
}

/// Colour and input options every command accepts.
#[derive(Args, Debug, Clone)]
pub struct UiOpts {
    #[arg(long = "no-color")]
    pub no_color: bool,
    /// `-input=false`: never prompt.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "true", action = ArgAction::Set)]
    pub input: bool,
    #[arg(long = "compact-warnings")]
    pub compact_warnings: bool,
}

impl Default for UiOpts {
    fn default() -> Self {
        UiOpts { no_color: false, input: true, compact_warnings: false }
    }
}

/// Plan customisation, shared by `plan`, `apply` and `destroy`.
#[derive(Args, Debug, Clone)]
pub struct PlanOpts {
    #[arg(long)]
    pub destroy: bool,
    #[arg(long = "refresh-only")]
    pub refresh_only: bool,
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "true", action = ArgAction::Set)]
    pub refresh: bool,
    #[arg(long = "replace", action = ArgAction::Append, value_name = "ADDR")]
    pub replace: Vec<String>,
    #[arg(long = "target", action = ArgAction::Append, value_name = "ADDR")]
    pub target: Vec<String>,
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..))]
    pub parallelism: u32,
    /// `-state=PATH`: legacy local state path.
    #[arg(long, value_name = "PATH")]
    pub state: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub vars: VarOpts,
    #[command(flatten)]
    pub lock: LockOpts,
    #[command(flatten)]
    pub ui: UiOpts,
}

#[derive(Parser, Debug, Clone)]
#[command(name = "init", disable_help_flag = true)]
pub struct InitArgs {
    /// `-backend=false`: skip backend initialisation.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "true", action = ArgAction::Set)]
    pub backend: bool,
    #[arg(long = "backend-config", action = ArgAction::Append)]
    pub backend_config: Vec<String>,
    /// `-get=false`: don't install modules.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "true", action = ArgAction::Set)]
    pub get: bool,
    #[arg(long)]
    pub upgrade: bool,
    #[arg(long)]
    pub reconfigure: bool,
    #[arg(long = "migrate-state")]
    pub migrate_state: bool,
    #[arg(long = "force-copy")]
    pub force_copy: bool,
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub lock: LockOpts,
    #[command(flatten)]
    pub ui: UiOpts,
}

#[derive(Parser, Debug, Clone)]
#[command(name = "validate", disable_help_flag = true)]
pub struct ValidateArgs {
    #[arg(long)]
    pub json: bool,
    #[arg(long = "no-color")]
    pub no_color: bool,
    /// Directory to validate (default: the working directory).
    pub dir: Option<PathBuf>,
}

#[derive(Parser, Debug, Clone)]
#[command(name = "plan", disable_help_flag = true)]
pub struct PlanArgs {
    #[command(flatten)]
    pub plan: PlanOpts,
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
    #[arg(long = "detailed-exitcode")]
    pub detailed_exitcode: bool,
}

#[derive(Parser, Debug, Clone)]
#[command(name = "apply", disable_help_flag = true)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub plan: PlanOpts,
    #[arg(long = "auto-approve", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false", action = ArgAction::Set)]
    pub auto_approve: bool,
    /// A saved plan file to apply.
    pub plan_file: Option<PathBuf>,
}

/// `destroy` takes the apply options but no plan file.
#[derive(Parser, Debug, Clone)]
#[command(name = "destroy", disable_help_flag = true)]
pub struct DestroyArgs {
    #[command(flatten)]
    pub plan: PlanOpts,
    #[arg(long = "auto-approve", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false", action = ArgAction::Set)]
    pub auto_approve: bool,
}

impl From<DestroyArgs> for ApplyArgs {
    fn from(d: DestroyArgs) -> Self {
        ApplyArgs { plan: d.plan, auto_approve: d.auto_approve, plan_file: None }
    }
}

#[derive(Parser, Debug, Clone)]
#[command(name = "console", disable_help_flag = true)]
pub struct ConsoleArgs {
    #[arg(long, value_name = "PATH")]
    pub state: Option<PathBuf>,
    /// `-plan`: evaluate against a fresh plan instead of the state.
    #[arg(long)]
    pub plan: bool,
    #[command(flatten)]
    pub vars: VarOpts,
    #[arg(long = "no-color")]
    pub no_color: bool,
}

#[derive(Parser, Debug, Clone)]
#[command(name = "fmt", disable_help_flag = true)]
pub struct FmtArgs {
    /// `-list=false`: don't list the files whose formatting differs.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "true", action = ArgAction::Set)]
    pub list: bool,
    /// `-write=false`: don't write to source files.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "true", action = ArgAction::Set)]
    pub write: bool,
    #[arg(long)]
    pub diff: bool,
    #[arg(long)]
    pub check: bool,
    #[arg(long)]
    pub recursive: bool,
    #[arg(long = "no-color")]
    pub no_color: bool,
    /// Files or directories; `-` reads standard input.
    #[arg(allow_hyphen_values = true)]
    pub targets: Vec<String>,
}

#[derive(Parser, Debug, Clone)]
#[command(name = "show", disable_help_flag = true)]
pub struct ShowArgs {
    #[arg(long)]
    pub json: bool,
    /// `-format=markdown`: a Markdown rendering for pull-request comments.
    #[arg(long, value_parser = ["human", "markdown", "json"])]
    pub format: Option<String>,
    #[arg(long = "no-color")]
    pub no_color: bool,
    /// A saved plan file or state file (default: the current state).
    pub path: Option<PathBuf>,
}

#[derive(Parser, Debug, Clone)]
#[command(name = "output", disable_help_flag = true)]
pub struct OutputArgs {
    #[arg(long)]
    pub json: bool,
    #[arg(long)]
    pub raw: bool,
    #[arg(long = "no-color")]
    pub no_color: bool,
    #[arg(long, value_name = "PATH")]
    pub state: Option<PathBuf>,
    pub name: Option<String>,
}

/// `-state=PATH` for the `state` subcommands.
#[derive(Args, Debug, Clone, Default)]
pub struct StatePathOpt {
    #[arg(long, value_name = "PATH")]
    pub state: Option<PathBuf>,
}

#[derive(Parser, Debug, Clone)]
#[command(name = "list", disable_help_flag = true)]
pub struct StateListArgs {
    #[command(flatten)]
    pub state: StatePathOpt,
    /// `-id=ID`: only instances whose `id` attribute is ID.
    #[arg(long)]
    pub id: Option<String>,
    /// Address filters (a resource, module or instance address).
    pub addresses: Vec<String>,
}

#[derive(Parser, Debug, Clone)]
#[command(name = "show", disable_help_flag = true)]
pub struct StateShowArgs {
    #[command(flatten)]
    pub state: StatePathOpt,
    #[arg(long = "no-color")]
    pub no_color: bool,
    pub address: String,
}

#[derive(Parser, Debug, Clone)]
#[command(name = "mv", disable_help_flag = true)]
pub struct StateMvArgs {
    #[command(flatten)]
    pub state: StatePathOpt,
    #[arg(long = "dry-run")]
    pub dry_run: bool,
    #[command(flatten)]
    pub lock: LockOpts,
    pub source: String,
    pub destination: String,
}

#[derive(Parser, Debug, Clone)]
#[command(name = "rm", disable_help_flag = true)]
pub struct StateRmArgs {
    #[command(flatten)]
    pub state: StatePathOpt,
    #[arg(long = "dry-run")]
    pub dry_run: bool,
    #[command(flatten)]
    pub lock: LockOpts,
    #[arg(required = true)]
    pub addresses: Vec<String>,
}

#[derive(Parser, Debug, Clone)]
#[command(name = "pull", disable_help_flag = true)]
pub struct StatePullArgs {}

/// `taint` and `untaint`: mark (or unmark) one resource instance for replacement.
#[derive(Parser, Debug, Clone)]
#[command(name = "taint", disable_help_flag = true)]
pub struct TaintArgs {
    /// `-allow-missing`: succeed (with a warning) when the instance is not in state.
    #[arg(long = "allow-missing")]
    pub allow_missing: bool,
    #[command(flatten)]
    pub state: StatePathOpt,
    #[command(flatten)]
    pub lock: LockOpts,
    #[arg(long = "no-color")]
    pub no_color: bool,
    pub address: String,
}

#[derive(Parser, Debug, Clone)]
#[command(name = "push", disable_help_flag = true)]
pub struct StatePushArgs {
    /// Write even if the lineage differs or the serial is lower.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub lock: LockOpts,
    /// The state file to push; `-` reads standard input.
    #[arg(allow_hyphen_values = true)]
    pub path: String,
}

#[derive(Parser, Debug, Clone)]
#[command(name = "import", disable_help_flag = true)]
pub struct ImportArgs {
    #[arg(long, value_name = "PATH")]
    pub state: Option<PathBuf>,
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub vars: VarOpts,
    #[command(flatten)]
    pub lock: LockOpts,
    #[command(flatten)]
    pub ui: UiOpts,
    pub address: String,
    pub id: String,
}

#[derive(Parser, Debug, Clone)]
#[command(name = "graph", disable_help_flag = true)]
pub struct GraphArgs {
    /// `-type=plan|plan-destroy|apply|...`: the operation graph to draw.
    #[arg(long = "type")]
    pub graph_type: Option<String>,
    /// `-format=dot|mermaid`.
    #[arg(long, default_value = "dot", value_parser = ["dot", "mermaid"])]
    pub format: String,
    #[arg(long = "draw-cycles")]
    pub draw_cycles: bool,
    #[arg(long, value_name = "PLANFILE")]
    pub plan: Option<PathBuf>,
}

/// `-lock` options and `-state` for workspace commands.
#[derive(Parser, Debug, Clone)]
#[command(name = "new", disable_help_flag = true)]
pub struct WorkspaceNewArgs {
    #[command(flatten)]
    pub lock: LockOpts,
    /// Copy this state file into the new workspace.
    #[arg(long, value_name = "PATH")]
    pub state: Option<PathBuf>,
    pub name: String,
}

#[derive(Parser, Debug, Clone)]
#[command(name = "list", disable_help_flag = true)]
pub struct WorkspaceListArgs {}

#[derive(Parser, Debug, Clone)]
#[command(name = "select", disable_help_flag = true)]
pub struct WorkspaceSelectArgs {
    #[arg(long = "or-create", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false", action = ArgAction::Set)]
    pub or_create: bool,
    pub name: String,
}

#[derive(Parser, Debug, Clone)]
#[command(name = "delete", disable_help_flag = true)]
pub struct WorkspaceDeleteArgs {
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub lock: LockOpts,
    pub name: String,
}

#[derive(Parser, Debug, Clone)]
#[command(name = "show", disable_help_flag = true)]
pub struct WorkspaceShowArgs {}

#[derive(Parser, Debug, Clone)]
#[command(name = "force-unlock", disable_help_flag = true)]
pub struct ForceUnlockArgs {
    #[arg(long)]
    pub force: bool,
    pub lock_id: String,
}

#[derive(Parser, Debug, Clone)]
#[command(name = "version", disable_help_flag = true)]
pub struct VersionArgs {
    #[arg(long)]
    pub json: bool,
}

#[derive(Parser, Debug, Clone)]
#[command(name = "providers", disable_help_flag = true)]
pub struct ProvidersArgs {
    #[arg(long)]
    pub json: bool,
    pub dir: Option<PathBuf>,
}
