//! `aws_lb` (alias-free; import ID: the load balancer ARN).
//!
//! Load balancer attributes (`idle_timeout`, `enable_deletion_protection`, …) follow
//! upstream's table: each applies to some load balancer types only; on the others the value
//! stays what the configuration says (upstream suppresses the diff) and is never sent.

use super::{
    arn_suffix, name_for_create, name_prefix_from_name, read_tags, sdk_tags, state_tags,
    update_tags,
};
use crate::api::{call, wait, ApiError, Op, Poll};
use crate::framework::*;
use async_trait::async_trait;
use aws_sdk_elasticloadbalancingv2::types::{
    IpAddressType, LoadBalancerAttribute, LoadBalancerSchemeEnum, LoadBalancerStateEnum,
    LoadBalancerTypeEnum,
};
use aws_sdk_elasticloadbalancingv2::Client;
use plinth_sdk::{Attribute, Block, Diagnostics, Schema, Type, Value};
use std::time::Duration;

pub(crate) struct LoadBalancer;

const WHAT: &str = "ELBv2 Load Balancer";

fn op(verb: &'static str, operation: &'static str) -> Op {
    Op::new(verb, WHAT, "ELBv2", operation)
}

#[derive(Clone, Copy)]
enum Kind {
    Bool,
    Int,
    Str,
}

const APP: &[&str] = &["application"];
/// (attribute, API key, kind, default, load balancer types it applies to)
const ATTRS: &[(&str, &str, Kind, &str, &[&str])] = &[
    (
        "client_keep_alive",
        "client_keep_alive.seconds",
        Kind::Int,
        "3600",
        APP,
    ),
    (
        "desync_mitigation_mode",
        "routing.http.desync_mitigation_mode",
        Kind::Str,
        "defensive",
        APP,
    ),
    (
        "dns_record_client_routing_policy",
        "dns_record.client_routing_policy",
        Kind::Str,
        "any_availability_zone",
        &["network"],
    ),
    (
        "drop_invalid_header_fields",
        "routing.http.drop_invalid_header_fields.enabled",
        Kind::Bool,
        "false",
        APP,
    ),
    (
        "enable_cross_zone_load_balancing",
        "load_balancing.cross_zone.enabled",
        Kind::Bool,
        "false",
        &["network", "gateway"],
    ),
    (
        "enable_deletion_protection",
        "deletion_protection.enabled",
        Kind::Bool,
        "false",
        &["application", "network", "gateway"],
    ),
    (
        "enable_http2",
        "routing.http2.enabled",
        Kind::Bool,
        "true",
        APP,
    ),
    (
        "enable_tls_version_and_cipher_suite_headers",
        "routing.http.x_amzn_tls_version_and_cipher_suite.enabled",
        Kind::Bool,
        "false",
        APP,
    ),
    (
        "enable_waf_fail_open",
        "waf.fail_open.enabled",
        Kind::Bool,
        "false",
        APP,
    ),
    (
        "enable_xff_client_port",
        "routing.http.xff_client_port.enabled",
        Kind::Bool,
        "false",
        APP,
    ),
    (
        "enable_zonal_shift",
        "zonal_shift.config.enabled",
        Kind::Bool,
        "false",
        &["application", "network"],
    ),
    (
        "idle_timeout",
        "idle_timeout.timeout_seconds",
        Kind::Int,
        "60",
        APP,
    ),
    (
        "preserve_host_header",
        "routing.http.preserve_host_header.enabled",
        Kind::Bool,
        "false",
        APP,
    ),
    (
        "xff_header_processing_mode",
        "routing.http.xff_header_processing.mode",
        Kind::Str,
        "append",
        APP,
    ),
];

fn to_value(kind: Kind, raw: &str) -> Option<Value> {
    match kind {
        Kind::Bool => raw.parse::<bool>().ok().map(b),
        Kind::Int => raw.parse::<i64>().ok().map(n),
        Kind::Str => Some(s(raw)),
    }
}

fn to_api(kind: Kind, v: &Value) -> Option<String> {
    let v = v.unmarked();
    match kind {
        Kind::Bool => v.as_bool().map(|x| x.to_string()),
        Kind::Int => v.as_i64().map(|x| x.to_string()),
        Kind::Str => v.as_str().map(str::to_string),
    }
}

