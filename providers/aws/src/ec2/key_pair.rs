//! `aws_key_pair` (import ID: the key name).

use super::{state_tags, tag_map, tag_spec, update_tags};
use crate::api::{call, ApiError, Op};
use crate::framework::*;
use async_trait::async_trait;
use aws_sdk_ec2::types::ResourceType;
use aws_smithy_types::Blob;
use plinth_sdk::{Attribute, Block, Diagnostics, Schema, Type, Value};

pub(crate) struct KeyPair;

const WHAT: &str = "EC2 Key Pair";

fn op(verb: &'static str, operation: &'static str) -> Op {
    Op::new(verb, WHAT, "EC2", operation)
}

#[async_trait]
impl Resource for KeyPair {
    fn type_name(&self) -> &'static str {
        "aws_key_pair"
    }
    fn tagged(&self) -> bool {
        true
    }
    fn schema(&self) -> Schema {
        Schema {
            version: 1,
            block: Block::new()
                .attr("arn", Attribute::computed(Type::String))
                .attr("fingerprint", Attribute::computed(Type::String))
                .attr("id", Attribute::computed(Type::String))
                .attr(
                    "key_name",
                    Attribute::optional_computed(Type::String).force_new(),
                )
                .attr(
                    "key_name_prefix",
                    Attribute::optional_computed(Type::String).force_new(),
                )
                .attr("key_pair_id", Attribute::computed(Type::String))
                .attr("key_type", Attribute::computed(Type::String))
                .attr("public_key", Attribute::required(Type::String).force_new())
                .attr("tags", Attribute::optional(Type::map(Type::String))),
        }
    }

    async fn create(&self, cx: &Ctx<'_>, planned: &Obj) -> Result<Obj, Failed> {
        let ec2 = cx.ec2();
        let name = match (
            get_str(planned, "key_name"),
            get_str(planned, "key_name_prefix"),
        ) {
            (Some(n), _) => n,
            (None, Some(p)) => super::security_group::unique_name(&p),
            (None, None) => super::security_group::unique_name("terraform-"),
        };
        let tags = tags_to_send(cx.aws, planned);
        let key = get_str(planned, "public_key").unwrap_or_default();
        call(op("creating", "ImportKeyPair"), || {
            ec2.import_key_pair()
                .key_name(&name)
                .public_key_material(Blob::new(key.as_bytes().to_vec()))
                .set_tag_specifications(tag_spec(ResourceType::KeyPair, &tags).map(|t| vec![t]))
                .send()
        })
        .await?;
        let mut o = planned.clone();
        o.insert("id".into(), s(name.clone()));
        o.insert("key_name".into(), s(name));
        match self.read(cx, &o).await {
            Ok(Some(r)) => Ok(r),
            Ok(None) => Err(Failed::partial(
                o,
                ApiError::other(
                    op("creating", "DescribeKeyPairs"),
                    "the new key pair disappeared",
                ),
            )),
            Err(d) => Err(Failed::partial(o, d)),
        }
    }

    async fn read(&self, cx: &Ctx<'_>, state: &Obj) -> Result<Option<Obj>, Diagnostics> {
        let ec2 = cx.ec2();
        let name = id_of(state)?;
        let out = match call(op("reading", "DescribeKeyPairs"), || {
            ec2.describe_key_pairs()
                .key_names(&name)
                .include_public_key(true)
                .send()
        })
        .await
        {
            Ok(o) => o,
            Err(e) if e.is(&["InvalidKeyPair.NotFound"]) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let Some(k) = out
            .key_pairs()
            .iter()
            .find(|k| k.key_name() == Some(name.as_str()))
        else {
            return Ok(None);
        };
        let mut o = state.clone();
        o.insert("id".into(), s(name.clone()));
        o.insert("key_name".into(), s(name.clone()));
        o.insert("arn".into(), s(cx.arn("ec2", &format!("key-pair/{name}"))));
        o.insert("fingerprint".into(), opt_s(k.key_fingerprint()));
        o.insert("key_pair_id".into(), opt_s(k.key_pair_id()));
        o.insert("key_type".into(), opt_s(k.key_type().map(|t| t.as_str())));
        if get(state, "key_name_prefix").is_null() || !get(state, "key_name_prefix").is_known() {
            o.insert("key_name_prefix".into(), Value::Null(Type::String));
        }
        // AWS returns the key without the trailing comment: keep the configured form when it
        // is the same key.
        if let Some(pk) = k.public_key() {
            let configured = get_str(state, "public_key").unwrap_or_default();
            let same_key = configured
                .split_whitespace()
                .take(2)
                .eq(pk.split_whitespace().take(2));
            if !same_key {
                o.insert("public_key".into(), s(pk.trim()));
            }
        }
        set_tags_from_api(cx.aws, &mut o, tag_map(k.tags()), Some(state));
        Ok(Some(o))
    }

    async fn update(&self, cx: &Ctx<'_>, prior: &Obj, planned: &Obj) -> Result<Obj, Failed> {
        let ec2 = cx.ec2();
        let id = get_str(prior, "key_pair_id").unwrap_or_default();
        update_tags(
            &ec2,
            WHAT,
            &id,
            &state_tags(prior),
            &tags_to_send(cx.aws, planned),
        )
        .await?;
        match self.read(cx, planned).await? {
            Some(o) => Ok(o),
            None => Err(ApiError::other(
                op("updating", "DescribeKeyPairs"),
                "the key pair disappeared",
            )
            .into()),
        }
    }

    async fn delete(&self, cx: &Ctx<'_>, prior: &Obj) -> Result<(), Diagnostics> {
        let ec2 = cx.ec2();
        let name = id_of(prior)?;
        match call(op("deleting", "DeleteKeyPair"), || {
            ec2.delete_key_pair().key_name(&name).send()
        })
        .await
        {
            Ok(_) => Ok(()),
            Err(e) if e.is(&["InvalidKeyPair.NotFound"]) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}
