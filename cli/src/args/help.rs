//! Hand-written help texts in Terraform's shape, one per (sub)command (`help/*.txt`).

/// The help text for a command path (`[]` for the top level, `["state", "mv"]`).
pub fn help_text<S: AsRef<str>>(path: &[S]) -> Option<&'static str> {
    let key: Vec<&str> = path.iter().map(AsRef::as_ref).collect();
    Some(match key.as_slice() {
        [] => include_str!("help/main.txt"),
        ["init"] => include_str!("help/init.txt"),
        ["validate"] => include_str!("help/validate.txt"),
        ["plan"] => include_str!("help/plan.txt"),
        ["apply"] => include_str!("help/apply.txt"),
        ["destroy"] => include_str!("help/destroy.txt"),
        ["console"] => include_str!("help/console.txt"),
        ["fmt"] => include_str!("help/fmt.txt"),
        ["force-unlock"] => include_str!("help/force-unlock.txt"),
        ["graph"] => include_str!("help/graph.txt"),
        ["import"] => include_str!("help/import.txt"),
        ["output"] => include_str!("help/output.txt"),
        ["providers"] => include_str!("help/providers.txt"),
        ["show"] => include_str!("help/show.txt"),
        ["state"] => include_str!("help/state.txt"),
        ["state", "list"] => include_str!("help/state-list.txt"),
        ["state", "show"] => include_str!("help/state-show.txt"),
        ["state", "mv"] => include_str!("help/state-mv.txt"),
        ["state", "rm"] => include_str!("help/state-rm.txt"),
        ["state", "pull"] => include_str!("help/state-pull.txt"),
        ["state", "push"] => include_str!("help/state-push.txt"),
        ["workspace" | "env"] => include_str!("help/workspace.txt"),
        ["workspace" | "env", "new"] => include_str!("help/workspace-new.txt"),
        ["workspace" | "env", "list"] => include_str!("help/workspace-list.txt"),
        ["workspace" | "env", "select"] => include_str!("help/workspace-select.txt"),
        ["workspace" | "env", "delete"] => include_str!("help/workspace-delete.txt"),
        ["workspace" | "env", "show"] => include_str!("help/workspace-show.txt"),
        ["version"] => include_str!("help/version.txt"),
        ["refresh"] => include_str!("help/refresh.txt"),
        ["taint"] => include_str!("help/taint.txt"),
        ["untaint"] => include_str!("help/untaint.txt"),
        _ => return None,
    })
}

/// Every command path that has a help text (for tests).
pub fn all_paths() -> Vec<Vec<&'static str>> {
    let mut v: Vec<Vec<&str>> = vec![vec![]];
    v.extend(super::COMMANDS.iter().map(|c| vec![*c]));
    v.extend(super::STATE_COMMANDS.iter().map(|c| vec!["state", *c]));
    v.extend(super::WORKSPACE_COMMANDS.iter().map(|c| vec!["workspace", *c]));
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn flags_of(path: &[&str]) -> Vec<String> {
        use crate::args::*;
        let cmd = match path {
            ["init"] => InitArgs::command(),
            ["validate"] => ValidateArgs::command(),
            ["plan"] => PlanArgs::command(),
            ["apply"] => ApplyArgs::command(),
            ["console"] => ConsoleArgs::command(),
            ["fmt"] => FmtArgs::command(),
            ["graph"] => GraphArgs::command(),
            ["import"] => ImportArgs::command(),
            ["output"] => OutputArgs::command(),
            ["show"] => ShowArgs::command(),
            ["force-unlock"] => ForceUnlockArgs::command(),
            ["version"] => VersionArgs::command(),
            ["taint"] | ["untaint"] => TaintArgs::command(),
            ["state", "list"] => StateListArgs::command(),
            ["state", "mv"] => StateMvArgs::command(),
            ["state", "rm"] => StateRmArgs::command(),
            ["state", "push"] => StatePushArgs::command(),
            ["workspace", "new"] => WorkspaceNewArgs::command(),
            ["workspace", "delete"] => WorkspaceDeleteArgs::command(),
            ["workspace", "select"] => WorkspaceSelectArgs::command(),
            _ => return vec![],
        };
        cmd.get_arguments().filter_map(|a| a.get_long().map(|l| format!("-{l}"))).collect()
    }

    /// Every flag a command accepts is documented in its help text.
    #[test]
    fn help_documents_every_flag() {
        let undocumented_ok = ["-compact-warnings", "-backend-config", "-migrate-state", "-force-copy"];
        for path in all_paths() {
            let text = help_text(&path).unwrap_or_else(|| panic!("no help for {path:?}"));
            let text = if path == ["apply"] { format!("{text}{}", help_text(&["plan"]).unwrap_or("")) } else { text.to_string() };
            for flag in flags_of(&path) {
                if undocumented_ok.contains(&flag.as_str()) && path != ["plan"] {
                    continue;
                }
                assert!(text.contains(&flag), "help for {path:?} does not mention {flag}");
            }
        }
    }
}
