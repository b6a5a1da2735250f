//! The tls resources through the provider traits; certificates are parsed with x509-parser
//! and, when the tools are installed, checked with `openssl` and `ssh-keygen`.

mod support;
use plinth_sdk::*;
use support::*;
use x509_parser::prelude::*;

fn key(alg: &str, extra: &[(&str, Value)]) -> Value {
    let h = Harness::new("tls", "tls_private_key");
    let mut attrs = vec![("algorithm", s(alg))];
    attrs.extend(extra.iter().cloned());
    h.create(&h.config(&attrs))
}

fn der_of(pem: &str) -> Vec<u8> {
    let (_, p) = x509_parser::pem::parse_x509_pem(pem.as_bytes()).expect("PEM");
    p.contents
}

fn subject(cn: &str, org: &str) -> Value {
    let obj = Value::object([
        ("common_name", s(cn)),
        ("organization", s(org)),
        ("organizational_unit", Value::Null(Type::String)),
        ("street_address", Value::Null(Type::list(Type::String))),
        ("locality", Value::Null(Type::String)),
        ("province", Value::Null(Type::String)),
        ("country", s("NL")),
        ("postal_code", Value::Null(Type::String)),
        ("serial_number", Value::Null(Type::String)),
    ]);
    Value::List(obj.type_of(), vec![obj])
}

fn tool(name: &str) -> bool {
    let ok = std::process::Command::new(name).arg("version").output().is_ok();
    if !ok {
        eprintln!("skipping {name} checks: {name} is not installed");
    }
    ok
}

fn write_tmp(dir: &tempfile::TempDir, name: &str, content: &str) -> std::path::PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, content).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    p
}

#[test]
fn private_key_lifecycle_and_encodings() {
    let h = Harness::new("tls", "tls_private_key");
    let cfg = h.config(&[("algorithm", s("ECDSA")), ("ecdsa_curve", s("P256"))]);
    let changed = h.config(&[("algorithm", s("ECDSA")), ("ecdsa_curve", s("P384"))]);
    let st = h.lifecycle(&cfg, &changed, "ecdsa_curve");
    assert!(st.get_attr("private_key_pem").unwrap().is_sensitive());
    assert!(!st.get_attr("public_key_pem").unwrap().is_sensitive());
    assert!(str_of(&st, "private_key_pem").starts_with("-----BEGIN EC PRIVATE KEY-----\n"));
    assert!(str_of(&st, "private_key_pem_pkcs8").starts_with("-----BEGIN PRIVATE KEY-----\n"));
    assert!(str_of(&st, "private_key_openssh").starts_with("-----BEGIN OPENSSH PRIVATE KEY-----\n"));
    assert!(str_of(&st, "public_key_openssh").starts_with("ecdsa-sha2-nistp256 "));
    assert!(str_of(&st, "public_key_openssh").ends_with('\n'));
    assert_eq!(st.get_attr("rsa_bits"), Some(&n(2048)));
    // The public key PEM parses as SPKI of an EC key.
    let spki = der_of(&str_of(&st, "public_key_pem"));
    let (_, parsed) = SubjectPublicKeyInfo::from_der(&spki).unwrap();
    assert_eq!(parsed.algorithm.algorithm.to_id_string(), "1.2.840.10045.2.1");
}

