//! `aws_acm_certificate` (import ID: the certificate ARN): a public certificate requested
//! with DNS or EMAIL validation, a private one from a CA (`certificate_authority_arn`), or an
//! imported PEM certificate (`certificate_body` + `private_key` [+ `certificate_chain`]).
//!
//! As upstream's CustomizeDiff, a DNS-validated request plans `domain_validation_options`
//! with known `domain_name`s (so `for_each` over them works before apply) and
//! `subject_alternative_names` including `domain_name`.

use super::{describe, sdk_tags};
use crate::api::{call, call_retry, wait, ApiError, Op, Poll};
use crate::framework::*;
use async_trait::async_trait;
use aws_sdk_acm::primitives::{Blob, DateTime};
use aws_sdk_acm::types::{
    CertificateDetail, CertificateType, DomainStatus, DomainValidationOption, KeyAlgorithm,
    ValidationMethod,
};
use aws_smithy_types::date_time::Format;
use plinth_sdk::{
    AttrPath, Attribute, Block, Diagnostics, NestedBlock, Nesting, Schema, Type, Value,
};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

pub(crate) struct Certificate;

const WHAT: &str = "ACM Certificate";

fn op(verb: &'static str, operation: &'static str) -> Op {
    Op::new(verb, WHAT, "ACM", operation)
}

fn dvo_type() -> Type {
    Type::object([
        ("domain_name", Type::String),
        ("resource_record_name", Type::String),
        ("resource_record_type", Type::String),
        ("resource_record_value", Type::String),
    ])
}

fn renewal_type() -> Type {
    Type::object([
        ("renewal_status", Type::String),
        ("renewal_status_reason", Type::String),
        ("updated_at", Type::String),
    ])
}

/// RFC 3339 at whole seconds, as Go's `time.RFC3339` prints UTC times.
pub(crate) fn rfc3339(t: &DateTime) -> Option<String> {
    DateTime::from_secs(t.secs()).fmt(Format::DateTime).ok()
}

fn string_set(v: &Value) -> Option<BTreeSet<String>> {
    if !v.is_wholly_known() {
        return None;
    }
    Some(strings(v).into_iter().collect())
}

