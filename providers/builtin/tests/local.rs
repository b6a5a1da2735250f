//! local_file, local_sensitive_file and the local data sources through the provider traits.

mod support;
use plinth_sdk::*;
use support::*;
use std::os::unix::fs::PermissionsExt;

fn mode(p: &std::path::Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn local_file_lifecycle_permissions_and_hashes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a/b/hello.txt");
    let h = Harness::new("local", "local_file");
    let cfg = h.config(&[
        ("filename", s(path.to_str().unwrap())),
        ("content", s("hello")),
        ("file_permission", s("0640")),
        ("directory_permission", s("0750")),
    ]);
    let changed = h.config(&[
        ("filename", s(path.to_str().unwrap())),
        ("content", s("hello!")),
        ("file_permission", s("0640")),
        ("directory_permission", s("0750")),
    ]);
    // Plan: hashes unknown, permissions as configured.
    let plan = h.plan(None, &cfg).planned_state.unwrap();
    assert!(!plan.get_attr("content_sha256").unwrap().is_known());
    let st = h.create(&cfg);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "hello");
    assert_eq!(mode(&path), 0o640);
    assert_eq!(mode(path.parent().unwrap()), 0o750);
    assert_eq!(str_of(&st, "id"), "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d");
    assert_eq!(str_of(&st, "content_sha1"), "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d");
    assert_eq!(str_of(&st, "content_md5"), "5d41402abc4b2a76b9719d911017c592");
    assert_eq!(str_of(&st, "content_sha256"), "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
    assert_eq!(str_of(&st, "content_base64sha256"), "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=");
    assert_eq!(str_of(&st, "content_sha512"), "9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca72323c3d99ba5c11d7c7acc6e14b8c5da0c4663475c2e5c3adef46f73bcdec043");
    // No temporary files are left behind.
    assert_eq!(std::fs::read_dir(path.parent().unwrap()).unwrap().count(), 1);

    // create → read → no-op → change → replace → delete, through the shared helper.
    std::fs::remove_file(&path).unwrap();
    let st = h.lifecycle(&cfg, &changed, "content");
    assert!(!path.exists(), "delete removes the file");
    assert_eq!(str_of(&st, "file_permission"), "0640");
}

#[test]
fn local_file_defaults_and_refresh_drift() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.txt");
    let h = Harness::new("local", "local_file");
    let cfg = h.config(&[("filename", s(path.to_str().unwrap())), ("content", s("v1"))]);
    let st = h.create(&cfg);
    assert_eq!(str_of(&st, "file_permission"), "0777");
    assert_eq!(str_of(&st, "directory_permission"), "0777");
    // Refresh: unchanged → still there.
    assert!(h.read(&st).new_state.is_some());
    // Changed outside → gone, so the plan recreates it.
    std::fs::write(&path, "tampered").unwrap();
    assert!(h.read(&st).new_state.is_none());
    // Missing → gone.
    std::fs::remove_file(&path).unwrap();
    let r = h.read(&st);
    assert!(r.new_state.is_none());
    assert!(!r.diagnostics.has_errors());
    // Deleting a missing file is fine.
    assert!(!h.apply(Some(&st), None, &Value::null()).diagnostics.has_errors());
}

#[test]
fn local_file_base64_source_and_validation() {
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::new("local", "local_file");
    let bin = dir.path().join("bin");
    let st = h.create(&h.config(&[("filename", s(bin.to_str().unwrap())), ("content_base64", s("AAEC/w=="))]));
    assert_eq!(std::fs::read(&bin).unwrap(), vec![0, 1, 2, 255]);
    assert_eq!(str_of(&st, "content_md5").len(), 32);
    let copy = dir.path().join("copy");
    h.create(&h.config(&[("filename", s(copy.to_str().unwrap())), ("source", s(bin.to_str().unwrap()))]));
    assert_eq!(std::fs::read(&copy).unwrap(), vec![0, 1, 2, 255]);

    // Exactly one content argument.
    let both = h.config(&[("filename", s("x")), ("content", s("a")), ("source", s("b"))]);
    let p = h.plan(None, &both);
    assert!(p.diagnostics.has_errors());
    assert!(p.diagnostics.0[0].detail.as_ref().unwrap().contains("content and source"));
    let none = h.config(&[("filename", s("x"))]);
    assert!(h.plan(None, &none).diagnostics.has_errors());
    // Unknown content counts as set.
    let unknown = h.config(&[("filename", s("x")), ("content", Value::Unknown(Type::String))]);
    assert!(!h.plan(None, &unknown).diagnostics.has_errors());
    // Bad modes.
    for m in ["77", "0999", "07777"] {
        let bad = h.config(&[("filename", s("x")), ("content", s("a")), ("file_permission", s(m))]);
        let p = h.plan(None, &bad);
        assert!(p.diagnostics.has_errors(), "{m}");
        assert!(!p.diagnostics.0[0].help.is_empty());
    }
    // A source that does not exist is an apply-time diagnostic, not a panic.
    let missing = h.config(&[("filename", s(dir.path().join("m").to_str().unwrap())), ("source", s("/nonexistent/x"))]);
    let planned = h.plan(None, &missing).planned_state.unwrap();
    let r = h.apply(None, Some(&planned), &missing);
    assert!(r.diagnostics.has_errors());
    assert!(r.new_state.is_none());
}

