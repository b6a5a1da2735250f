//! Key providers: where the data key comes from. Each gives an encryption key with the
//! metadata stored beside the ciphertext, and turns stored metadata back into the key.
//! Keys are cached for the process (pbkdf2 derivation is deliberately slow).

use crate::envelope::{b64, unb64};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;

/// Where a `keyring` key provider found or stored its key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyStore {
    /// The OS keyring (on Linux: the kernel session keyring through the `keyring` crate).
    OsKeyring,
    /// An environment variable (base64 key).
    Env(String),
    /// A 0600 file (base64 key).
    File(PathBuf),
}

impl std::fmt::Display for KeyStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyStore::OsKeyring => write!(f, "the OS keyring"),
            KeyStore::Env(v) => write!(f, "the environment variable {v}"),
            KeyStore::File(p) => write!(f, "the file {}", p.display()),
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Pbkdf2 {
    pub passphrase: String,
    pub key_length: usize,
    pub iterations: u32,
    pub hash_function: String,
    pub salt_length: usize,
}

#[derive(Serialize, Deserialize)]
struct Pbkdf2Meta {
    salt: String,
    iterations: u32,
    hash_function: String,
    key_length: usize,
}

#[derive(Clone, Debug)]
pub(crate) struct Keyring {
    pub service: String,
    pub user: String,
    pub key_length: usize,
    /// Fallback file (default `~/.config/plinth/keys/SERVICE-USER.key`).
    pub file: PathBuf,
    pub env_var: String,
}

#[derive(Clone, Debug)]
#[cfg_attr(not(feature = "aws_kms"), allow(dead_code))]
pub(crate) struct AwsKms {
    pub kms_key_id: String,
    pub region: String,
    pub key_spec: String,
}

#[derive(Clone, Debug)]
pub(crate) enum Kind {
    Pbkdf2(Pbkdf2),
    Keyring(Keyring),
    AwsKms(AwsKms),
}

/// One `key_provider "TYPE" "NAME"` block.
pub(crate) struct KeyProvider {
    /// `key_provider.TYPE.NAME`
    pub addr: String,
    pub kind: Kind,
    enc: Mutex<Option<(Vec<u8>, Vec<u8>)>>,
    dec: Mutex<HashMap<Vec<u8>, Vec<u8>>>,
    store: Mutex<Option<KeyStore>>,
}

impl KeyProvider {
    pub fn new(addr: String, kind: Kind) -> KeyProvider {
        KeyProvider { addr, kind, enc: Mutex::new(None), dec: Mutex::new(HashMap::new()), store: Mutex::new(None) }
    }

    /// Where a keyring provider's key lives (after first use).
    pub fn store(&self) -> Option<KeyStore> {
        self.store.lock().ok().and_then(|s| s.clone())
    }

    /// The key to encrypt with and the metadata to store beside the ciphertext.
    pub fn encryption_key(&self) -> Result<(Vec<u8>, Vec<u8>), String> {
        if let Some(k) = self.enc.lock().ok().and_then(|c| c.clone()) {
            return Ok(k);
        }
        let k = match &self.kind {
            Kind::Pbkdf2(p) => {
                let mut salt = vec![0u8; p.salt_length];
                getrandom::fill(&mut salt).map_err(|e| format!("the system random number generator failed: {e}"))?;
                let key = derive(&p.passphrase, &salt, p.iterations, &p.hash_function, p.key_length)?;
                let meta = Pbkdf2Meta { salt: b64(&salt), iterations: p.iterations, hash_function: p.hash_function.clone(), key_length: p.key_length };
                (key, serde_json::to_vec(&meta).unwrap_or_default())
            }
            Kind::Keyring(k) => {
                let (key, store) = keyring_key(k, true)?;
                if let Ok(mut s) = self.store.lock() {
                    *s = Some(store);
                }
                let meta = serde_json::json!({ "service": k.service, "user": k.user });
                (key, serde_json::to_vec(&meta).unwrap_or_default())
            }
            Kind::AwsKms(a) => kms_generate(a)?,
        };
        if let Ok(mut c) = self.enc.lock() {
            *c = Some(k.clone());
        }
        if let Ok(mut d) = self.dec.lock() {
            d.insert(k.1.clone(), k.0.clone());
        }
        Ok(k)
    }

