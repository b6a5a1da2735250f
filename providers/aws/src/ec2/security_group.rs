//! `aws_security_group` (inline `ingress`/`egress`; import ID: the group ID) and
//! `aws_vpc_security_group_ingress_rule` / `aws_vpc_security_group_egress_rule` (import ID:
//! the rule ID, `sgr-…`).

use super::{state_tags, tag_map, tag_spec, update_tags, NOT_FOUND_CODES};
use crate::api::{call, call_retry, ApiError, Op};
use crate::framework::*;
use async_trait::async_trait;
use aws_sdk_ec2::types::{
    IpPermission, IpRange, Ipv6Range, PrefixListId, ResourceType, UserIdGroupPair,
};
use plinth_sdk::{Attribute, Block, Diagnostics, NestedBlock, Nesting, Schema, Type, Value};
use std::collections::BTreeMap;
use std::time::Duration;

const SG: &str = "EC2 Security Group";

fn op(verb: &'static str, operation: &'static str) -> Op {
    Op::new(verb, SG, "EC2", operation)
}

fn rule_block() -> Block {
    Block::new()
        .attr("cidr_blocks", Attribute::optional(Type::list(Type::String)))
        .attr("description", Attribute::optional(Type::String))
        .attr("from_port", Attribute::required(Type::Number))
        .attr(
            "ipv6_cidr_blocks",
            Attribute::optional(Type::list(Type::String)),
        )
        .attr(
            "prefix_list_ids",
            Attribute::optional(Type::list(Type::String)),
        )
        .attr("protocol", Attribute::required(Type::String))
        .attr(
            "security_groups",
            Attribute::optional(Type::set(Type::String)),
        )
        .attr("self", Attribute::optional(Type::Bool))
        .attr("to_port", Attribute::required(Type::Number))
}

/// Terraform's protocol normalisation: numbers of named protocols become names, `all` → `-1`.
fn protocol_name(p: &str) -> String {
    match p.to_ascii_lowercase().as_str() {
        "6" => "tcp".into(),
        "17" => "udp".into(),
        "1" => "icmp".into(),
        "58" => "icmpv6".into(),
        "all" => "-1".into(),
        other => other.to_string(),
    }
}

/// One inline rule, normalised (nulls → empty, as the legacy SDK stores them).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Rule {
    protocol: String,
    from_port: i64,
    to_port: i64,
    cidr_blocks: Vec<String>,
    ipv6_cidr_blocks: Vec<String>,
    prefix_list_ids: Vec<String>,
    security_groups: Vec<String>,
    self_: bool,
    description: String,
}

