//! End to end against moto: the `plinth` binary (built with the `aws` feature) applies the
//! network module and the whole reconciliation platform (`examples/reconciliation-platform/aws`),
//! then checks: no changes on a second plan, in-place updates (`~`), replacements (`-/+` with
//! `# forces replacement`), drift made through the AWS SDK shown and repaired, `plinth import`
//! and `import` blocks, an API failure in the middle of an apply (error against the right
//! address, everything else kept, a later apply finishes), operations moto lacks reported
//! clearly, and `destroy` leaving nothing of ours behind (listed through the SDK).
//!
//! Needs `PLINTH_TEST_MOTO_ENDPOINT` (`bash scripts/services.sh start moto && . .tools/services.env`);
//! skips, saying so, without it.
//! `cargo test -p plinth --features aws --test e2e_aws_platform`

#![cfg(feature = "aws")]

mod e2e_support;
use e2e_support::{copy_dir, plinth_bin, repo_root, Run};

use plinth_provider_aws::sdk;
use serde_json::Value as Json;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

// ---- running plinth against moto ---------------------------------------------------------

fn moto(test: &str) -> Option<String> {
    match std::env::var("PLINTH_TEST_MOTO_ENDPOINT") {
        Ok(ep) if !ep.is_empty() => Some(ep),
        _ => {
            println!("skipping {test}: PLINTH_TEST_MOTO_ENDPOINT is not set (bash scripts/services.sh start moto && . .tools/services.env)");
            None
        }
    }
}

/// `plinth ARGS` in `dir` with only `AWS_ENDPOINT_URL` and dummy credentials in its
/// environment (nothing from the developer's AWS, TF_ or PLINTH_ settings).
fn run(dir: &Path, ep: &str, args: &[&str]) -> Run {
    let mut c = Command::new(plinth_bin());
    c.args(args).current_dir(dir);
    for (k, _) in std::env::vars() {
        if k.starts_with("TF_") || k.starts_with("PLINTH_") || k.starts_with("AWS_") {
            c.env_remove(k);
        }
    }
    c.env("TF_CLI_CONFIG_FILE", "/dev/null")
        .env("NO_COLOR", "1")
        .env("TF_IN_AUTOMATION", "1")
        .env("AWS_ENDPOINT_URL", ep)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
    let t = Instant::now();
    let o = c.output().expect("run plinth");
    let r = Run {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    };
    println!(
        "plinth {} -> exit {} in {:.1} s",
        args.join(" "),
        r.code,
        t.elapsed().as_secs_f64()
    );
    r
}

fn ok(r: Run, what: &str) -> Run {
    assert_eq!(
        r.code, 0,
        "{what} failed (exit {}):\nstdout:\n{}\nstderr:\n{}",
        r.code, r.stdout, r.stderr
    );
    r
}

fn code(r: &Run, want: i32, what: &str) {
    assert_eq!(
        r.code, want,
        "{what}: expected exit {want}, got {}:\nstdout:\n{}\nstderr:\n{}",
        r.code, r.stdout, r.stderr
    );
}

/// The "Plan: a to add, c to change, d to destroy." / "Apply complete! Resources: …" counts.
fn counts(text: &str, prefix: &str) -> Option<(usize, usize, usize)> {
    let line = text.lines().find(|l| l.trim_start().starts_with(prefix))?;
    let nums: Vec<usize> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse().ok())
        .collect();
    match nums.as_slice() {
        [.., a, c, d] => Some((*a, *c, *d)),
        _ => None,
    }
}

/// The plan's header line for an address: `  # ADDR will be updated in-place` etc.
fn header<'a>(plan: &'a str, addr: &str) -> Option<&'a str> {
    let want = format!("# {addr} ");
    // The change, not the note about drift ("has changed", "has been deleted") above it.
    plan.lines()
        .filter(|l| l.trim_start().starts_with(&want))
        .rfind(|l| !l.ends_with("has changed") && !l.ends_with("has been deleted"))
}

fn assert_action(plan: &str, addr: &str, action: &str) {
    match header(plan, addr) {
        Some(h) => assert!(
            h.contains(action),
            "{addr}: expected \"{action}\", got \"{}\"\nplan:\n{plan}",
            h.trim()
        ),
        None => panic!("{addr} is not in the plan (expected \"{action}\"):\n{plan}"),
    }
}

/// The text of one resource's block in a rendered plan (from its `# addr` header to the next).
fn block<'a>(plan: &'a str, addr: &str) -> &'a str {
    let want = format!("# {addr} ");
    // The last one: the change section follows the drift notes.
    let Some(start) = plan.rfind(&want) else {
        return "";
    };
    let rest = &plan[start + want.len()..];
    let end = rest.find("\n  # ").map(|e| e + 1).unwrap_or(rest.len());
    &rest[..end]
}

// ---- state ------------------------------------------------------------------------------

fn state(dir: &Path) -> Json {
    let text = std::fs::read_to_string(dir.join("terraform.tfstate")).expect("terraform.tfstate");
    serde_json::from_str(&text).expect("state JSON")
}

/// An attribute of a managed resource instance in the state: `module` is `""` for the root,
/// `key` is `Json::Null` for a resource without count/for_each.
fn attr(dir: &Path, module: &str, ty: &str, name: &str, key: Json, attr: &str) -> String {
    let st = state(dir);
    for r in st["resources"].as_array().into_iter().flatten() {
        let m = r["module"].as_str().unwrap_or("");
        if m == module && r["type"] == ty && r["name"] == name && r["mode"] == "managed" {
            for i in r["instances"].as_array().into_iter().flatten() {
                if i.get("index_key").cloned().unwrap_or(Json::Null) == key {
                    return i["attributes"][attr]
                        .as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| i["attributes"][attr].to_string());
                }
            }
        }
    }
    panic!("{module} {ty}.{name}[{key}] not in state")
}