    /// The key that stored `meta` names.
    pub fn decryption_key(&self, meta: &[u8]) -> Result<Vec<u8>, String> {
        if let Some(k) = self.dec.lock().ok().and_then(|d| d.get(meta).cloned()) {
            return Ok(k);
        }
        let key = match &self.kind {
            Kind::Pbkdf2(p) => {
                let m: Pbkdf2Meta = serde_json::from_slice(meta).map_err(|e| format!("its pbkdf2 metadata is malformed: {e}"))?;
                let salt = unb64(&m.salt).ok_or("its pbkdf2 salt is not base64")?;
                if m.iterations == 0 || m.key_length == 0 || m.key_length > 64 {
                    return Err("its pbkdf2 metadata has impossible parameters".into());
                }
                derive(&p.passphrase, &salt, m.iterations, &m.hash_function, m.key_length)?
            }
            Kind::Keyring(k) => {
                let (key, store) = keyring_key(k, false)?;
                if let Ok(mut s) = self.store.lock() {
                    *s = Some(store);
                }
                key
            }
            Kind::AwsKms(a) => kms_decrypt(a, meta)?,
        };
        if let Ok(mut d) = self.dec.lock() {
            d.insert(meta.to_vec(), key.clone());
        }
        Ok(key)
    }
}

fn derive(passphrase: &str, salt: &[u8], iterations: u32, hash: &str, len: usize) -> Result<Vec<u8>, String> {
    let mut out = vec![0u8; len];
    match hash {
        "sha512" => pbkdf2::pbkdf2_hmac::<sha2::Sha512>(passphrase.as_bytes(), salt, iterations, &mut out),
        "sha256" => pbkdf2::pbkdf2_hmac::<sha2::Sha256>(passphrase.as_bytes(), salt, iterations, &mut out),
        "sha384" => pbkdf2::pbkdf2_hmac::<sha2::Sha384>(passphrase.as_bytes(), salt, iterations, &mut out),
        "sha224" => pbkdf2::pbkdf2_hmac::<sha2::Sha224>(passphrase.as_bytes(), salt, iterations, &mut out),
        "sha1" => pbkdf2::pbkdf2_hmac::<sha1::Sha1>(passphrase.as_bytes(), salt, iterations, &mut out),
        other => return Err(format!("unknown hash function {other:?}")),
    }
    Ok(out)
}

/// Finds the keyring key (env var, OS keyring, file, in that order); with `create`, makes
/// a random one when there is none, in the OS keyring if it works, else the 0600 file.
fn keyring_key(k: &Keyring, create: bool) -> Result<(Vec<u8>, KeyStore), String> {
    if let Ok(v) = std::env::var(&k.env_var) {
        let key = unb64(&v).ok_or_else(|| format!("{} is not base64", k.env_var))?;
        return Ok((key, KeyStore::Env(k.env_var.clone())));
    }
    let entry = os_entry(k);
    if let Some(e) = &entry {
        if let Ok(s) = e.get_password() {
            if let Some(key) = unb64(&s) {
                return Ok((key, KeyStore::OsKeyring));
            }
        }
    }
    match std::fs::read_to_string(&k.file) {
        Ok(s) => {
            let key = unb64(&s).ok_or_else(|| format!("{} does not hold a base64 key", k.file.display()))?;
            return Ok((key, KeyStore::File(k.file.clone())));
        }
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(format!("reading {}: {e}", k.file.display()));
        }
        Err(_) => {}
    }
    if !create {
        return Err(format!(
            "no key named {:?} for service {:?} was found in {}, the OS keyring or {}",
            k.user,
            k.service,
            k.env_var,
            k.file.display()
        ));
    }
    let mut key = vec![0u8; k.key_length];
    getrandom::fill(&mut key).map_err(|e| format!("the system random number generator failed: {e}"))?;
    if let Some(e) = &entry {
        if e.set_password(&b64(&key)).is_ok() && e.get_password().ok().as_deref() == Some(b64(&key).as_str()) {
            return Ok((key, KeyStore::OsKeyring));
        }
    }
    write_key_file(&k.file, &b64(&key))?;
    Ok((key, KeyStore::File(k.file.clone())))
}

