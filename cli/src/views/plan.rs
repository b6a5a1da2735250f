//! Plan renderers: the human plan (Terraform 1.11's layout, "Plinth" in place of
//! "Terraform"), Terraform's JSON plan format (`show -json`), and a Markdown pull-request
//! comment. Pure functions over [`plinth_engine::Plan`]: nothing here prints.

use super::diff::{self, colorize, Act, Diff, Opts};
use super::schemas;
use plinth_engine::{Action, ActionReason, InstanceKey, OutputChange, Plan, PlanMode, ResourceChange};
use plinth_lang::ResourceMode;
use plinth_sdk::{Type, Value};
use serde_json::{json, Map, Value as J};

/// Options of [`render_human`].
#[derive(Clone, Copy, Debug, Default)]
pub struct HumanOpts {
    pub color: bool,
}

/// Terminal width Terraform assumes when output is not a terminal.
pub const COLUMNS: usize = 78;

/// Terraform's `format.WordWrap` (greedy, keeps line breaks and leading indentation).
pub fn word_wrap(s: &str, width: usize) -> String {
    s.split('\n')
        .map(|line| {
            let mut out = String::new();
            let mut cur = String::new();
            for w in line.split(' ') {
                if !cur.is_empty() && cur.chars().count() + 1 + w.chars().count() > width {
                    out.push_str(&cur);
                    out.push('\n');
                    cur.clear();
                } else if !cur.is_empty() || (out.is_empty() && w.is_empty()) {
                    if !cur.is_empty() {
                        cur.push(' ');
                    }
                }
                cur.push_str(w);
            }
            out.push_str(&cur);
            out
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Terraform's `format.HorizontalRule`: a newline, 77 `─`, a newline (dark grey).
pub fn horizontal_rule(color: bool) -> String {
    colorize(&format!("[dark_gray]\n{}\n", "─".repeat(COLUMNS - 1)), color)
}

pub(crate) fn act(a: Action) -> Act {
    match a {
        Action::NoOp => Act::NoOp,
        Action::Create => Act::Create,
        Action::Read => Act::Read,
        Action::Update => Act::Update,
        Action::DeleteThenCreate => Act::DeleteThenCreate,
        Action::CreateThenDelete => Act::CreateThenDelete,
        Action::Delete => Act::Delete,
        Action::Forget => Act::Forget,
    }
}

fn opt(v: &Value) -> Option<&Value> {
    if v.is_null() {
        None
    } else {
        Some(v)
    }
}

/// The structural diff of one resource change.
pub fn change_diff(c: &ResourceChange) -> Diff {
    let schema = schemas::block_for(&c.addr.resource.type_name, c.addr.resource.mode == ResourceMode::Data, &c.schema_type);
    // A forgotten object stays as it is: Terraform shows it unchanged.
    let after = if c.action == Action::Forget { opt(&c.before) } else { opt(&c.after) };
    let mut d = diff::diff_resource(opt(&c.before), after, Some(&schema), &c.replace_paths);
    if c.action == Action::Delete || c.action == Action::Create {
        d.action = act(c.action);
    }
    d
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Cause {
    Proposed,
    Drift,
}

fn index_json(k: &InstanceKey) -> String {
    match k {
        InstanceKey::NoKey => String::new(),
        InstanceKey::Int(i) => i.to_string(),
        InstanceKey::Str(s) => serde_json::to_string(s).unwrap_or_default(),
    }
}

/// Terraform's `resourceChangeComment` (with colour tags).
fn change_comment(c: &ResourceChange, action: Action, cause: Cause) -> String {
    let mut addr = c.addr.to_string();
    if let Some(d) = &c.deposed {
        addr = format!("{addr} (deposed object {d})");
    }
    let mut buf = String::new();
    let mut printed_moved = false;
    let mut printed_import = false;
    match action {
        Action::Create => buf += &format!("[bold]  # {addr}[reset] will be created"),
        Action::Read => {
            buf += &format!("[bold]  # {addr}[reset] will be read during apply");
            match c.reason {
                Some(ActionReason::ReadBecauseConfigUnknown) => buf += "\n  # (config refers to values not yet known)",
                Some(ActionReason::ReadBecauseDependencyPending) => {
                    buf += "\n  # (depends on a resource or a module with changes pending)"
                }
                Some(ActionReason::ReadBecauseCheckNested) => buf += "\n  # (config will be reloaded to verify a check block)",
                _ => {}
            }
        }
        Action::Update => match cause {
            Cause::Proposed => buf += &format!("[bold]  # {addr}[reset] will be updated in-place"),
            Cause::Drift => buf += &format!("[bold]  # {addr}[reset] has changed"),
        },
        Action::CreateThenDelete | Action::DeleteThenCreate => match c.reason {
            Some(ActionReason::ReplaceBecauseTainted) => {
                buf += &format!("[bold]  # {addr}[reset] is tainted, so must be [bold][red]replaced[reset]")
            }
            Some(ActionReason::ReplaceByRequest) => {
                buf += &format!("[bold]  # {addr}[reset] will be [bold][red]replaced[reset], as requested")
            }
            Some(ActionReason::ReplaceByTriggers) => buf += &format!(
                "[bold]  # {addr}[reset] will be [bold][red]replaced[reset] due to changes in replace_triggered_by"
            ),
            _ => buf += &format!("[bold]  # {addr}[reset] must be [bold][red]replaced[reset]"),
        },
        Action::Delete => {
            match cause {
                Cause::Proposed => buf += &format!("[bold]  # {addr}[reset] will be [bold][red]destroyed[reset]"),
                Cause::Drift => buf += &format!("[bold]  # {addr}[reset] has been deleted"),
            }
            let r = &c.addr.resource;
            match c.reason {
                Some(ActionReason::DeleteBecauseNoResourceConfig) => {
                    buf += &format!("\n  # (because {}.{} is not in configuration)", r.type_name, r.name)
                }
                Some(ActionReason::DeleteBecauseNoMoveTarget) => {
                    let prev = c.prev_run_addr.as_ref().map(|p| p.to_string()).unwrap_or_default();
                    buf += &format!("\n  # (because {prev} was moved to {}, which is not in configuration)", c.addr)
                }
                Some(ActionReason::DeleteBecauseNoModule) => {
                    buf += &format!("\n  # (because {} is not in configuration)", r.module)
                }
                Some(ActionReason::DeleteBecauseWrongRepetition) => match c.addr.key {
                    InstanceKey::NoKey => buf += "\n  # (because resource uses count or for_each)",
                    InstanceKey::Int(_) => buf += "\n  # (because resource does not use count)",
                    InstanceKey::Str(_) => buf += "\n  # (because resource does not use for_each)",
                },
                Some(ActionReason::DeleteBecauseCountIndex) => {
                    buf += &format!("\n  # (because index [{}] is out of range for count)", index_json(&c.addr.key))
                }
                Some(ActionReason::DeleteBecauseEachKey) => {
                    buf += &format!("\n  # (because key [{}] is not in for_each map)", index_json(&c.addr.key))
                }
                _ => {}
            }
            if c.deposed.is_some() {
                buf += "\n  # (left over from a partially-failed replacement of this instance)";
            }
        }
        Action::Forget => {
            buf += &format!("[bold] # {addr}[reset] will no longer be managed by Plinth, but will not be destroyed\n # (destroy = false is set in the configuration)")
        }
        Action::NoOp => {
            if let Some(prev) = c.prev_run_addr.as_ref().filter(|p| **p != c.addr) {
                buf += &format!("[bold]  # {prev}[reset] has moved to [bold]{addr}[reset]");
                printed_moved = true;
            } else if let Some(id) = &c.importing {
                buf += &format!("[bold]  # {addr}[reset] will be imported");
                let _ = id;
                printed_import = true;
            } else {
                buf += &format!("{addr} has an action the plan renderer doesn't support (this is a bug)");
            }
        }
    }
    buf.push('\n');
    if let Some(prev) = c.prev_run_addr.as_ref().filter(|p| **p != c.addr) {
        if !printed_moved {
            buf += &format!("  # [reset](moved from {prev})\n");
        }
    }
    if let Some(id) = &c.importing {
        if !printed_import {
            buf += &format!("  # [reset](imported from \"{id}\")\n");
        }
    }
    buf
}

/// One resource change as Terraform prints it under "will perform the following actions".
fn render_change(c: &ResourceChange, cause: Cause, color: bool) -> Option<String> {
    if c.is_noop() {
        return None;
    }
    let mut d = change_diff(c);
    if cause == Cause::Drift {
        d.action = act(c.action);
    }
    let o = Opts { color, show_unchanged: c.importing.is_some(), ..Opts::default() };
    let r = &c.addr.resource;
    let mode = if r.mode == ResourceMode::Data { "data" } else { "resource" };
    Some(format!(
        "{}{} {mode} \"{}\" \"{}\" {}",
        colorize(&change_comment(c, c.action, cause), color),
        colorize(diff::action_symbol(act(c.action)), color),
        r.type_name,
        r.name,
        d.render(0, &o)
    ))
}

fn action_description(a: Action) -> &'static str {
    match a {
        Action::Create => "  [green]+[reset] create",
        Action::Delete => "  [red]-[reset] destroy",
        Action::Update => "  [yellow]~[reset] update in-place",
        Action::CreateThenDelete => "[green]+[reset]/[red]-[reset] create replacement and then destroy",
        Action::DeleteThenCreate => "[red]-[reset]/[green]+[reset] destroy and then create replacement",
        Action::Read => " [cyan]<=[reset] read (data resources)",
        // Terraform 1.11 prints no legend line for forget.
        Action::Forget => "",
        Action::NoOp => "",
    }
}

/// The "Changes to Outputs:" body (empty when no output changes).
fn render_outputs(outputs: &[OutputChange], color: bool) -> String {
    let changed: Vec<&OutputChange> = outputs.iter().filter(|o| o.action != Action::NoOp).collect();
    if changed.is_empty() {
        return String::new();
    }
    let width = changed.iter().map(|o| diff::key_name(&o.name).len()).max().unwrap_or(0);
    let o = Opts { color, ..Opts::default() };
    let mut lines = Vec::new();
    for oc in changed {
        let (b, a) = (mark(&oc.before, oc.sensitive), mark(&oc.after, oc.sensitive));
        let mut d = diff::diff_value_dynamic(opt(&b), if oc.action == Action::Delete { None } else { Some(&a) });
        if matches!(oc.action, Action::Create | Action::Delete | Action::Update) && d.action == Act::NoOp {
            d.action = act(oc.action);
        }
        lines.push(format!(
            "{}{:<width$} = {}",
            format_args!("{} ", colorize(diff::action_symbol(d.action), color)),
            diff::key_name(&oc.name),
            d.render(0, &o)
        ));
    }
    lines.join("\n")
}

fn mark(v: &Value, sensitive: bool) -> Value {
    if sensitive && !v.is_null() {
        v.clone().mark_sensitive()
    } else {
        v.clone()
    }
}

/// Terraform's drift section; returns "" when nothing is shown.
fn render_drift(plan: &Plan, color: bool, plan_empty: bool) -> String {
    let drs: Vec<&ResourceChange> = plan
        .drift
        .iter()
        .filter(|d| plan.mode == PlanMode::RefreshOnly || d.action != Action::NoOp)
        .collect();
    if drs.is_empty() || (plan_empty && plan.mode != PlanMode::RefreshOnly) {
        return String::new();
    }
    let mut out = colorize("\n[bold][cyan]Note:[reset][bold] Objects have changed outside of Plinth\n", color);
    out.push('\n');
    out += &word_wrap(
        "Plinth detected the following changes made outside of Plinth since the last \"plinth apply\" which may have affected this plan:\n",
        COLUMNS,
    );
    for d in drs {
        if let Some(s) = render_change(d, Cause::Drift, color) {
            out.push('\n');
            out += &s;
            out.push('\n');
        }
    }
    let tail = if plan.mode == PlanMode::RefreshOnly {
        "\n\nThis is a refresh-only plan, so Plinth will not take any actions to undo these. If you were expecting these changes then you can apply this plan to record the updated values in the Plinth state without changing any remote objects."
    } else {
        "\n\nUnless you have made equivalent changes to your configuration, or ignored the relevant attributes using ignore_changes, the following plan may include actions to undo or respond to these changes."
    };
    out += &word_wrap(tail, COLUMNS);
    out.push('\n');
    out
}

/// The human plan, as `terraform plan` prints it after the refresh lines and before the
/// "Saved the plan to" / "-out" note (see [`render_saved_note`], [`render_no_out_note`]).
pub fn render_human(plan: &Plan, opts: HumanOpts) -> String {
    let color = opts.color;
    let changes: Vec<&ResourceChange> = plan
        .changes
        .iter()
        .filter(|c| !c.is_noop())
        .filter(|c| !(c.action == Action::Delete && c.addr.resource.mode == ResourceMode::Data))
        .collect();
    let outputs = render_outputs(&plan.outputs, color);
    let plan_empty = changes.is_empty() && outputs.is_empty();
    let mut out = String::new();
    let drift = render_drift(plan, color, plan_empty);
    let have_drift = !drift.is_empty();
    out += &drift;

    let mut counts = std::collections::BTreeMap::<Action, usize>::new();
    for c in &changes {
        if c.action != Action::NoOp {
            *counts.entry(c.action).or_default() += 1;
        }
    }
    let n = |a: Action| counts.get(&a).copied().unwrap_or(0);

    if plan_empty && !plan.errored {
        if have_drift {
            out += &horizontal_rule(color);
            out.push('\n');
        }
        match plan.mode {
            PlanMode::RefreshOnly => {
                out += &colorize("\n[reset][bold][green]No changes.[reset][bold] Your infrastructure still matches the configuration.[reset]\n\n", color);
                out += &word_wrap("Plinth has checked that the real remote objects still match the result of your most recent changes, and found no differences.", COLUMNS);
            }
            PlanMode::Destroy => {
                out += &colorize("\n[reset][bold][green]No changes.[reset][bold] No objects need to be destroyed.[reset]\n\n", color);
                out += &word_wrap("Either you have not created any objects yet or the existing objects were already deleted outside of Plinth.", COLUMNS);
            }
            PlanMode::Normal => {
                out += &colorize("\n[reset][bold][green]No changes.[reset][bold] Your infrastructure matches the configuration.[reset]\n\n", color);
                if have_drift {
                    out += &word_wrap("Your configuration already matches the changes detected above, so applying this plan will only update the state to include the changes detected above and won't change any real infrastructure.", COLUMNS);
                } else {
                    out += &word_wrap("Plinth has compared your real infrastructure against your configuration and found no differences, so no changes are needed.", COLUMNS);
                }
            }
        }
        out.push('\n');
        return out;
    }

    if have_drift {
        out += &horizontal_rule(color);
        out.push('\n');
    }
    if !counts.is_empty() {
        out += &word_wrap(
            "\nPlinth used the selected providers to generate the following execution plan. Resource actions are indicated with the following symbols:",
            COLUMNS,
        );
        out.push('\n');
        for a in [Action::Create, Action::Update, Action::Delete, Action::DeleteThenCreate, Action::CreateThenDelete, Action::Read, Action::Forget] {
            if n(a) > 0 && !action_description(a).is_empty() {
                out += &colorize(action_description(a), color);
                out.push('\n');
            }
        }
    }
    if !changes.is_empty() {
        if plan.errored {
            out += "\nPlinth planned the following actions, but then encountered a problem:\n";
        } else {
            out += "\nPlinth will perform the following actions:\n";
        }
        for c in &changes {
            if let Some(s) = render_change(c, Cause::Proposed, color) {
                out.push('\n');
                out += &s;
                out.push('\n');
            }
        }
        let s = plan.summary();
        let mut line = format!("\n[bold]Plan:[reset] ");
        if s.import > 0 {
            line += &format!("{} to import, ", s.import);
        }
        line += &format!("{} to add, {} to change, {} to destroy.", s.add, s.change, s.destroy);
        line.push('\n');
        out += &colorize(&line, color);
    }
    if !outputs.is_empty() {
        out += "\nChanges to Outputs:\n";
        out += &outputs;
        out.push('\n');
        if counts.is_empty() {
            out += &word_wrap(
                "\nYou can apply this plan to save these new output values to the Plinth state, without changing any real infrastructure.",
                COLUMNS,
            );
            out.push('\n');
        }
    }
    out
}

/// What `plan -out=FILE` prints after the plan.
pub fn render_saved_note(path: &str, color: bool) -> String {
    format!(
        "{}\nSaved the plan to: {path}\n\nTo perform exactly these actions, run the following command to apply:\n    plinth apply {}\n",
        horizontal_rule(color),
        shell_quote(path)
    )
}

/// What `plan` without `-out` prints after the plan.
pub fn render_no_out_note(color: bool) -> String {
    format!(
        "{}\n{}\n",
        horizontal_rule(color),
        word_wrap(
            "Note: You didn't use the -out option to save this plan, so Plinth can't guarantee to take exactly these actions if you run \"plinth apply\" now.",
            COLUMNS
        )
    )
}

fn shell_quote(p: &str) -> String {
    format!("\"{p}\"")
}

// ----------------------------------------------------------------------------------------
// JSON plan (Terraform's format_version 1.2)
// ----------------------------------------------------------------------------------------

/// Terraform's `after_unknown` / `*_sensitive` shapes: `true` where the property holds,
/// objects and arrays mirroring the value where it holds somewhere inside, and
/// `false`/empty otherwise (objects omit `false` keys, as Terraform does).
fn mask(v: &Value, pick: &dyn Fn(&Value) -> bool) -> J {
    if pick(v) {
        return J::Bool(true);
    }
    match v.unmarked() {
        Value::List(_, xs) | Value::Set(_, xs) | Value::Tuple(xs) => J::Array(xs.iter().map(|x| mask(x, pick)).collect()),
        Value::Map(_, m) | Value::Object(m) => {
            let mut o = Map::new();
            for (k, x) in m {
                let j = mask(x, pick);
                if j != J::Bool(false) {
                    o.insert(k.clone(), j);
                }
            }
            J::Object(o)
        }
        _ => J::Bool(false),
    }
}

/// Like [`mask`] for sensitivity, except that an unknown object (or map) is `{}`, as
/// Terraform writes it.
fn sens_mask(v: &Value) -> J {
    if v.is_sensitive() {
        return J::Bool(true);
    }
    match v {
        Value::Unknown(Type::Object(_) | Type::Map(_)) => J::Object(Map::new()),
        Value::List(_, xs) | Value::Set(_, xs) | Value::Tuple(xs) => J::Array(xs.iter().map(sens_mask).collect()),
        Value::Map(_, m) | Value::Object(m) => {
            let mut o = Map::new();
            for (k, x) in m {
                let j = sens_mask(x);
                if j != J::Bool(false) {
                    o.insert(k.clone(), j);
                }
            }
            J::Object(o)
        }
        _ => J::Bool(false),
    }
}

fn unknown_mask(v: &Value) -> J {
    if v.is_null() {
        return J::Object(Map::new());
    }
    let m = mask(v, &|x| !x.is_known());
    if m == J::Bool(false) {
        J::Object(Map::new())
    } else {
        m
    }
}

fn sensitive_mask(v: &Value, top: bool) -> J {
    if v.is_null() {
        return if top { J::Object(Map::new()) } else { J::Bool(false) };
    }
    let m = sens_mask(v);
    if top && m == J::Bool(false) {
        J::Object(Map::new())
    } else {
        m
    }
}

/// A value as plan JSON: unknowns omitted from objects, `null` elsewhere.
fn known_json(v: &Value) -> J {
    match v.unmarked() {
        Value::Unknown(_) => J::Null,
        Value::List(_, xs) | Value::Set(_, xs) | Value::Tuple(xs) => J::Array(xs.iter().map(known_json).collect()),
        Value::Map(_, m) | Value::Object(m) => J::Object(
            m.iter().filter(|(_, x)| x.is_known()).map(|(k, x)| (k.clone(), known_json(x))).collect(),
        ),
        x => x.to_json(),
    }
}

fn provider_name(provider: &str) -> String {
    // provider["registry.terraform.io/hashicorp/random"] → registry.terraform.io/hashicorp/random
    let s = provider.trim_start_matches("provider[").trim_end_matches(']').trim_matches('"');
    let s = s.split("\"].").next().unwrap_or(s);
    s.to_string()
}

fn resource_base(c: &ResourceChange) -> Map<String, J> {
    let r = &c.addr.resource;
    let mut m = Map::new();
    m.insert("address".into(), json!(c.addr.to_string()));
    if !r.module.is_root() {
        m.insert("module_address".into(), json!(r.module.to_string()));
    }
    m.insert("mode".into(), json!(if r.mode == ResourceMode::Data { "data" } else { "managed" }));
    m.insert("type".into(), json!(r.type_name));
    m.insert("name".into(), json!(r.name));
    if let Some(k) = c.addr.key.to_json() {
        m.insert("index".into(), k);
    }
    m
}

fn resource_change_json(c: &ResourceChange) -> J {
    let mut m = resource_base(c);
    if let Some(p) = c.prev_run_addr.as_ref().filter(|p| **p != c.addr) {
        m.insert("previous_address".into(), json!(p.to_string()));
    }
    if let Some(d) = &c.deposed {
        m.insert("deposed".into(), json!(d));
    }
    m.insert("provider_name".into(), json!(provider_name(&c.provider)));
    let mut ch = Map::new();
    ch.insert("actions".into(), json!(c.action.terraform_actions()));
    ch.insert("before".into(), known_json(&c.before));
    ch.insert("after".into(), known_json(&c.after));
    ch.insert("after_unknown".into(), unknown_mask(&c.after));
    ch.insert("before_sensitive".into(), sensitive_mask(&c.before, true));
    ch.insert("after_sensitive".into(), sensitive_mask(&c.after, true));
    if !c.replace_paths.is_empty() {
        ch.insert("replace_paths".into(), J::Array(c.replace_paths.iter().map(|p| p.to_flat_json()).collect()));
    }
    if let Some(id) = &c.importing {
        ch.insert("importing".into(), json!({ "id": id }));
    }
    m.insert("change".into(), J::Object(ch));
    if let Some(r) = c.reason {
        m.insert("action_reason".into(), json!(r.as_str()));
    }
    J::Object(m)
}

fn output_change_json(o: &OutputChange) -> J {
    let mut m = Map::new();
    m.insert("actions".into(), json!(o.action.terraform_actions()));
    m.insert("before".into(), known_json(&o.before));
    if o.after.is_wholly_known() {
        m.insert("after".into(), known_json(&o.after));
    }
    let unk = if !o.after.is_known() { J::Bool(true) } else if o.after.is_wholly_known() { J::Bool(false) } else { unknown_mask(&o.after) };
    m.insert("after_unknown".into(), unk);
    let bs = o.sensitive || o.before.contains_sensitive();
    let as_ = o.sensitive || o.after.contains_sensitive();
    m.insert("before_sensitive".into(), json!(bs));
    m.insert("after_sensitive".into(), json!(as_));
    J::Object(m)
}

fn type_json(t: &Type) -> J {
    match t {
        Type::Dynamic => json!("dynamic"),
        Type::Bool => json!("bool"),
        Type::Number => json!("number"),
        Type::String => json!("string"),
        Type::List(e) => json!(["list", type_json(e)]),
        Type::Set(e) => json!(["set", type_json(e)]),
        Type::Map(e) => json!(["map", type_json(e)]),
        Type::Tuple(ts) => json!(["tuple", ts.iter().map(type_json).collect::<Vec<_>>()]),
        Type::Object(m) => json!(["object", m.iter().map(|(k, t)| (k.clone(), type_json(t))).collect::<Map<_, _>>()]),
    }
}

fn planned_values(plan: &Plan) -> J {
    let mut outputs = Map::new();
    for o in &plan.outputs {
        if o.action == Action::Delete {
            continue;
        }
        let mut m = Map::new();
        m.insert("sensitive".into(), json!(o.sensitive));
        if o.after.is_wholly_known() {
            m.insert("type".into(), type_json(&o.after.type_of()));
            m.insert("value".into(), known_json(&o.after));
        }
        outputs.insert(o.name.clone(), J::Object(m));
    }
    // Resources grouped by module.
    let mut modules: std::collections::BTreeMap<String, Vec<J>> = Default::default();
    for c in &plan.changes {
        if c.action.destroys() && !c.action.creates() || c.action == Action::Forget || c.deposed.is_some() {
            continue;
        }
        let mut m = resource_base(c);
        m.insert("provider_name".into(), json!(provider_name(&c.provider)));
        m.insert("schema_version".into(), json!(0));
        m.insert("values".into(), known_json(&c.after));
        m.insert("sensitive_values".into(), sensitive_mask(&c.after, true));
        modules.entry(c.addr.resource.module.to_string()).or_default().push(J::Object(m));
    }
    let mut root = Map::new();
    root.insert("resources".into(), J::Array(modules.remove("").unwrap_or_default()));
    if !modules.is_empty() {
        root.insert(
            "child_modules".into(),
            J::Array(modules.into_iter().map(|(addr, rs)| json!({"resources": rs, "address": addr})).collect()),
        );
    }
    json!({ "outputs": outputs, "root_module": root })
}

fn prior_state_json(plan: &Plan) -> J {
    let mut outputs = Map::new();
    for (k, o) in &plan.prior_state.outputs {
        outputs.insert(k.clone(), json!({ "sensitive": o.sensitive, "value": o.value, "type": type_json(&o.ty) }));
    }
    let mut resources = Vec::new();
    for c in &plan.changes {
        if c.before.is_null() || c.deposed.is_some() {
            continue;
        }
        let mut m = resource_base(c);
        m.insert("provider_name".into(), json!(provider_name(&c.provider)));
        m.insert("schema_version".into(), json!(0));
        m.insert("values".into(), known_json(&c.before));
        m.insert("sensitive_values".into(), sensitive_mask(&c.before, true));
        resources.push(J::Object(m));
    }
    json!({
        "format_version": "1.0",
        "terraform_version": TERRAFORM_VERSION,
        "values": { "outputs": outputs, "root_module": { "resources": resources } }
    })
}

/// The Terraform version we report in JSON documents, for tools that check it.
pub const TERRAFORM_VERSION: &str = "1.11.4";

fn configuration_json(config: &plinth_lang::Config) -> J {
    let m = &config.root;
    let mut provider_config = Map::new();
    let mut resources = Vec::new();
    for (key, r) in &m.resources {
        let _ = key;
        resources.push(config_resource_json(r, &mut provider_config));
    }
    let mut outputs = Map::new();
    for (name, o) in &m.outputs {
        let mut om = Map::new();
        if o.sensitive {
            om.insert("sensitive".into(), json!(true));
        }
        om.insert("expression".into(), expression_json(&o.expr));
        outputs.insert(name.clone(), J::Object(om));
    }
    let mut variables = Map::new();
    for (name, v) in &m.variables {
        let mut vm = Map::new();
        if let Some(d) = &v.default {
            vm.insert("default".into(), d.to_json());
        }
        if let Some(d) = &v.description {
            vm.insert("description".into(), json!(d));
        }
        if v.sensitive {
            vm.insert("sensitive".into(), json!(true));
        }
        variables.insert(name.clone(), J::Object(vm));
    }
    let mut root = Map::new();
    if !outputs.is_empty() {
        root.insert("outputs".into(), J::Object(outputs));
    }
    root.insert("resources".into(), J::Array(resources));
    if !variables.is_empty() {
        root.insert("variables".into(), J::Object(variables));
    }
    json!({ "provider_config": provider_config, "root_module": root })
}

fn config_resource_json(r: &plinth_lang::Resource, provider_config: &mut Map<String, J>) -> J {
    let provider = r.type_name.split('_').next().unwrap_or("").to_string();
    let full = match provider.as_str() {
        "terraform" => "terraform.io/builtin/terraform".to_string(),
        p => format!("registry.terraform.io/hashicorp/{p}"),
    };
    provider_config.entry(provider.clone()).or_insert_with(|| json!({ "name": provider, "full_name": full }));
    let mode = if r.mode == ResourceMode::Data { "data" } else { "managed" };
    let address = if r.mode == ResourceMode::Data { format!("data.{}.{}", r.type_name, r.name) } else { format!("{}.{}", r.type_name, r.name) };
    let mut m = Map::new();
    m.insert("address".into(), json!(address));
    m.insert("mode".into(), json!(mode));
    m.insert("type".into(), json!(r.type_name));
    m.insert("name".into(), json!(r.name));
    m.insert("provider_config_key".into(), json!(provider));
    m.insert("expressions".into(), body_json(&r.body));
    m.insert("schema_version".into(), json!(0));
    if let Some(c) = &r.count {
        m.insert("count_expression".into(), expression_json(c));
    }
    if let Some(f) = &r.for_each {
        m.insert("for_each_expression".into(), expression_json(f));
    }
    J::Object(m)
}

fn body_json(b: &plinth_lang::Body) -> J {
    let mut m = Map::new();
    for (k, a) in &b.attributes {
        m.insert(k.clone(), expression_json(&a.expr));
    }
    for nb in &b.blocks {
        let entry = m.entry(nb.type_name.clone()).or_insert_with(|| J::Array(Vec::new()));
        if let J::Array(xs) = entry {
            xs.push(body_json(&nb.body));
        }
    }
    J::Object(m)
}

/// `{"references": [...]}` for expressions that refer to something, else
/// `{"constant_value": ...}`, as Terraform writes them.
fn expression_json(e: &plinth_lang::Expr) -> J {
    let refs = plinth_lang::eval::references(e);
    if refs.is_empty() {
        return match plinth_lang::eval::eval_constant(&e.expr, &e.file) {
            Ok(v) => json!({ "constant_value": v.to_json() }),
            Err(_) => json!({}),
        };
    }
    let mut out: Vec<String> = Vec::new();
    for (r, _) in refs {
        if matches!(r, plinth_lang::Reference::Iterator(_)) {
            continue;
        }
        let s = r.to_string();
        if !out.contains(&s) {
            out.push(s);
        }
    }
    json!({ "references": out })
}

/// Terraform's JSON plan (`terraform show -json PLANFILE`, format 1.2), readable by
/// conftest, Infracost and friends. `config` adds the `configuration` section.
pub fn render_json(plan: &Plan, config: Option<&plinth_lang::Config>) -> J {
    let mut m = Map::new();
    m.insert("format_version".into(), json!("1.2"));
    m.insert("terraform_version".into(), json!(TERRAFORM_VERSION));
    let vars: Map<String, J> = plan.variables.iter().map(|(k, v)| (k.clone(), json!({ "value": v.to_json() }))).collect();
    if !vars.is_empty() {
        m.insert("variables".into(), J::Object(vars));
    }
    m.insert("planned_values".into(), planned_values(plan));
    let rcs: Vec<J> = plan.changes.iter().map(resource_change_json).collect();
    if !rcs.is_empty() {
        m.insert("resource_changes".into(), J::Array(rcs));
    }
    let drift: Vec<J> = plan.drift.iter().filter(|d| d.action != Action::NoOp).map(resource_change_json).collect();
    if !drift.is_empty() {
        m.insert("resource_drift".into(), J::Array(drift));
    }
    if !plan.outputs.is_empty() {
        m.insert(
            "output_changes".into(),
            J::Object(plan.outputs.iter().map(|o| (o.name.clone(), output_change_json(o))).collect()),
        );
    }
    m.insert("prior_state".into(), prior_state_json(plan));
    if let Some(c) = config {
        m.insert("configuration".into(), configuration_json(c));
    }
    m.insert("timestamp".into(), json!(timestamp()));
    m.insert("applyable".into(), json!(!plan.errored && plan.has_changes()));
    m.insert("complete".into(), json!(!plan.errored && plan.targets.is_empty()));
    m.insert("errored".into(), json!(plan.errored));
    J::Object(m)
}

fn timestamp() -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    super::json_ui::rfc3339(now as i64, None)
}

// ----------------------------------------------------------------------------------------
// Markdown
// ----------------------------------------------------------------------------------------

/// A pull-request comment: title, summary table, one collapsible section per changed
/// resource with its diff (secrets shown as `(sensitive value)`), output changes.
pub fn render_markdown(plan: &Plan) -> String {
    let s = plan.summary();
    let replace = plan.changes.iter().filter(|c| c.action.is_replace()).count();
    let changes: Vec<&ResourceChange> = plan.changes.iter().filter(|c| !c.is_noop()).collect();
    let mut out = String::new();
    out += "## Plinth plan\n\n";
    if changes.is_empty() && plan.outputs.iter().all(|o| o.action == Action::NoOp) {
        out += "**No changes.** Your infrastructure matches the configuration.\n";
        return out;
    }
    if plan.errored {
        out += "> [!CAUTION]\n> Planning failed part-way: this plan cannot be applied.\n\n";
    }
    let destroy_only = s.destroy - replace;
    out += "| Add | Change | Replace | Destroy |\n|---:|---:|---:|---:|\n";
    out += &format!("| {} | {} | {} | {} |\n\n", s.add - replace, s.change, replace, destroy_only);
    if replace + destroy_only > 0 {
        out += &format!(
            "> [!WARNING]\n> This plan destroys {} object{}{}.\n\n",
            replace + destroy_only,
            if replace + destroy_only == 1 { "" } else { "s" },
            if replace > 0 { format!(" ({replace} of them replaced)") } else { String::new() }
        );
    }
    if !plan.drift.is_empty() {
        out += &format!("<details><summary>Objects changed outside of Plinth ({})</summary>\n\n", plan.drift.len());
        for d in &plan.drift {
            out += &md_section(d, true);
        }
        out += "</details>\n\n";
    }
    for c in &changes {
        out += &md_section(c, false);
    }
    let outs = render_outputs(&plan.outputs, false);
    if !outs.is_empty() {
        out += "<details><summary>Changes to outputs</summary>\n\n```diff\n";
        out += &md_diff_lines(&outs);
        out += "\n```\n\n</details>\n";
    }
    out
}

fn md_verb(c: &ResourceChange, drift: bool) -> &'static str {
    match (c.action, drift) {
        (Action::Update, true) => "changed outside of Plinth",
        (Action::Delete, true) => "deleted outside of Plinth",
        (Action::Create, _) => "create",
        (Action::Update, _) => "update in place",
        (Action::DeleteThenCreate, _) => "replace (destroy, then create)",
        (Action::CreateThenDelete, _) => "replace (create, then destroy)",
        (Action::Delete, _) => "destroy",
        (Action::Read, _) => "read",
        (Action::Forget, _) => "forget (not destroyed)",
        (Action::NoOp, _) => "move",
    }
}

fn md_icon(a: Action) -> &'static str {
    match a {
        Action::Create => "➕",
        Action::Update => "🔄",
        Action::DeleteThenCreate | Action::CreateThenDelete => "♻️",
        Action::Delete => "🗑️",
        Action::Read => "📖",
        Action::Forget => "🔓",
        Action::NoOp => "➡️",
    }
}

