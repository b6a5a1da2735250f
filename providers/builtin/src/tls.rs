//! The `tls` provider, following `hashicorp/tls` 4.0.x: `tls_private_key`,
//! `tls_self_signed_cert`, `tls_cert_request`, `tls_locally_signed_cert`, and the
//! `tls_public_key` data source. Keys come from aws-lc-rs; certificates and requests are
//! built with rcgen and are real X.509 (serial: 128 random bits; SubjectKeyIdentifier:
//! SHA-1 of the public key bits, as Go computes it).

use crate::common::*;
use crate::keys::Key;
use plinth_sdk::{
    AttrPath, Attribute, Block, Diagnostic, Diagnostics, NestedBlock, Nesting, Schema, Type, Value,
};
use rcgen::{
    CertificateParams, CustomExtension, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyIdMethod, KeyPair, KeyUsagePurpose, SanType, SerialNumber,
};
use time::OffsetDateTime;

pub(crate) fn provider_schema() -> Schema {
    let proxy = Block::new()
        .attr("url", Attribute::optional(Type::String).describe("URL used to connect to the Proxy. Accepted schemes are: `http`, `https`, `socks5`. "))
        .attr("username", Attribute::optional(Type::String).describe("Username (or Token) used for Basic authentication against the Proxy."))
        .attr("password", Attribute::optional(Type::String).sensitive().describe("Password used for Basic authentication against the Proxy."))
        .attr("from_env", Attribute::optional_computed(Type::Bool).describe("When `true` the provider will discover the proxy configuration from environment variables."));
    Schema {
        version: 0,
        block: Block::new().block(
            "proxy",
            NestedBlock { nesting: Nesting::List, block: proxy, min_items: 0, max_items: 1, force_new: false },
        ),
    }
}

pub(crate) fn resources() -> Vec<Box<dyn Resource>> {
    vec![
        Box::new(PrivateKey),
        Box::new(SelfSignedCert),
        Box::new(CertRequest),
        Box::new(LocallySignedCert),
    ]
}

pub(crate) fn data_sources() -> Vec<Box<dyn DataSource>> {
    vec![Box::new(PublicKeyData), Box::new(CertificateData)]
}

/// upstream's `hashForState`: hex SHA-1 of the whitespace-trimmed value.
fn hash_for_state(b: &[u8]) -> String {
    let t = b.trim_ascii();
    if t.is_empty() {
        return String::new();
    }
    hex(&sha1(t))
}

fn tls_error(summary: &str, detail: impl Into<String>) -> Diagnostics {
    Diagnostics::from(error(summary.to_string(), detail))
}

// ---- tls_private_key -------------------------------------------------------------------

pub(crate) struct PrivateKey;

const ALGORITHMS: [&str; 3] = ["RSA", "ECDSA", "ED25519"];
const CURVES: [&str; 4] = ["P224", "P256", "P384", "P521"];

fn key_outputs(o: &mut Obj, k: &Key) -> Result<(), Diagnostics> {
    o.insert("private_key_pem".into(), str_val(k.private_key_pem()));
    o.insert("private_key_pem_pkcs8".into(), str_val(k.private_key_pem_pkcs8()));
    o.insert(
        "private_key_openssh".into(),
        str_val(k.private_key_openssh().map_err(|e| tls_error("cannot encode the private key", e))?),
    );
    o.insert("public_key_pem".into(), str_val(k.public_key_pem()));
    o.insert("public_key_openssh".into(), str_val(k.public_key_openssh()));
    o.insert("public_key_fingerprint_md5".into(), str_val(k.fingerprint_md5()));
    o.insert("public_key_fingerprint_sha256".into(), str_val(k.fingerprint_sha256()));
    o.insert("id".into(), str_val(hash_for_state(&k.spki())));
    Ok(())
}

fn public_key_attrs(b: Block) -> Block {
    let c = |d: &str| Attribute::computed(Type::String).describe(d);
    b.attr("public_key_pem", c("Public key data in [PEM (RFC 1421)](https://datatracker.ietf.org/doc/html/rfc1421) format. **NOTE**: the [underlying](https://pkg.go.dev/encoding/pem#Encode) [libraries](https://pkg.go.dev/golang.org/x/crypto/ssh#MarshalAuthorizedKey) that generate this value append a `\\n` at the end of the PEM. In case this disrupts your use case, we recommend using [`trimspace()`](https://www.terraform.io/language/functions/trimspace)."))
        .attr("public_key_openssh", c("The public key data in [\"Authorized Keys\"](https://www.ssh.com/academy/ssh/authorized_keys/openssh#format-of-the-authorized-keys-file) format. This is not populated for `ECDSA` with curve `P224`, as it is [not supported](../../docs#limitations). **NOTE**: the [underlying](https://pkg.go.dev/encoding/pem#Encode) [libraries](https://pkg.go.dev/golang.org/x/crypto/ssh#MarshalAuthorizedKey) that generate this value append a `\\n` at the end of the PEM. In case this disrupts your use case, we recommend using [`trimspace()`](https://www.terraform.io/language/functions/trimspace)."))
        .attr("public_key_fingerprint_md5", c("The fingerprint of the public key data in OpenSSH MD5 hash format, e.g. `aa:bb:cc:...`. Only available if the selected private key format is compatible, similarly to `public_key_openssh` and the [ECDSA P224 limitations](../../docs#limitations)."))
        .attr("public_key_fingerprint_sha256", c("The fingerprint of the public key data in OpenSSH SHA256 hash format, e.g. `SHA256:...`. Only available if the selected private key format is compatible, similarly to `public_key_openssh` and the [ECDSA P224 limitations](../../docs#limitations)."))
}