#[test]
fn private_key_rsa_and_ed25519_agree_with_ssh_keygen_and_openssl() {
    let dir = tempfile::tempdir().unwrap();
    for (alg, extra) in [("RSA", vec![]), ("ED25519", vec![]), ("ECDSA", vec![("ecdsa_curve", s("P521"))])] {
        let st = key(alg, &extra);
        let pem = str_of(&st, "private_key_pem");
        match alg {
            "RSA" => assert!(pem.starts_with("-----BEGIN RSA PRIVATE KEY-----")),
            "ED25519" => assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----")),
            _ => assert!(pem.starts_with("-----BEGIN EC PRIVATE KEY-----")),
        }
        if alg == "RSA" {
            let spki = der_of(&str_of(&st, "public_key_pem"));
            let (_, parsed) = SubjectPublicKeyInfo::from_der(&spki).unwrap();
            match parsed.parsed().unwrap() {
                x509_parser::public_key::PublicKey::RSA(r) => assert_eq!(r.key_size(), 2048),
                other => panic!("not RSA: {other:?}"),
            }
        }
        if tool("ssh-keygen") {
            let p = write_tmp(&dir, &format!("{alg}.ssh"), &str_of(&st, "private_key_openssh"));
            let out = std::process::Command::new("ssh-keygen").arg("-y").arg("-f").arg(&p).output().unwrap();
            assert!(out.status.success(), "ssh-keygen rejected the {alg} OpenSSH key: {}", String::from_utf8_lossy(&out.stderr));
            let derived = String::from_utf8_lossy(&out.stdout).trim().to_string();
            assert_eq!(derived, str_of(&st, "public_key_openssh").trim(), "{alg}");
            let pubp = write_tmp(&dir, &format!("{alg}.pub"), &str_of(&st, "public_key_openssh"));
            for (hash, attr) in [("sha256", "public_key_fingerprint_sha256"), ("md5", "public_key_fingerprint_md5")] {
                let out = std::process::Command::new("ssh-keygen").args(["-l", "-E", hash, "-f"]).arg(&pubp).output().unwrap();
                let line = String::from_utf8_lossy(&out.stdout).to_string();
                let fp = str_of(&st, attr);
                let fp = fp.strip_prefix("SHA256:").map(|x| format!("SHA256:{x}")).unwrap_or(format!("MD5:{fp}"));
                assert!(line.contains(&fp), "{alg} {hash}: ssh-keygen says {line}, we say {fp}");
            }
        }
        if tool("openssl") {
            for attr in ["private_key_pem", "private_key_pem_pkcs8"] {
                let p = write_tmp(&dir, &format!("{alg}.{attr}.pem"), &str_of(&st, attr));
                let out = std::process::Command::new("openssl").args(["pkey", "-pubout", "-in"]).arg(&p).output().unwrap();
                assert!(out.status.success(), "openssl rejected {alg} {attr}: {}", String::from_utf8_lossy(&out.stderr));
                assert_eq!(String::from_utf8_lossy(&out.stdout), str_of(&st, "public_key_pem"), "{alg} {attr}");
            }
        }
    }
}

#[test]
fn private_key_p224_default_and_bad_sizes() {
    let h = Harness::new("tls", "tls_private_key");
    // Upstream's default curve is P224: keys are generated, OpenSSH forms are empty.
    let st = h.create(&h.config(&[("algorithm", s("ECDSA"))]));
    assert_eq!(str_of(&st, "ecdsa_curve"), "P224");
    assert_eq!(str_of(&st, "public_key_openssh"), "");
    assert_eq!(str_of(&st, "private_key_openssh"), "");
    assert_eq!(str_of(&st, "public_key_fingerprint_md5"), "");
    if tool("openssl") {
        let dir = tempfile::tempdir().unwrap();
        let p = write_tmp(&dir, "p224.pem", &str_of(&st, "private_key_pem"));
        let out = std::process::Command::new("openssl").args(["pkey", "-pubout", "-in"]).arg(&p).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(String::from_utf8_lossy(&out.stdout), str_of(&st, "public_key_pem"));
    }
    // P224 keys cannot sign certificates in Plinth: a clear apply-time error.
    let c = Harness::new("tls", "tls_self_signed_cert");
    let cfg = c.config(&[
        ("private_key_pem", s(&str_of(&st, "private_key_pem"))),
        ("validity_period_hours", n(1)),
        ("allowed_uses", strs(&["server_auth"])),
    ]);
    let planned = c.plan(None, &cfg).planned_state.unwrap();
    let r = c.apply(None, Some(&planned), &cfg);
    assert!(r.diagnostics.has_errors());
    assert!(r.diagnostics.0[0].detail.as_ref().unwrap().contains("P224"), "{}", r.diagnostics);
    assert!(!r.diagnostics.0[0].help.is_empty());

    let p = h.plan(None, &h.config(&[("algorithm", s("RSA")), ("rsa_bits", n(1000))]));
    assert!(p.diagnostics.has_errors());
    let p = h.plan(None, &h.config(&[("algorithm", s("DSA"))]));
    assert!(p.diagnostics.0[0].summary.contains("algorithm"));
}

#[test]
fn private_key_import_from_pem() {
    let st = key("ED25519", &[]);
    let h = Harness::new("tls", "tls_private_key");
    let r = h.import(&str_of(&st, "private_key_pem"));
    assert!(!r.diagnostics.has_errors(), "{}", r.diagnostics);
    let imp = &r.imported[0].state;
    assert_eq!(str_of(imp, "public_key_openssh"), str_of(&st, "public_key_openssh"));
    assert_eq!(str_of(imp, "id"), str_of(&st, "id"));
    assert_eq!(str_of(imp, "algorithm"), "ED25519");
    assert!(h.import("not a key").diagnostics.has_errors());
}

