//! Private keys for the tls provider: generation (aws-lc-rs), parsing of PEM private keys
//! (PKCS#1, SEC1, PKCS#8, OpenSSH), and the encodings `tls_private_key` exposes, byte for
//! byte as Go's `crypto/x509` and `golang.org/x/crypto/ssh` produce them.

use crate::common::{b64, md5, random_bytes, sha256};
use crate::der::*;
use aws_lc_rs::encoding::{AsBigEndian, AsDer};
use aws_lc_rs::signature::KeyPair as _;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Curve {
    P224,
    P256,
    P384,
    P521,
}

impl Curve {
    pub(crate) fn parse(s: &str) -> Option<Curve> {
        match s {
            "P224" => Some(Curve::P224),
            "P256" => Some(Curve::P256),
            "P384" => Some(Curve::P384),
            "P521" => Some(Curve::P521),
            _ => None,
        }
    }
    fn oid(self) -> &'static [u8] {
        match self {
            Curve::P224 => OID_P224,
            Curve::P256 => OID_P256,
            Curve::P384 => OID_P384,
            Curve::P521 => OID_P521,
        }
    }
    fn from_oid(o: &[u8]) -> Option<Curve> {
        [Curve::P224, Curve::P256, Curve::P384, Curve::P521].into_iter().find(|c| c.oid() == o)
    }
    fn scalar_len(self) -> usize {
        match self {
            Curve::P224 => 28,
            Curve::P256 => 32,
            Curve::P384 => 48,
            Curve::P521 => 66,
        }
    }
    /// OpenSSH's curve identifier; P-224 has none.
    fn ssh_name(self) -> Option<&'static str> {
        match self {
            Curve::P224 => None,
            Curve::P256 => Some("nistp256"),
            Curve::P384 => Some("nistp384"),
            Curve::P521 => Some("nistp521"),
        }
    }
    fn signing_alg(self) -> Option<&'static aws_lc_rs::signature::EcdsaSigningAlgorithm> {
        use aws_lc_rs::signature::*;
        match self {
            Curve::P224 => None,
            Curve::P256 => Some(&ECDSA_P256_SHA256_ASN1_SIGNING),
            Curve::P384 => Some(&ECDSA_P384_SHA384_ASN1_SIGNING),
            Curve::P521 => Some(&ECDSA_P521_SHA512_ASN1_SIGNING),
        }
    }
}

/// A private key with every component the encodings need.
#[derive(Clone)]
pub(crate) enum Key {
    Rsa(RsaParts),
    Ec { curve: Curve, d: Vec<u8>, public: Vec<u8> },
    Ed25519 { seed: Vec<u8>, public: Vec<u8> },
}

#[derive(Clone)]
pub(crate) struct RsaParts {
    /// The PKCS#1 `RSAPrivateKey` DER.
    pub pkcs1: Vec<u8>,
    pub n: Vec<u8>,
    pub e: Vec<u8>,
    pub d: Vec<u8>,
    pub p: Vec<u8>,
    pub q: Vec<u8>,
    pub qinv: Vec<u8>,
}

fn rsa_from_pkcs1(der: &[u8]) -> Result<RsaParts, String> {
    let it = seq(der).ok_or("the RSA private key is not valid DER")?;
    if it.len() < 9 || it.iter().take(9).any(|(t, _)| *t != TAG_INTEGER) {
        return Err("the RSA private key does not have the PKCS#1 fields".into());
    }
    let g = |i: usize| uint_content(it[i].1);
    Ok(RsaParts { pkcs1: der.to_vec(), n: g(1), e: g(2), d: g(3), p: g(4), q: g(5), qinv: g(8) })
}