fn os_entry(k: &Keyring) -> Option<keyring::Entry> {
    #[cfg(target_os = "linux")]
    {
        // Headless Linux has no session keyring until someone makes one.
        let _ = linux_keyutils::KeyRing::from_special_id(linux_keyutils::KeyRingIdentifier::Session, true);
    }
    keyring::Entry::new(&k.service, &k.user).ok()
}

fn write_key_file(path: &std::path::Path, text: &str) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    }
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("creating {}: {e}", path.display()))?;
    f.write_all(text.as_bytes()).and_then(|_| f.sync_all()).map_err(|e| format!("writing {}: {e}", path.display()))
}

#[cfg(feature = "aws_kms")]
fn kms_run<T: Send + 'static>(
    a: &AwsKms,
    f: impl FnOnce(aws_sdk_kms::Client, AwsKms) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, String>> + Send>> + Send + 'static,
) -> Result<T, String> {
    let a = a.clone();
    // Own thread and runtime: callable from sync code and from inside another runtime.
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
        rt.block_on(async move {
            let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
                .region(aws_config::Region::new(a.region.clone()));
            if let Ok(ep) = std::env::var("AWS_ENDPOINT_URL_KMS").or_else(|_| std::env::var("AWS_ENDPOINT_URL")) {
                loader = loader.endpoint_url(ep);
            }
            let conf = loader.load().await;
            f(aws_sdk_kms::Client::new(&conf), a).await
        })
    })
    .join()
    .map_err(|_| "the KMS client thread panicked. This is a bug in Plinth.".to_string())?
}

#[cfg(feature = "aws_kms")]
fn kms_generate(a: &AwsKms) -> Result<(Vec<u8>, Vec<u8>), String> {
    kms_run(a, |c, a| {
        Box::pin(async move {
            let spec = aws_sdk_kms::types::DataKeySpec::from(a.key_spec.as_str());
            let out = c
                .generate_data_key()
                .key_id(&a.kms_key_id)
                .key_spec(spec)
                .send()
                .await
                .map_err(|e| format!("KMS GenerateDataKey failed: {}", aws_sdk_kms::error::DisplayErrorContext(&e)))?;
            let plain = out.plaintext().ok_or("KMS returned no plaintext key")?.as_ref().to_vec();
            let blob = out.ciphertext_blob().ok_or("KMS returned no ciphertext blob")?.as_ref().to_vec();
            let meta = serde_json::json!({ "ciphertext_blob": b64(&blob) });
            Ok((plain, serde_json::to_vec(&meta).unwrap_or_default()))
        })
    })
}

#[cfg(feature = "aws_kms")]
fn kms_decrypt(a: &AwsKms, meta: &[u8]) -> Result<Vec<u8>, String> {
    let m: serde_json::Value = serde_json::from_slice(meta).map_err(|e| format!("its aws_kms metadata is malformed: {e}"))?;
    let blob = m["ciphertext_blob"].as_str().and_then(unb64).ok_or("its aws_kms metadata has no ciphertext_blob")?;
    kms_run(a, move |c, a| {
        Box::pin(async move {
            let out = c
                .decrypt()
                .key_id(&a.kms_key_id)
                .ciphertext_blob(aws_sdk_kms::primitives::Blob::new(blob))
                .send()
                .await
                .map_err(|e| format!("KMS Decrypt failed: {}", aws_sdk_kms::error::DisplayErrorContext(&e)))?;
            Ok(out.plaintext().ok_or("KMS returned no plaintext key")?.as_ref().to_vec())
        })
    })
}

#[cfg(not(feature = "aws_kms"))]
fn kms_generate(_: &AwsKms) -> Result<(Vec<u8>, Vec<u8>), String> {
    Err("this Plinth was built without the `aws_kms` cargo feature".into())
}

#[cfg(not(feature = "aws_kms"))]
fn kms_decrypt(_: &AwsKms, _: &[u8]) -> Result<Vec<u8>, String> {
    Err("this Plinth was built without the `aws_kms` cargo feature".into())
}
