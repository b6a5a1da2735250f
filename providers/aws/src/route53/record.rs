//! `aws_route53_record` (import ID: `ZONEID_NAME_TYPE[_SETIDENTIFIER]`): simple records
//! (`records` + `ttl`) and aliases (`alias { name zone_id evaluate_target_health }`), with
//! `weighted_routing_policy`/`set_identifier`. TXT/SPF values are sent wrapped in quotes and
//! read back without the outer pair, as upstream.

use super::{clean_zone_id, normalize_name, wait_change};
use crate::api::{call, call_retry, ApiError, Op};
use crate::framework::*;
use async_trait::async_trait;
use aws_sdk_route53::types::{
    AliasTarget, Change, ChangeAction, ChangeBatch, ResourceRecord, ResourceRecordSet, RrType,
};
use aws_sdk_route53::Client;
use plinth_sdk::{
    Attribute, Block, Diagnostic, Diagnostics, NestedBlock, Nesting, Schema, Type, Value,
};
use std::collections::BTreeMap;
use std::time::Duration;

pub(crate) struct Record;

const WHAT: &str = "Route53 Record";

const RR_TYPES: &[&str] = &[
    "SOA", "A", "TXT", "NS", "CNAME", "MX", "NAPTR", "PTR", "SRV", "SPF", "AAAA", "CAA", "DS",
    "TLSA", "SSHFP", "SVCB", "HTTPS",
];

fn op(verb: &'static str, operation: &'static str) -> Op {
    Op::new(verb, WHAT, "Route53", operation)
}

fn alias_block() -> Block {
    Block::new()
        .attr("evaluate_target_health", Attribute::required(Type::Bool))
        .attr("name", Attribute::required(Type::String))
        .attr("zone_id", Attribute::required(Type::String))
}

fn weighted_block() -> Block {
    Block::new().attr("weight", Attribute::required(Type::Number))
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

pub(crate) fn state_tags(o: &Obj) -> BTreeMap<String, String> {
    o.get("tags_all")
        .and_then(Value::as_map)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// Upstream's `expandRecordName`: a name relative to the zone gets the zone appended.
fn expand_record_name(name: &str, zone: &str) -> String {
    let name = normalize_name(name);
    let zone = normalize_name(zone);
    if name.is_empty() {
        return zone;
    }
    if name == zone || name.ends_with(&format!(".{zone}")) {
        name
    } else {
        format!("{name}.{zone}")
    }
}

/// Sending: `"value"` (upstream `flattenTxtEntry`).
fn quote_txt(v: &str) -> String {
    format!("\"{v}\"")
}
/// Reading: one outer pair of quotes removed (upstream `expandTxtEntry`).
fn unquote_txt(v: &str) -> String {
    let b = v.as_bytes();
    if b.len() >= 2 && b[0] == b'"' && b[b.len() - 1] == b'"' {
        v[1..v.len() - 1].to_string()
    } else {
        v.to_string()
    }
}

fn is_txt(t: &str) -> bool {
    t == "TXT" || t == "SPF"
}

/// Upstream's record ID (and import ID).
fn record_id(zone: &str, name: &str, ty: &str, set_id: Option<&str>) -> String {
    let mut parts = vec![zone.to_string(), normalize_name(name), ty.to_string()];
    if let Some(s) = set_id.filter(|s| !s.is_empty()) {
        parts.push(s.to_string());
    }
    parts.join("_")
}

/// Upstream's `recordParseResourceID`: zone, name, type, set identifier.
fn parse_id(id: &str) -> Option<(String, String, String, String)> {
    let parts: Vec<&str> = id.split('_').collect();
    if parts.len() < 3 || parts[0].is_empty() {
        return None;
    }
    let idx = parts.iter().skip(1).position(|p| RR_TYPES.contains(p))? + 1;
    if idx <= 1 {
        return None;
    }
    let name = parts[1..idx].join("_");
    let name = name.trim_end_matches('.').to_string();
    Some((
        parts[0].to_string(),
        name,
        parts[idx].to_string(),
        parts[idx + 1..].join("_"),
    ))
}

fn first<'a>(o: &'a Obj, k: &str) -> Option<&'a Value> {
    get(o, k).as_seq().and_then(|s| s.first())
}

