//! The `azurerm` backend: state in an Azure Storage blob, over the Blob REST API with
//! Shared Key (HMAC-SHA256) authentication, with Terraform's layout so both tools can share
//! a container.
//!
//! - Blob `KEY` for the default workspace, `KEYenv:NAME` for the others.
//! - Locking with a blob lease whose ID is the lock ID, plus the lock info JSON in the
//!   blob's metadata `terraformlockid` (base64), where Terraform keeps it. Plinth's leases
//!   last 60 s and the holder renews them ([`StateBackend::renew_lock`], every 20 s), so a
//!   killed Plinth never leaves a lock for longer than a minute; Terraform takes infinite
//!   leases, which `force-unlock` breaks.
//! - Writes carry the lease ID and are conditional on the ETag last read (`If-Match`);
//!   they keep the blob's metadata, as Terraform does.
//! - `endpoint` overrides the blob service URL including the account
//!   (`http://127.0.0.1:10000/devstoreaccount1` for Azurite); auth with `access_key`
//!   (`ARM_ACCESS_KEY`) or `sas_token` (`ARM_SAS_TOKEN`); Azurite's well-known key is used
//!   for its account `devstoreaccount1` when none is given. Azure AD, managed identities
//!   and service principals are not supported yet (a diagnostic says so).

use crate::config::Args;
use crate::util::{self, remote};
use async_trait::async_trait;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use plinth_sdk::Diagnostic;
use plinth_state::{LockInfo, State, StateBackend, StateError, DEFAULT_WORKSPACE};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use sha2::Sha256;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

/// Azurite's documented development account key.
pub const AZURITE_ACCOUNT: &str = "devstoreaccount1";
pub const AZURITE_KEY: &str = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
const API_VERSION: &str = "2021-08-06";
const LOCK_META: &str = "terraformlockid";
const LEASE_SECONDS: u64 = 60;

#[derive(Clone)]
enum Auth {
    SharedKey(Vec<u8>),
    Sas(String),
}

struct Held {
    info: LockInfo,
    /// The task renewing the lease while the lock is held.
    renewer: Option<tokio::task::AbortHandle>,
}

impl Drop for Held {
    fn drop(&mut self) {
        if let Some(r) = self.renewer.take() {
            r.abort();
        }
    }
}

/// State in an Azure Storage container, shared with Terraform.
pub struct AzureBackend {
    http: reqwest::Client,
    account: String,
    /// Blob service URL with the account, no trailing slash.
    endpoint: String,
    /// The path part of `endpoint` (for Shared Key's canonical resource).
    endpoint_path: String,
    container: String,
    key: String,
    auth: Auth,
    cwd: PathBuf,
    held: Mutex<HashMap<String, Held>>,
    /// ETag this process last read or wrote per workspace; `Some(None)`: absent.
    seen: Mutex<HashMap<String, Option<String>>>,
}

struct Resp {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Resp {
    fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
    }
    fn error_code(&self) -> String {
        self.header("x-ms-error-code").unwrap_or_else(|| {
            let b = String::from_utf8_lossy(&self.body);
            b.split("<Code>").nth(1).and_then(|r| r.split("</Code>").next()).unwrap_or("").to_string()
        })
    }
    fn metadata(&self) -> BTreeMap<String, String> {
        self.headers
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().strip_prefix("x-ms-meta-")?.to_string(), v.to_str().ok()?.to_string())))
            .collect()
    }
    fn err(&self, action: &'static str, loc: &str) -> StateError {
        let b = String::from_utf8_lossy(&self.body);
        let msg = b.split("<Message>").nth(1).and_then(|r| r.split("</Message>").next()).unwrap_or("");
        remote(action, loc, format!("HTTP {} {}: {}", self.status, self.error_code(), msg.lines().next().unwrap_or("")))
    }
}

