//! `aws_s3_bucket_versioning` (import ID: the bucket name, or `bucket,expected_bucket_owner`).
//!
//! `versioning_configuration { status = "Enabled" | "Suspended" | "Disabled" }`. "Disabled"
//! is only valid for a bucket that never had versioning (nothing is sent). Delete suspends
//! versioning (a bucket cannot go back to unversioned), as upstream.

use super::NO_BUCKET;
use crate::api::{call, call_retry, ApiError, Op};
use crate::framework::*;
use async_trait::async_trait;
use aws_sdk_s3::types::{BucketVersioningStatus, MfaDelete, VersioningConfiguration};
use plinth_sdk::{
    Attribute, Block, Diagnostic, Diagnostics, NestedBlock, Nesting, Schema, Type, Value,
};
use std::time::Duration;

pub(crate) struct BucketVersioning;

const WHAT: &str = "S3 Bucket Versioning";

fn op(verb: &'static str, operation: &'static str) -> Op {
    Op::new(verb, WHAT, "S3", operation)
}

fn conf_block() -> Block {
    Block::new()
        .attr("mfa_delete", Attribute::optional_computed(Type::String))
        .attr("status", Attribute::required(Type::String))
}

#[async_trait]
impl Resource for BucketVersioning {
    fn type_name(&self) -> &'static str {
        "aws_s3_bucket_versioning"
    }
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block::new()
                .attr("bucket", Attribute::required(Type::String).force_new())
                .attr(
                    "expected_bucket_owner",
                    Attribute::optional(Type::String).force_new(),
                )
                .attr("id", Attribute::computed(Type::String))
                .attr("mfa", Attribute::optional(Type::String))
                .block(
                    "versioning_configuration",
                    NestedBlock {
                        nesting: Nesting::List,
                        min_items: 1,
                        max_items: 1,
                        force_new: false,
                        block: conf_block(),
                    },
                ),
        }
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        if let Some(c) = config
            .get_attr("versioning_configuration")
            .and_then(Value::as_seq)
            .and_then(|s| s.first())
        {
            if let Some(st) = c.get_attr("status").and_then(Value::as_str) {
                if !["Enabled", "Suspended", "Disabled"].contains(&st) {
                    d.push(attr_error(
                        "versioning_configuration.status",
                        "unsupported status",
                        format!("{st:?} is not a versioning status: expected \"Enabled\", \"Suspended\" or \"Disabled\"."),
                        "use \"Enabled\", \"Suspended\" or \"Disabled\"",
                    ));
                }
            }
            if let Some(m) = c.get_attr("mfa_delete").and_then(Value::as_str) {
                if !["Enabled", "Disabled"].contains(&m) {
                    d.push(attr_error(
                        "versioning_configuration.mfa_delete",
                        "unsupported value",
                        format!("{m:?}: expected \"Enabled\" or \"Disabled\"."),
                        "use \"Enabled\" or \"Disabled\"",
                    ));
                }
            }
        }
        d
    }
    fn normalize(&self, planned: &mut Obj) {
        // mfa_delete is Optional+Computed inside the block: unset, it is unknown until read
        // (plan_update then keeps the prior value).
        set_mfa_delete(planned, |v| {
            if v.is_null() {
                Value::Unknown(Type::String)
            } else {
                v
            }
        });
    }
    fn plan_update(&self, prior: &Obj, planned: &mut Obj, _rr: &mut Vec<plinth_sdk::AttrPath>) {
        let prior_mfa = conf_of(prior).1;
        set_mfa_delete(planned, |v| match (&v, &prior_mfa) {
            (Value::Unknown(_), Some(p)) => s(p.clone()),
            _ => v,
        });
    }

    async fn create(&self, cx: &Ctx<'_>, planned: &Obj) -> Result<Obj, Failed> {
        let s3 = cx.s3();
        let bucket = get_str(planned, "bucket").unwrap_or_default();
        let owner = get_str(planned, "expected_bucket_owner");
        let (status, mfa_delete) = conf_of(planned);
        if status != "Disabled" {
            put(
                &s3,
                &bucket,
                owner.clone(),
                &status,
                mfa_delete,
                get_str(planned, "mfa"),
                "creating",
            )
            .await?;
        }
        let id = match &owner {
            Some(o) => format!("{bucket},{o}"),
            None => bucket.clone(),
        };
        let mut partial = planned.clone();
        partial.insert("id".into(), s(id));
        match self.read(cx, &partial).await {
            Ok(Some(o)) => Ok(o),
            Ok(None) => Err(Failed::partial(
                partial,
                ApiError::other(
                    op("creating", "GetBucketVersioning"),
                    "the bucket disappeared",
                ),
            )),
            Err(d) => Err(Failed::partial(partial, d)),
        }
    }

    async fn read(&self, cx: &Ctx<'_>, state: &Obj) -> Result<Option<Obj>, Diagnostics> {
        let s3 = cx.s3();
        let id = id_of(state)?;
        let (bucket, owner) = split_id(&id)?;
        let (status, mfa) = match call(op("reading", "GetBucketVersioning"), || {
            s3.get_bucket_versioning()
                .bucket(&bucket)
                .set_expected_bucket_owner(owner.clone())
                .send()
        })
        .await
        {
            Ok(o) => (
                o.status().map(|s| s.as_str().to_string()),
                o.mfa_delete().map(|m| m.as_str().to_string()),
            ),
            Err(e) if e.is(NO_BUCKET) || e.status == Some(404) => return Ok(None),
            Err(e) => match emulator_versioning(&e) {
                Some(x) => x,
                None => return Err(e.into()),
            },
        };
        // Never versioned: "Disabled" (what a configuration says for such a bucket).
        let status = status.unwrap_or_else(|| "Disabled".to_string());
        let mfa = mfa.unwrap_or_else(|| conf_of(state).1.unwrap_or_else(|| "Disabled".to_string()));
        let mut o = state.clone();
        o.insert("id".into(), s(id.clone()));
        o.insert("bucket".into(), s(bucket));
        o.insert("expected_bucket_owner".into(), opt_s(owner.as_deref()));
        o.insert(
            "versioning_configuration".into(),
            Value::List(
                conf_block().implied_type(),
                vec![Value::object([
                    ("mfa_delete", s(mfa)),
                    ("status", s(status)),
                ])],
            ),
        );
        Ok(Some(o))
    }

    async fn update(&self, cx: &Ctx<'_>, prior: &Obj, planned: &Obj) -> Result<Obj, Failed> {
        let s3 = cx.s3();
        let id = id_of(prior)?;
        let (bucket, owner) = split_id(&id)?;
        let (status, mfa_delete) = conf_of(planned);
        if status == "Disabled" {
            let (prior_status, _) = conf_of(prior);
            if prior_status != "Disabled" {
                return Err(Diagnostic::error("invalid value for versioning_configuration.status: a versioned bucket cannot become \"Disabled\"")
                    .with_detail(format!("Versioning of bucket {bucket:?} is {prior_status}; once enabled it can only be suspended."))
                    .with_help("use status = \"Suspended\"")
                    .into());
            }
        } else {
            put(
                &s3,
                &bucket,
                owner,
                &status,
                mfa_delete,
                get_str(planned, "mfa"),
                "updating",
            )
            .await?;
        }
        match self.read(cx, planned).await? {
            Some(o) => Ok(o),
            None => Err(ApiError::other(
                op("updating", "GetBucketVersioning"),
                "the bucket disappeared",
            )
            .into()),
        }
    }

    async fn delete(&self, cx: &Ctx<'_>, prior: &Obj) -> Result<(), Diagnostics> {
        let s3 = cx.s3();
        let id = id_of(prior)?;
        let (bucket, owner) = split_id(&id)?;
        let (status, _) = conf_of(prior);
        if status == "Disabled" {
            return Ok(());
        }
        match put(&s3, &bucket, owner, "Suspended", None, None, "deleting").await {
            Ok(()) => Ok(()),
            Err(e) if e.is(NO_BUCKET) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    async fn import(&self, cx: &Ctx<'_>, id: &str) -> Result<Option<Obj>, Diagnostics> {
        split_id(id)?;
        let mut o = Obj::new();
        o.insert("id".into(), s(id));
        self.read(cx, &o).await
    }
}

/// moto answers GetBucketVersioning with a `<GetBucketVersioningResponse>` root element
/// instead of S3's `<VersioningConfiguration>`, which the SDK cannot parse: the status is
/// then taken from the body it kept (`Status`, `MfaDelete`).
fn emulator_versioning(e: &ApiError) -> Option<(Option<String>, Option<String>)> {
    let body = e.message.as_deref()?;
    if !body.contains("<GetBucketVersioningResponse") {
        return None;
    }
    let between = |tag: &str| {
        let open = format!("<{tag}>");
        let close = format!("</{tag}>");
        let start = body.find(&open)? + open.len();
        let end = body[start..].find(&close)? + start;
        Some(body[start..end].trim().to_string()).filter(|s| !s.is_empty())
    };
    Some((between("Status"), between("MfaDelete")))
}

/// Rewrites `versioning_configuration[0].mfa_delete`.
fn set_mfa_delete(o: &mut Obj, f: impl Fn(Value) -> Value) {
    let Some(Value::List(t, items)) = o.get("versioning_configuration").cloned() else {
        return;
    };
    let items = items
        .into_iter()
        .map(|c| match c {
            Value::Object(mut m) => {
                let v = m.remove("mfa_delete").unwrap_or(Value::Null(Type::String));
                m.insert("mfa_delete".into(), f(v));
                Value::Object(m)
            }
            other => other,
        })
        .collect();
    o.insert("versioning_configuration".into(), Value::List(t, items));
}

/// `(status, mfa_delete)` of the object's `versioning_configuration`.
fn conf_of(o: &Obj) -> (String, Option<String>) {
    let c = get(o, "versioning_configuration")
        .as_seq()
        .and_then(|s| s.first().cloned());
    let status = c
        .as_ref()
        .and_then(|c| {
            c.get_attr("status")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .unwrap_or_else(|| "Disabled".into());
    let mfa = c.as_ref().and_then(|c| {
        c.get_attr("mfa_delete")
            .map(Value::unmarked)
            .and_then(Value::as_str)
            .map(str::to_string)
    });
    (status, mfa)
}

/// `bucket` or `bucket,expected_bucket_owner`.
fn split_id(id: &str) -> Result<(String, Option<String>), Diagnostics> {
    let mut parts = id.splitn(2, ',');
    let bucket = parts.next().unwrap_or("").to_string();
    let owner = parts.next().map(str::to_string);
    if bucket.is_empty() || owner.as_deref() == Some("") {
        return Err(
            Diagnostic::error(format!("invalid aws_s3_bucket_versioning ID {id:?}"))
                .with_detail("The ID is the bucket name, or `bucket,expected_bucket_owner`.")
                .with_help("import with the bucket name, e.g. `my-bucket`")
                .into(),
        );
    }
    Ok((bucket, owner))
}

async fn put(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    owner: Option<String>,
    status: &str,
    mfa_delete: Option<String>,
    mfa: Option<String>,
    verb: &'static str,
) -> Result<(), ApiError> {
    let conf = VersioningConfiguration::builder()
        .status(BucketVersioningStatus::from(status))
        .set_mfa_delete(mfa_delete.map(|m| MfaDelete::from(m.as_str())))
        .build();
    // A bucket made just before may not be visible yet.
    call_retry(
        op(verb, "PutBucketVersioning"),
        &["NoSuchBucket"],
        Duration::from_secs(60),
        || {
            s3.put_bucket_versioning()
                .bucket(bucket)
                .set_expected_bucket_owner(owner.clone())
                .set_mfa(mfa.clone())
                .versioning_configuration(conf.clone())
                .send()
        },
    )
    .await?;
    Ok(())
}
