//! `aws_lb_listener` (import ID: the listener ARN): HTTP/HTTPS/TCP/TLS listeners with
//! `default_action` blocks of type `forward` (via `target_group_arn`), `redirect` and
//! `fixed-response`.

use super::{read_tags, sdk_tags, state_tags, update_tags};
use crate::api::{call, call_retry, ApiError, Op};
use crate::framework::*;
use async_trait::async_trait;
use aws_sdk_elasticloadbalancingv2::types::{
    Action, ActionTypeEnum, Certificate, FixedResponseActionConfig, ProtocolEnum,
    RedirectActionConfig, RedirectActionStatusCodeEnum,
};
use aws_sdk_elasticloadbalancingv2::Client;
use plinth_sdk::{
    AttrPath, Attribute, Block, Diagnostics, NestedBlock, Nesting, Schema, Type, Value,
};
use std::time::Duration;

pub(crate) struct Listener;

const WHAT: &str = "ELBv2 Listener";

fn op(verb: &'static str, operation: &'static str) -> Op {
    Op::new(verb, WHAT, "ELBv2", operation)
}

fn single(block: Block) -> NestedBlock {
    NestedBlock {
        nesting: Nesting::List,
        min_items: 0,
        max_items: 1,
        force_new: false,
        block,
    }
}

fn redirect_block() -> Block {
    Block::new()
        .attr("host", Attribute::optional(Type::String))
        .attr("path", Attribute::optional(Type::String))
        .attr("port", Attribute::optional(Type::String))
        .attr("protocol", Attribute::optional(Type::String))
        .attr("query", Attribute::optional(Type::String))
        .attr("status_code", Attribute::required(Type::String))
}

fn fixed_block() -> Block {
    Block::new()
        .attr("content_type", Attribute::required(Type::String))
        .attr("message_body", Attribute::optional(Type::String))
        .attr("status_code", Attribute::optional_computed(Type::String))
}

fn action_nested() -> NestedBlock {
    NestedBlock {
        nesting: Nesting::List,
        min_items: 1,
        max_items: 0,
        force_new: false,
        block: action_block(),
    }
}

fn action_block() -> Block {
    Block::new()
        .attr("order", Attribute::optional_computed(Type::Number))
        .attr("target_group_arn", Attribute::optional(Type::String))
        .attr("type", Attribute::required(Type::String))
        .block("fixed_response", single(fixed_block()))
        .block("redirect", single(redirect_block()))
}

const REDIRECT_DEFAULTS: &[(&str, &str)] = &[
    ("host", "#{host}"),
    ("path", "/#{path}"),
    ("port", "#{port}"),
    ("protocol", "#{protocol}"),
    ("query", "#{query}"),
];

fn vstr(v: &Value, k: &str) -> Option<String> {
    v.get_attr(k)
        .map(Value::unmarked)
        .and_then(Value::as_str)
        .map(str::to_string)
}
fn first<'a>(v: &'a Value, k: &str) -> Option<&'a Value> {
    v.get_attr(k)
        .and_then(Value::as_seq)
        .and_then(|s| s.first())
}

