//! `aws_route53_zone` (import ID: the zone ID): public zones, and private zones with `vpc`
//! blocks. `name` is kept lower case without the trailing dot, as upstream.

use super::{clean_zone_id, normalize_name, unique_reference, wait_change};
use crate::api::{call, ApiError, Op};
use crate::framework::*;
use async_trait::async_trait;
use aws_sdk_route53::types::{
    Change, ChangeAction, ChangeBatch, HostedZoneConfig, RrType, Tag, TagResourceType, Vpc,
    VpcRegion,
};
use aws_sdk_route53::Client;
use plinth_sdk::{
    AttrPath, Attribute, Block, Diagnostics, NestedBlock, Nesting, Schema, Type, Value,
};
use std::collections::BTreeMap;
use std::time::Duration;

pub(crate) struct Zone;

const WHAT: &str = "Route53 Hosted Zone";

fn op(verb: &'static str, operation: &'static str) -> Op {
    Op::new(verb, WHAT, "Route53", operation)
}

fn vpc_nested() -> NestedBlock {
    NestedBlock {
        nesting: Nesting::Set,
        min_items: 0,
        max_items: 0,
        force_new: false,
        block: vpc_block(),
    }
}

fn vpc_block() -> Block {
    Block::new()
        .attr("vpc_id", Attribute::required(Type::String))
        .attr("vpc_region", Attribute::optional_computed(Type::String))
}

/// The `vpc` blocks as (vpc_id, vpc_region) pairs.
fn vpcs(o: &Obj, default_region: &str) -> Vec<(String, String)> {
    get(o, "vpc")
        .as_seq()
        .unwrap_or(&[])
        .iter()
        .filter_map(|v| {
            let id = v.get_attr("vpc_id").and_then(Value::as_str)?.to_string();
            let region = v
                .get_attr("vpc_region")
                .and_then(Value::as_str)
                .unwrap_or(default_region)
                .to_string();
            Some((id, region))
        })
        .collect()
}

fn sdk_vpc(id: &str, region: &str) -> Vpc {
    Vpc::builder()
        .vpc_id(id)
        .vpc_region(VpcRegion::from(region))
        .build()
}

pub(crate) async fn read_tags(
    r53: &Client,
    id: &str,
) -> Result<BTreeMap<String, String>, ApiError> {
    let out = call(op("reading", "ListTagsForResource"), || {
        r53.list_tags_for_resource()
            .resource_type(TagResourceType::Hostedzone)
            .resource_id(id)
            .send()
    })
    .await?;
    Ok(out
        .resource_tag_set()
        .map(|s| s.tags())
        .unwrap_or(&[])
        .iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or("").to_string())))
        .collect())
}

async fn update_tags(
    r53: &Client,
    id: &str,
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
    verb: &'static str,
) -> Result<(), ApiError> {
    let (removed, changed) = crate::framework::tag_changes(old, new);
    let added: Vec<Tag> = changed.iter().map(|(k, v)| Tag::builder().key(k).value(v).build()).collect();
    if removed.is_empty() && added.is_empty() {
        return Ok(());
    }
    call(op(verb, "ChangeTagsForResource"), || {
        r53.change_tags_for_resource()
            .resource_type(TagResourceType::Hostedzone)
            .resource_id(id)
            .set_add_tags((!added.is_empty()).then(|| added.clone()))
            .set_remove_tag_keys((!removed.is_empty()).then(|| removed.clone()))
            .send()
    })
    .await?;
    Ok(())
}