fn ec_from_private_der(curve: Curve, sec1_or_pkcs8: &[u8], is_pkcs8: bool) -> Result<Key, String> {
    if curve == Curve::P224 {
        // aws-lc has no P-224 signing API: read the scalar from the DER ourselves.
        let sec1 = if is_pkcs8 {
            let it = seq(sec1_or_pkcs8).ok_or("the PKCS#8 private key is not valid DER")?;
            it.get(2).filter(|(t, _)| *t == TAG_OCTET_STRING).map(|(_, c)| c.to_vec()).ok_or("the PKCS#8 private key is malformed")?
        } else {
            sec1_or_pkcs8.to_vec()
        };
        let it = seq(&sec1).ok_or("the EC private key is not valid DER")?;
        let d = it.get(1).filter(|(t, _)| *t == TAG_OCTET_STRING).map(|(_, c)| c.to_vec()).ok_or("the EC private key is malformed")?;
        return p224_from_scalar(&d);
    }
    let alg = curve.signing_alg().ok_or_else(p224_unsupported)?;
    let kp = if is_pkcs8 {
        aws_lc_rs::signature::EcdsaKeyPair::from_pkcs8(alg, sec1_or_pkcs8)
    } else {
        aws_lc_rs::signature::EcdsaKeyPair::from_private_key_der(alg, sec1_or_pkcs8)
    }
    .map_err(|e| format!("the ECDSA private key was rejected: {e}"))?;
    let public = kp.public_key().as_ref().to_vec();
    let d = kp
        .private_key()
        .as_be_bytes()
        .map_err(|_| "the ECDSA private key cannot be serialised".to_string())?
        .as_ref()
        .to_vec();
    Ok(Key::Ec { curve, d, public })
}

pub(crate) const RSA_MIN_BITS: i64 = 1024;
pub(crate) const RSA_MAX_BITS: i64 = 16384;

/// RSA sizes aws-lc does not generate (e.g. 1024 or 2560 bits) come from RustCrypto `rsa`.
fn rsa_generate_any(bits: usize) -> Result<Key, String> {
    use rsa::pkcs1::EncodeRsaPrivateKey;
    let mut rng = rsa::rand_core::OsRng;
    let k = rsa::RsaPrivateKey::new(&mut rng, bits).map_err(|e| format!("RSA key generation failed: {e}"))?;
    let der = k.to_pkcs1_der().map_err(|e| format!("RSA key serialisation failed: {e}"))?;
    Ok(Key::Rsa(rsa_from_pkcs1(der.as_bytes())?))
}

/// A P-224 key from its scalar (RustCrypto `p224` computes the public point).
fn p224_from_scalar(d: &[u8]) -> Result<Key, String> {
    use p224::elliptic_curve::sec1::ToEncodedPoint;
    let mut padded = vec![0u8; 28usize.saturating_sub(d.len())];
    padded.extend_from_slice(d);
    let sk = p224::SecretKey::from_slice(&padded).map_err(|_| "the P224 private key is invalid".to_string())?;
    let public = sk.public_key().to_encoded_point(false).as_bytes().to_vec();
    Ok(Key::Ec { curve: Curve::P224, d: padded, public })
}

/// Generates a P-224 key: a uniformly random scalar in [1, n) by rejection.
fn p224_generate() -> Result<Key, String> {
    for _ in 0..64 {
        let d = random_bytes(28).map_err(|e| e.summary)?;
        if let Ok(k) = p224_from_scalar(&d) {
            return Ok(k);
        }
    }
    Err("P224 key generation failed".into())
}

pub(crate) fn p224_unsupported() -> String {
    "ECDSA keys on curve P224 cannot sign certificates in Plinth (its X.509 library has no P-224 signatures); use P256, P384 or P521".into()
}