impl AzureBackend {
    /// Builds the backend from Terraform's arguments: `storage_account_name`,
    /// `container_name`, `key`, `access_key`, `sas_token`, `environment`, plus `endpoint`.
    pub fn from_config(config: &BTreeMap<String, serde_json::Value>, cwd: &Path) -> Result<AzureBackend, Diagnostic> {
        let mut a = Args::new("azurerm", config);
        let account = a.required("storage_account_name", &[])?;
        let container = a.required("container_name", &[])?;
        let key = a.required("key", &[])?;
        let access_key = a.string_env("access_key", &["ARM_ACCESS_KEY"])?;
        let sas = a.string_env("sas_token", &["ARM_SAS_TOKEN"])?;
        let endpoint = a.string_env("endpoint", &["ARM_STORAGE_ENDPOINT"])?;
        let environment = a.string_env("environment", &["ARM_ENVIRONMENT"])?.unwrap_or_else(|| "public".into());
        a.ignore(&["resource_group_name", "subscription_id", "tenant_id", "snapshot", "lookup_blob_endpoint", "metadata_host"]);
        a.unsupported(
            &["use_azuread_auth", "use_msi", "use_oidc", "client_id", "client_secret", "client_certificate_path", "msi_endpoint", "oidc_token", "oidc_request_token", "use_cli"],
            "Plinth authenticates to Azure Storage with a storage account key or a SAS token only.",
            "Use `access_key` (or ARM_ACCESS_KEY) or `sas_token` (or ARM_SAS_TOKEN) instead.",
        )?;
        a.finish()?;
        if key.ends_with('/') || key.is_empty() {
            return Err(Diagnostic::error("invalid azurerm backend key")
                .with_detail(format!("The key {key:?} must name a blob."))
                .with_help("Use a key such as \"prod.terraform.tfstate\"."));
        }
        let suffix = match environment.to_lowercase().as_str() {
            "public" => "core.windows.net",
            "usgovernment" => "core.usgovcloudapi.net",
            "china" => "core.chinacloudapi.cn",
            other => {
                return Err(Diagnostic::error(format!("unknown azurerm environment {other:?}"))
                    .with_detail("The environment must be \"public\", \"usgovernment\" or \"china\".")
                    .with_help("Remove `environment` for the public cloud, or set `endpoint` to the blob service URL."))
            }
        };
        let endpoint = endpoint.unwrap_or_else(|| format!("https://{account}.blob.{suffix}"));
        let auth = if let Some(k) = access_key {
            Auth::SharedKey(B64.decode(k.trim()).map_err(|_| {
                Diagnostic::error("invalid azurerm access_key")
                    .with_detail("The storage account access key is not valid base64.")
                    .with_help("Copy the key from the storage account's \"Access keys\" page (or `az storage account keys list`).")
            })?)
        } else if let Some(s) = sas {
            Auth::Sas(s.trim_start_matches('?').to_string())
        } else if account == AZURITE_ACCOUNT {
            Auth::SharedKey(B64.decode(AZURITE_KEY).unwrap_or_default())
        } else {
            return Err(Diagnostic::error("no credentials for the azurerm backend")
                .with_detail(format!("Plinth needs the access key or a SAS token of the storage account {account:?}; Azure AD and managed identities are not supported yet."))
                .with_help("Pass `-backend-config=access_key=…` or set ARM_ACCESS_KEY (from `az storage account keys list`), or use `sas_token`."));
        };
        AzureBackend::new(&account, &endpoint, &container, &key, auth, cwd)
    }

    fn new(account: &str, endpoint: &str, container: &str, key: &str, auth: Auth, cwd: &Path) -> Result<AzureBackend, Diagnostic> {
        let endpoint = endpoint.trim_end_matches('/').to_string();
        let parsed = reqwest::Url::parse(&endpoint).map_err(|e| {
            Diagnostic::error("invalid azurerm endpoint")
                .with_detail(format!("The endpoint {endpoint:?} is not a URL: {e}."))
                .with_help("Use the blob service URL, e.g. \"http://127.0.0.1:10000/devstoreaccount1\" for Azurite.")
        })?;
        let endpoint_path = parsed.path().trim_end_matches('/').to_string();
        Ok(AzureBackend {
            http: util::http_client(),
            account: account.to_string(),
            endpoint,
            endpoint_path,
            container: container.to_string(),
            key: key.to_string(),
            auth,
            cwd: cwd.to_path_buf(),
            held: Mutex::new(HashMap::new()),
            seen: Mutex::new(HashMap::new()),
        })
    }