fn lb_type(o: &Obj) -> String {
    get_str(o, "load_balancer_type").unwrap_or_else(|| "application".into())
}

/// The attributes to send: all that apply to the type (create), or those that changed.
fn attributes(prior: Option<&Obj>, planned: &Obj) -> Vec<LoadBalancerAttribute> {
    let ty = lb_type(planned);
    ATTRS
        .iter()
        .filter(|(_, _, _, _, types)| types.contains(&ty.as_str()))
        .filter(|(name, ..)| prior.is_none_or(|p| !same(p.get(*name), planned.get(*name))))
        .filter_map(|(name, key, kind, _, _)| {
            to_api(*kind, get(planned, name))
                .map(|v| LoadBalancerAttribute::builder().key(*key).value(v).build())
        })
        .collect()
}

#[async_trait]
impl Resource for LoadBalancer {
    fn type_name(&self) -> &'static str {
        "aws_lb"
    }
    fn tagged(&self) -> bool {
        true
    }
    fn timeouts(&self) -> Option<Timeouts> {
        Some(Timeouts::uniform(Duration::from_secs(10 * 60)))
    }
    fn schema(&self) -> Schema {
        let c = Attribute::computed;
        let mut block = Block::new()
            .attr("arn", c(Type::String))
            .attr("arn_suffix", c(Type::String))
            .attr(
                "customer_owned_ipv4_pool",
                Attribute::optional(Type::String).force_new(),
            )
            .attr("dns_name", c(Type::String))
            .attr("id", c(Type::String))
            .attr(
                "internal",
                Attribute::optional_computed(Type::Bool).force_new(),
            )
            .attr(
                "ip_address_type",
                Attribute::optional_computed(Type::String),
            )
            .attr(
                "load_balancer_type",
                Attribute::optional(Type::String).force_new(),
            )
            .attr(
                "name",
                Attribute::optional_computed(Type::String).force_new(),
            )
            .attr(
                "name_prefix",
                Attribute::optional_computed(Type::String).force_new(),
            )
            .attr(
                "security_groups",
                Attribute::optional_computed(Type::set(Type::String)),
            )
            .attr(
                "subnets",
                Attribute::optional_computed(Type::set(Type::String)),
            )
            .attr("tags", Attribute::optional(Type::map(Type::String)))
            .attr("vpc_id", c(Type::String))
            .attr("zone_id", c(Type::String));
        for (name, _, kind, _, _) in ATTRS {
            let ty = match kind {
                Kind::Bool => Type::Bool,
                Kind::Int => Type::Number,
                Kind::Str => Type::String,
            };
            block = block.attr(name, Attribute::optional(ty));
        }
        Schema { version: 0, block }
    }
    fn defaults(&self) -> Vec<(&'static str, Value)> {
        let mut d: Vec<(&'static str, Value)> = ATTRS
            .iter()
            .filter_map(|(name, _, kind, def, _)| to_value(*kind, def).map(|v| (*name, v)))
            .collect();
        d.push(("load_balancer_type", s("application")));
        d
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        if cfg(config, "name").is_some() && cfg(config, "name_prefix").is_some() {
            d.push(attr_error(
                "name",
                "conflicts with name_prefix",
                "Only one of `name` and `name_prefix` may be set.",
                "remove one of them",
            ));
        }
        if let Some(name) = cfg(config, "name").and_then(Value::as_str) {
            let ok = !name.is_empty()
                && name.len() <= 32
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !name.starts_with('-')
                && !name.ends_with('-')
                && !name.starts_with("internal-");
            if !ok {
                d.push(attr_error(
                    "name",
                    "invalid load balancer name",
                    format!("{name:?}: a load balancer name has 1–32 letters, digits and hyphens, does not begin or end with a hyphen, and does not begin with \"internal-\"."),
                    "choose another name",
                ));
            }
        }
        if let Some(p) = cfg(config, "name_prefix").and_then(Value::as_str) {
            if p.len() > 6 {
                d.push(attr_error(
                    "name_prefix",
                    "too long",
                    format!("{p:?} is longer than 6 characters (a load balancer name is at most 32, and 26 are generated)."),
                    "use a prefix of at most 6 characters",
                ));
            }
        }
        if let Some(t) = cfg(config, "load_balancer_type").and_then(Value::as_str) {
            if !["application", "network", "gateway"].contains(&t) {
                d.push(attr_error(
                    "load_balancer_type",
                    "unsupported type",
                    format!("{t:?} is not a load balancer type."),
                    "use \"application\", \"network\" or \"gateway\"",
                ));
            }
        }
        d
    }

    async fn create(&self, cx: &Ctx<'_>, planned: &Obj) -> Result<Obj, Failed> {
        let elb = cx.elbv2();
        let name = name_for_create(planned, "tf-lb-");
        let ty = lb_type(planned);
        let subnets = get_strings(planned, "subnets");
        let sgs = get_strings(planned, "security_groups");
        let mut req = elb
            .create_load_balancer()
            .name(&name)
            .r#type(LoadBalancerTypeEnum::from(ty.as_str()))
            .set_subnets((!subnets.is_empty()).then_some(subnets))
            .set_security_groups((!sgs.is_empty()).then_some(sgs))
            .set_customer_owned_ipv4_pool(get_str(planned, "customer_owned_ipv4_pool"))
            .set_tags(sdk_tags(&tags_to_send(cx.aws, planned)));
        if get_bool(planned, "internal") == Some(true) {
            req = req.scheme(LoadBalancerSchemeEnum::Internal);
        }
        if let Some(t) = get_str(planned, "ip_address_type") {
            req = req.ip_address_type(IpAddressType::from(t.as_str()));
        }
        let out = call(op("creating", "CreateLoadBalancer"), || req.clone().send()).await?;
        let arn = out
            .load_balancers()
            .first()
            .and_then(|l| l.load_balancer_arn())
            .map(str::to_string)
            .ok_or_else(|| {
                Diagnostics::from(ApiError::other(
                    op("creating", "CreateLoadBalancer"),
                    "the response has no load balancer ARN",
                ))
            })?;
        let mut partial = planned.clone();
        partial.insert("id".into(), s(arn.clone()));
        partial.insert("arn".into(), s(arn.clone()));
        partial.insert("name".into(), s(name));
        if let Err(e) = wait_active(&elb, &arn, cx.timeouts.create).await {
            return Err(Failed::partial(partial, e));
        }
        let attrs = attributes(None, planned);
        if !attrs.is_empty() {
            if let Err(e) = modify_attributes(&elb, &arn, attrs, "creating").await {
                return Err(Failed::partial(partial, e));
            }
            if let Err(e) = wait_active(&elb, &arn, cx.timeouts.create).await {
                return Err(Failed::partial(partial, e));
            }
        }
        match self.read(cx, &partial).await {
            Ok(Some(o)) => Ok(o),
            Ok(None) => Err(Failed::partial(
                partial,
                ApiError::other(
                    op("creating", "DescribeLoadBalancers"),
                    "the new load balancer disappeared",
                ),
            )),
            Err(d) => Err(Failed::partial(partial, d)),
        }
    }

    async fn read(&self, cx: &Ctx<'_>, state: &Obj) -> Result<Option<Obj>, Diagnostics> {
        let elb = cx.elbv2();
        let arn = id_of(state)?;
        let Some(lb) = describe(&elb, &arn, "reading").await? else {
            return Ok(None);
        };
        let mut o = state.clone();
        let ty = lb
            .r#type()
            .map(|t| t.as_str().to_string())
            .unwrap_or_else(|| "application".into());
        let name = lb.load_balancer_name().unwrap_or_default().to_string();
        o.insert("id".into(), s(arn.clone()));
        o.insert("arn".into(), s(arn.clone()));
        o.insert("arn_suffix".into(), opt_s(arn_suffix(&arn).as_deref()));
        o.insert(
            "customer_owned_ipv4_pool".into(),
            opt_s(lb.customer_owned_ipv4_pool()),
        );
        o.insert("dns_name".into(), opt_s(lb.dns_name()));
        o.insert(
            "internal".into(),
            b(lb.scheme() == Some(&LoadBalancerSchemeEnum::Internal)),
        );
        o.insert(
            "ip_address_type".into(),
            opt_s(lb.ip_address_type().map(|t| t.as_str())),
        );
        o.insert("load_balancer_type".into(), s(ty.clone()));
        o.insert("name".into(), s(name.clone()));
        o.insert(
            "name_prefix".into(),
            opt_s(name_prefix_from_name(&name).as_deref()),
        );
        o.insert(
            "security_groups".into(),
            str_set(lb.security_groups().to_vec()),
        );
        o.insert(
            "subnets".into(),
            str_set(
                lb.availability_zones()
                    .iter()
                    .filter_map(|z| z.subnet_id().map(str::to_string))
                    .collect(),
            ),
        );
        o.insert("vpc_id".into(), opt_s(lb.vpc_id()));
        o.insert("zone_id".into(), opt_s(lb.canonical_hosted_zone_id()));
        let out = call(op("reading", "DescribeLoadBalancerAttributes"), || {
            elb.describe_load_balancer_attributes()
                .load_balancer_arn(&arn)
                .send()
        })
        .await?;
        for (attr, key, kind, def, types) in ATTRS {
            if !types.contains(&ty.as_str()) {
                // Not applicable to this type: keep what the configuration said (or the default).
                if get(&o, attr).is_null() || !get(&o, attr).is_known() {
                    if let Some(v) = to_value(*kind, def) {
                        o.insert(attr.to_string(), v);
                    }
                }
                continue;
            }
            let api = out
                .attributes()
                .iter()
                .find(|a| a.key() == Some(*key))
                .and_then(|a| a.value())
                .and_then(|v| to_value(*kind, v));
            match api {
                Some(v) => {
                    o.insert(attr.to_string(), v);
                }
                None => {
                    // Not reported (emulators omit some): keep the known value, else the default.
                    if get(&o, attr).is_null() || !get(&o, attr).is_known() {
                        if let Some(v) = to_value(*kind, def) {
                            o.insert(attr.to_string(), v);
                        }
                    }
                }
            }
        }
        let tags = read_tags(&elb, WHAT, &arn).await?;
        set_tags_from_api(cx.aws, &mut o, tags, Some(state));
        Ok(Some(o))
    }

    async fn update(&self, cx: &Ctx<'_>, prior: &Obj, planned: &Obj) -> Result<Obj, Failed> {
        let elb = cx.elbv2();
        let arn = id_of(prior)?;
        let attrs = attributes(Some(prior), planned);
        if !attrs.is_empty() {
            modify_attributes(&elb, &arn, attrs, "updating").await?;
        }
        if !same(prior.get("security_groups"), planned.get("security_groups")) {
            let sgs = get_strings(planned, "security_groups");
            call(op("updating", "SetSecurityGroups"), || {
                elb.set_security_groups()
                    .load_balancer_arn(&arn)
                    .set_security_groups(Some(sgs.clone()))
                    .send()
            })
            .await?;
        }
        if !same(prior.get("subnets"), planned.get("subnets")) {
            let subnets = get_strings(planned, "subnets");
            call(op("updating", "SetSubnets"), || {
                elb.set_subnets()
                    .load_balancer_arn(&arn)
                    .set_subnets(Some(subnets.clone()))
                    .send()
            })
            .await?;
        }
        if !same(prior.get("ip_address_type"), planned.get("ip_address_type")) {
            if let Some(t) = get_str(planned, "ip_address_type") {
                call(op("updating", "SetIpAddressType"), || {
                    elb.set_ip_address_type()
                        .load_balancer_arn(&arn)
                        .ip_address_type(IpAddressType::from(t.as_str()))
                        .send()
                })
                .await?;
            }
        }
        update_tags(
            &elb,
            WHAT,
            &arn,
            &state_tags(prior),
            &tags_to_send(cx.aws, planned),
        )
        .await?;
        wait_active(&elb, &arn, cx.timeouts.update).await?;
        let mut base = planned.clone();
        base.insert("id".into(), s(arn.clone()));
        match self.read(cx, &base).await? {
            Some(o) => Ok(o),
            None => Err(ApiError::other(
                op("updating", "DescribeLoadBalancers"),
                "the load balancer disappeared",
            )
            .into()),
        }
    }

    async fn delete(&self, cx: &Ctx<'_>, prior: &Obj) -> Result<(), Diagnostics> {
        let elb = cx.elbv2();
        let arn = id_of(prior)?;
        match call(op("deleting", "DeleteLoadBalancer"), || {
            elb.delete_load_balancer().load_balancer_arn(&arn).send()
        })
        .await
        {
            Ok(_) => {}
            Err(e) if e.is(&["LoadBalancerNotFound"]) => return Ok(()),
            Err(e) => return Err(e.into()),
        }
        wait(
            op("deleting", "DescribeLoadBalancers"),
            "deleted",
            cx.timeouts.delete,
            Duration::from_secs(2),
            || {
                let elb = elb.clone();
                let arn = arn.clone();
                async move {
                    Ok(match describe(&elb, &arn, "deleting").await? {
                        None => Poll::Ready(()),
                        Some(_) => Poll::Pending("still present".into()),
                    })
                }
            },
        )
        .await?;
        Ok(())
    }
}

