//! `aws_s3_bucket` (import ID: the bucket name; `id` is the name).
//!
//! Only the bucket itself and its tags: versioning, encryption, policies and the rest are
//! separate resource types in 6.x (`aws_s3_bucket_versioning`, …). `force_destroy` empties
//! the bucket (every object version and delete marker) before deleting it.

use super::NO_BUCKET;
use crate::api::{call, call_retry, wait, ApiError, Op, Poll};
use crate::framework::*;
use async_trait::async_trait;
use aws_sdk_s3::types::{
    BucketLocationConstraint, CreateBucketConfiguration, Delete, ObjectIdentifier, Tag, Tagging,
};
use plinth_sdk::{Attribute, Block, Diagnostics, Schema, Type, Value};
use std::collections::BTreeMap;
use std::time::Duration;

pub(crate) struct Bucket;

const WHAT: &str = "S3 Bucket";

fn op(verb: &'static str, operation: &'static str) -> Op {
    Op::new(verb, WHAT, "S3", operation)
}

/// Route 53 hosted zone IDs of the S3 website endpoints, by region (upstream's table).
fn hosted_zone_id(region: &str) -> Option<&'static str> {
    Some(match region {
        "us-east-1" => "Z3AQBSTGFYJSTF",
        "us-east-2" => "Z2O1EMRO9K5GLX",
        "us-west-1" => "Z2F56UZL2M1ACD",
        "us-west-2" => "Z3BJ6K6RIION7M",
        "ca-central-1" => "Z1QDHH18159H29",
        "eu-west-1" => "Z1BKCTXD74EZPE",
        "eu-west-2" => "Z3GKZC51ZF0DB4",
        "eu-west-3" => "Z3R1K369G5AVDG",
        "eu-central-1" => "Z21DNDUVLTQW6Q",
        "eu-north-1" => "Z3BAZG2TWCNX0D",
        "eu-south-1" => "Z30OZKI7KPW7MI",
        "ap-south-1" => "Z11RGJOFQNVJUP",
        "ap-northeast-1" => "Z2M4EHUR26P7ZW",
        "ap-northeast-2" => "Z3W03O7B5YMIYP",
        "ap-northeast-3" => "Z2YQB5RD63NC85",
        "ap-southeast-1" => "Z3O0J2DXBE1FTB",
        "ap-southeast-2" => "Z1WCIGYICN2BYD",
        "ap-east-1" => "ZNB98KWMFR0R6",
        "sa-east-1" => "Z7KQH4QJS55SO",
        "me-south-1" => "Z1MPMWCPA7YB62",
        "af-south-1" => "Z83WF9RJE8B12",
        _ => return None,
    })
}

fn valid_bucket_name(n: &str) -> bool {
    (3..=63).contains(&n.len())
        && n.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
        && n.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && n.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && !n.contains("..")
}