    /// A copy with its own HTTP client (for a different runtime); holds no locks.
    fn fresh(&self) -> AzureBackend {
        AzureBackend {
            http: util::http_client(),
            account: self.account.clone(),
            endpoint: self.endpoint.clone(),
            endpoint_path: self.endpoint_path.clone(),
            container: self.container.clone(),
            key: self.key.clone(),
            auth: self.auth.clone(),
            cwd: self.cwd.clone(),
            held: Mutex::new(HashMap::new()),
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Terraform's blob name of a workspace.
    pub fn blob_name(&self, ws: &str) -> String {
        if ws == DEFAULT_WORKSPACE {
            self.key.clone()
        } else {
            format!("{}env:{ws}", self.key)
        }
    }

    fn location(&self, ws: &str) -> String {
        format!("azurerm://{}/{}/{}", self.account, self.container, self.blob_name(ws))
    }

    /// Sends a signed request to `/CONTAINER[/BLOB]` with `query` and `x-ms-*`/standard
    /// `headers`.
    async fn send(
        &self,
        method: Method,
        blob: Option<&str>,
        query: &[(&str, &str)],
        headers: &[(&str, String)],
        body: Vec<u8>,
        loc: &str,
    ) -> Result<Resp, StateError> {
        let mut path = format!("/{}", enc_path(&self.container));
        if let Some(b) = blob {
            path.push('/');
            path.push_str(&enc_path(b));
        }
        let mut hdrs: BTreeMap<String, String> = headers.iter().map(|(k, v)| (k.to_lowercase(), v.clone())).collect();
        hdrs.insert("x-ms-date".into(), httpdate::fmt_http_date(std::time::SystemTime::now()));
        hdrs.insert("x-ms-version".into(), API_VERSION.into());
        let mut qs: Vec<String> = query.iter().map(|(k, v)| format!("{k}={}", crate::gcs::enc(v))).collect();
        let auth_header = match &self.auth {
            Auth::SharedKey(key) => {
                let get = |h: &str| hdrs.get(h).cloned().unwrap_or_default();
                let len = if body.is_empty() { String::new() } else { body.len().to_string() };
                let canon_headers: String = hdrs
                    .iter()
                    .filter(|(k, _)| k.starts_with("x-ms-"))
                    .map(|(k, v)| format!("{k}:{}\n", v.trim()))
                    .collect();
                let mut canon_res = format!("/{}{}{}", self.account, self.endpoint_path, path);
                let mut q: Vec<(String, String)> = query.iter().map(|(k, v)| (k.to_lowercase(), v.to_string())).collect();
                q.sort();
                for (k, v) in q {
                    canon_res.push_str(&format!("\n{k}:{v}"));
                }
                let to_sign = format!(
                    "{}\n{}\n{}\n{}\n{}\n{}\n\n{}\n{}\n{}\n{}\n{}\n{}{}",
                    method.as_str(),
                    get("content-encoding"),
                    get("content-language"),
                    len,
                    get("content-md5"),
                    get("content-type"),
                    get("if-modified-since"),
                    get("if-match"),
                    get("if-none-match"),
                    get("if-unmodified-since"),
                    get("range"),
                    canon_headers,
                    canon_res
                );
                let mut mac = Hmac::<Sha256>::new_from_slice(key).map_err(|e| remote("sign a request for", loc, e))?;
                mac.update(to_sign.as_bytes());
                Some(format!("SharedKey {}:{}", self.account, B64.encode(mac.finalize().into_bytes())))
            }
            Auth::Sas(s) => {
                qs.push(s.clone());
                None
            }
        };
        let mut url = format!("{}{}", self.endpoint, path);
        if !qs.is_empty() {
            url.push('?');
            url.push_str(&qs.join("&"));
        }
        let mut req = self.http.request(method, url);
        for (k, v) in &hdrs {
            req = req.header(k.as_str(), v.as_str());
        }
        if let Some(a) = auth_header {
            req = req.header("authorization", a);
        }
        // Azure wants Content-Length even for empty bodies (hyper omits it then).
        req = req.header("content-length", body.len().to_string());
        let resp = req.body(body).send().await.map_err(|e| remote("reach", loc, e))?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp.bytes().await.map_err(|e| remote("read", loc, e))?.to_vec();
        Ok(Resp { status, headers, body })
    }

    async fn properties(&self, blob: &str, loc: &str) -> Result<Option<Resp>, StateError> {
        let r = self.send(Method::HEAD, Some(blob), &[], &[], Vec::new(), loc).await?;
        match r.status {
            StatusCode::NOT_FOUND => Ok(None),
            s if s.is_success() => Ok(Some(r)),
            _ => Err(r.err("read", loc)),
        }
    }

    fn lease_of(&self, ws: &str) -> Option<String> {
        self.held.lock().ok().and_then(|h| h.get(ws).map(|h| h.info.id.clone()))
    }

    fn remember(&self, ws: &str, etag: Option<String>) {
        if let Ok(mut s) = self.seen.lock() {
            s.insert(ws.to_string(), etag);
        }
    }

    /// After our own metadata change: the content is unchanged, so a write conditional on
    /// the old ETag may follow on the new one.
    fn carry_etag(&self, ws: &str, old: Option<&str>, new: Option<String>) {
        if let (Ok(mut s), Some(old), Some(new)) = (self.seen.lock(), old, new) {
            if s.get(ws).and_then(|e| e.as_deref()) == Some(old) {
                s.insert(ws.to_string(), Some(new));
            }
        }
    }

    /// Writes the blob's metadata (keeping every entry but the lock's), with `lock` as
    /// `terraformlockid` or without it.
    async fn set_lock_meta(&self, ws: &str, lease: &str, lock: Option<&LockInfo>) -> Result<(), StateError> {
        let blob = self.blob_name(ws);
        let loc = self.location(ws);
        let props = self.properties(&blob, &loc).await?.ok_or_else(|| remote("lock", &loc, "the blob disappeared"))?;
        let mut meta = props.metadata();
        meta.remove(LOCK_META);
        if let Some(info) = lock {
            meta.insert(LOCK_META.into(), B64.encode(util::lock_json(info)));
        }
        let mut headers: Vec<(&str, String)> = vec![("x-ms-lease-id", lease.to_string())];
        let owned: Vec<(String, String)> = meta.into_iter().map(|(k, v)| (format!("x-ms-meta-{k}"), v)).collect();
        for (k, v) in &owned {
            headers.push((k.as_str(), v.clone()));
        }
        let r = self.send(Method::PUT, Some(&blob), &[("comp", "metadata")], &headers, Vec::new(), &loc).await?;
        if !r.status.is_success() {
            return Err(r.err("lock", &loc));
        }
        self.carry_etag(ws, props.header("etag").as_deref(), r.header("etag"));
        Ok(())
    }

    async fn lease(&self, ws: &str, action: &str, lease: Option<&str>, loc: &str) -> Result<Resp, StateError> {
        let mut headers: Vec<(&str, String)> = vec![("x-ms-lease-action", action.to_string())];
        match action {
            "acquire" => {
                headers.push(("x-ms-lease-duration", LEASE_SECONDS.to_string()));
                headers.push(("x-ms-proposed-lease-id", lease.unwrap_or_default().to_string()));
            }
            "break" => headers.push(("x-ms-lease-break-period", "0".into())),
            _ => headers.push(("x-ms-lease-id", lease.unwrap_or_default().to_string())),
        }
        self.send(Method::PUT, Some(&self.blob_name(ws)), &[("comp", "lease")], &headers, Vec::new(), loc).await
    }

    /// The lock holder: the blob is leased; its info is in the metadata (when the holder
    /// wrote it).
    async fn holder(&self, ws: &str) -> Result<Option<LockInfo>, StateError> {
        let loc = self.location(ws);
        let Some(p) = self.properties(&self.blob_name(ws), &loc).await? else { return Ok(None) };
        if p.header("x-ms-lease-state").as_deref() != Some("leased") {
            return Ok(None);
        }
        let path = format!("{}/{}", self.container, self.blob_name(ws));
        Ok(Some(match p.metadata().get(LOCK_META).and_then(|m| B64.decode(m).ok()) {
            Some(raw) => util::parse_lock_info(&raw, &path),
            None => LockInfo {
                id: String::new(),
                operation: String::new(),
                info: "the blob is leased by a client that stored no lock info".into(),
                who: String::new(),
                version: String::new(),
                created: String::new(),
                path,
            },
        }))
    }

    /// Lists blob names starting with `prefix` (all pages).
    async fn list(&self, prefix: &str) -> Result<Vec<String>, StateError> {
        let loc = format!("azurerm://{}/{}", self.account, self.container);
        let mut names = Vec::new();
        let mut marker = String::new();
        loop {
            let mut q = vec![("restype", "container"), ("comp", "list"), ("prefix", prefix)];
            if !marker.is_empty() {
                q.push(("marker", marker.as_str()));
            }
            let r = self.send(Method::GET, None, &q, &[], Vec::new(), &loc).await?;
            if !r.status.is_success() {
                return Err(r.err("list", &loc));
            }
            let xml = String::from_utf8_lossy(&r.body).into_owned();
            for part in xml.split("<Name>").skip(1) {
                if let Some(n) = part.split("</Name>").next() {
                    names.push(xml_unescape(n));
                }
            }
            marker = xml.split("<NextMarker>").nth(1).and_then(|r| r.split("</NextMarker>").next()).unwrap_or("").to_string();
            if marker.is_empty() {
                return Ok(names);
            }
        }
    }

    /// Creates the container (for tests and first use against an emulator).
    pub async fn create_container(&self) -> Result<(), StateError> {
        let loc = format!("azurerm://{}/{}", self.account, self.container);
        let r = self.send(Method::PUT, None, &[("restype", "container")], &[], Vec::new(), &loc).await?;
        if r.status.is_success() || r.status == StatusCode::CONFLICT {
            Ok(())
        } else {
            Err(r.err("create", &loc))
        }
    }
}

fn xml_unescape(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&")
}

const PATH_SET: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'\\')
    .add(b'^')
    .add(b'[')
    .add(b']')
    .add(b'|');

fn enc_path(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, PATH_SET).to_string()
}

