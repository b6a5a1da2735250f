//! `plinth show [-json] [-format=markdown] [PATH]`: a saved plan or a state file, or the
//! current workspace's state; and `plinth output [-json] [-raw] [NAME]`.

use crate::args::{OutputArgs, ShowArgs};
use crate::commands::workdir;
use crate::ui::Ui;
use crate::views;
use plinth_sdk::{Diagnostic, Diagnostics, Value};
use plinth_state::State;
use std::path::Path;

fn fail(ui: &mut Ui, d: Diagnostic) -> i32 {
    ui.diagnostics(&Diagnostics::from(d), None);
    1
}

/// The current workspace's state (replaying an interrupted run's journal), or an empty one.
fn current_state(state_path: Option<&Path>) -> Result<State, Diagnostic> {
    let rt = workdir::runtime()?;
    rt.block_on(async {
        let config = if state_path.is_none() && crate::commands::init::has_config_files(Path::new(".")) {
            plinth_lang::load_config(Path::new(".")).0
        } else {
            None
        };
        let backend = workdir::backend(config.as_ref(), state_path)?;
        let ws = workdir::selected_workspace(backend.as_ref()).await?;
        workdir::read_state(backend, &ws).await
    })
}

pub fn run_show(args: ShowArgs, ui: &mut Ui) -> i32 {
    let format = match (args.json, args.format.as_deref()) {
        (true, Some(f)) if f != "json" => {
            return fail(
                ui,
                Diagnostic::error("Conflicting output formats")
                    .with_detail(format!("-json and -format={f} cannot be used together."))
                    .with_help("choose one output format"),
            )
        }
        (true, _) => "json",
        (false, Some(f)) => f,
        (false, None) => "human",
    };
    ui.set_no_color(args.no_color || format != "human");
    let Some(path) = &args.path else {
        return match current_state(None) {
            Ok(st) => show_state(ui, &st, format),
            Err(d) => fail(ui, d),
        };
    };
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            return fail(
                ui,
                Diagnostic::error("Failed to read the file")
                    .with_detail(format!("Could not read {}: {e}.", path.display()))
                    .with_help("pass a plan file made with \"plinth plan -out=FILE\" or a state file"),
            )
        }
    };
    let bytes = match crate::commands::encryption::decrypt_plan_file(bytes) {
        Ok(b) => b,
        Err(d) => return fail(ui, d),
    };
    match plinth_engine::Plan::from_bytes(&bytes) {
        Ok(plan) => {
            match format {
                "json" => {
                    let config = if crate::commands::init::has_config_files(Path::new(".")) {
                        plinth_lang::load_config(Path::new(".")).0
                    } else {
                        None
                    };
                    ui.outln(&serde_json::to_string(&views::plan::render_json(&plan, config.as_ref())).unwrap_or_default());
                }
                "markdown" => ui.out(&views::plan::render_markdown(&plan)),
                _ => ui.out(&views::plan::render_human(&plan, views::plan::HumanOpts { color: ui.color })),
            }
            0
        }
        Err(plan_err) => match State::from_json(&bytes) {
            Ok(st) => {
                if format == "markdown" {
                    return fail(
                        ui,
                        Diagnostic::error("Markdown is for plans")
                            .with_detail(format!("{} is a state file; -format=markdown renders saved plans only.", path.display()))
                            .with_help("use \"plinth show\" or \"plinth show -json\" for a state"),
                    );
                }
                show_state(ui, &st, format)
            }
            Err(_) => fail(
                ui,
                plan_err.with_detail(format!("{} is neither a Plinth plan file nor a state file.", path.display())),
            ),
        },
    }
}

fn show_state(ui: &mut Ui, st: &State, format: &str) -> i32 {
    match format {
        "json" => ui.outln(&serde_json::to_string(&views::state::render_json(st)).unwrap_or_default()),
        "markdown" => {
            return fail(
                ui,
                Diagnostic::error("Markdown is for plans")
                    .with_detail("-format=markdown renders saved plans only.")
                    .with_help("run \"plinth show -format=markdown PLANFILE\""),
            )
        }
        _ => ui.out(&views::state::render_state(st, ui.color)),
    }
    0
}

pub fn run_output(args: OutputArgs, ui: &mut Ui) -> i32 {
    ui.set_no_color(args.no_color);
    let st = match current_state(args.state.as_deref()) {
        Ok(s) => s,
        Err(d) => return fail(ui, d),
    };
    let mut outputs: Vec<(String, Value, bool)> = Vec::new();
    for (name, o) in &st.outputs {
        match o.to_value() {
            Ok(v) => outputs.push((name.clone(), v, o.sensitive)),
            Err(e) => return fail(ui, e.to_diagnostic()),
        }
    }
    if let Some(name) = &args.name {
        let Some((_, v, sensitive)) = outputs.iter().find(|(n, _, _)| n == name) else {
            let names: Vec<&str> = outputs.iter().map(|(n, _, _)| n.as_str()).collect();
            let mut d = Diagnostic::error(format!("Output \"{name}\" not found"))
                .with_detail("The output variable requested could not be found in the state file. If you recently added this to your configuration, be sure to run \"plinth apply\", since the state won't be updated with new output variables until that command is run.");
            if let Some(s) = crate::args::suggest(name, &names) {
                d = d.with_help(format!("did you mean \"{s}\"?"));
            }
            return fail(ui, d);
        };
        let bare = v.clone().unmark_deep().0;
        if args.json {
            ui.outln(&serde_json::to_string(&bare.to_json()).unwrap_or_default());
        } else if args.raw {
            let raw = match bare.unmarked() {
                Value::String(s) => s.clone(),
                Value::Bool(b) => b.to_string(),
                Value::Number(n) => n.to_string(),
                Value::Null(_) => {
                    return fail(
                        ui,
                        Diagnostic::error("Unsupported value for raw output")
                            .with_detail(format!("The value for output \"{name}\" is null, so -raw mode cannot print it."))
                            .with_help("use -json to see null values"),
                    )
                }
                other => {
                    return fail(
                        ui,
                        Diagnostic::error("Unsupported value for raw output")
                            .with_detail(format!(
                                "The -raw option only supports strings, numbers, and boolean values, but output value \"{name}\" is {}.",
                                other.type_of().friendly_name()
                            ))
                            .with_help("use the -json option for machine-readable representations of output values that have complex types"),
                    )
                }
            };
            ui.out(&raw);
        } else {
            let _ = sensitive;
            ui.outln(&plinth_functions::console_format(&bare));
        }
        return 0;
    }
    if args.json {
        let mut m = serde_json::Map::new();
        for (name, v, sensitive) in &outputs {
            let bare = v.clone().unmark_deep().0;
            m.insert(
                name.clone(),
                serde_json::json!({
                    "sensitive": sensitive,
                    "type": views::plan_type_json(&bare.type_of()),
                    "value": bare.to_json(),
                }),
            );
        }
        ui.outln(&serde_json::to_string_pretty(&serde_json::Value::Object(m)).unwrap_or_default());
        return 0;
    }
    if outputs.is_empty() {
        ui.diagnostics(
            &Diagnostics::from(
                Diagnostic::warning("No outputs found").with_detail(
                    "The state file either has no outputs defined, or all the defined outputs are empty. Please define an output in your configuration with the `output` keyword and run `plinth apply` for it to become available.",
                ),
            ),
            None,
        );
        return 0;
    }
    let mut text = String::new();
    for (name, v, sensitive) in &outputs {
        text.push_str(&format!("{name} = {}\n", views::apply::output_value(v, *sensitive)));
    }
    ui.out(&text);
    0
}
