//! The `pg` backend: state in PostgreSQL, laid out exactly as Terraform's `pg` backend lays
//! it out so both tools can share one database.
//!
//! - Table `SCHEMA.states (id bigint default nextval('public.global_states_id_seq') primary
//!   key, name text unique, data text)`, one row per workspace (`default` included); schema
//!   `terraform_remote_state` unless `schema_name` says otherwise.
//! - Locking with session-level advisory locks on the row `id`, taking the creation lock
//!   `-1` briefly as Terraform does, so a Terraform run and a Plinth run exclude each other.
//!   Each lock holds its own connection; the lock dies with it, so a killed holder never
//!   leaves a stale lock.
//! - PostgreSQL stores no lock info. Plinth names its lock connections
//!   `plinth:ID:OPERATION` (`application_name`), so [`PgBackend::lock_info`] can report who
//!   holds a lock and since when (from `pg_stat_activity`); a holder that is not Plinth
//!   (Terraform) is reported with its server process ID, and its ID is `pid:N`.
//!   `force-unlock` terminates the holding session (`pg_terminate_backend`).
//! - Writes are conditional: `UPDATE … WHERE md5(data) = <md5 of what this process last
//!   read>`, so a snapshot changed underneath is a [`StateError::Conflict`].

use crate::config::Args;
use crate::pg_tls;
use crate::util::{self, remote};
use async_trait::async_trait;
use md5::{Digest, Md5};
use plinth_sdk::Diagnostic;
use plinth_state::{LockInfo, State, StateBackend, StateError, DEFAULT_WORKSPACE};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use tokio_postgres::{Client, Config, NoTls};

/// Terraform's creation lock key.
const CREATE_LOCK: i64 = -1;

struct HeldLock {
    client: Client,
    key: i64,
    info: LockInfo,
}

/// State in a PostgreSQL table, shared with Terraform.
pub struct PgBackend {
    config: Config,
    /// TLS per `sslmode` (`None`: `disable`).
    tls: Option<std::sync::Arc<rustls::ClientConfig>>,
    schema: String,
    quoted_schema: String,
    skip_schema_creation: bool,
    skip_table_creation: bool,
    skip_index_creation: bool,
    cwd: PathBuf,
    client: tokio::sync::Mutex<Option<Client>>,
    locks: Mutex<HashMap<String, HeldLock>>,
    /// md5 of the data this process last read or wrote per workspace; `Some(None)`: absent.
    seen: Mutex<HashMap<String, Option<String>>>,
}

impl PgBackend {
    /// Builds the backend from Terraform's arguments: `conn_str` (or `PG_CONN_STR`),
    /// `schema_name` (or `PG_SCHEMA_NAME`), `skip_schema_creation`, `skip_table_creation`,
    /// `skip_index_creation`.
    pub fn from_config(config: &BTreeMap<String, serde_json::Value>, cwd: &Path) -> Result<PgBackend, Diagnostic> {
        let mut a = Args::new("pg", config);
        let conn_str = a.required("conn_str", &["PG_CONN_STR"])?;
        let schema = a.string_env("schema_name", &["PG_SCHEMA_NAME"])?.unwrap_or_else(|| "terraform_remote_state".into());
        let skip_schema_creation = a.bool("skip_schema_creation")?.unwrap_or(false);
        let skip_table_creation = a.bool("skip_table_creation")?.unwrap_or(false);
        let skip_index_creation = a.bool("skip_index_creation")?.unwrap_or(false);
        a.finish()?;
        // sslmode/sslrootcert are libpq's (verify-ca, verify-full…): taken out here, the rest
        // is tokio-postgres' to parse.
        let (rest, tls) = pg_tls::split_conn_str(&conn_str, &|k| std::env::var(k).ok())?;
        let mut pg: Config = rest.parse().map_err(|e| {
            Diagnostic::error("invalid pg backend connection string")
                .with_detail(format!("The conn_str could not be parsed: {e}."))
                .with_help("Use a URL such as `postgres://user:pass@host:5432/dbname?sslmode=verify-full`, or `host=… user=… dbname=… sslmode=…`.")
        })?;
        pg.ssl_mode(tls.mode.for_tokio_postgres());
        let tls = pg_tls::client_config(&tls)?;
        let mut b = PgBackend::new(pg, &schema, cwd, skip_schema_creation, skip_table_creation, skip_index_creation);
        b.tls = tls;
        Ok(b)
    }

