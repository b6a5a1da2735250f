//! The `provider "aws"` block (hashicorp/aws 6.x schema) and the configured clients.
//!
//! Resolution order, as Terraform's provider and the AWS SDKs:
//! - region: `region`, else `AWS_REGION`/`AWS_DEFAULT_REGION`, else the profile's region;
//! - credentials: `access_key`+`secret_key`(+`token`), else `profile`, else the standard
//!   chain (environment, shared files, SSO, web identity, ECS, and IMDS unless
//!   `skip_metadata_api_check`); then `assume_role` on top;
//! - endpoints: `endpoints { ec2 = … }` (Terraform's service names), else
//!   `AWS_ENDPOINT_URL_<SERVICE>` (e.g. `AWS_ENDPOINT_URL_EC2`), else `AWS_ENDPOINT_URL`, else
//!   the service's real endpoint. The environment variables are applied by `aws-config`.

use crate::api::{call, Op};
use aws_config::BehaviorVersion;
use aws_types::region::Region;
use aws_types::SdkConfig;
use plinth_sdk::{
    Attribute, Block, Diagnostic, Diagnostics, NestedBlock, Nesting, Schema, Type, Value,
};
use std::collections::BTreeMap;
use std::time::Duration;

/// Terraform's `endpoints` service names this provider knows, with the environment variable
/// suffix the SDKs use for them (`AWS_ENDPOINT_URL_<suffix>`).
pub(crate) const ENDPOINT_SERVICES: &[(&str, &str)] = &[
    ("acm", "ACM"),
    ("ec2", "EC2"),
    ("eks", "EKS"),
    ("elasticache", "ELASTICACHE"),
    ("elbv2", "ELASTIC_LOAD_BALANCING_V2"),
    ("iam", "IAM"),
    ("rds", "RDS"),
    ("route53", "ROUTE_53"),
    ("s3", "S3"),
    ("secretsmanager", "SECRETS_MANAGER"),
    ("sts", "STS"),
];

pub(crate) fn provider_schema() -> Schema {
    let s = || Attribute::optional(Type::String);
    let b = || Attribute::optional(Type::Bool);
    let mut endpoints = Block::new();
    for (name, _) in ENDPOINT_SERVICES {
        endpoints = endpoints.attr(
            name,
            s().describe(format!("Endpoint URL for the {name} service.")),
        );
    }
    Schema {
        version: 0,
        block: Block::new()
            .attr(
                "region",
                s().describe(
                    "The AWS region (else AWS_REGION / AWS_DEFAULT_REGION / the profile's).",
                ),
            )
            .attr(
                "profile",
                s().describe("Shared configuration profile to use."),
            )
            .attr("access_key", s().describe("Static access key ID."))
            .attr(
                "secret_key",
                s().sensitive().describe("Static secret access key."),
            )
            .attr(
                "token",
                s().sensitive()
                    .describe("Session token for temporary credentials."),
            )
            .attr(
                "shared_config_files",
                Attribute::optional(Type::list(Type::String)),
            )
            .attr(
                "shared_credentials_files",
                Attribute::optional(Type::list(Type::String)),
            )
            .attr(
                "allowed_account_ids",
                Attribute::optional(Type::set(Type::String)),
            )
            .attr(
                "forbidden_account_ids",
                Attribute::optional(Type::set(Type::String)),
            )
            .attr(
                "max_retries",
                Attribute::optional(Type::Number).describe("Maximum SDK retries (default 25)."),
            )
            .attr("insecure", b())
            .attr(
                "s3_use_path_style",
                b().describe("Path-style S3 addressing (needed by emulators)."),
            )
            .attr(
                "skip_credentials_validation",
                b().describe("Skip the STS GetCallerIdentity check."),
            )
            .attr(
                "skip_requesting_account_id",
                b().describe("Do not look up the account ID (ARNs then lack it)."),
            )
            .attr(
                "skip_metadata_api_check",
                b().describe("Do not use the EC2 instance metadata service for credentials."),
            )
            .attr(
                "skip_region_validation",
                b().describe("Accept any region name."),
            )
            .block(
                "assume_role",
                NestedBlock {
                    nesting: Nesting::List,
                    max_items: 1,
                    min_items: 0,
                    force_new: false,
                    block: Block::new()
                        .attr("role_arn", s())
                        .attr("session_name", s())
                        .attr("external_id", s())
                        .attr("duration", s().describe("Session length, e.g. `1h`."))
                        .attr("policy", s())
                        .attr("policy_arns", Attribute::optional(Type::set(Type::String)))
                        .attr("source_identity", s())
                        .attr("tags", Attribute::optional(Type::map(Type::String)))
                        .attr(
                            "transitive_tag_keys",
                            Attribute::optional(Type::set(Type::String)),
                        ),
                },
            )
            .block(
                "default_tags",
                NestedBlock {
                    nesting: Nesting::List,
                    max_items: 1,
                    min_items: 0,
                    force_new: false,
                    block: Block::new().attr(
                        "tags",
                        Attribute::optional(Type::map(Type::String))
                            .describe("Tags added to every resource that supports tags."),
                    ),
                },
            )
            .block(
                "ignore_tags",
                NestedBlock {
                    nesting: Nesting::List,
                    max_items: 1,
                    min_items: 0,
                    force_new: false,
                    block: Block::new()
                        .attr("keys", Attribute::optional(Type::set(Type::String)))
                        .attr("key_prefixes", Attribute::optional(Type::set(Type::String))),
                },
            )
            .block(
                "endpoints",
                NestedBlock {
                    nesting: Nesting::Set,
                    max_items: 0,
                    min_items: 0,
                    force_new: false,
                    block: endpoints,
                },
            ),
    }
}

