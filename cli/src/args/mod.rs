//! Command-line parsing, Terraform style.
//!
//! Terraform's flags are single-dash long flags (`-var 'a=b'`, `-out=FILE`, `-lock=false`).
//! clap only understands `--long`, so [`normalize`] rewrites `-name[=v]` into `--name[=v]`
//! for the long flags a command declares, then each command's clap struct parses the result.
//! Global options (`-chdir=DIR`, `-help`, `-version`) come before the subcommand and are
//! parsed by hand in [`parse`]. Help texts are hand-written in Terraform's shape
//! ([`help`]), so `plinth plan -help`, `plinth plan --help` and `plinth help plan` agree.

pub mod help;
pub mod options;

pub use options::*;
use std::path::PathBuf;

/// What the command line asks for.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // parsed once per process
pub enum Invocation {
    /// Print a help text (to stdout) and exit 0. The path names the (sub)command.
    Help(Vec<String>),
    /// Run a command.
    Run { chdir: Option<PathBuf>, command: Command },
}

/// A command-line error: printed as a diagnostic followed by a pointer to the help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError {
    /// The (sub)command the error concerns (empty for the top level).
    pub command: Vec<String>,
    pub message: String,
}

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Every command Plinth knows.
#[derive(Debug)]
pub enum Command {
    Init(InitArgs),
    Validate(ValidateArgs),
    Plan(PlanArgs),
    Apply(ApplyArgs),
    Destroy(ApplyArgs),
    Console(ConsoleArgs),
    Fmt(FmtArgs),
    Show(ShowArgs),
    Output(OutputArgs),
    State(StateCommand),
    Import(ImportArgs),
    Graph(GraphArgs),
    Workspace(WorkspaceCommand),
    ForceUnlock(ForceUnlockArgs),
    Version(VersionArgs),
    Providers(ProvidersArgs),
    /// `refresh`: `apply -refresh-only -auto-approve`, as Terraform defines it.
    Refresh(ApplyArgs),
    Taint(TaintArgs),
    Untaint(TaintArgs),
}

#[derive(Debug)]
pub enum StateCommand {
    List(StateListArgs),
    Show(StateShowArgs),
    Mv(StateMvArgs),
    Rm(StateRmArgs),
    Pull(StatePullArgs),
    Push(StatePushArgs),
}

#[derive(Debug)]
pub enum WorkspaceCommand {
    New(WorkspaceNewArgs),
    List(WorkspaceListArgs),
    Select(WorkspaceSelectArgs),
    Delete(WorkspaceDeleteArgs),
    Show(WorkspaceShowArgs),
}

/// Commands listed by `plinth -help`, with nested subcommands.
pub const COMMANDS: &[&str] = &[
    "init", "validate", "plan", "apply", "destroy", "console", "fmt", "force-unlock", "graph",
    "import", "output", "providers", "refresh", "show", "state", "taint", "untaint", "version",
    "workspace",
];
pub const STATE_COMMANDS: &[&str] = &["list", "mv", "pull", "push", "rm", "show"];
pub const WORKSPACE_COMMANDS: &[&str] = &["delete", "list", "new", "select", "show"];

fn is_help_flag(a: &str) -> bool {
    matches!(a, "-help" | "--help" | "-h" | "-help=true" | "--help=true")
}

/// Parses a whole command line (without the program name).
pub fn parse<S: AsRef<str>>(argv: &[S]) -> Result<Invocation, UsageError> {
    let argv: Vec<String> = argv.iter().map(|s| s.as_ref().to_string()).collect();
    let mut chdir = None;
    let mut i = 0;
    // Global options, before the subcommand.
    while i < argv.len() {
        let a = argv[i].as_str();
        if !a.starts_with('-') {
            break;
        }
        let bare = a.trim_start_matches('-');
        if is_help_flag(a) {
            return Ok(Invocation::Help(vec![]));
        } else if matches!(bare, "version" | "v") {
            return Ok(Invocation::Run {
                chdir,
                command: Command::Version(VersionArgs { json: false }),
            });
        } else if let Some(dir) = bare.strip_prefix("chdir=") {
            if dir.is_empty() {
                return Err(usage(&[], "The -chdir option requires a directory path."));
            }
            chdir = Some(PathBuf::from(dir));
        } else if bare == "chdir" {
            i += 1;
            match argv.get(i) {
                Some(d) => chdir = Some(PathBuf::from(d)),
                None => return Err(usage(&[], "The -chdir option requires a directory path.")),
            }
        } else {
            return Err(usage(
                &[],
                &format!(
                    "flag provided but not defined: {a}. Global options (-chdir, -help, -version) \
                     must come before the subcommand; command options after it."
                ),
            ));
        }
        i += 1;
    }
    let Some(name) = argv.get(i) else {
        return Ok(Invocation::Help(vec![]));
    };
    let rest = &argv[i + 1..];
    if name == "help" {
        let path: Vec<String> = rest.iter().filter(|a| !a.starts_with('-')).cloned().collect();
        if let Some(p) = path.first() {
            if help::help_text(&path).is_none() {
                return Err(usage(&[], &format!("There is no help for {:?}: no such command.", p)));
            }
        }
        return Ok(Invocation::Help(path));
    }
    let command = parse_command(name, rest)?;
    match command {
        Parsed::Help(path) => Ok(Invocation::Help(path)),
        Parsed::Run(command) => Ok(Invocation::Run { chdir, command }),
    }
}

