//! Console support.