impl Key {
    pub(crate) fn algorithm(&self) -> &'static str {
        match self {
            Key::Rsa(_) => "RSA",
            Key::Ec { .. } => "ECDSA",
            Key::Ed25519 { .. } => "ED25519",
        }
    }

    /// Generates a key (`rsa_bits` for RSA, `curve` for ECDSA).
    pub(crate) fn generate(algorithm: &str, rsa_bits: i64, curve: &str) -> Result<Key, String> {
        match algorithm {
            "RSA" => {
                use aws_lc_rs::rsa::KeySize;
                let size = match rsa_bits {
                    2048 => KeySize::Rsa2048,
                    3072 => KeySize::Rsa3072,
                    4096 => KeySize::Rsa4096,
                    8192 => KeySize::Rsa8192,
                    b if (RSA_MIN_BITS..=RSA_MAX_BITS).contains(&b) => return rsa_generate_any(b as usize),
                    b => return Err(format!("RSA keys of {b} bits are not supported; rsa_bits must be between {RSA_MIN_BITS} and {RSA_MAX_BITS}")),
                };
                let kp = aws_lc_rs::rsa::KeyPair::generate(size).map_err(|_| "RSA key generation failed".to_string())?;
                let pkcs8: aws_lc_rs::encoding::Pkcs8V1Der = kp.as_der().map_err(|_| "RSA key serialisation failed".to_string())?;
                Key::from_pkcs8(pkcs8.as_ref())
            }
            "ECDSA" => {
                let c = Curve::parse(curve).ok_or_else(|| format!("unknown curve {curve:?}"))?;
                if c == Curve::P224 {
                    return p224_generate();
                }
                let alg = c.signing_alg().ok_or_else(p224_unsupported)?;
                let kp = aws_lc_rs::signature::EcdsaKeyPair::generate(alg).map_err(|_| "ECDSA key generation failed".to_string())?;
                let doc = kp.to_pkcs8v1().map_err(|_| "ECDSA key serialisation failed".to_string())?;
                Key::from_pkcs8(doc.as_ref())
            }
            "ED25519" => {
                let kp = aws_lc_rs::signature::Ed25519KeyPair::generate().map_err(|_| "ED25519 key generation failed".to_string())?;
                let doc = kp.to_pkcs8v1().map_err(|_| "ED25519 key serialisation failed".to_string())?;
                Key::from_pkcs8(doc.as_ref())
            }
            a => Err(format!("unknown algorithm {a:?}")),
        }
    }

    pub(crate) fn from_pkcs8(der: &[u8]) -> Result<Key, String> {
        let it = seq(der).ok_or("the PKCS#8 private key is not valid DER")?;
        if it.len() < 3 || it[1].0 != TAG_SEQUENCE || it[2].0 != TAG_OCTET_STRING {
            return Err("the PKCS#8 private key is malformed".into());
        }
        let alg = items(it[1].1).ok_or("the PKCS#8 algorithm is malformed")?;
        let alg_oid = alg.first().filter(|(t, _)| *t == TAG_OID).map(|(_, c)| *c).ok_or("the PKCS#8 algorithm is malformed")?;
        let inner = it[2].1;
        if alg_oid == OID_RSA {
            Ok(Key::Rsa(rsa_from_pkcs1(inner)?))
        } else if alg_oid == OID_EC_PUBLIC_KEY {
            let curve_oid = alg.get(1).filter(|(t, _)| *t == TAG_OID).map(|(_, c)| *c).ok_or("the ECDSA key names no curve")?;
            let curve = Curve::from_oid(curve_oid).ok_or("the ECDSA key uses an unsupported curve")?;
            ec_from_private_der(curve, der, true)
        } else if alg_oid == OID_ED25519 {
            let (t, seed, _) = read_tlv(inner).ok_or("the ED25519 key is malformed")?;
            if t != TAG_OCTET_STRING || seed.len() != 32 {
                return Err("the ED25519 key is malformed".into());
            }
            let kp = aws_lc_rs::signature::Ed25519KeyPair::from_seed_unchecked(seed)
                .map_err(|e| format!("the ED25519 key was rejected: {e}"))?;
            Ok(Key::Ed25519 { seed: seed.to_vec(), public: kp.public_key().as_ref().to_vec() })
        } else {
            Err("the PKCS#8 key uses an unsupported algorithm".into())
        }
    }

    /// Parses a PEM private key: `RSA PRIVATE KEY`, `EC PRIVATE KEY`, `PRIVATE KEY` or
    /// `OPENSSH PRIVATE KEY` (unencrypted).
    pub(crate) fn from_pem(text: &str) -> Result<Key, String> {
        let (label, der) = pem_decode_one(text)?;
        match label.as_str() {
            "RSA PRIVATE KEY" => Ok(Key::Rsa(rsa_from_pkcs1(&der)?)),
            "EC PRIVATE KEY" => {
                let it = seq(&der).ok_or("the EC private key is not valid DER")?;
                let params = it.iter().find(|(t, _)| *t == 0xA0).ok_or("the EC private key names no curve")?;
                let (_, curve_oid, _) = read_tlv(params.1).ok_or("the EC private key's curve is malformed")?;
                let curve = Curve::from_oid(curve_oid).ok_or("the EC private key uses an unsupported curve")?;
                ec_from_private_der(curve, &der, false)
            }
            "PRIVATE KEY" => Key::from_pkcs8(&der),
            "OPENSSH PRIVATE KEY" => Key::from_openssh(&der),
            l if l.starts_with("ENCRYPTED") => Err("encrypted private keys are not supported".into()),
            l => Err(format!("a PEM block of type {l:?} is not a private key")),
        }
    }

    /// The traditional PEM form upstream's `private_key_pem` uses.
    pub(crate) fn private_key_pem(&self) -> String {
        match self {
            Key::Rsa(r) => pem_encode("RSA PRIVATE KEY", &r.pkcs1),
            Key::Ec { curve, .. } => pem_encode("EC PRIVATE KEY", &self.sec1(Some(*curve))),
            Key::Ed25519 { .. } => self.private_key_pem_pkcs8(),
        }
    }

    /// SEC1 `ECPrivateKey`, with the curve parameters when `params` is given.
    fn sec1(&self, params: Option<Curve>) -> Vec<u8> {
        let Key::Ec { curve, d, public } = self else { return Vec::new() };
        let mut padded = vec![0u8; curve.scalar_len().saturating_sub(d.len())];
        padded.extend_from_slice(d);
        let mut parts = vec![small_int(1), tlv(TAG_OCTET_STRING, &padded)];
        if let Some(c) = params {
            parts.push(tlv(0xA0, &oid(c.oid())));
        }
        parts.push(tlv(0xA1, &bit_string(public)));
        sequence(&parts)
    }

    pub(crate) fn pkcs8(&self) -> Vec<u8> {
        match self {
            Key::Rsa(r) => sequence(&[
                small_int(0),
                sequence(&[oid(OID_RSA), tlv(TAG_NULL, &[])]),
                tlv(TAG_OCTET_STRING, &r.pkcs1),
            ]),
            Key::Ec { curve, .. } => sequence(&[
                small_int(0),
                sequence(&[oid(OID_EC_PUBLIC_KEY), oid(curve.oid())]),
                tlv(TAG_OCTET_STRING, &self.sec1(None)),
            ]),
            Key::Ed25519 { seed, .. } => sequence(&[
                small_int(0),
                sequence(&[oid(OID_ED25519)]),
                tlv(TAG_OCTET_STRING, &tlv(TAG_OCTET_STRING, seed)),
            ]),
        }
    }

    pub(crate) fn private_key_pem_pkcs8(&self) -> String {
        pem_encode("PRIVATE KEY", &self.pkcs8())
    }

    /// DER SubjectPublicKeyInfo.
    pub(crate) fn spki(&self) -> Vec<u8> {
        match self {
            Key::Rsa(r) => sequence(&[
                sequence(&[oid(OID_RSA), tlv(TAG_NULL, &[])]),
                bit_string(&sequence(&[uint(&r.n), uint(&r.e)])),
            ]),
            Key::Ec { curve, public, .. } => sequence(&[
                sequence(&[oid(OID_EC_PUBLIC_KEY), oid(curve.oid())]),
                bit_string(public),
            ]),
            Key::Ed25519 { public, .. } => sequence(&[sequence(&[oid(OID_ED25519)]), bit_string(public)]),
        }
    }

    pub(crate) fn public_key_pem(&self) -> String {
        pem_encode("PUBLIC KEY", &self.spki())
    }

    /// The SSH wire-format public key, or `None` when OpenSSH cannot represent it (P-224).
    pub(crate) fn ssh_public_wire(&self) -> Option<(String, Vec<u8>)> {
        let mut w = SshWriter::default();
        let kind = match self {
            Key::Rsa(r) => {
                w.string(b"ssh-rsa").mpint(&r.e).mpint(&r.n);
                "ssh-rsa".to_string()
            }
            Key::Ec { curve, public, .. } => {
                let name = curve.ssh_name()?;
                let kind = format!("ecdsa-sha2-{name}");
                w.string(kind.as_bytes()).string(name.as_bytes()).string(public);
                kind
            }
            Key::Ed25519 { public, .. } => {
                w.string(b"ssh-ed25519").string(public);
                "ssh-ed25519".to_string()
            }
        };
        Some((kind, w.0))
    }

    /// `authorized_keys` line (with trailing newline), or "" for P-224 as upstream.
    pub(crate) fn public_key_openssh(&self) -> String {
        match self.ssh_public_wire() {
            Some((kind, wire)) => format!("{kind} {}\n", b64(&wire)),
            None => String::new(),
        }
    }

    pub(crate) fn fingerprint_md5(&self) -> String {
        match self.ssh_public_wire() {
            Some((_, wire)) => md5(&wire).iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(":"),
            None => String::new(),
        }
    }

    pub(crate) fn fingerprint_sha256(&self) -> String {
        use base64::Engine;
        match self.ssh_public_wire() {
            Some((_, wire)) => format!("SHA256:{}", base64::engine::general_purpose::STANDARD_NO_PAD.encode(sha256(&wire))),
            None => String::new(),
        }
    }

    /// `openssh-key-v1` private key (unencrypted, empty comment), PEM-wrapped as Go's
    /// `ssh.MarshalPrivateKey` does; "" for P-224.
    pub(crate) fn private_key_openssh(&self) -> Result<String, String> {
        let Some((kind, wire)) = self.ssh_public_wire() else { return Ok(String::new()) };
        let check = random_bytes(4).map_err(|d| d.summary)?;
        let mut p = SshWriter::default();
        p.raw(&check).raw(&check).string(kind.as_bytes());
        match self {
            Key::Rsa(r) => {
                p.mpint(&r.n).mpint(&r.e).mpint(&r.d).mpint(&r.qinv).mpint(&r.p).mpint(&r.q);
            }
            Key::Ec { curve, d, public } => {
                p.string(curve.ssh_name().unwrap_or_default().as_bytes()).string(public).mpint(d);
            }
            Key::Ed25519 { seed, public } => {
                let mut full = seed.clone();
                full.extend_from_slice(public);
                p.string(public).string(&full);
            }
        }
        p.string(b"");
        let mut i = 1u8;
        while p.0.len() % 8 != 0 {
            p.raw(&[i]);
            i += 1;
        }
        let mut w = SshWriter::default();
        w.raw(b"openssh-key-v1\0")
            .string(b"none")
            .string(b"none")
            .string(b"")
            .u32(1)
            .string(&wire)
            .string(&p.0);
        Ok(pem_encode("OPENSSH PRIVATE KEY", &w.0))
    }

    /// Parses an unencrypted `openssh-key-v1` private key.
    fn from_openssh(b: &[u8]) -> Result<Key, String> {
        let mut r = SshReader(b);
        let magic = r.take(15).ok_or("truncated OpenSSH key")?;
        if magic != b"openssh-key-v1\0" {
            return Err("not an openssh-key-v1 private key".into());
        }
        let cipher = r.string().ok_or("truncated OpenSSH key")?;
        if cipher != b"none" {
            return Err("encrypted OpenSSH private keys are not supported".into());
        }
        r.string().ok_or("truncated OpenSSH key")?; // kdf
        r.string().ok_or("truncated OpenSSH key")?; // kdf options
        r.u32().ok_or("truncated OpenSSH key")?; // count
        r.string().ok_or("truncated OpenSSH key")?; // public key
        let private = r.string().ok_or("truncated OpenSSH key")?;
        let mut p = SshReader(private);
        p.take(8).ok_or("truncated OpenSSH key")?;
        let kind = p.string().ok_or("truncated OpenSSH key")?;
        let bad = || "malformed OpenSSH private key".to_string();
        match kind {
            b"ssh-rsa" => {
                let n = p.string().ok_or_else(bad)?.to_vec();
                let e = p.string().ok_or_else(bad)?.to_vec();
                let d = p.string().ok_or_else(bad)?.to_vec();
                let qinv = p.string().ok_or_else(bad)?.to_vec();
                let pp = p.string().ok_or_else(bad)?.to_vec();
                let q = p.string().ok_or_else(bad)?.to_vec();
                rsa_from_components(&n, &e, &d, &pp, &q, &qinv)
            }
            b"ssh-ed25519" => {
                p.string().ok_or_else(bad)?;
                let full = p.string().ok_or_else(bad)?;
                if full.len() != 64 {
                    return Err(bad());
                }
                Key::from_pkcs8(&sequence(&[
                    small_int(0),
                    sequence(&[oid(OID_ED25519)]),
                    tlv(TAG_OCTET_STRING, &tlv(TAG_OCTET_STRING, &full[..32])),
                ]))
            }
            k if k.starts_with(b"ecdsa-sha2-") => {
                let name = p.string().ok_or_else(bad)?;
                let curve = match name {
                    b"nistp256" => Curve::P256,
                    b"nistp384" => Curve::P384,
                    b"nistp521" => Curve::P521,
                    _ => return Err(bad()),
                };
                let public = p.string().ok_or_else(bad)?.to_vec();
                let d = uint_content(p.string().ok_or_else(bad)?);
                let k = Key::Ec { curve, d, public };
                // Validate through aws-lc.
                ec_from_private_der(curve, &k.sec1(Some(curve)), false)
            }
            _ => Err(format!("unsupported OpenSSH key type {:?}", String::from_utf8_lossy(kind))),
        }
    }
}