impl Resource for PrivateKey {
    fn type_name(&self) -> &'static str {
        "tls_private_key"
    }
    fn schema(&self) -> Schema {
        let cs = |d: &str| Attribute::computed(Type::String).sensitive().describe(d);
        let b = Block::new()
            .attr("algorithm", Attribute::required(Type::String).force_new().describe("Name of the algorithm to use when generating the private key. Currently-supported values are: `RSA`, `ECDSA`, `ED25519`. "))
            .attr("rsa_bits", Attribute::optional_computed(Type::Number).force_new().describe("When `algorithm` is `RSA`, the size of the generated RSA key, in bits (default: `2048`)."))
            .attr("ecdsa_curve", Attribute::optional_computed(Type::String).force_new().describe("When `algorithm` is `ECDSA`, the name of the elliptic curve to use. Currently-supported values are: `P224`, `P256`, `P384`, `P521`. (default: `P224`)."))
            .attr("private_key_pem", cs("Private key data in [PEM (RFC 1421)](https://datatracker.ietf.org/doc/html/rfc1421) format."))
            .attr("private_key_openssh", cs("Private key data in [OpenSSH PEM (RFC 4716)](https://datatracker.ietf.org/doc/html/rfc4716) format."))
            .attr("private_key_pem_pkcs8", cs("Private key data in [PKCS#8 PEM (RFC 5208)](https://datatracker.ietf.org/doc/html/rfc5208) format."))
            .attr("id", Attribute::computed(Type::String).describe("Unique identifier for this resource: hexadecimal representation of the SHA1 checksum of the resource."));
        Schema { version: 1, block: public_key_attrs(b) }
    }
    fn defaults(&self) -> Vec<(&'static str, Value)> {
        vec![("rsa_bits", num(2048)), ("ecdsa_curve", str_val("P224"))]
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        let alg = cfg(config, "algorithm").and_then(Value::as_str);
        if let Some(a) = alg {
            if !ALGORITHMS.contains(&a) {
                d.push(attr_error("algorithm", "unknown algorithm", format!("Attribute algorithm value must be one of: [\"RSA\" \"ECDSA\" \"ED25519\"], got: {a:?}."), "use \"RSA\", \"ECDSA\" or \"ED25519\""));
            }
        }
        let curve = cfg(config, "ecdsa_curve").and_then(Value::as_str);
        if let Some(c) = curve {
            if !CURVES.contains(&c) {
                d.push(attr_error("ecdsa_curve", "unknown curve", format!("Attribute ecdsa_curve value must be one of: [\"P224\" \"P256\" \"P384\" \"P521\"], got: {c:?}."), "use \"P256\", \"P384\" or \"P521\""));
            }
        }
        if alg == Some("RSA") {
            if let Some(bits) = cfg(config, "rsa_bits") {
                use crate::keys::{RSA_MAX_BITS, RSA_MIN_BITS};
                if !bits.as_i64().is_some_and(|b| (RSA_MIN_BITS..=RSA_MAX_BITS).contains(&b)) {
                    d.push(attr_error("rsa_bits", "unsupported key size", format!("RSA keys must have between {RSA_MIN_BITS} and {RSA_MAX_BITS} bits."), "set rsa_bits to 2048, 3072 or 4096"));
                }
            }
        }
        d
    }
    fn create(&self, planned: &Obj) -> Result<Obj, Diagnostics> {
        let alg = get_str(planned, "algorithm").unwrap_or_default();
        let bits = get_i64(planned, "rsa_bits").unwrap_or(2048);
        let curve = get_str(planned, "ecdsa_curve").unwrap_or_else(|| "P224".into());
        let key = Key::generate(&alg, bits, &curve).map_err(|e| {
            Diagnostics::from(error("cannot generate the private key", format!("{e}.")).with_help("check algorithm, rsa_bits and ecdsa_curve"))
        })?;
        let mut o = planned.clone();
        key_outputs(&mut o, &key)?;
        Ok(o)
    }
    /// v0 → v1 adds `private_key_openssh`, `private_key_pem_pkcs8` and the SHA-256
    /// fingerprint, derived from the stored `private_key_pem` (as upstream).
    fn upgrade(&self, _from: u64, mut state: serde_json::Value) -> Result<serde_json::Value, Diagnostics> {
        let Some(o) = state.as_object_mut() else {
            return Err(tls_error("invalid stored state", "The stored state is not an object."));
        };
        let pem = o.get("private_key_pem").and_then(|p| p.as_str()).unwrap_or_default().to_string();
        let key = Key::from_pem(&pem).map_err(|e| tls_error("cannot upgrade tls_private_key state", format!("The stored private key cannot be parsed: {e}.")))?;
        let mut fresh = Obj::new();
        key_outputs(&mut fresh, &key)?;
        for (k, v) in fresh {
            let keep = matches!(k.as_str(), "private_key_pem" | "private_key_openssh")
                && o.get(&k).and_then(|x| x.as_str()).is_some_and(|x| !x.is_empty());
            if !keep {
                o.insert(k, v.to_json());
            }
        }
        Ok(state)
    }
    fn import(&self, id: &str) -> Result<Obj, Diagnostics> {
        // tls 4.0 imports a private key from its PEM (or a path to a file holding it).
        let text = if id.contains("-----BEGIN") { id.to_string() } else {
            std::fs::read_to_string(id).map_err(|e| tls_error("invalid import ID", format!("The import ID must be a PEM private key or the path of a file holding one; reading {id:?} failed: {e}.")))?
        };
        let key = Key::from_pem(&text).map_err(|e| tls_error("invalid private key", format!("{e}.")))?;
        let mut o = Obj::new();
        o.insert("algorithm".into(), str_val(key.algorithm()));
        o.insert("rsa_bits".into(), num(match &key { Key::Rsa(r) => (r.n.len() * 8) as i64, _ => 2048 }));
        o.insert("ecdsa_curve".into(), str_val(match &key { Key::Ec { curve, .. } => format!("{curve:?}"), _ => "P224".into() }));
        key_outputs(&mut o, &key)?;
        Ok(o)
    }
}

// ---- shared certificate pieces ---------------------------------------------------------

fn subject_block() -> NestedBlock {
    let o = |d: &str| Attribute::optional(Type::String).force_new().describe(d);
    let block = Block::new()
        .attr("organization", o("Distinguished name: `O`"))
        .attr("common_name", o("Distinguished name: `CN`"))
        .attr("organizational_unit", o("Distinguished name: `OU`"))
        .attr("street_address", Attribute::optional(Type::list(Type::String)).force_new().describe("Distinguished name: `STREET`"))
        .attr("locality", o("Distinguished name: `L`"))
        .attr("province", o("Distinguished name: `ST`"))
        .attr("country", o("Distinguished name: `C`"))
        .attr("postal_code", o("Distinguished name: `PC`"))
        .attr("serial_number", o("Distinguished name: `SERIALNUMBER`"));
    NestedBlock { nesting: Nesting::List, block, min_items: 0, max_items: 1, force_new: true }
}

