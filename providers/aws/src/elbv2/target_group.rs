//! `aws_lb_target_group` (import ID: the target group ARN).
//!
//! `health_check` is an Optional+Computed block: without one, AWS's defaults are read back
//! and kept; inside one, `matcher`, `path` and `timeout` are Optional+Computed too.

use super::{
    arn_suffix, name_for_create, name_prefix_from_name, read_tags, sdk_tags, state_tags,
    update_tags,
};
use crate::api::{call, ApiError, Op};
use crate::framework::*;
use async_trait::async_trait;
use aws_sdk_elasticloadbalancingv2::types::{
    Matcher, ProtocolEnum, TargetGroupAttribute, TargetGroupIpAddressTypeEnum, TargetTypeEnum,
};
use aws_sdk_elasticloadbalancingv2::Client;
use plinth_sdk::{
    AttrPath, Attribute, Block, Diagnostics, NestedBlock, Nesting, Schema, Type, Value,
};

pub(crate) struct TargetGroup;

const WHAT: &str = "ELBv2 Target Group";

fn op(verb: &'static str, operation: &'static str) -> Op {
    Op::new(verb, WHAT, "ELBv2", operation)
}

fn hc_block() -> Block {
    Block::new()
        .attr("enabled", Attribute::optional(Type::Bool))
        .attr("healthy_threshold", Attribute::optional(Type::Number))
        .attr("interval", Attribute::optional(Type::Number))
        .attr("matcher", Attribute::optional_computed(Type::String))
        .attr("path", Attribute::optional_computed(Type::String))
        .attr("port", Attribute::optional(Type::String))
        .attr("protocol", Attribute::optional(Type::String))
        .attr("timeout", Attribute::optional_computed(Type::Number))
        .attr("unhealthy_threshold", Attribute::optional(Type::Number))
}

fn hc_nested() -> NestedBlock {
    NestedBlock {
        nesting: Nesting::List,
        min_items: 0,
        max_items: 1,
        force_new: false,
        block: hc_block(),
    }
}

fn hc_type() -> Type {
    hc_block().implied_type()
}

/// The single `health_check` object of an object, if known.
fn hc_of(o: &Obj) -> Option<&Value> {
    get(o, "health_check").as_seq().and_then(|s| s.first())
}