/// Builds PKCS#1 from components (dp and dq computed by aws-lc when parsing is not
/// available here, so we compute them with a small big-integer routine).
fn rsa_from_components(n: &[u8], e: &[u8], d: &[u8], p: &[u8], q: &[u8], qinv: &[u8]) -> Result<Key, String> {
    let dp = big_mod(&uint_content(d), &big_sub_one(&uint_content(p)));
    let dq = big_mod(&uint_content(d), &big_sub_one(&uint_content(q)));
    let pkcs1 = sequence(&[small_int(0), uint(n), uint(e), uint(d), uint(p), uint(q), uint(&dp), uint(&dq), uint(qinv)]);
    // Consistency check: e·d ≡ 1 (mod p−1) is implied by dp = d mod (p−1) being invertible;
    // we check the cheaper n = p·q instead (aws-lc rejects keys under 2048 bits, so it cannot
    // validate every key users hold).
    if big_mul(&uint_content(p), &uint_content(q)) != uint_content(n) {
        return Err("the RSA key is inconsistent (n is not p·q)".into());
    }
    Ok(Key::Rsa(rsa_from_pkcs1(&pkcs1)?))
}

/// a·b for big-endian unsigned integers (schoolbook).
fn big_mul(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut r = vec![0u32; a.len() + b.len()];
    for (i, &x) in a.iter().enumerate().rev() {
        let mut carry = 0u32;
        for (j, &y) in b.iter().enumerate().rev() {
            let k = i + j + 1;
            let v = r[k] + x as u32 * y as u32 + carry;
            r[k] = v & 0xff;
            carry = v >> 8;
        }
        r[i] += carry;
    }
    uint_content(&r.into_iter().map(|v| v as u8).collect::<Vec<u8>>())
}

