//! Renderer tests: plans built by hand (the same changes Terraform 1.11 planned for the
//! `terraform_data` configurations whose outputs are checked in under `testdata/`), compared
//! byte for byte with Terraform's output (colour included), plus insta snapshots of what
//! Terraform has no equivalent for (Markdown) and of the JSON plan.

use super::{apply, json_ui, plan, state};
use plinth_engine::{Action, ActionReason, OutputChange, Plan, PlanMode, ResourceChange, ResourceInstanceAddress};
use plinth_sdk::{AttrPath, PathStep, Type, Value};
use std::collections::BTreeMap;

fn s(x: &str) -> Value {
    Value::string(x)
}
fn n(x: i64) -> Value {
    Value::number(x)
}
fn unk() -> Value {
    Value::Unknown(Type::Dynamic)
}
fn obj(kv: Vec<(&str, Value)>) -> Value {
    Value::object(kv)
}
fn tuple(xs: Vec<Value>) -> Value {
    Value::Tuple(xs)
}

fn td_type() -> Type {
    Type::object([("id", Type::String), ("input", Type::Dynamic), ("output", Type::Dynamic), ("triggers_replace", Type::Dynamic)])
}

fn td(id: Value, input: Value, output: Value, triggers: Value) -> Value {
    obj(vec![("id", id), ("input", input), ("output", output), ("triggers_replace", triggers)])
}

fn change(addr: &str, action: Action, before: Value, after: Value) -> ResourceChange {
    ResourceChange {
        addr: addr.parse::<ResourceInstanceAddress>().expect("address"),
        prev_run_addr: None,
        deposed: None,
        provider: "provider[\"terraform.io/builtin/terraform\"]".into(),
        action,
        reason: None,
        before,
        after,
        replace_paths: Vec::new(),
        importing: None,
        schema_type: td_type(),
        config: Value::null(),
        planned_private: Vec::new(),
    }
}

fn out(name: &str, action: Action, before: Value, after: Value, sensitive: bool) -> OutputChange {
    OutputChange { name: name.into(), action, before, after, sensitive }
}

fn empty_plan() -> Plan {
    Plan {
        format_version: plinth_engine::PLAN_FORMAT_VERSION,
        mode: PlanMode::Normal,
        changes: Vec::new(),
        drift: Vec::new(),
        outputs: Vec::new(),
        prior_state: plinth_state::State::new(),
        prev_run_state: plinth_state::State::new(),
        variables: BTreeMap::new(),
        state_lineage: "lineage".into(),
        state_serial: 1,
        config_fingerprint: String::new(),
        targets: Vec::new(),
        errored: false,
        refresh_only_apply: false,
    }
}

fn b_input(name: &str, env: &str, list: Vec<i64>, multi: &str, extra_tag: bool) -> Value {
    let mut tags = vec![("env", s(env)), ("team", s("x"))];
    if extra_tag {
        tags.push(("new", s("y")));
    }
    obj(vec![
        ("list", tuple(list.into_iter().map(n).collect())),
        ("multi", s(multi)),
        ("name", s(name)),
        ("tags", obj(tags)),
    ])
}

/// The second plan of testdata/tf_plan_update_color.txt.
fn update_plan() -> Plan {
    let a_id = s("bf222106-e858-ff3d-7ccd-6356dbb658bc");
    let b_id = s("511d2378-b4d1-7e1f-7ee4-0124b195d419");
    let c_id = s("8ee1d579-306c-f965-e268-ca29991d4c3b");
    let old_b = b_input("one", "dev", vec![1, 2, 3], "line1\nline2\nline3\n", false);
    let new_b = b_input("two", "prod", vec![1, 3, 4], "line1\nline2 changed\nline3\nline4\n", true);
    let mut d = change(
        "terraform_data.d",
        Action::Delete,
        td(s("ebf317a2-3f73-c15e-a00f-e20c61ca338e"), Value::null(), Value::null(), Value::null()),
        Value::null(),
    );
    d.reason = Some(ActionReason::DeleteBecauseNoResourceConfig);
    let mut p = empty_plan();
    p.changes = vec![
        change("terraform_data.a", Action::Update, td(a_id.clone(), s("one"), s("one"), Value::null()), td(a_id.clone(), s("two"), unk(), Value::null())),
        change(
            "terraform_data.b",
            Action::Update,
            td(b_id.clone(), old_b.clone(), old_b, tuple(vec![a_id.clone()])),
            td(b_id, new_b, unk(), tuple(vec![a_id])),
        ),
        change(
            "terraform_data.c",
            Action::Update,
            td(c_id.clone(), s("hunter2").mark_sensitive(), s("hunter2"), Value::null()),
            td(c_id, s("hunter3").mark_sensitive(), unk(), Value::null()),
        ),
        d,
        change("terraform_data.e", Action::Create, Value::null(), td(unk(), s("e"), unk(), s("two"))),
    ];
    p.outputs = vec![
        out("name", Action::Update, s("one"), unk(), false),
        out("obj", Action::Update, obj(vec![("a", n(1)), ("b", s("two"))]), obj(vec![("a", n(2)), ("b", s("two"))]), false),
        out("secret", Action::Update, s("hunter2"), s("hunter3"), true),
    ];
    p
}