fn addresses(dir: &Path, ep: &str) -> Vec<String> {
    let r = run(dir, ep, &["state", "list"]);
    if r.code != 0 {
        return Vec::new();
    }
    r.stdout
        .lines()
        .map(str::to_string)
        .filter(|l| !l.is_empty())
        .collect()
}

// ---- the AWS SDK, for drift and for checking what is left ---------------------------------

macro_rules! client {
    ($svc:ident, $ep:expr) => {{
        use sdk::$svc::config::{BehaviorVersion, Credentials, Region};
        let conf = sdk::$svc::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url($ep)
            .credentials_provider(Credentials::new("test", "test", None, None, "plinth-e2e"))
            .build();
        sdk::$svc::Client::from_conf(conf)
    }};
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

fn ec2_filter(name: &str, value: &str) -> sdk::ec2::types::Filter {
    sdk::ec2::types::Filter::builder()
        .name(name)
        .values(value)
        .build()
}

/// EC2 objects still there whose tag `key` is `value` (NAT gateways and instances in a
/// terminal state do not count).
fn ec2_leftovers(ep: &str, key: &str, value: &str) -> Vec<String> {
    let ec2 = client!(ec2, ep);
    let f = || ec2_filter(&format!("tag:{key}"), value);
    rt().block_on(async {
        let mut left = Vec::new();
        let v = ec2
            .describe_vpcs()
            .filters(f())
            .send()
            .await
            .expect("DescribeVpcs");
        left.extend(
            v.vpcs()
                .iter()
                .map(|x| format!("vpc {}", x.vpc_id().unwrap_or(""))),
        );
        let s = ec2
            .describe_subnets()
            .filters(f())
            .send()
            .await
            .expect("DescribeSubnets");
        left.extend(
            s.subnets()
                .iter()
                .map(|x| format!("subnet {}", x.subnet_id().unwrap_or(""))),
        );
        let g = ec2
            .describe_internet_gateways()
            .filters(f())
            .send()
            .await
            .expect("DescribeInternetGateways");
        left.extend(
            g.internet_gateways()
                .iter()
                .map(|x| format!("igw {}", x.internet_gateway_id().unwrap_or(""))),
        );
        let r = ec2
            .describe_route_tables()
            .filters(f())
            .send()
            .await
            .expect("DescribeRouteTables");
        left.extend(
            r.route_tables()
                .iter()
                .map(|x| format!("rtb {}", x.route_table_id().unwrap_or(""))),
        );
        let sg = ec2
            .describe_security_groups()
            .filters(f())
            .send()
            .await
            .expect("DescribeSecurityGroups");
        left.extend(
            sg.security_groups()
                .iter()
                .map(|x| format!("sg {}", x.group_id().unwrap_or(""))),
        );
        let a = ec2
            .describe_addresses()
            .filters(f())
            .send()
            .await
            .expect("DescribeAddresses");
        left.extend(
            a.addresses()
                .iter()
                .map(|x| format!("eip {}", x.allocation_id().unwrap_or(""))),
        );
        // moto ignores tag filters on DescribeNatGateways: filter here.
        let n = ec2
            .describe_nat_gateways()
            .send()
            .await
            .expect("DescribeNatGateways");
        left.extend(
            n.nat_gateways()
                .iter()
                .filter(|x| {
                    x.tags()
                        .iter()
                        .any(|t| t.key() == Some(key) && t.value() == Some(value))
                })
                .filter(|x| {
                    !matches!(
                        x.state(),
                        Some(sdk::ec2::types::NatGatewayState::Deleted)
                            | Some(sdk::ec2::types::NatGatewayState::Deleting)
                    )
                })
                .map(|x| format!("nat {}", x.nat_gateway_id().unwrap_or(""))),
        );
        left
    })
}

fn unique(prefix: &str) -> String {
    let n = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let mixed = (n / 1000) as u64 ^ ((std::process::id() as u64) << 20);
    format!("{prefix}{:06x}", mixed % 0xff_ffff)
}

// ---- the network module on its own ---------------------------------------------------------

const NETWORK_MAIN: &str = r#"
terraform {
  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
  }
}

provider "aws" {
  region = "us-east-1"
}

variable "name" {
  type = string
}

variable "single_nat_gateway" {
  type    = bool
  default = true
}

module "network" {
  source = "../modules/network"

  name               = var.name
  cidr_block         = "10.42.0.0/16"
  single_nat_gateway = var.single_nat_gateway
  tags               = { Test = var.name }
}

output "private_subnet_ids" {
  value = module.network.private_subnet_ids
}
"#;