const SUBJECT_DESC: &str = "The subject for which a certificate is being requested. The acceptable arguments are all optional and their naming is based upon [Issuer Distinguished Names (RFC5280)](https://tools.ietf.org/html/rfc5280#section-4.1.2.4) section.";

fn san_attrs(b: Block) -> Block {
    b.attr("dns_names", Attribute::optional(Type::list(Type::String)).force_new().describe("List of DNS names for which a certificate is being requested (i.e. certificate subjects)."))
        .attr("ip_addresses", Attribute::optional(Type::list(Type::String)).force_new().describe("List of IP addresses for which a certificate is being requested (i.e. certificate subjects)."))
        .attr("uris", Attribute::optional(Type::list(Type::String)).force_new().describe("List of URIs for which a certificate is being requested (i.e. certificate subjects)."))
}

const ALLOWED_USES: [&str; 23] = [
    "digital_signature", "content_commitment", "key_encipherment", "data_encipherment", "key_agreement",
    "cert_signing", "crl_signing", "encipher_only", "decipher_only", "any_extended", "server_auth",
    "client_auth", "code_signing", "email_protection", "ipsec_end_system", "ipsec_tunnel", "ipsec_user",
    "timestamping", "ocsp_signing", "microsoft_server_gated_crypto", "netscape_server_gated_crypto",
    "microsoft_commercial_code_signing", "microsoft_kernel_code_signing",
];

fn cert_attrs(b: Block, with_akid: bool) -> Block {
    let b = b
        .attr("validity_period_hours", Attribute::required(Type::Number).force_new().describe("Number of hours, after initial issuing, that the certificate will remain valid for."))
        .attr("early_renewal_hours", Attribute::optional_computed(Type::Number).describe("The resource will consider the certificate to have expired the given number of hours before its actual expiry time. This can be useful to deploy an updated certificate in advance of the expiration of the current certificate. However, the old certificate remains valid until its true expiration time, since this resource does not (and cannot) support certificate revocation. Also, this advance update can only be performed should the Terraform configuration be applied during the early renewal period. (default: `0`)"))
        .attr("allowed_uses", Attribute::required(Type::list(Type::String)).force_new().describe("List of key usages allowed for the issued certificate. Values are defined in [RFC 5280](https://datatracker.ietf.org/doc/html/rfc5280) and combine flags defined by both [Key Usages](https://datatracker.ietf.org/doc/html/rfc5280#section-4.2.1.3) and [Extended Key Usages](https://datatracker.ietf.org/doc/html/rfc5280#section-4.2.1.12). Accepted values: `any_extended`, `cert_signing`, `client_auth`, `code_signing`, `content_commitment`, `crl_signing`, `data_encipherment`, `decipher_only`, `digital_signature`, `email_protection`, `encipher_only`, `ipsec_end_system`, `ipsec_tunnel`, `ipsec_user`, `key_agreement`, `key_encipherment`, `microsoft_commercial_code_signing`, `microsoft_kernel_code_signing`, `microsoft_server_gated_crypto`, `netscape_server_gated_crypto`, `ocsp_signing`, `server_auth`, `timestamping`."))
        .attr("is_ca_certificate", Attribute::optional_computed(Type::Bool).force_new().describe("Is the generated certificate representing a Certificate Authority (CA) (default: `false`)."))
        .attr("set_subject_key_id", Attribute::optional_computed(Type::Bool).force_new().describe("Should the generated certificate include a [subject key identifier](https://datatracker.ietf.org/doc/html/rfc5280#section-4.2.1.2) (default: `false`)."))
        .attr("cert_pem", Attribute::computed(Type::String).describe("Certificate data in [PEM (RFC 1421)](https://datatracker.ietf.org/doc/html/rfc1421) format. **NOTE**: the [underlying](https://pkg.go.dev/encoding/pem#Encode) [libraries](https://pkg.go.dev/golang.org/x/crypto/ssh#MarshalAuthorizedKey) that generate this value append a `\\n` at the end of the PEM. In case this disrupts your use case, we recommend using [`trimspace()`](https://www.terraform.io/language/functions/trimspace)."))
        .attr("ready_for_renewal", Attribute::computed(Type::Bool).describe("Is the certificate either expired (i.e. beyond the `validity_period_hours`) or ready for an early renewal (i.e. within the `early_renewal_hours`)?"))
        .attr("validity_start_time", Attribute::computed(Type::String).describe("The time after which the certificate is valid, expressed as an [RFC3339](https://tools.ietf.org/html/rfc3339) timestamp."))
        .attr("validity_end_time", Attribute::computed(Type::String).describe("The time until which the certificate is invalid, expressed as an [RFC3339](https://tools.ietf.org/html/rfc3339) timestamp."))
        .attr("id", Attribute::computed(Type::String).describe("Unique identifier for this resource: the certificate serial number."));
    if with_akid {
        b.attr("set_authority_key_id", Attribute::optional_computed(Type::Bool).force_new().describe("Should the generated certificate include an [authority key identifier](https://datatracker.ietf.org/doc/html/rfc5280#section-4.2.1.1): for self-signed certificates this is the same value as the [subject key identifier](https://datatracker.ietf.org/doc/html/rfc5280#section-4.2.1.2) (default: `false`)."))
    } else {
        b
    }
}

fn cert_defaults(with_akid: bool) -> Vec<(&'static str, Value)> {
    let mut v = vec![
        ("early_renewal_hours", num(0)),
        ("is_ca_certificate", Value::Bool(false)),
        ("set_subject_key_id", Value::Bool(false)),
        // Computed with a default: known on create, as upstream plans it.
        ("ready_for_renewal", Value::Bool(false)),
    ];
    if with_akid {
        v.push(("set_authority_key_id", Value::Bool(false)));
    }
    v
}

