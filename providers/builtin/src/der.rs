//! Minimal DER, PEM and OpenSSH wire-format helpers for the tls provider's key encodings
//! (PKCS#1, SEC1, PKCS#8, SubjectPublicKeyInfo, `openssh-key-v1`).

use base64::Engine;

pub(crate) const TAG_INTEGER: u8 = 0x02;
pub(crate) const TAG_BIT_STRING: u8 = 0x03;
pub(crate) const TAG_OCTET_STRING: u8 = 0x04;
pub(crate) const TAG_NULL: u8 = 0x05;
pub(crate) const TAG_OID: u8 = 0x06;
pub(crate) const TAG_SEQUENCE: u8 = 0x30;

/// Object identifiers, as their DER content bytes.
pub(crate) const OID_RSA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01];
pub(crate) const OID_EC_PUBLIC_KEY: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01];
pub(crate) const OID_P224: &[u8] = &[0x2B, 0x81, 0x04, 0x00, 0x21];
pub(crate) const OID_P256: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07];
pub(crate) const OID_P384: &[u8] = &[0x2B, 0x81, 0x04, 0x00, 0x22];
pub(crate) const OID_P521: &[u8] = &[0x2B, 0x81, 0x04, 0x00, 0x23];
pub(crate) const OID_ED25519: &[u8] = &[0x2B, 0x65, 0x70];

/// One TLV: its tag, its content, and what follows it.
pub(crate) fn read_tlv(b: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let tag = *b.first()?;
    let first = *b.get(1)?;
    let (len, hdr) = if first < 0x80 {
        (first as usize, 2)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | *b.get(2 + i)? as usize;
        }
        (len, 2 + n)
    };
    let end = hdr.checked_add(len)?;
    if end > b.len() {
        return None;
    }
    Some((tag, &b[hdr..end], &b[end..]))
}

/// The elements of a constructed value's content.
pub(crate) fn items(mut b: &[u8]) -> Option<Vec<(u8, &[u8])>> {
    let mut out = Vec::new();
    while !b.is_empty() {
        let (t, c, rest) = read_tlv(b)?;
        out.push((t, c));
        b = rest;
    }
    Some(out)
}

/// The elements of a SEQUENCE given as a whole TLV.
pub(crate) fn seq(b: &[u8]) -> Option<Vec<(u8, &[u8])>> {
    let (t, c, _) = read_tlv(b)?;
    if t != TAG_SEQUENCE {
        return None;
    }
    items(c)
}

pub(crate) fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes: Vec<u8> = n.to_be_bytes().iter().copied().skip_while(|b| *b == 0).collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

pub(crate) fn sequence(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(TAG_SEQUENCE, &parts.concat())
}

/// An unsigned big-endian integer as a DER INTEGER.
pub(crate) fn uint(bytes: &[u8]) -> Vec<u8> {
    tlv(TAG_INTEGER, &twos_complement_unsigned(bytes))
}

pub(crate) fn small_int(v: u8) -> Vec<u8> {
    tlv(TAG_INTEGER, &[v])
}

pub(crate) fn oid(o: &[u8]) -> Vec<u8> {
    tlv(TAG_OID, o)
}

pub(crate) fn bit_string(bytes: &[u8]) -> Vec<u8> {
    let mut c = vec![0u8];
    c.extend_from_slice(bytes);
    tlv(TAG_BIT_STRING, &c)
}

/// Minimal unsigned encoding with a leading zero when the top bit is set.
pub(crate) fn twos_complement_unsigned(bytes: &[u8]) -> Vec<u8> {
    let trimmed: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
    if trimmed.is_empty() {
        return vec![0];
    }
    if trimmed[0] & 0x80 != 0 {
        let mut v = vec![0];
        v.extend(trimmed);
        v
    } else {
        trimmed
    }
}

/// The unsigned magnitude of a DER INTEGER's content.
pub(crate) fn uint_content(c: &[u8]) -> Vec<u8> {
    let v: Vec<u8> = c.iter().copied().skip_while(|b| *b == 0).collect();
    if v.is_empty() {
        vec![0]
    } else {
        v
    }
}

