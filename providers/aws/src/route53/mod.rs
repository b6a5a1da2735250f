//! Route 53: aws_route53_zone, aws_route53_record (feature `route53`).
//!
//! Each resource lives in its own module and implements [`crate::framework::Resource`];
//! this module lists them and holds the Route 53 helpers (zone IDs, names, change waits).

mod record;
mod zone;

use crate::api::{call, wait, ApiError, Op, Poll};
use crate::framework::{DataSource, Resource};
use aws_sdk_route53::types::ChangeStatus;
use aws_sdk_route53::Client;
use std::time::Duration;

pub(crate) fn resources() -> Vec<Box<dyn Resource>> {
    vec![Box::new(zone::Zone), Box::new(record::Record)]
}

pub(crate) fn data_sources() -> Vec<Box<dyn DataSource>> {
    vec![]
}

/// `/hostedzone/Z123` → `Z123` (upstream's `cleanZoneID`).
pub(crate) fn clean_zone_id(id: &str) -> String {
    id.trim_start_matches("/hostedzone/").to_string()
}

/// `/change/C123` → `C123`.
pub(crate) fn clean_change_id(id: &str) -> String {
    id.trim_start_matches("/change/").to_string()
}

/// Upstream's name normalisation: lower case, no trailing dot.
pub(crate) fn normalize_name(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// Waits until a change is INSYNC.
pub(crate) async fn wait_change(
    r53: &Client,
    change_id: &str,
    op: Op,
    timeout: Duration,
) -> Result<(), ApiError> {
    let id = clean_change_id(change_id);
    wait(op, "INSYNC", timeout, Duration::from_secs(3), || {
        let r53 = r53.clone();
        let id = id.clone();
        async move {
            let out = call(op, || r53.get_change().id(&id).send()).await?;
            Ok(match out.change_info().map(|c| c.status()) {
                Some(ChangeStatus::Insync) | None => Poll::Ready(()),
                Some(s) => Poll::Pending(s.as_str().to_string()),
            })
        }
    })
    .await
}

/// Terraform's unique caller references: `terraform-` + 26 digits.
pub(crate) fn unique_reference(prefix: &str) -> String {
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