enum Parsed {
    Help(Vec<String>),
    Run(Command),
}

fn parse_command(name: &str, rest: &[String]) -> Result<Parsed, UsageError> {
    let path = vec![name.to_string()];
    // Nested commands first: `state list -help` is the help of `state list`.
    if name == "state" || name == "workspace" || name == "env" {
        let name = if name == "env" { "workspace" } else { name };
        let subs = if name == "state" { STATE_COMMANDS } else { WORKSPACE_COMMANDS };
        let Some(sub) = rest.first() else {
            return Ok(Parsed::Help(vec![name.to_string()]));
        };
        if is_help_flag(sub) {
            return Ok(Parsed::Help(vec![name.to_string()]));
        }
        if !subs.contains(&sub.as_str()) {
            return Err(usage(
                &[name],
                &format!(
                    "unknown {name} subcommand {sub:?}; the subcommands are: {}",
                    subs.join(", ")
                ),
            ));
        }
        let sub_path = vec![name.to_string(), sub.clone()];
        let args = &rest[1..];
        if args.iter().any(|a| is_help_flag(a)) {
            return Ok(Parsed::Help(sub_path));
        }
        let sp: Vec<&str> = sub_path.iter().map(String::as_str).collect();
        let cmd = match (name, sub.as_str()) {
            ("state", "list") => Command::State(StateCommand::List(clap_parse(&sp, args)?)),
            ("state", "show") => Command::State(StateCommand::Show(clap_parse(&sp, args)?)),
            ("state", "mv") => Command::State(StateCommand::Mv(clap_parse(&sp, args)?)),
            ("state", "rm") => Command::State(StateCommand::Rm(clap_parse(&sp, args)?)),
            ("state", "pull") => Command::State(StateCommand::Pull(clap_parse(&sp, args)?)),
            ("state", "push") => Command::State(StateCommand::Push(clap_parse(&sp, args)?)),
            ("workspace", "new") => Command::Workspace(WorkspaceCommand::New(clap_parse(&sp, args)?)),
            ("workspace", "list") => {
                Command::Workspace(WorkspaceCommand::List(clap_parse(&sp, args)?))
            }
            ("workspace", "select") => {
                Command::Workspace(WorkspaceCommand::Select(clap_parse(&sp, args)?))
            }
            ("workspace", "delete") => {
                Command::Workspace(WorkspaceCommand::Delete(clap_parse(&sp, args)?))
            }
            _ => Command::Workspace(WorkspaceCommand::Show(clap_parse(&sp, args)?)),
        };
        return Ok(Parsed::Run(cmd));
    }
    if !COMMANDS.contains(&name) {
        let hint = suggest(name, COMMANDS)
            .map(|s| format!(" Did you mean {s:?}?"))
            .unwrap_or_default();
        return Err(usage(
            &[],
            &format!("{name:?} is not a plinth command.{hint} Run \"plinth -help\" for the list."),
        ));
    }
    // `fmt -` reads stdin: a lone `-` is a positional, never a help flag.
    if rest.iter().any(|a| is_help_flag(a)) {
        return Ok(Parsed::Help(path));
    }
    let p = [name];
    let order = ordered_vars(rest);
    let cmd = match name {
        "init" => Command::Init(clap_parse(&p, rest)?),
        "validate" => Command::Validate(clap_parse(&p, rest)?),
        "plan" => {
            let mut a: PlanArgs = clap_parse(&p, rest)?;
            a.plan.vars.ordered = order;
            Command::Plan(a)
        }
        "apply" => {
            let mut a: ApplyArgs = clap_parse(&p, rest)?;
            a.plan.vars.ordered = order;
            Command::Apply(a)
        }
        "destroy" => {
            let mut a: ApplyArgs = clap_parse::<DestroyArgs>(&p, rest)?.into();
            a.plan.destroy = true;
            a.plan.vars.ordered = order;
            Command::Destroy(a)
        }
        "console" => {
            let mut a: ConsoleArgs = clap_parse(&p, rest)?;
            a.vars.ordered = order;
            Command::Console(a)
        }
        "fmt" => Command::Fmt(clap_parse(&p, rest)?),
        "show" => Command::Show(clap_parse(&p, rest)?),
        "output" => Command::Output(clap_parse(&p, rest)?),
        "import" => {
            let mut a: ImportArgs = clap_parse(&p, rest)?;
            a.vars.ordered = order;
            Command::Import(a)
        }
        "graph" => Command::Graph(clap_parse(&p, rest)?),
        "refresh" => {
            let mut a: ApplyArgs = clap_parse::<DestroyArgs>(&p, rest)?.into();
            a.plan.refresh_only = true;
            a.auto_approve = true;
            a.plan.vars.ordered = order;
            Command::Refresh(a)
        }
        "taint" => Command::Taint(clap_parse(&p, rest)?),
        "untaint" => Command::Untaint(clap_parse(&p, rest)?),
        "force-unlock" => Command::ForceUnlock(clap_parse(&p, rest)?),
        "version" => Command::Version(clap_parse(&p, rest)?),
        _ => Command::Providers(clap_parse(&p, rest)?),
    };
    Ok(Parsed::Run(cmd))
}

