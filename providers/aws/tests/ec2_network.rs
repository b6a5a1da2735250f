//! EC2 network resource types against moto, through the provider traits: create → read →
//! no-op plan → in-place update (tags) → force-new change → delete; drift; import; errors.
//!
//! Needs PLINTH_TEST_MOTO_ENDPOINT (see README.md); skips, saying so, without it.

mod support;

use plinth_sdk::{PathStep, Type, Value};
use support::*;

fn vpc_config(cidr: &str, t: &[(&str, &str)]) -> Value {
    obj(vec![("cidr_block", st(cidr)), ("tags", tags(t))])
}

#[tokio::test]
async fn vpc_lifecycle_tags_replacement_import_and_drift() {
    let Some(ep) = moto() else { return };
    let p = configure(&ep, &[("Env", "test"), ("Team", "core")]).await;
    let cfg = vpc_config("10.10.0.0/16", &[("Name", "main"), ("Team", "net")]);
    let vpc = create(&p, "aws_vpc", &cfg).await;
    let id = attr(&vpc, "id");
    assert!(id.starts_with("vpc-"), "{id}");
    assert_eq!(attr(&vpc, "cidr_block"), "10.10.0.0/16");
    assert!(attr(&vpc, "arn").starts_with("arn:aws:ec2:us-east-1:"), "{}", attr(&vpc, "arn"));
    assert!(attr(&vpc, "main_route_table_id").starts_with("rtb-"));
    assert!(attr(&vpc, "default_security_group_id").starts_with("sg-"));
    assert_eq!(vpc.get_attr("enable_dns_support").and_then(Value::as_bool), Some(true));
    assert_eq!(attr(&vpc, "region"), "us-east-1");
    // tags_all = default_tags overlaid by tags.
    assert_eq!(vpc.get_attr("tags_all").unwrap(), &tags(&[("Env", "test"), ("Name", "main"), ("Team", "net")]));
    assert_eq!(vpc.get_attr("tags").unwrap(), &tags(&[("Name", "main"), ("Team", "net")]));

    // Refresh sees the same object; a second plan is a no-op.
    let read_back = read(&p, "aws_vpc", &vpc).await.expect("vpc exists");
    assert!(diff(&vpc, &read_back).is_empty(), "{:?}", diff(&vpc, &read_back));
    assert_noop(&p, "aws_vpc", &read_back, &cfg).await;

    // In place: tags and DNS hostnames.
    let cfg2 = obj(vec![
        ("cidr_block", st("10.10.0.0/16")),
        ("enable_dns_hostnames", Value::Bool(true)),
        ("tags", tags(&[("Name", "renamed")])),
    ]);
    let vpc2 = update(&p, "aws_vpc", &read_back, &cfg2).await;
    assert_eq!(attr(&vpc2, "id"), id);
    assert_eq!(vpc2.get_attr("enable_dns_hostnames").and_then(Value::as_bool), Some(true));
    assert_eq!(vpc2.get_attr("tags_all").unwrap(), &tags(&[("Env", "test"), ("Name", "renamed"), ("Team", "core")]));
    assert_noop(&p, "aws_vpc", &vpc2, &cfg2).await;

    // Drift: tags changed behind Plinth's back.
    let ec2 = ec2_client(&ep).await;
    ec2.create_tags()
        .resources(&id)
        .tags(plinth_provider_aws::sdk::ec2::types::Tag::builder().key("Name").value("hand-edited").build())
        .send()
        .await
        .unwrap();
    let drifted = read(&p, "aws_vpc", &vpc2).await.unwrap();
    assert_eq!(drifted.get_attr("tags").unwrap(), &tags(&[("Name", "hand-edited")]));
    let repair = plan(&p, "aws_vpc", Some(&drifted), &cfg2).await;
    assert!(repair.requires_replace.is_empty());
    assert_eq!(repair.planned_state.as_ref().unwrap().get_attr("tags").unwrap(), &tags(&[("Name", "renamed")]));

    // Import by ID gives the same object (with the default tags split off as upstream).
    let imported = import(&p, "aws_vpc", &id).await.unwrap();
    assert_eq!(attr(&imported, "cidr_block"), "10.10.0.0/16");
    assert_eq!(imported.get_attr("tags").unwrap(), &tags(&[("Name", "hand-edited")]));

    // A new CIDR forces replacement.
    let cfg3 = vpc_config("10.11.0.0/16", &[("Name", "renamed")]);
    let rp = plan(&p, "aws_vpc", Some(&drifted), &cfg3).await;
    assert_eq!(rp.requires_replace, vec![plinth_sdk::AttrPath::attr("cidr_block")]);
    let planned = rp.planned_state.unwrap();
    assert!(!planned.get_attr("id").unwrap().is_known(), "id is unknown on replacement");

    delete(&p, "aws_vpc", &drifted).await;
    assert!(read(&p, "aws_vpc", &drifted).await.is_none(), "deleted VPC reads as gone");
    // Deleting again is fine (already gone).
    delete(&p, "aws_vpc", &drifted).await;
}

