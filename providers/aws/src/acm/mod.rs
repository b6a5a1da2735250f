//! ACM: aws_acm_certificate, aws_acm_certificate_validation (feature `acm`).
//!
//! Each resource lives in its own module and implements [`crate::framework::Resource`];
//! this module lists them and holds the ACM helpers (tags, certificate lookup).

mod certificate;
mod validation;

use crate::api::{call, ApiError, Op};
use crate::framework::{DataSource, Resource};
use aws_sdk_acm::types::{CertificateDetail, CertificateStatus, Tag};
use aws_sdk_acm::Client;
use std::collections::BTreeMap;

pub(crate) fn resources() -> Vec<Box<dyn Resource>> {
    vec![
        Box::new(certificate::Certificate),
        Box::new(validation::CertificateValidation),
    ]
}

pub(crate) fn data_sources() -> Vec<Box<dyn DataSource>> {
    vec![]
}

/// DescribeCertificate: `None` when it does not exist (or timed out validating, as upstream).
pub(crate) async fn describe(
    acm: &Client,
    arn: &str,
    op: Op,
) -> Result<Option<CertificateDetail>, ApiError> {
    match call(op, || {
        acm.describe_certificate().certificate_arn(arn).send()
    })
    .await
    {
        Ok(out) => Ok(out
            .certificate()
            .filter(|c| c.status() != Some(&CertificateStatus::ValidationTimedOut))
            .cloned()),
        Err(e) if e.is(&["ResourceNotFoundException"]) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Tags in the SDK's shape (keys are required, so invalid ones are skipped).
pub(crate) fn sdk_tags(tags: &BTreeMap<String, String>) -> Option<Vec<Tag>> {
    if tags.is_empty() {
        return None;
    }
    Some(
        tags.iter()
            .filter_map(|(k, v)| Tag::builder().key(k).value(v).build().ok())
            .collect(),
    )
}

/// Terraform's `id.PrefixedUniqueId("tf")`: `tf` + 26 digits (ACM's token limit is 32).
pub(crate) fn idempotency_token() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(1);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let c = COUNTER.fetch_add(1, Ordering::Relaxed) % 100_000_000;
    format!(
        "tf{:018}{c:08}",
        now.as_millis() * 1000 + (now.subsec_micros() % 1000) as u128
    )
}

/// The tags currently in state (`tags_all`), for computing a tag update.
pub(crate) fn state_tags(o: &crate::framework::Obj) -> BTreeMap<String, String> {
    o.get("tags_all")
        .and_then(plinth_sdk::Value::as_map)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect()
        })
        .unwrap_or_default()
}