fn md_section(c: &ResourceChange, drift: bool) -> String {
    let mut d = change_diff(c);
    if drift {
        d.action = act(c.action);
    }
    let body = d.render(0, &Opts::default());
    let r = &c.addr.resource;
    let mode = if r.mode == ResourceMode::Data { "data" } else { "resource" };
    let header = format!("{} {mode} \"{}\" \"{}\" {body}", diff::action_symbol(act(c.action)).replace("[green]", "").replace("[red]", "").replace("[reset]", "").replace("[yellow]", "").replace("[cyan]", ""), r.type_name, r.name);
    let mut reason = String::new();
    if let Some(x) = c.reason {
        reason = format!(" — {}", x.as_str().replace('_', " "));
    }
    let mut texts = String::new();
    let mut found = Vec::new();
    multiline_changes(&c.before, &c.after, &mut String::new(), &mut found);
    for (path, b, a) in found {
        texts += &format!(
            "\n<sub><code>{}</code> as a unified diff:</sub>\n\n```diff\n{}```\n",
            html_escape(&path),
            unified_text_diff_labeled(&b, &a, &path)
        );
    }
    format!(
        "<details><summary>{} <code>{}</code> — {}{}</summary>\n\n```diff\n{}\n```\n{}\n</details>\n\n",
        md_icon(c.action),
        html_escape(&c.addr.to_string()),
        md_verb(c, drift),
        html_escape(&reason),
        md_diff_lines(&header),
        texts
    )
}