#[async_trait]
impl Resource for Zone {
    fn global(&self) -> bool {
        true
    }
    fn type_name(&self) -> &'static str {
        "aws_route53_zone"
    }
    fn tagged(&self) -> bool {
        true
    }
    fn timeouts(&self) -> Option<Timeouts> {
        Some(Timeouts::uniform(Duration::from_secs(30 * 60)))
    }
    fn schema(&self) -> Schema {
        let c = Attribute::computed;
        Schema {
            version: 0,
            block: Block::new()
                .attr("arn", c(Type::String))
                .attr("comment", Attribute::optional(Type::String))
                .attr(
                    "delegation_set_id",
                    Attribute::optional(Type::String).force_new(),
                )
                .attr("force_destroy", Attribute::optional(Type::Bool))
                .attr("id", c(Type::String))
                .attr("name", Attribute::required(Type::String).force_new())
                .attr("name_servers", c(Type::list(Type::String)))
                .attr("primary_name_server", c(Type::String))
                .attr("tags", Attribute::optional(Type::map(Type::String)))
                .attr("zone_id", c(Type::String))
                .block("vpc", vpc_nested()),
        }
    }
    fn defaults(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("comment", s("Managed by Terraform")),
            ("force_destroy", b(false)),
        ]
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        let has_vpc = config
            .get_attr("vpc")
            .and_then(Value::as_seq)
            .is_some_and(|s| !s.is_empty());
        if has_vpc && cfg(config, "delegation_set_id").is_some() {
            d.push(attr_error(
                "delegation_set_id",
                "conflicts with vpc",
                "A private zone (with `vpc` blocks) cannot use a reusable delegation set.",
                "remove `delegation_set_id` or the `vpc` blocks",
            ));
        }
        if let Some(n) = cfg(config, "name").and_then(Value::as_str) {
            if n.is_empty() || n.len() > 1024 {
                d.push(attr_error(
                    "name",
                    "invalid zone name",
                    format!("{n:?} is not a domain name of 1–1024 characters."),
                    "use a domain name such as \"example.com\"",
                ));
            }
        }
        d
    }
    fn normalize(&self, planned: &mut Obj) {
        if let Some(n) = get_str(planned, "name") {
            planned.insert("name".into(), s(normalize_name(&n)));
        }
        let v = conform(&vpc_nested(), get(planned, "vpc"));
        planned.insert("vpc".into(), v);
        // A vpc block without vpc_region gets the region at apply time.
        if let Some(list) = get(planned, "vpc").as_seq().map(|s| s.to_vec()) {
            let list: Vec<Value> = list
                .into_iter()
                .map(|v| match v {
                    Value::Object(mut m) => {
                        if m.get("vpc_region").is_none_or(Value::is_null) {
                            m.insert("vpc_region".into(), Value::Unknown(Type::String));
                        }
                        Value::Object(m)
                    }
                    v => v,
                })
                .collect();
            planned.insert("vpc".into(), Value::set(vpc_block().implied_type(), list));
        }
    }
    fn plan_update(&self, prior: &Obj, planned: &mut Obj, _rr: &mut Vec<AttrPath>) {
        let prior_regions: BTreeMap<String, Value> = get(prior, "vpc")
            .as_seq()
            .unwrap_or(&[])
            .iter()
            .filter_map(|v| {
                Some((
                    v.get_attr("vpc_id")?.as_str()?.to_string(),
                    v.get_attr("vpc_region")?.clone(),
                ))
            })
            .collect();
        if let Some(list) = get(planned, "vpc").as_seq().map(|s| s.to_vec()) {
            let list: Vec<Value> = list
                .into_iter()
                .map(|v| match v {
                    Value::Object(mut m) => {
                        let id = m.get("vpc_id").and_then(Value::as_str).map(str::to_string);
                        if m.get("vpc_region").is_some_and(|r| !r.is_known()) {
                            if let Some(r) = id.and_then(|id| prior_regions.get(&id).cloned()) {
                                m.insert("vpc_region".into(), r);
                            }
                        }
                        Value::Object(m)
                    }
                    v => v,
                })
                .collect();
            planned.insert("vpc".into(), Value::set(vpc_block().implied_type(), list));
        }
    }

    async fn create(&self, cx: &Ctx<'_>, planned: &Obj) -> Result<Obj, Failed> {
        let r53 = cx.route53();
        let name = get_str(planned, "name").unwrap_or_default();
        let vpcs = vpcs(planned, &cx.region);
        let mut req = r53
            .create_hosted_zone()
            .name(&name)
            .caller_reference(unique_reference("terraform-"))
            .hosted_zone_config(
                HostedZoneConfig::builder()
                    .set_comment(get_str(planned, "comment"))
                    .private_zone(!vpcs.is_empty())
                    .build(),
            )
            .set_delegation_set_id(get_str(planned, "delegation_set_id"));
        if let Some((id, region)) = vpcs.first() {
            req = req.vpc(sdk_vpc(id, region));
        }
        let out = call(op("creating", "CreateHostedZone"), || req.clone().send()).await?;
        let id = out
            .hosted_zone()
            .map(|z| clean_zone_id(z.id()))
            .ok_or_else(|| {
                Diagnostics::from(ApiError::other(
                    op("creating", "CreateHostedZone"),
                    "the response has no hosted zone",
                ))
            })?;
        let mut partial = planned.clone();
        partial.insert("id".into(), s(id.clone()));
        partial.insert("zone_id".into(), s(id.clone()));
        if let Some(ch) = out.change_info() {
            if let Err(e) = wait_change(
                &r53,
                ch.id(),
                op("creating", "GetChange"),
                cx.timeouts.create,
            )
            .await
            {
                return Err(Failed::partial(partial, e));
            }
        }
        if let Err(e) = update_tags(
            &r53,
            &id,
            &BTreeMap::new(),
            &tags_to_send(cx.aws, planned),
            "creating",
        )
        .await
        {
            return Err(Failed::partial(partial, e));
        }
        for (vpc, region) in vpcs.iter().skip(1) {
            let r = call(op("creating", "AssociateVPCWithHostedZone"), || {
                r53.associate_vpc_with_hosted_zone()
                    .hosted_zone_id(&id)
                    .vpc(sdk_vpc(vpc, region))
                    .send()
            })
            .await;
            match r {
                Ok(o) => {
                    if let Some(ch) = o.change_info() {
                        if let Err(e) = wait_change(
                            &r53,
                            ch.id(),
                            op("creating", "GetChange"),
                            cx.timeouts.create,
                        )
                        .await
                        {
                            return Err(Failed::partial(partial, e));
                        }
                    }
                }
                Err(e) => return Err(Failed::partial(partial, e)),
            }
        }
        match self.read(cx, &partial).await {
            Ok(Some(o)) => Ok(o),
            Ok(None) => Err(Failed::partial(
                partial,
                ApiError::other(
                    op("creating", "GetHostedZone"),
                    "the new hosted zone disappeared",
                ),
            )),
            Err(d) => Err(Failed::partial(partial, d)),
        }
    }

    async fn read(&self, cx: &Ctx<'_>, state: &Obj) -> Result<Option<Obj>, Diagnostics> {
        let r53 = cx.route53();
        let id = clean_zone_id(&id_of(state)?);
        let out = match call(op("reading", "GetHostedZone"), || {
            r53.get_hosted_zone().id(&id).send()
        })
        .await
        {
            Ok(o) => o,
            Err(e) if e.is(&["NoSuchHostedZone"]) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let Some(z) = out.hosted_zone() else {
            return Ok(None);
        };
        let mut o = state.clone();
        o.insert("id".into(), s(id.clone()));
        o.insert("zone_id".into(), s(id.clone()));
        o.insert(
            "arn".into(),
            s(format!(
                "arn:{}:route53:::hostedzone/{id}",
                cx.aws.partition
            )),
        );
        o.insert("name".into(), s(normalize_name(z.name())));
        o.insert(
            "comment".into(),
            s(z.config().and_then(|c| c.comment()).unwrap_or("")),
        );
        let private = z.config().is_some_and(|c| c.private_zone());
        let mut ns: Vec<String> = out
            .delegation_set()
            .map(|d| d.name_servers().to_vec())
            .unwrap_or_default();
        if private || ns.is_empty() {
            ns = zone_ns_records(&r53, &id, z.name()).await?;
        }
        o.insert(
            "primary_name_server".into(),
            opt_s(ns.first().map(String::as_str)),
        );
        o.insert("name_servers".into(), str_list(ns));
        o.insert(
            "delegation_set_id".into(),
            opt_s(
                out.delegation_set()
                    .and_then(|d| d.id())
                    .filter(|d| !d.is_empty())
                    .map(|d| d.trim_start_matches("/delegationset/")),
            ),
        );
        let vt = vpc_block().implied_type();
        let vpcs: Vec<Value> = if private {
            out.vpcs()
                .iter()
                .map(|v| {
                    Value::object([
                        ("vpc_id", opt_s(v.vpc_id())),
                        ("vpc_region", opt_s(v.vpc_region().map(|r| r.as_str()))),
                    ])
                })
                .collect()
        } else {
            vec![]
        };
        o.insert("vpc".into(), Value::set(vt, vpcs));
        // Not an AWS setting: kept, and false after an import (so that a plan is a no-op).
        if get(&o, "force_destroy").is_null() {
            o.insert("force_destroy".into(), b(false));
        }
        let tags = read_tags(&r53, &id).await?;
        set_tags_from_api(cx.aws, &mut o, tags, Some(state));
        Ok(Some(o))
    }

    async fn update(&self, cx: &Ctx<'_>, prior: &Obj, planned: &Obj) -> Result<Obj, Failed> {
        let r53 = cx.route53();
        let id = clean_zone_id(&id_of(prior)?);
        if !same(prior.get("comment"), planned.get("comment")) {
            let comment = get_str(planned, "comment").unwrap_or_default();
            call(op("updating", "UpdateHostedZoneComment"), || {
                r53.update_hosted_zone_comment()
                    .id(&id)
                    .comment(&comment)
                    .send()
            })
            .await?;
        }
        if !same(prior.get("vpc"), planned.get("vpc")) {
            let old = vpcs(prior, &cx.region);
            let new = vpcs(planned, &cx.region);
            for (vpc, region) in new.iter().filter(|v| !old.iter().any(|o| o.0 == v.0)) {
                let out = call(op("updating", "AssociateVPCWithHostedZone"), || {
                    r53.associate_vpc_with_hosted_zone()
                        .hosted_zone_id(&id)
                        .vpc(sdk_vpc(vpc, region))
                        .send()
                })
                .await?;
                if let Some(ch) = out.change_info() {
                    wait_change(
                        &r53,
                        ch.id(),
                        op("updating", "GetChange"),
                        cx.timeouts.update,
                    )
                    .await?;
                }
            }
            for (vpc, region) in old.iter().filter(|v| !new.iter().any(|n| n.0 == v.0)) {
                let out = call(op("updating", "DisassociateVPCFromHostedZone"), || {
                    r53.disassociate_vpc_from_hosted_zone()
                        .hosted_zone_id(&id)
                        .vpc(sdk_vpc(vpc, region))
                        .send()
                })
                .await?;
                if let Some(ch) = out.change_info() {
                    wait_change(
                        &r53,
                        ch.id(),
                        op("updating", "GetChange"),
                        cx.timeouts.update,
                    )
                    .await?;
                }
            }
        }
        let old_tags = super::record::state_tags(prior);
        update_tags(
            &r53,
            &id,
            &old_tags,
            &tags_to_send(cx.aws, planned),
            "updating",
        )
        .await?;
        let mut base = planned.clone();
        base.insert("id".into(), s(id.clone()));
        match self.read(cx, &base).await? {
            Some(o) => Ok(o),
            None => Err(ApiError::other(
                op("updating", "GetHostedZone"),
                "the hosted zone disappeared",
            )
            .into()),
        }
    }

    async fn delete(&self, cx: &Ctx<'_>, prior: &Obj) -> Result<(), Diagnostics> {
        let r53 = cx.route53();
        let id = clean_zone_id(&id_of(prior)?);
        if get_bool(prior, "force_destroy") == Some(true) {
            delete_all_records(&r53, &id, cx.timeouts.delete).await?;
        }
        let out = match call(op("deleting", "DeleteHostedZone"), || r53.delete_hosted_zone().id(&id).send()).await {
            Ok(o) => o,
            Err(e) if e.is(&["NoSuchHostedZone"]) => return Ok(()),
            Err(e) if e.is(&["HostedZoneNotEmpty"]) => {
                return Err(e
                    .diagnostic()
                    .with_help("delete the zone's records first, or set `force_destroy = true` (and apply) to let Plinth delete them")
                    .into())
            }
            Err(e) => return Err(e.into()),
        };
        if let Some(ch) = out.change_info() {
            wait_change(
                &r53,
                ch.id(),
                op("deleting", "GetChange"),
                cx.timeouts.delete,
            )
            .await?;
        }
        Ok(())
    }
}

