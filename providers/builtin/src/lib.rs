//! `plinth-provider-builtin`: built-in providers.
