#![allow(dead_code)]
//! Test fixtures: write a configuration inline, load it, plan and apply with the built-in
//! providers and an in-memory state.

use plinth_engine::*;
use plinth_sdk::{Diagnostics, Provider, Value};
use plinth_state::State;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub providers: Vec<Arc<dyn Provider>>,
    pub state: MemoryState,
}

impl Fixture {
    pub fn new(files: &[(&str, &str)]) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let f = Fixture { dir, providers: plinth_provider_builtin::providers(), state: MemoryState::new(State::new()) };
        f.write(files);
        f
    }

    pub fn with_providers(mut self, extra: Vec<Arc<dyn Provider>>) -> Self {
        self.providers.extend(extra);
        self
    }

    /// Replaces all `*.tf` files with `files`.
    pub fn write(&self, files: &[(&str, &str)]) {
        for e in std::fs::read_dir(self.dir.path()).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "tf") {
                std::fs::remove_file(p).unwrap();
            }
        }
        for (name, text) in files {
            let p = self.dir.path().join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
    }

    pub fn ctx(&self) -> Context {
        self.ctx_with(BTreeMap::new())
    }

    pub fn ctx_with(&self, variables: BTreeMap<String, Value>) -> Context {
        let (cfg, diags) = plinth_lang::load_config(self.dir.path());
        assert!(!diags.has_errors(), "load errors: {diags}");
        Context {
            config: Arc::new(cfg.expect("config")),
            providers: Arc::new(ProviderRegistry::new(self.providers.clone())),
            variables,
            workspace: "default".into(),
            cwd: self.dir.path().to_path_buf(),
            parallelism: 10,
        }
    }

    pub async fn plan(&self, opts: &PlanOptions) -> (Plan, Diagnostics) {
        let ctx = self.ctx();
        let (p, d) = plan(&ctx, &self.state.state, opts).await;
        (p.unwrap_or_else(|| panic!("no plan: {d}")), d)
    }

    pub async fn plan_ok(&self) -> Plan {
        let (p, d) = self.plan(&PlanOptions::default()).await;
        assert!(!d.has_errors(), "plan errors: {d}");
        p
    }

    pub async fn apply_plan(&mut self, p: &Plan) -> (ApplySummary, Diagnostics) {
        let ctx = self.ctx();
        apply(&ctx, p, &mut self.state, &NoHook, CancellationToken::new()).await
    }

    /// plan + apply, asserting no errors.
    pub async fn converge(&mut self) -> ApplySummary {
        let p = self.plan_ok().await;
        let (s, d) = self.apply_plan(&p).await;
        assert!(!d.has_errors(), "apply errors: {d}");
        s
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// `address action reason` lines of a plan's non-no-op changes.
pub fn actions(p: &Plan) -> Vec<String> {
    p.changes
        .iter()
        .filter(|c| !c.is_noop())
        .map(|c| {
            let mut s = format!("{} {:?}", c.addr, c.action);
            if let Some(d) = &c.deposed {
                s.push_str(&format!(" deposed={d}"));
            }
            if let Some(r) = c.reason {
                s.push_str(&format!(" {}", r.as_str()));
            }
            if let Some(p) = &c.prev_run_addr {
                s.push_str(&format!(" (moved from {p})"));
            }
            if let Some(i) = &c.importing {
                s.push_str(&format!(" (import {i})"));
            }
            s
        })
        .collect()
}

pub fn errors(d: &Diagnostics) -> Vec<String> {
    d.iter().filter(|x| x.is_error()).map(|x| x.summary.clone()).collect()
}
