//! Round trips against state files written by Terraform 1.11.4 (see fixtures/config for the
//! configurations that produced them): reading and writing must reproduce them byte for byte.

use plinth_sdk::{AttrPath, PathStep, Type, Value};
use plinth_state::*;
use std::path::Path;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)).unwrap()
}

#[test]
fn terraform_fixtures_round_trip_byte_for_byte() {
    let names = [
        "full.tfstate",
        "tainted.tfstate",
        "data_sensitive.tfstate",
        "workspace_staging.tfstate",
        "empty_after_destroy.tfstate",
        "check_results.tfstate",
    ];
    for name in names {
        let raw = fixture(name);
        let st = State::from_json(&raw).unwrap_or_else(|e| panic!("{name}: {e}"));
        let out = st.to_json();
        if out != raw {
            let a = String::from_utf8_lossy(&raw);
            let b = String::from_utf8_lossy(&out);
            for (i, (x, y)) in a.lines().zip(b.lines()).enumerate() {
                assert_eq!(x, y, "{name}: first difference at line {}", i + 1);
            }
            panic!("{name}: lengths differ ({} vs {})", raw.len(), out.len());
        }
    }
}

#[test]
fn reads_the_model_terraform_wrote() {
    let st = State::from_json(&fixture("full.tfstate")).unwrap();
    assert_eq!(st.version, 4);
    assert_eq!(st.serial, 8);
    assert_eq!(st.lineage, "32cca8e4-3040-ca81-082c-6a8f79a2c646");
    assert_eq!(
        st.addresses(),
        [
            "terraform_data.counted[0]",
            "terraform_data.counted[1]",
            "terraform_data.each[\"blue\"]",
            "terraform_data.each[\"green\"]",
            "terraform_data.sens",
            "terraform_data.single",
            "module.a.terraform_data.inner[0]",
        ]
    );
    // Outputs: types and sensitivity.
    let secret = &st.outputs["secret"];
    assert!(secret.sensitive);
    assert_eq!(secret.to_value().unwrap(), Value::string("s3cr3t").mark_sensitive());
    assert_eq!(st.outputs["list"].ty, Type::list(Type::String));
    assert_eq!(
        st.outputs["obj"].ty,
        Type::object([
            ("a", Type::Number),
            ("b", Type::Tuple(vec![Type::String])),
            ("c", Type::Bool),
            ("d", Type::Dynamic)
        ])
    );
    // Big numbers keep every digit.
    assert_eq!(st.outputs["big"].value.to_string(), "12345678901234567890.5");
    // Instances.
    let each = InstanceAddr {
        module: None,
        mode: Mode::Managed,
        type_name: "terraform_data".into(),
        name: "each".into(),
        key: Some(IndexKey::Str("blue".into())),
        deposed: None,
    };
    let blue = st.instance(&each).unwrap();
    assert_eq!(blue.dependencies, ["terraform_data.single"]);
    assert_eq!(blue.attributes["input"]["value"], "blue");
    let inner = InstanceAddr {
        module: Some("module.a".into()),
        key: Some(IndexKey::Int(0)),
        ..InstanceAddr::managed("terraform_data", "inner", None)
    };
    assert!(st.instance(&inner).unwrap().create_before_destroy);
    let sens = st.instance(&InstanceAddr::managed("terraform_data", "sens", None)).unwrap();
    assert_eq!(sens.sensitive_attributes, vec![AttrPath::attr("input")]);
    let r = st.resource(None, Mode::Managed, "terraform_data", "single").unwrap();
    assert_eq!(r.provider, "provider[\"terraform.io/builtin/terraform\"]");
    assert!(!st.is_empty());
}

#[test]
fn reads_tainted_data_sources_and_nested_sensitive_paths() {
    let st = State::from_json(&fixture("tainted.tfstate")).unwrap();
    let c1 = st
        .instance(&InstanceAddr::managed("terraform_data", "counted", Some(IndexKey::Int(1))))
        .unwrap();
    assert!(c1.is_tainted());
    let st = State::from_json(&fixture("data_sensitive.tfstate")).unwrap();
    assert_eq!(st.resources[0].mode, Mode::Data, "data resources sort first");
    let nested = st.instance(&InstanceAddr::managed("terraform_data", "nested", None)).unwrap();
    assert_eq!(
        nested.sensitive_attributes[1],
        AttrPath::attr("input").then(PathStep::Attr("l".into())).then(PathStep::Index(1))
    );
    // Go escaping of < > & was undone on read.
    assert_eq!(nested.attributes["input"]["value"]["a"], "p<a>ss&");
    assert_eq!(st.outputs["unicode"].value, "héllo \u{2028} <tag> & \"q\" \t tab");
    let checks = State::from_json(&fixture("check_results.tfstate")).unwrap();
    assert_eq!(checks.check_results[2]["config_addr"], "check.health");
    let empty = State::from_json(&fixture("empty_after_destroy.tfstate")).unwrap();
    assert!(empty.is_empty());
}

