//! The bridge to `plinth-functions` (Terraform's built-in function library).

use plinth_sdk::Value;
use std::path::Path;

pub(crate) use plinth_functions::FunctionError;

pub(crate) fn exists(name: &str) -> bool {
    plinth_functions::exists(name)
}

pub(crate) fn names() -> Vec<&'static str> {
    plinth_functions::names()
}

/// Calls a built-in function; `template` evaluates `templatefile` templates.
pub(crate) fn call(
    name: &str,
    args: Vec<Value>,
    cwd: &Path,
    template: &dyn Fn(&str, &Path, &Value) -> Result<Value, String>,
) -> Result<Value, FunctionError> {
    let ctx = plinth_functions::FunctionContext { cwd, template: Some(template) };
    plinth_functions::call(name, args, &ctx)
}

/// `terraform console`'s rendering of a value.
pub(crate) fn console_format(v: &Value) -> String {
    plinth_functions::console_format(v)
}

/// `type(x)`'s rendering of a type.
pub(crate) fn type_string(t: &plinth_sdk::Type) -> String {
    plinth_functions::type_string(t)
}