/// `default_action` blocks → SDK actions (orders default to the position, as upstream).
fn actions(planned: &Obj) -> Vec<Action> {
    let list = get(planned, "default_action").as_seq().unwrap_or(&[]);
    list.iter()
        .enumerate()
        .map(|(i, a)| {
            let ty = vstr(a, "type").unwrap_or_default();
            let order = a
                .get_attr("order")
                .and_then(Value::as_i64)
                .map(|o| o as i32)
                .unwrap_or(i as i32 + 1);
            let mut b = Action::builder()
                .r#type(ActionTypeEnum::from(ty.as_str()))
                .order(order);
            match ty.as_str() {
                "forward" => b = b.set_target_group_arn(vstr(a, "target_group_arn")),
                "redirect" => {
                    if let Some(r) = first(a, "redirect") {
                        b = b.redirect_config(
                            RedirectActionConfig::builder()
                                .set_host(vstr(r, "host"))
                                .set_path(vstr(r, "path"))
                                .set_port(vstr(r, "port"))
                                .set_protocol(vstr(r, "protocol"))
                                .set_query(vstr(r, "query"))
                                .set_status_code(
                                    vstr(r, "status_code")
                                        .map(|c| RedirectActionStatusCodeEnum::from(c.as_str())),
                                )
                                .build(),
                        );
                    }
                }
                "fixed-response" => {
                    if let Some(f) = first(a, "fixed_response") {
                        b = b.fixed_response_config(
                            FixedResponseActionConfig::builder()
                                .set_content_type(vstr(f, "content_type"))
                                .set_message_body(vstr(f, "message_body"))
                                .set_status_code(vstr(f, "status_code"))
                                .build(),
                        );
                    }
                }
                _ => {}
            }
            b.build()
        })
        .collect()
}