fn big_sub_one(a: &[u8]) -> Vec<u8> {
    let mut v = a.to_vec();
    for b in v.iter_mut().rev() {
        if *b > 0 {
            *b -= 1;
            break;
        }
        *b = 0xff;
    }
    v
}

/// a mod m for big-endian unsigned integers (bitwise long division).
fn big_mod(a: &[u8], m: &[u8]) -> Vec<u8> {
    let m = uint_content(m);
    let mut r: Vec<u8> = vec![0; m.len() + 1];
    let ge = |x: &[u8], y: &[u8]| -> bool {
        // x has len m.len()+1, y has len m.len(): compare with y padded
        let mut yy = vec![0u8; x.len() - y.len()];
        yy.extend_from_slice(y);
        x >= &yy[..]
    };
    for byte in a {
        for bit in (0..8).rev() {
            // r = r*2 + bit
            let mut carry = (byte >> bit) & 1;
            for x in r.iter_mut().rev() {
                let v = ((*x as u16) << 1) | carry as u16;
                *x = v as u8;
                carry = (v >> 8) as u8;
            }
            if ge(&r, &m) {
                // r -= m
                let mut borrow = 0i16;
                let off = r.len() - m.len();
                for i in (0..r.len()).rev() {
                    let mv = if i >= off { m[i - off] as i16 } else { 0 };
                    let mut v = r[i] as i16 - mv - borrow;
                    if v < 0 {
                        v += 256;
                        borrow = 1;
                    } else {
                        borrow = 0;
                    }
                    r[i] = v as u8;
                }
            }
        }
    }
    uint_content(&r)
}

