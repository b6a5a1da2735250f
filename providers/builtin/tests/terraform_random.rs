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

#[test]
fn random_password_is_sensitive_with_bcrypt_hash() {
    let h = Harness::new("random", "random_password");
    let cfg = h.config(&[("length", n(20)), ("min_special", n(3)), ("override_special", s("_%@"))]);
    let changed = h.config(&[("length", n(20)), ("min_special", n(4)), ("override_special", s("_%@"))]);
    let st = h.lifecycle(&cfg, &changed, "min_special");
    let result = st.get_attr("result").unwrap();
    assert!(result.is_sensitive());
    assert!(st.get_attr("bcrypt_hash").unwrap().is_sensitive());
    assert_eq!(str_of(&st, "id"), "none");
    let pw = str_of(&st, "result");
    assert!(pw.chars().filter(|c| "_%@".contains(*c)).count() >= 3);
    assert!(pw.chars().all(|c| c.is_ascii_alphanumeric() || "_%@".contains(c)));
    assert!(bcrypt::verify(&pw, &str_of(&st, "bcrypt_hash")).unwrap());
    let imp = h.import("s3cr3t-v@lue");
    let is = &imp.imported[0].state;
    assert!(is.get_attr("result").unwrap().is_sensitive());
    assert_eq!(str_of(is, "id"), "none");
    assert!(bcrypt::verify("s3cr3t-v@lue", &str_of(is, "bcrypt_hash")).unwrap());
}

#[test]
fn random_id_lifecycle_encodings_and_import() {
    let h = Harness::new("random", "random_id");
    let cfg = h.config(&[("byte_length", n(8)), ("prefix", s("app-"))]);
    let changed = h.config(&[("byte_length", n(8)), ("prefix", s("web-"))]);
    let st = h.lifecycle(&cfg, &changed, "prefix");
    let id = str_of(&st, "id");
    assert!(!id.starts_with("app-"));
    assert_eq!(str_of(&st, "b64_url"), format!("app-{id}"));
    let hex = str_of(&st, "hex");
    assert_eq!(hex.len(), 4 + 16);
    let v = u64::from_str_radix(&hex[4..], 16).unwrap();
    assert_eq!(str_of(&st, "dec"), format!("app-{v}"));
    // Import by b64_url (with a prefix).
    let imp = h.import(&format!("app-,{id}"));
    assert!(!imp.diagnostics.has_errors(), "{}", imp.diagnostics);
    let is = &imp.imported[0].state;
    assert_eq!(str_of(is, "hex"), hex);
    assert_eq!(is.get_attr("byte_length"), Some(&n(8)));
    assert_eq!(str_of(is, "prefix"), "app-");
    let p = h.plan(Some(is), &cfg);
    assert!(p.requires_replace.is_empty(), "{:?}", p.requires_replace);
    // Known upstream example: "p-9hUg" is 4 bytes.
    let imp = h.import("p-9hUg");
    assert_eq!(str_of(&imp.imported[0].state, "hex"), "a7ef6152");
    assert_eq!(str_of(&imp.imported[0].state, "dec"), "2817483090");
    assert_eq!(str_of(&imp.imported[0].state, "b64_std"), "p+9hUg==");
    assert!(h.import("!!").diagnostics.has_errors());
    assert!(h.plan(None, &h.config(&[("byte_length", n(0))])).diagnostics.has_errors());
}

#[test]
fn random_integer_range_seed_and_import() {
    let h = Harness::new("random", "random_integer");
    let cfg = h.config(&[("min", n(1)), ("max", n(6))]);
    let changed = h.config(&[("min", n(1)), ("max", n(7))]);
    let st = h.lifecycle(&cfg, &changed, "max");
    let r = st.get_attr("result").unwrap().as_i64().unwrap();
    assert!((1..=6).contains(&r));
    assert_eq!(str_of(&st, "id"), r.to_string());
    let seeded = h.config(&[("min", n(0)), ("max", n(1_000_000)), ("seed", s("abc"))]);
    let a = h.create(&seeded).get_attr("result").cloned();
    let b = h.create(&seeded).get_attr("result").cloned();
    assert_eq!(a, b, "same seed, same result");
    let bad = h.plan(None, &h.config(&[("min", n(5)), ("max", n(1))]));
    assert!(bad.diagnostics.has_errors());
    let imp = h.import("15390,1,50000,myseed");
    let is = &imp.imported[0].state;
    assert_eq!(is.get_attr("result"), Some(&n(15390)));
    assert_eq!(str_of(is, "seed"), "myseed");
    assert_eq!(str_of(is, "id"), "15390");
    assert!(h.import("1,2").diagnostics.has_errors());
}