/// The zone apex NS record's values (private zones have no delegation set).
async fn zone_ns_records(r53: &Client, id: &str, zone_name: &str) -> Result<Vec<String>, ApiError> {
    let out = call(op("reading", "ListResourceRecordSets"), || {
        r53.list_resource_record_sets()
            .hosted_zone_id(id)
            .start_record_name(zone_name)
            .start_record_type(RrType::Ns)
            .max_items(1)
            .send()
    })
    .await?;
    Ok(out
        .resource_record_sets()
        .iter()
        .filter(|r| {
            r.r#type() == &RrType::Ns && normalize_name(r.name()) == normalize_name(zone_name)
        })
        .flat_map(|r| {
            r.resource_records()
                .iter()
                .map(|v| v.value().trim_end_matches('.').to_string())
        })
        .collect())
}

/// `force_destroy`: deletes every record but the apex NS and SOA.
async fn delete_all_records(r53: &Client, id: &str, timeout: Duration) -> Result<(), ApiError> {
    let zone = call(op("deleting", "GetHostedZone"), || {
        r53.get_hosted_zone().id(id).send()
    })
    .await;
    let zone_name = match zone {
        Ok(z) => z
            .hosted_zone()
            .map(|z| z.name().to_string())
            .unwrap_or_default(),
        Err(e) if e.is(&["NoSuchHostedZone"]) => return Ok(()),
        Err(e) => return Err(e),
    };
    let mut start: Option<(String, RrType, Option<String>)> = None;
    let mut doomed = Vec::new();
    loop {
        let mut req = r53.list_resource_record_sets().hosted_zone_id(id);
        if let Some((n, t, i)) = &start {
            req = req
                .start_record_name(n)
                .start_record_type(t.clone())
                .set_start_record_identifier(i.clone());
        }
        let out = call(op("deleting", "ListResourceRecordSets"), || {
            req.clone().send()
        })
        .await?;
        for r in out.resource_record_sets() {
            let apex = normalize_name(r.name()) == normalize_name(&zone_name);
            if apex && matches!(r.r#type(), RrType::Ns | RrType::Soa) {
                continue;
            }
            doomed.push(r.clone());
        }
        match (
            out.is_truncated(),
            out.next_record_name(),
            out.next_record_type(),
        ) {
            (true, Some(n), Some(t)) => {
                start = Some((
                    n.to_string(),
                    t.clone(),
                    out.next_record_identifier().map(str::to_string),
                ))
            }
            _ => break,
        }
    }
    for chunk in doomed.chunks(100) {
        let changes: Vec<Change> = chunk
            .iter()
            .filter_map(|r| {
                Change::builder()
                    .action(ChangeAction::Delete)
                    .resource_record_set(r.clone())
                    .build()
                    .ok()
            })
            .collect();
        let Ok(batch) = ChangeBatch::builder()
            .set_changes(Some(changes))
            .comment("Deleted by Terraform")
            .build()
        else {
            continue;
        };
        let out = call(op("deleting", "ChangeResourceRecordSets"), || {
            r53.change_resource_record_sets()
                .hosted_zone_id(id)
                .change_batch(batch.clone())
                .send()
        })
        .await?;
        if let Some(ch) = out.change_info() {
            wait_change(r53, ch.id(), op("deleting", "GetChange"), timeout).await?;
        }
    }
    Ok(())
}