#[test]
fn network_module_lifecycle() {
    let Some(ep) = moto("network_module_lifecycle") else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    copy_dir(&repo_root().join("modules"), &tmp.path().join("modules"));
    let dir = tmp.path().join("net");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("main.tf"), NETWORK_MAIN).expect("write main.tf");
    let name = unique("net-");
    std::fs::write(dir.join("terraform.tfvars"), format!("name = \"{name}\"\n")).expect("tfvars");
    let dir = dir.as_path();
    let ep = ep.as_str();

    ok(run(dir, ep, &["init", "-input=false"]), "init");

    // From empty: 18 resources (vpc, 2+2 subnets, igw, eip, nat, 3 route tables, 3 routes, 4 associations).
    let t = Instant::now();
    let apply = ok(
        run(dir, ep, &["apply", "-input=false", "-auto-approve"]),
        "first apply",
    );
    println!(
        "network: apply from empty in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    assert_eq!(
        counts(&apply.stdout, "Apply complete!"),
        Some((18, 0, 0)),
        "{}",
        apply.stdout
    );
    let listed = addresses(dir, ep);
    assert!(
        listed.contains(&"module.network.aws_nat_gateway.this[0]".to_string()),
        "{listed:?}"
    );
    assert!(
        listed.contains(&"module.network.data.aws_availability_zones.available".to_string()),
        "{listed:?}"
    );

    // Nothing to do the second time.
    let again = run(dir, ep, &["plan", "-input=false", "-detailed-exitcode"]);
    code(&again, 0, "second plan");
    assert!(again.stdout.contains("No changes."), "{}", again.stdout);

    // In place: a NAT gateway per zone adds one EIP and one NAT gateway, and re-points the
    // second private route (`~`, nat_gateway_id).
    let per_zone = run(
        dir,
        ep,
        &[
            "plan",
            "-input=false",
            "-detailed-exitcode",
            "-var",
            "single_nat_gateway=false",
        ],
    );
    code(&per_zone, 2, "per-zone NAT plan");
    assert_action(
        &per_zone.stdout,
        "module.network.aws_route.private_nat[1]",
        "will be updated in-place",
    );
    assert!(
        block(&per_zone.stdout, "module.network.aws_route.private_nat[1]")
            .contains("~ nat_gateway_id"),
        "{}",
        per_zone.stdout
    );
    assert_action(
        &per_zone.stdout,
        "module.network.aws_nat_gateway.this[1]",
        "will be created",
    );
    assert_eq!(
        counts(&per_zone.stdout, "Plan:"),
        Some((2, 1, 0)),
        "{}",
        per_zone.stdout
    );
    let applied = ok(
        run(
            dir,
            ep,
            &[
                "apply",
                "-input=false",
                "-auto-approve",
                "-var",
                "single_nat_gateway=false",
            ],
        ),
        "per-zone NAT apply",
    );
    assert_eq!(
        counts(&applied.stdout, "Apply complete!"),
        Some((2, 1, 0)),
        "{}",
        applied.stdout
    );
    let nat1 = attr(
        dir,
        "module.network",
        "aws_nat_gateway",
        "this",
        Json::from(1),
        "id",
    );
    assert_eq!(
        attr(
            dir,
            "module.network",
            "aws_route",
            "private_nat",
            Json::from(1),
            "nat_gateway_id"
        ),
        nat1
    );
    code(
        &run(
            dir,
            ep,
            &[
                "plan",
                "-input=false",
                "-detailed-exitcode",
                "-var",
                "single_nat_gateway=false",
            ],
        ),
        0,
        "plan after per-zone NAT",
    );
    // And back (the second NAT gateway and its EIP are destroyed).
    let back = ok(
        run(dir, ep, &["apply", "-input=false", "-auto-approve"]),
        "back to one NAT gateway",
    );
    assert_eq!(
        counts(&back.stdout, "Apply complete!"),
        Some((0, 1, 2)),
        "{}",
        back.stdout
    );

    // Drift made through the SDK: a private subnet deleted, the VPC's Name tag changed and a
    // tag added.
    let vpc = attr(dir, "module.network", "aws_vpc", "this", Json::Null, "id");
    let private1 = attr(
        dir,
        "module.network",
        "aws_subnet",
        "private",
        Json::from(1),
        "id",
    );
    let ec2 = client!(ec2, ep);
    rt().block_on(async {
        ec2.delete_subnet()
            .subnet_id(&private1)
            .send()
            .await
            .expect("DeleteSubnet");
        ec2.create_tags()
            .resources(&vpc)
            .tags(
                sdk::ec2::types::Tag::builder()
                    .key("Name")
                    .value("renamed-by-hand")
                    .build(),
            )
            .tags(
                sdk::ec2::types::Tag::builder()
                    .key("Rogue")
                    .value("yes")
                    .build(),
            )
            .send()
            .await
            .expect("CreateTags");
    });
    let drift = run(dir, ep, &["plan", "-input=false", "-detailed-exitcode"]);
    code(&drift, 2, "plan after drift");
    assert!(
        drift
            .stdout
            .contains("Objects have changed outside of Plinth"),
        "{}",
        drift.stdout
    );
    assert!(
        drift
            .stdout
            .contains("# module.network.aws_subnet.private[1] has been deleted"),
        "{}",
        drift.stdout
    );
    assert!(
        drift
            .stdout
            .contains("# module.network.aws_vpc.this has changed"),
        "{}",
        drift.stdout
    );
    assert_action(
        &drift.stdout,
        "module.network.aws_subnet.private[1]",
        "will be created",
    );
    assert_action(
        &drift.stdout,
        "module.network.aws_vpc.this",
        "will be updated in-place",
    );
    let vpc_block = block(&drift.stdout, "module.network.aws_vpc.this");
    assert!(
        vpc_block.contains("renamed-by-hand") && vpc_block.contains("Rogue"),
        "{vpc_block}"
    );
    let repaired = ok(
        run(dir, ep, &["apply", "-input=false", "-auto-approve"]),
        "apply repairing drift",
    );
    assert!(
        repaired
            .stdout
            .contains("module.network.aws_subnet.private[1]: Creation complete"),
        "{}",
        repaired.stdout
    );
    code(
        &run(dir, ep, &["plan", "-input=false", "-detailed-exitcode"]),
        0,
        "plan after repair",
    );
    let new_private1 = attr(
        dir,
        "module.network",
        "aws_subnet",
        "private",
        Json::from(1),
        "id",
    );
    assert_ne!(new_private1, private1);
    let tags = rt().block_on(async {
        ec2.describe_vpcs()
            .vpc_ids(&vpc)
            .send()
            .await
            .expect("DescribeVpcs")
            .vpcs()[0]
            .tags()
            .to_vec()
    });
    assert!(
        tags.iter()
            .any(|t| t.key() == Some("Name") && t.value() == Some(name.as_str())),
        "{tags:?}"
    );
    assert!(!tags.iter().any(|t| t.key() == Some("Rogue")), "{tags:?}");

    // `plinth import`: forget a subnet, import it by ID, and the plan is clean again.
    let public0 = attr(
        dir,
        "module.network",
        "aws_subnet",
        "public",
        Json::from(0),
        "id",
    );
    ok(
        run(
            dir,
            ep,
            &["state", "rm", "module.network.aws_subnet.public[0]"],
        ),
        "state rm",
    );
    let imp = ok(
        run(
            dir,
            ep,
            &[
                "import",
                "-input=false",
                "module.network.aws_subnet.public[0]",
                &public0,
            ],
        ),
        "import",
    );
    assert!(imp.stdout.contains("Import successful!"), "{}", imp.stdout);
    assert_eq!(
        attr(
            dir,
            "module.network",
            "aws_subnet",
            "public",
            Json::from(0),
            "id"
        ),
        public0
    );
    code(
        &run(dir, ep, &["plan", "-input=false", "-detailed-exitcode"]),
        0,
        "plan after import",
    );

    // An API failure in the middle of an apply: the subnet's CIDR is outside the VPC (valid
    // syntax, so only EC2 refuses it). The security group next to it is created and kept; the
    // group that needs the subnet is not attempted; a corrected apply finishes the job.
    let bad = |cidr: &str| {
        format!(
            r#"
resource "aws_security_group" "independent" {{
  name   = "${{var.name}}-independent"
  vpc_id = module.network.vpc_id
  tags   = {{ Test = var.name }}
}}

resource "aws_subnet" "extra" {{
  vpc_id     = module.network.vpc_id
  cidr_block = "{cidr}"
  tags       = {{ Test = var.name }}
}}

resource "aws_security_group" "needs_extra" {{
  name   = "${{var.name}}-needs-extra"
  vpc_id = module.network.vpc_id
  tags   = {{ Test = var.name, Subnet = aws_subnet.extra.id }}
}}
"#
        )
    };
    std::fs::write(dir.join("extra.tf"), bad("10.99.0.0/24")).expect("write extra.tf");
    let failed = run(dir, ep, &["apply", "-input=false", "-auto-approve"]);
    code(&failed, 1, "apply with a CIDR outside the VPC");
    let all = format!("{}{}", failed.stdout, failed.stderr);
    assert!(
        all.contains("aws_subnet.extra"),
        "the error names the address:\n{all}"
    );
    assert!(all.contains("creating EC2 Subnet"), "{all}");
    assert!(
        all.contains("InvalidSubnet.Range") || all.contains("10.99.0.0/24"),
        "{all}"
    );
    let listed = addresses(dir, ep);
    assert!(
        listed.contains(&"aws_security_group.independent".to_string()),
        "{listed:?}"
    );
    assert!(
        !listed
            .iter()
            .any(|a| a == "aws_subnet.extra" || a == "aws_security_group.needs_extra"),
        "{listed:?}"
    );
    assert!(
        listed.contains(&"module.network.aws_vpc.this".to_string()),
        "{listed:?}"
    );
    std::fs::write(dir.join("extra.tf"), bad("10.42.200.0/24")).expect("write extra.tf");
    let fixed = ok(
        run(dir, ep, &["apply", "-input=false", "-auto-approve"]),
        "apply after fixing the CIDR",
    );
    assert_eq!(
        counts(&fixed.stdout, "Apply complete!"),
        Some((2, 0, 0)),
        "{}",
        fixed.stdout
    );
    code(
        &run(dir, ep, &["plan", "-input=false", "-detailed-exitcode"]),
        0,
        "plan after the fix",
    );

    // Destroy leaves nothing tagged with our name.
    let t = Instant::now();
    let destroy = ok(
        run(dir, ep, &["destroy", "-input=false", "-auto-approve"]),
        "destroy",
    );
    println!("network: destroy in {:.1} s", t.elapsed().as_secs_f64());
    assert!(
        destroy
            .stdout
            .contains("Destroy complete! Resources: 21 destroyed."),
        "{}",
        destroy.stdout
    );
    assert!(addresses(dir, ep).is_empty(), "state still lists resources");
    let left = ec2_leftovers(ep, "Test", &name);
    assert!(left.is_empty(), "left behind in moto: {left:?}");
}