fn hc_i32(hc: &Value, k: &str) -> Option<i32> {
    hc.get_attr(k).and_then(Value::as_i64).map(|x| x as i32)
}
fn hc_str(hc: &Value, k: &str) -> Option<String> {
    hc.get_attr(k)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// (attribute, API key, is_bool, applies to target types/protocols)
fn tg_attributes(planned: &Obj) -> Vec<(&'static str, &'static str)> {
    let target_type = get_str(planned, "target_type").unwrap_or_else(|| "instance".into());
    let protocol = get_str(planned, "protocol").unwrap_or_default();
    let mut v = Vec::new();
    if target_type == "lambda" {
        v.push((
            "lambda_multi_value_headers_enabled",
            "lambda.multi_value_headers.enabled",
        ));
        return v;
    }
    v.push((
        "deregistration_delay",
        "deregistration_delay.timeout_seconds",
    ));
    match protocol.as_str() {
        "HTTP" | "HTTPS" => {
            v.push(("slow_start", "slow_start.duration_seconds"));
            v.push((
                "load_balancing_algorithm_type",
                "load_balancing.algorithm.type",
            ));
        }
        "TCP" | "TLS" | "UDP" | "TCP_UDP" => {
            v.push(("proxy_protocol_v2", "proxy_protocol_v2.enabled"));
        }
        _ => {}
    }
    v
}

fn attr_api_value(v: &Value) -> Option<String> {
    let v = v.unmarked();
    if let Some(x) = v.as_bool() {
        return Some(x.to_string());
    }
    if let Some(x) = v.as_i64() {
        return Some(x.to_string());
    }
    v.as_str().map(str::to_string)
}

#[async_trait]
impl Resource for TargetGroup {
    fn type_name(&self) -> &'static str {
        "aws_lb_target_group"
    }
    fn tagged(&self) -> bool {
        true
    }
    fn schema(&self) -> Schema {
        let c = Attribute::computed;
        Schema {
            version: 0,
            block: Block::new()
                .attr("arn", c(Type::String))
                .attr("arn_suffix", c(Type::String))
                .attr("deregistration_delay", Attribute::optional(Type::String))
                .attr("id", c(Type::String))
                .attr(
                    "ip_address_type",
                    Attribute::optional_computed(Type::String).force_new(),
                )
                .attr(
                    "lambda_multi_value_headers_enabled",
                    Attribute::optional(Type::Bool),
                )
                .attr("load_balancer_arns", c(Type::set(Type::String)))
                .attr(
                    "load_balancing_algorithm_type",
                    Attribute::optional_computed(Type::String),
                )
                .attr(
                    "name",
                    Attribute::optional_computed(Type::String).force_new(),
                )
                .attr(
                    "name_prefix",
                    Attribute::optional_computed(Type::String).force_new(),
                )
                .attr("port", Attribute::optional(Type::Number).force_new())
                .attr("protocol", Attribute::optional(Type::String).force_new())
                .attr(
                    "protocol_version",
                    Attribute::optional_computed(Type::String).force_new(),
                )
                .attr("proxy_protocol_v2", Attribute::optional(Type::Bool))
                .attr("slow_start", Attribute::optional(Type::Number))
                .attr("tags", Attribute::optional(Type::map(Type::String)))
                .attr("target_type", Attribute::optional(Type::String).force_new())
                .attr("vpc_id", Attribute::optional(Type::String).force_new())
                .block("health_check", hc_nested()),
        }
    }
    fn defaults(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("deregistration_delay", s("300")),
            ("lambda_multi_value_headers_enabled", b(false)),
            ("proxy_protocol_v2", b(false)),
            ("slow_start", n(0)),
            ("target_type", s("instance")),
        ]
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
                && !name.ends_with('-');
            if !ok {
                d.push(attr_error(
                    "name",
                    "invalid target group name",
                    format!("{name:?}: a target group name has 1–32 letters, digits and hyphens and does not begin or end with a hyphen."),
                    "choose another name",
                ));
            }
        }
        if let Some(t) = cfg(config, "target_type").and_then(Value::as_str) {
            if !["instance", "ip", "lambda", "alb"].contains(&t) {
                d.push(attr_error(
                    "target_type",
                    "unsupported target type",
                    format!("{t:?} is not a target type."),
                    "use \"instance\", \"ip\", \"lambda\" or \"alb\"",
                ));
            }
        }
        let lambda = cfg(config, "target_type").and_then(Value::as_str) == Some("lambda");
        if config.is_wholly_known() && !lambda {
            for a in ["port", "protocol", "vpc_id"] {
                if cfg(config, a).is_none() {
                    d.push(attr_error(
                        a,
                        "required for this target type",
                        format!("`{a}` is required unless target_type is \"lambda\"."),
                        format!("set `{a}`"),
                    ));
                }
            }
        }
        if let Some(dd) = cfg(config, "deregistration_delay").and_then(Value::as_str) {
            if !dd.parse::<i64>().is_ok_and(|x| (0..=3600).contains(&x)) {
                d.push(attr_error(
                    "deregistration_delay",
                    "out of range",
                    format!("{dd:?} is not a whole number of seconds between 0 and 3600."),
                    "use a number of seconds from 0 to 3600",
                ));
            }
        }
        d
    }
    fn normalize(&self, planned: &mut Obj) {
        if let Some(p) = get_str(planned, "protocol") {
            planned.insert("protocol".into(), s(p.to_ascii_uppercase()));
        }
        let hc = conform(&hc_nested(), get(planned, "health_check"));
        planned.insert("health_check".into(), hc);
        let Some(hc) = hc_of(planned).cloned() else {
            if get(planned, "health_check").is_known() {
                planned.insert("health_check".into(), Value::Unknown(Type::list(hc_type())));
            }
            return;
        };
        let mut m = Obj::new();
        for (k, def) in [
            ("enabled", b(true)),
            ("healthy_threshold", n(3)),
            ("interval", n(30)),
            ("port", s("traffic-port")),
            ("protocol", s("HTTP")),
            ("unhealthy_threshold", n(3)),
        ] {
            let v = hc.get_attr(k).cloned().unwrap_or(Value::null());
            m.insert(k.into(), if v.is_null() { def } else { v });
        }
        if let Some(p) = m.get("protocol").and_then(Value::as_str) {
            let up = p.to_ascii_uppercase();
            m.insert("protocol".into(), s(up));
        }
        for (k, ty) in [
            ("matcher", Type::String),
            ("path", Type::String),
            ("timeout", Type::Number),
        ] {
            let v = hc.get_attr(k).cloned().unwrap_or(Value::null());
            m.insert(k.into(), if v.is_null() { Value::Unknown(ty) } else { v });
        }
        planned.insert(
            "health_check".into(),
            Value::List(hc_type(), vec![Value::Object(m)]),
        );
    }
    fn plan_update(&self, prior: &Obj, planned: &mut Obj, _rr: &mut Vec<AttrPath>) {
        let Some(prior_hc) = hc_of(prior).cloned() else {
            return;
        };
        match hc_of(planned).cloned() {
            None => {
                if !get(planned, "health_check").is_known() {
                    planned.insert(
                        "health_check".into(),
                        prior.get("health_check").cloned().unwrap_or(Value::null()),
                    );
                }
            }
            Some(Value::Object(mut m)) => {
                for k in ["matcher", "path", "timeout"] {
                    if m.get(k).is_some_and(|v| !v.is_known()) {
                        m.insert(
                            k.into(),
                            prior_hc.get_attr(k).cloned().unwrap_or(Value::null()),
                        );
                    }
                }
                planned.insert(
                    "health_check".into(),
                    Value::List(hc_type(), vec![Value::Object(m)]),
                );
            }
            Some(_) => {}
        }
    }

    async fn create(&self, cx: &Ctx<'_>, planned: &Obj) -> Result<Obj, Failed> {
        let elb = cx.elbv2();
        let name = name_for_create(planned, "tf-");
        let target_type = get_str(planned, "target_type").unwrap_or_else(|| "instance".into());
        let mut req = elb
            .create_target_group()
            .name(&name)
            .target_type(TargetTypeEnum::from(target_type.as_str()))
            .set_tags(sdk_tags(&tags_to_send(cx.aws, planned)));
        if target_type != "lambda" {
            let protocol = get_str(planned, "protocol").unwrap_or_default();
            req = req
                .set_port(get_i64(planned, "port").map(|p| p as i32))
                .set_vpc_id(get_str(planned, "vpc_id"));
            if !protocol.is_empty() {
                req = req.protocol(ProtocolEnum::from(protocol.as_str()));
            }
            if protocol == "HTTP" || protocol == "HTTPS" {
                req = req.set_protocol_version(get_str(planned, "protocol_version"));
            }
            if target_type == "instance" || target_type == "ip" {
                if let Some(t) = get_str(planned, "ip_address_type") {
                    req = req.ip_address_type(TargetGroupIpAddressTypeEnum::from(t.as_str()));
                }
            }
        }
        if let Some(hc) = hc_of(planned) {
            let hp = hc_str(hc, "protocol").unwrap_or_else(|| "HTTP".into());
            req = req
                .set_health_check_enabled(hc.get_attr("enabled").and_then(Value::as_bool))
                .set_health_check_interval_seconds(hc_i32(hc, "interval"))
                .set_healthy_threshold_count(hc_i32(hc, "healthy_threshold"))
                .set_unhealthy_threshold_count(hc_i32(hc, "unhealthy_threshold"))
                .set_health_check_timeout_seconds(hc_i32(hc, "timeout").filter(|t| *t != 0));
            if hp != "TCP" {
                req = req.set_health_check_path(hc_str(hc, "path"));
                if let Some(m) = hc_str(hc, "matcher") {
                    let grpc = get_str(planned, "protocol_version").as_deref() == Some("GRPC");
                    let mb = Matcher::builder();
                    req = req.matcher(
                        if grpc {
                            mb.grpc_code(m)
                        } else {
                            mb.http_code(m)
                        }
                        .build(),
                    );
                }
            }
            if target_type != "lambda" {
                req = req
                    .set_health_check_port(hc_str(hc, "port"))
                    .health_check_protocol(ProtocolEnum::from(hp.as_str()));
            }
        }
        let out = call(op("creating", "CreateTargetGroup"), || req.clone().send()).await?;
        let arn = out
            .target_groups()
            .first()
            .and_then(|t| t.target_group_arn())
            .map(str::to_string)
            .ok_or_else(|| {
                Diagnostics::from(ApiError::other(
                    op("creating", "CreateTargetGroup"),
                    "the response has no target group ARN",
                ))
            })?;
        let mut partial = planned.clone();
        partial.insert("id".into(), s(arn.clone()));
        partial.insert("arn".into(), s(arn.clone()));
        partial.insert("name".into(), s(name));
        if let Err(e) = modify_attributes(&elb, &arn, None, planned, "creating").await {
            return Err(Failed::partial(partial, e));
        }
        match self.read(cx, &partial).await {
            Ok(Some(o)) => Ok(o),
            Ok(None) => Err(Failed::partial(
                partial,
                ApiError::other(
                    op("creating", "DescribeTargetGroups"),
                    "the new target group disappeared",
                ),
            )),
            Err(d) => Err(Failed::partial(partial, d)),
        }
    }

    async fn read(&self, cx: &Ctx<'_>, state: &Obj) -> Result<Option<Obj>, Diagnostics> {
        let elb = cx.elbv2();
        let arn = id_of(state)?;
        let Some(tg) = describe(&elb, &arn, "reading").await? else {
            return Ok(None);
        };
        let mut o = state.clone();
        let name = tg.target_group_name().unwrap_or_default().to_string();
        let target_type = tg
            .target_type()
            .map(|t| t.as_str().to_string())
            .unwrap_or_else(|| "instance".into());
        o.insert("id".into(), s(arn.clone()));
        o.insert("arn".into(), s(arn.clone()));
        o.insert("arn_suffix".into(), opt_s(arn_suffix(&arn).as_deref()));
        o.insert("name".into(), s(name.clone()));
        o.insert(
            "name_prefix".into(),
            opt_s(name_prefix_from_name(&name).as_deref()),
        );
        o.insert("target_type".into(), s(target_type.clone()));
        o.insert(
            "load_balancer_arns".into(),
            str_set(tg.load_balancer_arns().to_vec()),
        );
        if target_type != "lambda" {
            o.insert(
                "port".into(),
                tg.port()
                    .map(|p| n(p as i64))
                    .unwrap_or(Value::Null(Type::Number)),
            );
            o.insert("protocol".into(), opt_s(tg.protocol().map(|p| p.as_str())));
            o.insert("vpc_id".into(), opt_s(tg.vpc_id()));
        }
        o.insert("protocol_version".into(), opt_s(tg.protocol_version()));
        o.insert(
            "ip_address_type".into(),
            opt_s(tg.ip_address_type().map(|t| t.as_str())),
        );
        let num = |x: Option<i32>| x.map(|x| n(x as i64)).unwrap_or(Value::Null(Type::Number));
        let hc = Value::object([
            ("enabled", b(tg.health_check_enabled().unwrap_or(true))),
            ("healthy_threshold", num(tg.healthy_threshold_count())),
            ("interval", num(tg.health_check_interval_seconds())),
            (
                "matcher",
                opt_s(tg.matcher().and_then(|m| m.http_code().or(m.grpc_code()))),
            ),
            ("path", opt_s(tg.health_check_path())),
            ("port", opt_s(tg.health_check_port())),
            (
                "protocol",
                opt_s(tg.health_check_protocol().map(|p| p.as_str())),
            ),
            ("timeout", num(tg.health_check_timeout_seconds())),
            ("unhealthy_threshold", num(tg.unhealthy_threshold_count())),
        ]);
        o.insert("health_check".into(), Value::List(hc_type(), vec![hc]));
        let out = call(op("reading", "DescribeTargetGroupAttributes"), || {
            elb.describe_target_group_attributes()
                .target_group_arn(&arn)
                .send()
        })
        .await?;
        let api = |key: &str| {
            out.attributes()
                .iter()
                .find(|a| a.key() == Some(key))
                .and_then(|a| a.value())
                .map(str::to_string)
        };
        if let Some(v) = api("deregistration_delay.timeout_seconds") {
            o.insert("deregistration_delay".into(), s(v));
        }
        if let Some(v) = api("slow_start.duration_seconds").and_then(|v| v.parse::<i64>().ok()) {
            o.insert("slow_start".into(), n(v));
        }
        if let Some(v) = api("proxy_protocol_v2.enabled").and_then(|v| v.parse::<bool>().ok()) {
            o.insert("proxy_protocol_v2".into(), b(v));
        }
        if let Some(v) =
            api("lambda.multi_value_headers.enabled").and_then(|v| v.parse::<bool>().ok())
        {
            o.insert("lambda_multi_value_headers_enabled".into(), b(v));
        }
        let http = matches!(get_str(&o, "protocol").as_deref(), Some("HTTP" | "HTTPS"));
        o.insert(
            "load_balancing_algorithm_type".into(),
            if http {
                opt_s(api("load_balancing.algorithm.type").as_deref())
            } else {
                Value::Null(Type::String)
            },
        );
        // Settings AWS does not report for this kind of target group keep their defaults
        // (so that an import plans no change).
        for (k, v) in self.defaults() {
            if get(&o, k).is_null() {
                o.insert(k.into(), v);
            }
        }
        let tags = read_tags(&elb, WHAT, &arn).await?;
        set_tags_from_api(cx.aws, &mut o, tags, Some(state));
        Ok(Some(o))
    }

    async fn update(&self, cx: &Ctx<'_>, prior: &Obj, planned: &Obj) -> Result<Obj, Failed> {
        let elb = cx.elbv2();
        let arn = id_of(prior)?;
        if !same(prior.get("health_check"), planned.get("health_check")) {
            if let Some(hc) = hc_of(planned) {
                let hp = hc_str(hc, "protocol").unwrap_or_else(|| "HTTP".into());
                let lambda = get_str(planned, "target_type").as_deref() == Some("lambda");
                let mut req = elb
                    .modify_target_group()
                    .target_group_arn(&arn)
                    .set_health_check_enabled(hc.get_attr("enabled").and_then(Value::as_bool))
                    .set_health_check_interval_seconds(hc_i32(hc, "interval"))
                    .set_healthy_threshold_count(hc_i32(hc, "healthy_threshold"))
                    .set_unhealthy_threshold_count(hc_i32(hc, "unhealthy_threshold"))
                    .set_health_check_timeout_seconds(hc_i32(hc, "timeout").filter(|t| *t != 0));
                if hp != "TCP" {
                    req = req.set_health_check_path(hc_str(hc, "path"));
                    if let Some(m) = hc_str(hc, "matcher") {
                        let grpc = get_str(planned, "protocol_version").as_deref() == Some("GRPC");
                        let mb = Matcher::builder();
                        req = req.matcher(
                            if grpc {
                                mb.grpc_code(m)
                            } else {
                                mb.http_code(m)
                            }
                            .build(),
                        );
                    }
                }
                if !lambda {
                    req = req
                        .set_health_check_port(hc_str(hc, "port"))
                        .health_check_protocol(ProtocolEnum::from(hp.as_str()));
                }
                call(op("updating", "ModifyTargetGroup"), || req.clone().send()).await?;
            }
        }
        modify_attributes(&elb, &arn, Some(prior), planned, "updating").await?;
        update_tags(
            &elb,
            WHAT,
            &arn,
            &state_tags(prior),
            &tags_to_send(cx.aws, planned),
        )
        .await?;
        let mut base = planned.clone();
        base.insert("id".into(), s(arn.clone()));
        match self.read(cx, &base).await? {
            Some(o) => Ok(o),
            None => Err(ApiError::other(
                op("updating", "DescribeTargetGroups"),
                "the target group disappeared",
            )
            .into()),
        }
    }

    async fn delete(&self, cx: &Ctx<'_>, prior: &Obj) -> Result<(), Diagnostics> {
        let elb = cx.elbv2();
        let arn = id_of(prior)?;
        // ResourceInUse while a listener that used it is still being deleted.
        match crate::api::call_retry(
            op("deleting", "DeleteTargetGroup"),
            &["ResourceInUse"],
            cx.timeouts
                .delete
                .min(std::time::Duration::from_secs(2 * 60)),
            || elb.delete_target_group().target_group_arn(&arn).send(),
        )
        .await
        {
            Ok(_) => {}
            Err(e) if e.is(&["TargetGroupNotFound"]) => return Ok(()),
            Err(e) => return Err(e.into()),
        }
        crate::api::wait(
            op("deleting", "DescribeTargetGroups"),
            "deleted",
            cx.timeouts.delete,
            std::time::Duration::from_secs(2),
            || {
                let elb = elb.clone();
                let arn = arn.clone();
                async move {
                    Ok(match describe(&elb, &arn, "deleting").await? {
                        None => crate::api::Poll::Ready(()),
                        Some(_) => crate::api::Poll::Pending("still present".into()),
                    })
                }
            },
        )
        .await?;
        Ok(())
    }
}