fn validate_cert(config: &Value, d: &mut Diagnostics) {
    if let Some(uses) = cfg(config, "allowed_uses").and_then(Value::as_seq) {
        for u in uses.iter().filter_map(Value::as_str) {
            if !ALLOWED_USES.contains(&u) {
                d.push(attr_error("allowed_uses", "unknown key usage", format!("{u:?} is not an accepted key usage; accepted values are: {}.", ALLOWED_USES.join(", ")), "use one of the accepted values, e.g. \"server_auth\""));
            }
        }
    }
    for name in ["validity_period_hours", "early_renewal_hours"] {
        if let Some(v) = cfg(config, name) {
            if v.as_i64().is_none_or(|h| h < 0) {
                d.push(attr_error(name, "must be a whole number of at least 0", format!("Attribute {name} value must be at least 0."), format!("set {name} to 0 or more")));
            }
        }
    }
}

fn validate_names(config: &Value, d: &mut Diagnostics) {
    if let Some(ips) = cfg(config, "ip_addresses").and_then(Value::as_seq) {
        for ip in ips.iter().filter_map(Value::as_str) {
            if ip.parse::<std::net::IpAddr>().is_err() {
                d.push(attr_error("ip_addresses", "invalid IP address", format!("{ip:?} is not an IPv4 or IPv6 address."), "write addresses like \"10.0.0.1\" or \"::1\""));
            }
        }
    }
}

fn distinguished_name(o: &Obj) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    let subj = get(o, "subject").as_seq().and_then(|s| s.first()).cloned();
    let Some(subj) = subj else { return dn };
    let st = |k: &str| subj.get_attr(k).and_then(Value::as_str).map(str::to_string);
    // Go's pkix.Name.ToRDNSequence order.
    if let Some(v) = st("country") {
        dn.push(DnType::CountryName, v);
    }
    if let Some(v) = st("organization") {
        dn.push(DnType::OrganizationName, v);
    }
    if let Some(v) = st("organizational_unit") {
        dn.push(DnType::OrganizationalUnitName, v);
    }
    if let Some(v) = st("locality") {
        dn.push(DnType::LocalityName, v);
    }
    if let Some(v) = st("province") {
        dn.push(DnType::StateOrProvinceName, v);
    }
    if let Some(streets) = subj.get_attr("street_address").and_then(Value::as_seq) {
        // rcgen keeps one value per type: join multiple street lines.
        let lines: Vec<&str> = streets.iter().filter_map(Value::as_str).collect();
        if !lines.is_empty() {
            dn.push(DnType::CustomDnType(vec![2, 5, 4, 9]), lines.join(", "));
        }
    }
    if let Some(v) = st("postal_code") {
        dn.push(DnType::CustomDnType(vec![2, 5, 4, 17]), v);
    }
    if let Some(v) = st("serial_number") {
        dn.push(DnType::CustomDnType(vec![2, 5, 4, 5]), v);
    }
    if let Some(v) = st("common_name") {
        dn.push(DnType::CommonName, v);
    }
    dn
}

fn sans(o: &Obj) -> Result<Vec<SanType>, Diagnostics> {
    let mut out = Vec::new();
    for d in get_strings(o, "dns_names") {
        out.push(SanType::DnsName(d.clone().try_into().map_err(|_| tls_error("invalid DNS name", format!("{d:?} cannot be used as a DNS name in a certificate.")))?));
    }
    for ip in get_strings(o, "ip_addresses") {
        out.push(SanType::IpAddress(ip.parse().map_err(|_| tls_error("invalid IP address", format!("{ip:?} is not an IPv4 or IPv6 address.")))?));
    }
    for u in get_strings(o, "uris") {
        out.push(SanType::URI(u.clone().try_into().map_err(|_| tls_error("invalid URI", format!("{u:?} cannot be used as a URI in a certificate.")))?));
    }
    Ok(out)
}

fn parse_signing_key(pem: &str, attr: &str) -> Result<KeyPair, Diagnostics> {
    KeyPair::from_pem(pem).map_err(|e| {
        let hint = match Key::from_pem(pem) {
            Ok(Key::Ec { curve: crate::keys::Curve::P224, .. }) => format!(" {}.", crate::keys::p224_unsupported()),
            Ok(Key::Rsa(r)) if r.n.len() < 256 => " RSA keys under 2048 bits cannot sign certificates in Plinth (aws-lc's minimum).".to_string(),
            _ => String::new(),
        };
        Diagnostics::from(
            error(format!("invalid {attr}"), format!("The key cannot be used to sign: {e}.{hint}"))
                .with_help("use an unencrypted RSA, ECDSA (P256, P384, P521) or ED25519 private key in PEM format"),
        )
    })
}

fn key_algorithm_of(kp: &KeyPair) -> &'static str {
    let alg = kp.algorithm();
    if alg == &rcgen::PKCS_ED25519 {
        "ED25519"
    } else if alg == &rcgen::PKCS_RSA_SHA256 || alg == &rcgen::PKCS_RSA_SHA384 || alg == &rcgen::PKCS_RSA_SHA512 {
        "RSA"
    } else {
        "ECDSA"
    }
}