    fn new(config: Config, schema: &str, cwd: &Path, s1: bool, s2: bool, s3: bool) -> PgBackend {
        PgBackend {
            tls: None,
            config,
            schema: schema.to_string(),
            quoted_schema: format!("\"{}\"", schema.replace('"', "\"\"")),
            skip_schema_creation: s1,
            skip_table_creation: s2,
            skip_index_creation: s3,
            cwd: cwd.to_path_buf(),
            client: tokio::sync::Mutex::new(None),
            locks: Mutex::new(HashMap::new()),
            seen: Mutex::new(HashMap::new()),
        }
    }

    fn location(&self, workspace: &str) -> String {
        format!("pg:{}.states[{workspace}]", self.schema)
    }

    async fn connect(&self, application_name: Option<&str>) -> Result<Client, StateError> {
        let mut cfg = self.config.clone();
        if let Some(n) = application_name {
            cfg.application_name(n);
        }
        let loc = format!("pg:{}", self.schema);
        let client = match &self.tls {
            None => {
                let (client, conn) = cfg.connect(NoTls).await.map_err(|e| remote("connect to", &loc, pg_error(&e)))?;
                tokio::spawn(async move {
                    let _ = conn.await;
                });
                client
            }
            Some(tls) => {
                let (client, conn) = cfg
                    .connect(pg_tls::MakeRustls(tls.clone()))
                    .await
                    .map_err(|e| remote("connect to", &loc, pg_error(&e)))?;
                tokio::spawn(async move {
                    let _ = conn.await;
                });
                client
            }
        };
        Ok(client)
    }