impl Rule {
    fn from_value(v: &Value) -> Rule {
        let strs = |k: &str| v.get_attr(k).map(strings).unwrap_or_default();
        let mut sgs = strs("security_groups");
        sgs.sort();
        Rule {
            protocol: protocol_name(
                v.get_attr("protocol")
                    .and_then(Value::as_str)
                    .unwrap_or("-1"),
            ),
            from_port: v.get_attr("from_port").and_then(Value::as_i64).unwrap_or(0),
            to_port: v.get_attr("to_port").and_then(Value::as_i64).unwrap_or(0),
            cidr_blocks: strs("cidr_blocks"),
            ipv6_cidr_blocks: strs("ipv6_cidr_blocks"),
            prefix_list_ids: strs("prefix_list_ids"),
            security_groups: sgs,
            self_: v.get_attr("self").and_then(Value::as_bool).unwrap_or(false),
            description: v
                .get_attr("description")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
        }
    }
    fn to_value(&self) -> Value {
        Value::object([
            ("cidr_blocks", str_list(self.cidr_blocks.clone())),
            ("description", s(self.description.clone())),
            ("from_port", n(self.from_port)),
            ("ipv6_cidr_blocks", str_list(self.ipv6_cidr_blocks.clone())),
            ("prefix_list_ids", str_list(self.prefix_list_ids.clone())),
            ("protocol", s(self.protocol.clone())),
            ("security_groups", str_set(self.security_groups.clone())),
            ("self", b(self.self_)),
            ("to_port", n(self.to_port)),
        ])
    }
    fn permission(&self, group_id: &str) -> IpPermission {
        let desc = (!self.description.is_empty()).then(|| self.description.clone());
        let all = self.protocol == "-1";
        let mut p = IpPermission::builder().ip_protocol(&self.protocol);
        if !all {
            p = p
                .from_port(self.from_port as i32)
                .to_port(self.to_port as i32);
        }
        for c in &self.cidr_blocks {
            p = p.ip_ranges(
                IpRange::builder()
                    .cidr_ip(c)
                    .set_description(desc.clone())
                    .build(),
            );
        }
        for c in &self.ipv6_cidr_blocks {
            p = p.ipv6_ranges(
                Ipv6Range::builder()
                    .cidr_ipv6(c)
                    .set_description(desc.clone())
                    .build(),
            );
        }
        for c in &self.prefix_list_ids {
            p = p.prefix_list_ids(
                PrefixListId::builder()
                    .prefix_list_id(c)
                    .set_description(desc.clone())
                    .build(),
            );
        }
        let mut groups = self.security_groups.clone();
        if self.self_ {
            groups.push(group_id.to_string());
        }
        for g in groups {
            let pair = match g.split_once('/') {
                Some((acct, id)) => UserIdGroupPair::builder().user_id(acct).group_id(id),
                None => UserIdGroupPair::builder().group_id(g),
            };
            p = p.user_id_group_pairs(pair.set_description(desc.clone()).build());
        }
        p.build()
    }
}

/// AWS permissions → Terraform rules: one rule per permission and description.
fn rules_from_api(perms: &[IpPermission], group_id: &str) -> Vec<Rule> {
    let mut out = Vec::new();
    for p in perms {
        let protocol = protocol_name(p.ip_protocol().unwrap_or("-1"));
        let (from, to) = if protocol == "-1" {
            (0, 0)
        } else {
            (
                p.from_port().unwrap_or(0) as i64,
                p.to_port().unwrap_or(0) as i64,
            )
        };
        let mut by_desc: BTreeMap<String, Rule> = BTreeMap::new();
        let template = Rule {
            protocol: protocol.clone(),
            from_port: from,
            to_port: to,
            cidr_blocks: vec![],
            ipv6_cidr_blocks: vec![],
            prefix_list_ids: vec![],
            security_groups: vec![],
            self_: false,
            description: String::new(),
        };
        fn entry<'a>(m: &'a mut BTreeMap<String, Rule>, t: &Rule, d: Option<&str>) -> &'a mut Rule {
            let d = d.unwrap_or("").to_string();
            m.entry(d.clone()).or_insert_with(|| Rule {
                description: d,
                ..t.clone()
            })
        }
        for r in p.ip_ranges() {
            if let Some(c) = r.cidr_ip() {
                entry(&mut by_desc, &template, r.description())
                    .cidr_blocks
                    .push(c.to_string());
            }
        }
        for r in p.ipv6_ranges() {
            if let Some(c) = r.cidr_ipv6() {
                entry(&mut by_desc, &template, r.description())
                    .ipv6_cidr_blocks
                    .push(c.to_string());
            }
        }
        for r in p.prefix_list_ids() {
            if let Some(c) = r.prefix_list_id() {
                entry(&mut by_desc, &template, r.description())
                    .prefix_list_ids
                    .push(c.to_string());
            }
        }
        for g in p.user_id_group_pairs() {
            let e = entry(&mut by_desc, &template, g.description());
            match g.group_id() {
                Some(id) if id == group_id => e.self_ = true,
                Some(id) => e.security_groups.push(id.to_string()),
                None => {}
            }
        }
        for (_, mut r) in by_desc {
            r.security_groups.sort();
            out.push(r);
        }
    }
    out
}