#[test]
fn random_uuid_pet_shuffle() {
    let h = Harness::new("random", "random_uuid");
    let mut keepers = std::collections::BTreeMap::new();
    keepers.insert("v".to_string(), s("1"));
    let cfg = h.config(&[("keepers", Value::map(Type::String, keepers.clone()))]);
    keepers.insert("v".to_string(), s("2"));
    let changed = h.config(&[("keepers", Value::map(Type::String, keepers))]);
    let st = h.lifecycle(&cfg, &changed, "keepers");
    let u = str_of(&st, "result");
    assert_eq!(u.len(), 36);
    assert_eq!(h.import(&u).imported[0].state.get_attr("id"), st.get_attr("id"));
    assert!(h.import("nope").diagnostics.has_errors());

    let h = Harness::new("random", "random_pet");
    let cfg = h.config(&[("length", n(3)), ("prefix", s("dev"))]);
    let plan = h.plan(None, &h.config(&[])).planned_state.unwrap();
    assert_eq!(plan.get_attr("length"), Some(&n(2)));
    assert_eq!(str_of(&plan, "separator"), "-");
    let changed = h.config(&[("length", n(4)), ("prefix", s("dev"))]);
    let st = h.lifecycle(&cfg, &changed, "length");
    let pet = str_of(&st, "id");
    assert!(pet.starts_with("dev-"));
    assert_eq!(pet.split('-').count(), 4, "{pet}");
    let underscore = h.create(&h.config(&[("length", n(1)), ("separator", s("_"))]));
    assert!(!str_of(&underscore, "id").contains('_'));

    let h = Harness::new("random", "random_shuffle");
    let cfg = h.config(&[("input", strs(&["a", "b", "c", "d"])), ("result_count", n(6)), ("seed", s("x"))]);
    let changed = h.config(&[("input", strs(&["a", "b", "c"])), ("result_count", n(6)), ("seed", s("x"))]);
    let st = h.lifecycle(&cfg, &changed, "input");
    let result: Vec<String> = st.get_attr("result").unwrap().as_seq().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    assert_eq!(result.len(), 6);
    let mut first4 = result[..4].to_vec();
    first4.sort();
    assert_eq!(first4, vec!["a", "b", "c", "d"], "first batch is a permutation");
    assert_eq!(h.create(&cfg).get_attr("result"), st.get_attr("result"), "seeded shuffle is stable");
    assert_eq!(str_of(&st, "id"), "-");
    let all = h.create(&h.config(&[("input", strs(&["x", "y"]))]));
    assert_eq!(all.get_attr("result").unwrap().as_seq().unwrap().len(), 2);
}

#[test]
fn unknown_config_values_flow_into_the_plan_and_force_replacement() {
    let h = Harness::new("random", "random_string");
    let st = h.create(&h.config(&[("length", n(8))]));
    let cfg = h.config(&[("length", Value::Unknown(Type::Number))]);
    let p = h.plan(Some(&st), &cfg);
    assert!(!p.diagnostics.has_errors());
    assert_eq!(p.requires_replace, vec![AttrPath::attr("length")]);
    assert!(!p.planned_state.unwrap().get_attr("result").unwrap().is_known());
}

#[test]
fn unknown_types_are_diagnostics_not_panics() {
    let h = Harness::new("random", "random_nope");
    let p = h.plan(None, &Value::object([("x", s("y"))]));
    assert!(p.diagnostics.has_errors());
    assert!(p.diagnostics.0[0].help[0].contains("random_string"));
}

#[test]
fn old_random_password_state_is_upgraded() {
    let h = Harness::new("random", "random_password");
    let old = serde_json::json!({"id": "none", "length": 8, "result": "abcdEFGH", "special": true, "upper": true, "lower": true, "number": false, "bcrypt_hash": "stale"});
    let up = h.c.upgrade_resource_state("random_password", 1, old).unwrap();
    assert_eq!(up["numeric"], serde_json::json!(false));
    assert_eq!(up["min_upper"], serde_json::json!(0));
    assert!(bcrypt::verify("abcdEFGH", up["bcrypt_hash"].as_str().unwrap()).unwrap());
    let newer = h.c.upgrade_resource_state("random_password", 9, serde_json::json!({}));
    assert!(newer.is_err());
}

#[test]
fn deprecated_number_warns() {
    let p = provider("random");
    let h = Harness::new("random", "random_string");
    let d = p.validate_resource_config("random_string", &h.config(&[("length", n(4)), ("number", b(true))]));
    assert_eq!(d.len(), 1);
    assert!(!d.has_errors());
    assert!(d.0[0].detail.as_ref().unwrap().contains("numeric"));
}

#[test]
fn random_bytes_lifecycle_and_import() {
    let h = Harness::new("random", "random_bytes");
    let cfg = h.config(&[("length", n(16))]);
    let changed = h.config(&[("length", n(32))]);
    let st = h.lifecycle(&cfg, &changed, "length");
    assert!(st.get_attr("base64").unwrap().is_sensitive());
    assert_eq!(str_of(&st, "hex").len(), 32);
    assert_eq!(str_of(&st, "id"), "none");
    let imp = h.import("hI7HJQ==");
    let is = &imp.imported[0].state;
    assert_eq!(str_of(is, "hex"), "848ec725");
    assert_eq!(is.get_attr("length"), Some(&n(4)));
    assert!(h.import("***").diagnostics.has_errors());
}
