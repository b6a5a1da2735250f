//! The pg backend over TLS against the PostgreSQL that `scripts/services.sh` starts with a
//! test CA (`PLINTH_TEST_PG_TLS_CA`): libpq's `sslmode` values — `require` (also the default,
//! as lib/pq's), `verify-ca`, `verify-full` (by IP address and by DNS name) — connect over
//! TLS, which the server confirms (`pg_stat_ssl` of the lock session); a wrong CA and a name
//! the certificate does not hold are refused, `verify-ca` ignores the name; `disable` stays
//! plain. Skips, printing why, without PLINTH_TEST_PG_CONN / PLINTH_TEST_PG_TLS_CA.

mod common;
use common::*;
use plinth_state::*;
use serde_json::json;

struct Server {
    /// `postgres://postgres@127.0.0.1:PORT/postgres`, no parameters.
    base: String,
    port: String,
    ca: String,
}

fn server(test: &str) -> Option<Server> {
    let (Some(conn), Some(ca)) = (env("PLINTH_TEST_PG_CONN"), env("PLINTH_TEST_PG_TLS_CA")) else {
        eprintln!("skipping {test}: PLINTH_TEST_PG_CONN or PLINTH_TEST_PG_TLS_CA is not set (bash scripts/services.sh start postgres, with openssl)");
        return None;
    };
    let base = conn.split('?').next().unwrap().to_string();
    let port = base.rsplit(':').next().unwrap().split('/').next().unwrap().to_string();
    Some(Server { base, port, ca })
}

/// Whether the session that holds a lock taken through `conn_str` uses TLS, as the server
/// sees it.
async fn lock_session_uses_tls(s: &Server, conn_str: &str) -> Result<bool, String> {
    let dir = tempfile::tempdir().unwrap();
    let cfg = cfg(&[("conn_str", json!(conn_str)), ("schema_name", json!(unique("tls").replace('-', "_")))]);
    let b = plinth_backends::backend_from_config("pg", &cfg, dir.path()).map_err(|d| format!("{}: {}", d.summary, d.detail.unwrap_or_default()))?;
    b.write("default", &sample_state(1)).await.map_err(|e| e.to_string())?;
    assert_eq!(b.read("default").await.unwrap().unwrap().resources.len(), 1);
    let info = LockInfo::new("OperationTypePlan");
    b.lock("default", &info).await.map_err(|e| e.to_string())?;
    let (c, conn) = tokio_postgres::connect(&format!("{}?sslmode=disable", s.base), tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(conn);
    let row = c
        .query_one(
            "SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a ON a.pid = s.pid WHERE a.application_name LIKE $1",
            &[&format!("plinth:{}:%", info.id)],
        )
        .await
        .unwrap();
    b.unlock("default", &info.id).await.unwrap();
    Ok(row.get(0))
}

#[tokio::test]
async fn sslmodes_connect_over_tls_and_verify_as_libpq() {
    let Some(s) = server("sslmodes_connect_over_tls_and_verify_as_libpq") else { return };
    let ca = &s.ca;
    let base = &s.base;
    // require (no certificate check), and lib/pq's default.
    assert_eq!(lock_session_uses_tls(&s, &format!("{base}?sslmode=require")).await, Ok(true));
    assert_eq!(lock_session_uses_tls(&s, base).await, Ok(true), "no sslmode means require");
    // verify-full by IP address (the certificate holds IP:127.0.0.1) and by name (DNS:localhost).
    assert_eq!(lock_session_uses_tls(&s, &format!("{base}?sslmode=verify-full&sslrootcert={ca}")).await, Ok(true));
    let by_name = format!("host=localhost hostaddr=127.0.0.1 port={} user=postgres dbname=postgres sslmode=verify-full sslrootcert='{ca}'", s.port);
    assert_eq!(lock_session_uses_tls(&s, &by_name).await, Ok(true));
    // A name the certificate does not hold: verify-full refuses, verify-ca accepts.
    let wrong_name = by_name.replace("host=localhost", "host=db.example.com");
    let e = lock_session_uses_tls(&s, &wrong_name).await.unwrap_err();
    assert!(e.contains("NotValidForName") || e.contains("not valid for name"), "{e}");
    eprintln!("verify-full, wrong name: {e}");
    assert_eq!(lock_session_uses_tls(&s, &wrong_name.replace("verify-full", "verify-ca")).await, Ok(true));
    // Another CA (the system's roots) does not vouch for the test server.
    let e = lock_session_uses_tls(&s, &format!("{base}?sslmode=verify-full&sslrootcert=/etc/ssl/certs/ca-certificates.crt")).await;
    if std::path::Path::new("/etc/ssl/certs/ca-certificates.crt").exists() {
        let e = e.unwrap_err();
        assert!(e.contains("UnknownIssuer") || e.contains("unknown issuer"), "{e}");
        eprintln!("verify-full, other CA: {e}");
    }
    // require with a root certificate verifies the chain, as libpq does.
    let e = lock_session_uses_tls(&s, &format!("{base}?sslmode=require&sslrootcert=/etc/ssl/certs/ca-certificates.crt")).await;
    assert!(e.is_err(), "require + sslrootcert verifies the chain");
    // disable stays plain.
    assert_eq!(lock_session_uses_tls(&s, &format!("{base}?sslmode=disable")).await, Ok(false));
    // PGSSLMODE / PGSSLROOTCERT when the string has none is covered by the unit tests
    // (the environment is process-wide).
}

#[tokio::test]
async fn tls_configuration_mistakes_are_diagnosed_at_init() {
    let Some(s) = server("tls_configuration_mistakes_are_diagnosed_at_init") else { return };
    let dir = tempfile::tempdir().unwrap();
    let mk = |conn: String| plinth_backends::backend_from_config("pg", &cfg(&[("conn_str", json!(conn))]), dir.path()).err().map(|d| d.summary);
    assert_eq!(mk(format!("{}?sslmode=verify-full&sslrootcert=/nonexistent/ca.crt", s.base)), Some("cannot read sslrootcert".into()));
    assert_eq!(mk(format!("{}?sslmode=verify-full&sslrootcert={}", s.base, dir.path().join("x").display())), Some("cannot read sslrootcert".into()));
    std::fs::write(dir.path().join("empty.pem"), "not a certificate\n").unwrap();
    assert_eq!(mk(format!("{}?sslmode=verify-ca&sslrootcert={}", s.base, dir.path().join("empty.pem").display())), Some("invalid sslrootcert".into()));
    assert_eq!(mk(format!("{}?sslmode=sometimes", s.base)), Some("invalid pg backend connection string".into()));
    assert_eq!(mk(format!("{}?sslmode=require&sslcert=/c.crt&sslkey=/c.key", s.base)), Some("sslcert is not supported yet by the pg backend".into()));
}
