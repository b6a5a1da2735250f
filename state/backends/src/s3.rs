//! The `s3` backend: state in an S3 bucket through the official AWS SDK, with Terraform's
//! layout and locks so both tools can share a bucket.
//!
//! - Object `KEY` for the default workspace, `WORKSPACE_KEY_PREFIX/NAME/KEY` for the others
//!   (prefix `env:` unless `workspace_key_prefix` says otherwise).
//! - Locks as Terraform 1.10+ takes them: `use_lockfile = true` creates `KEY.tflock` with
//!   `If-None-Match: *` (S3 conditional writes), holding the lock info JSON; with
//!   `dynamodb_table` a conditional `PutItem` of `{LockID = "BUCKET/KEY", Info = JSON}`.
//!   Both may be on (both are taken). With neither, Terraform does not lock; Plinth uses the
//!   lock file anyway, which Terraform ignores and which keeps Plinth runs apart.
//! - With `dynamodb_table`, every write also stores the state's MD5 in the item
//!   `BUCKET/KEY-md5` (`Digest`), which Terraform checks when it reads.
//! - Writes are conditional on the ETag last read (`If-Match`), or create-only
//!   (`If-None-Match: *`) when the object was absent.

use crate::config::Args;
use crate::util::{self, remote};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_s3::config::{Credentials, Region};
use aws_sdk_s3::primitives::ByteStream;
use md5::{Digest, Md5};
use plinth_sdk::Diagnostic;
use plinth_state::{LockInfo, State, StateBackend, StateError, DEFAULT_WORKSPACE};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use tokio::sync::OnceCell;

/// The settings of an `s3` backend block.
#[derive(Clone, Debug, Default)]
pub struct S3Settings {
    pub bucket: String,
    pub key: String,
    pub region: String,
    pub workspace_key_prefix: String,
    pub encrypt: bool,
    pub kms_key_id: Option<String>,
    pub acl: Option<String>,
    pub s3_endpoint: Option<String>,
    pub dynamodb_endpoint: Option<String>,
    pub sts_endpoint: Option<String>,
    pub use_path_style: bool,
    pub access_key: Option<String>,
    pub secret_key: Option<String>,
    pub token: Option<String>,
    pub profile: Option<String>,
    pub dynamodb_table: Option<String>,
    pub use_lockfile: bool,
    pub skip_s3_checksum: bool,
    pub max_retries: Option<u32>,
    /// `assume_role = { … }`: the credentials above (or the AWS chain) assume this role
    /// through STS (`endpoints.sts`) before any S3/DynamoDB call.
    pub assume_role: Option<AssumeRole>,
    /// Region of the STS calls `assume_role` makes (default: `region`).
    pub sts_region: Option<String>,
}

/// Terraform's `assume_role` argument of the s3 backend (1.6+ syntax).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AssumeRole {
    pub role_arn: String,
    pub session_name: Option<String>,
    pub external_id: Option<String>,
    /// Session length (`duration = "1h"`), between 15 minutes and 12 hours.
    pub duration: Option<std::time::Duration>,
    /// An inline session policy (JSON).
    pub policy: Option<String>,
    pub policy_arns: Vec<String>,
    /// Session tags.
    pub tags: BTreeMap<String, String>,
}

const ASSUME_ROLE_KEYS: &[&str] =
    &["role_arn", "session_name", "external_id", "duration", "policy", "policy_arns", "tags", "transitive_tag_keys", "source_identity"];

fn assume_role_error(summary: impl Into<String>, detail: impl Into<String>, help: impl Into<String>) -> Diagnostic {
    Diagnostic::error(summary).with_detail(detail).with_help(help)
}