#[async_trait]
impl StateBackend for AzureBackend {
    async fn read(&self, workspace: &str) -> Result<Option<State>, StateError> {
        util::check_name(workspace)?;
        let loc = self.location(workspace);
        let r = self.send(Method::GET, Some(&self.blob_name(workspace)), &[], &[], Vec::new(), &loc).await?;
        match r.status {
            StatusCode::NOT_FOUND => {
                self.remember(workspace, None);
                Ok(None)
            }
            s if s.is_success() => {
                self.remember(workspace, r.header("etag"));
                util::parse_state(&r.body)
            }
            _ => Err(r.err("read", &loc)),
        }
    }

    async fn write(&self, workspace: &str, state: &State) -> Result<(), StateError> {
        util::check_name(workspace)?;
        let loc = self.location(workspace);
        let blob = self.blob_name(workspace);
        let expected = self.seen.lock().ok().and_then(|s| s.get(workspace).cloned());
        let lease = self.lease_of(workspace);
        let mut headers: Vec<(&str, String)> = vec![("x-ms-blob-type", "BlockBlob".into()), ("content-type", "application/json".into())];
        if let Some(l) = &lease {
            headers.push(("x-ms-lease-id", l.clone()));
        }
        match &expected {
            Some(Some(etag)) => headers.push(("if-match", etag.clone())),
            Some(None) => headers.push(("if-none-match", "*".into())),
            None => {}
        }
        // Keep the blob's metadata (the lock info among it), as Terraform does.
        let meta: BTreeMap<String, String> = match self.properties(&blob, &loc).await? {
            Some(p) => p.metadata(),
            None => BTreeMap::new(),
        };
        let owned: Vec<(String, String)> = meta.into_iter().map(|(k, v)| (format!("x-ms-meta-{k}"), v)).collect();
        for (k, v) in &owned {
            headers.push((k.as_str(), v.clone()));
        }
        let r = self.send(Method::PUT, Some(&blob), &[], &headers, state.to_json(), &loc).await?;
        match r.status {
            s if s.is_success() => {
                self.remember(workspace, r.header("etag"));
                Ok(())
            }
            StatusCode::PRECONDITION_FAILED | StatusCode::CONFLICT => {
                let code = r.error_code();
                if code.contains("Lease") {
                    match self.holder(workspace).await? {
                        Some(h) => Err(StateError::Locked(h)),
                        None => Err(r.err("write", &loc)),
                    }
                } else {
                    Err(StateError::Conflict(format!("{loc} changed since this run read it (another process wrote it)")))
                }
            }
            _ => Err(r.err("write", &loc)),
        }
    }

