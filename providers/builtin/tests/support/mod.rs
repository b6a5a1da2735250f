//! Test helpers: drive a built-in provider through the `plinth_sdk` traits like the engine.
#![allow(dead_code)]

use plinth_sdk::*;
use std::sync::Arc;

pub fn provider(name: &str) -> Arc<dyn Provider> {
    plinth_provider_builtin::providers()
        .into_iter()
        .find(|p| p.name() == name)
        .unwrap_or_else(|| panic!("no provider {name}"))
}

pub struct Harness {
    pub p: Arc<dyn Provider>,
    pub c: Arc<dyn ConfiguredProvider>,
    pub ty: String,
}

pub fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().build().unwrap()
}

impl Harness {
    pub fn new(provider_name: &str, ty: &str) -> Self {
        let p = provider(provider_name);
        let c = rt().block_on(p.configure(Value::null())).map_err(|d| d.to_string()).unwrap();
        Harness { p, c, ty: ty.into() }
    }
    pub fn schema(&self) -> Schema {
        self.p.schema().resources.get(&self.ty).cloned().unwrap_or_default()
    }
    /// A configuration object of the schema's type from (name, value) pairs.
    pub fn config(&self, attrs: &[(&str, Value)]) -> Value {
        let block = self.schema().block;
        let ty = block.implied_type();
        let Type::Object(m) = ty else { unreachable!() };
        let mut o = std::collections::BTreeMap::new();
        for (k, t) in m {
            o.insert(k.clone(), Value::Null(t));
        }
        for (k, v) in attrs {
            assert!(o.contains_key(*k), "no attribute {k}");
            o.insert(k.to_string(), v.clone());
        }
        Value::Object(o)
    }
    /// Proposed new state like the engine builds it: config, with prior values for computed
    /// attributes the config leaves null (or unknown on create).
    pub fn proposed(&self, prior: Option<&Value>, config: &Value) -> Value {
        let block = self.schema().block;
        let mut o = config.as_map().unwrap().clone();
        for (k, a) in &block.attributes {
            if a.computed && o.get(k).is_none_or(|v| v.is_null()) {
                let v = match prior {
                    Some(p) => p.get_attr(k).cloned().unwrap(),
                    None => Value::Unknown(a.ty.clone()),
                };
                o.insert(k.clone(), v);
            }
        }
        Value::Object(o)
    }
    pub fn plan(&self, prior: Option<&Value>, config: &Value) -> PlanChangeResponse {
        let req = PlanChangeRequest {
            type_name: self.ty.clone(),
            prior_state: prior.cloned(),
            proposed_new_state: Some(self.proposed(prior, config)),
            config: config.clone(),
            prior_private: vec![],
        };
        rt().block_on(self.c.plan_change(req))
    }
    pub fn plan_delete(&self, prior: &Value) -> PlanChangeResponse {
        let req = PlanChangeRequest {
            type_name: self.ty.clone(),
            prior_state: Some(prior.clone()),
            proposed_new_state: None,
            config: Value::null(),
            prior_private: vec![],
        };
        rt().block_on(self.c.plan_change(req))
    }
    pub fn apply(&self, prior: Option<&Value>, planned: Option<&Value>, config: &Value) -> ApplyChangeResponse {
        let req = ApplyChangeRequest {
            type_name: self.ty.clone(),
            prior_state: prior.cloned(),
            planned_state: planned.cloned(),
            config: config.clone(),
            planned_private: vec![],
        };
        rt().block_on(self.c.apply_change(req))
    }
    /// Plan and apply a create; panics on diagnostics.
    pub fn create(&self, config: &Value) -> Value {
        let plan = self.plan(None, config);
        assert!(!plan.diagnostics.has_errors(), "{}", plan.diagnostics);
        assert!(plan.requires_replace.is_empty());
        let planned = plan.planned_state.expect("planned state");
        let r = self.apply(None, Some(&planned), config);
        assert!(!r.diagnostics.has_errors(), "{}", r.diagnostics);
        let s = r.new_state.expect("new state");
        assert!(s.is_wholly_known(), "state has unknowns: {s:?}");
        check_conforms(&self.schema(), &s);
        // Every planned known value survives apply.
        for (k, v) in planned.as_map().unwrap() {
            if v.is_wholly_known() {
                assert_eq!(unmark(v), unmark(s.get_attr(k).unwrap()), "attribute {k} changed during apply");
            }
        }
        s
    }
    pub fn read(&self, state: &Value) -> ReadResourceResponse {
        rt().block_on(self.c.read_resource(ReadResourceRequest {
            type_name: self.ty.clone(),
            current_state: state.clone(),
            private: vec![],
        }))
    }
    pub fn import(&self, id: &str) -> ImportResourceResponse {
        rt().block_on(self.c.import_resource(ImportResourceRequest { type_name: self.ty.clone(), id: id.into() }))
    }
    pub fn read_data(&self, config: &Value) -> ReadDataSourceResponse {
        rt().block_on(self.c.read_data_source(ReadDataSourceRequest { type_name: self.ty.clone(), config: config.clone() }))
    }
    pub fn data_config(&self, attrs: &[(&str, Value)]) -> Value {
        let block = self.p.schema().data_sources[&self.ty].block.clone();
        let Type::Object(m) = block.implied_type() else { unreachable!() };
        let mut o = std::collections::BTreeMap::new();
        for (k, t) in m {
            o.insert(k.clone(), Value::Null(t));
        }
        for (k, v) in attrs {
            assert!(o.contains_key(*k), "no attribute {k}");
            o.insert(k.to_string(), v.clone());
        }
        Value::Object(o)
    }

