//! `plinth-provider-aws`: Terraform's `hashicorp/aws` provider (following 6.28.0) through the
//! official AWS SDK for Rust. Same resource type names, attribute names, `force_new`/computed
//! marks and import IDs as upstream.
//!
//! Layout (see README.md for how to add a resource type):
//! - [`config`]: the `provider "aws"` schema, credentials/region/endpoint resolution, clients;
//! - [`api`]: the error mapper (every SDK error → a [`plinth_sdk::Diagnostic`]), retries with
//!   jittered backoff, waiters, `timeouts` durations;
//! - [`framework`]: the [`framework::Resource`]/[`framework::DataSource`] traits and the
//!   schema-driven planner (`tags_all`, `region`, `timeouts` added to every schema);
//! - one module per service (`ec2`, …), each behind its cargo feature.
//!
//! # How the engine calls the configured provider
//!
//! * **`plan_change`**: delete → `None`. Create → planned = proposed, with upstream defaults
//!   for unset optional attributes, unset computed attributes unknown, `region` = the
//!   provider's, and `tags_all` = `default_tags` overlaid by `tags`. Update → unset computed
//!   attributes keep their prior values; any `force_new` attribute (or block holding one)
//!   that differs is in `requires_replace` (and the unset computed ones become unknown);
//!   otherwise the change is in place. "Computed" blocks (`aws_security_group.ingress`) left
//!   out of the configuration keep their prior value.
//! * **`apply_change`**: create waits until the object is ready (honouring
//!   `timeouts { create = "…" }` from the configuration); on a failure after the object
//!   exists, the partial object is returned with the diagnostics so the engine keeps it
//!   (tainted). Delete waits until the object is gone.
//! * **`read_resource`**: the object as AWS reports it (drift), or `None` when it is gone.
//! * **`import_resource`**: Terraform's import ID (`vpc-…`, `rtb-…_10.0.0.0/16`, `subnet-…/rtb-…`).
//!
//! Errors: summary `creating EC2 VPC: InvalidParameterValue: …`, detail naming the
//! operation and the AWS error code and message; the engine adds the address.

// `Diagnostic` (the SDK's error type) is large; errors here are rare and not hot.
#![allow(clippy::result_large_err)]

pub mod api;
pub mod config;
pub mod framework;

#[cfg(feature = "acm")]
mod acm;
#[cfg(feature = "ec2")]
mod ec2;
#[cfg(feature = "eks")]
mod eks;
#[cfg(feature = "elasticache")]
mod elasticache;
#[cfg(feature = "elbv2")]
mod elbv2;
#[cfg(feature = "iam")]
mod iam;
#[cfg(feature = "rds")]
mod rds;
#[cfg(feature = "route53")]
mod route53;
#[cfg(feature = "s3")]
mod s3;
#[cfg(feature = "secretsmanager")]
mod secretsmanager;

/// The AWS SDK crates compiled in, re-exported so that tests and tools use exactly the
/// versions and features this crate was built with (no second compilation of a heavy crate).
pub mod sdk {
    #[cfg(feature = "acm")]
    pub use aws_sdk_acm as acm;
    #[cfg(feature = "ec2")]
    pub use aws_sdk_ec2 as ec2;
    #[cfg(feature = "eks")]
    pub use aws_sdk_eks as eks;
    #[cfg(feature = "elasticache")]
    pub use aws_sdk_elasticache as elasticache;
    #[cfg(feature = "elbv2")]
    pub use aws_sdk_elasticloadbalancingv2 as elbv2;
    #[cfg(feature = "iam")]
    pub use aws_sdk_iam as iam;
    #[cfg(feature = "rds")]
    pub use aws_sdk_rds as rds;
    #[cfg(feature = "route53")]
    pub use aws_sdk_route53 as route53;
    #[cfg(feature = "s3")]
    pub use aws_sdk_s3 as s3;
    #[cfg(feature = "secretsmanager")]
    pub use aws_sdk_secretsmanager as secretsmanager;
    pub use aws_sdk_sts as sts;
}

