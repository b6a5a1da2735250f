//! `plinth-functions`: Terraform's built-in function library (Terraform 1.11 semantics) over
//! `plinth-sdk` values, and the console's value and type rendering.
//!
//! - [`call`] runs a function by name (`upper` or `core::upper`). Arguments are converted to
//!   the parameter types first, exactly as Terraform (cty's `function` package) does:
//!   null checks ("argument must not be null"), unknown arguments giving an unknown result of
//!   the right type, and sensitive marks anywhere in an argument making the result sensitive.
//! - [`console_format`] prints a value as `terraform console` does; [`type_string`] prints a
//!   type as `type(x)` does.
//!
//! `try` and `can` are lazy and live in the evaluator (`plinth-lang`); `type` is console-only.

mod collections;
mod conversion;
mod crypto;
mod datetime;
mod encoding;
mod filesystem;
mod format;
mod goflate;
mod ip;
mod numeric;
mod registry;
mod strings;
mod util;

pub use format::{console_format, type_string};

use plinth_sdk::Value;
use std::path::Path;

/// What functions need from their caller.
pub struct FunctionContext<'a> {
    /// Relative paths in file functions resolve against this (Terraform: the working dir).
    pub cwd: &'a Path,
    /// Evaluates a template's text with the given variables object (for `templatefile`);
    /// provided by plinth-lang; `None` → `templatefile` returns an error.
    #[allow(clippy::type_complexity)]
    pub template: Option<&'a dyn Fn(&str, &Path, &Value) -> Result<Value, String>>,
}

/// A function call failed. `message` is the full detail sentence as Terraform prints it
/// (`Invalid value for "str" parameter: string required.`); `arg` is the index of the
/// argument at fault, if one is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionError {
    pub arg: Option<usize>,
    pub message: String,
}

impl FunctionError {
    /// Terraform's diagnostic summary for this error: "Invalid function argument",
    /// "Error in function call", "Not enough function arguments", "Too many function
    /// arguments" or "Call to unknown function".
    pub fn summary(&self) -> &'static str {
        if self.message.starts_with("There is no function named") {
            "Call to unknown function"
        } else if self.message.starts_with("Function \"") && self.message.contains("Missing value for") {
            "Not enough function arguments"
        } else if self.message.starts_with("Function \"") && self.message.contains("expects only") {
            "Too many function arguments"
        } else if self.arg.is_some() {
            "Invalid function argument"
        } else {
            "Error in function call"
        }
    }
}

impl std::fmt::Display for FunctionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.summary(), self.message)
    }
}

impl std::error::Error for FunctionError {}

/// Calls the built-in function `name` (`"upper"` or `"core::upper"`) with `args`.
pub fn call(name: &str, args: Vec<Value>, ctx: &FunctionContext) -> Result<Value, FunctionError> {
    registry::call(name, args, ctx)
}

/// Whether `name` (optionally `core::`-prefixed) is a built-in function.
pub fn exists(name: &str) -> bool {
    registry::lookup(name).is_some()
}

/// Every function name, sorted.
pub fn names() -> Vec<&'static str> {
    registry::names()
}