/// Terraform's unique names: `terraform-` + 26 digits (time-ordered).
pub(crate) fn unique_name(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(1);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let c = COUNTER.fetch_add(1, Ordering::Relaxed) % 100_000_000;
    format!(
        "{prefix}{:018}{c:08}",
        now.as_millis() * 1000 + (now.subsec_micros() % 1000) as u128
    )
}

pub(crate) struct SecurityGroup;

async fn describe_group(
    ec2: &aws_sdk_ec2::Client,
    id: &str,
) -> Result<Option<aws_sdk_ec2::types::SecurityGroup>, ApiError> {
    match call(op("reading", "DescribeSecurityGroups"), || {
        ec2.describe_security_groups().group_ids(id).send()
    })
    .await
    {
        Ok(out) => Ok(out
            .security_groups()
            .iter()
            .find(|g| g.group_id() == Some(id))
            .cloned()),
        Err(e) if e.is(&["InvalidGroup.NotFound", "InvalidSecurityGroupID.NotFound"]) => Ok(None),
        Err(e) => Err(e),
    }
}

async fn authorize(
    ec2: &aws_sdk_ec2::Client,
    id: &str,
    ingress: bool,
    perms: Vec<IpPermission>,
    budget: Duration,
) -> Result<(), ApiError> {
    if perms.is_empty() {
        return Ok(());
    }
    if ingress {
        call_retry(
            op("updating", "AuthorizeSecurityGroupIngress"),
            NOT_FOUND_CODES,
            budget,
            || {
                ec2.authorize_security_group_ingress()
                    .group_id(id)
                    .set_ip_permissions(Some(perms.clone()))
                    .send()
            },
        )
        .await
        .map(|_| ())
    } else {
        call_retry(
            op("updating", "AuthorizeSecurityGroupEgress"),
            NOT_FOUND_CODES,
            budget,
            || {
                ec2.authorize_security_group_egress()
                    .group_id(id)
                    .set_ip_permissions(Some(perms.clone()))
                    .send()
            },
        )
        .await
        .map(|_| ())
    }
}

async fn revoke(
    ec2: &aws_sdk_ec2::Client,
    id: &str,
    ingress: bool,
    perms: Vec<IpPermission>,
) -> Result<(), ApiError> {
    if perms.is_empty() {
        return Ok(());
    }
    let r = if ingress {
        call(op("updating", "RevokeSecurityGroupIngress"), || {
            ec2.revoke_security_group_ingress()
                .group_id(id)
                .set_ip_permissions(Some(perms.clone()))
                .send()
        })
        .await
        .map(|_| ())
    } else {
        call(op("updating", "RevokeSecurityGroupEgress"), || {
            ec2.revoke_security_group_egress()
                .group_id(id)
                .set_ip_permissions(Some(perms.clone()))
                .send()
        })
        .await
        .map(|_| ())
    };
    match r {
        Err(e) if e.is(&["InvalidPermission.NotFound"]) => Ok(()),
        r => r,
    }
}

fn rules_of(o: &Obj, name: &str) -> Vec<Rule> {
    let mut v: Vec<Rule> = get(o, name)
        .as_seq()
        .unwrap_or(&[])
        .iter()
        .map(Rule::from_value)
        .collect();
    v.sort();
    v.dedup();
    v
}

