//! `plinth console`: evaluates expressions in the context of the configuration (variables,
//! locals) and the current state (resources), printing values exactly as
//! `terraform console` does. Reads lines from stdin when it is not a terminal (stopping
//! with status 1 at the first error); interactive with line editing otherwise.

use crate::args::ConsoleArgs;
use crate::commands::workdir;
use crate::ui::Ui;
use plinth_sdk::{Diagnostic, Diagnostics, Value};
use plinth_state::{IndexKey, Mode, State};
use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal};
use std::path::Path;

fn fail(ui: &mut Ui, d: Diagnostic) -> i32 {
    ui.diagnostics(&Diagnostics::from(d), None);
    1
}

/// Root module resources from the state as the values references see: an object for a
/// single instance, a tuple for `count`, an object keyed by `each.key` for `for_each`.
pub fn state_objects(st: &State) -> BTreeMap<String, Value> {
    let mut grouped: BTreeMap<String, Vec<(Option<IndexKey>, Value)>> = BTreeMap::new();
    let registry = workdir::registry();
    for (addr, inst) in st.instances() {
        if addr.module.is_some() || addr.deposed.is_some() {
            continue;
        }
        // Decode with the provider's schema (dynamic attributes are stored wrapped in
        // {"value", "type"}); fall back to a schema-free reading.
        let schema = st
            .resource(None, addr.mode, &addr.type_name, &addr.name)
            .and_then(|r| plinth_engine::stateconv::parse_provider_addr(&r.provider))
            .and_then(|(src, _)| registry.by_source(&src))
            .and_then(|p| plinth_engine::ProviderRegistry::resource_schema(&p, addr.mode == Mode::Data, &addr.type_name).cloned());
        let v = schema
            .and_then(|s| plinth_engine::stateconv::instance_value(inst, &s, |_, j| Ok(j)).ok())
            .unwrap_or_else(|| crate::views::state::instance_value(&addr.type_name, addr.mode, inst));
        let key = match addr.mode {
            Mode::Data => format!("data.{}.{}", addr.type_name, addr.name),
            Mode::Managed => format!("{}.{}", addr.type_name, addr.name),
        };
        grouped.entry(key).or_default().push((addr.key.clone(), v));
    }
    group(grouped)
}

/// Root module resources as a saved plan would leave them (planned values, unknown where
/// they are known only after apply; objects the plan deletes are absent).
pub fn plan_objects(plan: &plinth_engine::Plan) -> BTreeMap<String, Value> {
    let mut grouped: BTreeMap<String, Vec<(Option<IndexKey>, Value)>> = BTreeMap::new();
    for c in &plan.changes {
        if !c.addr.resource.module.is_root() || c.deposed.is_some() || c.action == plinth_engine::Action::Delete {
            continue;
        }
        let r = &c.addr.resource;
        let key = match r.mode {
            plinth_lang::ResourceMode::Data => format!("data.{}.{}", r.type_name, r.name),
            plinth_lang::ResourceMode::Managed => format!("{}.{}", r.type_name, r.name),
        };
        grouped.entry(key).or_default().push((plinth_engine::stateconv::key_to_state(&c.addr.key), c.after.clone()));
    }
    group(grouped)
}

fn group(grouped: BTreeMap<String, Vec<(Option<IndexKey>, Value)>>) -> BTreeMap<String, Value> {
    grouped
        .into_iter()
        .map(|(k, mut insts)| {
            let v = match insts.first().map(|(k, _)| k.clone()) {
                Some(None) | None => insts.pop().map(|(_, v)| v).unwrap_or_else(Value::null),
                Some(Some(IndexKey::Int(_))) => {
                    insts.sort_by_key(|(k, _)| match k {
                        Some(IndexKey::Int(i)) => *i,
                        _ => i64::MAX,
                    });
                    Value::Tuple(insts.into_iter().map(|(_, v)| v).collect())
                }
                Some(Some(IndexKey::Str(_))) => Value::Object(
                    insts
                        .into_iter()
                        .filter_map(|(k, v)| match k {
                            Some(IndexKey::Str(s)) => Some((s, v)),
                            _ => None,
                        })
                        .collect(),
                ),
            };
            (k, v)
        })
        .collect()
}

