//! Scale check: plans and applies N `terraform_data` resources (half of them depending on
//! the other half) with a journaled local state in a temporary directory, then plans again
//! (no-op), and prints wall times and peak memory.
//!
//! `cargo run --release -p plinth-engine --example scale -- 2000 [single|count]`

use plinth_engine::*;
use plinth_state::{LocalBackend, StateManager};
use std::sync::Arc;
use std::time::Instant;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(|l| l.split_whitespace().nth(1).unwrap_or("0").parse::<f64>().unwrap_or(0.0)))
        .unwrap_or(0.0)
        / 1024.0
}

/// The benchmark configuration: `count` form (two blocks) or one block per resource.
pub fn config(n: usize, style: &str) -> String {
    let half = n / 2;
    if style == "count" {
        format!(
            "resource \"terraform_data\" \"a\" {{\n  count = {half}\n  input = \"a-${{count.index}}\"\n}}\nresource \"terraform_data\" \"b\" {{\n  count = {half}\n  input = terraform_data.a[count.index].id\n}}\n"
        )
    } else {
        let mut s = String::new();
        for i in 0..half {
            s.push_str(&format!("resource \"terraform_data\" \"a{i}\" {{\n  input = \"a-{i}\"\n}}\nresource \"terraform_data\" \"b{i}\" {{\n  input = terraform_data.a{i}.id\n}}\n"));
        }
        s
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(2000);
    let style = args.get(2).cloned().unwrap_or_else(|| "count".into());
    if std::env::var_os("PLINTH_LOG").is_some() {
        tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::from_env("PLINTH_LOG")).with_writer(std::io::stderr).init();
    }
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    rt.block_on(async move {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("main.tf"), config(n, &style)).expect("write");
        let t = Instant::now();
        let (cfg, d) = plinth_lang::load_config(dir.path());
        assert!(!d.has_errors(), "{d}");
        let load = t.elapsed();
        let ctx = Context {
            config: Arc::new(cfg.expect("config")),
            providers: Arc::new(ProviderRegistry::new(plinth_provider_builtin::providers())),
            variables: Default::default(),
            workspace: "default".into(),
            cwd: dir.path().to_path_buf(),
            parallelism: 10,
        };
        let backend = Arc::new(LocalBackend::new(dir.path()));
        let (mut mgr, _) = StateManager::open(backend.clone(), "default", None, std::time::Duration::ZERO).await.expect("open");
        let t = Instant::now();
        let (p, d) = plan(&ctx, mgr.state(), &PlanOptions::default()).await;
        assert!(!d.has_errors(), "{d}");
        let p = p.expect("plan");
        let plan_create = t.elapsed();
        assert_eq!(p.summary().add, n);
        let t = Instant::now();
        let (s, d) = apply(&ctx, &p, &mut mgr, &NoHook, CancellationToken::new()).await;
        assert!(!d.has_errors(), "{d}");
        assert_eq!(s.added, n);
        mgr.close().await.expect("close");
        let apply_t = t.elapsed();
        let (mgr, _) = StateManager::open(backend, "default", None, std::time::Duration::ZERO).await.expect("open");
        let t = Instant::now();
        let (p2, d) = plan(&ctx, mgr.state(), &PlanOptions::default()).await;
        assert!(!d.has_errors(), "{d}");
        assert!(!p2.expect("plan").has_changes());
        let noop = t.elapsed();
        println!(
            "n={n} style={style} load={:.3}s plan(create)={:.3}s apply={:.3}s plan(no-op, refresh)={:.3}s peak_rss={:.0}MB",
            load.as_secs_f64(),
            plan_create.as_secs_f64(),
            apply_t.as_secs_f64(),
            noop.as_secs_f64(),
            peak_rss_mb()
        );
    });
}