    /// The shared connection, created (with the schema and table, as Terraform's `init`
    /// does) on first use.
    async fn client(&self) -> Result<tokio::sync::MutexGuard<'_, Option<Client>>, StateError> {
        let mut g = self.client.lock().await;
        if g.as_ref().is_none_or(|c| c.is_closed()) {
            let c = self.connect(None).await?;
            self.prepare(&c).await?;
            *g = Some(c);
        }
        Ok(g)
    }

    /// Creates the schema, sequence, table and index as Terraform does. Concurrent first
    /// uses race on `IF NOT EXISTS` (PostgreSQL reports a duplicate): a few retries settle it.
    async fn prepare(&self, c: &Client) -> Result<(), StateError> {
        let mut tries = 0;
        loop {
            match self.prepare_once(c).await {
                Err(_) if tries < 5 => {
                    tries += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(50 * tries)).await;
                }
                r => return r,
            }
        }
    }

    async fn prepare_once(&self, c: &Client) -> Result<(), StateError> {
        let loc = format!("pg:{}", self.schema);
        let err = |e: tokio_postgres::Error| remote("prepare", &loc, pg_error(&e));
        if !self.skip_schema_creation {
            let n: i64 = c
                .query_one("select count(1) from information_schema.schemata where schema_name = $1", &[&self.schema])
                .await
                .map_err(err)?
                .get(0);
            if n < 1 {
                c.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {}", self.quoted_schema)).await.map_err(err)?;
            }
        }
        if !self.skip_table_creation {
            c.batch_execute("CREATE SEQUENCE IF NOT EXISTS public.global_states_id_seq AS bigint").await.map_err(err)?;
            c.batch_execute(&format!(
                "CREATE TABLE IF NOT EXISTS {}.states (id bigint NOT NULL DEFAULT nextval('public.global_states_id_seq') PRIMARY KEY, name text UNIQUE, data text)",
                self.quoted_schema
            ))
            .await
            .map_err(err)?;
        }
        if !self.skip_index_creation {
            c.batch_execute(&format!("CREATE UNIQUE INDEX IF NOT EXISTS states_by_name ON {}.states (name)", self.quoted_schema))
                .await
                .map_err(err)?;
        }
        Ok(())
    }

    fn remember(&self, workspace: &str, md5: Option<String>) {
        if let Ok(mut s) = self.seen.lock() {
            s.insert(workspace.to_string(), md5);
        }
    }

    /// The session holding advisory lock `key`, if any.
    async fn holder(&self, c: &Client, key: i64, workspace: &str) -> Result<Option<LockInfo>, StateError> {
        let classid = ((key as u64) >> 32) as u32 as i64;
        let objid = (key as u64 & 0xffff_ffff) as i64;
        let row = c
            .query_opt(
                "SELECT a.pid, coalesce(a.application_name, ''), coalesce(a.usename::text, ''), coalesce(host(a.client_addr), 'local'), \
                 coalesce(to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), '') \
                 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
                 WHERE l.locktype = 'advisory' AND l.granted AND l.classid::bigint = $1 AND l.objid::bigint = $2 AND l.objsubid = 1 LIMIT 1",
                &[&classid, &objid],
            )
            .await
            .map_err(|e| remote("read the lock of", &self.location(workspace), pg_error(&e)))?;
        Ok(row.map(|r| {
            let pid: i32 = r.get(0);
            let app: String = r.get(1);
            let user: String = r.get(2);
            let host: String = r.get(3);
            let created: String = r.get(4);
            let path = if key == CREATE_LOCK { "-1".to_string() } else { key.to_string() };
            match app.strip_prefix("plinth:").and_then(|r| r.split_once(':')) {
                Some((id, op)) => LockInfo {
                    id: id.to_string(),
                    operation: format!("OperationType{}{}", op.get(..1).unwrap_or("").to_uppercase(), op.get(1..).unwrap_or("")),
                    info: format!("PostgreSQL session {pid}"),
                    who: format!("{user}@{host}"),
                    version: String::new(),
                    created,
                    path,
                },
                None => LockInfo {
                    id: format!("pid:{pid}"),
                    operation: String::new(),
                    info: format!(
                        "held by PostgreSQL session {pid}{}; the pg backend stores no lock info, so the holder (probably Terraform) is known only by its session",
                        if app.is_empty() { String::new() } else { format!(" (application {app:?})") }
                    ),
                    who: format!("{user}@{host}"),
                    version: String::new(),
                    created,
                    path,
                },
            }
        }))
    }

    async fn row_id(&self, c: &Client, workspace: &str) -> Result<Option<i64>, StateError> {
        let q = format!("SELECT id FROM {}.states WHERE name = $1", self.quoted_schema);
        Ok(c.query_opt(&q, &[&workspace])
            .await
            .map_err(|e| remote("read", &self.location(workspace), pg_error(&e)))?
            .map(|r| r.get(0)))
    }

    /// Inserts Terraform's sentinel for a new workspace (an empty state), as Terraform's
    /// `StateMgr` does, unless the row exists. True when inserted.
    async fn insert_sentinel(&self, c: &Client, workspace: &str) -> Result<bool, StateError> {
        let empty = String::from_utf8_lossy(&State::new().to_json()).into_owned();
        let q = format!("INSERT INTO {}.states (name, data) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING", self.quoted_schema);
        let n = c
            .execute(&q, &[&workspace, &empty])
            .await
            .map_err(|e| remote("create", &self.location(workspace), pg_error(&e)))?;
        Ok(n > 0)
    }
}

fn pg_error(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{}: {}", db.severity(), db.message()),
        None => match std::error::Error::source(e) {
            Some(s) => format!("{e}: {s}"),
            None => e.to_string(),
        },
    }
}

fn md5_hex(data: &[u8]) -> String {
    util::hex(&Md5::digest(data))
}

fn short_operation(op: &str) -> String {
    let s = op.strip_prefix("OperationType").unwrap_or(op).to_lowercase();
    s.chars().filter(|c| c.is_ascii_alphanumeric()).take(16).collect()
}