/// The record set a planned object describes (`zone_name` for relative names).
fn rrset(o: &Obj, zone_name: &str) -> Result<ResourceRecordSet, Diagnostics> {
    let ty = get_str(o, "type").unwrap_or_default();
    let name = expand_record_name(&get_str(o, "name").unwrap_or_default(), zone_name);
    let mut b = ResourceRecordSet::builder()
        .name(name)
        .r#type(RrType::from(ty.as_str()))
        .set_set_identifier(get_str(o, "set_identifier").filter(|s| !s.is_empty()))
        .set_health_check_id(get_str(o, "health_check_id").filter(|s| !s.is_empty()));
    let records = get_strings(o, "records");
    if get(o, "records").as_seq().is_some_and(|s| !s.is_empty()) {
        for r in records {
            let v = if is_txt(&ty) { quote_txt(&r) } else { r };
            if let Ok(rr) = ResourceRecord::builder().value(v).build() {
                b = b.resource_records(rr);
            }
        }
        b = b.set_ttl(get_i64(o, "ttl"));
    }
    if let Some(a) = first(o, "alias") {
        let at = AliasTarget::builder()
            .dns_name(
                a.get_attr("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default(),
            )
            .hosted_zone_id(
                a.get_attr("zone_id")
                    .and_then(Value::as_str)
                    .unwrap_or_default(),
            )
            .evaluate_target_health(
                a.get_attr("evaluate_target_health")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            )
            .build()
            .map_err(|e| Diagnostic::error(format!("invalid alias: {e}")))?;
        b = b.alias_target(at);
    }
    if let Some(w) = first(o, "weighted_routing_policy") {
        b = b.set_weight(w.get_attr("weight").and_then(Value::as_i64));
    }
    if get_bool(o, "multivalue_answer_routing_policy") == Some(true) {
        b = b.multi_value_answer(true);
    }
    b.build().map_err(|e| {
        Diagnostic::error(format!("invalid Route 53 record: {e}"))
            .with_help("set `name` and `type`")
            .into()
    })
}

async fn zone_name(
    r53: &Client,
    zone: &str,
    verb: &'static str,
) -> Result<Option<String>, ApiError> {
    match call(op(verb, "GetHostedZone"), || {
        r53.get_hosted_zone().id(zone).send()
    })
    .await
    {
        Ok(o) => Ok(o.hosted_zone().map(|z| z.name().to_string())),
        Err(e) if e.is(&["NoSuchHostedZone"]) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Finds the record by zone, name, type and set identifier (upstream's four-part key).
async fn find(
    r53: &Client,
    zone: &str,
    name: &str,
    ty: &str,
    set_id: &str,
    verb: &'static str,
) -> Result<Option<(ResourceRecordSet, String)>, ApiError> {
    let Some(zn) = zone_name(r53, zone, verb).await? else {
        return Ok(None);
    };
    let en = expand_record_name(name, &zn);
    let fq = format!("{en}.");
    let rt = RrType::from(ty.to_ascii_uppercase().as_str());
    let mut start = (fq.clone(), rt.clone(), None::<String>);
    loop {
        let r = call(op(verb, "ListResourceRecordSets"), || {
            r53.list_resource_record_sets()
                .hosted_zone_id(zone)
                .start_record_name(&start.0)
                .start_record_type(start.1.clone())
                .set_start_record_identifier(start.2.clone())
                .max_items(if set_id.is_empty() { 1 } else { 100 })
                .send()
        })
        .await;
        let out = match r {
            Ok(o) => o,
            Err(e) if e.is(&["NoSuchHostedZone"]) => return Ok(None),
            Err(e) => return Err(e),
        };
        for r in out.resource_record_sets() {
            let same_name = r.name().to_ascii_lowercase().replace("\\052", "*") == fq;
            if same_name
                && r.r#type().as_str() == ty.to_ascii_uppercase()
                && r.set_identifier().unwrap_or("") == set_id
            {
                return Ok(Some((r.clone(), en)));
            }
        }
        match (
            out.is_truncated(),
            out.next_record_name(),
            out.next_record_type(),
        ) {
            (true, Some(n), Some(t)) if n.to_ascii_lowercase() == fq && t == &rt => {
                start = (
                    n.to_string(),
                    t.clone(),
                    out.next_record_identifier().map(str::to_string),
                );
            }
            _ => return Ok(None),
        }
    }
}

async fn submit(
    r53: &Client,
    zone: &str,
    changes: Vec<Change>,
    comment: &str,
    o: Op,
    timeout: Duration,
) -> Result<(), Diagnostics> {
    let batch = ChangeBatch::builder()
        .set_changes(Some(changes))
        .comment(comment)
        .build()
        .map_err(|e| Diagnostic::bug("invalid change batch", e.to_string()))?;
    let out = call_retry(o, &["NoSuchHostedZone"], Duration::from_secs(60), || {
        r53.change_resource_record_sets()
            .hosted_zone_id(zone)
            .change_batch(batch.clone())
            .send()
    })
    .await?;
    if let Some(ch) = out.change_info() {
        wait_change(
            r53,
            ch.id(),
            Op {
                operation: "GetChange",
                ..o
            },
            timeout,
        )
        .await?;
    }
    Ok(())
}

fn change(action: ChangeAction, rrs: ResourceRecordSet) -> Result<Change, Diagnostics> {
    Change::builder()
        .action(action)
        .resource_record_set(rrs)
        .build()
        .map_err(|e| Diagnostic::bug("invalid change", e.to_string()).into())
}

#[async_trait]
impl Resource for Record {
    fn global(&self) -> bool {
        true
    }
    fn type_name(&self) -> &'static str {
        "aws_route53_record"
    }
    fn timeouts(&self) -> Option<Timeouts> {
        Some(Timeouts::uniform(Duration::from_secs(30 * 60)))
    }
    fn schema(&self) -> Schema {
        Schema {
            version: 2,
            block: Block::new()
                .attr("allow_overwrite", Attribute::optional_computed(Type::Bool))
                .attr("fqdn", Attribute::computed(Type::String))
                .attr("health_check_id", Attribute::optional(Type::String))
                .attr("id", Attribute::computed(Type::String))
                .attr(
                    "multivalue_answer_routing_policy",
                    Attribute::optional(Type::Bool),
                )
                .attr("name", Attribute::required(Type::String).force_new())
                .attr("records", Attribute::optional(Type::set(Type::String)))
                .attr("set_identifier", Attribute::optional(Type::String))
                .attr("ttl", Attribute::optional(Type::Number))
                .attr("type", Attribute::required(Type::String))
                .attr("zone_id", Attribute::required(Type::String).force_new())
                .block("alias", single(alias_block()))
                .block("weighted_routing_policy", single(weighted_block())),
        }
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        let has_alias = config
            .get_attr("alias")
            .and_then(Value::as_seq)
            .is_some_and(|s| !s.is_empty());
        let has_records = config.get_attr("records").is_some_and(|v| !v.is_null());
        let has_ttl = config.get_attr("ttl").is_some_and(|v| !v.is_null());
        if has_alias && has_records {
            d.push(attr_error(
                "records",
                "conflicts with alias",
                "A record has either `records` (with `ttl`) or an `alias` block, not both.",
                "remove `records` or `alias`",
            ));
        } else if !has_alias && !has_records && config.is_wholly_known() {
            d.push(attr_error(
                "records",
                "missing",
                "Exactly one of `records` or `alias` must be set.",
                "add `records = [...]` and `ttl`, or an `alias` block",
            ));
        }
        if has_alias && has_ttl {
            d.push(attr_error(
                "ttl",
                "conflicts with alias",
                "An alias record has no TTL of its own.",
                "remove `ttl`",
            ));
        }
        if has_records && !has_ttl && config.is_wholly_known() {
            d.push(attr_error(
                "ttl",
                "missing",
                "`ttl` is required with `records`.",
                "add e.g. `ttl = 300`",
            ));
        }
        if let Some(t) = cfg(config, "type").and_then(Value::as_str) {
            if !RR_TYPES.contains(&t) {
                d.push(attr_error(
                    "type",
                    "unsupported record type",
                    format!("{t:?} is not a Route 53 record type."),
                    format!("use one of {}", RR_TYPES.join(", ")),
                ));
            }
        }
        d
    }
    fn normalize(&self, planned: &mut Obj) {
        for (k, nb) in [
            ("alias", single(alias_block())),
            ("weighted_routing_policy", single(weighted_block())),
        ] {
            let v = conform(&nb, get(planned, k));
            planned.insert(k.into(), v);
        }
        if let Some(n) = get_str(planned, "name") {
            planned.insert("name".into(), s(normalize_name(&n)));
        }
        if let Some(Value::Object(mut a)) = first(planned, "alias").cloned() {
            if let Some(n) = a.get("name").and_then(Value::as_str).map(normalize_name) {
                a.insert("name".into(), s(n));
            }
            planned.insert(
                "alias".into(),
                Value::List(alias_block().implied_type(), vec![Value::Object(a)]),
            );
        }
        if let Some(z) = get_str(planned, "zone_id") {
            planned.insert("zone_id".into(), s(clean_zone_id(&z)));
        }
    }

    async fn create(&self, cx: &Ctx<'_>, planned: &Obj) -> Result<Obj, Failed> {
        let r53 = cx.route53();
        let zone = clean_zone_id(&get_str(planned, "zone_id").unwrap_or_default());
        let Some(zn) = zone_name(&r53, &zone, "creating").await? else {
            return Err(ApiError::other(
                op("creating", "GetHostedZone"),
                format!("the hosted zone {zone} does not exist"),
            )
            .into());
        };
        let action = if get_bool(planned, "allow_overwrite") == Some(true) {
            ChangeAction::Upsert
        } else {
            ChangeAction::Create
        };
        let rrs = rrset(planned, &zn)?;
        submit(
            &r53,
            &zone,
            vec![change(action, rrs)?],
            "Managed by Terraform",
            op("creating", "ChangeResourceRecordSets"),
            cx.timeouts.create,
        )
        .await?;
        let mut partial = planned.clone();
        partial.insert(
            "id".into(),
            s(record_id(
                &zone,
                &get_str(planned, "name").unwrap_or_default(),
                &get_str(planned, "type").unwrap_or_default(),
                get_str(planned, "set_identifier").as_deref(),
            )),
        );
        if !get(&partial, "allow_overwrite").is_known()
            || get(&partial, "allow_overwrite").is_null()
        {
            partial.insert("allow_overwrite".into(), b(false));
        }
        match self.read(cx, &partial).await {
            Ok(Some(o)) => Ok(o),
            Ok(None) => Err(Failed::partial(
                partial,
                ApiError::other(
                    op("creating", "ListResourceRecordSets"),
                    "the new record is not visible",
                ),
            )),
            Err(d) => Err(Failed::partial(partial, d)),
        }
    }

    async fn read(&self, cx: &Ctx<'_>, state: &Obj) -> Result<Option<Obj>, Diagnostics> {
        let r53 = cx.route53();
        let zone = clean_zone_id(&get_str(state, "zone_id").unwrap_or_default());
        let name = get_str(state, "name").unwrap_or_default();
        let ty = get_str(state, "type").unwrap_or_default();
        let set_id = get_str(state, "set_identifier").unwrap_or_default();
        let Some((r, en)) = find(&r53, &zone, &name, &ty, &set_id, "reading").await? else {
            return Ok(None);
        };
        let mut o = state.clone();
        let at = alias_block().implied_type();
        o.insert(
            "alias".into(),
            match r.alias_target() {
                Some(a) => Value::List(
                    at,
                    vec![Value::object([
                        ("evaluate_target_health", b(a.evaluate_target_health())),
                        ("name", s(normalize_name(a.dns_name()))),
                        ("zone_id", s(a.hosted_zone_id())),
                    ])],
                ),
                None => Value::List(at, vec![]),
            },
        );
        let fqdn = match en.strip_prefix("\\052.") {
            Some(rest) => format!("*.{rest}"),
            None => en,
        };
        o.insert("fqdn".into(), s(fqdn));
        o.insert("health_check_id".into(), opt_s(r.health_check_id()));
        o.insert(
            "multivalue_answer_routing_policy".into(),
            match r.multi_value_answer() {
                Some(m) => b(m),
                None => Value::Null(Type::Bool),
            },
        );
        let txt = is_txt(r.r#type().as_str());
        let records: Vec<String> = r
            .resource_records()
            .iter()
            .map(|v| {
                if txt {
                    unquote_txt(v.value())
                } else {
                    v.value().to_string()
                }
            })
            .collect();
        o.insert(
            "records".into(),
            if records.is_empty() {
                Value::Null(Type::set(Type::String))
            } else {
                str_set(records)
            },
        );
        o.insert("set_identifier".into(), opt_s(r.set_identifier()));
        // An alias has no TTL of its own (AWS reports none; moto reports one anyway).
        let ttl = r.ttl().filter(|_| r.alias_target().is_none());
        o.insert(
            "ttl".into(),
            ttl.map(n).unwrap_or(Value::Null(Type::Number)),
        );
        o.insert("type".into(), s(r.r#type().as_str()));
        o.insert(
            "weighted_routing_policy".into(),
            Value::List(
                weighted_block().implied_type(),
                r.weight()
                    .map(|w| vec![Value::object([("weight", n(w))])])
                    .unwrap_or_default(),
            ),
        );
        if !get(&o, "allow_overwrite").is_known() || get(&o, "allow_overwrite").is_null() {
            o.insert("allow_overwrite".into(), b(false));
        }
        Ok(Some(o))
    }

    async fn update(&self, cx: &Ctx<'_>, prior: &Obj, planned: &Obj) -> Result<Obj, Failed> {
        let r53 = cx.route53();
        let zone = clean_zone_id(&get_str(planned, "zone_id").unwrap_or_default());
        let Some(zn) = zone_name(&r53, &zone, "updating").await? else {
            return Err(ApiError::other(
                op("updating", "GetHostedZone"),
                format!("the hosted zone {zone} does not exist"),
            )
            .into());
        };
        let new = rrset(planned, &zn)?;
        let key_changed = !same(prior.get("type"), planned.get("type"))
            || !same(prior.get("set_identifier"), planned.get("set_identifier"));
        let changes = if key_changed {
            // Delete the old record and create the new one in one transaction.
            let old = rrset(prior, &zn)?;
            let action = if get_bool(planned, "allow_overwrite") == Some(true) {
                ChangeAction::Upsert
            } else {
                ChangeAction::Create
            };
            vec![change(ChangeAction::Delete, old)?, change(action, new)?]
        } else {
            vec![change(ChangeAction::Upsert, new)?]
        };
        submit(
            &r53,
            &zone,
            changes,
            "Managed by Terraform",
            op("updating", "ChangeResourceRecordSets"),
            cx.timeouts.update,
        )
        .await?;
        let mut base = planned.clone();
        base.insert(
            "id".into(),
            s(record_id(
                &zone,
                &get_str(planned, "name").unwrap_or_default(),
                &get_str(planned, "type").unwrap_or_default(),
                get_str(planned, "set_identifier").as_deref(),
            )),
        );
        match self.read(cx, &base).await? {
            Some(o) => Ok(o),
            None => Err(ApiError::other(
                op("updating", "ListResourceRecordSets"),
                "the record disappeared",
            )
            .into()),
        }
    }

    async fn delete(&self, cx: &Ctx<'_>, prior: &Obj) -> Result<(), Diagnostics> {
        let r53 = cx.route53();
        let zone = clean_zone_id(&get_str(prior, "zone_id").unwrap_or_default());
        let name = get_str(prior, "name").unwrap_or_default();
        let ty = get_str(prior, "type").unwrap_or_default();
        let set_id = get_str(prior, "set_identifier").unwrap_or_default();
        let Some((rec, _)) = find(&r53, &zone, &name, &ty, &set_id, "deleting").await? else {
            return Ok(());
        };
        match submit(
            &r53,
            &zone,
            vec![change(ChangeAction::Delete, rec)?],
            "Deleted by Terraform",
            op("deleting", "ChangeResourceRecordSets"),
            cx.timeouts.delete,
        )
        .await
        {
            Ok(()) => Ok(()),
            Err(d) if d.iter().any(|x| x.summary.contains("InvalidChangeBatch")) => Ok(()),
            Err(d) => Err(d),
        }
    }

    async fn import(&self, cx: &Ctx<'_>, id: &str) -> Result<Option<Obj>, Diagnostics> {
        let Some((zone, name, ty, set_id)) = parse_id(id) else {
            return Err(Diagnostic::error("invalid import ID for aws_route53_record")
                .with_detail(format!(
                    "{id:?} is not ZONEID_NAME_TYPE or ZONEID_NAME_TYPE_SETIDENTIFIER (TYPE one of {}).",
                    RR_TYPES.join(", ")
                ))
                .with_help("e.g. Z4KAPRWWNC7JR_dev.example.com_NS")
                .into());
        };
        let mut o = Obj::new();
        o.insert("id".into(), s(id));
        o.insert("zone_id".into(), s(zone));
        o.insert("name".into(), s(normalize_name(&name)));
        o.insert("type".into(), s(ty));
        o.insert("set_identifier".into(), opt_s(Some(set_id.as_str())));
        o.insert("allow_overwrite".into(), b(false));
        self.read(cx, &o).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_names_and_txt_quoting() {
        assert_eq!(
            parse_id("Z123_dev.example.com_NS"),
            Some((
                "Z123".into(),
                "dev.example.com".into(),
                "NS".into(),
                String::new()
            ))
        );
        assert_eq!(
            parse_id("Z123_under_score.example.com_A_blue"),
            Some((
                "Z123".into(),
                "under_score.example.com".into(),
                "A".into(),
                "blue".into()
            ))
        );
        assert_eq!(parse_id("Z123_example.com"), None);
        assert_eq!(expand_record_name("www", "example.com."), "www.example.com");
        assert_eq!(
            expand_record_name("WWW.Example.com.", "example.com."),
            "www.example.com"
        );
        assert_eq!(expand_record_name("", "example.com."), "example.com");
        assert_eq!(quote_txt("v=spf1 -all"), "\"v=spf1 -all\"");
        assert_eq!(unquote_txt("\"a\"\"b\""), "a\"\"b");
        assert_eq!(
            record_id("Z1", "App.Example.com.", "A", None),
            "Z1_app.example.com_A"
        );
    }
}