/// Fills validity, serial, usages, CA flag and key identifiers in `params`.
fn apply_cert_settings(params: &mut CertificateParams, o: &Obj, public_key_bits: &[u8]) -> Result<(OffsetDateTime, OffsetDateTime, String), Diagnostics> {
    let hours = get_i64(o, "validity_period_hours").unwrap_or(0);
    let now = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap_or(OffsetDateTime::now_utc());
    let end = now.checked_add(time::Duration::hours(hours)).ok_or_else(|| tls_error("validity period too long", format!("{hours} hours is beyond the representable date range.")))?;
    params.not_before = now;
    params.not_after = end;
    let mut serial = random_bytes(16).map_err(Diagnostics::from)?;
    serial[0] &= 0x7f;
    let serial_dec = crate::random::big_decimal(&serial);
    params.serial_number = Some(SerialNumber::from_slice(&serial));
    params.key_usages.clear();
    params.extended_key_usages.clear();
    for u in get_strings(o, "allowed_uses") {
        match u.as_str() {
            "digital_signature" => params.key_usages.push(KeyUsagePurpose::DigitalSignature),
            "content_commitment" => params.key_usages.push(KeyUsagePurpose::ContentCommitment),
            "key_encipherment" => params.key_usages.push(KeyUsagePurpose::KeyEncipherment),
            "data_encipherment" => params.key_usages.push(KeyUsagePurpose::DataEncipherment),
            "key_agreement" => params.key_usages.push(KeyUsagePurpose::KeyAgreement),
            "cert_signing" => params.key_usages.push(KeyUsagePurpose::KeyCertSign),
            "crl_signing" => params.key_usages.push(KeyUsagePurpose::CrlSign),
            "encipher_only" => params.key_usages.push(KeyUsagePurpose::EncipherOnly),
            "decipher_only" => params.key_usages.push(KeyUsagePurpose::DecipherOnly),
            "any_extended" => params.extended_key_usages.push(ExtendedKeyUsagePurpose::Any),
            "server_auth" => params.extended_key_usages.push(ExtendedKeyUsagePurpose::ServerAuth),
            "client_auth" => params.extended_key_usages.push(ExtendedKeyUsagePurpose::ClientAuth),
            "code_signing" => params.extended_key_usages.push(ExtendedKeyUsagePurpose::CodeSigning),
            "email_protection" => params.extended_key_usages.push(ExtendedKeyUsagePurpose::EmailProtection),
            "timestamping" => params.extended_key_usages.push(ExtendedKeyUsagePurpose::TimeStamping),
            "ocsp_signing" => params.extended_key_usages.push(ExtendedKeyUsagePurpose::OcspSigning),
            "ipsec_end_system" => params.extended_key_usages.push(ExtendedKeyUsagePurpose::Other(vec![1, 3, 6, 1, 5, 5, 7, 3, 5])),
            "ipsec_tunnel" => params.extended_key_usages.push(ExtendedKeyUsagePurpose::Other(vec![1, 3, 6, 1, 5, 5, 7, 3, 6])),
            "ipsec_user" => params.extended_key_usages.push(ExtendedKeyUsagePurpose::Other(vec![1, 3, 6, 1, 5, 5, 7, 3, 7])),
            "microsoft_server_gated_crypto" => params.extended_key_usages.push(ExtendedKeyUsagePurpose::Other(vec![1, 3, 6, 1, 4, 1, 311, 10, 3, 3])),
            "netscape_server_gated_crypto" => params.extended_key_usages.push(ExtendedKeyUsagePurpose::Other(vec![2, 16, 840, 1, 113730, 4, 1])),
            "microsoft_commercial_code_signing" => params.extended_key_usages.push(ExtendedKeyUsagePurpose::Other(vec![1, 3, 6, 1, 4, 1, 311, 2, 1, 22])),
            "microsoft_kernel_code_signing" => params.extended_key_usages.push(ExtendedKeyUsagePurpose::Other(vec![1, 3, 6, 1, 4, 1, 311, 61, 1, 1])),
            other => return Err(tls_error("unknown key usage", format!("{other:?} is not an accepted value of allowed_uses."))),
        }
    }
    let is_ca = get_bool(o, "is_ca_certificate").unwrap_or(false);
    let skid = get_bool(o, "set_subject_key_id").unwrap_or(false);
    params.key_identifier_method = KeyIdMethod::PreSpecified(sha1(public_key_bits));
    params.custom_extensions.clear();
    params.is_ca = if is_ca {
        IsCa::Ca(rcgen::BasicConstraints::Unconstrained)
    } else if skid {
        IsCa::ExplicitNoCa
    } else {
        // basicConstraints CA:FALSE, critical, without a subject key identifier.
        let mut ext = CustomExtension::from_oid_content(&[2, 5, 29, 19], vec![0x30, 0x00]);
        ext.set_criticality(true);
        params.custom_extensions.push(ext);
        IsCa::NoCa
    };
    Ok((now, end, serial_dec))
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

fn ready_for_renewal(end: &str, early_hours: i64) -> bool {
    match OffsetDateTime::parse(end, &time::format_description::well_known::Rfc3339) {
        Ok(end) => OffsetDateTime::now_utc() + time::Duration::hours(early_hours) >= end,
        Err(_) => false,
    }
}

fn put_cert(o: &mut Obj, pem: String, start: OffsetDateTime, end: OffsetDateTime, serial: String) {
    let early = get_i64(o, "early_renewal_hours").unwrap_or(0);
    o.insert("cert_pem".into(), str_val(pem));
    o.insert("validity_start_time".into(), str_val(rfc3339(start)));
    o.insert("validity_end_time".into(), str_val(rfc3339(end)));
    o.insert("ready_for_renewal".into(), Value::Bool(ready_for_renewal(&rfc3339(end), early)));
    o.insert("id".into(), str_val(serial));
}

/// Shared plan/read behaviour of certificates: `ready_for_renewal` forces replacement.
fn plan_cert_update(prior: &Obj, planned: &mut Obj, rr: &mut Vec<AttrPath>) {
    let end = get_str(prior, "validity_end_time").unwrap_or_default();
    let early = get_i64(planned, "early_renewal_hours").unwrap_or(0);
    if get_bool(prior, "ready_for_renewal") == Some(true) || ready_for_renewal(&end, early) {
        planned.insert("ready_for_renewal".into(), Value::Bool(true));
        rr.push(AttrPath::attr("ready_for_renewal"));
    }
}

fn read_cert(state: &Obj) -> Obj {
    let mut o = state.clone();
    let end = get_str(state, "validity_end_time").unwrap_or_default();
    let early = get_i64(state, "early_renewal_hours").unwrap_or(0);
    if ready_for_renewal(&end, early) {
        o.insert("ready_for_renewal".into(), Value::Bool(true));
    }
    o
}

fn update_cert(planned: &Obj) -> Obj {
    let mut o = planned.clone();
    let end = get_str(planned, "validity_end_time").unwrap_or_default();
    let early = get_i64(planned, "early_renewal_hours").unwrap_or(0);
    o.insert("ready_for_renewal".into(), Value::Bool(ready_for_renewal(&end, early)));
    o
}

fn rcgen_err(what: &str, e: rcgen::Error) -> Diagnostics {
    tls_error(&format!("cannot create the {what}"), format!("{e}."))
}

// ---- tls_self_signed_cert --------------------------------------------------------------

pub(crate) struct SelfSignedCert;

impl Resource for SelfSignedCert {
    fn type_name(&self) -> &'static str {
        "tls_self_signed_cert"
    }
    fn schema(&self) -> Schema {
        let mut subject = subject_block();
        subject.block.description = SUBJECT_DESC.into();
        let b = Block::new()
            .attr("private_key_pem", Attribute::required(Type::String).sensitive().force_new().describe("Private key in [PEM (RFC 1421)](https://datatracker.ietf.org/doc/html/rfc1421) format, that the certificate will belong to. This can be read from a separate file using the [`file`](https://www.terraform.io/language/functions/file) interpolation function. "))
            .attr("key_algorithm", Attribute::computed(Type::String).describe("Name of the algorithm used when generating the private key provided in `private_key_pem`. "))
            .block("subject", subject);
        Schema { version: 0, block: cert_attrs(san_attrs(b), true) }
    }
    fn defaults(&self) -> Vec<(&'static str, Value)> {
        cert_defaults(true)
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        validate_cert(config, &mut d);
        validate_names(config, &mut d);
        d
    }
    fn plan_update(&self, prior: &Obj, planned: &mut Obj, rr: &mut Vec<AttrPath>) {
        plan_cert_update(prior, planned, rr)
    }
    fn create(&self, planned: &Obj) -> Result<Obj, Diagnostics> {
        let kp = parse_signing_key(&get_str(planned, "private_key_pem").unwrap_or_default(), "private_key_pem")?;
        let mut params = CertificateParams::default();
        params.distinguished_name = distinguished_name(planned);
        params.subject_alt_names = sans(planned)?;
        let (start, end, serial) = apply_cert_settings(&mut params, planned, kp.public_key_raw())?;
        params.use_authority_key_identifier_extension = get_bool(planned, "set_authority_key_id").unwrap_or(false);
        let cert = params.self_signed(&kp).map_err(|e| rcgen_err("certificate", e))?;
        let mut o = planned.clone();
        o.insert("key_algorithm".into(), str_val(key_algorithm_of(&kp)));
        put_cert(&mut o, cert.pem(), start, end, serial);
        Ok(o)
    }
    fn update(&self, _prior: &Obj, planned: &Obj) -> Result<Obj, Diagnostics> {
        Ok(update_cert(planned))
    }
    fn read(&self, state: &Obj) -> Result<Option<Obj>, Diagnostics> {
        Ok(Some(read_cert(state)))
    }
}