struct SshReader<'a>(&'a [u8]);

impl<'a> SshReader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Some(a)
    }
    fn u32(&mut self) -> Option<u32> {
        let b = self.take(4)?;
        Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn string(&mut self) -> Option<&'a [u8]> {
        let n = self.u32()? as usize;
        self.take(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_mul_small_numbers() {
        assert_eq!(big_mul(&[0x01, 0x00], &[0x01, 0x00]), vec![0x01, 0x00, 0x00]);
        assert_eq!(big_mul(&[0xff, 0xff], &[0xff]), uint_content(&(0xffffu32 * 0xff).to_be_bytes()));
    }

    #[test]
    fn big_mod_small_numbers() {
        assert_eq!(big_mod(&[0x01, 0x00], &[0x07]), vec![256u32.rem_euclid(7) as u8]);
        assert_eq!(big_mod(&[0xff, 0xff, 0xff], &[0x01, 0x00, 0x01]), {
            let v = 0xffffffu32 % 0x10001;
            uint_content(&v.to_be_bytes())
        });
    }

    #[test]
    fn every_supported_key_round_trips_through_its_encodings() {
        for (alg, curve) in [("ECDSA", "P256"), ("ECDSA", "P384"), ("ECDSA", "P521"), ("ED25519", ""), ("RSA", "")] {
            let k = Key::generate(alg, 2048, curve).unwrap();
            for pem in [k.private_key_pem(), k.private_key_pem_pkcs8(), k.private_key_openssh().unwrap()] {
                let back = Key::from_pem(&pem).unwrap_or_else(|e| panic!("{alg} {curve}: {e}\n{pem}"));
                assert_eq!(back.spki(), k.spki(), "{alg} {curve}");
            }
            assert!(k.public_key_openssh().starts_with(if alg == "RSA" { "ssh-rsa " } else if alg == "ED25519" { "ssh-ed25519 " } else { "ecdsa-sha2-nistp" }));
            assert!(k.fingerprint_sha256().starts_with("SHA256:"));
            assert_eq!(k.fingerprint_md5().len(), 47);
        }
        let p224 = Key::generate("ECDSA", 0, "P224").unwrap();
        assert_eq!(p224.public_key_openssh(), "");
        assert_eq!(p224.private_key_openssh().unwrap(), "");
        for pem in [p224.private_key_pem(), p224.private_key_pem_pkcs8()] {
            assert_eq!(Key::from_pem(&pem).unwrap().spki(), p224.spki());
        }
        assert!(Key::generate("RSA", 1000, "").is_err());
        let odd = Key::generate("RSA", 1024, "").unwrap();
        let Key::Rsa(parts) = &odd else { panic!("not RSA") };
        assert_eq!(parts.n.len(), 128);
        assert_eq!(Key::from_pem(&odd.private_key_openssh().unwrap()).unwrap().spki(), odd.spki());
    }
}
