//! `aws_s3_bucket_public_access_block` (import ID: the bucket name).

use super::NO_BUCKET;
use crate::api::{call, call_retry, ApiError, Op};
use crate::framework::*;
use async_trait::async_trait;
use aws_sdk_s3::types::PublicAccessBlockConfiguration;
use plinth_sdk::{Attribute, Block, Diagnostics, Schema, Type, Value};
use std::time::Duration;

pub(crate) struct PublicAccessBlock;

const WHAT: &str = "S3 Bucket Public Access Block";
const FLAGS: [&str; 4] = [
    "block_public_acls",
    "block_public_policy",
    "ignore_public_acls",
    "restrict_public_buckets",
];

fn op(verb: &'static str, operation: &'static str) -> Op {
    Op::new(verb, WHAT, "S3", operation)
}

#[async_trait]
impl Resource for PublicAccessBlock {
    fn type_name(&self) -> &'static str {
        "aws_s3_bucket_public_access_block"
    }
    fn schema(&self) -> Schema {
        let mut b = Block::new()
            .attr("bucket", Attribute::required(Type::String).force_new())
            .attr("id", Attribute::computed(Type::String));
        for f in FLAGS {
            b = b.attr(f, Attribute::optional(Type::Bool));
        }
        Schema {
            version: 0,
            block: b,
        }
    }
    fn defaults(&self) -> Vec<(&'static str, Value)> {
        FLAGS.iter().map(|f| (*f, b(false))).collect()
    }

    async fn create(&self, cx: &Ctx<'_>, planned: &Obj) -> Result<Obj, Failed> {
        let s3 = cx.s3();
        let bucket = get_str(planned, "bucket").unwrap_or_default();
        put(&s3, &bucket, planned, "creating").await?;
        let mut partial = planned.clone();
        partial.insert("id".into(), s(bucket));
        match self.read(cx, &partial).await {
            Ok(Some(o)) => Ok(o),
            Ok(None) => Err(Failed::partial(
                partial,
                ApiError::other(
                    op("creating", "GetPublicAccessBlock"),
                    "the public access block disappeared",
                ),
            )),
            Err(d) => Err(Failed::partial(partial, d)),
        }
    }

    async fn read(&self, cx: &Ctx<'_>, state: &Obj) -> Result<Option<Obj>, Diagnostics> {
        let s3 = cx.s3();
        let bucket = id_of(state)?;
        let out = match call(op("reading", "GetPublicAccessBlock"), || {
            s3.get_public_access_block().bucket(&bucket).send()
        })
        .await
        {
            Ok(o) => o,
            Err(e)
                if e.is(NO_BUCKET)
                    || e.is(&["NoSuchPublicAccessBlockConfiguration"])
                    || e.status == Some(404) =>
            {
                return Ok(None)
            }
            Err(e) => return Err(e.into()),
        };
        let Some(c) = out.public_access_block_configuration() else {
            return Ok(None);
        };
        let mut o = state.clone();
        o.insert("id".into(), s(bucket.clone()));
        o.insert("bucket".into(), s(bucket));
        o.insert(
            "block_public_acls".into(),
            b(c.block_public_acls().unwrap_or(false)),
        );
        o.insert(
            "block_public_policy".into(),
            b(c.block_public_policy().unwrap_or(false)),
        );
        o.insert(
            "ignore_public_acls".into(),
            b(c.ignore_public_acls().unwrap_or(false)),
        );
        o.insert(
            "restrict_public_buckets".into(),
            b(c.restrict_public_buckets().unwrap_or(false)),
        );
        Ok(Some(o))
    }

    async fn update(&self, cx: &Ctx<'_>, prior: &Obj, planned: &Obj) -> Result<Obj, Failed> {
        let s3 = cx.s3();
        let bucket = id_of(prior)?;
        if FLAGS.iter().any(|f| !same(prior.get(*f), planned.get(*f))) {
            put(&s3, &bucket, planned, "updating").await?;
        }
        match self.read(cx, planned).await? {
            Some(o) => Ok(o),
            None => Err(ApiError::other(
                op("updating", "GetPublicAccessBlock"),
                "the public access block disappeared",
            )
            .into()),
        }
    }

    async fn delete(&self, cx: &Ctx<'_>, prior: &Obj) -> Result<(), Diagnostics> {
        let s3 = cx.s3();
        let bucket = id_of(prior)?;
        match call(op("deleting", "DeletePublicAccessBlock"), || {
            s3.delete_public_access_block().bucket(&bucket).send()
        })
        .await
        {
            Ok(_) => Ok(()),
            Err(e) if e.is(NO_BUCKET) || e.is(&["NoSuchPublicAccessBlockConfiguration"]) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

async fn put(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    planned: &Obj,
    verb: &'static str,
) -> Result<(), ApiError> {
    let flag = |k: &str| get_bool(planned, k).unwrap_or(false);
    let conf = PublicAccessBlockConfiguration::builder()
        .block_public_acls(flag("block_public_acls"))
        .block_public_policy(flag("block_public_policy"))
        .ignore_public_acls(flag("ignore_public_acls"))
        .restrict_public_buckets(flag("restrict_public_buckets"))
        .build();
    // A bucket made just before may not be visible yet.
    call_retry(
        op(verb, "PutPublicAccessBlock"),
        &["NoSuchBucket"],
        Duration::from_secs(60),
        || {
            s3.put_public_access_block()
                .bucket(bucket)
                .public_access_block_configuration(conf.clone())
                .send()
        },
    )
    .await?;
    Ok(())
}