#[tokio::test]
async fn invalid_cidr_is_a_clear_diagnostic() {
    let Some(ep) = moto() else { return };
    let p = configure(&ep, &[]).await;
    let err = try_create(&p, "aws_vpc", &vpc_config("10.0.0.0/33", &[])).await.unwrap_err();
    let d = err.iter().next().unwrap();
    assert!(d.summary.starts_with("creating EC2 VPC: "), "{}", d.summary);
    assert!(d.summary.contains("InvalidParameterValue") || d.summary.contains("InvalidVpc.Range"), "{}", d.summary);
    let detail = d.detail.clone().unwrap();
    assert!(detail.contains("EC2 CreateVpc call failed with AWS error code"), "{detail}");
    assert!(!detail.contains("ServiceError {"), "no debug dump: {detail}");
}

#[tokio::test]
async fn unknown_region_and_missing_secret_are_configuration_errors() {
    let p = plinth_provider_aws::provider();
    let cfg = obj(vec![("region", st("moon-1")), ("access_key", st("a")), ("secret_key", st("b"))]);
    let err = p.configure(cfg).await.err().expect("invalid region is rejected");
    assert!(err.iter().next().unwrap().summary.contains("invalid region"), "{err}");
    let cfg = obj(vec![("region", st("us-east-1")), ("access_key", st("a"))]);
    let err = p.configure(cfg).await.err().expect("lonely access_key is rejected");
    assert!(err.iter().next().unwrap().summary.contains("access_key and secret_key"), "{err}");
}