pub fn run(args: ConsoleArgs, ui: &mut Ui) -> i32 {
    ui.set_no_color(args.no_color);
    ui.input = false;
    let cwd = workdir::cwd();
    let has_config = crate::commands::init::has_config_files(Path::new("."));
    let config = if has_config {
        match workdir::load_config(ui) {
            Ok(c) => Some(c),
            Err(code) => return code,
        }
    } else {
        None
    };
    let empty_module = plinth_lang::Module { dir: cwd.clone(), ..Default::default() };
    let sources = config.as_ref().map(|c| c.sources.clone()).unwrap_or_default();
    let (variables, module) = match &config {
        Some(c) => {
            let (vars, d) = workdir::variables(c, &args.vars, ui);
            ui.diagnostics(&d, Some(&c.sources));
            if d.has_errors() {
                return 1;
            }
            (vars, &c.root)
        }
        None => (BTreeMap::new(), &empty_module),
    };
    let rt = match workdir::runtime() {
        Ok(rt) => rt,
        Err(d) => return fail(ui, d),
    };
    let loaded = rt.block_on(async {
        let backend = workdir::backend(config.as_deref(), args.state.as_deref())?;
        let ws = workdir::selected_workspace(backend.as_ref()).await?;
        let st = workdir::read_state(backend, &ws).await?;
        Ok::<_, Diagnostic>((ws, st))
    });
    let (ws, st) = match loaded {
        Ok(x) => x,
        Err(d) => return fail(ui, d),
    };
    let objects = match (&config, args.plan) {
        (Some(c), true) => {
            // `-plan`: evaluate against the planned state instead of the current one.
            let ctx = workdir::context(c.clone(), variables.clone(), &ws, 10);
            let (plan, d) = rt.block_on(plinth_engine::plan(&ctx, &st, &plinth_engine::PlanOptions::default()));
            ui.diagnostics(&d, Some(&c.sources));
            match plan {
                Some(p) if !d.has_errors() => plan_objects(&p),
                _ => return 1,
            }
        }
        _ => state_objects(&st),
    };
    let mut scope = plinth_lang::console::StaticScope::new(module, variables, &cwd).with_objects(objects);
    scope.workspace = ws;
    if std::io::stdin().is_terminal() {
        interactive(ui, &scope, &cwd, &sources)
    } else {
        let stdin = std::io::stdin();
        for line in stdin.lock().lines() {
            let Ok(line) = line else { break };
            let line = line.trim_end_matches('\r');
            if line.trim() == "exit" {
                break;
            }
            if line.trim().is_empty() {
                continue;
            }
            match eval_line(line, &scope, &cwd, &sources) {
                Ok(s) => ui.outln(&s),
                Err((d, line_sources)) => {
                    report(ui, &d, &sources, &line_sources);
                    return 1;
                }
            }
        }
        0
    }
}

fn interactive(ui: &mut Ui, scope: &plinth_lang::console::StaticScope<'_>, cwd: &Path, sources: &plinth_lang::SourceMap) -> i32 {
    use rustyline::error::ReadlineError;
    let mut rl = match rustyline::DefaultEditor::new() {
        Ok(rl) => rl,
        Err(e) => return fail(ui, Diagnostic::error("Failed to start the console").with_detail(format!("{e}."))),
    };
    loop {
        match rl.readline("> ") {
            Ok(line) => {
                if line.trim().is_empty() {
                    continue;
                }
                let _ = rl.add_history_entry(line.as_str());
                if line.trim() == "exit" {
                    return 0;
                }
                match eval_line(&line, scope, cwd, sources) {
                    Ok(s) => ui.outln(&s),
                    Err((d, line_sources)) => report(ui, &d, sources, &line_sources),
                }
            }
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => return 0,
            Err(e) => return fail(ui, Diagnostic::error("Failed to read input").with_detail(format!("{e}."))),
        }
    }
}

/// Evaluates one line with its own source map (every line is `<console-input>`, so a shared
/// map would show the first line's text in later snippets).
fn eval_line(
    line: &str,
    scope: &plinth_lang::console::StaticScope<'_>,
    cwd: &Path,
    _config_sources: &plinth_lang::SourceMap,
) -> Result<String, (Diagnostics, plinth_lang::SourceMap)> {
    let line_sources = plinth_lang::SourceMap::default();
    plinth_lang::console::eval_console_line(line, scope, cwd, &line_sources).map_err(|d| (d, line_sources))
}

/// Renders each diagnostic with the source map that holds its file.
fn report(ui: &mut Ui, diags: &Diagnostics, config: &plinth_lang::SourceMap, line: &plinth_lang::SourceMap) {
    for d in diags.iter() {
        let in_line = d.subject.as_ref().is_some_and(|s| line.get(s.file.as_path()).is_some());
        ui.diagnostics(&Diagnostics::from(d.clone()), Some(if in_line { line } else { config }));
    }
}