/// Terraform's output between `start` and the horizontal rule, with "Terraform" → "Plinth".
fn terraform_section(raw: &str, start: &str) -> String {
    let i = raw.find(start).expect("start marker");
    let rest = &raw[i..];
    let end = rest.find("\x1b[90m\n─").or_else(|| rest.find("\n─")).unwrap_or(rest.len());
    rest[..end].replace("Terraform", "Plinth")
}

#[test]
fn human_update_plan_matches_terraform_without_colour() {
    let raw = include_str!("testdata/tf_plan_update_color.txt");
    let plain = super::diff::colorize(raw, false).replace("\x1b[0m", "").replace("\x1b[1m", "");
    let plain = strip_ansi(&plain);
    let want = terraform_section(&plain, "Terraform will perform");
    let got = plan::render_human(&update_plan(), plan::HumanOpts { color: false });
    let got_section = &got[got.find("Plinth will perform").expect("section")..];
    assert_eq!(got_section, want);
}

#[test]
fn human_update_plan_matches_terraform_with_colour() {
    let raw = include_str!("testdata/tf_plan_update_color.txt");
    let want = terraform_section(raw, "Terraform will perform");
    let got = plan::render_human(&update_plan(), plan::HumanOpts { color: true });
    let got_section = &got[got.find("Plinth will perform").expect("section")..];
    assert_eq!(got_section, want);
}

