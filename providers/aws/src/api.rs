//! Calling AWS: the shared error mapper, retries with jittered backoff, waiters and
//! `timeouts` parsing.
//!
//! Every SDK call goes through [`call`] (or [`call_retry`] with extra eventual-consistency
//! codes), which returns an [`ApiError`] that already knows the operation it belongs to, so
//! that `?` turns it into a [`Diagnostic`] like
//!
//! ```text
//! creating EC2 VPC: InvalidParameterValue: Value (10.0.0.0/33) for parameter cidrBlock is invalid
//! detail: The EC2 CreateVpc call failed with AWS error code InvalidParameterValue: Value (…) …
//! ```
//!
//! The engine adds the resource address. Errors never carry a debug dump: transport errors
//! are rendered through their `source()` chain. An endpoint that answers HTTP 500/501 with
//! "not implemented" (moto, LocalStack) becomes "the endpoint does not implement <Op>".

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use plinth_sdk::{Diagnostic, Diagnostics};
use std::future::Future;
use std::time::{Duration, Instant};

/// What a call does, for messages: `creating` + `EC2 VPC` + `CreateVpc`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Op {
    /// Present participle of the resource action: `creating`, `reading`, `updating`, `deleting`.
    pub verb: &'static str,
    /// Service and noun as Terraform words them: `EC2 VPC`, `EC2 Subnet`.
    pub what: &'static str,
    /// Service name for the detail sentence: `EC2`.
    pub service: &'static str,
    /// The API operation: `CreateVpc`.
    pub operation: &'static str,
}

impl Op {
    pub const fn new(
        verb: &'static str,
        what: &'static str,
        service: &'static str,
        operation: &'static str,
    ) -> Self {
        Op {
            verb,
            what,
            service,
            operation,
        }
    }
}

/// How a call failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ErrorKind {
    /// The service answered with an error code.
    Service,
    /// The endpoint answered that it does not implement the operation (moto's HTTP 500).
    NotImplemented,
    /// No HTTP response (connection refused, DNS, TLS).
    Dispatch,
    /// The request timed out.
    Timeout,
    /// The request could not be built (missing region, credentials).
    Construction,
    /// The response could not be understood.
    Response,
    /// A waiter gave up (the `timeouts` limit passed).
    WaitTimeout,
    /// Plinth's own check failed (e.g. the API returned nothing for a new object).
    Other,
}

/// A failed AWS call, with enough context to become a diagnostic.
#[derive(Clone, Debug)]
pub(crate) struct ApiError {
    pub op: Op,
    pub kind: ErrorKind,
    pub code: Option<String>,
    pub message: Option<String>,
    pub status: Option<u16>,
    pub request_id: Option<String>,
}

impl ApiError {
    pub fn from_sdk<E>(op: Op, e: &SdkError<E, HttpResponse>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let status = e.raw_response().map(|r| r.status().as_u16());
        let body = e
            .raw_response()
            .and_then(|r| r.body().bytes())
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default();
        let (kind, code, message) = match e {
            SdkError::ServiceError(s) => {
                let err = s.err();
                (
                    ErrorKind::Service,
                    err.code().map(str::to_string),
                    err.message().map(str::to_string),
                )
            }
            SdkError::TimeoutError(_) => (ErrorKind::Timeout, None, Some(context(e))),
            SdkError::DispatchFailure(_) => (ErrorKind::Dispatch, None, Some(context(e))),
            SdkError::ConstructionFailure(_) => (ErrorKind::Construction, None, Some(context(e))),
            _ => (ErrorKind::Response, None, Some(context(e))),
        };
        let request_id = e
            .meta()
            .extra("aws_request_id")
            .or_else(|| e.meta().extra("request_id"))
            .map(str::to_string);
        let lower = format!("{} {}", message.clone().unwrap_or_default(), body).to_lowercase();
        let not_impl = matches!(status, Some(500) | Some(501))
            && (lower.contains("not been implemented")
                || lower.contains("not yet implemented")
                || lower.contains("notimplemented")
                || lower.contains("not implemented")
                || code.is_none());
        // moto answers routes it lacks (e.g. EKS UpdateClusterVersion) with an HTML 404.
        let no_route = status == Some(404) && code.is_none() && lower.contains("<title>404 not found");
        let kind = if not_impl || no_route || code.as_deref() == Some("NotImplemented") {
            ErrorKind::NotImplemented
        } else {
            kind
        };
        let message = message.or_else(|| {
            let b = body.trim();
            (!b.is_empty() && b.len() < 400).then(|| b.to_string())
        });
        ApiError {
            op,
            kind,
            code,
            message,
            status,
            request_id,
        }
    }