#[async_trait]
impl Resource for SecurityGroup {
    fn type_name(&self) -> &'static str {
        "aws_security_group"
    }
    fn tagged(&self) -> bool {
        true
    }
    fn timeouts(&self) -> Option<Timeouts> {
        Some(Timeouts {
            create: Duration::from_secs(10 * 60),
            read: Duration::from_secs(10 * 60),
            update: Duration::from_secs(10 * 60),
            delete: Duration::from_secs(15 * 60),
        })
    }
    fn schema(&self) -> Schema {
        let rules = || NestedBlock {
            nesting: Nesting::Set,
            min_items: 0,
            max_items: 0,
            force_new: false,
            block: rule_block(),
        };
        Schema {
            version: 1,
            block: Block::new()
                .attr("arn", Attribute::computed(Type::String))
                .attr("description", Attribute::optional(Type::String).force_new())
                .attr("id", Attribute::computed(Type::String))
                .attr(
                    "name",
                    Attribute::optional_computed(Type::String).force_new(),
                )
                .attr(
                    "name_prefix",
                    Attribute::optional_computed(Type::String).force_new(),
                )
                .attr("owner_id", Attribute::computed(Type::String))
                .attr("revoke_rules_on_delete", Attribute::optional(Type::Bool))
                .attr("tags", Attribute::optional(Type::map(Type::String)))
                .attr(
                    "vpc_id",
                    Attribute::optional_computed(Type::String).force_new(),
                )
                .block("egress", rules())
                .block("ingress", rules()),
        }
    }
    fn defaults(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("description", s("Managed by Terraform")),
            ("revoke_rules_on_delete", b(false)),
        ]
    }
    fn computed_blocks(&self) -> &'static [&'static str] {
        &["ingress", "egress"]
    }
    fn normalize(&self, planned: &mut Obj) {
        for k in ["ingress", "egress"] {
            if let Some(Value::Set(t, items)) = planned.get(k).map(Value::unmarked).cloned() {
                let items = items
                    .iter()
                    .map(|r| {
                        if r.is_wholly_known() {
                            Rule::from_value(r).to_value()
                        } else {
                            r.clone()
                        }
                    })
                    .collect();
                planned.insert(k.into(), Value::set(t, items));
            }
        }
    }

    async fn create(&self, cx: &Ctx<'_>, planned: &Obj) -> Result<Obj, Failed> {
        let ec2 = cx.ec2();
        let name = match (get_str(planned, "name"), get_str(planned, "name_prefix")) {
            (Some(n), _) => n,
            (None, Some(p)) => unique_name(&p),
            (None, None) => unique_name("terraform-"),
        };
        let tags = tags_to_send(cx.aws, planned);
        let out = call_retry(
            op("creating", "CreateSecurityGroup"),
            &["InvalidVpcID.NotFound"],
            Duration::from_secs(60),
            || {
                ec2.create_security_group()
                    .group_name(&name)
                    .set_description(get_str(planned, "description"))
                    .set_vpc_id(get_str(planned, "vpc_id"))
                    .set_tag_specifications(
                        tag_spec(ResourceType::SecurityGroup, &tags).map(|t| vec![t]),
                    )
                    .send()
            },
        )
        .await?;
        let id = out.group_id().map(str::to_string).ok_or_else(|| {
            Diagnostics::from(ApiError::other(
                op("creating", "CreateSecurityGroup"),
                "the response has no group ID",
            ))
        })?;
        let mut partial = planned.clone();
        partial.insert("id".into(), s(id.clone()));
        partial.insert("name".into(), s(name.clone()));
        let result = async {
            let g = describe_group(&ec2, &id).await?;
            // AWS adds an allow-all egress rule to VPC groups: Terraform removes it, so that
            // egress is exactly what the configuration says.
            if let Some(g) = g.filter(|g| g.vpc_id().is_some()) {
                revoke(&ec2, &id, false, g.ip_permissions_egress().to_vec()).await?;
            }
            let perms = |k: &str| -> Vec<IpPermission> {
                rules_of(planned, k)
                    .iter()
                    .map(|r| r.permission(&id))
                    .collect()
            };
            authorize(&ec2, &id, true, perms("ingress"), cx.timeouts.create).await?;
            authorize(&ec2, &id, false, perms("egress"), cx.timeouts.create).await?;
            Ok::<(), ApiError>(())
        }
        .await;
        if let Err(e) = result {
            return Err(Failed::partial(partial, e));
        }
        match self.read(cx, &partial).await {
            Ok(Some(o)) => Ok(o),
            Ok(None) => Err(Failed::partial(
                partial,
                ApiError::other(
                    op("creating", "DescribeSecurityGroups"),
                    "the new group disappeared",
                ),
            )),
            Err(d) => Err(Failed::partial(partial, d)),
        }
    }

    async fn read(&self, cx: &Ctx<'_>, state: &Obj) -> Result<Option<Obj>, Diagnostics> {
        let ec2 = cx.ec2();
        let id = id_of(state)?;
        let Some(g) = describe_group(&ec2, &id).await? else {
            return Ok(None);
        };
        let mut o = state.clone();
        o.insert("id".into(), s(id.clone()));
        o.insert(
            "arn".into(),
            s(cx.arn("ec2", &format!("security-group/{id}"))),
        );
        o.insert("name".into(), opt_s(g.group_name()));
        if get(state, "name_prefix").is_null() || !get(state, "name_prefix").is_known() {
            o.insert("name_prefix".into(), Value::Null(Type::String));
        }
        o.insert("description".into(), opt_s(g.description()));
        o.insert("owner_id".into(), opt_s(g.owner_id()));
        o.insert("vpc_id".into(), opt_s(g.vpc_id()));
        if get(&o, "revoke_rules_on_delete").is_null() {
            o.insert("revoke_rules_on_delete".into(), b(false));
        }
        let t = rule_block().implied_type();
        let vals = |rs: Vec<Rule>| Value::set(t.clone(), rs.iter().map(Rule::to_value).collect());
        o.insert(
            "ingress".into(),
            vals(rules_from_api(g.ip_permissions(), &id)),
        );
        o.insert(
            "egress".into(),
            vals(rules_from_api(g.ip_permissions_egress(), &id)),
        );
        set_tags_from_api(cx.aws, &mut o, tag_map(g.tags()), Some(state));
        Ok(Some(o))
    }

    async fn update(&self, cx: &Ctx<'_>, prior: &Obj, planned: &Obj) -> Result<Obj, Failed> {
        let ec2 = cx.ec2();
        let id = id_of(prior)?;
        for (k, ingress) in [("ingress", true), ("egress", false)] {
            if !get(planned, k).is_wholly_known() {
                continue;
            }
            let (old, new) = (rules_of(prior, k), rules_of(planned, k));
            let removed: Vec<IpPermission> = old
                .iter()
                .filter(|r| !new.contains(r))
                .map(|r| r.permission(&id))
                .collect();
            let added: Vec<IpPermission> = new
                .iter()
                .filter(|r| !old.contains(r))
                .map(|r| r.permission(&id))
                .collect();
            revoke(&ec2, &id, ingress, removed).await?;
            authorize(&ec2, &id, ingress, added, cx.timeouts.update).await?;
        }
        update_tags(
            &ec2,
            SG,
            &id,
            &state_tags(prior),
            &tags_to_send(cx.aws, planned),
        )
        .await?;
        match self.read(cx, planned).await? {
            Some(o) => Ok(o),
            None => Err(ApiError::other(
                op("updating", "DescribeSecurityGroups"),
                "the group disappeared",
            )
            .into()),
        }
    }

    async fn delete(&self, cx: &Ctx<'_>, prior: &Obj) -> Result<(), Diagnostics> {
        let ec2 = cx.ec2();
        let id = id_of(prior)?;
        let Some(g) = describe_group(&ec2, &id).await? else {
            return Ok(());
        };
        if get_bool(prior, "revoke_rules_on_delete") == Some(true) {
            revoke(&ec2, &id, true, g.ip_permissions().to_vec()).await?;
            revoke(&ec2, &id, false, g.ip_permissions_egress().to_vec()).await?;
        }
        // Network interfaces of deleted instances/load balancers hold the group for a while.
        match call_retry(
            op("deleting", "DeleteSecurityGroup"),
            &["DependencyViolation", "InvalidGroup.InUse"],
            cx.timeouts.delete,
            || ec2.delete_security_group().group_id(&id).send(),
        )
        .await
        {
            Ok(_) => Ok(()),
            Err(e) if e.is(&["InvalidGroup.NotFound"]) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

// ---- aws_vpc_security_group_{ingress,egress}_rule ----------------------------------------

pub(crate) struct SgRule {
    pub ingress: bool,
}

impl SgRule {
    fn what(&self) -> &'static str {
        if self.ingress {
            "VPC Security Group Ingress Rule"
        } else {
            "VPC Security Group Egress Rule"
        }
    }
    fn op(&self, verb: &'static str, operation: &'static str) -> Op {
        Op::new(verb, self.what(), "EC2", operation)
    }
    fn permission(&self, o: &Obj) -> IpPermission {
        let protocol = protocol_name(&get_str(o, "ip_protocol").unwrap_or_else(|| "-1".into()));
        let desc = get_str(o, "description");
        let mut p = IpPermission::builder().ip_protocol(&protocol);
        if protocol != "-1" {
            p = p
                .set_from_port(get_i64(o, "from_port").map(|x| x as i32))
                .set_to_port(get_i64(o, "to_port").map(|x| x as i32));
        }
        if let Some(c) = get_str(o, "cidr_ipv4") {
            p = p.ip_ranges(
                IpRange::builder()
                    .cidr_ip(c)
                    .set_description(desc.clone())
                    .build(),
            );
        }
        if let Some(c) = get_str(o, "cidr_ipv6") {
            p = p.ipv6_ranges(
                Ipv6Range::builder()
                    .cidr_ipv6(c)
                    .set_description(desc.clone())
                    .build(),
            );
        }
        if let Some(c) = get_str(o, "prefix_list_id") {
            p = p.prefix_list_ids(
                PrefixListId::builder()
                    .prefix_list_id(c)
                    .set_description(desc.clone())
                    .build(),
            );
        }
        if let Some(g) = get_str(o, "referenced_security_group_id") {
            p = p.user_id_group_pairs(
                UserIdGroupPair::builder()
                    .group_id(g)
                    .set_description(desc.clone())
                    .build(),
            );
        }
        p.build()
    }
    async fn describe(
        &self,
        ec2: &aws_sdk_ec2::Client,
        id: &str,
    ) -> Result<Option<aws_sdk_ec2::types::SecurityGroupRule>, ApiError> {
        match call(self.op("reading", "DescribeSecurityGroupRules"), || {
            ec2.describe_security_group_rules()
                .security_group_rule_ids(id)
                .send()
        })
        .await
        {
            Ok(out) => Ok(out
                .security_group_rules()
                .iter()
                .find(|r| r.security_group_rule_id() == Some(id))
                .cloned()),
            Err(e)
                if e.is(&[
                    "InvalidSecurityGroupRuleId.NotFound",
                    "InvalidGroup.NotFound",
                ]) =>
            {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }
}

#[async_trait]
impl Resource for SgRule {
    fn type_name(&self) -> &'static str {
        if self.ingress {
            "aws_vpc_security_group_ingress_rule"
        } else {
            "aws_vpc_security_group_egress_rule"
        }
    }
    fn tagged(&self) -> bool {
        true
    }
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block::new()
                .attr("arn", Attribute::computed(Type::String))
                .attr("cidr_ipv4", Attribute::optional(Type::String))
                .attr("cidr_ipv6", Attribute::optional(Type::String))
                .attr("description", Attribute::optional(Type::String))
                .attr("from_port", Attribute::optional(Type::Number))
                .attr("id", Attribute::computed(Type::String))
                .attr("ip_protocol", Attribute::required(Type::String))
                .attr("prefix_list_id", Attribute::optional(Type::String))
                .attr(
                    "referenced_security_group_id",
                    Attribute::optional(Type::String),
                )
                .attr(
                    "security_group_id",
                    Attribute::required(Type::String).force_new(),
                )
                .attr("security_group_rule_id", Attribute::computed(Type::String))
                .attr("tags", Attribute::optional(Type::map(Type::String)))
                .attr("to_port", Attribute::optional(Type::Number)),
        }
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        if !config.is_wholly_known() {
            return d;
        }
        let n = [
            "cidr_ipv4",
            "cidr_ipv6",
            "prefix_list_id",
            "referenced_security_group_id",
        ]
        .iter()
        .filter(|k| cfg(config, k).is_some())
        .count();
        if n != 1 {
            d.push(attr_error(
                "cidr_ipv4",
                "exactly one source or destination is required",
                "Set exactly one of cidr_ipv4, cidr_ipv6, prefix_list_id and referenced_security_group_id.",
                "keep one of them",
            ));
        }
        d
    }

    async fn create(&self, cx: &Ctx<'_>, planned: &Obj) -> Result<Obj, Failed> {
        let ec2 = cx.ec2();
        let group = get_str(planned, "security_group_id").unwrap_or_default();
        let tags = tags_to_send(cx.aws, planned);
        let spec = tag_spec(ResourceType::SecurityGroupRule, &tags).map(|t| vec![t]);
        let perm = self.permission(planned);
        let rule_id = if self.ingress {
            let out = call_retry(
                self.op("creating", "AuthorizeSecurityGroupIngress"),
                NOT_FOUND_CODES,
                Duration::from_secs(120),
                || {
                    ec2.authorize_security_group_ingress()
                        .group_id(&group)
                        .ip_permissions(perm.clone())
                        .set_tag_specifications(spec.clone())
                        .send()
                },
            )
            .await?;
            out.security_group_rules()
                .first()
                .and_then(|r| r.security_group_rule_id())
                .map(str::to_string)
        } else {
            let out = call_retry(
                self.op("creating", "AuthorizeSecurityGroupEgress"),
                NOT_FOUND_CODES,
                Duration::from_secs(120),
                || {
                    ec2.authorize_security_group_egress()
                        .group_id(&group)
                        .ip_permissions(perm.clone())
                        .set_tag_specifications(spec.clone())
                        .send()
                },
            )
            .await?;
            out.security_group_rules()
                .first()
                .and_then(|r| r.security_group_rule_id())
                .map(str::to_string)
        };
        let Some(id) = rule_id else {
            return Err(ApiError::other(
                self.op("creating", "AuthorizeSecurityGroupIngress"),
                "the response has no rule ID",
            )
            .into());
        };
        let mut o = planned.clone();
        o.insert("id".into(), s(id.clone()));
        match self.read(cx, &o).await {
            Ok(Some(r)) => Ok(r),
            Ok(None) => Err(Failed::partial(
                o,
                ApiError::other(
                    self.op("creating", "DescribeSecurityGroupRules"),
                    "the new rule disappeared",
                ),
            )),
            Err(d) => Err(Failed::partial(o, d)),
        }
    }

    async fn read(&self, cx: &Ctx<'_>, state: &Obj) -> Result<Option<Obj>, Diagnostics> {
        let ec2 = cx.ec2();
        let id = id_of(state)?;
        let Some(r) = self.describe(&ec2, &id).await? else {
            return Ok(None);
        };
        if r.is_egress() == Some(self.ingress) {
            return Ok(None);
        }
        let mut o = state.clone();
        o.insert("id".into(), s(id.clone()));
        o.insert("security_group_rule_id".into(), s(id.clone()));
        o.insert(
            "arn".into(),
            match r.security_group_rule_arn() {
                Some(a) => s(a),
                None => s(cx.arn("ec2", &format!("security-group-rule/{id}"))),
            },
        );
        o.insert("security_group_id".into(), opt_s(r.group_id()));
        let protocol = protocol_name(r.ip_protocol().unwrap_or("-1"));
        let all = protocol == "-1";
        o.insert("ip_protocol".into(), s(protocol));
        o.insert(
            "from_port".into(),
            if all {
                Value::Null(Type::Number)
            } else {
                r.from_port()
                    .map(|x| n(x as i64))
                    .unwrap_or(Value::Null(Type::Number))
            },
        );
        o.insert(
            "to_port".into(),
            if all {
                Value::Null(Type::Number)
            } else {
                r.to_port()
                    .map(|x| n(x as i64))
                    .unwrap_or(Value::Null(Type::Number))
            },
        );
        o.insert("cidr_ipv4".into(), opt_s(r.cidr_ipv4()));
        o.insert("cidr_ipv6".into(), opt_s(r.cidr_ipv6()));
        o.insert("prefix_list_id".into(), opt_s(r.prefix_list_id()));
        o.insert(
            "referenced_security_group_id".into(),
            opt_s(r.referenced_group_info().and_then(|g| g.group_id())),
        );
        o.insert("description".into(), opt_s(r.description()));
        set_tags_from_api(cx.aws, &mut o, tag_map(r.tags()), Some(state));
        Ok(Some(o))
    }

    async fn update(&self, cx: &Ctx<'_>, prior: &Obj, planned: &Obj) -> Result<Obj, Failed> {
        let ec2 = cx.ec2();
        let id = id_of(prior)?;
        let rule_changed = [
            "cidr_ipv4",
            "cidr_ipv6",
            "description",
            "from_port",
            "to_port",
            "ip_protocol",
            "prefix_list_id",
            "referenced_security_group_id",
        ]
        .iter()
        .any(|k| !same(prior.get(*k), planned.get(*k)));
        if rule_changed {
            let g = |k: &str| get_str(planned, k);
            let protocol = protocol_name(&g("ip_protocol").unwrap_or_else(|| "-1".into()));
            let all = protocol == "-1";
            let req = aws_sdk_ec2::types::SecurityGroupRuleRequest::builder()
                .ip_protocol(protocol)
                .set_from_port(if all {
                    None
                } else {
                    get_i64(planned, "from_port").map(|x| x as i32)
                })
                .set_to_port(if all {
                    None
                } else {
                    get_i64(planned, "to_port").map(|x| x as i32)
                })
                .set_cidr_ipv4(g("cidr_ipv4"))
                .set_cidr_ipv6(g("cidr_ipv6"))
                .set_prefix_list_id(g("prefix_list_id"))
                .set_referenced_group_id(g("referenced_security_group_id"))
                .set_description(g("description"))
                .build();
            let upd = aws_sdk_ec2::types::SecurityGroupRuleUpdate::builder()
                .security_group_rule_id(&id)
                .security_group_rule(req)
                .build();
            let group = get_str(prior, "security_group_id").unwrap_or_default();
            call(self.op("updating", "ModifySecurityGroupRules"), || {
                ec2.modify_security_group_rules()
                    .group_id(&group)
                    .security_group_rules(upd.clone())
                    .send()
            })
            .await?;
        }
        update_tags(
            &ec2,
            self.what(),
            &id,
            &state_tags(prior),
            &tags_to_send(cx.aws, planned),
        )
        .await?;
        match self.read(cx, planned).await? {
            Some(o) => Ok(o),
            None => Err(ApiError::other(
                self.op("updating", "DescribeSecurityGroupRules"),
                "the rule disappeared",
            )
            .into()),
        }
    }

    async fn delete(&self, cx: &Ctx<'_>, prior: &Obj) -> Result<(), Diagnostics> {
        let ec2 = cx.ec2();
        let id = id_of(prior)?;
        let group = get_str(prior, "security_group_id").unwrap_or_default();
        let r = if self.ingress {
            call(self.op("deleting", "RevokeSecurityGroupIngress"), || {
                ec2.revoke_security_group_ingress()
                    .group_id(&group)
                    .security_group_rule_ids(&id)
                    .send()
            })
            .await
            .map(|_| ())
        } else {
            call(self.op("deleting", "RevokeSecurityGroupEgress"), || {
                ec2.revoke_security_group_egress()
                    .group_id(&group)
                    .security_group_rule_ids(&id)
                    .send()
            })
            .await
            .map(|_| ())
        };
        match r {
            Ok(()) => Ok(()),
            Err(e)
                if e.is(&[
                    "InvalidSecurityGroupRuleId.NotFound",
                    "InvalidGroup.NotFound",
                    "InvalidPermission.NotFound",
                ]) =>
            {
                Ok(())
            }
            Err(e) => Err(e.into()),
        }
    }
}
