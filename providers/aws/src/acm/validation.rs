//! `aws_acm_certificate_validation`: waits until a certificate is `ISSUED` (it creates
//! nothing in AWS). With `validation_record_fqdns`, every DNS validation record of the
//! certificate must be among them. Not importable (as upstream).

use super::describe;
use crate::api::{wait, ApiError, Op, Poll};
use crate::framework::*;
use async_trait::async_trait;
use aws_sdk_acm::types::{CertificateStatus, CertificateType, ValidationMethod};
use plinth_sdk::{Attribute, Block, Diagnostic, Diagnostics, Schema, Type};
use std::collections::BTreeMap;
use std::time::Duration;

pub(crate) struct CertificateValidation;

const WHAT: &str = "ACM Certificate Validation";

fn op(verb: &'static str, operation: &'static str) -> Op {
    Op::new(verb, WHAT, "ACM", operation)
}

/// Go's `time.Time.String()` of the issue time (upstream's ID).
fn issued_id(c: &aws_sdk_acm::types::CertificateDetail) -> String {
    c.issued_at()
        .and_then(super::certificate::rfc3339)
        .map(|t| t.replacen('T', " ", 1).replace('Z', " +0000 UTC"))
        .unwrap_or_else(|| c.certificate_arn().unwrap_or_default().to_string())
}

#[async_trait]
impl Resource for CertificateValidation {
    fn type_name(&self) -> &'static str {
        "aws_acm_certificate_validation"
    }
    fn timeouts(&self) -> Option<Timeouts> {
        Some(Timeouts::uniform(Duration::from_secs(75 * 60)))
    }
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block::new()
                .attr(
                    "certificate_arn",
                    Attribute::required(Type::String).force_new(),
                )
                .attr("id", Attribute::computed(Type::String))
                .attr(
                    "validation_record_fqdns",
                    Attribute::optional(Type::set(Type::String)).force_new(),
                ),
        }
    }

    async fn create(&self, cx: &Ctx<'_>, planned: &Obj) -> Result<Obj, Failed> {
        let acm = cx.acm();
        let arn = get_str(planned, "certificate_arn").unwrap_or_default();
        let Some(c) = describe(&acm, &arn, op("creating", "DescribeCertificate")).await? else {
            return Err(ApiError::other(
                op("creating", "DescribeCertificate"),
                format!("the certificate {arn} does not exist"),
            )
            .into());
        };
        if c.r#type() != Some(&CertificateType::AmazonIssued) {
            return Err(Diagnostic::error(format!(
                "creating {WHAT}: certificate {arn} of type {:?} does not need validation",
                c.r#type().map(|t| t.as_str()).unwrap_or("")
            ))
            .with_detail("Only certificates issued by Amazon (requested with validation_method) are validated.")
            .with_help("remove the aws_acm_certificate_validation resource for imported or private certificates")
            .into());
        }
        let fqdns = get_strings(planned, "validation_record_fqdns");
        if !fqdns.is_empty() {
            let mut want: BTreeMap<String, String> = BTreeMap::new();
            for v in c.domain_validation_options() {
                if v.validation_method() != Some(&ValidationMethod::Dns) {
                    continue;
                }
                if let Some(rr) = v.resource_record() {
                    if !rr.name().is_empty() {
                        want.insert(
                            rr.name().trim_end_matches('.').to_string(),
                            v.domain_name().to_string(),
                        );
                    }
                }
            }
            for f in &fqdns {
                want.remove(f.trim_end_matches('.'));
            }
            if !want.is_empty() {
                let missing: Vec<String> = want
                    .iter()
                    .map(|(fqdn, domain)| format!("missing {domain} DNS validation record: {fqdn}"))
                    .collect();
                return Err(Diagnostic::error(format!("creating {WHAT}: {}", missing.join("; ")))
                    .with_detail(format!(
                        "validation_record_fqdns must contain the DNS validation record of every domain of certificate {arn}."
                    ))
                    .with_help("create a Route 53 record for each domain_validation_options entry and list their fqdn")
                    .into());
            }
        }
        let c = wait(
            op("creating", "DescribeCertificate"),
            "ISSUED",
            cx.timeouts.create,
            Duration::from_secs(5),
            || {
                let acm = acm.clone();
                let arn = arn.clone();
                async move {
                    match describe(&acm, &arn, op("creating", "DescribeCertificate")).await? {
                        None => Ok(Poll::Failed("deleted".into())),
                        Some(c) => Ok(match c.status().cloned() {
                            Some(CertificateStatus::Issued) => Poll::Ready(c),
                            Some(CertificateStatus::PendingValidation) | None => {
                                Poll::Pending("PENDING_VALIDATION".into())
                            }
                            Some(s) => Poll::Failed(s.as_str().to_string()),
                        }),
                    }
                }
            },
        )
        .await?;
        let mut o = planned.clone();
        o.insert("id".into(), s(issued_id(&c)));
        Ok(o)
    }

    async fn read(&self, cx: &Ctx<'_>, state: &Obj) -> Result<Option<Obj>, Diagnostics> {
        let acm = cx.acm();
        let arn = get_str(state, "certificate_arn").unwrap_or_default();
        match describe(&acm, &arn, op("reading", "DescribeCertificate")).await? {
            Some(c) if c.status() == Some(&CertificateStatus::Issued) => Ok(Some(state.clone())),
            _ => Ok(None),
        }
    }

    async fn update(&self, _cx: &Ctx<'_>, _prior: &Obj, planned: &Obj) -> Result<Obj, Failed> {
        Ok(planned.clone())
    }

    async fn delete(&self, _cx: &Ctx<'_>, _prior: &Obj) -> Result<(), Diagnostics> {
        Ok(())
    }

    async fn import(&self, _cx: &Ctx<'_>, _id: &str) -> Result<Option<Obj>, Diagnostics> {
        Err(Diagnostic::error("resource aws_acm_certificate_validation doesn't support import")
            .with_detail("Upstream's aws_acm_certificate_validation cannot be imported: it creates nothing in AWS.")
            .with_help("declare it in the configuration and apply; it completes at once for an issued certificate")
            .into())
    }
}