    pub fn other(op: Op, message: impl Into<String>) -> Self {
        ApiError {
            op,
            kind: ErrorKind::Other,
            code: None,
            message: Some(message.into()),
            status: None,
            request_id: None,
        }
    }

    /// Whether the error code is one of `codes`.
    pub fn is(&self, codes: &[&str]) -> bool {
        self.code.as_deref().is_some_and(|c| codes.contains(&c))
    }

    /// Throttling codes (retried with backoff by every call).
    pub fn is_throttling(&self) -> bool {
        matches!(
            self.code.as_deref(),
            Some(
                "Throttling"
                    | "ThrottlingException"
                    | "ThrottledException"
                    | "RequestThrottledException"
                    | "TooManyRequestsException"
                    | "RequestLimitExceeded"
                    | "SlowDown"
                    | "PriorRequestNotComplete"
                    | "EC2ThrottledException"
                    | "BandwidthLimitExceeded"
            )
        ) || self.status == Some(429)
            || matches!(self.kind, ErrorKind::Timeout)
    }

    pub fn diagnostic(&self) -> Diagnostic {
        let op = &self.op;
        let msg = self.message.clone().unwrap_or_default();
        let (summary, mut detail, help) = match self.kind {
            ErrorKind::NotImplemented => (
                format!("{} {}: the endpoint does not implement {}", op.verb, op.what, op.operation),
                format!(
                    "The {} endpoint answered {} {} with HTTP {}: it does not implement this operation (emulators such as moto lack some operations).{}",
                    op.service,
                    op.service,
                    op.operation,
                    self.status.unwrap_or(500),
                    if msg.is_empty() { String::new() } else { format!(" It said: {msg}") }
                ),
                Some("run against an endpoint that implements the operation, or change the configuration so that it is not needed".to_string()),
            ),
            ErrorKind::Service => {
                let code = self.code.clone().unwrap_or_else(|| "UnknownError".into());
                (
                    if msg.is_empty() {
                        format!("{} {}: {code}", op.verb, op.what)
                    } else {
                        format!("{} {}: {code}: {msg}", op.verb, op.what)
                    },
                    format!(
                        "The {} {} call failed with AWS error code {code}{}",
                        op.service,
                        op.operation,
                        if msg.is_empty() { ".".to_string() } else { format!(": {msg}") }
                    ),
                    help_for(self.code.as_deref()),
                )
            }
            ErrorKind::Dispatch => (
                format!("{} {}: could not reach the {} endpoint", op.verb, op.what, op.service),
                format!("The {} {} request was not answered: {msg}", op.service, op.operation),
                Some("check the network, the region, and any `endpoints` or AWS_ENDPOINT_URL override".to_string()),
            ),
            ErrorKind::Timeout => (
                format!("{} {}: the {} request timed out", op.verb, op.what, op.service),
                format!("The {} {} request timed out: {msg}", op.service, op.operation),
                None,
            ),
            ErrorKind::Construction => (
                format!("{} {}: the {} request could not be built", op.verb, op.what, op.service),
                format!("The {} {} request could not be built: {msg}", op.service, op.operation),
                Some("set a region (`region` in the provider block or AWS_REGION) and credentials".to_string()),
            ),
            ErrorKind::Response => (
                format!("{} {}: unreadable {} response", op.verb, op.what, op.service),
                format!("The {} {} response could not be read: {msg}", op.service, op.operation),
                None,
            ),
            ErrorKind::WaitTimeout => (
                format!("{} {}: timeout while waiting", op.verb, op.what),
                format!("{msg}"),
                Some("raise the limit in a `timeouts` block of the resource, e.g. `timeouts { create = \"30m\" }`".to_string()),
            ),
            ErrorKind::Other => (format!("{} {}: {msg}", op.verb, op.what), format!("{} {}: {msg}", op.service, op.operation), None),
        };
        if let Some(id) = &self.request_id {
            detail.push_str(&format!(" (request ID {id})"));
        }
        let mut d = Diagnostic::error(summary).with_detail(detail);
        if let Some(h) = help {
            d = d.with_help(h);
        }
        d
    }
}