#[async_trait]
impl StateBackend for PgBackend {
    async fn read(&self, workspace: &str) -> Result<Option<State>, StateError> {
        util::check_name(workspace)?;
        let g = self.client().await?;
        let c = g.as_ref().ok_or_else(|| remote("read", &self.location(workspace), "no connection"))?;
        let q = format!("SELECT data FROM {}.states WHERE name = $1", self.quoted_schema);
        let row = c
            .query_opt(&q, &[&workspace])
            .await
            .map_err(|e| remote("read", &self.location(workspace), pg_error(&e)))?;
        drop(g);
        let data: Option<String> = row.map(|r| r.get::<_, Option<String>>(0).unwrap_or_default());
        self.remember(workspace, data.as_deref().map(|d| md5_hex(d.as_bytes())));
        match data {
            Some(d) => util::parse_state(d.as_bytes()),
            None => Ok(None),
        }
    }

    async fn write(&self, workspace: &str, state: &State) -> Result<(), StateError> {
        util::check_name(workspace)?;
        let bytes = state.to_json();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let expected = self.seen.lock().ok().and_then(|s| s.get(workspace).cloned());
        let g = self.client().await?;
        let c = g.as_ref().ok_or_else(|| remote("write", &self.location(workspace), "no connection"))?;
        let loc = self.location(workspace);
        let s = &self.quoted_schema;
        let n = match &expected {
            Some(Some(md5)) => {
                let q = format!("UPDATE {s}.states SET data = $2 WHERE name = $1 AND md5(data) = $3");
                c.execute(&q, &[&workspace, &text, md5]).await
            }
            Some(None) => {
                let q = format!("INSERT INTO {s}.states (name, data) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING");
                c.execute(&q, &[&workspace, &text]).await
            }
            None => {
                let q = format!("INSERT INTO {s}.states (name, data) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET data = $2 WHERE states.name = $1");
                c.execute(&q, &[&workspace, &text]).await
            }
        }
        .map_err(|e| remote("write", &loc, pg_error(&e)))?;
        drop(g);
        if n == 0 {
            return Err(StateError::Conflict(format!(
                "the state in {loc} changed since this run read it (another process wrote it)"
            )));
        }
        self.remember(workspace, Some(md5_hex(text.as_bytes())));
        Ok(())
    }