#[tokio::test]
async fn subnet_lifecycle_drift_and_import() {
    let Some(ep) = moto() else { return };
    let p = configure(&ep, &[]).await;
    let vpc = create(&p, "aws_vpc", &vpc_config("10.20.0.0/16", &[])).await;
    let vpc_id = attr(&vpc, "id");
    let azs = data(&p, "aws_availability_zones", &obj(vec![("state", st("available"))])).await;
    let az = azs.get_attr("names").and_then(Value::as_seq).unwrap()[0].as_str().unwrap().to_string();
    let cfg = obj(vec![
        ("vpc_id", st(&vpc_id)),
        ("cidr_block", st("10.20.1.0/24")),
        ("availability_zone", st(&az)),
        ("map_public_ip_on_launch", Value::Bool(true)),
        ("tags", tags(&[("Name", "public-a")])),
    ]);
    let sn = create(&p, "aws_subnet", &cfg).await;
    let id = attr(&sn, "id");
    assert!(id.starts_with("subnet-"));
    assert_eq!(attr(&sn, "availability_zone"), az);
    assert_eq!(sn.get_attr("map_public_ip_on_launch").and_then(Value::as_bool), Some(true));
    assert_noop(&p, "aws_subnet", &sn, &cfg).await;

    // Tags update in place.
    let mut cfg2 = cfg.clone();
    if let Value::Object(m) = &mut cfg2 {
        m.insert("tags".into(), tags(&[("Name", "public-a"), ("Tier", "public")]));
    }
    let sn2 = update(&p, "aws_subnet", &sn, &cfg2).await;
    assert_eq!(sn2.get_attr("tags_all").unwrap(), &tags(&[("Name", "public-a"), ("Tier", "public")]));

    // A new CIDR forces replacement.
    let mut cfg3 = cfg2.clone();
    if let Value::Object(m) = &mut cfg3 {
        m.insert("cidr_block".into(), st("10.20.2.0/24"));
    }
    let rp = plan(&p, "aws_subnet", Some(&sn2), &cfg3).await;
    assert_eq!(rp.requires_replace, vec![plinth_sdk::AttrPath::attr("cidr_block")]);

    // Import.
    let imp = import(&p, "aws_subnet", &id).await.unwrap();
    assert_eq!(attr(&imp, "vpc_id"), vpc_id);
    assert_noop(&p, "aws_subnet", &imp, &cfg2).await;

    // Data source aws_subnets finds it by VPC.
    let found = data(
        &p,
        "aws_subnets",
        &obj(vec![(
            "filter",
            Value::set(
                Type::object([("name", Type::String), ("values", Type::set(Type::String))]),
                vec![obj(vec![("name", st("vpc-id")), ("values", Value::set(Type::String, vec![st(&vpc_id)]))])],
            ),
        )]),
    )
    .await;
    assert_eq!(found.get_attr("ids").unwrap(), &Value::List(Type::String, vec![st(&id)]));

    // Drift: deleted behind Plinth's back → read says gone.
    let ec2 = ec2_client(&ep).await;
    ec2.delete_subnet().subnet_id(&id).send().await.unwrap();
    assert!(read(&p, "aws_subnet", &sn2).await.is_none());
    let err = import(&p, "aws_subnet", &id).await.unwrap_err();
    assert!(err.iter().next().unwrap().summary.contains("non-existent"), "{err}");

    // Data source aws_vpc by id.
    let dv = data(&p, "aws_vpc", &obj(vec![("id", st(&vpc_id))])).await;
    assert_eq!(attr(&dv, "cidr_block"), "10.20.0.0/16");
    assert_eq!(dv.get_attr("default").and_then(Value::as_bool), Some(false));

    delete(&p, "aws_vpc", &vpc).await;
}

