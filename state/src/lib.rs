//! `plinth-state`: Terraform-compatible state (format version 4), backends, locking, and
//! the crash-safe writer.
//!
//! - [`State`] and friends ([`model`]): `terraform.tfstate` v4, read and written byte for
//!   byte as Terraform does ([`mod@format`]); output types as cty type JSON ([`types_json`]).
//! - [`StateBackend`] ([`backend`]): read/write/lock/workspaces; [`LocalBackend`]
//!   ([`local`]) keeps files where Terraform does, with atomic 0600 writes, backups, and
//!   lock files that tell a live holder from a killed one.
//! - [`StateManager`] ([`manager`]): the one writer of a run. Every completed change is
//!   appended to an fsync'd, checksummed journal (see [`manager`]) before `record` returns, and
//!   replayed by the next run if this one dies; snapshots are written at the end and
//!   periodically.
//!
//! Nothing here prints: errors are [`StateError`]s, convertible to diagnostics.

#![allow(clippy::result_large_err)] // StateError::Locked carries the holder's LockInfo by value, as documented

pub mod backend;
pub mod error;
pub mod format;
mod journal;
pub mod local;
pub mod lock;
pub mod manager;
pub mod model;
pub mod types_json;

pub use backend::{delete_workspace_checked, validate_workspace_name, StateBackend, DEFAULT_WORKSPACE};
pub use error::StateError;
pub use local::{atomic_write, current_workspace, select_workspace, LocalBackend};
pub use journal::JournalCodec;
pub use lock::LockInfo;
pub use manager::{InstanceChange, OpenOptions, Recorder, RecorderTask, Recovery, StateManager};
pub use model::{
    check_push, new_lineage, EachMode, IndexKey, InstanceAddr, InstanceState, Mode, OutputState,
    ResourceState, State, STATE_VERSION, TERRAFORM_VERSION,
};
pub use types_json::{type_from_json, type_to_json};
