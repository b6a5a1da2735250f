//! `plinth-encryption`: state and plan encryption with OpenTofu 1.7's
//! `terraform { encryption { … } }` syntax.
//!
//! - [`Encryption::from_body`] reads the block (key providers `pbkdf2`, `aws_kms` (cargo
//!   feature `aws_kms`) and Plinth's own `keyring`; methods `aes_gcm` and `unencrypted`;
//!   targets `state` and `plan` with `method`, `enforced` and `fallback { method = … }`).
//! - Encrypted payloads use OpenTofu's envelope:
//!   `{"meta":{"key_provider.pbkdf2.k":"<base64 JSON>"},"encrypted_data":"<base64 nonce‖ciphertext‖tag>","encryption_version":"v0"}`.
//! - [`EncryptedBackend`] decorates any [`plinth_state::StateBackend`] so state (and the
//!   local journal, through [`plinth_state::JournalCodec`]) never reaches disk or network in
//!   plaintext; [`Encryption::encrypt_plan`] / [`Encryption::decrypt_plan`] do plan files.

#![allow(clippy::result_large_err)] // StateError carries LockInfo by value, as plinth-state does

mod backend;
mod config;
mod envelope;
mod keys;

pub use backend::EncryptedBackend;
pub use config::{Encryption, MethodRef, Target};
pub use envelope::{is_envelope, Decrypted};
pub use keys::KeyStore;
