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
            "sts_region",
        ]);
        a.unsupported(
            &["assume_role", "assume_role_with_web_identity", "role_arn", "sse_customer_key", "sse_customer_key_id"],
            "role assumption and customer-provided encryption keys are not implemented.",
            "Assume the role outside Plinth (e.g. `aws sts assume-role` into AWS_* variables or a profile), and use `kms_key_id` for encryption.",
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
                let mut b = aws_sdk_s3::config::Builder::from(&cfg).force_path_style(s.use_path_style);
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
                    if let Some(e) = &s.dynamodb_endpoint {
                        d = d.endpoint_url(e);
                    }
                    aws_sdk_dynamodb::Client::from_conf(d.build())
                });
                Clients { s3: aws_sdk_s3::Client::from_conf(b.build()), ddb }
            })
            .await
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
            Err(e) => Err(remote("read", loc, sdk_msg(&e))),
        }
    }

    async fn delete_object(&self, key: &str, loc: &str) -> Result<(), StateError> {
        let c = self.clients().await;
        match c.s3.delete_object().bucket(&self.settings.bucket).key(key).send().await {
            Ok(_) => Ok(()),
            Err(e) if status(&e) == Some(404) => Ok(()),
            Err(e) => Err(remote("delete", loc, sdk_msg(&e))),
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
            .map_err(|e| remote("write the state digest to", &format!("dynamodb:{table}"), sdk_msg(&e)))?;
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
            .map_err(|e| remote("read the lock of", &format!("dynamodb:{table}"), sdk_msg(&e)))?;
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
            Err(e) => Err(remote("lock", &loc, sdk_msg(&e))),
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
            Err(e) => Err(remote("lock", &format!("dynamodb:{table}"), sdk_msg(&e))),
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
                    .map_err(|e| remote("unlock", &format!("dynamodb:{table}"), sdk_msg(&e)))?;
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
            Err(e) => return Err(remote("write", &loc, sdk_msg(&e))),
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
            let out = req.send().await.map_err(|e| remote("list", &loc, sdk_msg(&e)))?;
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
            Err(e) => Err(remote("create", &loc, sdk_msg(&e))),
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
                .map_err(|e| remote("delete", &format!("dynamodb:{table}"), sdk_msg(&e)))?;
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
