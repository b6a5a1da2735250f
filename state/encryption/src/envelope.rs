//! The encrypted payload: OpenTofu's JSON envelope around AES-256-GCM output.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The envelope version OpenTofu 1.7 writes.
pub const VERSION: &str = "v0";

#[derive(Serialize, Deserialize)]
pub(crate) struct Envelope {
    /// Key provider address → base64 of that provider's JSON metadata.
    pub meta: BTreeMap<String, String>,
    pub encrypted_data: String,
    pub encryption_version: String,
}

/// What [`crate::Encryption::decrypt_state`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decrypted {
    /// The plaintext.
    pub data: Vec<u8>,
    /// The payload was stored unencrypted (read through an `unencrypted` method): the next
    /// write encrypts it.
    pub was_plaintext: bool,
    /// A `fallback` method decrypted it (key rotation or migration pending).
    pub used_fallback: bool,
}

/// Whether `bytes` are an encryption envelope (rather than plaintext JSON).
pub fn is_envelope(bytes: &[u8]) -> bool {
    parse(bytes).is_some()
}

pub(crate) fn parse(bytes: &[u8]) -> Option<Envelope> {
    let e: Envelope = serde_json::from_slice(bytes).ok()?;
    Some(e)
}

/// AES-256-GCM with a random 96-bit nonce: `nonce ‖ ciphertext ‖ tag` (Go's `gcm.Seal`
/// with the nonce prepended, as OpenTofu stores it).
pub(crate) fn seal(key: &[u8], plain: &[u8]) -> Result<Vec<u8>, String> {
    let cipher = Aes256Gcm::new_from_slice(key).map_err(|_| format!("the key is {} bytes; aes_gcm needs 32", key.len()))?;
    let mut nonce = [0u8; 12];
    getrandom::fill(&mut nonce).map_err(|e| format!("the system random number generator failed: {e}"))?;
    let ct = cipher
        .encrypt(Nonce::from_slice(&nonce), plain)
        .map_err(|_| "AES-GCM encryption failed".to_string())?;
    let mut out = nonce.to_vec();
    out.extend_from_slice(&ct);
    Ok(out)
}

/// Opens what [`seal`] made; `None` when the key does not match (or the data was altered).
pub(crate) fn open(key: &[u8], data: &[u8]) -> Option<Vec<u8>> {
    if data.len() < 12 + 16 {
        return None;
    }
    let cipher = Aes256Gcm::new_from_slice(key).ok()?;
    cipher.decrypt(Nonce::from_slice(&data[..12]), &data[12..]).ok()
}

pub(crate) fn b64(bytes: &[u8]) -> String {
    B64.encode(bytes)
}

pub(crate) fn unb64(s: &str) -> Option<Vec<u8>> {
    B64.decode(s.trim()).ok()
}

/// Builds the envelope JSON (compact, one line, ASCII).
pub(crate) fn build(addr: &str, meta: &[u8], data: &[u8]) -> Vec<u8> {
    let mut m = BTreeMap::new();
    m.insert(addr.to_string(), b64(meta));
    let e = Envelope { meta: m, encrypted_data: b64(data), encryption_version: VERSION.into() };
    serde_json::to_vec(&e).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_round_trip_and_wrong_key() {
        let k = [7u8; 32];
        let s = seal(&k, b"hello").unwrap();
        assert_eq!(s.len(), 12 + 5 + 16);
        assert_eq!(open(&k, &s).unwrap(), b"hello");
        assert!(open(&[8u8; 32], &s).is_none());
        assert!(open(&k, &s[..20]).is_none());
    }

    #[test]
    fn envelope_shape() {
        let b = build("key_provider.pbkdf2.k", b"{}", b"xyz");
        let v: serde_json::Value = serde_json::from_slice(&b).unwrap();
        assert_eq!(v["encryption_version"], "v0");
        assert_eq!(v["meta"]["key_provider.pbkdf2.k"], "e30=");
        assert!(is_envelope(&b));
        assert!(!is_envelope(br#"{"version":4}"#));
    }
}