    async fn lock(&self, workspace: &str, info: &LockInfo) -> Result<(), StateError> {
        util::check_name(workspace)?;
        let loc = self.location(workspace);
        let blob = self.blob_name(workspace);
        if self.properties(&blob, &loc).await?.is_none() {
            // Leases need a blob: create an empty one, as Terraform does.
            let headers = vec![("x-ms-blob-type", "BlockBlob".to_string()), ("content-type", "application/json".to_string()), ("if-none-match", "*".to_string())];
            let r = self.send(Method::PUT, Some(&blob), &[], &headers, Vec::new(), &loc).await?;
            if !(r.status.is_success() || r.status == StatusCode::CONFLICT || r.status == StatusCode::PRECONDITION_FAILED) {
                return Err(r.err("lock", &loc));
            }
            if let Some(etag) = r.header("etag") {
                self.carry_etag(workspace, None, Some(etag));
                // A run that read "absent" may now write over the empty blob.
                if let Ok(mut s) = self.seen.lock() {
                    if s.get(workspace) == Some(&None) {
                        s.insert(workspace.to_string(), r.header("etag"));
                    }
                }
            }
        }
        let r = self.lease(workspace, "acquire", Some(&info.id), &loc).await?;
        if r.status == StatusCode::CONFLICT {
            let held = self.holder(workspace).await?.unwrap_or_else(|| LockInfo {
                id: String::new(),
                operation: String::new(),
                info: format!("the blob is leased ({})", r.error_code()),
                who: String::new(),
                version: String::new(),
                created: String::new(),
                path: format!("{}/{}", self.container, blob),
            });
            return Err(StateError::Locked(held));
        }
        if !r.status.is_success() {
            return Err(r.err("lock", &loc));
        }
        let mut info = info.clone();
        info.path = format!("{}/{}", self.container, blob);
        if let Err(e) = self.set_lock_meta(workspace, &info.id, Some(&info)).await {
            let _ = self.lease(workspace, "release", Some(&info.id), &loc).await;
            return Err(e);
        }
        // Keep the lease alive while this process holds the lock (callers may also call
        // renew_lock); when the process dies the lease lapses within LEASE_SECONDS.
        let renewer = tokio::runtime::Handle::try_current().ok().map(|h| {
            let fresh = self.fresh();
            let (ws, id) = (workspace.to_string(), info.id.clone());
            h.spawn(async move {
                loop {
                    tokio::time::sleep(Duration::from_secs(LEASE_SECONDS / 3)).await;
                    let _ = fresh.renew_lock(&ws, &id).await;
                }
            })
            .abort_handle()
        });
        if let Ok(mut h) = self.held.lock() {
            h.insert(workspace.to_string(), Held { info, renewer });
        }
        Ok(())
    }

