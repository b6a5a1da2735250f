//! End to end: the quickstart example, exactly as a user runs it.
//! init → apply → files written 0600 → a second plan says "No changes" (exit 0) → changing
//! a variable plans exactly the expected replacements → apply → destroy leaves nothing.
//! Snapshots of the human, JSON and Markdown plans have random values masked.

mod e2e_support;
use e2e_support::*;

#[test]
fn quickstart_lifecycle() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    copy_dir(&repo_root().join("examples/quickstart"), dir);

    let init = plinth(dir, &["init", "-input=false"]);
    if unavailable("quickstart_lifecycle", &init) {
        return;
    }
    init.ok("init");
    let first = plinth(dir, &["plan", "-input=false", "-no-color", "-out=first.tfplan"]);
    if unavailable("quickstart_lifecycle", &first) {
        return;
    }
    first.ok("first plan");
    assert!(first.stdout.contains("Plan: 16 to add, 0 to change, 0 to destroy."), "{}", first.stdout);
    insta::assert_snapshot!("quickstart_first_plan", mask(&first.stdout));

    let md = plinth(dir, &["show", "-format=markdown", "first.tfplan"]);
    md.ok("show -format=markdown");
    insta::assert_snapshot!("quickstart_first_plan_markdown", mask(&md.stdout));

    let js = plinth(dir, &["show", "-json", "first.tfplan"]);
    js.ok("show -json");
    let j: serde_json::Value = serde_json::from_str(&js.stdout).expect("plan JSON");
    let mut actions: Vec<String> = j["resource_changes"]
        .as_array()
        .expect("resource_changes")
        .iter()
        .map(|rc| format!("{} {}", rc["address"].as_str().unwrap_or(""), rc["change"]["actions"]))
        .collect();
    actions.sort();
    insta::assert_snapshot!("quickstart_first_plan_json_actions", actions.join("\n"));
    assert_eq!(j["format_version"], "1.2");

    let apply = plinth(dir, &["apply", "-input=false", "-no-color", "first.tfplan"]);
    apply.ok("apply");
    assert!(apply.stdout.contains("Apply complete! Resources: 16 added, 0 changed, 0 destroyed."), "{}", apply.stdout);
    assert!(apply.stdout.contains("jwt_secret = <sensitive>"), "{}", apply.stdout);

    // The files, their modes and contents.
    let env = dir.join("out/.env");
    let text = std::fs::read_to_string(&env).expect(".env written");
    #[cfg(unix)]
    {
        assert_eq!(mode(&env), 0o600, ".env mode");
        assert_eq!(mode(&dir.join("out/tls/service.key")), 0o600);
        assert_eq!(mode(&dir.join("out/tls/ca.key")), 0o600);
        assert_eq!(mode(&dir.join("out/tls/ca.crt")), 0o644);
    }
    let get = |k: &str| text.lines().find_map(|l| l.strip_prefix(&format!("{k}="))).unwrap_or("").to_string();
    let jwt = get("JWT_SECRET");
    assert_eq!(jwt.len(), 64, "JWT_SECRET is 64 hex chars: {jwt}");
    assert!(jwt.chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(get("CSRF_SECRET").len(), 32);
    assert_eq!(get("ENCRYPTION_KEY").len(), 32);
    assert_eq!(get("REDIS_PASSWORD").len(), 32);
    assert_eq!(get("GRAFANA_ADMIN_PASSWORD").len(), 24);
    assert_eq!(get("ENVIRONMENT"), "dev");
    let cert = std::fs::read_to_string(dir.join("out/tls/service.crt")).expect("cert");
    assert!(cert.starts_with("-----BEGIN CERTIFICATE-----"));
    // Secrets never reach the terminal.
    assert!(!apply.stdout.contains(&jwt), "the JWT secret was printed");
    let out = plinth(dir, &["output", "-raw", "jwt_secret"]);
    out.ok("output -raw");
    assert_eq!(out.stdout, jwt);

    // Nothing to do the second time.
    let again = plinth(dir, &["plan", "-input=false", "-no-color", "-detailed-exitcode"]);
    assert_eq!(again.code, 0, "second plan must have no changes:\n{}{}", again.stdout, again.stderr);
    assert!(again.stdout.contains("No changes. Your infrastructure matches the configuration."), "{}", again.stdout);

    // Another environment: every secret rotates (keepers), the CA subject and the .env change.
    let staging = plinth(dir, &["plan", "-input=false", "-no-color", "-var", "environment=staging", "-detailed-exitcode"]);
    assert_eq!(staging.code, 2, "{}{}", staging.stdout, staging.stderr);
    insta::assert_snapshot!("quickstart_environment_change_plan", mask(&staging.stdout));
    assert!(!staging.stdout.contains(&jwt));
    let apply2 = plinth(dir, &["apply", "-input=false", "-no-color", "-auto-approve", "-var", "environment=staging"]);
    apply2.ok("apply staging");
    let text2 = std::fs::read_to_string(&env).expect(".env rewritten");
    assert!(text2.contains("ENVIRONMENT=staging"));
    assert_ne!(jwt, text2.lines().find_map(|l| l.strip_prefix("JWT_SECRET=")).unwrap_or(""), "secrets rotate with the environment");

    // Destroy leaves nothing behind.
    let destroy = plinth(dir, &["destroy", "-input=false", "-no-color", "-auto-approve", "-var", "environment=staging"]);
    destroy.ok("destroy");
    assert!(destroy.stdout.contains("Destroy complete! Resources: 16 destroyed."), "{}", destroy.stdout);
    assert!(!env.exists(), ".env removed");
    assert!(!dir.join("out/tls/service.key").exists());
    assert!(state_list(dir).is_empty(), "state still lists resources");
}