/// DescribeTargetGroups for one ARN: `None` when it does not exist.
pub(crate) async fn describe(
    elb: &Client,
    arn: &str,
    verb: &'static str,
) -> Result<Option<aws_sdk_elasticloadbalancingv2::types::TargetGroup>, ApiError> {
    match call(op(verb, "DescribeTargetGroups"), || {
        elb.describe_target_groups().target_group_arns(arn).send()
    })
    .await
    {
        Ok(out) => Ok(out
            .target_groups()
            .iter()
            .find(|t| t.target_group_arn() == Some(arn))
            .cloned()),
        Err(e) if e.is(&["TargetGroupNotFound"]) => Ok(None),
        Err(e) => Err(e),
    }
}

/// ModifyTargetGroupAttributes with the attributes that apply (all on create, changed ones
/// on update).
async fn modify_attributes(
    elb: &Client,
    arn: &str,
    prior: Option<&Obj>,
    planned: &Obj,
    verb: &'static str,
) -> Result<(), ApiError> {
    let attrs: Vec<TargetGroupAttribute> = tg_attributes(planned)
        .into_iter()
        .filter(|(name, _)| prior.is_none_or(|p| !same(p.get(*name), planned.get(*name))))
        .filter_map(|(name, key)| {
            attr_api_value(get(planned, name))
                .map(|v| TargetGroupAttribute::builder().key(key).value(v).build())
        })
        .collect();
    if attrs.is_empty() {
        return Ok(());
    }
    call(op(verb, "ModifyTargetGroupAttributes"), || {
        elb.modify_target_group_attributes()
            .target_group_arn(arn)
            .set_attributes(Some(attrs.clone()))
            .send()
    })
    .await?;
    Ok(())
}