#[async_trait]
impl Resource for Bucket {
    fn type_name(&self) -> &'static str {
        "aws_s3_bucket"
    }
    fn tagged(&self) -> bool {
        true
    }
    fn timeouts(&self) -> Option<Timeouts> {
        Some(Timeouts {
            create: Duration::from_secs(20 * 60),
            update: Duration::from_secs(20 * 60),
            delete: Duration::from_secs(60 * 60),
            read: Duration::from_secs(20 * 60),
        })
    }
    fn schema(&self) -> Schema {
        let c = Attribute::computed;
        Schema {
            version: 0,
            block: Block::new()
                .attr("arn", c(Type::String))
                .attr(
                    "bucket",
                    Attribute::optional_computed(Type::String).force_new(),
                )
                .attr("bucket_domain_name", c(Type::String))
                .attr(
                    "bucket_prefix",
                    Attribute::optional_computed(Type::String).force_new(),
                )
                .attr("bucket_region", c(Type::String))
                .attr("bucket_regional_domain_name", c(Type::String))
                .attr("force_destroy", Attribute::optional(Type::Bool))
                .attr("hosted_zone_id", c(Type::String))
                .attr("id", c(Type::String))
                .attr(
                    "object_lock_enabled",
                    Attribute::optional_computed(Type::Bool).force_new(),
                )
                .attr("tags", Attribute::optional(Type::map(Type::String))),
        }
    }
    fn defaults(&self) -> Vec<(&'static str, Value)> {
        vec![("force_destroy", b(false))]
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        if cfg(config, "bucket").is_some() && cfg(config, "bucket_prefix").is_some() {
            d.push(attr_error(
                "bucket",
                "conflicting arguments",
                "\"bucket\": conflicts with bucket_prefix.",
                "set either `bucket` or `bucket_prefix`, not both",
            ));
        }
        if let Some(n) = cfg(config, "bucket").and_then(Value::as_str) {
            if !valid_bucket_name(n) {
                d.push(attr_error(
                    "bucket",
                    "invalid bucket name",
                    format!("{n:?}: a bucket name has 3 to 63 lowercase letters, digits, dots and hyphens, and begins and ends with a letter or digit."),
                    "use a name such as \"my-app-artifacts\"",
                ));
            }
        }
        if let Some(p) = cfg(config, "bucket_prefix").and_then(Value::as_str) {
            if p.len() > 37 {
                d.push(attr_error(
                    "bucket_prefix",
                    "too long",
                    format!(
                        "bucket_prefix can be at most 37 characters, got {}.",
                        p.len()
                    ),
                    "use a shorter prefix",
                ));
            }
        }
        d
    }

    async fn create(&self, cx: &Ctx<'_>, planned: &Obj) -> Result<Obj, Failed> {
        let s3 = cx.s3();
        let name = generated_name(
            get_str(planned, "bucket"),
            get_str(planned, "bucket_prefix"),
        );
        let region = cx.region.clone();
        let conf = (region != "us-east-1").then(|| {
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(region.as_str()))
                .build()
        });
        call_retry(
            op("creating", "CreateBucket"),
            &["OperationAborted"],
            Duration::from_secs(120),
            || {
                s3.create_bucket()
                    .bucket(&name)
                    .set_create_bucket_configuration(conf.clone())
                    .set_object_lock_enabled_for_bucket(get_bool(planned, "object_lock_enabled"))
                    .send()
            },
        )
        .await?;
        let mut partial = planned.clone();
        partial.insert("id".into(), s(name.clone()));
        partial.insert("bucket".into(), s(name.clone()));
        let waited = wait(
            op("creating", "HeadBucket"),
            "visible",
            cx.timeouts.create,
            Duration::from_secs(2),
            || {
                let (s3, name) = (s3.clone(), name.clone());
                async move {
                    Ok(match head(&s3, &name, "creating").await? {
                        Some(_) => Poll::Ready(()),
                        None => Poll::Pending("not yet visible".into()),
                    })
                }
            },
        )
        .await;
        if let Err(e) = waited {
            return Err(Failed::partial(partial, e));
        }
        let tags = tags_to_send(cx.aws, planned);
        if !tags.is_empty() {
            if let Err(e) = put_tags(&s3, &name, &tags, "creating").await {
                return Err(Failed::partial(partial, e));
            }
        }
        match self.read(cx, &partial).await {
            Ok(Some(o)) => Ok(o),
            Ok(None) => Err(Failed::partial(
                partial,
                ApiError::other(op("creating", "HeadBucket"), "the new bucket disappeared"),
            )),
            Err(d) => Err(Failed::partial(partial, d)),
        }
    }

    async fn read(&self, cx: &Ctx<'_>, state: &Obj) -> Result<Option<Obj>, Diagnostics> {
        let s3 = cx.s3();
        let name = id_of(state)?;
        let Some(h) = head(&s3, &name, "reading").await? else {
            return Ok(None);
        };
        let region = h
            .bucket_region()
            .filter(|r| !r.is_empty())
            .unwrap_or(cx.region.as_str())
            .to_string();
        let mut o = state.clone();
        o.insert("id".into(), s(name.clone()));
        o.insert("bucket".into(), s(name.clone()));
        o.insert(
            "bucket_prefix".into(),
            opt_s(name_prefix_from_name(&name).as_deref()),
        );
        o.insert(
            "arn".into(),
            s(format!("arn:{}:s3:::{name}", cx.aws.partition)),
        );
        o.insert(
            "bucket_domain_name".into(),
            s(format!("{name}.s3.amazonaws.com")),
        );
        o.insert(
            "bucket_regional_domain_name".into(),
            s(format!("{name}.s3.{region}.amazonaws.com")),
        );
        o.insert("bucket_region".into(), s(region.clone()));
        o.insert("hosted_zone_id".into(), opt_s(hosted_zone_id(&region)));
        if get(&o, "force_destroy").is_null() {
            o.insert("force_destroy".into(), b(false));
        }
        let lock = call(op("reading", "GetObjectLockConfiguration"), || {
            s3.get_object_lock_configuration().bucket(&name).send()
        })
        .await;
        let locked = match lock {
            Ok(out) => out
                .object_lock_configuration()
                .and_then(|c| c.object_lock_enabled())
                .is_some_and(|e| e.as_str() == "Enabled"),
            Err(e)
                if e.is(&["ObjectLockConfigurationNotFoundError"])
                    || e.kind == crate::api::ErrorKind::NotImplemented =>
            {
                false
            }
            Err(e) => return Err(e.into()),
        };
        o.insert("object_lock_enabled".into(), b(locked));
        let tags = match call(op("reading", "GetBucketTagging"), || {
            s3.get_bucket_tagging().bucket(&name).send()
        })
        .await
        {
            Ok(out) => out
                .tag_set()
                .iter()
                .map(|t| (t.key().to_string(), t.value().to_string()))
                .collect(),
            Err(e) if e.is(&["NoSuchTagSet", "NoSuchTagSetError"]) => BTreeMap::new(),
            Err(e) if e.is(NO_BUCKET) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        set_tags_from_api(cx.aws, &mut o, tags, Some(state));
        Ok(Some(o))
    }

    async fn update(&self, cx: &Ctx<'_>, prior: &Obj, planned: &Obj) -> Result<Obj, Failed> {
        let s3 = cx.s3();
        let name = id_of(prior)?;
        let old = state_tags_all(prior);
        let new = tags_to_send(cx.aws, planned);
        if old != new {
            if new.is_empty() {
                call(op("updating", "DeleteBucketTagging"), || {
                    s3.delete_bucket_tagging().bucket(&name).send()
                })
                .await?;
            } else {
                put_tags(&s3, &name, &new, "updating").await?;
            }
        }
        match self.read(cx, planned).await? {
            Some(o) => Ok(o),
            None => {
                Err(ApiError::other(op("updating", "HeadBucket"), "the bucket disappeared").into())
            }
        }
    }

    async fn delete(&self, cx: &Ctx<'_>, prior: &Obj) -> Result<(), Diagnostics> {
        let s3 = cx.s3();
        let name = id_of(prior)?;
        let force = get_bool(prior, "force_destroy") == Some(true);
        let start = std::time::Instant::now();
        loop {
            let r = call(op("deleting", "DeleteBucket"), || {
                s3.delete_bucket().bucket(&name).send()
            })
            .await;
            match r {
                Ok(_) => break,
                Err(e) if e.is(NO_BUCKET) => return Ok(()),
                Err(e) if e.is(&["BucketNotEmpty"]) && force => {
                    if start.elapsed() > cx.timeouts.delete {
                        return Err(e.into());
                    }
                    empty_bucket(&s3, &name).await?;
                }
                Err(e) if e.is(&["BucketNotEmpty"]) => {
                    let mut d = e.diagnostic();
                    d = d.with_help("empty the bucket first, or set `force_destroy = true` and apply before destroying");
                    return Err(d.into());
                }
                Err(e) => return Err(e.into()),
            }
        }
        wait(
            op("deleting", "HeadBucket"),
            "deleted",
            cx.timeouts.delete,
            Duration::from_secs(2),
            || {
                let (s3, name) = (s3.clone(), name.clone());
                async move {
                    Ok(match head(&s3, &name, "deleting").await? {
                        None => Poll::Ready(()),
                        Some(_) => Poll::Pending("still present".into()),
                    })
                }
            },
        )
        .await?;
        Ok(())
    }
}