    async fn unlock(&self, workspace: &str, id: &str) -> Result<(), StateError> {
        util::check_name(workspace)?;
        let loc = self.location(workspace);
        let ours = self.held.lock().ok().and_then(|h| h.get(workspace).map(|h| h.info.clone()));
        match ours {
            Some(info) if info.id != id => return Err(StateError::LockIdMismatch { given: id.into(), held: info }),
            Some(_) => {}
            None => match self.holder(workspace).await? {
                None => return Err(StateError::NotLocked),
                Some(h) if h.id != id => return Err(StateError::LockIdMismatch { given: id.into(), held: h }),
                Some(_) => {}
            },
        }
        self.set_lock_meta(workspace, id, None).await?;
        let r = self.lease(workspace, "release", Some(id), &loc).await?;
        if let Ok(mut h) = self.held.lock() {
            h.remove(workspace);
        }
        if !r.status.is_success() {
            return Err(r.err("unlock", &loc));
        }
        Ok(())
    }

    async fn force_unlock(&self, workspace: &str, id: &str) -> Result<(), StateError> {
        util::check_name(workspace)?;
        let loc = self.location(workspace);
        let Some(h) = self.holder(workspace).await? else { return Err(StateError::NotLocked) };
        if h.id != id {
            return Err(StateError::LockIdMismatch { given: id.into(), held: h });
        }
        let r = self.lease(workspace, "break", None, &loc).await?;
        if !r.status.is_success() {
            return Err(r.err("force-unlock", &loc));
        }
        // The lease is broken: the lock info goes too (a metadata write needs no lease now).
        let blob = self.blob_name(workspace);
        if let Some(p) = self.properties(&blob, &loc).await? {
            let mut meta = p.metadata();
            meta.remove(LOCK_META);
            let owned: Vec<(String, String)> = meta.into_iter().map(|(k, v)| (format!("x-ms-meta-{k}"), v)).collect();
            let headers: Vec<(&str, String)> = owned.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
            let r = self.send(Method::PUT, Some(&blob), &[("comp", "metadata")], &headers, Vec::new(), &loc).await?;
            if r.status.is_success() {
                self.carry_etag(workspace, p.header("etag").as_deref(), r.header("etag"));
            }
        }
        if let Ok(mut held) = self.held.lock() {
            held.remove(workspace);
        }
        Ok(())
    }