// ---- the whole platform ------------------------------------------------------------------

/// True when an SDK call failed because the object does not exist.
fn not_found<T, E: std::error::Error>(r: Result<T, E>) -> bool {
    match r {
        Ok(_) => false,
        Err(e) => {
            let text = sdk::ec2::error::DisplayErrorContext(&e).to_string();
            [
                "NotFound",
                "NoSuch",
                "not found",
                "does not exist",
                "ResourceNotFound",
                "404",
                "InvalidParameterValue",
            ]
            .iter()
            .any(|w| text.contains(w))
        }
    }
}

/// staging.tfvars with text replacements (the test's own variants of the environment).
fn tfvars(dir: &Path, file: &str, edits: &[(&str, &str)], extra: &str) {
    let mut text = std::fs::read_to_string(dir.join("staging.tfvars")).expect("staging.tfvars");
    for (from, to) in edits {
        assert!(text.contains(from), "staging.tfvars has no {from:?}");
        text = text.replacen(from, to, 1);
    }
    text.push_str(extra);
    std::fs::write(dir.join(file), text).expect("write tfvars");
}

#[test]
fn platform_lifecycle() {
    let Some(ep) = moto("platform_lifecycle") else {
        return;
    };
    let ep = ep.as_str();

    // The cluster module attaches AWS-managed policies, which moto has only when started with
    // MOTO_IAM_LOAD_MANAGED_POLICIES=true (scripts/services.sh does).
    let iam = client!(iam, ep);
    let managed = rt().block_on(
        iam.get_policy()
            .policy_arn("arn:aws:iam::aws:policy/AmazonEKSClusterPolicy")
            .send(),
    );
    assert!(
        managed.is_ok(),
        "moto at {ep} has no AWS-managed IAM policies: start it with MOTO_IAM_LOAD_MANAGED_POLICIES=true (scripts/services.sh does)"
    );

    let tmp = tempfile::tempdir().expect("tempdir");
    copy_dir(&repo_root().join("modules"), &tmp.path().join("modules"));
    let dir = tmp.path().join("examples/reconciliation-platform/aws");
    copy_dir(
        &repo_root().join("examples/reconciliation-platform/aws"),
        &dir,
    );
    let dir = dir.as_path();
    let project = unique("p");
    std::fs::write(
        dir.join("test.auto.tfvars"),
        format!("project = \"{project}\"\n"),
    )
    .expect("auto tfvars");
    let name = format!("{project}-staging");

    ok(run(dir, ep, &["init", "-input=false"]), "init");
    let with = |cmd: &[&str], vf: &str| -> Vec<String> {
        let mut v: Vec<String> = cmd.iter().map(|s| s.to_string()).collect();
        v.push("-input=false".into());
        v.push(format!("-var-file={vf}"));
        v
    };
    let go = |args: Vec<String>| {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        run(dir, ep, &a)
    };

    // 1. From empty. 73 resources: network 18, web 18 (7 security group + rules, zone,
    //    certificate, 2 validation records, validation, lb, target group, 2 listeners, 2
    //    alias records), postgres 5, redis 4, cluster 8 (2 roles, 4 attachments, cluster,
    //    node group), secrets 16 (5 random_password, 5 secrets, 5 versions, random_id), assets 4.
    let t = Instant::now();
    let first = go(with(&["apply", "-auto-approve"], "staging.tfvars"));
    let first_secs = t.elapsed().as_secs_f64();
    let first = ok(first, "apply from empty");
    println!("platform: apply from empty in {first_secs:.1} s");
    assert_eq!(
        counts(&first.stdout, "Apply complete!"),
        Some((73, 0, 0)),
        "{}",
        first.stdout
    );
    assert_eq!(
        addresses(dir, ep)
            .iter()
            .filter(|a| !a.contains(".data.") && !a.starts_with("data."))
            .count(),
        73
    );

    // What was built, read back through the SDK.
    let db_id = attr(
        dir,
        "module.postgres",
        "aws_db_instance",
        "this",
        Json::Null,
        "identifier",
    );
    let rds = client!(rds, ep);
    let db = rt()
        .block_on(
            rds.describe_db_instances()
                .db_instance_identifier(&db_id)
                .send(),
        )
        .expect("DescribeDBInstances");
    let db = &db.db_instances()[0];
    assert_eq!(db.engine(), Some("postgres"));
    assert!(
        db.engine_version().unwrap_or("").starts_with("15"),
        "{:?}",
        db.engine_version()
    );
    assert_eq!(db.db_instance_class(), Some("db.t4g.micro"));
    assert_eq!(db.backup_retention_period(), Some(3));
    let rg_id = attr(
        dir,
        "module.redis",
        "aws_elasticache_replication_group",
        "this",
        Json::Null,
        "id",
    );
    let ec = client!(elasticache, ep);
    let rg = rt()
        .block_on(
            ec.describe_replication_groups()
                .replication_group_id(&rg_id)
                .send(),
        )
        .expect("DescribeReplicationGroups");
    assert_eq!(
        rg.replication_groups()[0].snapshot_retention_limit(),
        Some(1)
    );
    let eks = client!(eks, ep);
    let ng = rt()
        .block_on(
            eks.describe_nodegroup()
                .cluster_name(&name)
                .nodegroup_name(format!("{name}-default"))
                .send(),
        )
        .expect("DescribeNodegroup");
    assert_eq!(
        ng.nodegroup()
            .and_then(|n| n.scaling_config())
            .and_then(|s| s.desired_size()),
        Some(2)
    );
    let sm = client!(secretsmanager, ep);
    let jwt = rt()
        .block_on(
            sm.get_secret_value()
                .secret_id(format!("{name}/app/JWT_SECRET"))
                .send(),
        )
        .expect("GetSecretValue")
        .secret_string()
        .unwrap_or("")
        .to_string();
    assert_eq!(jwt.len(), 64, "JWT_SECRET is 64 hex characters");
    assert!(jwt.chars().all(|c| c.is_ascii_hexdigit()));
    assert!(
        !first.stdout.contains(&jwt),
        "a secret reached the terminal"
    );
    let bucket = attr(dir, "", "aws_s3_bucket", "assets", Json::Null, "bucket");
    let s3 = {
        use sdk::s3::config::{BehaviorVersion, Credentials, Region};
        let conf = sdk::s3::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(ep)
            .force_path_style(true)
            .credentials_provider(Credentials::new("test", "test", None, None, "plinth-e2e"))
            .build();
        sdk::s3::Client::from_conf(conf)
    };
    // moto 5.2 answers GetBucketVersioning with a root element the SDK refuses
    // (GetBucketVersioningResponse): check the bucket exists and the status the provider read.
    rt().block_on(s3.head_bucket().bucket(&bucket).send()).expect("HeadBucket");
    let versioning = attr(dir, "", "aws_s3_bucket_versioning", "assets", Json::Null, "versioning_configuration");
    assert!(versioning.contains("\"Enabled\""), "{versioning}");

    // 2. Nothing to do the second time.
    let t = Instant::now();
    let again = go(with(&["plan", "-detailed-exitcode"], "staging.tfvars"));
    println!(
        "platform: no-change plan in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    code(&again, 0, "second plan");
    assert!(again.stdout.contains("No changes."), "{}", again.stdout);

    // 3. In place: a bigger database class. (Tag changes are not part of it: moto's EKS
    //    TagResource refuses node-group ARNs; tag updates are covered by the network test.)
    tfvars(
        dir,
        "step-a.tfvars",
        &[("db.t4g.micro", "db.t4g.small")],
        "",
    );
    let plan_a = go(with(&["plan", "-detailed-exitcode"], "step-a.tfvars"));
    code(&plan_a, 2, "in-place plan");
    assert_action(
        &plan_a.stdout,
        "module.postgres.aws_db_instance.this",
        "will be updated in-place",
    );
    let db_block = block(&plan_a.stdout, "module.postgres.aws_db_instance.this");
    assert!(
        db_block.contains("~ resource \"aws_db_instance\" \"this\""),
        "{db_block}"
    );
    assert!(
        db_block.contains("~ instance_class")
            && db_block.contains("\"db.t4g.micro\" -> \"db.t4g.small\""),
        "{db_block}"
    );
    assert!(
        !plan_a.stdout.contains("must be replaced"),
        "{}",
        plan_a.stdout
    );
    let (add, change, destroy) = counts(&plan_a.stdout, "Plan:").expect("Plan: line");
    assert_eq!((add, change, destroy), (0, 1, 0), "{}", plan_a.stdout);
    let t = Instant::now();
    let apply_a = go(with(&["apply", "-auto-approve"], "step-a.tfvars"));
    println!(
        "platform: in-place apply in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let apply_a = ok(apply_a, "in-place apply");
    assert_eq!(
        counts(&apply_a.stdout, "Apply complete!"),
        Some((0, change, 0)),
        "{}",
        apply_a.stdout
    );
    let db = rt()
        .block_on(
            rds.describe_db_instances()
                .db_instance_identifier(&db_id)
                .send(),
        )
        .expect("DescribeDBInstances");
    assert_eq!(
        db.db_instances()[0].db_instance_class(),
        Some("db.t4g.small")
    );
    code(
        &go(with(&["plan", "-detailed-exitcode"], "step-a.tfvars")),
        0,
        "plan after the in-place apply",
    );

    // 4. Replacements: on-demand nodes replace the node group (`-/+`, the attribute marked
    //    `# forces replacement`); a new application port replaces the target group first
    //    (`+/-`, create_before_destroy) and changes the security-group rules in place.
    tfvars(
        dir,
        "step-b.tfvars",
        &[
            ("db.t4g.micro", "db.t4g.small"),
            ("\"SPOT\"", "\"ON_DEMAND\""),
        ],
        "\napp_port = 8081\n",
    );
    let plan_b = go(with(&["plan", "-detailed-exitcode"], "step-b.tfvars"));
    code(&plan_b, 2, "replacement plan");
    assert_action(
        &plan_b.stdout,
        "module.cluster.aws_eks_node_group.this",
        "must be replaced",
    );
    let ng_block = block(&plan_b.stdout, "module.cluster.aws_eks_node_group.this");
    assert!(
        ng_block.contains("-/+ resource \"aws_eks_node_group\" \"this\""),
        "{ng_block}"
    );
    assert!(
        ng_block.lines().any(|l| l.contains("capacity_type")
            && l.contains("\"SPOT\" -> \"ON_DEMAND\"")
            && l.contains("# forces replacement")),
        "{ng_block}"
    );
    assert_action(
        &plan_b.stdout,
        "module.web.aws_lb_target_group.app",
        "must be replaced",
    );
    let tg_block = block(&plan_b.stdout, "module.web.aws_lb_target_group.app");
    assert!(
        tg_block.contains("+/- resource \"aws_lb_target_group\" \"app\""),
        "{tg_block}"
    );
    assert!(
        tg_block.lines().any(|l| l.contains("port")
            && l.contains("8080 -> 8081")
            && l.contains("# forces replacement")),
        "{tg_block}"
    );
    assert_action(
        &plan_b.stdout,
        "module.web.aws_vpc_security_group_ingress_rule.app_from_lb",
        "will be updated in-place",
    );
    assert!(
        block(
            &plan_b.stdout,
            "module.web.aws_vpc_security_group_ingress_rule.app_from_lb"
        )
        .contains("~ from_port"),
        "{}",
        plan_b.stdout
    );
    assert_action(
        &plan_b.stdout,
        "module.web.aws_lb_listener.https",
        "will be updated in-place",
    );
    let old_tg = attr(
        dir,
        "module.web",
        "aws_lb_target_group",
        "app",
        Json::Null,
        "arn",
    );
    let t = Instant::now();
    let apply_b = go(with(&["apply", "-auto-approve"], "step-b.tfvars"));
    println!(
        "platform: replacement apply in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let apply_b = ok(apply_b, "replacement apply");
    assert!(
        apply_b.stdout.contains("2 added") && apply_b.stdout.contains("2 destroyed"),
        "{}",
        apply_b.stdout
    );
    let new_tg = attr(
        dir,
        "module.web",
        "aws_lb_target_group",
        "app",
        Json::Null,
        "arn",
    );
    assert_ne!(old_tg, new_tg);
    assert_eq!(
        attr(
            dir,
            "module.web",
            "aws_lb_listener",
            "https",
            Json::Null,
            "default_action"
        )
        .contains(&new_tg),
        true
    );
    let ng = rt()
        .block_on(
            eks.describe_nodegroup()
                .cluster_name(&name)
                .nodegroup_name(format!("{name}-default"))
                .send(),
        )
        .expect("DescribeNodegroup");
    assert_eq!(
        ng.nodegroup()
            .and_then(|n| n.capacity_type())
            .map(|c| c.as_str()),
        Some("ON_DEMAND")
    );
    code(
        &go(with(&["plan", "-detailed-exitcode"], "step-b.tfvars")),
        0,
        "plan after the replacements",
    );

    // 5. Drift through the SDK: a tag of the load balancer's security group changed, its HTTPS
    //    rule revoked. The plan shows both as changes made outside Plinth; apply repairs them.
    let lb_sg = attr(
        dir,
        "module.web",
        "aws_security_group",
        "lb",
        Json::Null,
        "id",
    );
    let ec2 = client!(ec2, ep);
    rt().block_on(async {
        ec2.create_tags()
            .resources(&lb_sg)
            .tags(
                sdk::ec2::types::Tag::builder()
                    .key("Name")
                    .value("renamed-by-hand")
                    .build(),
            )
            .send()
            .await
            .expect("CreateTags");
        ec2.revoke_security_group_ingress()
            .group_id(&lb_sg)
            .ip_permissions(
                sdk::ec2::types::IpPermission::builder()
                    .ip_protocol("tcp")
                    .from_port(443)
                    .to_port(443)
                    .ip_ranges(
                        sdk::ec2::types::IpRange::builder()
                            .cidr_ip("0.0.0.0/0")
                            .build(),
                    )
                    .build(),
            )
            .send()
            .await
            .expect("RevokeSecurityGroupIngress");
    });
    let drift = go(with(&["plan", "-detailed-exitcode"], "step-b.tfvars"));
    code(&drift, 2, "plan after drift");
    assert!(
        drift
            .stdout
            .contains("Objects have changed outside of Plinth"),
        "{}",
        drift.stdout
    );
    let rule = "module.web.aws_vpc_security_group_ingress_rule.lb_https[\"0.0.0.0/0\"]";
    assert!(
        drift.stdout.contains(&format!("# {rule} has been deleted")),
        "{}",
        drift.stdout
    );
    assert!(
        drift
            .stdout
            .contains("# module.web.aws_security_group.lb has changed"),
        "{}",
        drift.stdout
    );
    assert_action(&drift.stdout, rule, "will be created");
    assert_action(
        &drift.stdout,
        "module.web.aws_security_group.lb",
        "will be updated in-place",
    );
    ok(
        go(with(&["apply", "-auto-approve"], "step-b.tfvars")),
        "apply repairing drift",
    );
    code(
        &go(with(&["plan", "-detailed-exitcode"], "step-b.tfvars")),
        0,
        "plan after repairing drift",
    );

    // 6. An `import` block brings a forgotten object back.
    let app_sg = attr(
        dir,
        "module.web",
        "aws_security_group",
        "app",
        Json::Null,
        "id",
    );
    ok(
        run(
            dir,
            ep,
            &["state", "rm", "module.web.aws_security_group.app"],
        ),
        "state rm",
    );
    std::fs::write(
        dir.join("imports.tf"),
        format!("import {{\n  to = module.web.aws_security_group.app\n  id = \"{app_sg}\"\n}}\n"),
    )
    .expect("write imports.tf");
    let plan_i = go(with(&["plan", "-detailed-exitcode"], "step-b.tfvars"));
    code(&plan_i, 2, "plan with an import block");
    assert_action(
        &plan_i.stdout,
        "module.web.aws_security_group.app",
        "will be imported",
    );
    assert_eq!(
        counts(&plan_i.stdout.replace(" to import,", ""), "Plan:"),
        Some((0, 0, 0)),
        "{}",
        plan_i.stdout
    );
    assert!(
        plan_i
            .stdout
            .contains("Plan: 1 to import, 0 to add, 0 to change, 0 to destroy."),
        "{}",
        plan_i.stdout
    );
    let apply_i = ok(
        go(with(&["apply", "-auto-approve"], "step-b.tfvars")),
        "apply with an import block",
    );
    assert!(
        apply_i
            .stdout
            .contains("Apply complete! Resources: 1 imported, 0 added, 0 changed, 0 destroyed."),
        "{}",
        apply_i.stdout
    );
    std::fs::remove_file(dir.join("imports.tf")).expect("rm imports.tf");
    code(
        &go(with(&["plan", "-detailed-exitcode"], "step-b.tfvars")),
        0,
        "plan after the import",
    );

    // 7. What moto cannot do is reported clearly, against the right address, and changes
    //    nothing in the state: it has no ModifyReplicationGroup. (The node count change in the
    //    same apply succeeds.)
    tfvars(
        dir,
        "step-c.tfvars",
        &[
            ("db.t4g.micro", "db.t4g.small"),
            ("desired        = 2", "desired        = 3"),
            ("\"SPOT\"", "\"ON_DEMAND\""),
            ("snapshot_retention_days = 1", "snapshot_retention_days = 2"),
        ],
        "\napp_port = 8081\n",
    );
    let plan_c = go(with(&["plan", "-detailed-exitcode"], "step-c.tfvars"));
    code(&plan_c, 2, "redis change plan");
    assert_action(
        &plan_c.stdout,
        "module.redis.aws_elasticache_replication_group.this",
        "will be updated in-place",
    );
    let apply_c = go(with(&["apply", "-auto-approve"], "step-c.tfvars"));
    code(&apply_c, 1, "apply of a change moto cannot make");
    let all = format!("{}{}", apply_c.stdout, apply_c.stderr);
    assert!(
        all.contains("module.redis.aws_elasticache_replication_group.this"),
        "{all}"
    );
    assert!(
        all.contains("does not implement ModifyReplicationGroup"),
        "{all}"
    );
    // The node count change next to it goes through (UpdateNodegroupConfig).
    assert!(all.contains("module.cluster.aws_eks_node_group.this: Modifications complete"), "{all}");
    assert_eq!(
        attr(
            dir,
            "module.redis",
            "aws_elasticache_replication_group",
            "this",
            Json::Null,
            "snapshot_retention_limit"
        ),
        "1"
    );
    println!(
        "moto's missing operations are reported as:\n{}",
        apply_c.stderr
    );

    // moto 5.2 never finishes deleting a replication group (it stays "deleting"; the provider
    // would wait 40 minutes) and has no DeleteCacheSubnetGroup: delete the group through the
    // SDK and forget both; everything else is destroyed by plinth.
    rt().block_on(ec.delete_replication_group().replication_group_id(&rg_id).send()).expect("DeleteReplicationGroup");
    ok(
        run(dir, ep, &["state", "rm", "module.redis.aws_elasticache_replication_group.this", "module.redis.aws_elasticache_subnet_group.this"]),
        "state rm replication group and cache subnet group",
    );

    // 8. Destroy removes everything: the state is empty and moto has none of it.
    let zone = attr(
        dir,
        "module.web",
        "aws_route53_zone",
        "this",
        Json::Null,
        "zone_id",
    );
    let cert = attr(
        dir,
        "module.web",
        "aws_acm_certificate",
        "this",
        Json::Null,
        "arn",
    );
    let lb = attr(dir, "module.web", "aws_lb", "this", Json::Null, "arn");
    let t = Instant::now();
    let destroy = go(with(&["destroy", "-auto-approve"], "step-b.tfvars"));
    println!("platform: destroy in {:.1} s", t.elapsed().as_secs_f64());
    let destroy = ok(destroy, "destroy");
    assert!(
        destroy
            .stdout
            .contains("Destroy complete! Resources: 71 destroyed."),
        "{}",
        destroy.stdout
    );
    assert!(addresses(dir, ep).is_empty(), "state still lists resources");
    let left = ec2_leftovers(ep, "Project", &project);
    assert!(left.is_empty(), "EC2 objects left behind: {left:?}");
    let r = rt();
    assert!(
        not_found(
            r.block_on(
                rds.describe_db_instances()
                    .db_instance_identifier(&db_id)
                    .send()
            )
        ),
        "DB instance left"
    );
    assert!(
        not_found(
            r.block_on(
                rds.describe_db_subnet_groups()
                    .db_subnet_group_name(&name)
                    .send()
            )
        ),
        "DB subnet group left"
    );
    let rg_left = r.block_on(
        ec.describe_replication_groups()
            .replication_group_id(&rg_id)
            .send(),
    );
    let deleting = rg_left
        .as_ref()
        .map(|o| {
            o.replication_groups()
                .iter()
                .all(|g| g.status() == Some("deleting"))
        })
        .unwrap_or(false);
    assert!(deleting || not_found(rg_left), "replication group left");
    assert!(
        not_found(r.block_on(eks.describe_cluster().name(&name).send())),
        "EKS cluster left"
    );
    for role in ["cluster", "node"] {
        assert!(
            not_found(r.block_on(iam.get_role().role_name(format!("{name}-{role}")).send())),
            "IAM role {role} left"
        );
    }
    let elb = client!(elbv2, ep);
    assert!(
        not_found(r.block_on(elb.describe_load_balancers().load_balancer_arns(&lb).send())),
        "load balancer left"
    );
    let tgs = r
        .block_on(elb.describe_target_groups().send())
        .expect("DescribeTargetGroups");
    assert!(
        !tgs.target_groups()
            .iter()
            .any(|t| t.target_group_name().unwrap_or("").starts_with(&name)),
        "target group left"
    );
    let r53 = client!(route53, ep);
    assert!(
        not_found(r.block_on(r53.get_hosted_zone().id(&zone).send())),
        "hosted zone left"
    );
    let acm = client!(acm, ep);
    assert!(
        not_found(r.block_on(acm.describe_certificate().certificate_arn(&cert).send())),
        "certificate left"
    );
    let secrets = r.block_on(sm.list_secrets().send()).expect("ListSecrets");
    assert!(
        !secrets
            .secret_list()
            .iter()
            .any(|s| s.name().unwrap_or("").starts_with(&name)),
        "secrets left"
    );
    assert!(
        not_found(r.block_on(s3.head_bucket().bucket(&bucket).send())),
        "bucket left"
    );
}