/// Reads `assume_role = { … }` (also written as a block, or given to `init` as
/// `-backend-config=assume_role.role_arn=…` values).
fn parse_assume_role(a: &mut Args) -> Result<Option<AssumeRole>, Diagnostic> {
    let mut fields: BTreeMap<String, serde_json::Value> = BTreeMap::new();
    match a.raw("assume_role") {
        None => {}
        Some(serde_json::Value::Object(m)) => fields.extend(m.iter().map(|(k, v)| (k.clone(), v.clone()))),
        Some(serde_json::Value::Array(items)) if items.len() == 1 && items[0].is_object() => {
            if let Some(m) = items[0].as_object() {
                fields.extend(m.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
        }
        Some(_) => {
            return Err(assume_role_error(
                "invalid value for backend argument \"assume_role\"",
                "The s3 backend argument \"assume_role\" must be an object, e.g. assume_role = { role_arn = \"arn:aws:iam::123456789012:role/terraform\" }.",
                "Write `assume_role = { role_arn = \"…\" }` in the backend block, or pass `-backend-config=assume_role.role_arn=…`.",
            ))
        }
    }
    for (k, v) in a.flattened("assume_role") {
        fields.insert(k, v.clone());
    }
    if fields.is_empty() {
        return Ok(None);
    }
    for k in fields.keys() {
        if !ASSUME_ROLE_KEYS.contains(&k.as_str()) {
            let mut d = Diagnostic::error(format!("unsupported argument assume_role.{k}"))
                .with_detail(format!(
                    "The s3 backend's `assume_role` accepts {}.",
                    ASSUME_ROLE_KEYS.iter().map(|k| format!("{k:?}")).collect::<Vec<_>>().join(", ")
                ));
            if let Some(s) = util::did_you_mean(k, ASSUME_ROLE_KEYS.iter().copied()) {
                d = d.with_help(format!("Did you mean assume_role.{s}?"));
            }
            return Err(d);
        }
    }
    for k in ["transitive_tag_keys", "source_identity"] {
        if fields.get(k).is_some_and(|v| !v.is_null()) {
            return Err(assume_role_error(
                format!("backend argument \"assume_role.{k}\" is not supported yet"),
                format!("The s3 backend argument assume_role.{k} is accepted by Terraform but not yet by Plinth: the AWS SDK's role provider Plinth uses does not pass it to STS."),
                "Remove it, or assume the role outside Plinth (e.g. a profile with role_arn and source_profile).",
            ));
        }
    }
    let string = |k: &str| -> Result<Option<String>, Diagnostic> {
        match fields.get(k) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
            Some(serde_json::Value::Number(n)) => Ok(Some(n.to_string())),
            Some(serde_json::Value::Bool(b)) => Ok(Some(b.to_string())),
            Some(_) => Err(assume_role_error(
                format!("invalid value for backend argument \"assume_role.{k}\""),
                format!("assume_role.{k} must be a string."),
                format!("Set assume_role.{k} to a string."),
            )),
        }
    };
    let list = |k: &str| -> Result<Vec<String>, Diagnostic> {
        match fields.get(k) {
            None | Some(serde_json::Value::Null) => Ok(Vec::new()),
            Some(serde_json::Value::Array(items)) => items
                .iter()
                .map(|i| {
                    i.as_str().map(str::to_string).ok_or_else(|| {
                        assume_role_error(
                            format!("invalid value for backend argument \"assume_role.{k}\""),
                            format!("assume_role.{k} must be a list of strings."),
                            format!("Write assume_role.{k} as [\"…\", \"…\"]."),
                        )
                    })
                })
                .collect(),
            // -backend-config=assume_role.policy_arns=a,b
            Some(serde_json::Value::String(s)) => Ok(s.split(',').map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect()),
            Some(_) => Err(assume_role_error(
                format!("invalid value for backend argument \"assume_role.{k}\""),
                format!("assume_role.{k} must be a list of strings."),
                format!("Write assume_role.{k} as [\"…\", \"…\"]."),
            )),
        }
    };
    let Some(role_arn) = string("role_arn")?.filter(|r| !r.is_empty()) else {
        return Err(assume_role_error(
            "missing required backend argument \"assume_role.role_arn\"",
            "The s3 backend's assume_role needs the ARN of the role to assume.",
            "Add role_arn = \"arn:aws:iam::ACCOUNT:role/NAME\" to assume_role.",
        ));
    };
    if !is_arn(&role_arn) {
        return Err(assume_role_error(
            "invalid assume_role.role_arn",
            format!("{role_arn:?} is not an ARN (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE)."),
            "Use the role's ARN, e.g. \"arn:aws:iam::123456789012:role/terraform\".",
        ));
    }
    let session_name = string("session_name")?;
    if let Some(n) = &session_name {
        let ok = (2..=64).contains(&n.len()) && n.chars().all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c));
        if !ok {
            return Err(assume_role_error(
                "invalid assume_role.session_name",
                format!("{n:?} must be 2 to 64 characters of letters, digits and _+=,.@-."),
                "Choose a session name such as \"plinth\".",
            ));
        }
    }
    let external_id = string("external_id")?;
    if let Some(e) = &external_id {
        let ok = (2..=1224).contains(&e.len()) && e.chars().all(|c| c.is_ascii_alphanumeric() || "_+=,.@:/-".contains(c));
        if !ok {
            return Err(assume_role_error(
                "invalid assume_role.external_id",
                format!("{e:?} must be 2 to 1224 characters of letters, digits and _+=,.@:/-."),
                "Use the external ID the role's owner gave you.",
            ));
        }
    }
    let duration = match string("duration")? {
        None => None,
        Some(text) => {
            let d = parse_go_duration(&text).ok_or_else(|| {
                assume_role_error(
                    "Invalid Duration",
                    format!("assume_role.duration {text:?} is not a duration."),
                    "Write a duration such as \"1h\", \"30m\" or \"1h30m\" (units h, m, s).",
                )
            })?;
            let (min, max) = (std::time::Duration::from_secs(15 * 60), std::time::Duration::from_secs(12 * 3600));
            if d < min || d > max {
                return Err(assume_role_error(
                    "Invalid Duration",
                    format!("Duration must be between 15m0s and 12h0m0s, had {}", go_duration_string(d)),
                    "Set assume_role.duration between \"15m\" and \"12h\".",
                ));
            }
            Some(d)
        }
    };
    let policy = string("policy")?;
    if let Some(p) = &policy {
        if serde_json::from_str::<serde_json::Value>(p).map(|v| !v.is_object()).unwrap_or(true) {
            return Err(assume_role_error(
                "invalid assume_role.policy",
                "assume_role.policy must be an IAM policy document in JSON.",
                "Use jsonencode({ Version = \"2012-10-17\", Statement = [ … ] }) or a JSON string.",
            ));
        }
    }
    let policy_arns = list("policy_arns")?;
    if let Some(bad) = policy_arns.iter().find(|p| !is_arn(p)) {
        return Err(assume_role_error(
            "invalid assume_role.policy_arns",
            format!("{bad:?} is not an ARN."),
            "List policy ARNs such as \"arn:aws:iam::aws:policy/ReadOnlyAccess\".",
        ));
    }
    let tags = match fields.get("tags") {
        None | Some(serde_json::Value::Null) => BTreeMap::new(),
        Some(serde_json::Value::Object(m)) => m
            .iter()
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => Ok((k.clone(), s.clone())),
                _ => Err(assume_role_error(
                    "invalid value for backend argument \"assume_role.tags\"",
                    format!("The tag {k:?} must have a string value."),
                    "Write assume_role.tags as { Name = \"value\" }.",
                )),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => {
            return Err(assume_role_error(
                "invalid value for backend argument \"assume_role.tags\"",
                "assume_role.tags must be a map of strings.",
                "Write assume_role.tags as { Name = \"value\" }.",
            ))
        }
    };
    Ok(Some(AssumeRole { role_arn, session_name, external_id, duration, policy, policy_arns, tags }))
}