// ---- PEM -------------------------------------------------------------------------------

/// PEM encoding as Go's `pem.EncodeToMemory` writes it (64-column lines, trailing newline).
pub(crate) fn pem_encode(label: &str, der: &[u8]) -> String {
    let b = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// Every PEM block in `text`: (label, DER bytes). Blocks with headers (encrypted keys) are
/// reported with the label prefixed by `ENCRYPTED `.
pub(crate) fn pem_decode_all(text: &str) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut out = Vec::new();
    let mut lines = text.lines().map(str::trim);
    while let Some(line) = lines.next() {
        let Some(label) = line.strip_prefix("-----BEGIN ").and_then(|l| l.strip_suffix("-----")) else {
            continue;
        };
        let mut body = String::new();
        let mut has_headers = false;
        let mut ended = false;
        for l in lines.by_ref() {
            if l.starts_with("-----END ") {
                ended = true;
                break;
            }
            if l.contains(':') {
                has_headers = true;
                continue;
            }
            body.push_str(l);
        }
        if !ended {
            return Err(format!("the PEM block {label:?} has no END line"));
        }
        let der = base64::engine::general_purpose::STANDARD
            .decode(body.as_bytes())
            .map_err(|e| format!("the PEM block {label:?} is not valid base64: {e}"))?;
        let label = if has_headers { format!("ENCRYPTED {label}") } else { label.to_string() };
        out.push((label, der));
    }
    Ok(out)
}

pub(crate) fn pem_decode_one(text: &str) -> Result<(String, Vec<u8>), String> {
    pem_decode_all(text)?
        .into_iter()
        .next()
        .ok_or_else(|| "no PEM block was found (expected \"-----BEGIN ...-----\")".to_string())
}

// ---- OpenSSH wire format ---------------------------------------------------------------

#[derive(Default)]
pub(crate) struct SshWriter(pub Vec<u8>);

impl SshWriter {
    pub(crate) fn u32(&mut self, v: u32) -> &mut Self {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }
    pub(crate) fn string(&mut self, s: &[u8]) -> &mut Self {
        self.u32(s.len() as u32);
        self.0.extend_from_slice(s);
        self
    }
    pub(crate) fn mpint(&mut self, unsigned: &[u8]) -> &mut Self {
        let t: Vec<u8> = unsigned.iter().copied().skip_while(|b| *b == 0).collect();
        if t.is_empty() {
            return self.u32(0);
        }
        let v = twos_complement_unsigned(&t);
        self.string(&v)
    }
    pub(crate) fn raw(&mut self, b: &[u8]) -> &mut Self {
        self.0.extend_from_slice(b);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tlv_round_trip_long_lengths() {
        let content = vec![7u8; 300];
        let t = tlv(TAG_OCTET_STRING, &content);
        assert_eq!(&t[..4], &[0x04, 0x82, 0x01, 0x2c]);
        let (tag, c, rest) = read_tlv(&t).unwrap();
        assert_eq!((tag, c.len(), rest.len()), (TAG_OCTET_STRING, 300, 0));
    }

    #[test]
    fn integers_get_a_sign_byte() {
        assert_eq!(uint(&[0x80]), vec![0x02, 0x02, 0x00, 0x80]);
        assert_eq!(uint(&[0x00, 0x7f]), vec![0x02, 0x01, 0x7f]);
        assert_eq!(uint(&[]), vec![0x02, 0x01, 0x00]);
    }

    #[test]
    fn pem_round_trip() {
        let der: Vec<u8> = (0..=255u8).collect();
        let p = pem_encode("TEST", &der);
        assert!(p.lines().skip(1).take(5).all(|l| l.len() <= 64));
        assert_eq!(pem_decode_one(&p).unwrap(), ("TEST".to_string(), der));
        assert!(pem_decode_one("nothing").is_err());
    }
}