fn self_signed(key_pem: &str, is_ca: bool) -> (Harness, Value, Value) {
    let h = Harness::new("tls", "tls_self_signed_cert");
    let cfg = h.config(&[
        ("private_key_pem", s(key_pem)),
        ("subject", subject("example.com", "ACME")),
        ("dns_names", strs(&["example.com", "www.example.com"])),
        ("ip_addresses", strs(&["10.0.0.1", "::1"])),
        ("uris", strs(&["spiffe://example.com/web"])),
        ("validity_period_hours", n(24)),
        ("allowed_uses", strs(if is_ca { &["cert_signing", "crl_signing", "digital_signature"] } else { &["key_encipherment", "digital_signature", "server_auth"] })),
        ("is_ca_certificate", b(is_ca)),
        ("set_subject_key_id", b(true)),
        ("set_authority_key_id", b(is_ca)),
    ]);
    let st = h.create(&cfg);
    (h, cfg, st)
}

#[test]
fn self_signed_cert_is_real_x509() {
    let k = key("ECDSA", &[("ecdsa_curve", s("P256"))]);
    let (h, cfg, st) = self_signed(&str_of(&k, "private_key_pem"), false);
    let der = der_of(&str_of(&st, "cert_pem"));
    let (_, cert) = X509Certificate::from_der(&der).unwrap();
    assert_eq!(cert.subject().iter_common_name().next().unwrap().as_str().unwrap(), "example.com");
    assert_eq!(cert.subject().iter_organization().next().unwrap().as_str().unwrap(), "ACME");
    assert_eq!(cert.subject(), cert.issuer());
    let san = cert.subject_alternative_name().unwrap().unwrap();
    let names: Vec<String> = san.value.general_names.iter().map(|g| format!("{g}")).collect();
    assert!(names.iter().any(|n| n.contains("www.example.com")), "{names:?}");
    assert!(names.iter().any(|n| n.contains("0a:00:00:01")), "{names:?}");
    assert!(names.iter().any(|n| n.contains("spiffe://example.com/web")), "{names:?}");
    let bc = cert.basic_constraints().unwrap().unwrap();
    assert!(!bc.value.ca);
    let validity = cert.validity();
    let secs = validity.not_after.timestamp() - validity.not_before.timestamp();
    assert_eq!(secs, 24 * 3600);
    assert_eq!(str_of(&st, "id"), cert.raw_serial_as_string().replace(':', "").pipe_dec());
    assert!(cert.key_usage().unwrap().unwrap().value.digital_signature());
    assert!(cert.extended_key_usage().unwrap().unwrap().value.server_auth);
    assert!(cert.verify_signature(None).is_ok());
    assert_eq!(str_of(&st, "key_algorithm"), "ECDSA");
    assert_eq!(st.get_attr("ready_for_renewal"), Some(&b(false)));
    assert!(str_of(&st, "validity_end_time").ends_with('Z'));
    // Lifecycle with a force_new change of the subject.
    let mut changed = cfg.as_map().unwrap().clone();
    changed.insert("subject".into(), subject("other.example.com", "ACME"));
    let changed = Value::Object(changed);
    let refreshed = h.read(&st).new_state.unwrap();
    let noop = h.plan(Some(&refreshed), &cfg);
    assert!(noop.requires_replace.is_empty(), "{:?}", noop.requires_replace);
    let p = h.plan(Some(&refreshed), &changed);
    assert_eq!(p.requires_replace, vec![AttrPath::attr("subject")]);
    assert!(!p.planned_state.unwrap().get_attr("cert_pem").unwrap().is_known());
    // early_renewal_hours updates in place; beyond the validity it makes the cert ready for renewal.
    let mut early = cfg.as_map().unwrap().clone();
    early.insert("early_renewal_hours".into(), n(48));
    let p = h.plan(Some(&refreshed), &Value::Object(early));
    assert_eq!(p.requires_replace, vec![AttrPath::attr("ready_for_renewal")]);
    let mut early = cfg.as_map().unwrap().clone();
    early.insert("early_renewal_hours".into(), n(2));
    let early = Value::Object(early);
    let p = h.plan(Some(&refreshed), &early);
    assert!(p.requires_replace.is_empty());
    let planned = p.planned_state.unwrap();
    let up = h.apply(Some(&refreshed), Some(&planned), &early);
    assert_eq!(str_of(up.new_state.as_ref().unwrap(), "cert_pem"), str_of(&st, "cert_pem"));
    let updated = up.new_state.unwrap();
    assert_eq!(updated.get_attr("early_renewal_hours"), Some(&n(2)));
    // Delete.
    assert!(h.plan_delete(&updated).planned_state.is_none());
    let gone = h.apply(Some(&updated), None, &Value::null());
    assert!(!gone.diagnostics.has_errors() && gone.new_state.is_none());
}

