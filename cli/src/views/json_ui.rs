//! Terraform's machine-readable UI (`-json`): one JSON object per line with `@level`,
//! `@message`, `@module` (`terraform.ui`), `@timestamp` and a `type`
//! (`version`, `refresh_start`, `planned_change`, `apply_start`, `apply_progress`,
//! `apply_complete`, `apply_errored`, `change_summary`, `outputs`, `diagnostic`).
//! Builders return `serde_json::Value`s; [`line`] serialises one.

use super::apply;
use plinth_engine::{Action, ActionReason, InstanceKey, ResourceInstanceAddress};
use plinth_sdk::{Diagnostic, Severity, Value};
use serde_json::{json, Map, Value as J};
use std::time::Duration;

/// The UI message format version we follow.
pub const UI_VERSION: &str = "1.2";

/// Formats seconds since the epoch as RFC 3339 UTC (`2026-11-27T15:37:18Z`, or with
/// microseconds `…18.571110Z` when `micros` is given).
pub fn rfc3339(secs: i64, micros: Option<u32>) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (h, m, s) = (rem / 3600, (rem / 60) % 60, rem % 60);
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let mo = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if mo <= 2 { y + 1 } else { y };
    match micros {
        Some(us) => format!("{y:04}-{mo:02}-{d:02}T{h:02}:{m:02}:{s:02}.{us:06}Z"),
        None => format!("{y:04}-{mo:02}-{d:02}T{h:02}:{m:02}:{s:02}Z"),
    }
}

fn now() -> String {
    let d = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    rfc3339(d.as_secs() as i64, Some(d.subsec_micros()))
}

/// Serialises one message as a line (no trailing newline).
pub fn line(msg: &J) -> String {
    serde_json::to_string(msg).unwrap_or_default()
}

fn base(level: &str, message: &str, kind: &str) -> Map<String, J> {
    let mut m = Map::new();
    m.insert("@level".into(), json!(level));
    m.insert("@message".into(), json!(message));
    m.insert("@module".into(), json!("terraform.ui"));
    m.insert("@timestamp".into(), json!(now()));
    m.insert("type".into(), json!(kind));
    m
}

fn with(mut m: Map<String, J>, key: &str, v: J) -> J {
    // Terraform orders keys alphabetically ("@…", then the payload, then "type").
    m.insert(key.into(), v);
    let mut entries: Vec<(String, J)> = m.into_iter().collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    J::Object(entries.into_iter().collect())
}

/// `{"type":"version","terraform":…,"ui":"1.2"}`, the first line of every `-json` run.
pub fn version(plinth_version: &str) -> J {
    let mut m = base("info", &format!("Plinth {plinth_version}"), "version");
    m.insert("terraform".into(), json!(plinth_version));
    with(m, "ui", json!(UI_VERSION))
}

/// The `resource` object Terraform attaches to hook messages.
pub fn resource_json(addr: &ResourceInstanceAddress) -> J {
    let r = &addr.resource;
    let module = if r.module.is_root() { String::new() } else { r.module.to_string() };
    let key = match &addr.key {
        InstanceKey::NoKey => J::Null,
        InstanceKey::Int(i) => json!(i),
        InstanceKey::Str(s) => json!(s),
    };
    let implied = r.type_name.split('_').next().unwrap_or("").to_string();
    json!({
        "addr": addr.to_string(),
        "module": module,
        "resource": format!("{}{}", r.local_name(), addr.key),
        "implied_provider": implied,
        "resource_type": r.type_name,
        "resource_name": r.name,
        "resource_key": key,
    })
}

fn action_word(a: Action) -> &'static str {
    match a {
        Action::NoOp => "noop",
        Action::Create => "create",
        Action::Read => "read",
        Action::Update => "update",
        Action::DeleteThenCreate | Action::CreateThenDelete => "replace",
        Action::Delete => "delete",
        Action::Forget => "remove",
    }
}