// ---- tls_cert_request ------------------------------------------------------------------

pub(crate) struct CertRequest;

impl Resource for CertRequest {
    fn type_name(&self) -> &'static str {
        "tls_cert_request"
    }
    fn schema(&self) -> Schema {
        let mut subject = subject_block();
        subject.block.description = SUBJECT_DESC.into();
        let b = Block::new()
            .attr("private_key_pem", Attribute::required(Type::String).sensitive().force_new().describe("Private key in [PEM (RFC 1421)](https://datatracker.ietf.org/doc/html/rfc1421) format, that the certificate will belong to. This can be read from a separate file using the [`file`](https://www.terraform.io/language/functions/file) interpolation function. Only an irreversible secure hash of the private key will be stored in the Terraform state."))
            .attr("key_algorithm", Attribute::computed(Type::String).describe("Name of the algorithm used when generating the private key provided in `private_key_pem`. "))
            .attr("cert_request_pem", Attribute::computed(Type::String).describe("The certificate request data in [PEM (RFC 1421)](https://datatracker.ietf.org/doc/html/rfc1421) format. **NOTE**: the [underlying](https://pkg.go.dev/encoding/pem#Encode) [libraries](https://pkg.go.dev/golang.org/x/crypto/ssh#MarshalAuthorizedKey) that generate this value append a `\\n` at the end of the PEM. In case this disrupts your use case, we recommend using [`trimspace()`](https://www.terraform.io/language/functions/trimspace)."))
            .attr("id", Attribute::computed(Type::String).describe("Unique identifier for this resource: hexadecimal representation of the SHA1 checksum of the resource."))
            .block("subject", subject);
        Schema { version: 0, block: san_attrs(b) }
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        validate_names(config, &mut d);
        d
    }
    fn create(&self, planned: &Obj) -> Result<Obj, Diagnostics> {
        let kp = parse_signing_key(&get_str(planned, "private_key_pem").unwrap_or_default(), "private_key_pem")?;
        let mut params = CertificateParams::default();
        params.distinguished_name = distinguished_name(planned);
        params.subject_alt_names = sans(planned)?;
        let csr = params.serialize_request(&kp).map_err(|e| rcgen_err("certificate request", e))?;
        let pem = csr.pem().map_err(|e| rcgen_err("certificate request", e))?;
        let mut o = planned.clone();
        o.insert("key_algorithm".into(), str_val(key_algorithm_of(&kp)));
        o.insert("id".into(), str_val(hash_for_state(csr.der().as_ref())));
        o.insert("cert_request_pem".into(), str_val(pem));
        Ok(o)
    }
}

// ---- tls_locally_signed_cert -----------------------------------------------------------

pub(crate) struct LocallySignedCert;

