//! Criterion benchmark for issue 2's target: load and evaluate a generated configuration of
//! 10,000 resources with references, `count`, `for_each` and modules in under 300 ms and
//! under 200 MB peak memory (2-core machine).
//!
//! The configuration: 2,000 root resources (1,000 with `count`, 1,000 with `for_each`, each
//! referring to the previous one) and 8 calls (each with `for_each`) of a module whose
//! 1,000 resources refer to its variables and to each other: 10,000 resource blocks loaded,
//! their references extracted and every expression (count, for_each, attributes) evaluated.
//!
//! `cargo bench -p plinth-lang --bench load_eval` prints the time per iteration and, at the
//! end, the process's peak resident memory (VmHWM).

use criterion::{criterion_group, criterion_main, Criterion};
use plinth_lang::{eval_expr, load_config, references, EvalContext, Module, Reference, Scope};
use plinth_sdk::{Diagnostic, SourceRange, Type, Value};
use std::fmt::Write;
use std::path::Path;
use std::time::Duration;

// The allocator the `plinth` binary is meant to ship with (as the engine's scale example
// uses); `PLINTH_BENCH_VERBOSE=1` prints per-phase figures.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const MODULE_CALLS: usize = 8;
const PER_MODULE: usize = 1000;
const ROOT_PAIRS: usize = 1000;

fn generate(dir: &Path) {
    let mut root = String::from(
        "variable \"prefix\" {\n  type    = string\n  default = \"plinth\"\n}\n\nlocals {\n  zones = [\"a\", \"b\", \"c\"]\n}\n\n",
    );
    for i in 0..MODULE_CALLS {
        writeln!(
            root,
            "module \"svc{i}\" {{\n  for_each = toset([\"blue\", \"green\"])\n  source   = \"./svc\"\n  name     = \"${{var.prefix}}-{i}-${{each.key}}\"\n}}\n"
        )
        .unwrap();
    }
    for n in 0..ROOT_PAIRS {
        let prev_c = if n == 0 { "\"root\"".to_string() } else { format!("terraform_data.c{}[0].id", n - 1) };
        let prev_e = if n == 0 { "\"root\"".to_string() } else { format!("terraform_data.e{}[\"a\"].id", n - 1) };
        writeln!(
            root,
            "resource \"terraform_data\" \"c{n}\" {{\n  count            = 2\n  input            = \"${{var.prefix}}-{n}-${{count.index}}\"\n  triggers_replace = [{prev_c}]\n}}\n\nresource \"terraform_data\" \"e{n}\" {{\n  for_each = toset(local.zones)\n  input = {{\n    zone = each.key\n    prev = {prev_e}\n    tags = {{ for k in local.zones : k => upper(k) }}\n  }}\n}}\n"
        )
        .unwrap();
    }
    std::fs::write(dir.join("main.tf"), root).unwrap();
    let svc = dir.join("svc");
    std::fs::create_dir_all(&svc).unwrap();
    let mut m = String::from("variable \"name\" {\n  type = string\n}\n\n");
    for n in 0..PER_MODULE {
        let prev = if n == 0 { "var.name".to_string() } else { format!("terraform_data.r{}[0].output", n - 1) };
        writeln!(
            m,
            "resource \"terraform_data\" \"r{n}\" {{\n  count = {n} % 2 + 1\n  input = {{\n    name = \"${{var.name}}-{n}\"\n    prev = {prev}\n    size = max(1, {n} % 7) * 2\n  }}\n}}\n"
        )
        .unwrap();
    }
    std::fs::write(svc.join("main.tf"), m).unwrap();
}

/// Answers references as the engine would at plan time for a first create: variables and
/// locals known, resources unknown.
struct PlanScope;
impl Scope for PlanScope {
    fn lookup(&self, r: &Reference, _: &SourceRange) -> Result<Value, Diagnostic> {
        Ok(match r {
            Reference::Var(_) => Value::string("plinth"),
            Reference::Local(_) => Value::Tuple(vec![Value::string("a"), Value::string("b"), Value::string("c")]),
            Reference::CountIndex => Value::number(0),
            Reference::EachKey | Reference::EachValue => Value::string("a"),
            Reference::PathModule | Reference::PathRoot | Reference::PathCwd => Value::string("."),
            Reference::TerraformWorkspace => Value::string("default"),
            _ => Value::Unknown(Type::Dynamic),
        })
    }
}

/// Loads, extracts references and evaluates everything; returns how many resource blocks.
fn load_and_evaluate(dir: &Path) -> usize {
    let verbose = std::env::var_os("PLINTH_BENCH_VERBOSE").is_some();
    let cpu0 = thread_cpu_ms();
    let t = std::time::Instant::now();
    let (config, diags) = load_config(dir);
    let load_time = t.elapsed();
    let cpu_load = thread_cpu_ms() - cpu0;
    assert!(!diags.has_errors(), "{diags}");
    let config = config.expect("config");
    let ctx = EvalContext { scope: &PlanScope, cwd: dir };
    let mut blocks = 0;
    let modules: Vec<&Module> = config.root.walk();
    for m in modules {
        for call in m.module_calls.values() {
            if let Some(fe) = &call.for_each {
                let _ = eval_expr(fe, &ctx);
            }
            for input in call.inputs.values() {
                let _ = eval_expr(&input.expr, &ctx);
            }
        }
        for r in m.resources.values() {
            blocks += 1;
            for e in r.count.iter().chain(r.for_each.iter()) {
                let _ = references(e);
                let (v, d) = eval_expr(e, &ctx);
                assert!(!d.has_errors(), "{d}");
                std::hint::black_box(v);
            }
            let _ = r.body.references();
            for a in r.body.attributes.values() {
                let (v, d) = eval_expr(&a.expr, &ctx);
                assert!(!d.has_errors(), "{d}");
                std::hint::black_box(v);
            }
        }
    }
    if verbose {
        let cpu_eval = thread_cpu_ms() - cpu0 - cpu_load;
        let t2 = std::time::Instant::now();
        drop(config);
        let cpu_drop = thread_cpu_ms() - cpu0 - cpu_load - cpu_eval;
        eprintln!(
            "wall load: {load_time:?} evaluate: {:?} drop: {:?} | main-thread cpu ms load: {cpu_load:.1} evaluate: {cpu_eval:.1} drop: {cpu_drop:.1}",
            t.elapsed() - load_time - t2.elapsed(),
            t2.elapsed()
        );
    }
    blocks
}

/// CPU time of the calling thread in milliseconds (from /proc; 0 where unavailable).
fn thread_cpu_ms() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|n| n.parse::<f64>().ok()))
        .map(|ns| ns / 1e6)
        .unwrap_or(0.0)
}

fn peak_rss_mb() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path());
    assert_eq!(load_and_evaluate(dir.path()), ROOT_PAIRS * 2 + MODULE_CALLS * PER_MODULE);
    let mut g = c.benchmark_group("lang");
    g.sample_size(20).measurement_time(Duration::from_secs(15));
    g.bench_function("load_and_evaluate_10000_resources", |b| b.iter(|| load_and_evaluate(dir.path())));
    g.finish();
    if let Some(mb) = peak_rss_mb() {
        println!("peak resident memory of the benchmark process: {mb:.0} MB");
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