fn help_for(code: Option<&str>) -> Option<String> {
    let c = code?;
    Some(
        match c {
            "UnauthorizedOperation" | "AccessDenied" | "AccessDeniedException" => {
                "the credentials in use lack permission for this operation: check the IAM policy"
            }
            "AuthFailure" | "InvalidClientTokenId" | "SignatureDoesNotMatch" | "UnrecognizedClientException" => {
                "check the credentials (access_key/secret_key, profile, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)"
            }
            "InvalidParameterValue" | "InvalidParameterCombination" | "InvalidSubnet.Range" | "InvalidVpc.Range" => {
                "fix the value in the configuration"
            }
            c if c.ends_with("LimitExceeded") => "raise the service quota or use fewer resources",
            c if c.contains("DependencyViolation") => "something else still uses this object: remove it first",
            _ => return None,
        }
        .to_string(),
    )
}

fn context<E: std::error::Error + 'static>(e: &E) -> String {
    DisplayErrorContext(e).to_string()
}

impl From<ApiError> for Diagnostic {
    fn from(e: ApiError) -> Self {
        e.diagnostic()
    }
}
impl From<ApiError> for Diagnostics {
    fn from(e: ApiError) -> Self {
        e.diagnostic().into()
    }
}

/// A small jitter source (no extra dependency): the low bits of the clock and a counter.
fn jitter(max_ms: u64) -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0x9E37_79B9);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() as u64)
        .unwrap_or(0);
    let mut x = t ^ N.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed);
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    if max_ms == 0 {
        0
    } else {
        x % max_ms
    }
}

/// Backoff before attempt `n` (0-based): full jitter over an exponential window capped at
/// 10 s, with a 200 ms floor.
pub(crate) fn backoff(n: u32) -> Duration {
    let cap = (200u64 << n.min(6)).min(10_000);
    Duration::from_millis(200 + jitter(cap))
}

/// Makes one call, retrying throttling errors (beyond the SDK's own retries) for up to
/// `budget`.
pub(crate) async fn call<T, E, F, Fut>(op: Op, f: F) -> Result<T, ApiError>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
{
    call_retry(op, &[], Duration::from_secs(120), f).await
}

/// Like [`call`], also retrying the given eventual-consistency codes (e.g.
/// `InvalidVpcID.NotFound` right after the VPC was created) until `budget` has passed.
pub(crate) async fn call_retry<T, E, F, Fut>(
    op: Op,
    retry_codes: &[&str],
    budget: Duration,
    mut f: F,
) -> Result<T, ApiError>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
{
    let start = Instant::now();
    let mut attempt = 0u32;
    loop {
        match f().await {
            Ok(v) => return Ok(v),
            Err(e) => {
                let err = ApiError::from_sdk(op, &e);
                let retryable = err.is_throttling() || err.is(retry_codes);
                if !retryable || start.elapsed() >= budget {
                    return Err(err);
                }
                tracing::debug!(operation = op.operation, code = ?err.code, attempt, "retrying AWS call");
                tokio::time::sleep(backoff(attempt)).await;
                attempt += 1;
            }
        }
    }
}

/// What a waiter's poll saw.
pub(crate) enum Poll<T> {
    /// Reached the target state.
    Ready(T),
    /// Still on the way; the string is the current state, for the timeout message.
    Pending(String),
    /// Reached a state it will never leave (e.g. `failed`), with the reason.
    Failed(String),
}

/// Polls until ready, failed, or `timeout`. Polls every `interval` (with a little jitter;
/// the first poll is immediate).
pub(crate) async fn wait<T, F, Fut>(
    op: Op,
    target: &str,
    timeout: Duration,
    interval: Duration,
    mut poll: F,
) -> Result<T, ApiError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Poll<T>, ApiError>>,
{
    let start = Instant::now();
    let mut last: String;
    loop {
        match poll().await? {
            Poll::Ready(v) => return Ok(v),
            Poll::Failed(why) => {
                return Err(ApiError {
                    op,
                    kind: ErrorKind::Other,
                    code: None,
                    message: Some(format!("it reached state {why:?} instead of {target:?}")),
                    status: None,
                    request_id: None,
                })
            }
            Poll::Pending(s) => last = s,
        }
        if start.elapsed() >= timeout {
            return Err(ApiError {
                op,
                kind: ErrorKind::WaitTimeout,
                code: None,
                message: Some(format!(
                    "The object did not become {target} within {} (last state: {last}).",
                    fmt_duration(timeout)
                )),
                status: None,
                request_id: None,
            });
        }
        tokio::time::sleep(
            interval + Duration::from_millis(jitter(interval.as_millis() as u64 / 4 + 1)),
        )
        .await;
    }
}

