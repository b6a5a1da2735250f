//! Input variable values.
