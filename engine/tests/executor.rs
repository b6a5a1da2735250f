//! The apply executor with a fake provider: failures stop dependents but keep completed
//! changes, parallelism is bounded, cancellation lets in-flight work finish.

mod common;
use async_trait::async_trait;
use common::*;
use plinth_engine::*;
use plinth_sdk::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// `fake_thing { name = "…"  fail = bool  delay_ms = number }` → `id` = "id-NAME".
#[derive(Default)]
struct Fake {
    running: AtomicUsize,
    max_running: AtomicUsize,
    applied: Mutex<Vec<String>>,
}

struct FakeProvider(Arc<Fake>);

fn schema() -> Schema {
    Schema {
        version: 0,
        block: Block::new()
            .attr("id", Attribute::computed(Type::String))
            .attr("name", Attribute::required(Type::String))
            .attr("fail", Attribute::optional(Type::Bool))
            .attr("delay_ms", Attribute::optional(Type::Number)),
    }
}

#[async_trait]
impl Provider for FakeProvider {
    fn name(&self) -> &str {
        "fake"
    }
    fn source(&self) -> &str {
        "hashicorp/fake"
    }
    fn version(&self) -> &str {
        "1.0.0"
    }
    fn schema(&self) -> ProviderSchema {
        let mut s = ProviderSchema::default();
        s.resources.insert("fake_thing".into(), schema());
        s
    }
    async fn configure(&self, _config: Value) -> Result<Arc<dyn ConfiguredProvider>, Diagnostics> {
        Ok(Arc::new(FakeConfigured(self.0.clone())))
    }
}

struct FakeConfigured(Arc<Fake>);

#[async_trait]
impl ConfiguredProvider for FakeConfigured {
    async fn read_resource(&self, req: ReadResourceRequest) -> ReadResourceResponse {
        ReadResourceResponse { new_state: Some(req.current_state), ..Default::default() }
    }
    async fn plan_change(&self, req: PlanChangeRequest) -> PlanChangeResponse {
        let Some(p) = req.proposed_new_state else { return PlanChangeResponse::default() };
        let mut m = p.as_map().cloned().unwrap_or_default();
        let name = m.get("name").cloned().unwrap_or_else(Value::unknown);
        let id = match name.as_str() {
            Some(n) => Value::string(format!("id-{n}")),
            None => Value::Unknown(Type::String),
        };
        let mut rr = vec![];
        if let Some(prior) = &req.prior_state {
            if prior.get_attr("name") != Some(&name) {
                rr.push(AttrPath::attr("name"));
            }
        }
        m.insert("id".into(), id);
        PlanChangeResponse { planned_state: Some(Value::Object(m)), requires_replace: rr, ..Default::default() }
    }
    async fn apply_change(&self, req: ApplyChangeRequest) -> ApplyChangeResponse {
        let now = self.0.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.0.max_running.fetch_max(now, Ordering::SeqCst);
        let obj = req.planned_state.clone().or(req.prior_state.clone()).unwrap_or_else(Value::null);
        let delay = obj.get_attr("delay_ms").and_then(Value::as_i64).unwrap_or(0);
        if delay > 0 {
            tokio::time::sleep(Duration::from_millis(delay as u64)).await;
        }
        self.0.running.fetch_sub(1, Ordering::SeqCst);
        let name = obj.get_attr("name").and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        let deleting = req.planned_state.is_none();
        self.0.applied.lock().unwrap().push(format!("{}{name}", if deleting { "-" } else { "+" }));
        if !deleting && obj.get_attr("fail").and_then(Value::as_bool) == Some(true) {
            // Created, then failed to finish configuring it: the object exists.
            return ApplyChangeResponse {
                new_state: Some(obj),
                diagnostics: Diagnostics::from(Diagnostic::error("fake failure").with_detail(format!("{name} refused to finish."))),
                ..Default::default()
            };
        }
        ApplyChangeResponse { new_state: if deleting { None } else { Some(obj) }, ..Default::default() }
    }
    async fn import_resource(&self, _req: ImportResourceRequest) -> ImportResourceResponse {
        ImportResourceResponse::default()
    }
    async fn read_data_source(&self, _req: ReadDataSourceRequest) -> ReadDataSourceResponse {
        ReadDataSourceResponse::default()
    }
}

fn fixture(tf: &str) -> (Fixture, Arc<Fake>) {
    let fake = Arc::new(Fake::default());
    let f = Fixture::new(&[("main.tf", tf)]).with_providers(vec![Arc::new(FakeProvider(fake.clone()))]);
    (f, fake)
}

