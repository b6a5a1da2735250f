//! `plinth-sdk`: the contract every Plinth crate speaks.
//!
//! - [`Value`] and [`Type`]: Terraform's value model (cty), with unknown values
//!   ("known after apply") and sticky sensitive marks.
//! - [`Diagnostic`]: errors and warnings with source ranges, returned by every layer.
//! - [`schema`]: resource and provider schemas.
//! - [`provider`]: the two-stage `Provider` / `ConfiguredProvider` traits and their
//!   request/response types.
//!
//! This crate depends on nothing of Plinth's; providers depend on it alone.

pub mod convert;
pub mod diagnostics;
pub mod number;
pub mod object;
pub mod path;
pub mod provider;
pub mod schema;
pub mod types;
pub mod value;

pub use diagnostics::{Diagnostic, Diagnostics, Pos, Severity, SourceRange};
pub use number::Number;
pub use path::{AttrPath, PathStep};
pub use provider::*;
pub use schema::{Attribute, Block, NestedBlock, Nesting, ProviderSchema, Schema};
pub use types::Type;
pub use value::Value;