impl Resource for LocallySignedCert {
    fn type_name(&self) -> &'static str {
        "tls_locally_signed_cert"
    }
    fn schema(&self) -> Schema {
        let b = Block::new()
            .attr("cert_request_pem", Attribute::required(Type::String).force_new().describe("Certificate request data in [PEM (RFC 1421)](https://datatracker.ietf.org/doc/html/rfc1421) format."))
            .attr("ca_private_key_pem", Attribute::required(Type::String).sensitive().force_new().describe("Private key of the Certificate Authority (CA) used to sign the certificate, in [PEM (RFC 1421)](https://datatracker.ietf.org/doc/html/rfc1421) format."))
            .attr("ca_cert_pem", Attribute::required(Type::String).force_new().describe("Certificate data of the Certificate Authority (CA) in [PEM (RFC 1421)](https://datatracker.ietf.org/doc/html/rfc1421) format."))
            .attr("ca_key_algorithm", Attribute::computed(Type::String).describe("Name of the algorithm used when generating the private key provided in `ca_private_key_pem`. "));
        Schema { version: 0, block: cert_attrs(b, false) }
    }
    fn defaults(&self) -> Vec<(&'static str, Value)> {
        cert_defaults(false)
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        validate_cert(config, &mut d);
        d
    }
    fn plan_update(&self, prior: &Obj, planned: &mut Obj, rr: &mut Vec<AttrPath>) {
        plan_cert_update(prior, planned, rr)
    }
    fn create(&self, planned: &Obj) -> Result<Obj, Diagnostics> {
        let ca_key = parse_signing_key(&get_str(planned, "ca_private_key_pem").unwrap_or_default(), "ca_private_key_pem")?;
        let ca_pem = get_str(planned, "ca_cert_pem").unwrap_or_default();
        let (_, ca_der) = crate::der::pem_decode_one(&ca_pem).map_err(|e| tls_error("invalid ca_cert_pem", format!("{e}.")))?;
        let (_, ca_cert) = x509_parser::parse_x509_certificate(&ca_der)
            .map_err(|e| tls_error("invalid ca_cert_pem", format!("The CA certificate cannot be parsed: {e}.")))?;
        // The CA key must match the CA certificate.
        if ca_cert.public_key().raw != rcgen::PublicKeyData::subject_public_key_info(&ca_key).as_slice() {
            return Err(Diagnostics::from(
                error("CA key does not match the CA certificate", "The public key of ca_private_key_pem differs from the one in ca_cert_pem.")
                    .with_help("pass the private key that belongs to the CA certificate"),
            ));
        }
        let ca_has_skid = ca_cert.extensions().iter().any(|e| e.oid.to_id_string() == "2.5.29.14");
        let issuer = rcgen::Issuer::from_ca_cert_pem(&ca_pem, &ca_key).map_err(|e| rcgen_err("certificate", e))?;
        let csr_pem = get_str(planned, "cert_request_pem").unwrap_or_default();
        let mut csr = rcgen::CertificateSigningRequestParams::from_pem(&csr_pem).map_err(|e| {
            tls_error("invalid cert_request_pem", format!("The certificate request cannot be parsed or its signature is invalid: {e}."))
        })?;
        let pub_bits = rcgen::PublicKeyData::der_bytes(&csr.public_key).to_vec();
        let (start, end, serial) = apply_cert_settings(&mut csr.params, planned, &pub_bits)?;
        csr.params.use_authority_key_identifier_extension = ca_has_skid;
        let cert = csr.signed_by(&issuer).map_err(|e| rcgen_err("certificate", e))?;
        let mut o = planned.clone();
        o.insert("ca_key_algorithm".into(), str_val(key_algorithm_of(&ca_key)));
        put_cert(&mut o, cert.pem(), start, end, serial);
        Ok(o)
    }
    fn update(&self, _prior: &Obj, planned: &Obj) -> Result<Obj, Diagnostics> {
        Ok(update_cert(planned))
    }
    fn read(&self, state: &Obj) -> Result<Option<Obj>, Diagnostics> {
        Ok(Some(read_cert(state)))
    }
}

// ---- data tls_public_key ---------------------------------------------------------------

pub(crate) struct PublicKeyData;

impl DataSource for PublicKeyData {
    fn type_name(&self) -> &'static str {
        "tls_public_key"
    }
    fn schema(&self) -> Schema {
        let b = Block::new()
            .attr("private_key_pem", Attribute::optional(Type::String).sensitive().describe("The private key (in  [PEM (RFC 1421)](https://datatracker.ietf.org/doc/html/rfc1421) format) to extract the public key from. This is _mutually exclusive_ with `private_key_openssh`. Currently-supported algorithms for keys are: `RSA`, `ECDSA`, `ED25519`. "))
            .attr("private_key_openssh", Attribute::optional(Type::String).sensitive().describe("The private key (in  [OpenSSH PEM (RFC 4716)](https://datatracker.ietf.org/doc/html/rfc4716) format) to extract the public key from. This is _mutually exclusive_ with `private_key_pem`. Currently-supported algorithms for keys are: `RSA`, `ECDSA`, `ED25519`. "))
            .attr("algorithm", Attribute::computed(Type::String).describe("The name of the algorithm used by the given private key. Possible values are: `RSA`, `ECDSA`, `ED25519`. "))
            .attr("id", Attribute::computed(Type::String).describe("Unique identifier for this data source: hexadecimal representation of the SHA1 checksum of the data source."));
        Schema { version: 0, block: public_key_attrs(b) }
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        let set = |k: &str| config.get_attr(k).is_some_and(|v| !v.is_null());
        if set("private_key_pem") == set("private_key_openssh") {
            return Diagnostic::error("invalid combination of arguments")
                .with_detail("Exactly one of private_key_pem or private_key_openssh must be set.")
                .with_help("set one of private_key_pem, private_key_openssh")
                .into();
        }
        Diagnostics::new()
    }
    fn read(&self, config: &Obj) -> Result<Obj, Diagnostics> {
        let text = get_str(config, "private_key_pem").or_else(|| get_str(config, "private_key_openssh")).unwrap_or_default();
        let key = Key::from_pem(&text).map_err(|e| tls_error("invalid private key", format!("{e}.")))?;
        let mut o = config.clone();
        o.insert("algorithm".into(), str_val(key.algorithm()));
        o.insert("public_key_pem".into(), str_val(key.public_key_pem()));
        o.insert("public_key_openssh".into(), str_val(key.public_key_openssh()));
        o.insert("public_key_fingerprint_md5".into(), str_val(key.fingerprint_md5()));
        o.insert("public_key_fingerprint_sha256".into(), str_val(key.fingerprint_sha256()));
        o.insert("id".into(), str_val(hash_for_state(&key.spki())));
        Ok(o)
    }
}

// ---- data tls_certificate --------------------------------------------------------------

pub(crate) struct CertificateData;

fn certificate_object_type() -> Type {
    Type::object([
        ("signature_algorithm", Type::String),
        ("public_key_algorithm", Type::String),
        ("serial_number", Type::String),
        ("is_ca", Type::Bool),
        ("version", Type::Number),
        ("issuer", Type::String),
        ("subject", Type::String),
        ("not_before", Type::String),
        ("not_after", Type::String),
        ("sha1_fingerprint", Type::String),
        ("cert_pem", Type::String),
    ])
}