/// Multi-line, non-sensitive, known strings that differ between before and after, with
/// their attribute paths (`input.multi`).
fn multiline_changes(b: &Value, a: &Value, path: &mut String, out: &mut Vec<(String, String, String)>) {
    if b.is_sensitive() || a.is_sensitive() {
        return;
    }
    match (b, a) {
        (Value::String(x), Value::String(y)) if x != y && (x.contains('\n') || y.contains('\n')) => {
            out.push((path.clone(), x.clone(), y.clone()));
        }
        (Value::Object(x) | Value::Map(_, x), Value::Object(y) | Value::Map(_, y)) => {
            for (k, bv) in x {
                if let Some(av) = y.get(k) {
                    let len = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(k);
                    multiline_changes(bv, av, path, out);
                    path.truncate(len);
                }
            }
        }
        (Value::List(_, x) | Value::Tuple(x), Value::List(_, y) | Value::Tuple(y)) if x.len() == y.len() => {
            for (i, (bv, av)) in x.iter().zip(y).enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                multiline_changes(bv, av, path, out);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

fn unified_text_diff_labeled(before: &str, after: &str, label: &str) -> String {
    let mut s = similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("{label} (before)"), &format!("{label} (after)"))
        .to_string();
    if !s.ends_with('\n') {
        s.push('\n');
    }
    s
}

/// Moves each line's change symbol to column 0 so GitHub's `diff` highlighting colours it
/// (`+` green, `-` red, `!` for in-place changes), keeping the indentation after it.
/// Multi-line strings are shown as unified diffs by the structural renderer already.
fn md_diff_lines(s: &str) -> String {
    s.lines()
        .map(|l| {
            let t = l.trim_start();
            let ind = &l[..l.len() - t.len()];
            let pick = |sym: &str, rest: &str, mark: char| format!("{mark}{}{sym}{rest}", &ind.get(1..).unwrap_or(""));
            if let Some(rest) = t.strip_prefix("-/+ ") {
                pick("-/+ ", rest, '!')
            } else if let Some(rest) = t.strip_prefix("+/- ") {
                pick("+/- ", rest, '!')
            } else if let Some(rest) = t.strip_prefix("+ ") {
                pick("+ ", rest, '+')
            } else if let Some(rest) = t.strip_prefix("- ") {
                pick("- ", rest, '-')
            } else if let Some(rest) = t.strip_prefix("~ ") {
                pick("~ ", rest, '!')
            } else if ind.is_empty() {
                format!(" {l}")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// A unified diff of two multi-line strings (for reviewers who want the classic form).
pub fn unified_text_diff(before: &str, after: &str) -> String {
    similar::TextDiff::from_lines(before, after).unified_diff().context_radius(3).to_string()
}