/// Go duration syntax as Terraform's `timeouts` use it: `30m`, `1h30m`, `90s`, `2h`.
pub(crate) fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let mut total = 0f64;
    let mut num = String::new();
    let mut chars = s.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() || c == '.' {
            num.push(c);
            continue;
        }
        let mut unit = c.to_string();
        if c == 'm' && chars.peek() == Some(&'s') {
            unit.push('s');
            chars.next();
        }
        let n: f64 = num.parse().ok()?;
        num.clear();
        total += n * match unit.as_str() {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 0.001,
            _ => return None,
        };
        any = true;
    }
    if !num.is_empty() || !any {
        return None;
    }
    Some(Duration::from_secs_f64(total))
}

pub(crate) fn fmt_duration(d: Duration) -> String {
    let s = d.as_secs();
    match (s / 3600, (s % 3600) / 60, s % 60) {
        (0, 0, s) => format!("{s}s"),
        (0, m, 0) => format!("{m}m"),
        (0, m, s) => format!("{m}m{s}s"),
        (h, 0, 0) => format!("{h}h"),
        (h, m, 0) => format!("{h}h{m}m"),
        (h, m, s) => format!("{h}h{m}m{s}s"),
    }
}

/// A retry classifier that forbids retrying an "operation not implemented" answer: an
/// endpoint (moto, LocalStack) that lacks an operation answers HTTP 500/501 with an HTML
/// page or a "not implemented" message, which the SDK's standard strategy would otherwise
/// retry as a transient error for minutes (`max_retries` attempts). Real AWS API errors are
/// XML or JSON and never HTML, so they keep their retries.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct NotImplementedClassifier;

impl aws_smithy_runtime_api::client::retries::classifiers::ClassifyRetry
    for NotImplementedClassifier
{
    fn classify_retry(
        &self,
        ctx: &aws_smithy_runtime_api::client::interceptors::context::InterceptorContext,
    ) -> aws_smithy_runtime_api::client::retries::classifiers::RetryAction {
        use aws_smithy_runtime_api::client::retries::classifiers::RetryAction;
        let Some(resp) = ctx.response() else {
            return RetryAction::NoActionIndicated;
        };
        if !matches!(resp.status().as_u16(), 500 | 501) {
            return RetryAction::NoActionIndicated;
        }
        let body = resp.body().bytes().unwrap_or(&[]);
        let head = String::from_utf8_lossy(&body[..body.len().min(1024)]).to_lowercase();
        if head.contains("<!doctype html")
            || head.contains("<html")
            || head.contains("not been implemented")
            || head.contains("not yet implemented")
            || head.contains("notimplemented")
        {
            RetryAction::RetryForbidden
        } else {
            RetryAction::NoActionIndicated
        }
    }
    fn name(&self) -> &'static str {
        "plinth: operation not implemented by the endpoint"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30m"), Some(Duration::from_secs(1800)));
        assert_eq!(parse_duration("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_duration("90s"), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("10"), None);
        assert_eq!(parse_duration("5x"), None);
        assert_eq!(fmt_duration(Duration::from_secs(5400)), "1h30m");
    }

    #[test]
    fn backoff_is_bounded() {
        for n in 0..20 {
            let b = backoff(n);
            assert!(
                b >= Duration::from_millis(200) && b <= Duration::from_millis(10_200),
                "{b:?}"
            );
        }
    }

    #[test]
    fn service_error_diagnostic() {
        let op = Op::new("creating", "EC2 VPC", "EC2", "CreateVpc");
        let e = ApiError {
            op,
            kind: ErrorKind::Service,
            code: Some("InvalidParameterValue".into()),
            message: Some("Value (10.0.0.0/33) for parameter cidrBlock is invalid.".into()),
            status: Some(400),
            request_id: None,
        };
        let d = e.diagnostic();
        assert_eq!(
            d.summary,
            "creating EC2 VPC: InvalidParameterValue: Value (10.0.0.0/33) for parameter cidrBlock is invalid."
        );
        assert!(d.detail.unwrap().starts_with(
            "The EC2 CreateVpc call failed with AWS error code InvalidParameterValue"
        ));
        let ni = ApiError {
            kind: ErrorKind::NotImplemented,
            code: None,
            status: Some(500),
            ..e
        };
        assert_eq!(
            ni.diagnostic().summary,
            "creating EC2 VPC: the endpoint does not implement CreateVpc"
        );
    }
}
