//! Times parsing of a large state: `cargo run --release -p plinth-state --example parse_timing`.
use plinth_state::*;
use std::time::Instant;

fn main() {
    let mut st = State::new();
    for i in 0..20_000usize {
        let addr = InstanceAddr { module: Some(format!("module.m{}", i % 20)), ..InstanceAddr::managed("aws_instance", &format!("r{i}"), None) };
        st.set_instance(&addr, "provider[\"registry.terraform.io/hashicorp/aws\"]", None, InstanceState::new(1, serde_json::json!({
            "ami": "ami-0c55b159cbfafe1f0", "arn": format!("arn:aws:ec2:eu-west-1:123456789012:instance/i-{i:017x}"),
            "id": format!("i-{i:017x}"), "tags": {"Name": format!("web-{i}"), "env": "prod"},
            "root_block_device": [{"volume_size": 20, "iops": 3000, "encrypted": true}],
        })));
    }
    let bytes = st.to_json();
    println!("{:.1} MB", bytes.len() as f64 / 1e6);
    for _ in 0..3 {
        let t = Instant::now();
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let a = t.elapsed();
        drop(v);
        let t = Instant::now();
        let s = State::from_json(&bytes).unwrap();
        let b = t.elapsed();
        let t = Instant::now();
        drop(s);
        let c = t.elapsed();
        println!("serde_json::Value {a:.2?}  State::from_json {b:.2?}  drop {c:.2?}");
    }
}
