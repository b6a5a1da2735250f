//! Property: any state survives writing and reading, and writing is a fixed point.

use plinth_sdk::{AttrPath, PathStep, Type};
use plinth_state::*;
use proptest::prelude::*;
use serde_json::Value as J;

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z_][a-z0-9_]{0,8}",
        "\\PC{0,12}",
        Just("<a href=\"x\">&amp;</a>\u{2028}\u{2029}\t\n\u{1}".to_string()),
    ]
}

fn json() -> impl Strategy<Value = J> {
    let leaf = prop_oneof![
        Just(J::Null),
        any::<bool>().prop_map(J::Bool),
        any::<i64>().prop_map(J::from),
        (-1e300f64..1e300).prop_map(J::from),
        text().prop_map(J::String),
    ];
    leaf.prop_recursive(3, 24, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(J::Array),
            prop::collection::btree_map(text(), inner, 0..4)
                .prop_map(|m| J::Object(m.into_iter().collect())),
        ]
    })
}

fn ty() -> impl Strategy<Value = Type> {
    let leaf = prop_oneof![Just(Type::String), Just(Type::Number), Just(Type::Bool), Just(Type::Dynamic)];
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            inner.clone().prop_map(Type::list),
            inner.clone().prop_map(Type::set),
            inner.clone().prop_map(Type::map),
            prop::collection::vec(inner.clone(), 0..3).prop_map(Type::Tuple),
            prop::collection::btree_map("[a-z]{1,4}", inner, 0..3).prop_map(Type::Object),
        ]
    })
}

fn path() -> impl Strategy<Value = AttrPath> {
    prop::collection::vec(
        prop_oneof![
            "[a-z_]{1,6}".prop_map(PathStep::Attr),
            text().prop_map(PathStep::Key),
            (0u64..100).prop_map(PathStep::Index),
        ],
        1..4,
    )
    .prop_map(AttrPath)
}

fn key() -> impl Strategy<Value = Option<IndexKey>> {
    prop_oneof![
        Just(None),
        (-5i64..1000).prop_map(|i| Some(IndexKey::Int(i))),
        text().prop_map(|s| Some(IndexKey::Str(s))),
    ]
}

prop_compose! {
    fn instance()(
        attrs in json(),
        sens in prop::collection::vec(path(), 0..3),
        tainted in any::<bool>(),
        schema_version in 0u64..5,
        private in proptest::option::of("[A-Za-z0-9+/]{4,16}"),
        deps in prop::collection::vec("[a-z_.]{1,12}", 0..3),
        cbd in any::<bool>(),
    ) -> InstanceState {
        let mut i = InstanceState::new(schema_version, attrs);
        i.sensitive_attributes = sens;
        i.status = tainted.then(|| "tainted".to_string());
        i.private = private;
        i.dependencies = deps;
        i.create_before_destroy = cbd;
        i
    }
}

prop_compose! {
    fn change()(
        module in proptest::option::of(prop_oneof![Just("module.a".to_string()), Just("module.b[\"x\"].module.c".to_string())]),
        data in any::<bool>(),
        type_name in "[a-z]{1,3}_[a-z]{1,3}",
        name in "[a-z]{1,4}",
        key in key(),
        deposed in proptest::option::of("[0-9a-f]{8}"),
        inst in instance(),
    ) -> (InstanceAddr, InstanceState) {
        (InstanceAddr { module, mode: if data { Mode::Data } else { Mode::Managed }, type_name, name, key, deposed }, inst)
    }
}

prop_compose! {
    fn state()(
        changes in prop::collection::vec(change(), 0..12),
        outputs in prop::collection::btree_map("[a-z]{1,6}", (json(), ty(), any::<bool>()), 0..4),
        serial in 0u64..1_000_000,
    ) -> State {
        let mut st = State::new();
        st.serial = serial;
        for (a, i) in changes {
            st.set_instance(&a, "provider[\"registry.terraform.io/hashicorp/x\"]", None, i);
        }
        st.outputs = outputs.into_iter().map(|(k, (value, ty, sensitive))| (k, OutputState { value, ty, sensitive })).collect();
        st
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn state_json_round_trips(st in state()) {
        let bytes = st.to_json();
        let back = State::from_json(&bytes).unwrap();
        prop_assert_eq!(&back, &st);
        prop_assert_eq!(back.to_json(), bytes);
    }

    #[test]
    fn cty_type_json_round_trips(t in ty()) {
        prop_assert_eq!(type_from_json(&type_to_json(&t)).unwrap(), t);
    }
}
