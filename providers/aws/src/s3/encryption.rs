//! `aws_s3_bucket_server_side_encryption_configuration` (import ID: the bucket name, or
//! `bucket,expected_bucket_owner`).
//!
//! `rule { apply_server_side_encryption_by_default { sse_algorithm kms_master_key_id }
//! bucket_key_enabled }`. Delete removes the configuration (the bucket falls back to S3's
//! default SSE-S3 encryption).

use super::NO_BUCKET;
use crate::api::{call, call_retry, ApiError, Op};
use crate::framework::*;
use async_trait::async_trait;
use aws_sdk_s3::types::{
    ServerSideEncryption, ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration,
    ServerSideEncryptionRule,
};
use plinth_sdk::{
    Attribute, Block, Diagnostic, Diagnostics, NestedBlock, Nesting, Schema, Type, Value,
};
use std::time::Duration;

pub(crate) struct BucketEncryption;

const WHAT: &str = "S3 Bucket Server-side Encryption Configuration";
const NOT_CONFIGURED: &[&str] = &["ServerSideEncryptionConfigurationNotFoundError"];

fn op(verb: &'static str, operation: &'static str) -> Op {
    Op::new(verb, WHAT, "S3", operation)
}

fn default_block() -> Block {
    Block::new()
        .attr("kms_master_key_id", Attribute::optional(Type::String))
        .attr("sse_algorithm", Attribute::required(Type::String))
}

fn rule_block() -> Block {
    Block::new()
        .attr("bucket_key_enabled", Attribute::optional(Type::Bool))
        .block(
            "apply_server_side_encryption_by_default",
            NestedBlock {
                nesting: Nesting::List,
                min_items: 0,
                max_items: 1,
                force_new: false,
                block: default_block(),
            },
        )
}

