//! terraform_data, terraform_remote_state and the random resources, through the provider traits.

mod support;
use plinth_sdk::*;
use support::*;

#[test]
fn terraform_data_lifecycle_and_in_place_update() {
    let h = Harness::new("terraform", "terraform_data");
    let cfg = h.config(&[("input", s("a")), ("triggers_replace", n(1))]);
    let plan = h.plan(None, &cfg).planned_state.unwrap();
    assert!(!plan.get_attr("output").unwrap().is_known());
    assert!(!plan.get_attr("id").unwrap().is_known());
    let changed = h.config(&[("input", s("a")), ("triggers_replace", n(2))]);
    let state = h.lifecycle(&cfg, &changed, "triggers_replace");
    assert_eq!(str_of(&state, "output"), "a");
    assert_eq!(str_of(&state, "id").len(), 36);

    // input change: in-place update, output unknown, id kept.
    let upd = h.config(&[("input", s("b")), ("triggers_replace", n(1))]);
    let p = h.plan(Some(&state), &upd);
    assert!(p.requires_replace.is_empty());
    let planned = p.planned_state.unwrap();
    assert!(!planned.get_attr("output").unwrap().is_known());
    assert_eq!(str_of(&planned, "id"), str_of(&state, "id"));
    let r = h.apply(Some(&state), Some(&planned), &upd);
    let new = r.new_state.unwrap();
    assert_eq!(str_of(&new, "output"), "b");
    assert_eq!(str_of(&new, "id"), str_of(&state, "id"));
}

#[test]
fn terraform_data_null_input_plans_null_output() {
    let h = Harness::new("terraform", "terraform_data");
    let cfg = h.config(&[]);
    let plan = h.plan(None, &cfg).planned_state.unwrap();
    assert!(plan.get_attr("output").unwrap().is_null());
    let st = h.create(&cfg);
    assert!(st.get_attr("output").unwrap().is_null());
    // Replacement with a null input also plans a null output.
    let with_trigger = h.config(&[("triggers_replace", s("x"))]);
    let p = h.plan(Some(&st), &with_trigger);
    assert_eq!(p.requires_replace, vec![AttrPath::attr("triggers_replace")]);
    assert!(p.planned_state.unwrap().get_attr("output").unwrap().is_null());
}

#[test]
fn terraform_data_import() {
    let h = Harness::new("terraform", "terraform_data");
    let r = h.import("abc");
    assert_eq!(str_of(&r.imported[0].state, "id"), "abc");
    assert!(r.imported[0].state.get_attr("input").unwrap().is_null());
}

#[test]
fn random_string_lifecycle_defaults_and_import() {
    let h = Harness::new("random", "random_string");
    let cfg = h.config(&[("length", n(16)), ("special", b(false))]);
    let plan = h.plan(None, &cfg).planned_state.unwrap();
    assert_eq!(plan.get_attr("upper"), Some(&b(true)));
    assert_eq!(plan.get_attr("min_lower"), Some(&n(0)));
    assert!(!plan.get_attr("result").unwrap().is_known());
    let changed = h.config(&[("length", n(17)), ("special", b(false))]);
    let st = h.lifecycle(&cfg, &changed, "length");
    let result = str_of(&st, "result");
    assert_eq!(result.len(), 16);
    assert!(result.chars().all(|c| c.is_ascii_alphanumeric()));
    assert_eq!(str_of(&st, "id"), result);
    // keepers change forces replacement
    let mut keepers = std::collections::BTreeMap::new();
    keepers.insert("k".to_string(), s("v"));
    let kcfg = h.config(&[("length", n(16)), ("special", b(false)), ("keepers", Value::map(Type::String, keepers))]);
    assert_eq!(h.plan(Some(&st), &kcfg).requires_replace, vec![AttrPath::attr("keepers")]);

    let imp = h.import("hello-world");
    let is = &imp.imported[0].state;
    assert_eq!(str_of(is, "result"), "hello-world");
    assert_eq!(is.get_attr("length"), Some(&n(11)));
    // After import, a matching config is a no-op.
    let icfg = h.config(&[("length", n(11))]);
    let p = h.plan(Some(is), &icfg);
    assert!(p.requires_replace.is_empty(), "{:?}", p.requires_replace);
}

#[test]
fn random_string_rejects_length_below_minimums() {
    let h = Harness::new("random", "random_string");
    let cfg = h.config(&[("length", n(3)), ("min_upper", n(2)), ("min_lower", n(2))]);
    let p = h.plan(None, &cfg);
    assert!(p.diagnostics.has_errors());
    assert!(p.planned_state.is_none());
    let d = &p.diagnostics.0[0];
    assert!(d.detail.as_ref().unwrap().contains("(4)"), "{d}");
    assert!(!d.help.is_empty());
}

#[test]
fn random_string_number_false_disables_numeric() {
    let h = Harness::new("random", "random_string");
    let cfg = h.config(&[("length", n(64)), ("number", b(false)), ("special", b(false))]);
    let st = h.create(&cfg);
    assert_eq!(st.get_attr("numeric"), Some(&b(false)));
    assert!(!str_of(&st, "result").chars().any(|c| c.is_ascii_digit()));
    let p = h.plan(Some(&st), &cfg);
    assert!(p.requires_replace.is_empty(), "{:?}", p.requires_replace);
}
