//! The bridge to `plinth-functions` (Terraform's built-in function library).

use plinth_sdk::Value;
use std::path::Path;

#[cfg(feature = "functions")]
pub(crate) use plinth_functions::FunctionError;

/// Stand-in used only when built without the `functions` feature.
#[cfg(not(feature = "functions"))]
pub(crate) struct FunctionError {
    pub arg: Option<usize>,
    pub message: String,
}
#[cfg(not(feature = "functions"))]
impl FunctionError {
    pub fn summary(&self) -> &'static str {
        "Call to unknown function"
    }
}

pub(crate) fn exists(name: &str) -> bool {
    #[cfg(feature = "functions")]
    return plinth_functions::exists(name);
    #[cfg(not(feature = "functions"))]
    {
        let _ = name;
        false
    }
}

pub(crate) fn names() -> Vec<&'static str> {
    #[cfg(feature = "functions")]
    return plinth_functions::names();
    #[cfg(not(feature = "functions"))]
    Vec::new()
}

/// Calls a built-in function; `template` evaluates `templatefile` templates.
pub(crate) fn call(
    name: &str,
    args: Vec<Value>,
    cwd: &Path,
    template: &dyn Fn(&str, &Path, &Value) -> Result<Value, String>,
) -> Result<Value, FunctionError> {
    #[cfg(feature = "functions")]
    {
        let ctx = plinth_functions::FunctionContext { cwd, template: Some(template) };
        plinth_functions::call(name, args, &ctx)
    }
    #[cfg(not(feature = "functions"))]
    {
        let _ = (args, cwd, template);
        Err(FunctionError { arg: None, message: format!("There is no function named \"{name}\".") })
    }
}

/// `terraform console`'s rendering of a value.
pub(crate) fn console_format(v: &Value) -> String {
    #[cfg(feature = "functions")]
    return plinth_functions::console_format(v);
    #[cfg(not(feature = "functions"))]
    format!("{v:?}")
}

/// `type(x)`'s rendering of a type.
pub(crate) fn type_string(t: &plinth_sdk::Type) -> String {
    #[cfg(feature = "functions")]
    return plinth_functions::type_string(t);
    #[cfg(not(feature = "functions"))]
    t.to_string()
}
