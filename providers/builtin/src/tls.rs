//! The `tls` provider (stub, being written).
use crate::common::*;
use plinth_sdk::Schema;
pub(crate) fn provider_schema() -> Schema { Schema::default() }
pub(crate) fn resources() -> Vec<Box<dyn Resource>> { vec![] }
pub(crate) fn data_sources() -> Vec<Box<dyn DataSource>> { vec![] }