fn is_arn(s: &str) -> bool {
    let parts: Vec<&str> = s.splitn(6, ':').collect();
    parts.len() == 6 && parts[0] == "arn" && !parts[1].is_empty() && !parts[2].is_empty() && !parts[5].is_empty()
}

/// Go's `time.ParseDuration` for the units that make sense here: `1h30m`, `900s`, `1.5h`,
/// `500ms`. `None` when it is not a duration.
fn parse_go_duration(text: &str) -> Option<std::time::Duration> {
    let mut rest = text.trim();
    if rest.is_empty() {
        return None;
    }
    if rest == "0" {
        return Some(std::time::Duration::ZERO);
    }
    let mut total = 0f64;
    while !rest.is_empty() {
        let num_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        if num_len == 0 {
            return None;
        }
        let n: f64 = rest[..num_len].parse().ok()?;
        rest = &rest[num_len..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let secs = match &rest[..unit_len] {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 1e-3,
            "us" | "µs" => 1e-6,
            "ns" => 1e-9,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total += n * secs;
    }
    Some(std::time::Duration::from_secs_f64(total))
}

/// A duration as Go prints it (`10m0s`, `1h30m0s`, `45s`).
fn go_duration_string(d: std::time::Duration) -> String {
    let secs = d.as_secs();
    let frac = d.subsec_nanos();
    let s = if frac == 0 { format!("{}s", secs % 60) } else { format!("{}s", (secs % 60) as f64 + frac as f64 / 1e9) };
    match (secs / 3600, (secs / 60) % 60) {
        (0, 0) => s,
        (0, m) => format!("{m}m{s}"),
        (h, m) => format!("{h}h{m}m{s}"),
    }
}

struct Clients {
    s3: aws_sdk_s3::Client,
    ddb: Option<aws_sdk_dynamodb::Client>,
}

/// State in S3, shared with Terraform.
pub struct S3Backend {
    settings: S3Settings,
    cwd: PathBuf,
    clients: OnceCell<Clients>,
    /// ETag this process last read or wrote per workspace; `Some(None)`: absent.
    seen: Mutex<HashMap<String, Option<String>>>,
}

fn status<E>(e: &aws_sdk_s3::error::SdkError<E, aws_sdk_s3::config::http::HttpResponse>) -> Option<u16> {
    e.raw_response().map(|r| r.status().as_u16())
}

fn sdk_msg<E: std::error::Error + 'static, R>(e: &aws_sdk_s3::error::SdkError<E, R>) -> String
where
    R: std::fmt::Debug,
{
    use aws_sdk_s3::error::SdkError;
    match e {
        SdkError::ServiceError(se) => {
            let mut s = se.err().to_string();
            if s.is_empty() || s == "unhandled error" {
                s = format!("{:?}", se.err());
            }
            s
        }
        other => {
            let mut msg = other.to_string();
            let mut src = std::error::Error::source(other);
            while let Some(s) = src {
                msg.push_str(": ");
                msg.push_str(&s.to_string());
                src = s.source();
            }
            msg
        }
    }
}

impl S3Backend {
    /// Builds the backend from Terraform's arguments (see [`S3Settings`]; `endpoints`
    /// `{ s3, dynamodb, sts, iam }` or the older `endpoint`/`dynamodb_endpoint`).
    pub fn from_config(config: &BTreeMap<String, serde_json::Value>, cwd: &Path) -> Result<S3Backend, Diagnostic> {
        let mut a = Args::new("s3", config);
        let bucket = a.required("bucket", &[])?;
        let key = a.required("key", &[])?;
        let region = a.required("region", &["AWS_REGION", "AWS_DEFAULT_REGION"])?;
        let prefix = a.string("workspace_key_prefix")?.unwrap_or_else(|| "env:".into());
        let encrypt = a.bool("encrypt")?.unwrap_or(false);
        let kms_key_id = a.string("kms_key_id")?;
        let acl = a.string("acl")?;
        let endpoints = a.object("endpoints", &["s3", "dynamodb", "iam", "sts", "sso"])?;
        let old_endpoint = a.string_env("endpoint", &["AWS_ENDPOINT_URL_S3"])?;
        let old_ddb = a.string_env("dynamodb_endpoint", &["AWS_ENDPOINT_URL_DYNAMODB"])?;
        let path_style = a.bool("use_path_style")?.or(a.bool("force_path_style")?).unwrap_or(false);
        let access_key = a.string("access_key")?;
        let secret_key = a.string("secret_key")?;
        let token = a.string("token")?;
        let profile = a.string_env("profile", &["AWS_PROFILE"])?;
        let dynamodb_table = a.string("dynamodb_table")?;
        let use_lockfile = a.bool("use_lockfile")?.unwrap_or(false);
        let skip_s3_checksum = a.bool("skip_s3_checksum")?.unwrap_or(false);
        let max_retries = a.int("max_retries")?;
        let assume_role = parse_assume_role(&mut a)?;
        for old in ["role_arn", "session_name", "external_id", "assume_role_duration_seconds", "assume_role_policy", "assume_role_policy_arns", "assume_role_tags", "assume_role_transitive_tag_keys"] {
            if a.raw(old).is_some() {
                return Err(Diagnostic::error(format!("unsupported argument {old:?} in the s3 backend"))
                    .with_detail(format!("Terraform 1.6 moved {old:?} into the `assume_role` argument and later versions no longer accept it here."))
                    .with_help("Write `assume_role = { role_arn = \"…\", session_name = \"…\", external_id = \"…\", duration = \"1h\" }` instead."));
            }
        }
        a.ignore(&[
            "skip_credentials_validation",
            "skip_region_validation",
            "skip_requesting_account_id",
            "skip_metadata_api_check",
            "shared_credentials_files",
            "shared_config_files",
            "insecure",
            "http_proxy",
            "https_proxy",
            "no_proxy",
            "retry_mode",
            "allowed_account_ids",
            "forbidden_account_ids",
            "ec2_metadata_service_endpoint",
            "ec2_metadata_service_endpoint_mode",
            "use_dualstack_endpoint",
            "use_fips_endpoint",
            "custom_ca_bundle",
        ]);
        let sts_region = a.string("sts_region")?;
        a.unsupported(
            &["assume_role_with_web_identity", "sse_customer_key", "sse_customer_key_id"],
            "web-identity role assumption and customer-provided encryption keys are not implemented.",
            "Assume the role outside Plinth (e.g. AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE, which the AWS credential chain reads), and use `kms_key_id` for encryption.",
        )?;
        a.finish()?;
        let bad_key = |what: &str, v: &str| {
            Diagnostic::error(format!("invalid s3 backend {what}"))
                .with_detail(format!("The {what} {v:?} must not start or end with \"/\"."))
                .with_help(format!("Remove the leading or trailing \"/\" from `{what}`."))
        };
        if key.starts_with('/') || key.ends_with('/') {
            return Err(bad_key("key", &key));
        }
        if prefix.starts_with('/') || prefix.ends_with('/') {
            return Err(bad_key("workspace_key_prefix", &prefix));
        }
        if access_key.is_some() != secret_key.is_some() {
            return Err(Diagnostic::error("incomplete s3 backend credentials")
                .with_detail("`access_key` and `secret_key` must be given together.")
                .with_help("Set both, or neither to use the AWS credential chain (environment, profile, instance role)."));
        }
        let settings = S3Settings {
            bucket,
            key,
            region,
            workspace_key_prefix: prefix,
            encrypt,
            kms_key_id,
            acl,
            s3_endpoint: endpoints.get("s3").cloned().or(old_endpoint),
            dynamodb_endpoint: endpoints.get("dynamodb").cloned().or(old_ddb),
            sts_endpoint: endpoints.get("sts").cloned(),
            use_path_style: path_style,
            access_key,
            secret_key,
            token,
            profile,
            dynamodb_table,
            use_lockfile,
            skip_s3_checksum,
            max_retries: max_retries.map(|n| n.clamp(0, 100) as u32),
            assume_role,
            sts_region,
        };
        Ok(S3Backend::new(settings, cwd))
    }

    pub fn new(settings: S3Settings, cwd: &Path) -> S3Backend {
        S3Backend { settings, cwd: cwd.to_path_buf(), clients: OnceCell::new(), seen: Mutex::new(HashMap::new()) }
    }

    async fn clients(&self) -> &Clients {
        self.clients
            .get_or_init(|| async {
                let s = &self.settings;
                let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest()).region(Region::new(s.region.clone()));
                if let (Some(ak), Some(sk)) = (&s.access_key, &s.secret_key) {
                    loader = loader.credentials_provider(Credentials::new(ak, sk, s.token.clone(), None, "plinth-backend-config"));
                }
                if let Some(p) = &s.profile {
                    loader = loader.profile_name(p);
                }
                if let Some(e) = &s.sts_endpoint {
                    loader = loader.endpoint_url(e);
                }
                if let Some(n) = s.max_retries {
                    loader = loader.retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(n.max(1)));
                }
                let cfg = loader.load().await;
                // assume_role: the credentials loaded above call STS AssumeRole; S3 and
                // DynamoDB use the role's (cached, refreshed) session credentials.
                let assumed = match &s.assume_role {
                    Some(ar) => {
                        let mut p = aws_config::sts::AssumeRoleProvider::builder(ar.role_arn.clone()).configure(&cfg);
                        if let Some(r) = &s.sts_region {
                            p = p.region(Region::new(r.clone()));
                        }
                        if let Some(n) = &ar.session_name {
                            p = p.session_name(n.clone());
                        }
                        if let Some(e) = &ar.external_id {
                            p = p.external_id(e.clone());
                        }
                        if let Some(d) = ar.duration {
                            p = p.session_length(d);
                        }
                        if let Some(pol) = &ar.policy {
                            p = p.policy(pol.clone());
                        }
                        if !ar.policy_arns.is_empty() {
                            p = p.policy_arns(ar.policy_arns.clone());
                        }
                        if !ar.tags.is_empty() {
                            p = p.tags(ar.tags.clone());
                        }
                        // One cache for both clients: one AssumeRole serves S3 and DynamoDB.
                        let cache = aws_sdk_s3::config::IdentityCache::lazy().build();
                        Some((aws_sdk_s3::config::SharedCredentialsProvider::new(p.build().await), cache))
                    }
                    None => None,
                };
                let mut b = aws_sdk_s3::config::Builder::from(&cfg).force_path_style(s.use_path_style);
                if let Some((c, cache)) = &assumed {
                    // `set_`: the provider as is (its cache partition), not wrapped anew.
                    b.set_credentials_provider(Some(c.clone()));
                    b = b.identity_cache(cache.clone());
                }
                if let Some(e) = &s.s3_endpoint {
                    b = b.endpoint_url(e);
                }
                if s.skip_s3_checksum {
                    b = b
                        .request_checksum_calculation(aws_sdk_s3::config::RequestChecksumCalculation::WhenRequired)
                        .response_checksum_validation(aws_sdk_s3::config::ResponseChecksumValidation::WhenRequired);
                }
                let ddb = s.dynamodb_table.as_ref().map(|_| {
                    let mut d = aws_sdk_dynamodb::config::Builder::from(&cfg);
                    if let Some((c, cache)) = &assumed {
                        d.set_credentials_provider(Some(c.clone()));
                        d = d.identity_cache(cache.clone());
                    }
                    if let Some(e) = &s.dynamodb_endpoint {
                        d = d.endpoint_url(e);
                    }
                    aws_sdk_dynamodb::Client::from_conf(d.build())
                });
                Clients { s3: aws_sdk_s3::Client::from_conf(b.build()), ddb }
            })
            .await
    }

    /// A service error's text; a credentials failure under `assume_role` says which role.
    fn msg(&self, m: String) -> String {
        match &self.settings.assume_role {
            Some(ar) if m.contains("loading credentials") => format!(
                "{m} (assuming the role {} through STS{}: check assume_role, endpoints.sts and the base credentials)",
                ar.role_arn,
                self.settings.sts_endpoint.as_deref().map(|e| format!(" at {e}")).unwrap_or_default()
            ),
            _ => m,
        }
    }

    /// Terraform's object key of a workspace.
    pub fn object_key(&self, ws: &str) -> String {
        if ws == DEFAULT_WORKSPACE {
            self.settings.key.clone()
        } else if self.settings.workspace_key_prefix.is_empty() {
            format!("{ws}/{}", self.settings.key)
        } else {
            format!("{}/{ws}/{}", self.settings.workspace_key_prefix, self.settings.key)
        }
    }

    /// The workspace an object key belongs to (Terraform's `keyEnv`).
    fn workspace_of(&self, key: &str) -> Option<String> {
        let p = &self.settings.workspace_key_prefix;
        let rest = if p.is_empty() { key } else { key.strip_prefix(p.as_str())?.strip_prefix('/')? };
        let (ws, k) = rest.split_once('/')?;
        (k == self.settings.key && !ws.is_empty()).then(|| ws.to_string())
    }

    fn location(&self, ws: &str) -> String {
        format!("s3://{}/{}", self.settings.bucket, self.object_key(ws))
    }

    /// `BUCKET/KEY`: the lock's `Path` and the DynamoDB `LockID`.
    fn lock_path(&self, ws: &str) -> String {
        format!("{}/{}", self.settings.bucket, self.object_key(ws))
    }

    fn lockfile_key(&self, ws: &str) -> String {
        format!("{}.tflock", self.object_key(ws))
    }

    fn uses_lockfile(&self) -> bool {
        self.settings.use_lockfile || self.settings.dynamodb_table.is_none()
    }

    async fn get_object(&self, key: &str, loc: &str) -> Result<Option<(Vec<u8>, Option<String>)>, StateError> {
        let c = self.clients().await;
        match c.s3.get_object().bucket(&self.settings.bucket).key(key).send().await {
            Ok(out) => {
                let etag = out.e_tag().map(str::to_string);
                let body = out.body.collect().await.map_err(|e| remote("read", loc, e))?.into_bytes().to_vec();
                Ok(Some((body, etag)))
            }
            Err(e) if status(&e) == Some(404) => Ok(None),
            Err(e) => Err(remote("read", loc, self.msg(sdk_msg(&e)))),
        }
    }

    async fn delete_object(&self, key: &str, loc: &str) -> Result<(), StateError> {
        let c = self.clients().await;
        match c.s3.delete_object().bucket(&self.settings.bucket).key(key).send().await {
            Ok(_) => Ok(()),
            Err(e) if status(&e) == Some(404) => Ok(()),
            Err(e) => Err(remote("delete", loc, self.msg(sdk_msg(&e)))),
        }
    }

    fn remember(&self, ws: &str, etag: Option<String>) {
        if let Ok(mut s) = self.seen.lock() {
            s.insert(ws.to_string(), etag);
        }
    }

    fn ddb(&self, c: &Clients) -> Option<(aws_sdk_dynamodb::Client, String)> {
        Some((c.ddb.clone()?, self.settings.dynamodb_table.clone()?))
    }

    async fn put_digest(&self, ws: &str, data: &[u8]) -> Result<(), StateError> {
        let c = self.clients().await;
        let Some((ddb, table)) = self.ddb(c) else { return Ok(()) };
        ddb.put_item()
            .table_name(&table)
            .item("LockID", AttributeValue::S(format!("{}-md5", self.lock_path(ws))))
            .item("Digest", AttributeValue::S(util::hex(&Md5::digest(data))))
            .send()
            .await
            .map_err(|e| remote("write the state digest to", &format!("dynamodb:{table}"), self.msg(sdk_msg(&e))))?;
        Ok(())
    }

    async fn ddb_lock_info(&self, ws: &str) -> Result<Option<LockInfo>, StateError> {
        let c = self.clients().await;
        let Some((ddb, table)) = self.ddb(c) else { return Ok(None) };
        let out = ddb
            .get_item()
            .table_name(&table)
            .key("LockID", AttributeValue::S(self.lock_path(ws)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| remote("read the lock of", &format!("dynamodb:{table}"), self.msg(sdk_msg(&e))))?;
        Ok(out.item().and_then(|i| i.get("Info")).and_then(|v| v.as_s().ok()).map(|s| util::parse_lock_info(s.as_bytes(), &self.lock_path(ws))))
    }

    async fn file_lock_info(&self, ws: &str) -> Result<Option<LockInfo>, StateError> {
        let key = self.lockfile_key(ws);
        let loc = format!("s3://{}/{key}", self.settings.bucket);
        Ok(self.get_object(&key, &loc).await?.map(|(b, _)| util::parse_lock_info(&b, &self.lock_path(ws))))
    }

    async fn lock_file(&self, ws: &str, info: &LockInfo) -> Result<(), StateError> {
        let key = self.lockfile_key(ws);
        let loc = format!("s3://{}/{key}", self.settings.bucket);
        let c = self.clients().await;
        let mut req = c
            .s3
            .put_object()
            .bucket(&self.settings.bucket)
            .key(&key)
            .if_none_match("*")
            .content_type("application/json")
            .body(ByteStream::from(util::lock_json(info)));
        req = self.with_encryption(req);
        match req.send().await {
            // Read the lock back: S3 creates conditionally and atomically, but emulators
            // (moto) may let two concurrent creates through; the last one is the holder.
            Ok(_) => match self.file_lock_info(ws).await? {
                Some(held) if held.id == info.id => Ok(()),
                Some(held) => Err(StateError::Locked(held)),
                None => Err(StateError::Conflict(format!("{loc} vanished right after it was created; try again"))),
            },
            Err(e) if matches!(status(&e), Some(412) | Some(409)) => match self.file_lock_info(ws).await? {
                Some(held) => Err(StateError::Locked(held)),
                None => Err(StateError::Conflict(format!("{loc} was locked and unlocked by another process meanwhile; try again"))),
            },
            Err(e) => Err(remote("lock", &loc, self.msg(sdk_msg(&e)))),
        }
    }

    async fn lock_ddb(&self, ws: &str, info: &LockInfo) -> Result<(), StateError> {
        let c = self.clients().await;
        let Some((ddb, table)) = self.ddb(c) else { return Ok(()) };
        let r = ddb
            .put_item()
            .table_name(&table)
            .item("LockID", AttributeValue::S(self.lock_path(ws)))
            .item("Info", AttributeValue::S(String::from_utf8_lossy(&util::lock_json(info)).into_owned()))
            .condition_expression("attribute_not_exists(LockID)")
            .send()
            .await;
        match r {
            // Read back, as for the lock file: DynamoDB is atomic, emulators may not be.
            Ok(_) => match self.ddb_lock_info(ws).await? {
                Some(held) if held.id == info.id => Ok(()),
                Some(held) => Err(StateError::Locked(held)),
                None => Err(StateError::Conflict("the DynamoDB lock vanished right after it was taken; try again".into())),
            },
            Err(e) if e.as_service_error().is_some_and(|s| s.is_conditional_check_failed_exception()) => match self.ddb_lock_info(ws).await? {
                Some(held) => Err(StateError::Locked(held)),
                None => Err(StateError::Conflict("the DynamoDB lock was taken and released meanwhile; try again".into())),
            },
            Err(e) => Err(remote("lock", &format!("dynamodb:{table}"), self.msg(sdk_msg(&e)))),
        }
    }

    async fn release(&self, ws: &str, id: &str, force: bool) -> Result<(), StateError> {
        let file = if self.uses_lockfile() { self.file_lock_info(ws).await? } else { None };
        let ddb = self.ddb_lock_info(ws).await?;
        if file.is_none() && ddb.is_none() {
            return Err(StateError::NotLocked);
        }
        for held in file.iter().chain(ddb.iter()) {
            if held.id != id {
                return Err(StateError::LockIdMismatch { given: id.to_string(), held: held.clone() });
            }
        }
        let _ = force;
        if file.is_some() {
            let key = self.lockfile_key(ws);
            self.delete_object(&key, &format!("s3://{}/{key}", self.settings.bucket)).await?;
        }
        if ddb.is_some() {
            let c = self.clients().await;
            if let Some((d, table)) = self.ddb(c) {
                d.delete_item()
                    .table_name(&table)
                    .key("LockID", AttributeValue::S(self.lock_path(ws)))
                    .send()
                    .await
                    .map_err(|e| remote("unlock", &format!("dynamodb:{table}"), self.msg(sdk_msg(&e))))?;
            }
        }
        Ok(())
    }

    fn with_encryption(&self, req: aws_sdk_s3::operation::put_object::builders::PutObjectFluentBuilder) -> aws_sdk_s3::operation::put_object::builders::PutObjectFluentBuilder {
        use aws_sdk_s3::types::{ObjectCannedAcl, ServerSideEncryption};
        let mut req = req;
        if let Some(k) = &self.settings.kms_key_id {
            req = req.server_side_encryption(ServerSideEncryption::AwsKms).ssekms_key_id(k);
        } else if self.settings.encrypt {
            req = req.server_side_encryption(ServerSideEncryption::Aes256);
        }
        if let Some(acl) = &self.settings.acl {
            req = req.acl(ObjectCannedAcl::from(acl.as_str()));
        }
        req
    }
}

#[async_trait]
impl StateBackend for S3Backend {
    async fn read(&self, workspace: &str) -> Result<Option<State>, StateError> {
        util::check_name(workspace)?;
        let loc = self.location(workspace);
        match self.get_object(&self.object_key(workspace), &loc).await? {
            None => {
                self.remember(workspace, None);
                Ok(None)
            }
            Some((body, etag)) => {
                self.remember(workspace, etag);
                util::parse_state(&body)
            }
        }
    }

    async fn write(&self, workspace: &str, state: &State) -> Result<(), StateError> {
        util::check_name(workspace)?;
        let loc = self.location(workspace);
        let data = state.to_json();
        let expected = self.seen.lock().ok().and_then(|s| s.get(workspace).cloned());
        let c = self.clients().await;
        let mut req = c
            .s3
            .put_object()
            .bucket(&self.settings.bucket)
            .key(self.object_key(workspace))
            .content_type("application/json")
            .content_md5(base64_md5(&data))
            .body(ByteStream::from(data.clone()));
        match &expected {
            Some(Some(etag)) => req = req.if_match(etag),
            Some(None) => req = req.if_none_match("*"),
            None => {}
        }
        req = self.with_encryption(req);
        match req.send().await {
            Ok(out) => {
                self.remember(workspace, out.e_tag().map(str::to_string));
            }
            Err(e) if matches!(status(&e), Some(412) | Some(409)) => {
                return Err(StateError::Conflict(format!("{loc} changed since this run read it (another process wrote it)")))
            }
            Err(e) => return Err(remote("write", &loc, self.msg(sdk_msg(&e)))),
        }
        self.put_digest(workspace, &data).await
    }

    async fn lock(&self, workspace: &str, info: &LockInfo) -> Result<(), StateError> {
        util::check_name(workspace)?;
        let mut info = info.clone();
        info.path = self.lock_path(workspace);
        if self.uses_lockfile() {
            self.lock_file(workspace, &info).await?;
        }
        if let Err(e) = self.lock_ddb(workspace, &info).await {
            if self.uses_lockfile() {
                let key = self.lockfile_key(workspace);
                let _ = self.delete_object(&key, &key).await;
            }
            return Err(e);
        }
        Ok(())
    }

    async fn unlock(&self, workspace: &str, id: &str) -> Result<(), StateError> {
        util::check_name(workspace)?;
        self.release(workspace, id, false).await
    }

    async fn force_unlock(&self, workspace: &str, id: &str) -> Result<(), StateError> {
        util::check_name(workspace)?;
        self.release(workspace, id, true).await
    }

    fn unlock_blocking(&self, workspace: &str, id: &str) -> Result<(), StateError> {
        let fresh = S3Backend::new(self.settings.clone(), &self.cwd);
        let (ws, id) = (workspace.to_string(), id.to_string());
        util::unlock_detached(move || Box::pin(async move { fresh.release(&ws, &id, false).await }))
    }

    async fn lock_info(&self, workspace: &str) -> Result<Option<LockInfo>, StateError> {
        util::check_name(workspace)?;
        if self.uses_lockfile() {
            if let Some(i) = self.file_lock_info(workspace).await? {
                return Ok(Some(i));
            }
        }
        self.ddb_lock_info(workspace).await
    }

    async fn workspaces(&self) -> Result<Vec<String>, StateError> {
        let c = self.clients().await;
        let prefix = if self.settings.workspace_key_prefix.is_empty() { String::new() } else { format!("{}/", self.settings.workspace_key_prefix) };
        let loc = format!("s3://{}/{prefix}", self.settings.bucket);
        let mut names = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut req = c.s3.list_objects_v2().bucket(&self.settings.bucket).prefix(&prefix);
            if let Some(t) = &token {
                req = req.continuation_token(t);
            }
            let out = req.send().await.map_err(|e| remote("list", &loc, self.msg(sdk_msg(&e))))?;
            for o in out.contents() {
                if let Some(ws) = o.key().and_then(|k| self.workspace_of(k)) {
                    names.push(ws);
                }
            }
            token = out.next_continuation_token().map(str::to_string);
            if token.is_none() || out.is_truncated() != Some(true) {
                break;
            }
        }
        Ok(util::finish_workspaces(names))
    }

    async fn create_workspace(&self, workspace: &str) -> Result<(), StateError> {
        util::check_name(workspace)?;
        if workspace == DEFAULT_WORKSPACE {
            return Err(StateError::WorkspaceExists(workspace.into()));
        }
        let loc = self.location(workspace);
        let c = self.clients().await;
        let data = State::new().to_json();
        let req = c.s3.put_object().bucket(&self.settings.bucket).key(self.object_key(workspace)).if_none_match("*").content_type("application/json").body(ByteStream::from(data.clone()));
        match self.with_encryption(req).send().await {
            Ok(_) => self.put_digest(workspace, &data).await,
            Err(e) if matches!(status(&e), Some(412) | Some(409)) => Err(StateError::WorkspaceExists(workspace.into())),
            Err(e) => Err(remote("create", &loc, self.msg(sdk_msg(&e)))),
        }
    }

    async fn delete_workspace(&self, workspace: &str) -> Result<(), StateError> {
        if workspace == DEFAULT_WORKSPACE {
            return Err(StateError::DeleteDefaultWorkspace);
        }
        util::check_name(workspace)?;
        let loc = self.location(workspace);
        self.delete_object(&self.object_key(workspace), &loc).await?;
        let c = self.clients().await;
        if let Some((d, table)) = self.ddb(c) {
            d.delete_item()
                .table_name(&table)
                .key("LockID", AttributeValue::S(format!("{}-md5", self.lock_path(workspace))))
                .send()
                .await
                .map_err(|e| remote("delete", &format!("dynamodb:{table}"), self.msg(sdk_msg(&e))))?;
        }
        if let Ok(mut s) = self.seen.lock() {
            s.remove(workspace);
        }
        Ok(())
    }

    fn journal_path(&self, workspace: &str) -> PathBuf {
        util::journal_path(&self.cwd, "s3", workspace)
    }
}