use async_trait::async_trait;
use config::Aws;
use framework::{
    check_known, ctx, data_schema, from_obj, full_schema, to_obj, DataSource, Resource,
};
use plinth_sdk::{
    ApplyChangeRequest, ApplyChangeResponse, ConfiguredProvider, Diagnostic, Diagnostics,
    ImportResourceRequest, ImportResourceResponse, ImportedResource, PlanChangeRequest,
    PlanChangeResponse, Provider, ProviderSchema, ReadDataSourceRequest, ReadDataSourceResponse,
    ReadResourceRequest, ReadResourceResponse, Value,
};
use std::sync::Arc;

/// The upstream provider version whose schemas and behaviour this follows.
pub const UPSTREAM_VERSION: &str = "6.28.0";

/// The `hashicorp/aws` provider.
pub fn provider() -> Arc<dyn Provider> {
    Arc::new(AwsProvider(Arc::new(Registry::new())))
}

/// Every resource type and data source compiled in (by cargo features).
pub(crate) struct Registry {
    resources: Vec<Box<dyn Resource>>,
    data_sources: Vec<Box<dyn DataSource>>,
}

impl Registry {
    fn new() -> Self {
        #[allow(unused_mut)]
        let mut r = Registry {
            resources: Vec::new(),
            data_sources: Vec::new(),
        };
        #[cfg(feature = "ec2")]
        {
            r.resources.extend(ec2::resources());
            r.data_sources.extend(ec2::data_sources());
        }
        #[cfg(feature = "elbv2")]
        {
            r.resources.extend(elbv2::resources());
            r.data_sources.extend(elbv2::data_sources());
        }
        #[cfg(feature = "acm")]
        {
            r.resources.extend(acm::resources());
            r.data_sources.extend(acm::data_sources());
        }
        #[cfg(feature = "route53")]
        {
            r.resources.extend(route53::resources());
            r.data_sources.extend(route53::data_sources());
        }
        #[cfg(feature = "rds")]
        {
            r.resources.extend(rds::resources());
            r.data_sources.extend(rds::data_sources());
        }
        #[cfg(feature = "elasticache")]
        {
            r.resources.extend(elasticache::resources());
            r.data_sources.extend(elasticache::data_sources());
        }
        #[cfg(feature = "eks")]
        {
            r.resources.extend(eks::resources());
            r.data_sources.extend(eks::data_sources());
        }
        #[cfg(feature = "iam")]
        {
            r.resources.extend(iam::resources());
            r.data_sources.extend(iam::data_sources());
        }
        #[cfg(feature = "secretsmanager")]
        {
            r.resources.extend(secretsmanager::resources());
            r.data_sources.extend(secretsmanager::data_sources());
        }
        #[cfg(feature = "s3")]
        {
            r.resources.extend(s3::resources());
            r.data_sources.extend(s3::data_sources());
        }
        r
    }
    fn resource(&self, t: &str) -> Result<&dyn Resource, Diagnostic> {
        self.resources.iter().find(|r| r.type_name() == t).map(|b| b.as_ref()).ok_or_else(|| {
            let names: Vec<&str> = self.resources.iter().map(|r| r.type_name()).collect();
            Diagnostic::error("unsupported resource type")
                .with_detail(format!(
                    "Plinth's hashicorp/aws provider does not implement a resource type named {t:?} (it may be behind a cargo feature that is off)."
                ))
                .with_help(format!("supported resource types: {}", names.join(", ")))
        })
    }
    fn data_source(&self, t: &str) -> Result<&dyn DataSource, Diagnostic> {
        self.data_sources.iter().find(|r| r.type_name() == t).map(|b| b.as_ref()).ok_or_else(|| {
            let names: Vec<&str> = self.data_sources.iter().map(|r| r.type_name()).collect();
            Diagnostic::error("unsupported data source")
                .with_detail(format!("Plinth's hashicorp/aws provider does not implement a data source named {t:?}."))
                .with_help(format!("supported data sources: {}", names.join(", ")))
        })
    }
}

/// The provider before configuration.
#[derive(Clone)]
pub struct AwsProvider(Arc<Registry>);

