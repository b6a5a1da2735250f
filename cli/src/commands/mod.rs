//! Orchestration, one module per command: load the configuration, open the state, run the
//! engine, and hand the results to [`crate::views`] for rendering. Each `run` returns the
//! process exit status (Terraform's: 0 ok, 1 error, 2 plan changes with
//! `-detailed-exitcode`, 3 `fmt -check` changes).

pub mod backend_init;
pub mod console;
pub mod encryption;
pub mod fmt;
pub mod init;
pub mod misc;
pub mod modules;
pub mod operation;
pub mod show;
pub mod state;
pub mod validate;
pub mod version;
pub mod workdir;
pub mod workspace;

use crate::args::Command;
use crate::ui::Ui;

/// Runs one parsed command.
pub fn run(command: Command, ui: &mut Ui) -> i32 {
    match command {
        Command::Init(a) => init::run(a, ui),
        Command::Version(a) => version::run(a, ui),
        Command::Fmt(a) => fmt::run(a, ui),
        Command::State(c) => state::run(c, ui),
        Command::Workspace(c) => workspace::run(c, ui),
        Command::Validate(a) => validate::run(a, ui),
        Command::Plan(a) => operation::run_plan(a, ui),
        Command::Apply(a) => operation::run_apply(a, ui, false),
        Command::Destroy(a) => operation::run_apply(a, ui, true),
        Command::Show(a) => show::run_show(a, ui),
        Command::Output(a) => show::run_output(a, ui),
        Command::ForceUnlock(a) => misc::run_force_unlock(a, ui),
        Command::Import(a) => misc::run_import(a, ui),
        Command::Graph(a) => misc::run_graph(a, ui),
        Command::Providers(a) => misc::run_providers(a, ui),
        Command::Refresh(a) => operation::run_apply(a, ui, false),
        Command::Taint(a) => state::run_taint(a, ui, true),
        Command::Untaint(a) => state::run_taint(a, ui, false),
        Command::Console(a) => console::run(a, ui),
    }
}

/// A built-in provider as `version` and `providers` list it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderInfo {
    pub name: String,
    pub source: String,
    pub version: String,
}

/// Every built-in provider, sorted by source.
pub fn providers_list() -> Vec<ProviderInfo> {
    let mut v: Vec<ProviderInfo> = builtin_providers()
        .iter()
        .map(|p| ProviderInfo {
            name: p.name().to_string(),
            source: p.source().to_string(),
            version: p.version().to_string(),
        })
        .collect();
    v.sort_by(|a, b| a.source.cmp(&b.source));
    v
}

/// The providers built into this binary.
/// Every provider compiled into this binary: the built-in ones, and `hashicorp/aws` when
/// the `aws` feature is on (the default).
pub fn builtin_providers() -> Vec<std::sync::Arc<dyn plinth_sdk::Provider>> {
    #[allow(unused_mut)]
    let mut v = plinth_provider_builtin::providers();
    #[cfg(feature = "aws")]
    v.push(plinth_provider_aws::provider());
    v
}