    async fn lock(&self, workspace: &str, info: &LockInfo) -> Result<(), StateError> {
        util::check_name(workspace)?;
        // Terraform's creation lock (-1) is database-wide and held only for a moment by
        // whoever creates a workspace or takes a lock: wait a little for it rather than fail.
        let mut tries = 0;
        loop {
            match self.lock_once(workspace, info).await {
                Err(StateError::Locked(held)) if held.path == "-1" && tries < 30 => {
                    tries += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                r => return r,
            }
        }
    }

    async fn unlock(&self, workspace: &str, id: &str) -> Result<(), StateError> {
        self.unlock_inner(workspace, id).await
    }

    async fn force_unlock(&self, workspace: &str, id: &str) -> Result<(), StateError> {
        self.force_unlock_inner(workspace, id).await
    }

    async fn lock_info(&self, workspace: &str) -> Result<Option<LockInfo>, StateError> {
        self.lock_info_inner(workspace).await
    }

    fn unlock_blocking(&self, workspace: &str, id: &str) -> Result<(), StateError> {
        // Dropping the lock's connection ends its session, which releases the lock.
        if let Ok(mut l) = self.locks.lock() {
            if l.get(workspace).is_some_and(|h| h.info.id == id) {
                l.remove(workspace);
            }
        }
        Ok(())
    }

    async fn workspaces(&self) -> Result<Vec<String>, StateError> {
        self.workspaces_inner().await
    }

    async fn create_workspace(&self, workspace: &str) -> Result<(), StateError> {
        self.create_workspace_inner(workspace).await
    }

    async fn delete_workspace(&self, workspace: &str) -> Result<(), StateError> {
        self.delete_workspace_inner(workspace).await
    }

    fn journal_path(&self, workspace: &str) -> PathBuf {
        util::journal_path(&self.cwd, "pg", workspace)
    }
}

impl PgBackend {
    async fn lock_once(&self, workspace: &str, info: &LockInfo) -> Result<(), StateError> {
        let loc = self.location(workspace);
        // Make sure the schema exists and the workspace row exists (Terraform's sentinel).
        {
            let g = self.client().await?;
            let c = g.as_ref().ok_or_else(|| remote("lock", &loc, "no connection"))?;
            if self.row_id(c, workspace).await?.is_none() {
                let lc = self.connect(None).await?;
                let got: bool = lc
                    .query_one("SELECT pg_try_advisory_lock(-1)", &[])
                    .await
                    .map_err(|e| remote("lock", &loc, pg_error(&e)))?
                    .get(0);
                if !got {
                    let holder = self.holder(c, CREATE_LOCK, workspace).await?;
                    return Err(StateError::Locked(holder.unwrap_or_else(|| creation_lock_info(&loc))));
                }
                let inserted = self.insert_sentinel(&lc, workspace).await;
                let _ = lc.query_one("SELECT pg_advisory_unlock(-1)", &[]).await;
                inserted?;
            }
        }
        let app = format!("plinth:{}:{}", info.id, short_operation(&info.operation));
        let lc = self.connect(Some(&app)).await?;
        let q = format!(
            "SELECT states.id, pg_try_advisory_lock(states.id), pg_try_advisory_lock(-1) FROM {}.states WHERE states.name = $1",
            self.quoted_schema
        );
        let row = lc
            .query_opt(&q, &[&workspace])
            .await
            .map_err(|e| remote("lock", &loc, pg_error(&e)))?
            .ok_or_else(|| StateError::Conflict(format!("the workspace row of {loc} was deleted while locking it")))?;
        let (id, did_lock, did_create): (i64, bool, bool) = (row.get(0), row.get(1), row.get(2));
        let unlock = |k: i64| {
            let lc = &lc;
            async move {
                let _ = lc.query_one("SELECT pg_advisory_unlock($1)", &[&k]).await;
            }
        };
        if !did_lock {
            if did_create {
                unlock(CREATE_LOCK).await;
            }
            let g = self.client().await?;
            let c = g.as_ref().ok_or_else(|| remote("lock", &loc, "no connection"))?;
            let holder = self.holder(c, id, workspace).await?;
            return Err(StateError::Locked(holder.unwrap_or_else(|| LockInfo {
                id: String::new(),
                operation: String::new(),
                info: "the lock was released while Plinth looked for its holder; try again".into(),
                who: String::new(),
                version: String::new(),
                created: String::new(),
                path: id.to_string(),
            })));
        }
        if !did_create {
            unlock(id).await;
            let g = self.client().await?;
            let c = g.as_ref().ok_or_else(|| remote("lock", &loc, "no connection"))?;
            let holder = self.holder(c, CREATE_LOCK, workspace).await?;
            return Err(StateError::Locked(holder.unwrap_or_else(|| creation_lock_info(&loc))));
        }
        unlock(CREATE_LOCK).await;
        let mut info = info.clone();
        info.path = id.to_string();
        if let Ok(mut l) = self.locks.lock() {
            l.insert(workspace.to_string(), HeldLock { client: lc, key: id, info });
        }
        Ok(())
    }

    async fn unlock_inner(&self, workspace: &str, id: &str) -> Result<(), StateError> {
        let held = {
            let mut l = self.locks.lock().map_err(|_| remote("unlock", &self.location(workspace), "lock table poisoned"))?;
            match l.get(workspace) {
                Some(h) if h.info.id == id => l.remove(workspace),
                Some(h) => return Err(StateError::LockIdMismatch { given: id.to_string(), held: h.info.clone() }),
                None => None,
            }
        };
        match held {
            Some(h) => {
                let _ = h.client.query_one("SELECT pg_advisory_unlock($1)", &[&h.key]).await;
                Ok(())
            }
            None => match self.lock_info_inner(workspace).await? {
                None => Err(StateError::NotLocked),
                Some(h) if h.id == id => self.force_unlock_inner(workspace, id).await,
                Some(h) => Err(StateError::LockIdMismatch { given: id.to_string(), held: h }),
            },
        }
    }