    async fn lock_info(&self, workspace: &str) -> Result<Option<LockInfo>, StateError> {
        util::check_name(workspace)?;
        self.holder(workspace).await
    }

    async fn renew_lock(&self, workspace: &str, id: &str) -> Result<(), StateError> {
        let loc = self.location(workspace);
        let r = self.lease(workspace, "renew", Some(id), &loc).await?;
        if r.status.is_success() {
            Ok(())
        } else {
            Err(r.err("renew the lock of", &loc))
        }
    }

    fn unlock_blocking(&self, workspace: &str, id: &str) -> Result<(), StateError> {
        if let Ok(mut h) = self.held.lock() {
            h.remove(workspace);
        }
        let fresh = self.fresh();
        let (ws, id) = (workspace.to_string(), id.to_string());
        util::unlock_detached(move || Box::pin(async move { fresh.unlock(&ws, &id).await }))
    }

    fn lock_renew_interval(&self) -> Option<Duration> {
        Some(Duration::from_secs(LEASE_SECONDS / 3))
    }

    async fn workspaces(&self) -> Result<Vec<String>, StateError> {
        let prefix = format!("{}env:", self.key);
        let names = self.list(&prefix).await?;
        Ok(util::finish_workspaces(
            names.iter().filter_map(|n| n.strip_prefix(&prefix)).filter(|n| !n.contains('/') && !n.is_empty()).map(str::to_string).collect(),
        ))
    }

    async fn create_workspace(&self, workspace: &str) -> Result<(), StateError> {
        util::check_name(workspace)?;
        let loc = self.location(workspace);
        let headers = vec![("x-ms-blob-type", "BlockBlob".to_string()), ("content-type", "application/json".to_string()), ("if-none-match", "*".to_string())];
        let r = self.send(Method::PUT, Some(&self.blob_name(workspace)), &[], &headers, State::new().to_json(), &loc).await?;
        match r.status {
            s if s.is_success() && workspace != DEFAULT_WORKSPACE => Ok(()),
            s if s.is_success() || s == StatusCode::CONFLICT || s == StatusCode::PRECONDITION_FAILED => Err(StateError::WorkspaceExists(workspace.into())),
            _ => Err(r.err("create", &loc)),
        }
    }

    async fn delete_workspace(&self, workspace: &str) -> Result<(), StateError> {
        if workspace == DEFAULT_WORKSPACE {
            return Err(StateError::DeleteDefaultWorkspace);
        }
        util::check_name(workspace)?;
        let loc = self.location(workspace);
        let mut headers = Vec::new();
        if let Some(l) = self.lease_of(workspace) {
            headers.push(("x-ms-lease-id", l));
        }
        let r = self.send(Method::DELETE, Some(&self.blob_name(workspace)), &[], &headers, Vec::new(), &loc).await?;
        if !(r.status.is_success() || r.status == StatusCode::NOT_FOUND) {
            return Err(r.err("delete", &loc));
        }
        if let Ok(mut s) = self.seen.lock() {
            s.remove(workspace);
        }
        Ok(())
    }

    fn journal_path(&self, workspace: &str) -> PathBuf {
        util::journal_path(&self.cwd, "azurerm", workspace)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn terraform_blob_names() {
        let cfg: BTreeMap<String, serde_json::Value> = [
            ("storage_account_name".to_string(), serde_json::json!("devstoreaccount1")),
            ("container_name".to_string(), serde_json::json!("tfstate")),
            ("key".to_string(), serde_json::json!("prod.tfstate")),
        ]
        .into();
        let b = AzureBackend::from_config(&cfg, Path::new(".")).unwrap();
        assert_eq!(b.blob_name("default"), "prod.tfstate");
        assert_eq!(b.blob_name("dev"), "prod.tfstateenv:dev");
        assert_eq!(b.endpoint, "https://devstoreaccount1.blob.core.windows.net");
    }
    #[test]
    fn azure_ad_is_not_supported_yet() {
        let cfg: BTreeMap<String, serde_json::Value> = [
            ("storage_account_name".to_string(), serde_json::json!("acct")),
            ("container_name".to_string(), serde_json::json!("tfstate")),
            ("key".to_string(), serde_json::json!("k")),
            ("use_azuread_auth".to_string(), serde_json::json!(true)),
        ]
        .into();
        let d = AzureBackend::from_config(&cfg, Path::new(".")).err().unwrap();
        assert_eq!(d.summary, "backend argument \"use_azuread_auth\" is not supported yet");
    }
}