/// The configured provider's shared state: the SDK configuration and what resources need.
pub(crate) struct Aws {
    pub sdk: SdkConfig,
    pub region: String,
    pub account_id: Option<String>,
    pub partition: String,
    pub default_tags: BTreeMap<String, String>,
    pub ignore_tag_keys: Vec<String>,
    pub ignore_tag_prefixes: Vec<String>,
    /// Terraform service name → endpoint URL from the `endpoints` block.
    pub endpoints: BTreeMap<String, String>,
    /// `s3_use_path_style`: bucket in the path, not the host name (emulators need it).
    pub s3_use_path_style: bool,
}

fn attr<'a>(v: &'a Value, name: &str) -> Option<&'a Value> {
    v.get_attr(name)
        .map(Value::unmarked)
        .filter(|x| !x.is_null())
}
fn attr_str(v: &Value, name: &str) -> Option<String> {
    attr(v, name).and_then(Value::as_str).map(str::to_string)
}
fn attr_bool(v: &Value, name: &str) -> bool {
    attr(v, name).and_then(Value::as_bool).unwrap_or(false)
}
fn first_block(v: &Value, name: &str) -> Option<Value> {
    match attr(v, name)? {
        Value::Object(_) => attr(v, name).cloned(),
        x => x.as_seq().and_then(|s| s.first()).cloned(),
    }
}
fn str_map(v: Option<&Value>) -> BTreeMap<String, String> {
    v.and_then(Value::as_map)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect()
        })
        .unwrap_or_default()
}
fn str_seq(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_seq)
        .map(|s| {
            s.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn config_error(attr: &str, summary: &str, detail: String, help: &str) -> Diagnostic {
    Diagnostic::error(format!("invalid provider configuration: {summary}"))
        .with_detail(detail)
        .with_help(help.to_string())
        .with_address(format!(
            "provider[\"registry.terraform.io/hashicorp/aws\"].{attr}"
        ))
}

/// Whether a region name looks like an AWS region (`us-east-1`, `us-gov-west-1`, `eu-isoe-west-1`).
pub(crate) fn valid_region(r: &str) -> bool {
    let parts: Vec<&str> = r.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|p| p.chars().all(|c| c.is_ascii_digit()))
}

pub(crate) fn partition_of(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else {
        "aws"
    }
}

/// A client constructor for one service (behind its cargo feature): the provider's SDK
/// configuration for `region`, the `endpoints` override, and no retries of an operation the
/// endpoint does not implement (emulators answer those with HTML 500/404 pages).
macro_rules! client {
    ($feature:literal, $name:ident, $krate:ident) => {
        #[cfg(feature = $feature)]
        pub(crate) fn $name(&self, region: Option<&str>) -> $krate::Client {
            let mut b = $krate::config::Builder::from(&self.sdk_for(region))
                .retry_classifier(crate::api::NotImplementedClassifier);
            if let Some(u) = self.endpoint($feature) {
                b = b.endpoint_url(u);
            }
            $krate::Client::from_conf(b.build())
        }
    };
}

impl Aws {
    /// Builds the SDK configuration from the provider block.
    pub(crate) async fn configure(config: &Value) -> Result<Aws, Diagnostics> {
        let mut diags = Diagnostics::new();
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let Some(p) = attr_str(config, "profile") {
            loader = loader.profile_name(p);
        }
        if let Some(r) = attr_str(config, "region") {
            loader = loader.region(Region::new(r));
        }
        let retries = attr(config, "max_retries")
            .and_then(Value::as_i64)
            .unwrap_or(25)
            .clamp(0, 100) as u32;
        loader = loader.retry_config(
            aws_config::retry::RetryConfig::standard()
                .with_max_attempts(retries + 1)
                .with_max_backoff(Duration::from_secs(20)),
        );
        match (
            attr_str(config, "access_key"),
            attr_str(config, "secret_key"),
        ) {
            (Some(ak), Some(sk)) => {
                let creds = aws_credential_types::Credentials::new(
                    ak,
                    sk,
                    attr_str(config, "token"),
                    None,
                    "plinth-provider-config",
                );
                loader = loader.credentials_provider(creds);
            }
            (Some(_), None) | (None, Some(_)) => diags.push(config_error(
                "access_key",
                "access_key and secret_key go together",
                "Only one of `access_key` and `secret_key` is set; static credentials need both."
                    .into(),
                "set both, or neither to use the standard credential chain",
            )),
            (None, None) => {
                if attr_bool(config, "skip_metadata_api_check") {
                    use aws_config::meta::credentials::CredentialsProviderChain;
                    let mut pb = aws_config::profile::ProfileFileCredentialsProvider::builder();
                    if let Some(p) = attr_str(config, "profile") {
                        pb = pb.profile_name(p);
                    }
                    let chain = CredentialsProviderChain::first_try(
                        "Environment",
                        aws_config::environment::EnvironmentVariableCredentialsProvider::new(),
                    )
                    .or_else("Profile", pb.build())
                    .or_else("WebIdentityToken", aws_config::web_identity_token::WebIdentityTokenCredentialsProvider::builder().build())
                    .or_else("EcsContainer", aws_config::ecs::EcsCredentialsProvider::builder().build());
                    loader = loader.credentials_provider(chain);
                }
            }
        }
        if diags.has_errors() {
            return Err(diags);
        }
        let mut sdk = loader.load().await;
        let Some(region) = sdk.region().map(|r| r.to_string()) else {
            return Err(config_error(
                "region",
                "no region",
                "The AWS provider needs a region: none is set in the provider block, in AWS_REGION or AWS_DEFAULT_REGION, or in the shared configuration profile.".into(),
                "set `region = \"us-east-1\"` in the provider block, or export AWS_REGION",
            )
            .into());
        };
        if !attr_bool(config, "skip_region_validation") && !valid_region(&region) {
            return Err(config_error(
                "region",
                "invalid region",
                format!("{region:?} is not an AWS region name (like \"us-east-1\")."),
                "fix the region, or set `skip_region_validation = true` for a custom endpoint",
            )
            .into());
        }
        if let Some(ar) = first_block(config, "assume_role") {
            if let Some(role) = attr_str(&ar, "role_arn").filter(|s| !s.is_empty()) {
                let mut b = aws_config::sts::AssumeRoleProvider::builder(role).configure(&sdk);
                b = b.session_name(
                    attr_str(&ar, "session_name").unwrap_or_else(|| "plinth".to_string()),
                );
                if let Some(x) = attr_str(&ar, "external_id") {
                    b = b.external_id(x);
                }
                if let Some(p) = attr_str(&ar, "policy") {
                    b = b.policy(p);
                }
                if let Some(d) = attr_str(&ar, "duration") {
                    match crate::api::parse_duration(&d) {
                        Some(d) => b = b.session_length(d),
                        None => {
                            return Err(config_error(
                                "assume_role.duration",
                                "invalid duration",
                                format!("{d:?} is not a duration like \"1h\" or \"15m\"."),
                                "write a duration such as \"1h\"",
                            )
                            .into())
                        }
                    }
                }
                let provider = b.build().await;
                sdk = sdk
                    .to_builder()
                    .credentials_provider(
                        aws_credential_types::provider::SharedCredentialsProvider::new(provider),
                    )
                    .build();
            }
        }
        let mut endpoints = BTreeMap::new();
        if let Some(eps) = attr(config, "endpoints").and_then(Value::as_seq) {
            for e in eps {
                for (name, _) in ENDPOINT_SERVICES {
                    if let Some(url) = attr_str(e, name).filter(|s| !s.is_empty()) {
                        endpoints.insert(name.to_string(), url);
                    }
                }
            }
        }
        let default_tags = first_block(config, "default_tags")
            .map(|d| str_map(attr(&d, "tags")))
            .unwrap_or_default();
        let ignore = first_block(config, "ignore_tags");
        let mut aws = Aws {
            partition: partition_of(&region).to_string(),
            region,
            sdk,
            account_id: None,
            default_tags,
            ignore_tag_keys: str_seq(ignore.as_ref().and_then(|i| attr(i, "keys"))),
            ignore_tag_prefixes: str_seq(ignore.as_ref().and_then(|i| attr(i, "key_prefixes"))),
            endpoints,
            s3_use_path_style: attr_bool(config, "s3_use_path_style"),
        };
        let skip_validation = attr_bool(config, "skip_credentials_validation");
        let skip_account = attr_bool(config, "skip_requesting_account_id");
        if !skip_validation || !skip_account {
            let sts = aws.sts();
            let op = Op::new("configuring", "AWS provider", "STS", "GetCallerIdentity");
            match call(op, || sts.get_caller_identity().send()).await {
                Ok(out) => aws.account_id = out.account().map(str::to_string),
                Err(e) if skip_validation => {
                    tracing::warn!("could not look up the AWS account ID: {}", e.diagnostic());
                }
                Err(e) => {
                    let d = e.diagnostic().with_help(
                        "set `skip_credentials_validation = true` (and `skip_requesting_account_id = true`) to skip this check, e.g. against an emulator",
                    );
                    return Err(d.into());
                }
            }
            let allowed = str_seq(attr(config, "allowed_account_ids"));
            let forbidden = str_seq(attr(config, "forbidden_account_ids"));
            if let Some(acct) = &aws.account_id {
                if (!allowed.is_empty() && !allowed.contains(acct)) || forbidden.contains(acct) {
                    return Err(config_error(
                        "allowed_account_ids",
                        "account not allowed",
                        format!("The credentials belong to AWS account {acct}, which the provider's allowed_account_ids/forbidden_account_ids exclude."),
                        "use credentials for an allowed account",
                    )
                    .into());
                }
            }
        }
        Ok(aws)
    }

    /// The SDK configuration for `region` (the provider's region when `None` or equal).
    pub(crate) fn sdk_for(&self, region: Option<&str>) -> SdkConfig {
        match region {
            Some(r) if r != self.region => self
                .sdk
                .to_builder()
                .region(Region::new(r.to_string()))
                .build(),
            _ => self.sdk.clone(),
        }
    }

    /// The `endpoints { <service> = … }` override, if any.
    pub(crate) fn endpoint(&self, service: &str) -> Option<&str> {
        self.endpoints.get(service).map(String::as_str)
    }

    pub(crate) fn sts(&self) -> aws_sdk_sts::Client {
        let mut b = aws_sdk_sts::config::Builder::from(&self.sdk);
        if let Some(u) = self.endpoint("sts") {
            b = b.endpoint_url(u);
        }
        aws_sdk_sts::Client::from_conf(b.build())
    }

    client!("ec2", ec2, aws_sdk_ec2);
    client!("elbv2", elbv2, aws_sdk_elasticloadbalancingv2);
    client!("acm", acm, aws_sdk_acm);
    client!("route53", route53, aws_sdk_route53);
    client!("rds", rds, aws_sdk_rds);
    client!("elasticache", elasticache, aws_sdk_elasticache);
    client!("eks", eks, aws_sdk_eks);
    client!("iam", iam, aws_sdk_iam);
    client!("secretsmanager", secretsmanager, aws_sdk_secretsmanager);

    #[cfg(feature = "s3")]
    pub(crate) fn s3(&self, region: Option<&str>) -> aws_sdk_s3::Client {
        let mut b = aws_sdk_s3::config::Builder::from(&self.sdk_for(region))
            .retry_classifier(crate::api::NotImplementedClassifier);
        if let Some(u) = self.endpoint("s3") {
            b = b.endpoint_url(u);
        }
        if self.s3_use_path_style {
            b = b.force_path_style(true);
        }
        aws_sdk_s3::Client::from_conf(b.build())
    }

    /// An ARN in this provider's partition and account.
    pub(crate) fn arn(&self, service: &str, region: &str, resource: &str) -> String {
        format!(
            "arn:{}:{service}:{region}:{}:{resource}",
            self.partition,
            self.account_id.as_deref().unwrap_or("")
        )
    }

    /// Whether a tag key is ignored (`ignore_tags`) or AWS-reserved (`aws:`).
    pub(crate) fn ignores_tag(&self, key: &str) -> bool {
        key.starts_with("aws:")
            || self.ignore_tag_keys.iter().any(|k| k == key)
            || self
                .ignore_tag_prefixes
                .iter()
                .any(|p| key.starts_with(p.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn regions() {
        assert!(valid_region("us-east-1"));
        assert!(valid_region("us-gov-west-1"));
        assert!(!valid_region("moon-1"));
        assert!(!valid_region("US-EAST-1"));
        assert_eq!(partition_of("cn-north-1"), "aws-cn");
    }
}