fn reason_word(r: ActionReason) -> &'static str {
    match r {
        ActionReason::ReplaceBecauseTainted => "tainted",
        ActionReason::ReplaceByRequest => "requested",
        ActionReason::ReplaceByTriggers => "replace_triggered_by",
        ActionReason::ReplaceBecauseCannotUpdate => "cannot_update",
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

/// `refresh_start`: "x: Refreshing state... [id=…]".
pub fn refresh_start(addr: &ResourceInstanceAddress, id: Option<&str>) -> J {
    let msg = match id {
        Some(i) => format!("{addr}: Refreshing state... [id={i}]"),
        None => format!("{addr}: Refreshing state..."),
    };
    let mut hook = json!({ "resource": resource_json(addr) });
    if let Some(i) = id {
        hook["id_key"] = json!("id");
        hook["id_value"] = json!(i);
    }
    with(base("info", &msg, "refresh_start"), "hook", hook)
}

/// `refresh_complete`: "x: Refresh complete [id=…]".
pub fn refresh_complete(addr: &ResourceInstanceAddress, id: Option<&str>) -> J {
    let msg = match id {
        Some(i) => format!("{addr}: Refresh complete [id={i}]"),
        None => format!("{addr}: Refresh complete"),
    };
    let mut hook = json!({ "resource": resource_json(addr) });
    if let Some(i) = id {
        hook["id_key"] = json!("id");
        hook["id_value"] = json!(i);
    }
    with(base("info", &msg, "refresh_complete"), "hook", hook)
}

/// `planned_change`: "x: Plan to create".
pub fn planned_change(addr: &ResourceInstanceAddress, action: Action, reason: Option<ActionReason>) -> J {
    let word = action_word(action);
    let mut change = json!({ "resource": resource_json(addr), "action": word });
    if let Some(r) = reason {
        change["reason"] = json!(reason_word(r));
    }
    with(base("info", &format!("{addr}: Plan to {word}"), "planned_change"), "change", change)
}

/// `change_summary`: "Plan: 1 to add, …" / "Apply complete! Resources: …".
pub fn change_summary(add: usize, change: usize, remove: usize, import: usize, operation: &str) -> J {
    let msg = match operation {
        "apply" => format!("Apply complete! Resources: {add} added, {change} changed, {remove} destroyed."),
        "destroy" => format!("Destroy complete! Resources: {remove} destroyed."),
        _ => format!("Plan: {add} to add, {change} to change, {remove} to destroy."),
    };
    with(
        base("info", &msg, "change_summary"),
        "changes",
        json!({ "add": add, "change": change, "import": import, "remove": remove, "operation": operation }),
    )
}

fn hook_json(addr: &ResourceInstanceAddress, action: Action, id: Option<&str>) -> J {
    let mut hook = json!({ "resource": resource_json(addr), "action": action_word(action) });
    if let Some(i) = id {
        hook["id_key"] = json!("id");
        hook["id_value"] = json!(i);
    }
    hook
}

/// `apply_start`: "x: Creating...".
pub fn apply_start(addr: &ResourceInstanceAddress, action: Action, id: Option<&str>) -> J {
    let msg = apply::render_start(&addr.to_string(), action, id, false);
    with(base("info", &msg, "apply_start"), "hook", hook_json(addr, action, id))
}

/// `apply_progress`: "x: Still creating... [10s elapsed]".
pub fn apply_progress(addr: &ResourceInstanceAddress, action: Action, id: Option<&str>, elapsed: Duration) -> J {
    let msg = apply::render_progress(&addr.to_string(), action, id, elapsed, false);
    let mut hook = hook_json(addr, action, None);
    hook["elapsed_seconds"] = json!(elapsed.as_secs());
    with(base("info", &msg, "apply_progress"), "hook", hook)
}

/// `apply_complete`: "x: Creation complete after 0s [id=…]".
pub fn apply_complete(addr: &ResourceInstanceAddress, action: Action, id: Option<&str>, elapsed: Duration) -> J {
    let msg = apply::render_complete(&addr.to_string(), action, id, elapsed, false);
    let id = if action == Action::Delete { None } else { id };
    let mut hook = hook_json(addr, action, id);
    hook["elapsed_seconds"] = json!(elapsed.as_secs());
    with(base("info", &msg, "apply_complete"), "hook", hook)
}

/// `apply_errored`: "x: Creation errored after 1s".
pub fn apply_errored(addr: &ResourceInstanceAddress, action: Action, elapsed: Duration) -> J {
    let msg = apply::render_errored(&addr.to_string(), action, elapsed, false);
    let mut hook = hook_json(addr, action, None);
    hook["elapsed_seconds"] = json!(elapsed.as_secs());
    with(base("error", &msg, "apply_errored"), "hook", hook)
}

/// `outputs`: after a plan `{name: {sensitive, action}}`; after an apply
/// `{name: {sensitive, type, value}}` (values of sensitive outputs omitted).
pub fn outputs_planned(outputs: &[(String, Action, bool)]) -> J {
    let o: Map<String, J> = outputs
        .iter()
        .map(|(n, a, s)| (n.clone(), json!({ "sensitive": s, "action": action_word(*a) })))
        .collect();
    with(base("info", &format!("Outputs: {}", outputs.len()), "outputs"), "outputs", J::Object(o))
}

/// See [`outputs_planned`].
pub fn outputs_applied(outputs: &[(String, Value, bool)]) -> J {
    let o: Map<String, J> = outputs
        .iter()
        .map(|(n, v, s)| {
            let mut m = Map::new();
            m.insert("sensitive".into(), json!(s));
            m.insert("type".into(), super::plan_type_json(&v.type_of()));
            if !s {
                m.insert("value".into(), v.to_json());
            }
            (n.clone(), J::Object(m))
        })
        .collect();
    with(base("info", &format!("Outputs: {}", outputs.len()), "outputs"), "outputs", J::Object(o))
}

/// `diagnostic`: an error or warning with its summary, detail and source range.
pub fn diagnostic(d: &Diagnostic) -> J {
    let level = if d.severity == Severity::Error { "error" } else { "warn" };
    let sev = if d.severity == Severity::Error { "error" } else { "warning" };
    let msg = format!("{}: {}", if sev == "error" { "Error" } else { "Warning" }, d.summary);
    let mut diag = json!({ "severity": sev, "summary": d.summary, "detail": d.detail.clone().unwrap_or_default() });
    if let Some(r) = &d.subject {
        diag["range"] = json!({
            "filename": r.file.display().to_string(),
            "start": { "line": r.start.line, "column": r.start.column, "byte": r.start.byte },
            "end": { "line": r.end.line, "column": r.end.column, "byte": r.end.byte },
        });
    }
    with(base(level, &msg, "diagnostic"), "diagnostic", diag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(rfc3339(0, None), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_795_793_838, Some(571_110)), "2026-11-27T15:37:18.571110Z");
    }

    #[test]
    fn planned_change_shape() {
        let addr: ResourceInstanceAddress = "terraform_data.f".parse().unwrap();
        let mut j = planned_change(&addr, Action::CreateThenDelete, Some(ActionReason::ReplaceBecauseCannotUpdate));
        j["@timestamp"] = json!("T");
        assert_eq!(
            line(&j),
            r#"{"@level":"info","@message":"terraform_data.f: Plan to replace","@module":"terraform.ui","@timestamp":"T","change":{"resource":{"addr":"terraform_data.f","module":"","resource":"terraform_data.f","implied_provider":"terraform","resource_type":"terraform_data","resource_name":"f","resource_key":null},"action":"replace","reason":"cannot_update"},"type":"planned_change"}"#
        );
    }
}
