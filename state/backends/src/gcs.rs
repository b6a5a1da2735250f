//! The `gcs` backend: state in Google Cloud Storage over its JSON API (plain HTTP with
//! reqwest), with Terraform's layout so both tools can share a bucket.
//!
//! - Objects `PREFIX/NAME.tfstate` per workspace; the lock is the object
//!   `PREFIX/NAME.tflock`, created with `ifGenerationMatch=0` (a multipart upload, so it
//!   either creates the object or fails with 412), holding Terraform's lock info JSON.
//!   Terraform names a GCS lock by the lock object's generation; Plinth marks its own lock
//!   objects with the metadata `plinthlockid` and reports that ID, and accepts either ID in
//!   `force-unlock`.
//! - Writes are conditional on the generation last read (`ifGenerationMatch`).
//! - `storage_custom_endpoint` points at an emulator (fake-gcs-server) or a private
//!   endpoint. Authentication: `access_token` (or `GOOGLE_OAUTH_ACCESS_TOKEN`) as a bearer
//!   token; anonymous against a custom endpoint. Service-account keys and Application
//!   Default Credentials are not supported yet: a diagnostic says how to pass a token.

use crate::config::Args;
use crate::util::{self, remote};
use async_trait::async_trait;
use plinth_sdk::Diagnostic;
use plinth_state::{LockInfo, State, StateBackend, StateError, DEFAULT_WORKSPACE};
use reqwest::{Method, StatusCode};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

const DEFAULT_ENDPOINT: &str = "https://storage.googleapis.com";

/// State in a GCS bucket, shared with Terraform.
pub struct GcsBackend {
    http: reqwest::Client,
    base: String,
    bucket: String,
    /// Empty, or ending in `/`.
    prefix: String,
    token: Option<String>,
    kms_key: Option<String>,
    cwd: PathBuf,
    /// Generation this process last read or wrote per workspace; `Some(None)`: absent.
    seen: Mutex<HashMap<String, Option<String>>>,
}

struct Object {
    data: Vec<u8>,
    generation: String,
}

impl GcsBackend {
    /// Builds the backend from Terraform's arguments: `bucket`, `prefix`,
    /// `storage_custom_endpoint`, `access_token`, `credentials`, `kms_encryption_key`.
    pub fn from_config(config: &BTreeMap<String, serde_json::Value>, cwd: &Path) -> Result<GcsBackend, Diagnostic> {
        let mut a = Args::new("gcs", config);
        let bucket = a.required("bucket", &[])?;
        let prefix = a.string("prefix")?.unwrap_or_default();
        let endpoint = a.string_env("storage_custom_endpoint", &["GOOGLE_BACKEND_STORAGE_CUSTOM_ENDPOINT", "GOOGLE_STORAGE_CUSTOM_ENDPOINT"])?;
        let token = a.string_env("access_token", &["GOOGLE_OAUTH_ACCESS_TOKEN"])?;
        let credentials = a.string_env("credentials", &["GOOGLE_BACKEND_CREDENTIALS", "GOOGLE_CREDENTIALS"])?;
        let kms_key = a.string_env("kms_encryption_key", &["GOOGLE_KMS_ENCRYPTION_KEY"])?;
        a.unsupported(
            &["encryption_key", "impersonate_service_account", "impersonate_service_account_delegates"],
            "customer-supplied encryption keys and impersonation need Google's OAuth flows.",
            "Remove it, or use `kms_encryption_key` for encryption and an `access_token` of the impersonated account.",
        )?;
        a.finish()?;
        if prefix.starts_with('/') {
            return Err(Diagnostic::error("invalid gcs backend prefix")
                .with_detail(format!("The prefix {prefix:?} starts with \"/\"; object names in GCS do not.")).with_help("Remove the leading \"/\"."));
        }
        let custom = endpoint.is_some();
        if token.is_none() && !custom {
            let what = if credentials.is_some() {
                "a service-account key (`credentials`)"
            } else {
                "Application Default Credentials"
            };
            return Err(Diagnostic::error("Google credentials are not supported yet by the gcs backend")
                .with_detail(format!(
                    "The gcs backend would need {what} to reach Google Cloud Storage; Plinth cannot yet exchange them for an access token."
                ))
                .with_help("Pass a token instead: `-backend-config=access_token=$(gcloud auth print-access-token)`, or set GOOGLE_OAUTH_ACCESS_TOKEN."));
        }
        let base = normalize_endpoint(endpoint.as_deref().unwrap_or(DEFAULT_ENDPOINT));
        let mut prefix = prefix;
        if !prefix.is_empty() && !prefix.ends_with('/') {
            prefix.push('/');
        }
        Ok(GcsBackend {
            http: util::http_client(),
            base,
            bucket,
            prefix,
            token,
            kms_key,
            cwd: cwd.to_path_buf(),
            seen: Mutex::new(HashMap::new()),
        })
    }