    /// The full lifecycle check: create → read → plan no-op → change a force_new attribute →
    /// requires_replace → re-plan as create → delete. Returns the created state.
    pub fn lifecycle(&self, config: &Value, changed: &Value, replaced_attr: &str) -> Value {
        let state = self.create(config);
        let read = self.read(&state);
        assert!(!read.diagnostics.has_errors(), "{}", read.diagnostics);
        let refreshed = read.new_state.expect("object still exists after create");
        assert_eq!(unmark(&refreshed), unmark(&state));
        let noop = self.plan(Some(&refreshed), config);
        assert!(!noop.diagnostics.has_errors(), "{}", noop.diagnostics);
        assert!(noop.requires_replace.is_empty(), "no-op plan wants replacement: {:?}", noop.requires_replace);
        assert_eq!(unmark(noop.planned_state.as_ref().unwrap()), unmark(&refreshed), "no-op plan differs from state");
        let change = self.plan(Some(&refreshed), changed);
        assert!(!change.diagnostics.has_errors(), "{}", change.diagnostics);
        assert!(
            change.requires_replace.contains(&AttrPath::attr(replaced_attr)),
            "changing {replaced_attr} should force replacement, got {:?}",
            change.requires_replace
        );
        let replan = self.plan(None, changed);
        assert!(replan.requires_replace.is_empty());
        let del = self.plan_delete(&refreshed);
        assert!(del.planned_state.is_none());
        let gone = self.apply(Some(&refreshed), None, &Value::null());
        assert!(!gone.diagnostics.has_errors(), "{}", gone.diagnostics);
        assert!(gone.new_state.is_none());
        state
    }
}

pub fn unmark(v: &Value) -> Value {
    v.clone().unmark_deep().0
}

/// The value has exactly the schema's attributes and blocks, and sensitive ones are marked.
pub fn check_conforms(schema: &Schema, v: &Value) {
    let m = v.as_map().expect("object");
    let names: Vec<&str> = schema.block.names().collect();
    assert_eq!(m.len(), names.len(), "attributes {:?} vs schema {:?}", m.keys().collect::<Vec<_>>(), names);
    for (k, a) in &schema.block.attributes {
        let x = m.get(k).unwrap_or_else(|| panic!("missing attribute {k}"));
        if a.sensitive && !x.is_null() {
            assert!(x.is_sensitive(), "{k} should be marked sensitive");
        }
    }
}

pub fn s(x: &str) -> Value {
    Value::string(x)
}
pub fn n(x: i64) -> Value {
    Value::number(x)
}
pub fn b(x: bool) -> Value {
    Value::Bool(x)
}
pub fn strs(xs: &[&str]) -> Value {
    Value::List(Type::String, xs.iter().map(|x| s(x)).collect())
}
pub fn str_of(v: &Value, k: &str) -> String {
    v.get_attr(k).and_then(Value::as_str).unwrap_or_else(|| panic!("{k} is not a string: {v:?}")).to_string()
}