#[tokio::test]
async fn failure_stops_dependents_and_keeps_completed_changes() {
    let (mut f, _) = fixture(
        r#"
resource "fake_thing" "a" { name = "a" }
resource "fake_thing" "b" {
  name = "b-${fake_thing.a.id}"
  fail = true
}
resource "fake_thing" "c" { name = fake_thing.b.id }
resource "fake_thing" "d" { name = "d" }
"#,
    );
    let p = f.plan_ok().await;
    assert_eq!(p.summary().add, 4);
    let (s, d) = f.apply_plan(&p).await;
    assert_eq!(errors(&d), vec!["fake failure"]);
    assert_eq!(d.iter().find(|x| x.is_error()).unwrap().address.as_deref(), Some("fake_thing.b"));
    assert_eq!(s.added, 2, "a and d completed");
    assert_eq!(s.skipped, 1, "c depends on the failed b");
    let st = &f.state.state;
    let names: Vec<String> = st.addresses();
    assert_eq!(names, vec!["fake_thing.a", "fake_thing.b", "fake_thing.d"]);
    let b = st.instances().find(|(a, _)| a.name == "b").unwrap().1;
    assert!(b.is_tainted(), "a created-but-failed object is saved tainted");
    // The next plan replaces the tainted object and creates c.
    f.write(&[(
        "main.tf",
        r#"
resource "fake_thing" "a" { name = "a" }
resource "fake_thing" "b" { name = "b-${fake_thing.a.id}" }
resource "fake_thing" "c" { name = fake_thing.b.id }
resource "fake_thing" "d" { name = "d" }
"#,
    )]);
    let p = f.plan_ok().await;
    assert_eq!(actions(&p), vec!["fake_thing.b DeleteThenCreate replace_because_tainted", "fake_thing.c Create"]);
}

#[tokio::test]
async fn parallelism_is_bounded_and_used() {
    let mut tf = String::new();
    for i in 0..12 {
        tf.push_str(&format!("resource \"fake_thing\" \"r{i}\" {{\n  name = \"r{i}\"\n  delay_ms = 30\n}}\n"));
    }
    let (mut f, fake) = fixture(&tf);
    let p = f.plan_ok().await;
    let mut ctx = f.ctx();
    ctx.parallelism = 3;
    let t = std::time::Instant::now();
    let (s, d) = apply(&ctx, &p, &mut f.state, &NoHook, CancellationToken::new()).await;
    assert!(!d.has_errors(), "{d}");
    assert_eq!(s.added, 12);
    assert_eq!(fake.max_running.load(Ordering::SeqCst), 3);
    assert!(t.elapsed() < Duration::from_millis(12 * 30), "ran concurrently: {:?}", t.elapsed());
}

#[tokio::test]
async fn dependents_wait_and_deletes_run_in_reverse() {
    let (mut f, fake) = fixture(
        r#"
resource "fake_thing" "a" {
  name     = "a"
  delay_ms = 20
}
resource "fake_thing" "b" { name = "b-${fake_thing.a.id}" }
resource "fake_thing" "c" { name = "c-${fake_thing.b.id}" }
"#,
    );
    f.converge().await;
    assert_eq!(*fake.applied.lock().unwrap(), vec!["+a", "+b-id-a", "+c-id-b-id-a"]);
    fake.applied.lock().unwrap().clear();
    f.write(&[("main.tf", "")]);
    let p = f.plan_ok().await;
    f.apply_plan(&p).await;
    assert_eq!(*fake.applied.lock().unwrap(), vec!["-c-id-b-id-a", "-b-id-a", "-a"]);
}

struct CancelAfterFirst(CancellationToken);
impl ApplyHook for CancelAfterFirst {
    fn pre_apply(&self, _addr: &ResourceInstanceAddress, _action: Action) {
        self.0.cancel();
    }
}

#[tokio::test]
async fn cancellation_finishes_in_flight_work_and_records_it() {
    let mut tf = String::new();
    for i in 0..5 {
        tf.push_str(&format!("resource \"fake_thing\" \"r{i}\" {{\n  name = \"r{i}\"\n  delay_ms = 50\n}}\n"));
    }
    let (mut f, _) = fixture(&tf);
    let p = f.plan_ok().await;
    let mut ctx = f.ctx();
    ctx.parallelism = 2;
    let token = CancellationToken::new();
    let hook = CancelAfterFirst(token.clone());
    let (s, d) = apply(&ctx, &p, &mut f.state, &hook, token).await;
    assert!(!d.has_errors(), "{d}");
    assert!(s.cancelled);
    assert_eq!(s.added, 2, "the two in-flight creates finished");
    assert_eq!(s.skipped, 3);
    assert_eq!(f.state.state.instances().count(), 2, "finished work is in the state");
}

#[tokio::test]
async fn every_completed_change_is_recorded_before_dependents_start() {
    let (mut f, _) = fixture(
        r#"
resource "fake_thing" "a" { name = "a" }
resource "fake_thing" "b" { name = "b-${fake_thing.a.id}" }
"#,
    );
    f.converge().await;
    // One commit for the (empty) refresh sync is skipped; a and b are separate commits.
    let sets: Vec<String> = f
        .state
        .log
        .iter()
        .filter_map(|c| match c {
            InstanceChange::Set { addr, .. } => Some(addr.name.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(sets, vec!["a", "b"]);
    assert!(f.state.commits >= 2);
}