    /// A copy with its own HTTP client (for a different runtime).
    fn fresh(&self) -> GcsBackend {
        GcsBackend {
            http: util::http_client(),
            base: self.base.clone(),
            bucket: self.bucket.clone(),
            prefix: self.prefix.clone(),
            token: self.token.clone(),
            kms_key: self.kms_key.clone(),
            cwd: self.cwd.clone(),
            seen: Mutex::new(HashMap::new()),
        }
    }

    fn state_object(&self, ws: &str) -> String {
        format!("{}{ws}.tfstate", self.prefix)
    }
    fn lock_object(&self, ws: &str) -> String {
        format!("{}{ws}.tflock", self.prefix)
    }
    fn url_of(&self, object: &str) -> String {
        format!("gs://{}/{object}", self.bucket)
    }

    fn request(&self, method: Method, url: String) -> reqwest::RequestBuilder {
        let r = self.http.request(method, url);
        match &self.token {
            Some(t) => r.bearer_auth(t),
            None => r,
        }
    }

    fn object_url(&self, object: &str) -> String {
        format!("{}/storage/v1/b/{}/o/{}", self.base, enc(&self.bucket), enc(object))
    }

    async fn get(&self, object: &str) -> Result<Option<Object>, StateError> {
        let loc = self.url_of(object);
        let resp = self
            .request(Method::GET, format!("{}?alt=media", self.object_url(object)))
            .send()
            .await
            .map_err(|e| remote("read", &loc, e))?;
        match resp.status() {
            StatusCode::NOT_FOUND => Ok(None),
            s if s.is_success() => {
                let header = resp.headers().get("x-goog-generation").and_then(|v| v.to_str().ok()).map(str::to_string);
                let data = resp.bytes().await.map_err(|e| remote("read", &loc, e))?.to_vec();
                let generation = match header {
                    Some(g) => g,
                    // Without the header, ask for the metadata (a write in between makes the
                    // later conditional write fail, which is safe).
                    None => match self.metadata(object).await? {
                        Some(m) => m.get("generation").and_then(json_str).unwrap_or_default(),
                        None => return Ok(None),
                    },
                };
                Ok(Some(Object { data, generation }))
            }
            _ => Err(http_error("read", &loc, resp).await),
        }
    }

    async fn metadata(&self, object: &str) -> Result<Option<serde_json::Value>, StateError> {
        let loc = self.url_of(object);
        let resp = self.request(Method::GET, self.object_url(object)).send().await.map_err(|e| remote("read", &loc, e))?;
        match resp.status() {
            StatusCode::NOT_FOUND => Ok(None),
            s if s.is_success() => Ok(Some(resp.json().await.map_err(|e| remote("read", &loc, e))?)),
            _ => Err(http_error("read", &loc, resp).await),
        }
    }

    /// Uploads `data` as `object`; `if_generation`: `Some("0")` creates only. Returns the
    /// new generation, or `Ok(None)` when the precondition failed.
    async fn put(
        &self,
        object: &str,
        data: &[u8],
        if_generation: Option<&str>,
        metadata: Option<serde_json::Value>,
    ) -> Result<Option<String>, StateError> {
        let loc = self.url_of(object);
        let mut url = format!("{}/upload/storage/v1/b/{}/o?uploadType=multipart", self.base, enc(&self.bucket));
        if let Some(g) = if_generation {
            url.push_str(&format!("&ifGenerationMatch={g}"));
        }
        if let Some(k) = &self.kms_key {
            url.push_str(&format!("&kmsKeyName={}", enc(k)));
        }
        let mut meta = serde_json::json!({"name": object, "contentType": "application/json"});
        if let Some(m) = metadata {
            meta["metadata"] = m;
        }
        let boundary = format!("plinth-{}", plinth_state::new_lineage());
        let mut body = Vec::with_capacity(data.len() + 512);
        body.extend_from_slice(format!("--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n{meta}\r\n--{boundary}\r\nContent-Type: application/json\r\n\r\n").as_bytes());
        body.extend_from_slice(data);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let resp = self
            .request(Method::POST, url)
            .header("Content-Type", format!("multipart/related; boundary={boundary}"))
            .body(body)
            .send()
            .await
            .map_err(|e| remote("write", &loc, e))?;
        match resp.status() {
            StatusCode::PRECONDITION_FAILED => Ok(None),
            s if s.is_success() => {
                let v: serde_json::Value = resp.json().await.map_err(|e| remote("write", &loc, e))?;
                Ok(Some(v.get("generation").and_then(json_str).unwrap_or_default()))
            }
            _ => Err(http_error("write", &loc, resp).await),
        }
    }