trait PipeDec {
    fn pipe_dec(&self) -> String;
}
impl PipeDec for String {
    /// Hex serial → decimal.
    fn pipe_dec(&self) -> String {
        let mut digits: Vec<u32> = vec![0];
        for c in self.chars() {
            let mut carry = c.to_digit(16).unwrap();
            for d in digits.iter_mut() {
                let v = *d * 16 + carry;
                *d = v % 10;
                carry = v / 10;
            }
            while carry > 0 {
                digits.push(carry % 10);
                carry /= 10;
            }
        }
        while digits.len() > 1 && *digits.last().unwrap() == 0 {
            digits.pop();
        }
        digits.iter().rev().map(|d| char::from_digit(*d, 10).unwrap()).collect()
    }
}

#[test]
fn locally_signed_cert_verifies_against_the_ca() {
    for (ca_alg, leaf_alg) in [("RSA", "ECDSA"), ("ECDSA", "ED25519"), ("ED25519", "RSA")] {
        let curve = [("ecdsa_curve", s("P384"))];
        let ca_key = key(ca_alg, &curve);
        let (_, _, ca) = self_signed(&str_of(&ca_key, "private_key_pem"), true);
        let ca_der = der_of(&str_of(&ca, "cert_pem"));
        let (_, ca_cert) = X509Certificate::from_der(&ca_der).unwrap();
        assert!(ca_cert.basic_constraints().unwrap().unwrap().value.ca, "CA flag");
        let skid = ca_cert.extensions().iter().find_map(|e| match e.parsed_extension() {
            ParsedExtension::SubjectKeyIdentifier(k) => Some(k.0.to_vec()),
            _ => None,
        });
        assert!(skid.is_some());

        let leaf_key = key(leaf_alg, &curve);
        let csr_h = Harness::new("tls", "tls_cert_request");
        let csr_cfg = csr_h.config(&[
            ("private_key_pem", s(&str_of(&leaf_key, "private_key_pem"))),
            ("subject", subject("leaf.example.com", "Leaf Org")),
            ("dns_names", strs(&["leaf.example.com"])),
        ]);
        let changed = csr_h.config(&[
            ("private_key_pem", s(&str_of(&leaf_key, "private_key_pem"))),
            ("subject", subject("leaf.example.com", "Leaf Org")),
            ("dns_names", strs(&["other.example.com"])),
        ]);
        let csr = csr_h.lifecycle(&csr_cfg, &changed, "dns_names");
        assert!(str_of(&csr, "cert_request_pem").starts_with("-----BEGIN CERTIFICATE REQUEST-----"));
        assert_eq!(str_of(&csr, "key_algorithm"), leaf_alg);

        let h = Harness::new("tls", "tls_locally_signed_cert");
        let cfg = h.config(&[
            ("cert_request_pem", s(&str_of(&csr, "cert_request_pem"))),
            ("ca_private_key_pem", s(&str_of(&ca_key, "private_key_pem"))),
            ("ca_cert_pem", s(&str_of(&ca, "cert_pem"))),
            ("validity_period_hours", n(12)),
            ("allowed_uses", strs(&["digital_signature", "client_auth"])),
        ]);
        let changed = h.config(&[
            ("cert_request_pem", s(&str_of(&csr, "cert_request_pem"))),
            ("ca_private_key_pem", s(&str_of(&ca_key, "private_key_pem"))),
            ("ca_cert_pem", s(&str_of(&ca, "cert_pem"))),
            ("validity_period_hours", n(13)),
            ("allowed_uses", strs(&["digital_signature", "client_auth"])),
        ]);
        let st = h.lifecycle(&cfg, &changed, "validity_period_hours");
        assert_eq!(str_of(&st, "ca_key_algorithm"), ca_alg);
        let der = der_of(&str_of(&st, "cert_pem"));
        let (_, cert) = X509Certificate::from_der(&der).unwrap();
        assert_eq!(cert.subject().iter_common_name().next().unwrap().as_str().unwrap(), "leaf.example.com");
        assert_eq!(cert.issuer(), ca_cert.subject());
        assert!(cert.verify_signature(Some(ca_cert.public_key())).is_ok(), "{ca_alg} CA signature");
        assert!(!cert.basic_constraints().unwrap().unwrap().value.ca);
        assert!(cert.extended_key_usage().unwrap().unwrap().value.client_auth);
        let akid = cert.extensions().iter().find_map(|e| match e.parsed_extension() {
            ParsedExtension::AuthorityKeyIdentifier(a) => a.key_identifier.as_ref().map(|k| k.0.to_vec()),
            _ => None,
        });
        assert_eq!(akid, skid, "authority key id is the CA's subject key id");
        let v = cert.validity();
        assert_eq!(v.not_after.timestamp() - v.not_before.timestamp(), 12 * 3600);

        if tool("openssl") {
            let dir = tempfile::tempdir().unwrap();
            let ca_p = write_tmp(&dir, "ca.pem", &str_of(&ca, "cert_pem"));
            let leaf_p = write_tmp(&dir, "leaf.pem", &str_of(&st, "cert_pem"));
            let out = std::process::Command::new("openssl").args(["verify", "-CAfile"]).arg(&ca_p).arg(&leaf_p).output().unwrap();
            assert!(out.status.success(), "openssl verify ({ca_alg} CA): {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        }
    }
}

#[test]
fn locally_signed_cert_rejects_a_mismatched_ca_key() {
    let ca_key = key("ED25519", &[]);
    let other = key("ED25519", &[]);
    let (_, _, ca) = self_signed(&str_of(&ca_key, "private_key_pem"), true);
    let csr_h = Harness::new("tls", "tls_cert_request");
    let csr = csr_h.create(&csr_h.config(&[("private_key_pem", s(&str_of(&other, "private_key_pem")))]));
    let h = Harness::new("tls", "tls_locally_signed_cert");
    let cfg = h.config(&[
        ("cert_request_pem", s(&str_of(&csr, "cert_request_pem"))),
        ("ca_private_key_pem", s(&str_of(&other, "private_key_pem"))),
        ("ca_cert_pem", s(&str_of(&ca, "cert_pem"))),
        ("validity_period_hours", n(1)),
        ("allowed_uses", strs(&["server_auth"])),
    ]);
    let planned = h.plan(None, &cfg).planned_state.unwrap();
    let r = h.apply(None, Some(&planned), &cfg);
    assert!(r.diagnostics.has_errors());
    assert!(r.new_state.is_none());
    assert!(r.diagnostics.0[0].summary.contains("does not match"));
}

#[test]
fn public_key_data_source() {
    let k = key("RSA", &[]);
    let h = Harness::new("tls", "tls_public_key");
    let r = h.read_data(&h.data_config(&[("private_key_openssh", s(&str_of(&k, "private_key_openssh")))]));
    assert!(!r.diagnostics.has_errors(), "{}", r.diagnostics);
    assert_eq!(str_of(&r.state, "public_key_pem"), str_of(&k, "public_key_pem"));
    assert_eq!(str_of(&r.state, "algorithm"), "RSA");
    let bad = h.read_data(&h.data_config(&[]));
    assert!(bad.diagnostics.has_errors());
}

#[test]
fn tls_private_key_v0_state_is_upgraded() {
    let k = key("RSA", &[]);
    let h = Harness::new("tls", "tls_private_key");
    let old = serde_json::json!({
        "algorithm": "RSA", "rsa_bits": 2048, "ecdsa_curve": "P224", "id": "x",
        "private_key_pem": str_of(&k, "private_key_pem"),
        "public_key_pem": str_of(&k, "public_key_pem"),
    });
    let up = h.c.upgrade_resource_state("tls_private_key", 0, old).unwrap();
    assert_eq!(up["private_key_pem"].as_str().unwrap(), str_of(&k, "private_key_pem"));
    assert_eq!(up["private_key_pem_pkcs8"].as_str().unwrap(), str_of(&k, "private_key_pem_pkcs8"));
    assert_eq!(up["public_key_fingerprint_sha256"].as_str().unwrap(), str_of(&k, "public_key_fingerprint_sha256"));
    assert!(up["private_key_openssh"].as_str().unwrap().starts_with("-----BEGIN OPENSSH PRIVATE KEY-----"));
}

#[test]
fn certificate_data_source_reads_pem_content() {
    let ca_key = key("RSA", &[]);
    let (_, _, ca) = self_signed(&str_of(&ca_key, "private_key_pem"), true);
    let h = Harness::new("tls", "tls_certificate");
    let r = h.read_data(&h.data_config(&[("content", s(&str_of(&ca, "cert_pem")))]));
    assert!(!r.diagnostics.has_errors(), "{}", r.diagnostics);
    let certs = r.state.get_attr("certificates").unwrap().as_seq().unwrap().to_vec();
    assert_eq!(certs.len(), 1);
    let c = &certs[0];
    assert_eq!(str_of(c, "subject"), "CN=example.com,O=ACME,C=NL");
    assert_eq!(str_of(c, "issuer"), "CN=example.com,O=ACME,C=NL");
    assert_eq!(str_of(c, "signature_algorithm"), "SHA256-RSA");
    assert_eq!(str_of(c, "public_key_algorithm"), "RSA");
    assert_eq!(str_of(c, "serial_number"), str_of(&ca, "id"));
    assert_eq!(c.get_attr("is_ca"), Some(&b(true)));
    assert_eq!(c.get_attr("version"), Some(&n(3)));
    assert_eq!(str_of(c, "not_before"), str_of(&ca, "validity_start_time"));
    assert_eq!(str_of(c, "cert_pem"), str_of(&ca, "cert_pem"));
    let url = h.read_data(&h.data_config(&[("url", s("https://example.com"))]));
    assert!(url.diagnostics.has_errors());
    let none = h.read_data(&h.data_config(&[("content", s("garbage"))]));
    assert!(none.diagnostics.has_errors());
}

#[test]
fn expired_certificate_is_ready_for_renewal_and_replaced() {
    let k = key("ED25519", &[]);
    let h = Harness::new("tls", "tls_self_signed_cert");
    let cfg = h.config(&[
        ("private_key_pem", s(&str_of(&k, "private_key_pem"))),
        ("validity_period_hours", n(0)),
        ("allowed_uses", strs(&["server_auth"])),
    ]);
    let planned = h.plan(None, &cfg).planned_state.unwrap();
    assert_eq!(planned.get_attr("ready_for_renewal"), Some(&b(false)));
    let st = h.apply(None, Some(&planned), &cfg).new_state.unwrap();
    let refreshed = h.read(&st).new_state.unwrap();
    assert_eq!(refreshed.get_attr("ready_for_renewal"), Some(&b(true)));
    let p = h.plan(Some(&refreshed), &cfg);
    assert_eq!(p.requires_replace, vec![AttrPath::attr("ready_for_renewal")]);
    assert!(!p.planned_state.unwrap().get_attr("cert_pem").unwrap().is_known());
}

#[test]
fn validate_resource_config_reports_every_problem() {
    let p = provider("tls");
    let h = Harness::new("tls", "tls_self_signed_cert");
    let cfg = h.config(&[
        ("private_key_pem", Value::Unknown(Type::String)),
        ("validity_period_hours", n(-1)),
        ("allowed_uses", strs(&["server_auth", "flying"])),
        ("ip_addresses", strs(&["10.0.0.300"])),
    ]);
    let d = p.validate_resource_config("tls_self_signed_cert", &cfg);
    assert_eq!(d.len(), 3, "{d}");
    assert!(d.iter().all(|x| !x.help.is_empty()));
    let d = p.validate_resource_config("tls_nope", &cfg);
    assert!(d.has_errors());
}

#[test]
fn absent_subject_block_is_an_empty_list_and_plans_no_op() {
    let k = key("ED25519", &[]);
    let h = Harness::new("tls", "tls_cert_request");
    let cfg = h.config(&[("private_key_pem", s(&str_of(&k, "private_key_pem")))]);
    let st = h.create(&cfg);
    assert_eq!(st.get_attr("subject").unwrap().as_seq().map(|s| s.len()), Some(0));
    // The engine may pass the absent block as null or as an empty list: both are no-ops.
    let p = h.plan(Some(&st), &cfg);
    assert!(p.requires_replace.is_empty(), "{:?}", p.requires_replace);
    let mut with_empty = cfg.as_map().unwrap().clone();
    with_empty.insert("subject".into(), Value::List(st.get_attr("subject").unwrap().type_of().element_type().unwrap().clone(), vec![]));
    let p = h.plan(Some(&st), &Value::Object(with_empty));
    assert!(p.requires_replace.is_empty(), "{:?}", p.requires_replace);
}