fn action_value(a: &Action, i: usize) -> Value {
    let fixed_t = fixed_block().implied_type();
    let redirect_t = redirect_block().implied_type();
    let fixed = match a.fixed_response_config() {
        Some(f) => Value::List(
            fixed_t.clone(),
            vec![Value::object([
                ("content_type", opt_s(f.content_type())),
                ("message_body", opt_s(f.message_body())),
                ("status_code", opt_s(f.status_code())),
            ])],
        ),
        None => Value::List(fixed_t, vec![]),
    };
    let redirect = match a.redirect_config() {
        Some(r) => Value::List(
            redirect_t.clone(),
            vec![Value::object([
                ("host", opt_s(r.host())),
                ("path", opt_s(r.path())),
                ("port", opt_s(r.port())),
                ("protocol", opt_s(r.protocol())),
                ("query", opt_s(r.query())),
                ("status_code", opt_s(r.status_code().map(|c| c.as_str()))),
            ])],
        ),
        None => Value::List(redirect_t, vec![]),
    };
    let tg = a.target_group_arn().or_else(|| {
        a.forward_config()
            .filter(|f| f.target_groups().len() == 1)
            .and_then(|f| f.target_groups().first())
            .and_then(|t| t.target_group_arn())
    });
    Value::object([
        (
            "order",
            n(a.order().map(|o| o as i64).unwrap_or(i as i64 + 1)),
        ),
        ("target_group_arn", opt_s(tg)),
        ("type", opt_s(a.r#type().map(|t| t.as_str()))),
        ("fixed_response", fixed),
        ("redirect", redirect),
    ])
}

#[async_trait]
impl Resource for Listener {
    fn type_name(&self) -> &'static str {
        "aws_lb_listener"
    }
    fn tagged(&self) -> bool {
        true
    }
    fn timeouts(&self) -> Option<Timeouts> {
        Some(Timeouts {
            create: Duration::from_secs(5 * 60),
            update: Duration::from_secs(5 * 60),
            delete: Duration::from_secs(5 * 60),
            read: Duration::from_secs(5 * 60),
        })
    }
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block::new()
                .attr("arn", Attribute::computed(Type::String))
                .attr("certificate_arn", Attribute::optional(Type::String))
                .attr("id", Attribute::computed(Type::String))
                .attr(
                    "load_balancer_arn",
                    Attribute::required(Type::String).force_new(),
                )
                .attr("port", Attribute::optional(Type::Number))
                .attr("protocol", Attribute::optional_computed(Type::String))
                .attr("ssl_policy", Attribute::optional_computed(Type::String))
                .attr("tags", Attribute::optional(Type::map(Type::String)))
                .block("default_action", action_nested()),
        }
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        if let Some(p) = cfg(config, "protocol").and_then(Value::as_str) {
            let up = p.to_ascii_uppercase();
            if !["HTTP", "HTTPS", "TCP", "TLS", "UDP", "TCP_UDP", "GENEVE"].contains(&up.as_str()) {
                d.push(attr_error(
                    "protocol",
                    "unsupported protocol",
                    format!("{p:?} is not a listener protocol."),
                    "use HTTP, HTTPS, TCP, TLS, UDP, TCP_UDP or GENEVE",
                ));
            }
        }
        if let Some(list) = config.get_attr("default_action").and_then(Value::as_seq) {
            for a in list {
                let Some(ty) = a.get_attr("type").and_then(Value::as_str) else {
                    continue;
                };
                let has = |k: &str| first(a, k).is_some();
                let problem = match ty {
                    "forward" if a.get_attr("target_group_arn").is_some_and(Value::is_null) => {
                        Some("a \"forward\" action needs `target_group_arn`")
                    }
                    "redirect" if !has("redirect") => {
                        Some("a \"redirect\" action needs a `redirect` block")
                    }
                    "fixed-response" if !has("fixed_response") => {
                        Some("a \"fixed-response\" action needs a `fixed_response` block")
                    }
                    "forward" | "redirect" | "fixed-response" => None,
                    "authenticate-cognito" | "authenticate-oidc" | "jwt-validation" => {
                        Some("this action type is not supported by Plinth's aws_lb_listener yet")
                    }
                    _ => Some("unknown action type (expected forward, redirect or fixed-response)"),
                };
                if let Some(p) = problem {
                    d.push(attr_error(
                        "default_action",
                        p,
                        format!("default_action of type {ty:?}: {p}."),
                        "fix the default_action block",
                    ));
                }
            }
        }
        d
    }
    fn normalize(&self, planned: &mut Obj) {
        if let Some(p) = get_str(planned, "protocol") {
            planned.insert("protocol".into(), s(p.to_ascii_uppercase()));
        }
        let conformed = conform(&action_nested(), get(planned, "default_action"));
        planned.insert("default_action".into(), conformed);
        let Some(list) = get(planned, "default_action").as_seq().map(|s| s.to_vec()) else {
            return;
        };
        let at = action_block().implied_type();
        let out: Vec<Value> = list
            .into_iter()
            .enumerate()
            .map(|(i, a)| {
                let Value::Object(mut m) = a else { return a };
                if m.get("order").is_none_or(Value::is_null) {
                    m.insert("order".into(), n(i as i64 + 1));
                }
                if let Some(Value::List(t, rs)) = m.get("redirect").cloned() {
                    let rs = rs
                        .into_iter()
                        .map(|r| match r {
                            Value::Object(mut rm) => {
                                for (k, def) in REDIRECT_DEFAULTS {
                                    if rm.get(*k).is_none_or(Value::is_null) {
                                        rm.insert(k.to_string(), s(*def));
                                    }
                                }
                                Value::Object(rm)
                            }
                            r => r,
                        })
                        .collect();
                    m.insert("redirect".into(), Value::List(t, rs));
                }
                if let Some(Value::List(t, fs)) = m.get("fixed_response").cloned() {
                    let fs = fs
                        .into_iter()
                        .map(|f| match f {
                            Value::Object(mut fm) => {
                                if fm.get("status_code").is_none_or(Value::is_null) {
                                    fm.insert("status_code".into(), Value::Unknown(Type::String));
                                }
                                Value::Object(fm)
                            }
                            f => f,
                        })
                        .collect();
                    m.insert("fixed_response".into(), Value::List(t, fs));
                }
                Value::Object(m)
            })
            .collect();
        planned.insert("default_action".into(), Value::List(at, out));
    }
    fn plan_update(&self, prior: &Obj, planned: &mut Obj, _rr: &mut Vec<AttrPath>) {
        // fixed_response.status_code left to AWS keeps its prior value.
        let prior_list = get(prior, "default_action")
            .as_seq()
            .unwrap_or(&[])
            .to_vec();
        let Some(list) = get(planned, "default_action").as_seq().map(|s| s.to_vec()) else {
            return;
        };
        let at = action_block().implied_type();
        let out: Vec<Value> = list
            .into_iter()
            .enumerate()
            .map(|(i, a)| {
                let Value::Object(mut m) = a else { return a };
                let prior_code = prior_list
                    .get(i)
                    .and_then(|p| first(p, "fixed_response"))
                    .and_then(|f| f.get_attr("status_code").cloned());
                if let (Some(Value::List(t, fs)), Some(code)) =
                    (m.get("fixed_response").cloned(), prior_code)
                {
                    let fs = fs
                        .into_iter()
                        .map(|f| match f {
                            Value::Object(mut fm) => {
                                if fm.get("status_code").is_some_and(|v| !v.is_known()) {
                                    fm.insert("status_code".into(), code.clone());
                                }
                                Value::Object(fm)
                            }
                            f => f,
                        })
                        .collect();
                    m.insert("fixed_response".into(), Value::List(t, fs));
                }
                Value::Object(m)
            })
            .collect();
        planned.insert("default_action".into(), Value::List(at, out));
    }

    async fn create(&self, cx: &Ctx<'_>, planned: &Obj) -> Result<Obj, Failed> {
        let elb = cx.elbv2();
        let mut req = elb
            .create_listener()
            .set_load_balancer_arn(get_str(planned, "load_balancer_arn"))
            .set_port(get_i64(planned, "port").map(|p| p as i32))
            .set_ssl_policy(get_str(planned, "ssl_policy"))
            .set_default_actions(Some(actions(planned)))
            .set_tags(sdk_tags(&tags_to_send(cx.aws, planned)));
        if let Some(p) = get_str(planned, "protocol") {
            req = req.protocol(ProtocolEnum::from(p.as_str()));
        }
        if let Some(c) = get_str(planned, "certificate_arn") {
            req = req.certificates(Certificate::builder().certificate_arn(c).build());
        }
        // A target group or certificate just created may not be usable yet.
        let out = call_retry(
            op("creating", "CreateListener"),
            &["CertificateNotFound", "TargetGroupNotFound"],
            cx.timeouts.create.min(Duration::from_secs(2 * 60)),
            || req.clone().send(),
        )
        .await?;
        let arn = out
            .listeners()
            .first()
            .and_then(|l| l.listener_arn())
            .map(str::to_string)
            .ok_or_else(|| {
                Diagnostics::from(ApiError::other(
                    op("creating", "CreateListener"),
                    "the response has no listener ARN",
                ))
            })?;
        let mut partial = planned.clone();
        partial.insert("id".into(), s(arn.clone()));
        partial.insert("arn".into(), s(arn.clone()));
        // Wait until the listener is visible.
        let visible = crate::api::wait(
            op("creating", "DescribeListeners"),
            "visible",
            cx.timeouts.create,
            Duration::from_secs(2),
            || {
                let elb = elb.clone();
                let arn = arn.clone();
                async move {
                    Ok(match describe(&elb, &arn, "creating").await? {
                        Some(_) => crate::api::Poll::Ready(()),
                        None => crate::api::Poll::Pending("not yet visible".into()),
                    })
                }
            },
        )
        .await;
        if let Err(e) = visible {
            return Err(Failed::partial(partial, e));
        }
        match self.read(cx, &partial).await {
            Ok(Some(o)) => Ok(o),
            Ok(None) => Err(Failed::partial(
                partial,
                ApiError::other(
                    op("creating", "DescribeListeners"),
                    "the new listener disappeared",
                ),
            )),
            Err(d) => Err(Failed::partial(partial, d)),
        }
    }

    async fn read(&self, cx: &Ctx<'_>, state: &Obj) -> Result<Option<Obj>, Diagnostics> {
        let elb = cx.elbv2();
        let arn = id_of(state)?;
        let Some(l) = describe(&elb, &arn, "reading").await? else {
            return Ok(None);
        };
        let mut o = state.clone();
        o.insert("id".into(), s(arn.clone()));
        o.insert("arn".into(), s(arn.clone()));
        o.insert("load_balancer_arn".into(), opt_s(l.load_balancer_arn()));
        o.insert(
            "port".into(),
            l.port()
                .map(|p| n(p as i64))
                .unwrap_or(Value::Null(Type::Number)),
        );
        o.insert("protocol".into(), opt_s(l.protocol().map(|p| p.as_str())));
        o.insert("ssl_policy".into(), opt_s(l.ssl_policy()));
        o.insert(
            "certificate_arn".into(),
            opt_s(l.certificates().first().and_then(|c| c.certificate_arn())),
        );
        let mut acts: Vec<&Action> = l.default_actions().iter().collect();
        acts.sort_by_key(|a| a.order().unwrap_or(i32::MAX));
        o.insert(
            "default_action".into(),
            Value::List(
                action_block().implied_type(),
                acts.iter()
                    .enumerate()
                    .map(|(i, a)| action_value(a, i))
                    .collect(),
            ),
        );
        let tags = read_tags(&elb, WHAT, &arn).await?;
        set_tags_from_api(cx.aws, &mut o, tags, Some(state));
        Ok(Some(o))
    }

    async fn update(&self, cx: &Ctx<'_>, prior: &Obj, planned: &Obj) -> Result<Obj, Failed> {
        let elb = cx.elbv2();
        let arn = id_of(prior)?;
        let changed = |k: &str| !same(prior.get(k), planned.get(k));
        if [
            "port",
            "protocol",
            "ssl_policy",
            "certificate_arn",
            "default_action",
        ]
        .iter()
        .any(|k| changed(k))
        {
            let mut req = elb
                .modify_listener()
                .listener_arn(&arn)
                .set_port(get_i64(planned, "port").map(|p| p as i32))
                .set_default_actions(Some(actions(planned)));
            if let Some(p) = get_str(planned, "protocol") {
                req = req.protocol(ProtocolEnum::from(p.as_str()));
            }
            let https = matches!(
                get_str(planned, "protocol").as_deref(),
                Some("HTTPS" | "TLS")
            );
            if https {
                req = req.set_ssl_policy(get_str(planned, "ssl_policy"));
                if let Some(c) = get_str(planned, "certificate_arn") {
                    req = req.certificates(Certificate::builder().certificate_arn(c).build());
                }
            }
            call_retry(
                op("updating", "ModifyListener"),
                &["CertificateNotFound"],
                cx.timeouts.update.min(Duration::from_secs(2 * 60)),
                || req.clone().send(),
            )
            .await?;
        }
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
                op("updating", "DescribeListeners"),
                "the listener disappeared",
            )
            .into()),
        }
    }

    async fn delete(&self, cx: &Ctx<'_>, prior: &Obj) -> Result<(), Diagnostics> {
        let elb = cx.elbv2();
        let arn = id_of(prior)?;
        match call(op("deleting", "DeleteListener"), || {
            elb.delete_listener().listener_arn(&arn).send()
        })
        .await
        {
            Ok(_) => Ok(()),
            Err(e) if e.is(&["ListenerNotFound", "LoadBalancerNotFound"]) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

/// DescribeListeners for one ARN: `None` when it does not exist.
pub(crate) async fn describe(
    elb: &Client,
    arn: &str,
    verb: &'static str,
) -> Result<Option<aws_sdk_elasticloadbalancingv2::types::Listener>, ApiError> {
    match call(op(verb, "DescribeListeners"), || {
        elb.describe_listeners().listener_arns(arn).send()
    })
    .await
    {
        Ok(out) => Ok(out
            .listeners()
            .iter()
            .find(|l| l.listener_arn() == Some(arn))
            .cloned()),
        Err(e) if e.is(&["ListenerNotFound", "LoadBalancerNotFound"]) => Ok(None),
        Err(e) => Err(e),
    }
}