#[tokio::test]
async fn gateways_route_tables_routes_and_associations() {
    let Some(ep) = moto() else { return };
    let p = configure(&ep, &[("Env", "test")]).await;
    let vpc = create(&p, "aws_vpc", &vpc_config("10.30.0.0/16", &[])).await;
    let vpc_id = attr(&vpc, "id");
    let subnet = create(&p, "aws_subnet", &obj(vec![("vpc_id", st(&vpc_id)), ("cidr_block", st("10.30.1.0/24"))])).await;
    let subnet_id = attr(&subnet, "id");

    // Internet gateway: attach on create, tags in place, import.
    let igw_cfg = obj(vec![("vpc_id", st(&vpc_id)), ("tags", tags(&[("Name", "igw")]))]);
    let igw = create(&p, "aws_internet_gateway", &igw_cfg).await;
    let igw_id = attr(&igw, "id");
    assert!(igw_id.starts_with("igw-"));
    assert_eq!(attr(&igw, "vpc_id"), vpc_id);
    assert_noop(&p, "aws_internet_gateway", &igw, &igw_cfg).await;
    let igw_cfg2 = obj(vec![("vpc_id", st(&vpc_id)), ("tags", tags(&[("Name", "igw2")]))]);
    let igw = update(&p, "aws_internet_gateway", &igw, &igw_cfg2).await;
    assert_eq!(igw.get_attr("tags_all").unwrap(), &tags(&[("Env", "test"), ("Name", "igw2")]));
    assert_noop(&p, "aws_internet_gateway", &import(&p, "aws_internet_gateway", &igw_id).await.unwrap(), &igw_cfg2).await;

    // EIP + NAT gateway.
    let eip_cfg = obj(vec![("domain", st("vpc")), ("tags", tags(&[("Name", "nat")]))]);
    let eip = create(&p, "aws_eip", &eip_cfg).await;
    let alloc = attr(&eip, "id");
    assert!(alloc.starts_with("eipalloc-"));
    assert!(!attr(&eip, "public_ip").is_empty());
    assert_noop(&p, "aws_eip", &eip, &eip_cfg).await;
    let eip_cfg2 = obj(vec![("domain", st("vpc")), ("tags", tags(&[("Name", "nat2")]))]);
    let eip = update(&p, "aws_eip", &eip, &eip_cfg2).await;
    assert_noop(&p, "aws_eip", &import(&p, "aws_eip", &alloc).await.unwrap(), &eip_cfg2).await;

    let nat_cfg = obj(vec![("subnet_id", st(&subnet_id)), ("allocation_id", st(&alloc)), ("tags", tags(&[("Name", "nat")]))]);
    let nat = create(&p, "aws_nat_gateway", &nat_cfg).await;
    let nat_id = attr(&nat, "id");
    assert!(nat_id.starts_with("nat-"));
    assert_eq!(attr(&nat, "public_ip"), attr(&eip, "public_ip"));
    assert_eq!(attr(&nat, "connectivity_type"), "public");
    assert_noop(&p, "aws_nat_gateway", &nat, &nat_cfg).await;
    let nat_cfg2 = obj(vec![("subnet_id", st(&subnet_id)), ("allocation_id", st(&alloc)), ("tags", tags(&[("Name", "nat-b")]))]);
    let nat = update(&p, "aws_nat_gateway", &nat, &nat_cfg2).await;
    assert_noop(&p, "aws_nat_gateway", &import(&p, "aws_nat_gateway", &nat_id).await.unwrap(), &nat_cfg2).await;

    // Route table with an inline route.
    let route_t = Type::object(
        [
            "carrier_gateway_id", "cidr_block", "core_network_arn", "destination_prefix_list_id",
            "egress_only_gateway_id", "gateway_id", "ipv6_cidr_block", "local_gateway_id", "nat_gateway_id",
            "network_interface_id", "transit_gateway_id", "vpc_endpoint_id", "vpc_peering_connection_id",
        ]
        .map(|k| (k, Type::String)),
    );
    let route = |dest: &str, gw: (&str, &str)| obj(vec![("cidr_block", st(dest)), (gw.0, st(gw.1))]);
    let rt_cfg = obj(vec![
        ("vpc_id", st(&vpc_id)),
        ("route", Value::set(route_t.clone(), vec![route("0.0.0.0/0", ("gateway_id", &igw_id))])),
        ("tags", tags(&[("Name", "public")])),
    ]);
    let rt = create(&p, "aws_route_table", &rt_cfg).await;
    let rt_id = attr(&rt, "id");
    assert_eq!(rt.get_attr("route").and_then(Value::as_seq).unwrap().len(), 1);
    assert_noop(&p, "aws_route_table", &rt, &rt_cfg).await;
    // Routes change in place.
    let rt_cfg2 = obj(vec![
        ("vpc_id", st(&vpc_id)),
        (
            "route",
            Value::set(
                route_t.clone(),
                vec![route("0.0.0.0/0", ("nat_gateway_id", &nat_id)), route("192.168.0.0/16", ("gateway_id", &igw_id))],
            ),
        ),
        ("tags", tags(&[("Name", "public")])),
    ]);
    let rt = update(&p, "aws_route_table", &rt, &rt_cfg2).await;
    assert_eq!(rt.get_attr("route").and_then(Value::as_seq).unwrap().len(), 2);
    assert_noop(&p, "aws_route_table", &rt, &rt_cfg2).await;
    assert_noop(&p, "aws_route_table", &import(&p, "aws_route_table", &rt_id).await.unwrap(), &rt_cfg2).await;

    // A standalone aws_route in a second table.
    let rt2 = create(&p, "aws_route_table", &obj(vec![("vpc_id", st(&vpc_id))])).await;
    let rt2_id = attr(&rt2, "id");
    let r_cfg = obj(vec![
        ("route_table_id", st(&rt2_id)),
        ("destination_cidr_block", st("0.0.0.0/0")),
        ("nat_gateway_id", st(&nat_id)),
    ]);
    let r = create(&p, "aws_route", &r_cfg).await;
    assert!(attr(&r, "id").starts_with(&format!("r-{rt2_id}")));
    assert_eq!(attr(&r, "state"), "active");
    assert_noop(&p, "aws_route", &r, &r_cfg).await;
    let imp = import(&p, "aws_route", &format!("{rt2_id}_0.0.0.0/0")).await.unwrap();
    assert_eq!(attr(&imp, "id"), attr(&r, "id"));
    assert_noop(&p, "aws_route", &imp, &r_cfg).await;
    let r_cfg2 = obj(vec![
        ("route_table_id", st(&rt2_id)),
        ("destination_cidr_block", st("0.0.0.0/0")),
        ("gateway_id", st(&igw_id)),
    ]);
    let r = update(&p, "aws_route", &r, &r_cfg2).await;
    assert_eq!(attr(&r, "gateway_id"), igw_id);
    let r_cfg3 = obj(vec![
        ("route_table_id", st(&rt2_id)),
        ("destination_cidr_block", st("10.99.0.0/16")),
        ("gateway_id", st(&igw_id)),
    ]);
    let rp = plan(&p, "aws_route", Some(&r), &r_cfg3).await;
    assert_eq!(rp.requires_replace, vec![plinth_sdk::AttrPath::attr("destination_cidr_block")]);
    assert!(import(&p, "aws_route", "no-underscore").await.is_err());

    // Association: create, move to another table in place, import.
    let a_cfg = obj(vec![("subnet_id", st(&subnet_id)), ("route_table_id", st(&rt_id))]);
    let a = create(&p, "aws_route_table_association", &a_cfg).await;
    assert!(attr(&a, "id").starts_with("rtbassoc-"));
    assert_noop(&p, "aws_route_table_association", &read(&p, "aws_route_table_association", &a).await.unwrap(), &a_cfg).await;
    let a_cfg2 = obj(vec![("subnet_id", st(&subnet_id)), ("route_table_id", st(&rt2_id))]);
    let a = update(&p, "aws_route_table_association", &a, &a_cfg2).await;
    let imp = import(&p, "aws_route_table_association", &format!("{subnet_id}/{rt2_id}")).await.unwrap();
    assert_eq!(attr(&imp, "id"), attr(&a, "id"));
    assert_noop(&p, "aws_route_table_association", &imp, &a_cfg2).await;
    let rp = plan(&p, "aws_route_table_association", Some(&a), &obj(vec![("gateway_id", st(&igw_id)), ("route_table_id", st(&rt2_id))])).await;
    assert!(rp.requires_replace.contains(&plinth_sdk::AttrPath::attr("subnet_id")));

    // Tear down in reverse dependency order; each read then says gone.
    for (ty, v) in [
        ("aws_route_table_association", &a),
        ("aws_route", &r),
        ("aws_route_table", &rt2),
        ("aws_route_table", &rt),
        ("aws_nat_gateway", &nat),
        ("aws_eip", &eip),
        ("aws_internet_gateway", &igw),
        ("aws_subnet", &subnet),
        ("aws_vpc", &vpc),
    ] {
        delete(&p, ty, v).await;
        assert!(read(&p, ty, v).await.is_none(), "{ty} still exists after delete");
    }
    let _ = PathStep::Index(0);
}

