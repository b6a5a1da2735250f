//! Read + write of a 20,000-resource state on each backend whose server is up
//! (`scripts/services.sh start`), best of 3 runs each; prints a table for the README.
//! Run: `cargo bench -p plinth-backends --bench backends`.

#[path = "../tests/common/mod.rs"]
mod common;
use common::*;
use plinth_state::*;
use std::time::{Duration, Instant};

/// The same 20,000-resource state as plinth-state's benchmark (≈10 MB).
fn big_state(n: usize) -> State {
    let mut st = State::new();
    for i in 0..n {
        let addr = InstanceAddr { module: Some(format!("module.m{}", i % 20)), ..InstanceAddr::managed("aws_instance", &format!("r{i}"), None) };
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
        st.set_instance(&addr, "provider[\"registry.terraform.io/hashicorp/aws\"]", None, inst);
    }
    st
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    rt.block_on(async {
        let n = 20_000;
        let st = big_state(n);
        let bytes = st.to_json().len();
        println!("state: {n} resources, {:.1} MB", bytes as f64 / 1e6);
        println!("{:<14} {:>10} {:>10}", "backend", "write", "read");
        for t in targets("bench").await {
            let b = t.backend();
            let (mut best_w, mut best_r) = (Duration::MAX, Duration::MAX);
            for _ in 0..3 {
                let _ = b.read("default").await; // conditional write on what is there
                let t0 = Instant::now();
                if let Err(e) = b.write("default", &st).await {
                    println!("{:<14} write failed: {e}", t.label());
                    break;
                }
                best_w = best_w.min(t0.elapsed());
                let t0 = Instant::now();
                let back = b.read("default").await.expect("read").expect("state");
                best_r = best_r.min(t0.elapsed());
                assert_eq!(back.resources.len(), st.resources.len());
            }
            println!("{:<14} {:>8.0}ms {:>8.0}ms", t.label(), best_w.as_secs_f64() * 1e3, best_r.as_secs_f64() * 1e3);
        }
    });
}