#[test]
fn human_legend_wraps_for_plinth() {
    let got = plan::render_human(&update_plan(), plan::HumanOpts { color: false });
    assert!(got.starts_with(
        "\nPlinth used the selected providers to generate the following execution plan.\nResource actions are indicated with the following symbols:\n  + create\n  ~ update in-place\n  - destroy\n\nPlinth will perform"
    ), "{got}");
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c == '\x1b' {
            for d in it.by_ref() {
                if d == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The first plan of testdata/tf_plan_create_color.txt (everything created).
fn create_plan() -> Plan {
    let mut p = empty_plan();
    let b_in = b_input("one", "dev", vec![1, 2, 3], "line1\nline2\nline3\n", false);
    p.changes = vec![
        change("terraform_data.a", Action::Create, Value::null(), td(unk(), s("one"), unk(), Value::null())),
        change("terraform_data.b", Action::Create, Value::null(), td(unk(), b_in, unk(), tuple(vec![unk()]))),
        change("terraform_data.c", Action::Create, Value::null(), td(unk(), s("hunter2").mark_sensitive(), unk(), Value::null())),
        change("terraform_data.d", Action::Create, Value::null(), td(unk(), Value::null(), Value::null(), Value::null())),
    ];
    p.outputs = vec![
        out("name", Action::Create, Value::null(), unk(), false),
        out("obj", Action::Create, Value::null(), obj(vec![("a", n(1)), ("b", s("two"))]), false),
        out("secret", Action::Create, Value::null(), s("hunter2"), true),
    ];
    p
}

#[test]
fn human_create_plan_matches_terraform_with_colour() {
    let raw = include_str!("testdata/tf_plan_create_color.txt");
    let want = terraform_section(raw, "Terraform will perform");
    let got = plan::render_human(&create_plan(), plan::HumanOpts { color: true });
    let got_section = &got[got.find("Plinth will perform").expect("section")..];
    assert_eq!(got_section, want);
}

#[test]
fn human_replace_and_no_changes() {
    let mut p = empty_plan();
    let mut e = change(
        "terraform_data.e",
        Action::DeleteThenCreate,
        td(s("67c4234f"), s("e"), s("e"), s("three")),
        td(unk(), s("e"), unk(), s("four")),
    );
    e.reason = Some(ActionReason::ReplaceBecauseCannotUpdate);
    e.replace_paths = vec![AttrPath::attr("triggers_replace")];
    let mut f = change(
        "terraform_data.f",
        Action::CreateThenDelete,
        td(s("e9dc7394"), s("f-three"), s("f-three"), s("three")),
        td(unk(), s("f-four"), unk(), s("four")),
    );
    f.replace_paths = vec![AttrPath::attr("triggers_replace")];
    p.changes = vec![e, f];
    let got = plan::render_human(&p, plan::HumanOpts { color: false });
    insta::assert_snapshot!("human_replace", got);

    let none = plan::render_human(&empty_plan(), plan::HumanOpts { color: false });
    assert_eq!(
        none,
        "\nNo changes. Your infrastructure matches the configuration.\n\nPlinth has compared your real infrastructure against your configuration and\nfound no differences, so no changes are needed.\n"
    );
}

#[test]
fn human_typed_values_blocks_and_forces_replacement() {
    // A tls_cert_request-like change with a typed map, a set, a nested block and a
    // forced replacement on a typed attribute; and a drifted object.
    let ty = Type::object([
        ("id", Type::String),
        ("keepers", Type::map(Type::String)),
        ("length", Type::Number),
        ("result", Type::String),
        ("dns_names", Type::list(Type::String)),
    ]);
    let before = obj(vec![
        ("id", s("none")),
        ("keepers", Value::map(Type::String, [("env".to_string(), s("staging")), ("Owner Name".to_string(), s("ops"))].into())),
        ("length", n(32)),
        ("result", s("secret").mark_sensitive()),
        ("dns_names", Value::List(Type::String, vec![s("a.example.com"), s("b.example.com"), s("c.example.com")])),
    ]);
    let after = obj(vec![
        ("id", unk()),
        ("keepers", Value::map(Type::String, [("env".to_string(), s("prod")), ("Owner Name".to_string(), s("ops"))].into())),
        ("length", n(32)),
        ("result", Value::Unknown(Type::String).mark_sensitive()),
        ("dns_names", Value::List(Type::String, vec![s("a.example.com"), s("c.example.com"), s("d.example.com")])),
    ]);
    let mut c = change("random_thing.db", Action::DeleteThenCreate, before.clone(), after);
    c.schema_type = ty.clone();
    c.provider = "provider[\"registry.terraform.io/hashicorp/random\"]".into();
    c.replace_paths = vec![AttrPath::attr("keepers")];
    let mut drift = change("random_thing.db", Action::Update, before.clone(), before.clone());
    drift.schema_type = ty;
    if let Value::Object(m) = &mut drift.before {
        m.insert("length".into(), n(16));
    }
    let mut p = empty_plan();
    p.changes = vec![c];
    p.drift = vec![drift];
    let got = plan::render_human(&p, plan::HumanOpts { color: false });
    insta::assert_snapshot!("human_typed_replace_with_drift", got);
}

#[test]
fn json_plan_shape_matches_terraform() {
    let mut p = update_plan();
    p.variables.insert("name".into(), s("two"));
    let mut j = plan::render_json(&p, None);
    j["timestamp"] = serde_json::json!("2026-11-27T15:34:56Z");
    let rc = &j["resource_changes"];
    assert_eq!(rc[0]["change"]["actions"], serde_json::json!(["update"]));
    assert_eq!(rc[0]["change"]["after_unknown"], serde_json::json!({"output": true}));
    assert_eq!(rc[2]["change"]["before_sensitive"], serde_json::json!({"input": true}));
    assert_eq!(rc[3]["action_reason"], serde_json::json!("delete_because_no_resource_config"));
    assert_eq!(rc[4]["change"]["after_unknown"], serde_json::json!({"id": true, "output": true}));
    assert_eq!(rc[4]["change"]["after"], serde_json::json!({"input": "e", "triggers_replace": "two"}));
    assert_eq!(j["output_changes"]["name"]["after_unknown"], serde_json::json!(true));
    assert_eq!(j["format_version"], serde_json::json!("1.2"));
    insta::assert_snapshot!("json_update_plan", serde_json::to_string_pretty(&j).unwrap_or_default());
}

#[test]
fn markdown_plan_snapshot() {
    let md = plan::render_markdown(&update_plan());
    // Sensitive values (c.input, output "secret") never appear; c.output was not marked
    // sensitive in the state, as in Terraform, so its old value may.
    assert!(!md.contains("hunter3"), "a secret leaked into Markdown:\n{md}");
    assert!(md.contains("input  = (sensitive value)"), "{md}");
    insta::assert_snapshot!("markdown_update_plan", md);
}

#[test]
fn state_show_matches_terraform() {
    let b_in = b_input("four", "prod", vec![1, 3, 4], "line1\nline2 changed\nline3\nline4\n", true);
    let v = td(s("511d2378-b4d1-7e1f-7ee4-0124b195d419"), b_in.clone(), b_in, tuple(vec![s("bf222106-e858-ff3d-7ccd-6356dbb658bc")]));
    let got = state::render_instance("terraform_data.b", plinth_state::Mode::Managed, "terraform_data", "b", None, &v, false);
    assert_eq!(format!("{got}\n"), include_str!("testdata/tf_state_show_b.txt"));
    let c = td(s("8ee1"), s("hunter3").mark_sensitive(), s("hunter3"), Value::null());
    assert_eq!(
        state::render_instance("terraform_data.c", plinth_state::Mode::Managed, "terraform_data", "c", None, &c, false),
        "# terraform_data.c:\nresource \"terraform_data\" \"c\" {\n    id     = \"8ee1\"\n    input  = (sensitive value)\n    output = \"hunter3\"\n}"
    );
}

#[test]
fn apply_summary_and_outputs_match_terraform() {
    let summary = plinth_engine::ApplySummary { added: 4, ..Default::default() };
    let got = format!(
        "{}{}",
        apply::render_summary(&summary, false, false),
        apply::render_outputs(
            &[
                ("secret".into(), s("x"), true),
                ("name".into(), s("one"), false),
                ("obj".into(), obj(vec![("a", n(1)), ("b", s("two"))]), false),
            ],
            false
        )
    );
    assert_eq!(
        got,
        "\nApply complete! Resources: 4 added, 0 changed, 0 destroyed.\n\nOutputs:\n\nname = \"one\"\nobj = {\n  \"a\" = 1\n  \"b\" = \"two\"\n}\nsecret = <sensitive>\n"
    );
    let colored = apply::render_summary(&summary, false, true);
    assert_eq!(colored, "\x1b[0m\x1b[1m\x1b[32m\nApply complete! Resources: 4 added, 0 changed, 0 destroyed.\n\x1b[0m");
    let destroyed = plinth_engine::ApplySummary { destroyed: 3, ..Default::default() };
    assert_eq!(apply::render_summary(&destroyed, true, false), "\nDestroy complete! Resources: 3 destroyed.\n");
}

#[test]
fn json_ui_outputs_and_summary() {
    let mut j = json_ui::change_summary(2, 2, 2, 0, "plan");
    j["@timestamp"] = serde_json::json!("T");
    assert_eq!(
        json_ui::line(&j),
        r#"{"@level":"info","@message":"Plan: 2 to add, 2 to change, 2 to destroy.","@module":"terraform.ui","@timestamp":"T","changes":{"add":2,"change":2,"import":0,"remove":2,"operation":"plan"},"type":"change_summary"}"#
    );
    let mut o = json_ui::outputs_applied(&[("name".into(), s("four"), false), ("secret".into(), s("x"), true)]);
    o["@timestamp"] = serde_json::json!("T");
    assert_eq!(
        json_ui::line(&o),
        r#"{"@level":"info","@message":"Outputs: 2","@module":"terraform.ui","@timestamp":"T","outputs":{"name":{"sensitive":false,"type":"string","value":"four"},"secret":{"sensitive":true,"type":"string"}},"type":"outputs"}"#
    );
}

#[test]
fn forces_replacement_marks_typed_paths_only() {
    let d = super::diff::diff_resource(
        Some(&obj(vec![("keepers", Value::map(Type::String, [("a".to_string(), s("1"))].into()))])),
        Some(&obj(vec![("keepers", Value::map(Type::String, [("a".to_string(), s("2"))].into()))])),
        None,
        &[AttrPath(vec![PathStep::Attr("keepers".into())])],
    );
    let r = d.render(0, &super::diff::Opts::default());
    assert!(r.contains("~ keepers = { # forces replacement"), "{r}");
}

#[test]
fn nested_blocks_render_as_blocks() {
    // tls_cert_request's `subject` is a nested block in the built-in schema.
    let ty = super::schemas::implied_type("tls_cert_request", false).expect("built-in schema");
    let Type::Object(attrs) = &ty else { panic!("object type") };
    let mut after: BTreeMap<String, Value> = attrs.iter().map(|(k, t)| (k.clone(), Value::Null(t.clone()))).collect();
    after.insert("id".into(), Value::Unknown(Type::String));
    after.insert("cert_request_pem".into(), Value::Unknown(Type::String));
    after.insert("key_algorithm".into(), Value::Unknown(Type::String));
    after.insert("private_key_pem".into(), s("-----BEGIN RSA PRIVATE KEY-----\n").mark_sensitive());
    after.insert("dns_names".into(), Value::List(Type::String, vec![s("app.example.com"), s("api.example.com")]));
    let subject_ty = match attrs.get("subject") {
        Some(Type::List(t)) => (**t).clone(),
        other => panic!("subject is a list block, got {other:?}"),
    };
    let Type::Object(sattrs) = &subject_ty else { panic!("subject object") };
    let mut subj: BTreeMap<String, Value> = sattrs.iter().map(|(k, t)| (k.clone(), Value::Null(t.clone()))).collect();
    subj.insert("common_name".into(), s("app.example.com"));
    subj.insert("organization".into(), s("Plinth Quickstart"));
    after.insert("subject".into(), Value::List(subject_ty.clone(), vec![Value::Object(subj)]));
    let mut c = change("tls_cert_request.service", Action::Create, Value::null(), Value::Object(after));
    c.schema_type = ty;
    c.provider = "provider[\"registry.terraform.io/hashicorp/tls\"]".into();
    let mut p = empty_plan();
    p.changes = vec![c];
    let got = plan::render_human(&p, plan::HumanOpts { color: false });
    let body = &got[got.find("  # tls_cert_request").expect("change")..got.find("\nPlan:").expect("summary")];
    assert_eq!(
        body,
        r#"  # tls_cert_request.service will be created
  + resource "tls_cert_request" "service" {
      + cert_request_pem = (known after apply)
      + dns_names        = [
          + "app.example.com",
          + "api.example.com",
        ]
      + id               = (known after apply)
      + key_algorithm    = (known after apply)
      + private_key_pem  = (sensitive value)

      + subject {
          + common_name  = "app.example.com"
          + organization = "Plinth Quickstart"
        }
    }
"#
    );
}

#[test]
fn forget_matches_terraform() {
    let mut p = empty_plan();
    let v = td(s("9d6743ec-f191-2f89-c6bb-a7d451870ff5"), s("a"), s("a"), Value::null());
    p.changes = vec![change("terraform_data.x", Action::Forget, v, Value::null())];
    let got = plan::render_human(&p, plan::HumanOpts { color: false });
    // Terraform 1.11's output for `removed { from = terraform_data.x lifecycle { destroy = false } }`.
    assert_eq!(
        got,
        "\nPlinth used the selected providers to generate the following execution plan.\nResource actions are indicated with the following symbols:\n\nPlinth will perform the following actions:\n\n # terraform_data.x will no longer be managed by Plinth, but will not be destroyed\n # (destroy = false is set in the configuration)\n . resource \"terraform_data\" \"x\" {\n        id     = \"9d6743ec-f191-2f89-c6bb-a7d451870ff5\"\n        # (2 unchanged attributes hidden)\n    }\n\nPlan: 0 to add, 0 to change, 0 to destroy.\n"
    );
}
