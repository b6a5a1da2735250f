//! Benchmarks: read and write of a 20,000-resource state (~10 MB) with the local backend,
//! and journaled `record` calls (each one fsync'd before it returns).

use criterion::{criterion_group, criterion_main, Criterion};
use plinth_state::*;
use std::sync::Arc;
use std::time::{Duration, Instant};

const P: &str = "provider[\"registry.terraform.io/hashicorp/aws\"]";

fn instance(i: usize) -> InstanceState {
    let mut inst = InstanceState::new(
        1,
        serde_json::json!({
            "ami": "ami-0c55b159cbfafe1f0",
            "arn": format!("arn:aws:ec2:eu-west-1:123456789012:instance/i-{i:017x}"),
            "availability_zone": "eu-west-1a",
            "id": format!("i-{i:017x}"),
            "instance_type": "t3.micro",
            "private_ip": format!("10.0.{}.{}", i / 256 % 256, i % 256),
            "subnet_id": "subnet-0123456789abcdef0",
            "tags": {"Name": format!("web-{i}"), "env": "prod", "team": "platform"},
            "root_block_device": [{"volume_size": 20, "volume_type": "gp3", "encrypted": true, "iops": 3000}],
            "user_data": null,
            "vpc_security_group_ids": ["sg-0123456789abcdef0"],
        }),
    );
    inst.dependencies = vec!["aws_subnet.main".into(), "aws_security_group.web".into()];
    inst
}

fn big_state(n: usize) -> State {
    let mut st = State::new();
    for i in 0..n {
        let addr = InstanceAddr {
            module: Some(format!("module.m{}", i % 20)),
            ..InstanceAddr::managed("aws_instance", &format!("r{i}"), None)
        };
        st.set_instance(&addr, P, None, instance(i));
    }
    st
}

fn bench_snapshot(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let st = big_state(20_000);
    let bytes = st.to_json();
    eprintln!("20,000-resource state: {:.1} MB", bytes.len() as f64 / 1e6);
    let dir = tempfile::tempdir().unwrap();
    let b = LocalBackend::new(dir.path()).without_backup();
    rt.block_on(b.write("default", &st)).unwrap();

    let mut g = c.benchmark_group("snapshot_20000_resources");
    g.sample_size(10).measurement_time(Duration::from_secs(15));
    g.bench_function("read (parse)", |bn| bn.iter(|| rt.block_on(b.read("default")).unwrap()));
    g.bench_function("write (serialise + fsync + rename)", |bn| {
        bn.iter(|| rt.block_on(b.write("default", &st)).unwrap())
    });
    g.bench_function("to_json only", |bn| bn.iter(|| st.to_json()));
    g.finish();
}

fn change(i: usize) -> InstanceChange {
    InstanceChange::Set {
        addr: InstanceAddr::managed("aws_instance", "web", Some(IndexKey::Int(i as i64))),
        provider: P.into(),
        each: None,
        instance: instance(i),
    }
}

fn bench_record(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut g = c.benchmark_group("record");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    // Per-call cost of `record` (journal append + fdatasync), snapshots folded every 1000.
    g.bench_function("record (one fsync each)", |bn| {
        bn.iter_custom(|iters| {
            rt.block_on(async {
                let dir = tempfile::tempdir().unwrap();
                let b: Arc<dyn StateBackend> = Arc::new(LocalBackend::new(dir.path()));
                let (mut m, _) =
                    StateManager::open(b, "default", Some(LockInfo::new("bench")), Duration::ZERO).await.unwrap();
                let t = Instant::now();
                for i in 0..iters as usize {
                    m.record(change(i)).await.unwrap();
                }
                let e = t.elapsed();
                m.close().await.unwrap();
                e
            })
        })
    });
    // Group commit: 10 changes per fsync (what a parallelism-10 apply can hand over).
    g.bench_function("record_all x10 (per change)", |bn| {
        bn.iter_custom(|iters| {
            rt.block_on(async {
                let dir = tempfile::tempdir().unwrap();
                let b: Arc<dyn StateBackend> = Arc::new(LocalBackend::new(dir.path()));
                let (mut m, _) =
                    StateManager::open(b, "default", Some(LockInfo::new("bench")), Duration::ZERO).await.unwrap();
                let t = Instant::now();
                let mut i = 0usize;
                while (i as u64) < iters {
                    let n = 10.min(iters as usize - i);
                    m.record_all((i..i + n).map(change).collect()).await.unwrap();
                    i += n;
                }
                let e = t.elapsed();
                m.close().await.unwrap();
                e
            })
        })
    });
    g.finish();

    // The headline figure: 10,000 `record` calls end to end, once (each fsync'd), and the
    // same with group commit of 10.
    rt.block_on(async {
        for batch in [1usize, 10] {
            let dir = tempfile::tempdir().unwrap();
            let b: Arc<dyn StateBackend> = Arc::new(LocalBackend::new(dir.path()));
            let (mut m, _) =
                StateManager::open(b, "default", Some(LockInfo::new("bench")), Duration::ZERO).await.unwrap();
            let t = Instant::now();
            for start in (0..10_000).step_by(batch) {
                m.record_all((start..start + batch).map(change).collect()).await.unwrap();
            }
            m.close().await.unwrap();
            let snap = std::fs::metadata(dir.path().join("terraform.tfstate")).unwrap().len();
            eprintln!(
                "10,000 record calls (batch {batch}): {:.2?} total including 10 snapshot folds + close; final snapshot {:.1} MB",
                t.elapsed(),
                snap as f64 / 1e6
            );
        }
    });
    // 10,000 changes from 10 concurrent tasks through a group-committing `Recorder`.
    rt.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let b: Arc<dyn StateBackend> = Arc::new(LocalBackend::new(dir.path()));
        let (m, _) = StateManager::open(b, "default", Some(LockInfo::new("bench")), Duration::ZERO).await.unwrap();
        let t = Instant::now();
        let (rec, task) = m.into_recorder();
        let mut tasks = Vec::new();
        for w in 0..10usize {
            let rec = rec.clone();
            tasks.push(tokio::spawn(async move {
                for i in 0..1000 {
                    rec.record(change(w * 1000 + i)).await.unwrap();
                }
            }));
        }
        drop(rec);
        for t in tasks {
            t.await.unwrap();
        }
        let m = task.finish().await.unwrap();
        let fsyncs = m.journal_fsyncs();
        m.close().await.unwrap();
        eprintln!("10,000 record calls from 10 concurrent tasks (Recorder): {:.2?}, {fsyncs} journal fsyncs", t.elapsed());
    });
}

criterion_group!(benches, bench_snapshot, bench_record);
criterion_main!(benches);