/// Go's `pkix.Name.String()`: RDNs most-specific first, `TYPE=value` joined by commas.
fn go_name(name: &x509_parser::x509::X509Name<'_>) -> String {
    let mut parts = Vec::new();
    for rdn in name.iter_rdn() {
        let mut attrs = Vec::new();
        for a in rdn.iter() {
            let oid = a.attr_type().to_id_string();
            let short = match oid.as_str() {
                "2.5.4.6" => "C".to_string(),
                "2.5.4.10" => "O".to_string(),
                "2.5.4.11" => "OU".to_string(),
                "2.5.4.3" => "CN".to_string(),
                "2.5.4.5" => "SERIALNUMBER".to_string(),
                "2.5.4.7" => "L".to_string(),
                "2.5.4.8" => "ST".to_string(),
                "2.5.4.9" => "STREET".to_string(),
                "2.5.4.17" => "POSTALCODE".to_string(),
                o => o.to_string(),
            };
            let v = a.as_str().map(|v| {
                let mut e = String::new();
                for (i, c) in v.chars().enumerate() {
                    if matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';') || (i == 0 && matches!(c, '#' | ' ')) {
                        e.push('\\');
                    }
                    e.push(c);
                }
                e
            });
            attrs.push(format!("{short}={}", v.unwrap_or_else(|_| format!("#{}", hex(a.attr_value().data)))));
        }
        parts.push(attrs.join("+"));
    }
    parts.reverse();
    parts.join(",")
}

fn signature_algorithm_name(oid: &str) -> &'static str {
    match oid {
        "1.2.840.113549.1.1.4" => "MD5-RSA",
        "1.2.840.113549.1.1.5" => "SHA1-RSA",
        "1.2.840.113549.1.1.11" => "SHA256-RSA",
        "1.2.840.113549.1.1.12" => "SHA384-RSA",
        "1.2.840.113549.1.1.13" => "SHA512-RSA",
        "1.2.840.113549.1.1.10" => "SHA256-RSAPSS",
        "1.2.840.10045.4.1" => "ECDSA-SHA1",
        "1.2.840.10045.4.3.2" => "ECDSA-SHA256",
        "1.2.840.10045.4.3.3" => "ECDSA-SHA384",
        "1.2.840.10045.4.3.4" => "ECDSA-SHA512",
        "1.3.101.112" => "Ed25519",
        _ => "0",
    }
}

fn certificate_value(der: &[u8]) -> Result<Value, Diagnostics> {
    let (_, c) = x509_parser::parse_x509_certificate(der)
        .map_err(|e| tls_error("invalid certificate", format!("A CERTIFICATE block cannot be parsed: {e}.")))?;
    let pk = match c.public_key().algorithm.algorithm.to_id_string().as_str() {
        "1.2.840.113549.1.1.1" => "RSA",
        "1.2.840.10045.2.1" => "ECDSA",
        "1.3.101.112" => "Ed25519",
        _ => "0",
    };
    let is_ca = c.basic_constraints().ok().flatten().is_some_and(|b| b.value.ca);
    let t = |x: x509_parser::time::ASN1Time| {
        OffsetDateTime::from_unix_timestamp(x.timestamp()).map(rfc3339).unwrap_or_default()
    };
    Ok(Value::object([
        ("signature_algorithm", str_val(signature_algorithm_name(&c.signature_algorithm.algorithm.to_id_string()))),
        ("public_key_algorithm", str_val(pk)),
        ("serial_number", str_val(crate::random::big_decimal(c.raw_serial()))),
        ("is_ca", Value::Bool(is_ca)),
        ("version", num(c.version().0 as i64 + 1)),
        ("issuer", str_val(go_name(c.issuer()))),
        ("subject", str_val(go_name(c.subject()))),
        ("not_before", str_val(t(c.validity().not_before))),
        ("not_after", str_val(t(c.validity().not_after))),
        ("sha1_fingerprint", str_val(hex(&sha1(der)))),
        ("cert_pem", str_val(crate::der::pem_encode("CERTIFICATE", der))),
    ]))
}

impl DataSource for CertificateData {
    fn type_name(&self) -> &'static str {
        "tls_certificate"
    }
    fn schema(&self) -> Schema {
        let b = Block::new()
            .attr("url", Attribute::optional(Type::String).describe("URL of the endpoint to get the certificates from. Accepted schemes are: `https`, `tls`. For scheme `https://` it will use the HTTP protocol and apply the `proxy` configuration of the provider, if set. For scheme `tls://` it will instead use a secure TCP socket. (Plinth: not supported yet; use `content`.)"))
            .attr("content", Attribute::optional(Type::String).describe("The content of the certificate in [PEM (RFC 1421)](https://datatracker.ietf.org/doc/html/rfc1421) format."))
            .attr("verify_chain", Attribute::optional(Type::Bool).describe("Whether to verify the certificate chain while parsing it or not (default: `true`)."))
            .attr("certificates", Attribute::computed(Type::list(certificate_object_type())).describe("The certificates protecting the site, with the root of the chain first."))
            .attr("id", Attribute::computed(Type::String).describe("Unique identifier of this data source: hashing of the certificates in the chain."));
        Schema { version: 0, block: b }
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        let set = |k: &str| config.get_attr(k).is_some_and(|v| !v.is_null());
        let mut d = Diagnostics::new();
        if set("url") == set("content") {
            d.push(
                Diagnostic::error("invalid combination of arguments")
                    .with_detail("Exactly one of url or content must be set.")
                    .with_help("set content = file(\"chain.pem\")"),
            );
        } else if set("url") {
            d.push(
                Diagnostic::error("tls_certificate with url is not supported")
                    .with_detail("Plinth does not fetch certificates over the network in tls_certificate yet; it reads PEM content.")
                    .with_help("fetch the chain once (e.g. `openssl s_client -showcerts`) and pass it as content"),
            );
        }
        d
    }
    fn read(&self, config: &Obj) -> Result<Obj, Diagnostics> {
        let content = get_str(config, "content").unwrap_or_default();
        let blocks = crate::der::pem_decode_all(&content).map_err(|e| tls_error("invalid content", format!("{e}.")))?;
        let mut certs = Vec::new();
        for (label, der) in blocks.iter().filter(|(l, _)| l == "CERTIFICATE") {
            let _ = label;
            certs.push(certificate_value(der)?);
        }
        if certs.is_empty() {
            return Err(Diagnostics::from(
                error("no certificates found", "The content has no PEM block of type CERTIFICATE.")
                    .with_help("pass PEM text beginning with -----BEGIN CERTIFICATE-----"),
            ));
        }
        let mut o = config.clone();
        o.insert("id".into(), str_val(hash_for_state(content.as_bytes())));
        o.insert("certificates".into(), Value::List(certificate_object_type(), certs));
        Ok(o)
    }
}