fn base64_md5(data: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(Md5::digest(data))
}

#[cfg(test)]
mod tests {
    use super::*;
    fn backend(prefix: Option<&str>) -> S3Backend {
        let mut cfg: BTreeMap<String, serde_json::Value> = [
            ("bucket".to_string(), serde_json::json!("b")),
            ("key".to_string(), serde_json::json!("app/terraform.tfstate")),
            ("region".to_string(), serde_json::json!("us-east-1")),
        ]
        .into();
        if let Some(p) = prefix {
            cfg.insert("workspace_key_prefix".into(), serde_json::json!(p));
        }
        S3Backend::from_config(&cfg, Path::new(".")).unwrap()
    }
    #[test]
    fn terraform_key_layout() {
        let b = backend(None);
        assert_eq!(b.object_key("default"), "app/terraform.tfstate");
        assert_eq!(b.object_key("dev"), "env:/dev/app/terraform.tfstate");
        assert_eq!(b.workspace_of("env:/dev/app/terraform.tfstate").as_deref(), Some("dev"));
        assert_eq!(b.workspace_of("env:/dev/other.tfstate"), None);
        assert_eq!(b.lockfile_key("dev"), "env:/dev/app/terraform.tfstate.tflock");
        assert_eq!(b.lock_path("default"), "b/app/terraform.tfstate");
        let b = backend(Some("ws"));
        assert_eq!(b.object_key("x"), "ws/x/app/terraform.tfstate");
        let b = backend(Some(""));
        assert_eq!(b.object_key("x"), "x/app/terraform.tfstate");
        assert_eq!(b.workspace_of("x/app/terraform.tfstate").as_deref(), Some("x"));
    }
    fn with(extra: &[(&str, serde_json::Value)]) -> Result<S3Backend, Diagnostic> {
        let mut cfg: BTreeMap<String, serde_json::Value> = [
            ("bucket".to_string(), serde_json::json!("b")),
            ("key".to_string(), serde_json::json!("k")),
            ("region".to_string(), serde_json::json!("us-east-1")),
        ]
        .into();
        for (k, v) in extra {
            cfg.insert(k.to_string(), v.clone());
        }
        S3Backend::from_config(&cfg, Path::new("."))
    }
    #[test]
    fn assume_role_is_read_in_every_form() {
        let role = "arn:aws:iam::123456789012:role/plinth";
        let b = with(&[(
            "assume_role",
            serde_json::json!({"role_arn": role, "session_name": "ci", "external_id": "ext-1", "duration": "1h30m",
                "policy_arns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"], "tags": {"team": "state"}, "policy": "{\"Version\":\"2012-10-17\"}"}),
        )])
        .unwrap();
        let ar = b.settings.assume_role.clone().unwrap();
        assert_eq!(ar.role_arn, role);
        assert_eq!(ar.session_name.as_deref(), Some("ci"));
        assert_eq!(ar.external_id.as_deref(), Some("ext-1"));
        assert_eq!(ar.duration, Some(std::time::Duration::from_secs(5400)));
        assert_eq!(ar.policy_arns, ["arn:aws:iam::aws:policy/ReadOnlyAccess"]);
        assert_eq!(ar.tags["team"], "state");
        // A block (decoded as a list of one object) and flattened -backend-config values.
        let b = with(&[("assume_role", serde_json::json!([{"role_arn": role}]))]).unwrap();
        assert_eq!(b.settings.assume_role.unwrap().role_arn, role);
        let b = with(&[("assume_role.role_arn", serde_json::json!(role)), ("assume_role.duration", serde_json::json!("15m"))]).unwrap();
        let ar = b.settings.assume_role.unwrap();
        assert_eq!((ar.role_arn.as_str(), ar.duration), (role, Some(std::time::Duration::from_secs(900))));
        assert!(with(&[]).unwrap().settings.assume_role.is_none());
    }
    #[test]
    fn assume_role_mistakes_are_diagnosed() {
        let role = "arn:aws:iam::123456789012:role/plinth";
        let err = |v: serde_json::Value| with(&[("assume_role", v)]).err().expect("an error");
        let d = err(serde_json::json!({"role_arn": role, "duration": "10m"}));
        assert_eq!(d.summary, "Invalid Duration");
        assert_eq!(d.detail.as_deref(), Some("Duration must be between 15m0s and 12h0m0s, had 10m0s"));
        let d = err(serde_json::json!({"role_arn": role, "duration": "13h"}));
        assert_eq!(d.detail.as_deref(), Some("Duration must be between 15m0s and 12h0m0s, had 13h0m0s"));
        assert_eq!(err(serde_json::json!({"role_arn": role, "duration": "soon"})).summary, "Invalid Duration");
        assert_eq!(err(serde_json::json!({"session_name": "x"})).summary, "missing required backend argument \"assume_role.role_arn\"");
        assert_eq!(err(serde_json::json!({"role_arn": "plinth"})).summary, "invalid assume_role.role_arn");
        let d = err(serde_json::json!({"role_arn": role, "sesion_name": "x"}));
        assert_eq!(d.summary, "unsupported argument assume_role.sesion_name");
        assert_eq!(d.help, ["Did you mean assume_role.session_name?"]);
        assert_eq!(err(serde_json::json!({"role_arn": role, "session_name": "a b"})).summary, "invalid assume_role.session_name");
        assert_eq!(err(serde_json::json!({"role_arn": role, "policy": "nope"})).summary, "invalid assume_role.policy");
        assert_eq!(
            err(serde_json::json!({"role_arn": role, "source_identity": "x"})).summary,
            "backend argument \"assume_role.source_identity\" is not supported yet"
        );
        assert_eq!(err(serde_json::json!("arn")).summary, "invalid value for backend argument \"assume_role\"");
        // The pre-1.6 top-level arguments point at assume_role.
        let d = with(&[("role_arn", serde_json::json!(role))]).err().unwrap();
        assert_eq!(d.summary, "unsupported argument \"role_arn\" in the s3 backend");
        assert!(d.help[0].contains("assume_role = {"), "{:?}", d.help);
    }
    #[test]
    fn go_durations() {
        assert_eq!(parse_go_duration("1h"), Some(std::time::Duration::from_secs(3600)));
        assert_eq!(parse_go_duration("1.5h"), Some(std::time::Duration::from_secs(5400)));
        assert_eq!(parse_go_duration("2h45m30s"), Some(std::time::Duration::from_secs(9930)));
        assert_eq!(parse_go_duration("900s"), Some(std::time::Duration::from_secs(900)));
        assert_eq!(parse_go_duration("1d"), None);
        assert_eq!(parse_go_duration("h"), None);
        assert_eq!(parse_go_duration(""), None);
        assert_eq!(go_duration_string(std::time::Duration::from_secs(600)), "10m0s");
        assert_eq!(go_duration_string(std::time::Duration::from_secs(43200)), "12h0m0s");
        assert_eq!(go_duration_string(std::time::Duration::from_secs(5430)), "1h30m30s");
        assert_eq!(go_duration_string(std::time::Duration::from_secs(45)), "45s");
    }
    #[test]
    fn endpoint_typo_is_reported() {
        let cfg: BTreeMap<String, serde_json::Value> = [
            ("bucket".to_string(), serde_json::json!("b")),
            ("key".to_string(), serde_json::json!("k")),
            ("region".to_string(), serde_json::json!("us-east-1")),
            ("endpoints".to_string(), serde_json::json!({"dynamo": "http://x"})),
        ]
        .into();
        let d = S3Backend::from_config(&cfg, Path::new(".")).err().unwrap();
        assert_eq!(d.summary, "unsupported argument endpoints.dynamo");
        assert_eq!(d.help, ["Did you mean endpoints.dynamodb?"]);
    }
}