#[async_trait]
impl Resource for Certificate {
    fn type_name(&self) -> &'static str {
        "aws_acm_certificate"
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
                .attr(
                    "certificate_authority_arn",
                    Attribute::optional(Type::String).force_new(),
                )
                .attr("certificate_body", Attribute::optional(Type::String))
                .attr("certificate_chain", Attribute::optional(Type::String))
                .attr(
                    "domain_name",
                    Attribute::optional_computed(Type::String).force_new(),
                )
                .attr("domain_validation_options", c(Type::set(dvo_type())))
                .attr("early_renewal_duration", Attribute::optional(Type::String))
                .attr("id", c(Type::String))
                .attr(
                    "key_algorithm",
                    Attribute::optional_computed(Type::String).force_new(),
                )
                .attr("not_after", c(Type::String))
                .attr("not_before", c(Type::String))
                .attr("pending_renewal", c(Type::Bool))
                .attr("private_key", Attribute::optional(Type::String).sensitive())
                .attr("renewal_eligibility", c(Type::String))
                .attr("renewal_summary", c(Type::list(renewal_type())))
                .attr("status", c(Type::String))
                .attr(
                    "subject_alternative_names",
                    Attribute::optional_computed(Type::set(Type::String)).force_new(),
                )
                .attr("tags", Attribute::optional(Type::map(Type::String)))
                .attr("type", c(Type::String))
                .attr("validation_emails", c(Type::list(Type::String)))
                .attr(
                    "validation_method",
                    Attribute::optional_computed(Type::String).force_new(),
                )
                .block(
                    "validation_option",
                    NestedBlock {
                        nesting: Nesting::Set,
                        min_items: 0,
                        max_items: 0,
                        force_new: true,
                        block: Block::new()
                            .attr("domain_name", Attribute::required(Type::String).force_new())
                            .attr(
                                "validation_domain",
                                Attribute::required(Type::String).force_new(),
                            ),
                    },
                ),
        }
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        let set = |k: &str| config.get_attr(k).is_some_and(|v| !v.is_null());
        let known = config.is_wholly_known();
        if set("domain_name") && set("private_key") {
            d.push(attr_error(
                "domain_name",
                "conflicts with private_key",
                "A certificate is either requested (`domain_name`) or imported (`private_key` + `certificate_body`), not both.",
                "remove `domain_name` or `private_key`",
            ));
        } else if known && !set("domain_name") && !set("private_key") {
            d.push(attr_error(
                "domain_name",
                "missing",
                "Exactly one of `domain_name` (request a certificate) or `private_key` (import one) must be set.",
                "set `domain_name` and `validation_method`, or `certificate_body` and `private_key`",
            ));
        }
        if set("private_key") && !set("certificate_body") && known {
            d.push(attr_error(
                "certificate_body",
                "missing",
                "An imported certificate needs `certificate_body` with `private_key`.",
                "set `certificate_body`",
            ));
        }
        if set("domain_name")
            && known
            && !set("validation_method")
            && !set("certificate_authority_arn")
        {
            d.push(attr_error(
                "validation_method",
                "missing",
                "`certificate_authority_arn` or `validation_method` must be set when requesting an ACM certificate.",
                "add `validation_method = \"DNS\"`",
            ));
        }
        if let Some(dn) = cfg(config, "domain_name").and_then(Value::as_str) {
            if dn.ends_with('.') {
                d.push(attr_error(
                    "domain_name",
                    "cannot end with a period",
                    format!("{dn:?} ends with a period."),
                    "remove the trailing period",
                ));
            }
        }
        if let Some(m) = cfg(config, "validation_method").and_then(Value::as_str) {
            if !["DNS", "EMAIL", "HTTP"].contains(&m) {
                d.push(attr_error(
                    "validation_method",
                    "unsupported method",
                    format!("{m:?} is not a validation method."),
                    "use \"DNS\" or \"EMAIL\"",
                ));
            }
        }
        d
    }
    fn customize_diff(&self, config: &Value, prior: Option<&Obj>, planned: &mut Obj) {
        let Some(domain) = cfg(config, "domain_name").and_then(Value::as_str) else {
            return;
        };
        let cfg_sans = match config.get_attr("subject_alternative_names") {
            None => Some(BTreeSet::new()),
            Some(v) if v.is_null() => Some(BTreeSet::new()),
            Some(v) => string_set(v),
        };
        let Some(mut sans) = cfg_sans else { return };
        let changed = match prior {
            None => true,
            Some(p) => {
                get_str(p, "domain_name").as_deref() != Some(domain) || {
                    let mut want = sans.clone();
                    want.insert(domain.to_string());
                    string_set(get(p, "subject_alternative_names")) != Some(want)
                }
            }
        };
        if changed {
            self.plan_dvos(config, domain, &sans, planned);
        }
        sans.insert(domain.to_string());
        planned.insert(
            "subject_alternative_names".into(),
            str_set(sans.into_iter().collect()),
        );
    }
    fn plan_update(&self, prior: &Obj, planned: &mut Obj, _rr: &mut Vec<AttrPath>) {
        // Re-importing a certificate changes its dates and status.
        let reimport = ["certificate_body", "certificate_chain", "private_key"]
            .iter()
            .any(|k| !same(prior.get(*k), planned.get(*k)));
        if reimport && get_str(planned, "private_key").is_some() {
            for k in ["not_after", "not_before", "status", "domain_name"] {
                planned.insert(k.into(), Value::Unknown(Type::String));
            }
        }
    }

    async fn create(&self, cx: &Ctx<'_>, planned: &Obj) -> Result<Obj, Failed> {
        let acm = cx.acm();
        let tags = sdk_tags(&tags_to_send(cx.aws, planned));
        let arn = if let Some(domain) =
            get_str(planned, "domain_name").filter(|_| get_str(planned, "private_key").is_none())
        {
            let sans: Vec<String> = get_strings(planned, "subject_alternative_names");
            let options: Vec<DomainValidationOption> = get(planned, "validation_option")
                .as_seq()
                .unwrap_or(&[])
                .iter()
                .filter_map(|o| {
                    DomainValidationOption::builder()
                        .set_domain_name(
                            o.get_attr("domain_name")
                                .and_then(Value::as_str)
                                .map(str::to_string),
                        )
                        .set_validation_domain(
                            o.get_attr("validation_domain")
                                .and_then(Value::as_str)
                                .map(str::to_string),
                        )
                        .build()
                        .ok()
                })
                .collect();
            let token = super::idempotency_token();
            let mut req = acm
                .request_certificate()
                .domain_name(&domain)
                .idempotency_token(token)
                .set_subject_alternative_names((!sans.is_empty()).then_some(sans))
                .set_certificate_authority_arn(get_str(planned, "certificate_authority_arn"))
                .set_domain_validation_options((!options.is_empty()).then_some(options))
                .set_tags(tags);
            if let Some(m) = get_str(planned, "validation_method") {
                req = req.validation_method(ValidationMethod::from(m.as_str()));
            }
            if let Some(k) = get_str(planned, "key_algorithm") {
                req = req.key_algorithm(KeyAlgorithm::from(k.as_str()));
            }
            let out = call(op("creating", "RequestCertificate"), || req.clone().send()).await?;
            out.certificate_arn().map(str::to_string)
        } else {
            let body = get_str(planned, "certificate_body").unwrap_or_default();
            let key = get_str(planned, "private_key").unwrap_or_default();
            let req = acm
                .import_certificate()
                .certificate(Blob::new(body.into_bytes()))
                .private_key(Blob::new(key.into_bytes()))
                .set_certificate_chain(
                    get_str(planned, "certificate_chain").map(|c| Blob::new(c.into_bytes())),
                )
                .set_tags(tags);
            let out = call(op("creating", "ImportCertificate"), || req.clone().send()).await?;
            out.certificate_arn().map(str::to_string)
        };
        let arn = arn.ok_or_else(|| {
            Diagnostics::from(ApiError::other(
                op("creating", "RequestCertificate"),
                "the response has no certificate ARN",
            ))
        })?;
        let mut partial = planned.clone();
        partial.insert("id".into(), s(arn.clone()));
        partial.insert("arn".into(), s(arn.clone()));
        // Wait until the domain validation records are assigned (upstream: 5 minutes).
        let waited = wait(
            op("creating", "DescribeCertificate"),
            "assigned domain validation records",
            Duration::from_secs(5 * 60),
            Duration::from_secs(2),
            || {
                let acm = acm.clone();
                let arn = arn.clone();
                async move {
                    let Some(c) =
                        describe(&acm, &arn, op("creating", "DescribeCertificate")).await?
                    else {
                        return Ok(Poll::Pending("not yet visible".into()));
                    };
                    let ready = match c.r#type() {
                        Some(CertificateType::AmazonIssued) => {
                            c.domain_validation_options().iter().any(|v| {
                                v.resource_record().is_some()
                                    || !v.validation_emails().is_empty()
                                    || v.validation_status() == Some(&DomainStatus::Success)
                            })
                        }
                        Some(CertificateType::Private) => {
                            c.status().map(|s| s.as_str()) != Some("PENDING_VALIDATION")
                        }
                        _ => true,
                    };
                    Ok(if ready {
                        Poll::Ready(())
                    } else {
                        Poll::Pending("validation records not yet assigned".into())
                    })
                }
            },
        )
        .await;
        if let Err(e) = waited {
            return Err(Failed::partial(partial, e));
        }
        match self.read(cx, &partial).await {
            Ok(Some(o)) => Ok(o),
            Ok(None) => Err(Failed::partial(
                partial,
                ApiError::other(
                    op("creating", "DescribeCertificate"),
                    "the new certificate disappeared",
                ),
            )),
            Err(d) => Err(Failed::partial(partial, d)),
        }
    }

    async fn read(&self, cx: &Ctx<'_>, state: &Obj) -> Result<Option<Obj>, Diagnostics> {
        let acm = cx.acm();
        let arn = id_of(state)?;
        let Some(c) = describe(&acm, &arn, op("reading", "DescribeCertificate")).await? else {
            return Ok(None);
        };
        let mut o = state.clone();
        fill(&mut o, &arn, &c);
        let out = call(op("reading", "ListTagsForCertificate"), || {
            acm.list_tags_for_certificate().certificate_arn(&arn).send()
        })
        .await?;
        let tags: BTreeMap<String, String> = out
            .tags()
            .iter()
            .map(|t| (t.key().to_string(), t.value().unwrap_or("").to_string()))
            .collect();
        set_tags_from_api(cx.aws, &mut o, tags, Some(state));
        Ok(Some(o))
    }

    async fn update(&self, cx: &Ctx<'_>, prior: &Obj, planned: &Obj) -> Result<Obj, Failed> {
        let acm = cx.acm();
        let arn = id_of(prior)?;
        let reimport = ["certificate_body", "certificate_chain", "private_key"]
            .iter()
            .any(|k| !same(prior.get(*k), planned.get(*k)));
        if reimport && get_str(planned, "private_key").is_some() {
            let body = get_str(planned, "certificate_body").unwrap_or_default();
            let key = get_str(planned, "private_key").unwrap_or_default();
            let req = acm
                .import_certificate()
                .certificate_arn(&arn)
                .certificate(Blob::new(body.into_bytes()))
                .private_key(Blob::new(key.into_bytes()))
                .set_certificate_chain(
                    get_str(planned, "certificate_chain").map(|c| Blob::new(c.into_bytes())),
                );
            call(op("updating", "ImportCertificate"), || req.clone().send()).await?;
        }
        // Tags.
        let old = super::state_tags(prior);
        let new = tags_to_send(cx.aws, planned);
        let removed: Vec<aws_sdk_acm::types::Tag> = old
            .iter()
            .filter(|(k, _)| !new.contains_key(*k))
            .filter_map(|(k, v)| {
                aws_sdk_acm::types::Tag::builder()
                    .key(k)
                    .value(v)
                    .build()
                    .ok()
            })
            .collect();
        if !removed.is_empty() {
            call(op("updating", "RemoveTagsFromCertificate"), || {
                acm.remove_tags_from_certificate()
                    .certificate_arn(&arn)
                    .set_tags(Some(removed.clone()))
                    .send()
            })
            .await?;
        }
        let changed: BTreeMap<String, String> = new
            .iter()
            .filter(|(k, v)| old.get(*k) != Some(*v))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if let Some(t) = sdk_tags(&changed) {
            call(op("updating", "AddTagsToCertificate"), || {
                acm.add_tags_to_certificate()
                    .certificate_arn(&arn)
                    .set_tags(Some(t.clone()))
                    .send()
            })
            .await?;
        }
        let mut base = planned.clone();
        base.insert("id".into(), s(arn.clone()));
        match self.read(cx, &base).await? {
            Some(o) => Ok(o),
            None => Err(ApiError::other(
                op("updating", "DescribeCertificate"),
                "the certificate disappeared",
            )
            .into()),
        }
    }

    async fn delete(&self, cx: &Ctx<'_>, prior: &Obj) -> Result<(), Diagnostics> {
        let acm = cx.acm();
        let arn = id_of(prior)?;
        // In use by a listener being deleted: retried (upstream: up to 20 minutes).
        match call_retry(
            op("deleting", "DeleteCertificate"),
            &["ResourceInUseException"],
            Duration::from_secs(20 * 60),
            || acm.delete_certificate().certificate_arn(&arn).send(),
        )
        .await
        {
            Ok(_) => Ok(()),
            Err(e) if e.is(&["ResourceNotFoundException"]) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

impl Certificate {
    /// Upstream's CustomizeDiff: `domain_validation_options` with known domain names.
    fn plan_dvos(&self, config: &Value, domain: &str, sans: &BTreeSet<String>, planned: &mut Obj) {
        let method = cfg(config, "validation_method").and_then(Value::as_str);
        if method != Some("DNS") {
            return;
        }
        let mut names = vec![domain.to_string()];
        names.extend(sans.iter().filter(|s| *s != domain).cloned());
        let dvos = names
            .into_iter()
            .map(|n| {
                Value::object([
                    ("domain_name", s(n)),
                    ("resource_record_name", Value::Unknown(Type::String)),
                    ("resource_record_type", Value::Unknown(Type::String)),
                    ("resource_record_value", Value::Unknown(Type::String)),
                ])
            })
            .collect();
        planned.insert(
            "domain_validation_options".into(),
            Value::set(dvo_type(), dvos),
        );
    }
}

/// Fills the attributes AWS reports.
fn fill(o: &mut Obj, arn: &str, c: &CertificateDetail) {
    o.insert("id".into(), s(arn));
    o.insert("arn".into(), s(arn));
    o.insert(
        "certificate_authority_arn".into(),
        opt_s(c.certificate_authority_arn()),
    );
    o.insert("domain_name".into(), opt_s(c.domain_name()));
    let mut emails = Vec::new();
    let mut dvos = Vec::new();
    for v in c.domain_validation_options() {
        if let Some(rr) = v.resource_record() {
            dvos.push(Value::object([
                ("domain_name", s(v.domain_name())),
                ("resource_record_name", s(rr.name())),
                ("resource_record_type", s(rr.r#type().as_str())),
                ("resource_record_value", s(rr.value())),
            ]));
        }
        emails.extend(v.validation_emails().iter().cloned());
    }
    o.insert(
        "domain_validation_options".into(),
        Value::set(dvo_type(), dvos),
    );
    o.insert(
        "key_algorithm".into(),
        opt_s(
            c.key_algorithm()
                .map(|k| k.as_str().replace('-', "_"))
                .as_deref(),
        ),
    );
    o.insert(
        "not_after".into(),
        opt_s(c.not_after().and_then(rfc3339).as_deref()),
    );
    o.insert(
        "not_before".into(),
        opt_s(c.not_before().and_then(rfc3339).as_deref()),
    );
    o.insert("pending_renewal".into(), b(false));
    o.insert(
        "renewal_eligibility".into(),
        opt_s(c.renewal_eligibility().map(|r| r.as_str())),
    );
    let renewal = match c.renewal_summary() {
        Some(r) => vec![Value::object([
            ("renewal_status", s(r.renewal_status().as_str())),
            (
                "renewal_status_reason",
                opt_s(r.renewal_status_reason().map(|x| x.as_str())),
            ),
            ("updated_at", opt_s(rfc3339(r.updated_at()).as_deref())),
        ])],
        None => vec![],
    };
    o.insert(
        "renewal_summary".into(),
        Value::List(renewal_type(), renewal),
    );
    o.insert("status".into(), opt_s(c.status().map(|x| x.as_str())));
    o.insert(
        "subject_alternative_names".into(),
        str_set(c.subject_alternative_names().to_vec()),
    );
    o.insert("type".into(), opt_s(c.r#type().map(|x| x.as_str())));
    o.insert("validation_emails".into(), str_list(emails));
    let method = match c.r#type() {
        Some(CertificateType::AmazonIssued) => c
            .domain_validation_options()
            .first()
            .and_then(|v| v.validation_method())
            .map(|m| m.as_str().to_string())
            .unwrap_or_else(|| "NONE".into()),
        _ => "NONE".into(),
    };
    o.insert("validation_method".into(), s(method));
}