#[async_trait]
impl Provider for AwsProvider {
    fn name(&self) -> &str {
        "aws"
    }
    fn source(&self) -> &str {
        "hashicorp/aws"
    }
    fn version(&self) -> &str {
        UPSTREAM_VERSION
    }
    fn schema(&self) -> ProviderSchema {
        ProviderSchema {
            provider: config::provider_schema(),
            resources: self
                .0
                .resources
                .iter()
                .map(|r| (r.type_name().to_string(), full_schema(r.as_ref())))
                .collect(),
            data_sources: self
                .0
                .data_sources
                .iter()
                .map(|d| (d.type_name().to_string(), data_schema(d.as_ref())))
                .collect(),
        }
    }
    fn validate_resource_config(&self, type_name: &str, config: &Value) -> Diagnostics {
        if let Ok(r) = self.0.resource(type_name) {
            return r.validate(config);
        }
        match self.0.data_source(type_name) {
            Ok(_) => Diagnostics::new(),
            Err(e) => e.into(),
        }
    }
    async fn configure(&self, config: Value) -> Result<Arc<dyn ConfiguredProvider>, Diagnostics> {
        let aws = Aws::configure(&config).await?;
        Ok(Arc::new(ConfiguredAws {
            reg: self.0.clone(),
            aws: Arc::new(aws),
        }))
    }
}

/// The configured provider: one per `provider "aws"` block (alias).
pub struct ConfiguredAws {
    reg: Arc<Registry>,
    aws: Arc<Aws>,
}

#[async_trait]
impl ConfiguredProvider for ConfiguredAws {
    async fn read_resource(&self, req: ReadResourceRequest) -> ReadResourceResponse {
        let r = match self.reg.resource(&req.type_name) {
            Ok(r) => r,
            Err(e) => {
                return ReadResourceResponse {
                    diagnostics: e.into(),
                    ..Default::default()
                }
            }
        };
        let block = full_schema(r).block;
        let state = to_obj(&block, &req.current_state);
        let cx = ctx(&self.aws, Some(r), &req.current_state, None);
        match r.read(&cx, &state).await {
            Ok(new) => ReadResourceResponse {
                new_state: new.map(|o| from_obj(&block, keep_local(&state, o))),
                private: req.private,
                diagnostics: Diagnostics::new(),
            },
            Err(d) => ReadResourceResponse {
                new_state: Some(req.current_state),
                private: req.private,
                diagnostics: d,
            },
        }
    }

    async fn plan_change(&self, req: PlanChangeRequest) -> PlanChangeResponse {
        match self.reg.resource(&req.type_name) {
            Ok(r) => framework::plan(&self.aws, r, req),
            Err(e) => PlanChangeResponse {
                diagnostics: e.into(),
                ..Default::default()
            },
        }
    }

    async fn apply_change(&self, req: ApplyChangeRequest) -> ApplyChangeResponse {
        let r = match self.reg.resource(&req.type_name) {
            Ok(r) => r,
            Err(e) => {
                return ApplyChangeResponse {
                    diagnostics: e.into(),
                    ..Default::default()
                }
            }
        };
        let block = full_schema(r).block;
        let prior = req
            .prior_state
            .as_ref()
            .filter(|v| !v.is_null())
            .map(|v| to_obj(&block, v));
        let planned = req
            .planned_state
            .as_ref()
            .filter(|v| !v.is_null())
            .map(|v| to_obj(&block, v));
        let subject = req
            .planned_state
            .as_ref()
            .or(req.prior_state.as_ref())
            .cloned()
            .unwrap_or_default();
        let cx = ctx(&self.aws, Some(r), &subject, Some(&req.config));
        let result = match (&prior, &planned) {
            (None, None) => Ok(None),
            (Some(p), None) => r
                .delete(&cx, p)
                .await
                .map(|_| None)
                .map_err(framework::Failed::from),
            (None, Some(n)) => match check_known(&block, n) {
                Ok(()) => r.create(&cx, n).await.map(|o| Some(keep_local(n, o))),
                Err(d) => Err(d.into()),
            },
            (Some(p), Some(n)) => match check_known(&block, n) {
                Ok(()) => r.update(&cx, p, n).await.map(|o| Some(keep_local(n, o))),
                Err(d) => Err(d.into()),
            },
        };
        match result {
            Ok(new) => ApplyChangeResponse {
                new_state: new.map(|o| unknowns_to_null(from_obj(&block, o))),
                private: Vec::new(),
                diagnostics: Diagnostics::new(),
            },
            Err(f) => ApplyChangeResponse {
                // What exists: the partial object if one was made, else what was there before.
                new_state: match f.state {
                    Some(o) => Some(unknowns_to_null(from_obj(
                        &block,
                        keep_local(planned.as_ref().unwrap_or(&o.clone()), o),
                    ))),
                    None => req.prior_state.filter(|v| !v.is_null()),
                },
                private: req.planned_private,
                diagnostics: f.diags,
            },
        }
    }