#[test]
fn local_sensitive_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secret");
    let h = Harness::new("local", "local_sensitive_file");
    let cfg = h.config(&[("filename", s(path.to_str().unwrap())), ("content", s("s3cret"))]);
    let changed = h.config(&[("filename", s(path.to_str().unwrap())), ("content", s("s3cret2"))]);
    let schema = h.schema();
    assert!(schema.block.attributes["content"].sensitive);
    let plan = h.plan(None, &cfg).planned_state.unwrap();
    assert!(plan.get_attr("content").unwrap().is_sensitive());
    let st = h.create(&cfg);
    assert_eq!(mode(&path), 0o700);
    assert_eq!(str_of(&st, "file_permission"), "0700");
    h.lifecycle(&cfg, &changed, "content");
}

#[test]
fn local_file_data_sources() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.txt");
    std::fs::write(&path, "hello").unwrap();
    for (ty, sensitive) in [("local_file", false), ("local_sensitive_file", true)] {
        let h = Harness::new("local", ty);
        let r = h.read_data(&h.data_config(&[("filename", s(path.to_str().unwrap()))]));
        assert!(!r.diagnostics.has_errors(), "{}", r.diagnostics);
        assert_eq!(str_of(&r.state, "content"), "hello");
        assert_eq!(r.state.get_attr("content").unwrap().is_sensitive(), sensitive);
        assert_eq!(str_of(&r.state, "content_base64"), "aGVsbG8=");
        assert_eq!(str_of(&r.state, "id"), "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d");
        let missing = h.read_data(&h.data_config(&[("filename", s("/nonexistent/file"))]));
        assert!(missing.diagnostics.has_errors());
    }
}

#[test]
fn remote_state_reads_v4_outputs() {
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/remote.tfstate");
    let h = Harness::new("terraform", "terraform_remote_state");
    let cfg = h.data_config(&[
        ("backend", s("local")),
        ("config", Value::object([("path", s(fixture))])),
        ("defaults", Value::object([("name", s("ignored")), ("extra", s("default"))])),
    ]);
    let r = h.read_data(&cfg);
    assert!(!r.diagnostics.has_errors(), "{}", r.diagnostics);
    let out = r.state.get_attr("outputs").unwrap();
    assert_eq!(str_of(out, "name"), "web");
    assert_eq!(str_of(out, "extra"), "default");
    assert!(out.get_attr("secret").unwrap().is_sensitive());
    assert_eq!(out.get_attr("ports").unwrap().type_of(), Type::Tuple(vec![Type::Number, Type::Number]));
    let nested = out.get_attr("nested").unwrap();
    assert_eq!(nested.get_attr("subnets").unwrap().type_of(), Type::list(Type::String));
    assert_eq!(nested.get_attr("count"), Some(&n(2)));

    // A missing state is Terraform's "Unable to find remote state", defaults or not.
    let missing = h.data_config(&[("backend", s("local")), ("config", Value::object([("path", s("/nonexistent.tfstate"))]))]);
    let r = h.read_data(&missing);
    assert!(r.diagnostics.has_errors());
    assert_eq!(r.diagnostics.0[0].summary, "Unable to find remote state");
    assert!(r.diagnostics.0[0].help.iter().any(|h| h.contains("/nonexistent.tfstate")), "{:?}", r.diagnostics.0[0].help);
    // Other backends are a clear error.
    let s3 = h.data_config(&[("backend", s("s3"))]);
    let r = h.read_data(&s3);
    assert!(r.diagnostics.has_errors());
    assert!(!r.diagnostics.0[0].help.is_empty());
}