    async fn force_unlock_inner(&self, workspace: &str, id: &str) -> Result<(), StateError> {
        let own = self.locks.lock().ok().and_then(|mut l| match l.get(workspace) {
            Some(h) if h.info.id == id => l.remove(workspace),
            _ => None,
        });
        if let Some(h) = own {
            let _ = h.client.query_one("SELECT pg_advisory_unlock($1)", &[&h.key]).await;
            return Ok(());
        }
        let Some(holder) = self.lock_info_inner(workspace).await? else {
            return Err(StateError::NotLocked);
        };
        if holder.id != id {
            return Err(StateError::LockIdMismatch { given: id.to_string(), held: holder });
        }
        let pid: i32 = holder
            .info
            .strip_prefix("PostgreSQL session ")
            .or_else(|| holder.info.strip_prefix("held by PostgreSQL session "))
            .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|p| p.parse().ok())
            .ok_or_else(|| remote("force-unlock", &self.location(workspace), "cannot tell which session holds the lock"))?;
        let g = self.client().await?;
        let c = g.as_ref().ok_or_else(|| remote("force-unlock", &self.location(workspace), "no connection"))?;
        let ok: bool = c
            .query_one("SELECT pg_terminate_backend($1)", &[&pid])
            .await
            .map_err(|e| remote("force-unlock", &self.location(workspace), pg_error(&e)))?
            .get(0);
        if !ok {
            return Err(remote("force-unlock", &self.location(workspace), format!("PostgreSQL refused to end session {pid}")));
        }
        // The lock is released when the session has ended.
        for _ in 0..50 {
            if self.holder(c, holder.path.parse().unwrap_or(0), workspace).await?.is_none() {
                return Ok(());
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        Err(remote("force-unlock", &self.location(workspace), format!("session {pid} still holds the lock after being terminated")))
    }

    async fn lock_info_inner(&self, workspace: &str) -> Result<Option<LockInfo>, StateError> {
        util::check_name(workspace)?;
        if let Some(info) = self.locks.lock().ok().and_then(|l| l.get(workspace).map(|h| h.info.clone())) {
            return Ok(Some(info));
        }
        let g = self.client().await?;
        let c = g.as_ref().ok_or_else(|| remote("read the lock of", &self.location(workspace), "no connection"))?;
        match self.row_id(c, workspace).await? {
            Some(id) => self.holder(c, id, workspace).await,
            None => Ok(None),
        }
    }

    async fn workspaces_inner(&self) -> Result<Vec<String>, StateError> {
        let g = self.client().await?;
        let c = g.as_ref().ok_or_else(|| remote("list", &format!("pg:{}", self.schema), "no connection"))?;
        let q = format!("SELECT name FROM {}.states WHERE name != 'default' ORDER BY name", self.quoted_schema);
        let rows = c.query(&q, &[]).await.map_err(|e| remote("list", &format!("pg:{}.states", self.schema), pg_error(&e)))?;
        Ok(util::finish_workspaces(rows.iter().map(|r| r.get::<_, String>(0)).collect()))
    }

    async fn create_workspace_inner(&self, workspace: &str) -> Result<(), StateError> {
        util::check_name(workspace)?;
        let g = self.client().await?;
        let c = g.as_ref().ok_or_else(|| remote("create", &self.location(workspace), "no connection"))?;
        if workspace == DEFAULT_WORKSPACE || !self.insert_sentinel(c, workspace).await? {
            return Err(StateError::WorkspaceExists(workspace.to_string()));
        }
        Ok(())
    }

    async fn delete_workspace_inner(&self, workspace: &str) -> Result<(), StateError> {
        if workspace == DEFAULT_WORKSPACE {
            return Err(StateError::DeleteDefaultWorkspace);
        }
        util::check_name(workspace)?;
        let g = self.client().await?;
        let c = g.as_ref().ok_or_else(|| remote("delete", &self.location(workspace), "no connection"))?;
        let q = format!("DELETE FROM {}.states WHERE name = $1", self.quoted_schema);
        c.execute(&q, &[&workspace]).await.map_err(|e| remote("delete", &self.location(workspace), pg_error(&e)))?;
        drop(g);
        if let Ok(mut s) = self.seen.lock() {
            s.remove(workspace);
        }
        Ok(())
    }
}

fn creation_lock_info(loc: &str) -> LockInfo {
    LockInfo {
        id: String::new(),
        operation: String::new(),
        info: format!("{loc} is locked for workspace creation by another session"),
        who: String::new(),
        version: String::new(),
        created: String::new(),
        path: "-1".into(),
    }
}