/// DescribeLoadBalancers for one ARN: `None` when it does not exist.
pub(crate) async fn describe(
    elb: &Client,
    arn: &str,
    verb: &'static str,
) -> Result<Option<aws_sdk_elasticloadbalancingv2::types::LoadBalancer>, ApiError> {
    match call(op(verb, "DescribeLoadBalancers"), || {
        elb.describe_load_balancers().load_balancer_arns(arn).send()
    })
    .await
    {
        Ok(out) => Ok(out
            .load_balancers()
            .iter()
            .find(|l| l.load_balancer_arn() == Some(arn))
            .cloned()),
        Err(e) if e.is(&["LoadBalancerNotFound"]) => Ok(None),
        Err(e) => Err(e),
    }
}

async fn wait_active(elb: &Client, arn: &str, timeout: Duration) -> Result<(), ApiError> {
    wait(
        op("creating", "DescribeLoadBalancers"),
        "active",
        timeout,
        Duration::from_secs(5),
        || {
            let elb = elb.clone();
            let arn = arn.to_string();
            async move {
                match describe(&elb, &arn, "creating").await? {
                    Some(l) => {
                        let st = l.state().and_then(|s| s.code());
                        Ok(match st {
                            Some(LoadBalancerStateEnum::Active) => Poll::Ready(()),
                            Some(LoadBalancerStateEnum::Failed) => Poll::Failed(
                                l.state()
                                    .and_then(|s| s.reason())
                                    .unwrap_or("failed")
                                    .to_string(),
                            ),
                            Some(s) => Poll::Pending(s.as_str().to_string()),
                            None => Poll::Pending("unknown".into()),
                        })
                    }
                    None => Ok(Poll::Pending("not yet visible".into())),
                }
            }
        },
    )
    .await
}