#[tokio::test]
async fn security_groups_inline_rules_and_rule_resources() {
    let Some(ep) = moto() else { return };
    let p = configure(&ep, &[]).await;
    let vpc = create(&p, "aws_vpc", &vpc_config("10.40.0.0/16", &[])).await;
    let vpc_id = attr(&vpc, "id");
    let rule_t = Type::object([
        ("cidr_blocks", Type::list(Type::String)),
        ("description", Type::String),
        ("from_port", Type::Number),
        ("ipv6_cidr_blocks", Type::list(Type::String)),
        ("prefix_list_ids", Type::list(Type::String)),
        ("protocol", Type::String),
        ("security_groups", Type::set(Type::String)),
        ("self", Type::Bool),
        ("to_port", Type::Number),
    ]);
    let rule = |proto: &str, from: i64, to: i64, cidr: &str| {
        obj(vec![
            ("protocol", st(proto)),
            ("from_port", Value::number(from)),
            ("to_port", Value::number(to)),
            ("cidr_blocks", Value::list(vec![st(cidr)])),
        ])
    };
    let cfg = obj(vec![
        ("name", st("web")),
        ("description", st("web servers")),
        ("vpc_id", st(&vpc_id)),
        ("ingress", Value::set(rule_t.clone(), vec![rule("tcp", 443, 443, "0.0.0.0/0")])),
        ("egress", Value::set(rule_t.clone(), vec![rule("-1", 0, 0, "0.0.0.0/0")])),
        ("tags", tags(&[("Name", "web")])),
    ]);
    let sg = create(&p, "aws_security_group", &cfg).await;
    let sg_id = attr(&sg, "id");
    assert!(sg_id.starts_with("sg-"));
    assert_eq!(sg.get_attr("ingress").and_then(Value::as_seq).unwrap().len(), 1);
    assert_eq!(sg.get_attr("egress").and_then(Value::as_seq).unwrap().len(), 1);
    assert_noop(&p, "aws_security_group", &sg, &cfg).await;

    // In place: a rule added, tags changed.
    let cfg2 = obj(vec![
        ("name", st("web")),
        ("description", st("web servers")),
        ("vpc_id", st(&vpc_id)),
        ("ingress", Value::set(rule_t.clone(), vec![rule("tcp", 443, 443, "0.0.0.0/0"), rule("tcp", 80, 80, "10.0.0.0/8")])),
        ("egress", Value::set(rule_t.clone(), vec![rule("-1", 0, 0, "0.0.0.0/0")])),
        ("tags", tags(&[("Name", "web2")])),
    ]);
    let sg = update(&p, "aws_security_group", &sg, &cfg2).await;
    assert_eq!(sg.get_attr("ingress").and_then(Value::as_seq).unwrap().len(), 2);
    assert_noop(&p, "aws_security_group", &sg, &cfg2).await;
    assert_noop(&p, "aws_security_group", &import(&p, "aws_security_group", &sg_id).await.unwrap(), &cfg2).await;

    // Drift: a rule removed by hand shows up on refresh and the plan re-adds it.
    let ec2 = ec2_client(&ep).await;
    ec2.revoke_security_group_ingress()
        .group_id(&sg_id)
        .ip_protocol("tcp")
        .from_port(80)
        .to_port(80)
        .cidr_ip("10.0.0.0/8")
        .send()
        .await
        .unwrap();
    let drifted = read(&p, "aws_security_group", &sg).await.unwrap();
    assert_eq!(drifted.get_attr("ingress").and_then(Value::as_seq).unwrap().len(), 1);
    let sg = update(&p, "aws_security_group", &drifted, &cfg2).await;
    assert_eq!(sg.get_attr("ingress").and_then(Value::as_seq).unwrap().len(), 2);

    // Description forces replacement.
    let mut cfg3 = cfg2.clone();
    if let Value::Object(m) = &mut cfg3 {
        m.insert("description".into(), st("other"));
    }
    assert_eq!(plan(&p, "aws_security_group", Some(&sg), &cfg3).await.requires_replace, vec![plinth_sdk::AttrPath::attr("description")]);

    // Rule resources on a second group.
    let sg2 = create(&p, "aws_security_group", &obj(vec![("name", st("db")), ("vpc_id", st(&vpc_id))])).await;
    assert_eq!(attr(&sg2, "description"), "Managed by Terraform");
    assert_eq!(sg2.get_attr("egress").and_then(Value::as_seq).unwrap().len(), 0, "default egress removed");
    let sg2_id = attr(&sg2, "id");
    let in_cfg = obj(vec![
        ("security_group_id", st(&sg2_id)),
        ("ip_protocol", st("tcp")),
        ("from_port", Value::number(5432)),
        ("to_port", Value::number(5432)),
        ("referenced_security_group_id", st(&sg_id)),
        ("tags", tags(&[("Name", "pg")])),
    ]);
    let ir = create(&p, "aws_vpc_security_group_ingress_rule", &in_cfg).await;
    let ir_id = attr(&ir, "id");
    assert!(ir_id.starts_with("sgr-"), "{ir_id}");
    assert_noop(&p, "aws_vpc_security_group_ingress_rule", &ir, &in_cfg).await;
    let imp = import(&p, "aws_vpc_security_group_ingress_rule", &ir_id).await.unwrap();
    assert_noop(&p, "aws_vpc_security_group_ingress_rule", &imp, &in_cfg).await;
    let out_cfg = obj(vec![("security_group_id", st(&sg2_id)), ("ip_protocol", st("-1")), ("cidr_ipv4", st("0.0.0.0/0"))]);
    let er = create(&p, "aws_vpc_security_group_egress_rule", &out_cfg).await;
    assert_noop(&p, "aws_vpc_security_group_egress_rule", &er, &out_cfg).await;
    // An egress rule ID is not an ingress rule.
    assert!(import(&p, "aws_vpc_security_group_ingress_rule", &attr(&er, "id")).await.is_err());
    // Tags update in place.
    let mut in_cfg2 = in_cfg.clone();
    if let Value::Object(m) = &mut in_cfg2 {
        m.insert("tags".into(), tags(&[("Name", "pg2")]));
    }
    let ir = update(&p, "aws_vpc_security_group_ingress_rule", &ir, &in_cfg2).await;
    assert_eq!(ir.get_attr("tags").unwrap(), &tags(&[("Name", "pg2")]));
    // The group moves: replacement.
    let mut in_cfg3 = in_cfg2.clone();
    if let Value::Object(m) = &mut in_cfg3 {
        m.insert("security_group_id".into(), st(&sg_id));
    }
    assert_eq!(
        plan(&p, "aws_vpc_security_group_ingress_rule", Some(&ir), &in_cfg3).await.requires_replace,
        vec![plinth_sdk::AttrPath::attr("security_group_id")]
    );

    for (ty, v) in [
        ("aws_vpc_security_group_ingress_rule", &ir),
        ("aws_vpc_security_group_egress_rule", &er),
        ("aws_security_group", &sg2),
        ("aws_security_group", &sg),
        ("aws_vpc", &vpc),
    ] {
        delete(&p, ty, v).await;
        assert!(read(&p, ty, v).await.is_none(), "{ty} still exists after delete");
    }
}