    /// Deletes `object` (only generation `gen` when given). False when absent or the
    /// generation did not match.
    async fn delete(&self, object: &str, gen: Option<&str>) -> Result<bool, StateError> {
        let loc = self.url_of(object);
        let mut url = self.object_url(object);
        if let Some(g) = gen {
            url.push_str(&format!("?ifGenerationMatch={g}"));
        }
        let resp = self.request(Method::DELETE, url).send().await.map_err(|e| remote("delete", &loc, e))?;
        match resp.status() {
            StatusCode::NOT_FOUND | StatusCode::PRECONDITION_FAILED => Ok(false),
            s if s.is_success() => Ok(true),
            _ => Err(http_error("delete", &loc, resp).await),
        }
    }

    async fn list(&self) -> Result<Vec<String>, StateError> {
        let loc = format!("gs://{}/{}", self.bucket, self.prefix);
        let mut names = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut url = format!(
                "{}/storage/v1/b/{}/o?delimiter=%2F&prefix={}",
                self.base,
                enc(&self.bucket),
                enc(&self.prefix)
            );
            if let Some(t) = &token {
                url.push_str(&format!("&pageToken={}", enc(t)));
            }
            let resp = self.request(Method::GET, url).send().await.map_err(|e| remote("list", &loc, e))?;
            if !resp.status().is_success() {
                return Err(http_error("list", &loc, resp).await);
            }
            let v: serde_json::Value = resp.json().await.map_err(|e| remote("list", &loc, e))?;
            for item in v.get("items").and_then(|i| i.as_array()).into_iter().flatten() {
                if let Some(n) = item.get("name").and_then(|n| n.as_str()) {
                    names.push(n.to_string());
                }
            }
            token = v.get("nextPageToken").and_then(|t| t.as_str()).map(str::to_string);
            if token.is_none() {
                return Ok(names);
            }
        }
    }

    fn remember(&self, ws: &str, gen: Option<String>) {
        if let Ok(mut s) = self.seen.lock() {
            s.insert(ws.to_string(), gen);
        }
    }

    /// The lock object's info with its generation.
    async fn current_lock(&self, ws: &str) -> Result<Option<(LockInfo, String)>, StateError> {
        let object = self.lock_object(ws);
        let Some(meta) = self.metadata(&object).await? else { return Ok(None) };
        let Some(obj) = self.get(&object).await? else { return Ok(None) };
        let mut info = util::parse_lock_info(&obj.data, &self.url_of(&object));
        let plinth_id = meta.pointer("/metadata/plinthlockid").and_then(|v| v.as_str());
        match plinth_id {
            Some(id) if id == info.id => {}
            // Terraform names its GCS locks by the lock object's generation.
            _ => info.id = obj.generation.clone(),
        }
        Ok(Some((info, obj.generation)))
    }
}