    async fn import_resource(&self, req: ImportResourceRequest) -> ImportResourceResponse {
        let r = match self.reg.resource(&req.type_name) {
            Ok(r) => r,
            Err(e) => {
                return ImportResourceResponse {
                    diagnostics: e.into(),
                    ..Default::default()
                }
            }
        };
        let block = full_schema(r).block;
        let cx = ctx(&self.aws, Some(r), &Value::null(), None);
        match r.import(&cx, &req.id).await {
            Ok(Some(mut o)) => {
                o.entry("region".into()).or_insert_with(|| Value::string(cx.region.clone()));
                if o.get("region").is_some_and(Value::is_null) {
                    o.insert("region".into(), Value::string(cx.region.clone()));
                }
                ImportResourceResponse {
                    imported: vec![ImportedResource { type_name: req.type_name, state: from_obj(&block, o), private: Vec::new() }],
                    diagnostics: Diagnostics::new(),
                }
            }
            Ok(None) => ImportResourceResponse {
                imported: Vec::new(),
                diagnostics: Diagnostic::error("cannot import non-existent remote object")
                    .with_detail(format!(
                        "While attempting to import an existing object to {}, the provider detected that no object exists with the given id {:?}.",
                        req.type_name, req.id
                    ))
                    .with_help("check the import ID and the provider's region")
                    .into(),
            },
            Err(d) => ImportResourceResponse { imported: Vec::new(), diagnostics: d },
        }
    }

    async fn read_data_source(&self, req: ReadDataSourceRequest) -> ReadDataSourceResponse {
        let d = match self.reg.data_source(&req.type_name) {
            Ok(d) => d,
            Err(e) => {
                return ReadDataSourceResponse {
                    state: Value::null(),
                    diagnostics: e.into(),
                }
            }
        };
        let block = data_schema(d).block;
        let cx = ctx(&self.aws, None, &req.config, None);
        let mut config = to_obj(&block, &req.config);
        config.insert("region".into(), Value::string(cx.region.clone()));
        match d.read(&cx, &config).await {
            Ok(o) => ReadDataSourceResponse {
                state: from_obj(&block, o),
                diagnostics: Diagnostics::new(),
            },
            Err(e) => ReadDataSourceResponse {
                state: Value::null(),
                diagnostics: e,
            },
        }
    }
}

/// Attributes that only live in Plinth (not in AWS) carry over from the planned/prior object:
/// `timeouts`, and `region` when the resource did not set it.
fn keep_local(from: &framework::Obj, mut o: framework::Obj) -> framework::Obj {
    for k in ["timeouts", "region"] {
        let missing = o.get(k).map_or(true, Value::is_null);
        if missing {
            if let Some(v) = from.get(k) {
                o.insert(k.to_string(), v.clone());
            }
        }
    }
    o
}

/// After apply nothing may stay unknown: a computed attribute the API did not report is null.
fn unknowns_to_null(v: Value) -> Value {
    match v {
        Value::Unknown(t) => Value::Null(t),
        Value::Sensitive(x) => unknowns_to_null(*x).mark_sensitive(),
        Value::List(t, xs) => Value::List(t, xs.into_iter().map(unknowns_to_null).collect()),
        Value::Set(t, xs) => Value::set(t, xs.into_iter().map(unknowns_to_null).collect()),
        Value::Tuple(xs) => Value::Tuple(xs.into_iter().map(unknowns_to_null).collect()),
        Value::Map(t, m) => Value::Map(
            t,
            m.into_iter()
                .map(|(k, x)| (k, unknowns_to_null(x)))
                .collect(),
        ),
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, x)| (k, unknowns_to_null(x)))
                .collect(),
        ),
        v => v,
    }
}