/// The `-var` and `-var-file` options of `args`, in order, in any spelling.
pub fn ordered_vars(args: &[String]) -> Vec<VarArg> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].trim_start_matches('-');
        if args[i].starts_with('-') && args[i] != "-" {
            let (name, inline) = match a.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (a, None),
            };
            if name == "var" || name == "var-file" {
                let value = match inline {
                    Some(v) => Some(v),
                    None => {
                        i += 1;
                        args.get(i).cloned()
                    }
                };
                if let Some(v) = value {
                    out.push(if name == "var" { VarArg::Var(v) } else { VarArg::File(PathBuf::from(v)) });
                }
            }
        }
        i += 1;
    }
    out
}

fn usage(command: &[&str], message: &str) -> UsageError {
    UsageError {
        command: command.iter().map(|s| s.to_string()).collect(),
        message: message.to_string(),
    }
}

/// Rewrites Terraform-style single-dash long flags into clap's double-dash form, for the
/// long flags `cmd` declares. Everything after a bare `--` is left alone, as is a lone `-`.
pub fn normalize(cmd: &clap::Command, args: &[String]) -> Vec<String> {
    let longs: Vec<&str> = cmd.get_arguments().filter_map(|a| a.get_long()).collect();
    let mut out = Vec::with_capacity(args.len());
    let mut passthrough = false;
    for a in args {
        if passthrough || a == "-" || a == "--" {
            passthrough |= a == "--";
            out.push(a.clone());
            continue;
        }
        if let Some(rest) = a.strip_prefix('-') {
            if !rest.starts_with('-') {
                let name = rest.split('=').next().unwrap_or(rest);
                // Unknown multi-letter flags become `--name` too, so the error names the
                // whole flag instead of its first letter.
                if longs.contains(&name) || name.chars().count() > 1 {
                    out.push(format!("-{a}"));
                    continue;
                }
            }
        }
        out.push(a.clone());
    }
    out
}

fn clap_parse<T: clap::Parser>(path: &[&str], args: &[String]) -> Result<T, UsageError> {
    let cmd = T::command().no_binary_name(true);
    let norm = normalize(&cmd, args);
    let res = cmd
        .try_get_matches_from(&norm)
        .and_then(|mut m| T::from_arg_matches_mut(&mut m));
    res.map_err(|e| usage(path, &clap_message(&e)))
}

/// clap's error, reworded for single-dash flags and without clap's own usage hints.
fn clap_message(e: &clap::Error) -> String {
    let rendered = e.render().to_string();
    let first = rendered.lines().next().unwrap_or("invalid arguments");
    let msg = first.strip_prefix("error: ").unwrap_or(first);
    msg.replace("'--", "'-").replace(" --", " -")
}

/// The closest of `candidates` to `word` by edit distance, if close enough.
pub fn suggest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (levenshtein(word, c), *c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min()
        .map(|(_, c)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Parses Terraform durations: `0s`, `10s`, `1m30s`, `500ms`, `2h`; a bare number is seconds.
pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let err = || format!("invalid duration {s:?}: use a number with a unit, like 10s, 1m30s or 500ms");
    let s = s.trim();
    if s.is_empty() {
        return Err(err());
    }
    if let Ok(n) = s.parse::<u64>() {
        return Ok(std::time::Duration::from_secs(n));
    }
    let mut total = 0f64;
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).ok_or_else(err)?;
        if num_len == 0 {
            return Err(err());
        }
        let n: f64 = rest[..num_len].parse().map_err(|_| err())?;
        rest = &rest[num_len..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let mult = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return Err(err()),
        };
        total += n * mult;
        rest = &rest[unit_len..];
    }
    std::time::Duration::try_from_secs_f64(total).map_err(|_| err())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("10s").unwrap().as_secs(), 10);
        assert_eq!(parse_duration("1m30s").unwrap().as_secs(), 90);
        assert_eq!(parse_duration("500ms").unwrap().as_millis(), 500);
        assert_eq!(parse_duration("3").unwrap().as_secs(), 3);
        assert!(parse_duration("ten").is_err());
        assert!(parse_duration("10x").is_err());
        assert!(parse_duration("99999999999999999999999999h").is_err());
        assert!(parse_duration(".").is_err());
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggest("paln", COMMANDS), Some("plan"));
        assert_eq!(suggest("aply", COMMANDS), Some("apply"));
        assert_eq!(suggest("zzzzzz", COMMANDS), None);
    }
}