#[tokio::test]
async fn key_pair_lifecycle_and_import() {
    let Some(ep) = moto() else { return };
    let p = configure(&ep, &[]).await;
    let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJrQW4AN08A3bzTHWpzdHMwr/wHFeq/4KNxYFoXX1Rmq plinth@test";
    let cfg = obj(vec![("key_name", st("plinth-test-key")), ("public_key", st(key)), ("tags", tags(&[("Name", "k")]))]);
    let kp = create(&p, "aws_key_pair", &cfg).await;
    assert_eq!(attr(&kp, "id"), "plinth-test-key");
    assert!(!attr(&kp, "fingerprint").is_empty());
    assert_noop(&p, "aws_key_pair", &kp, &cfg).await;
    let imp = import(&p, "aws_key_pair", "plinth-test-key").await.unwrap();
    assert_eq!(attr(&imp, "key_name"), "plinth-test-key");
    let other = obj(vec![("key_name", st("plinth-test-key2")), ("public_key", st(key))]);
    assert_eq!(plan(&p, "aws_key_pair", Some(&kp), &other).await.requires_replace, vec![plinth_sdk::AttrPath::attr("key_name")]);
    delete(&p, "aws_key_pair", &kp).await;
    assert!(read(&p, "aws_key_pair", &kp).await.is_none());
}

#[tokio::test]
async fn ami_data_source_picks_the_most_recent_match() {
    let Some(ep) = moto() else { return };
    let p = configure(&ep, &[]).await;
    let ami = data(&p, "aws_ami", &obj(vec![("owners", Value::list(vec![st("amazon")])), ("most_recent", Value::Bool(true))])).await;
    assert!(attr(&ami, "id").starts_with("ami-"), "{}", attr(&ami, "id"));
    assert_eq!(attr(&ami, "id"), attr(&ami, "image_id"));
    assert!(attr(&ami, "arn").starts_with("arn:aws:ec2:us-east-1::image/ami-"));
    // Several match without most_recent: upstream's error.
    let r = p
        .read_data_source(plinth_sdk::ReadDataSourceRequest {
            type_name: "aws_ami".into(),
            config: obj(vec![("owners", Value::list(vec![st("amazon")]))]),
        })
        .await;
    assert!(r.diagnostics.iter().any(|d| d.summary == "your query returned more than one result"), "{}", r.diagnostics);
}