/// ModifyLoadBalancerAttributes, dropping keys the endpoint says it does not recognise (as
/// upstream does for partitions that lack some attributes).
async fn modify_attributes(
    elb: &Client,
    arn: &str,
    mut attrs: Vec<LoadBalancerAttribute>,
    verb: &'static str,
) -> Result<(), ApiError> {
    let re = regex_lite::Regex::new(
        r#"attribute key ['"]?([^'" ]+)['"]? is not (recognized|supported)"#,
    )
    .expect("static regex");
    loop {
        if attrs.is_empty() {
            return Ok(());
        }
        let r = call(op(verb, "ModifyLoadBalancerAttributes"), || {
            elb.modify_load_balancer_attributes()
                .load_balancer_arn(arn)
                .set_attributes(Some(attrs.clone()))
                .send()
        })
        .await;
        match r {
            Ok(_) => return Ok(()),
            Err(e) => {
                let key = e
                    .message
                    .as_deref()
                    .and_then(|m| re.captures(m))
                    .and_then(|c| c.get(1))
                    .map(|m| m.as_str().to_string());
                match key {
                    Some(k) if attrs.iter().any(|a| a.key() == Some(k.as_str())) => {
                        attrs.retain(|a| a.key() != Some(k.as_str()));
                    }
                    _ => return Err(e),
                }
            }
        }
    }
}