async fn put_tags(
    s3: &aws_sdk_s3::Client,
    name: &str,
    tags: &BTreeMap<String, String>,
    verb: &'static str,
) -> Result<(), ApiError> {
    let o = op(verb, "PutBucketTagging");
    let mut set = Vec::new();
    for (k, v) in tags {
        set.push(
            Tag::builder()
                .key(k)
                .value(v)
                .build()
                .map_err(|e| ApiError::other(o, e.to_string()))?,
        );
    }
    let tagging = Tagging::builder()
        .set_tag_set(Some(set))
        .build()
        .map_err(|e| ApiError::other(o, e.to_string()))?;
    call(o, || {
        s3.put_bucket_tagging()
            .bucket(name)
            .tagging(tagging.clone())
            .send()
    })
    .await?;
    Ok(())
}

/// Deletes every object version and delete marker (force_destroy).
async fn empty_bucket(s3: &aws_sdk_s3::Client, name: &str) -> Result<(), ApiError> {
    loop {
        let out = call(op("deleting", "ListObjectVersions"), || {
            s3.list_object_versions().bucket(name).max_keys(1000).send()
        })
        .await?;
        let mut ids = Vec::new();
        let o = op("deleting", "DeleteObjects");
        for v in out.versions() {
            if let Some(k) = v.key() {
                ids.push(
                    ObjectIdentifier::builder()
                        .key(k)
                        .set_version_id(v.version_id().map(str::to_string))
                        .build()
                        .map_err(|e| ApiError::other(o, e.to_string()))?,
                );
            }
        }
        for m in out.delete_markers() {
            if let Some(k) = m.key() {
                ids.push(
                    ObjectIdentifier::builder()
                        .key(k)
                        .set_version_id(m.version_id().map(str::to_string))
                        .build()
                        .map_err(|e| ApiError::other(o, e.to_string()))?,
                );
            }
        }
        if ids.is_empty() {
            return Ok(());
        }
        let del = Delete::builder()
            .set_objects(Some(ids))
            .quiet(true)
            .build()
            .map_err(|e| ApiError::other(o, e.to_string()))?;
        call(o, || {
            s3.delete_objects()
                .bucket(name)
                .delete(del.clone())
                .bypass_governance_retention(true)
                .send()
        })
        .await?;
    }
}

/// HeadBucket: `None` when the bucket does not exist.
pub(crate) async fn head(
    s3: &aws_sdk_s3::Client,
    name: &str,
    verb: &'static str,
) -> Result<Option<aws_sdk_s3::operation::head_bucket::HeadBucketOutput>, ApiError> {
    match call(op(verb, "HeadBucket"), || {
        s3.head_bucket().bucket(name).send()
    })
    .await
    {
        Ok(h) => Ok(Some(h)),
        Err(e) if e.is(NO_BUCKET) || e.status == Some(404) => Ok(None),
        Err(e) => Err(e),
    }
}