fn json_str(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `…/storage/v1/` (Terraform's form of the endpoint) and trailing slashes are dropped.
fn normalize_endpoint(e: &str) -> String {
    let e = e.trim_end_matches('/');
    e.strip_suffix("/storage/v1").unwrap_or(e).trim_end_matches('/').to_string()
}

pub(crate) fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

pub(crate) async fn http_error(action: &'static str, loc: &str, resp: reqwest::Response) -> StateError {
    let status = resp.status();
    let body = resp.text().await.unwrap_or_default();
    let body: String = body.chars().take(400).collect();
    remote(action, loc, format!("HTTP {status}: {}", body.trim()))
}

#[async_trait]
impl StateBackend for GcsBackend {
    async fn read(&self, workspace: &str) -> Result<Option<State>, StateError> {
        util::check_name(workspace)?;
        match self.get(&self.state_object(workspace)).await? {
            None => {
                self.remember(workspace, None);
                Ok(None)
            }
            Some(o) => {
                self.remember(workspace, Some(o.generation));
                util::parse_state(&o.data)
            }
        }
    }

    async fn write(&self, workspace: &str, state: &State) -> Result<(), StateError> {
        util::check_name(workspace)?;
        let object = self.state_object(workspace);
        let expected = self.seen.lock().ok().and_then(|s| s.get(workspace).cloned());
        let cond = match &expected {
            Some(Some(g)) => Some(g.as_str()),
            Some(None) => Some("0"),
            None => None,
        };
        match self.put(&object, &state.to_json(), cond, None).await? {
            Some(gen) => {
                self.remember(workspace, Some(gen));
                Ok(())
            }
            None => Err(StateError::Conflict(format!(
                "{} changed since this run read it (another process wrote it)",
                self.url_of(&object)
            ))),
        }
    }

    async fn lock(&self, workspace: &str, info: &LockInfo) -> Result<(), StateError> {
        util::check_name(workspace)?;
        let object = self.lock_object(workspace);
        let mut info = info.clone();
        info.path = self.url_of(&object);
        let meta = serde_json::json!({ "plinthlockid": info.id });
        match self.put(&object, &util::lock_json(&info), Some("0"), Some(meta)).await? {
            Some(_) => Ok(()),
            None => match self.current_lock(workspace).await? {
                Some((held, _)) => Err(StateError::Locked(held)),
                // Released in between: try once more.
                None => match self.put(&object, &util::lock_json(&info), Some("0"), Some(serde_json::json!({ "plinthlockid": info.id }))).await? {
                    Some(_) => Ok(()),
                    None => Err(StateError::Conflict(format!("{} is being locked and unlocked by others; try again", info.path))),
                },
            },
        }
    }

    async fn unlock(&self, workspace: &str, id: &str) -> Result<(), StateError> {
        self.force_unlock(workspace, id).await
    }

    async fn force_unlock(&self, workspace: &str, id: &str) -> Result<(), StateError> {
        util::check_name(workspace)?;
        let Some((held, gen)) = self.current_lock(workspace).await? else {
            return Err(StateError::NotLocked);
        };
        if held.id != id && gen != id {
            return Err(StateError::LockIdMismatch { given: id.to_string(), held });
        }
        if self.delete(&self.lock_object(workspace), Some(&gen)).await? {
            Ok(())
        } else {
            Err(StateError::Conflict(format!("the lock {} changed while releasing it", held.path)))
        }
    }

    fn unlock_blocking(&self, workspace: &str, id: &str) -> Result<(), StateError> {
        let fresh = self.fresh();
        let (ws, id) = (workspace.to_string(), id.to_string());
        util::unlock_detached(move || Box::pin(async move { fresh.force_unlock(&ws, &id).await }))
    }

    async fn lock_info(&self, workspace: &str) -> Result<Option<LockInfo>, StateError> {
        util::check_name(workspace)?;
        Ok(self.current_lock(workspace).await?.map(|(i, _)| i))
    }

    async fn workspaces(&self) -> Result<Vec<String>, StateError> {
        let names = self.list().await?;
        Ok(util::finish_workspaces(
            names
                .iter()
                .filter_map(|n| n.strip_prefix(&self.prefix)?.strip_suffix(".tfstate"))
                .filter(|n| !n.contains('/'))
                .map(str::to_string)
                .collect(),
        ))
    }

    async fn create_workspace(&self, workspace: &str) -> Result<(), StateError> {
        util::check_name(workspace)?;
        // Terraform creates a workspace by writing an empty state into it.
        let object = self.state_object(workspace);
        match self.put(&object, &State::new().to_json(), Some("0"), None).await? {
            Some(_) if workspace != DEFAULT_WORKSPACE => Ok(()),
            _ => Err(StateError::WorkspaceExists(workspace.to_string())),
        }
    }

    async fn delete_workspace(&self, workspace: &str) -> Result<(), StateError> {
        if workspace == DEFAULT_WORKSPACE {
            return Err(StateError::DeleteDefaultWorkspace);
        }
        util::check_name(workspace)?;
        self.delete(&self.state_object(workspace), None).await?;
        self.delete(&self.lock_object(workspace), None).await?;
        if let Ok(mut s) = self.seen.lock() {
            s.remove(workspace);
        }
        Ok(())
    }

    fn journal_path(&self, workspace: &str) -> PathBuf {
        util::journal_path(&self.cwd, "gcs", workspace)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn endpoint_forms() {
        assert_eq!(normalize_endpoint("http://127.0.0.1:4443/storage/v1/"), "http://127.0.0.1:4443");
        assert_eq!(normalize_endpoint("http://127.0.0.1:4443/"), "http://127.0.0.1:4443");
    }
    #[test]
    fn real_google_credentials_say_not_supported() {
        let cfg: BTreeMap<String, serde_json::Value> = [("bucket".to_string(), serde_json::json!("b"))].into();
        if std::env::var_os("GOOGLE_OAUTH_ACCESS_TOKEN").is_some() {
            return;
        }
        let d = GcsBackend::from_config(&cfg, Path::new(".")).err().expect("needs credentials");
        assert_eq!(d.summary, "Google credentials are not supported yet by the gcs backend");
    }
}