#[test]
fn attributes_convert_with_a_schema_and_keep_sensitive_marks() {
    let st = State::from_json(&fixture("full.tfstate")).unwrap();
    let sens = st.instance(&InstanceAddr::managed("terraform_data", "sens", None)).unwrap();
    let ty = Type::object([
        ("id", Type::String),
        ("input", Type::Dynamic),
        ("output", Type::Dynamic),
        ("triggers_replace", Type::Dynamic),
    ]);
    let v = sens.attributes_value(&ty).unwrap();
    assert!(v.get_attr("input").unwrap().is_sensitive());
    assert!(!v.get_attr("id").unwrap().is_sensitive());
    let back = InstanceState::from_value(0, v);
    assert_eq!(back.sensitive_attributes, vec![AttrPath::attr("input")]);
}

#[test]
fn rejects_other_versions_and_garbage_with_clear_errors() {
    let e = State::from_json(br#"{"version":3,"serial":1}"#).unwrap_err();
    assert!(matches!(e, StateError::UnsupportedVersion(3)));
    assert!(e.to_diagnostic().help[0].contains("Terraform 0.12"));
    let e = State::from_json(b"{not json").unwrap_err();
    assert!(e.to_string().contains("not valid JSON"), "{e}");
    let e = State::from_json(br#"{"version":4,"terraform_version":"1","serial":"x","lineage":"l"}"#)
        .unwrap_err();
    assert!(e.to_string().contains("format version 4"), "{e}");
    let e = State::from_json(
        br#"{"version":4,"terraform_version":"1","serial":1,"lineage":"l","resources":[{"mode":"managed","type":"t","name":"n","provider":"p","instances":[{"index_key":1.5,"schema_version":0}]}]}"#,
    )
    .unwrap_err();
    assert!(e.to_string().contains("index_key 1.5"), "{e}");
}

#[test]
fn set_and_remove_keep_terraform_order() {
    let mut st = State::new();
    assert_eq!(st.serial, 0);
    assert_eq!(st.lineage.len(), 36);
    let p = "provider[\"registry.terraform.io/hashicorp/random\"]";
    let inst = || InstanceState::new(0, serde_json::json!({"id": "x"}));
    let mut a = InstanceAddr::managed("random_id", "b", Some(IndexKey::Str("k".into())));
    st.set_instance(&a, p, None, inst());
    a.key = Some(IndexKey::Int(3));
    st.set_instance(&a, p, None, inst());
    a.deposed = Some("00000001".into());
    st.set_instance(&a, p, None, inst());
    let mut m = InstanceAddr::managed("random_id", "a", None);
    m.module = Some("module.z".into());
    st.set_instance(&m, p, None, inst());
    let mut d = InstanceAddr::managed("random_id", "a", None);
    d.mode = Mode::Data;
    st.set_instance(&d, p, None, inst());
    assert_eq!(
        st.addresses(),
        [
            "data.random_id.a",
            "random_id.b[3]",
            "random_id.b[3] (deposed object 00000001)",
            "random_id.b[\"k\"]",
            "module.z.random_id.a",
        ]
    );
    // Writing and reading keeps everything.
    assert_eq!(State::from_json(&st.to_json()).unwrap(), st);
    assert!(st.remove_instance(&d).is_some());
    assert!(st.remove_instance(&d).is_none());
    assert!(st.resource(None, Mode::Data, "random_id", "a").is_none(), "empty resources are dropped");
    a.deposed = None;
    let mut replaced = inst();
    replaced.status = Some("tainted".into());
    st.set_instance(&a, p, None, replaced);
    assert!(st.instance(&a).unwrap().is_tainted());
    assert_eq!(st.addresses().len(), 4);
}

#[test]
fn check_push_follows_terraform_rules() {
    let mut cur = State::from_json(&fixture("full.tfstate")).unwrap();
    let mut new = cur.clone();
    new.serial = 9;
    assert!(check_push(&cur, &new, false).is_ok());
    new.serial = 8;
    assert!(check_push(&cur, &new, false).is_ok(), "same serial is accepted");
    new.serial = 7;
    let e = check_push(&cur, &new, false).unwrap_err();
    assert_eq!(e.to_string(), "cannot import state with serial 7 over newer state with serial 8");
    assert!(check_push(&cur, &new, true).is_ok());
    new.serial = 100;
    new.lineage = "other".into();
    let e = check_push(&cur, &new, false).unwrap_err();
    assert!(matches!(e, StateError::LineageMismatch { .. }), "{e}");
    cur.resources.clear();
    cur.outputs.clear();
    assert!(check_push(&cur, &new, false).is_ok(), "an empty state may be replaced");
}