#[async_trait]
impl Resource for BucketEncryption {
    fn type_name(&self) -> &'static str {
        "aws_s3_bucket_server_side_encryption_configuration"
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
                .block(
                    "rule",
                    NestedBlock {
                        nesting: Nesting::Set,
                        min_items: 1,
                        max_items: 0,
                        force_new: false,
                        block: rule_block(),
                    },
                ),
        }
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        for r in config
            .get_attr("rule")
            .and_then(Value::as_seq)
            .unwrap_or(&[])
        {
            for dflt in r
                .get_attr("apply_server_side_encryption_by_default")
                .and_then(Value::as_seq)
                .unwrap_or(&[])
            {
                if let Some(a) = dflt.get_attr("sse_algorithm").and_then(Value::as_str) {
                    if !["AES256", "aws:kms", "aws:kms:dsse"].contains(&a) {
                        d.push(attr_error(
                            "rule.apply_server_side_encryption_by_default.sse_algorithm",
                            "unsupported algorithm",
                            format!("{a:?}: expected \"AES256\", \"aws:kms\" or \"aws:kms:dsse\"."),
                            "use \"AES256\" or \"aws:kms\"",
                        ));
                    }
                }
            }
        }
        d
    }
    fn normalize(&self, planned: &mut Obj) {
        // rule is a set: give every element its nested list and bucket_key_enabled = false
        // when unset (SDKv2 zero value), so that it compares equal to what is read.
        if let Some(Value::Set(_, items)) = planned.get("rule").map(|v| v.unmarked().clone()) {
            let items = items.into_iter().map(|r| rule_value(&r)).collect();
            planned.insert(
                "rule".into(),
                Value::set(rule_block().implied_type(), items),
            );
        }
    }

    async fn create(&self, cx: &Ctx<'_>, planned: &Obj) -> Result<Obj, Failed> {
        let s3 = cx.s3();
        let bucket = get_str(planned, "bucket").unwrap_or_default();
        let owner = get_str(planned, "expected_bucket_owner");
        put(&s3, &bucket, owner.clone(), planned, "creating").await?;
        let mut partial = planned.clone();
        partial.insert(
            "id".into(),
            s(match &owner {
                Some(o) => format!("{bucket},{o}"),
                None => bucket.clone(),
            }),
        );
        match self.read(cx, &partial).await {
            Ok(Some(o)) => Ok(o),
            Ok(None) => Err(Failed::partial(
                partial,
                ApiError::other(
                    op("creating", "GetBucketEncryption"),
                    "the encryption configuration disappeared",
                ),
            )),
            Err(d) => Err(Failed::partial(partial, d)),
        }
    }

    async fn read(&self, cx: &Ctx<'_>, state: &Obj) -> Result<Option<Obj>, Diagnostics> {
        let s3 = cx.s3();
        let id = id_of(state)?;
        let (bucket, owner) = split_id(&id)?;
        let out = match call(op("reading", "GetBucketEncryption"), || {
            s3.get_bucket_encryption()
                .bucket(&bucket)
                .set_expected_bucket_owner(owner.clone())
                .send()
        })
        .await
        {
            Ok(o) => o,
            Err(e) if e.is(NO_BUCKET) || e.is(NOT_CONFIGURED) || e.status == Some(404) => {
                return Ok(None)
            }
            Err(e) => return Err(e.into()),
        };
        let Some(conf) = out.server_side_encryption_configuration() else {
            return Ok(None);
        };
        let rules: Vec<Value> = conf
            .rules()
            .iter()
            .map(|r| {
                let dflt: Vec<Value> = r
                    .apply_server_side_encryption_by_default()
                    .map(|d| {
                        Value::object([
                            ("kms_master_key_id", opt_s(d.kms_master_key_id())),
                            ("sse_algorithm", s(d.sse_algorithm().as_str())),
                        ])
                    })
                    .into_iter()
                    .collect();
                Value::object([
                    (
                        "apply_server_side_encryption_by_default",
                        Value::List(default_block().implied_type(), dflt),
                    ),
                    (
                        "bucket_key_enabled",
                        b(r.bucket_key_enabled().unwrap_or(false)),
                    ),
                ])
            })
            .collect();
        let mut o = state.clone();
        o.insert("id".into(), s(id.clone()));
        o.insert("bucket".into(), s(bucket));
        o.insert("expected_bucket_owner".into(), opt_s(owner.as_deref()));
        o.insert(
            "rule".into(),
            Value::set(rule_block().implied_type(), rules),
        );
        Ok(Some(o))
    }

    async fn update(&self, cx: &Ctx<'_>, prior: &Obj, planned: &Obj) -> Result<Obj, Failed> {
        let s3 = cx.s3();
        let id = id_of(prior)?;
        let (bucket, owner) = split_id(&id)?;
        if !same(prior.get("rule"), planned.get("rule")) {
            put(&s3, &bucket, owner, planned, "updating").await?;
        }
        match self.read(cx, planned).await? {
            Some(o) => Ok(o),
            None => Err(ApiError::other(
                op("updating", "GetBucketEncryption"),
                "the encryption configuration disappeared",
            )
            .into()),
        }
    }

    async fn delete(&self, cx: &Ctx<'_>, prior: &Obj) -> Result<(), Diagnostics> {
        let s3 = cx.s3();
        let id = id_of(prior)?;
        let (bucket, owner) = split_id(&id)?;
        match call(op("deleting", "DeleteBucketEncryption"), || {
            s3.delete_bucket_encryption()
                .bucket(&bucket)
                .set_expected_bucket_owner(owner.clone())
                .send()
        })
        .await
        {
            Ok(_) => Ok(()),
            Err(e) if e.is(NO_BUCKET) || e.is(NOT_CONFIGURED) => Ok(()),
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

/// One `rule` element with every attribute present (`bucket_key_enabled` false, nested
/// `kms_master_key_id` null when unset).
fn rule_value(r: &Value) -> Value {
    let dflt: Vec<Value> = r
        .get_attr("apply_server_side_encryption_by_default")
        .and_then(Value::as_seq)
        .unwrap_or(&[])
        .iter()
        .map(|d| {
            Value::object([
                (
                    "kms_master_key_id",
                    d.get_attr("kms_master_key_id")
                        .cloned()
                        .unwrap_or(Value::Null(Type::String)),
                ),
                (
                    "sse_algorithm",
                    d.get_attr("sse_algorithm")
                        .cloned()
                        .unwrap_or(Value::Null(Type::String)),
                ),
            ])
        })
        .collect();
    let bke = match r.get_attr("bucket_key_enabled") {
        Some(v) if !v.is_null() => v.clone(),
        _ => b(false),
    };
    Value::object([
        (
            "apply_server_side_encryption_by_default",
            Value::List(default_block().implied_type(), dflt),
        ),
        ("bucket_key_enabled", bke),
    ])
}

fn split_id(id: &str) -> Result<(String, Option<String>), Diagnostics> {
    let mut parts = id.splitn(2, ',');
    let bucket = parts.next().unwrap_or("").to_string();
    let owner = parts.next().map(str::to_string);
    if bucket.is_empty() || owner.as_deref() == Some("") {
        return Err(Diagnostic::error(format!(
            "invalid aws_s3_bucket_server_side_encryption_configuration ID {id:?}"
        ))
        .with_detail("The ID is the bucket name, or `bucket,expected_bucket_owner`.")
        .with_help("import with the bucket name, e.g. `my-bucket`")
        .into());
    }
    Ok((bucket, owner))
}

async fn put(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    owner: Option<String>,
    planned: &Obj,
    verb: &'static str,
) -> Result<(), ApiError> {
    let o = op(verb, "PutBucketEncryption");
    let mut rules = Vec::new();
    for r in get(planned, "rule").as_seq().unwrap_or(&[]) {
        let mut rb = ServerSideEncryptionRule::builder().set_bucket_key_enabled(
            r.get_attr("bucket_key_enabled")
                .map(Value::unmarked)
                .and_then(Value::as_bool),
        );
        if let Some(d) = r
            .get_attr("apply_server_side_encryption_by_default")
            .and_then(Value::as_seq)
            .and_then(|s| s.first())
        {
            let alg = d
                .get_attr("sse_algorithm")
                .and_then(Value::as_str)
                .unwrap_or("AES256");
            let by_default = ServerSideEncryptionByDefault::builder()
                .sse_algorithm(ServerSideEncryption::from(alg))
                .set_kms_master_key_id(
                    d.get_attr("kms_master_key_id")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                )
                .build()
                .map_err(|e| ApiError::other(o, e.to_string()))?;
            rb = rb.apply_server_side_encryption_by_default(by_default);
        }
        rules.push(rb.build());
    }
    let conf = ServerSideEncryptionConfiguration::builder()
        .set_rules(Some(rules))
        .build()
        .map_err(|e| ApiError::other(o, e.to_string()))?;
    call_retry(o, &["NoSuchBucket"], Duration::from_secs(60), || {
        s3.put_bucket_encryption()
            .bucket(bucket)
            .set_expected_bucket_owner(owner.clone())
            .server_side_encryption_configuration(conf.clone())
            .send()
    })
    .await?;
    Ok(())
}
