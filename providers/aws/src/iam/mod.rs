//! IAM: aws_iam_role, aws_iam_role_policy_attachment; data aws_iam_policy_document (feature `iam`).
//!
//! Each resource lives in its own module and implements [`crate::framework::Resource`];
//! this module lists them and holds IAM helpers (unique names, tags, not-found codes).

mod attachment;
pub(crate) mod policy;
mod role;

use crate::framework::{DataSource, Resource};
use std::collections::BTreeMap;

pub(crate) fn resources() -> Vec<Box<dyn Resource>> {
    vec![
        Box::new(role::Role),
        Box::new(attachment::RolePolicyAttachment),
    ]
}

pub(crate) fn data_sources() -> Vec<Box<dyn DataSource>> {
    vec![Box::new(policy::PolicyDocument)]
}

/// IAM's not-found code.
pub(crate) const NO_SUCH_ENTITY: &[&str] = &["NoSuchEntity"];

pub(crate) use crate::framework::{name_prefix_from_name, prefixed_unique_id};

/// The name to create: `name`, else `name_prefix` + a unique suffix, else `terraform-…`.
pub(crate) fn create_name(name: Option<String>, prefix: Option<String>) -> String {
    match (name, prefix) {
        (Some(n), _) if !n.is_empty() => n,
        (_, Some(p)) => prefixed_unique_id(&p),
        _ => prefixed_unique_id("terraform-"),
    }
}

pub(crate) fn iam_tags(tags: &[aws_sdk_iam::types::Tag]) -> BTreeMap<String, String> {
    tags.iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect()
}

/// Tags in the form the IAM API takes.
pub(crate) fn to_iam_tags(tags: &BTreeMap<String, String>) -> Vec<aws_sdk_iam::types::Tag> {
    tags.iter()
        .filter_map(|(k, v)| {
            aws_sdk_iam::types::Tag::builder()
                .key(k)
                .value(v)
                .build()
                .ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn unique_names() {
        let a = prefixed_unique_id("app-");
        let b = prefixed_unique_id("app-");
        assert_ne!(a, b);
        assert_eq!(a.len(), 4 + 26);
        assert_eq!(name_prefix_from_name(&a).as_deref(), Some("app-"));
        assert_eq!(name_prefix_from_name("plain-name"), None);
    }
}
