//! `aws_secretsmanager_secret_version` (import ID: `<secret ARN>|<version ID>`; `id` is
//! `<secret_id>|<version_id>`).
//!
//! `secret_binary` is base64 in configuration and state (as upstream). Delete takes the
//! version's staging labels off it (AWSCURRENT cannot be taken off: such a version stays
//! until the secret is deleted, as upstream).

use super::NOT_FOUND;
use crate::api::{call, call_retry, wait, ApiError, Op, Poll};
use crate::framework::*;
use async_trait::async_trait;
use aws_smithy_types::Blob;
use plinth_sdk::{Attribute, Block, Diagnostic, Diagnostics, Schema, Type, Value};
use std::time::Duration;

pub(crate) struct SecretVersion;

const WHAT: &str = "Secrets Manager Secret Version";

fn op(verb: &'static str, operation: &'static str) -> Op {
    Op::new(verb, WHAT, "Secrets Manager", operation)
}

#[async_trait]
impl Resource for SecretVersion {
    fn type_name(&self) -> &'static str {
        "aws_secretsmanager_secret_version"
    }
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block::new()
                .attr("arn", Attribute::computed(Type::String))
                .attr("id", Attribute::computed(Type::String))
                .attr(
                    "secret_binary",
                    Attribute::optional(Type::String).sensitive().force_new(),
                )
                .attr("secret_id", Attribute::required(Type::String).force_new())
                .attr(
                    "secret_string",
                    Attribute::optional(Type::String).sensitive().force_new(),
                )
                .attr("version_id", Attribute::computed(Type::String))
                .attr(
                    "version_stages",
                    Attribute::optional_computed(Type::set(Type::String)),
                ),
        }
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        let has_s = config
            .get_attr("secret_string")
            .is_some_and(|v| !v.is_null());
        let has_b = config
            .get_attr("secret_binary")
            .is_some_and(|v| !v.is_null());
        if has_s && has_b {
            d.push(attr_error(
                "secret_string",
                "conflicting arguments",
                "\"secret_string\": conflicts with secret_binary.",
                "set either `secret_string` or `secret_binary`, not both",
            ));
        }
        if let Some(v) = cfg(config, "secret_binary").and_then(Value::as_str) {
            if aws_smithy_types::base64::decode(v).is_err() {
                d.push(attr_error(
                    "secret_binary",
                    "not base64",
                    "secret_binary must be base64-encoded.",
                    "wrap the value in base64encode(...)",
                ));
            }
        }
        d
    }

    async fn create(&self, cx: &Ctx<'_>, planned: &Obj) -> Result<Obj, Failed> {
        let sm = cx.secretsmanager();
        let secret_id = get_str(planned, "secret_id").unwrap_or_default();
        let binary = match get_str(planned, "secret_binary") {
            Some(b64) => Some(Blob::new(aws_smithy_types::base64::decode(&b64).map_err(
                |_| {
                    Diagnostics::from(attr_error(
                        "secret_binary",
                        "not base64",
                        "secret_binary must be base64-encoded.",
                        "wrap the value in base64encode(...)",
                    ))
                },
            )?)),
            None => None,
        };
        let stages = get_strings(planned, "version_stages");
        // A secret created just before may not be visible yet.
        let out = call_retry(
            op("creating", "PutSecretValue"),
            NOT_FOUND,
            Duration::from_secs(60),
            || {
                sm.put_secret_value()
                    .secret_id(&secret_id)
                    .set_secret_string(get_str(planned, "secret_string"))
                    .set_secret_binary(binary.clone())
                    .set_version_stages((!stages.is_empty()).then(|| stages.clone()))
                    .send()
            },
        )
        .await?;
        let version = out.version_id().unwrap_or("").to_string();
        let mut partial = planned.clone();
        partial.insert("id".into(), s(format!("{secret_id}|{version}")));
        partial.insert("version_id".into(), s(version.clone()));
        let waited = wait(
            op("creating", "GetSecretValue"),
            "visible",
            cx.timeouts.create,
            Duration::from_secs(2),
            || {
                let (sm, secret_id, version) = (sm.clone(), secret_id.clone(), version.clone());
                async move {
                    Ok(
                        match get_value(&sm, &secret_id, &version, "creating").await? {
                            Some(_) => Poll::Ready(()),
                            None => Poll::Pending("not yet visible".into()),
                        },
                    )
                }
            },
        )
        .await;
        if let Err(e) = waited {
            return Err(Failed::partial(partial, e));
        }
        match self.read(cx, &partial).await {
            Ok(Some(o)) => Ok(o),
            Ok(None) => Err(Failed::partial(
                partial,
                ApiError::other(
                    op("creating", "GetSecretValue"),
                    "the new secret version disappeared",
                ),
            )),
            Err(d) => Err(Failed::partial(partial, d)),
        }
    }

    async fn read(&self, cx: &Ctx<'_>, state: &Obj) -> Result<Option<Obj>, Diagnostics> {
        let sm = cx.secretsmanager();
        let id = id_of(state)?;
        let (secret_id, version) = split_id(&id)?;
        let Some(v) = get_value(&sm, &secret_id, &version, "reading").await? else {
            return Ok(None);
        };
        let mut o = state.clone();
        o.insert("id".into(), s(id.clone()));
        o.insert("secret_id".into(), s(secret_id));
        o.insert("version_id".into(), s(version));
        o.insert("arn".into(), opt_s(v.arn()));
        o.insert(
            "secret_string".into(),
            match v.secret_string() {
                Some(x) => s(x),
                None => Value::Null(Type::String),
            },
        );
        o.insert(
            "secret_binary".into(),
            match v.secret_binary() {
                Some(x) => s(aws_smithy_types::base64::encode(x.as_ref())),
                None => Value::Null(Type::String),
            },
        );
        o.insert(
            "version_stages".into(),
            str_set(v.version_stages().to_vec()),
        );
        Ok(Some(o))
    }

    async fn update(&self, cx: &Ctx<'_>, prior: &Obj, planned: &Obj) -> Result<Obj, Failed> {
        let sm = cx.secretsmanager();
        let id = id_of(prior)?;
        let (secret_id, version) = split_id(&id)?;
        let old = get_strings(prior, "version_stages");
        let new = get_strings(planned, "version_stages");
        for stage in new.iter().filter(|s| !old.contains(s)) {
            call(op("updating", "UpdateSecretVersionStage"), || {
                sm.update_secret_version_stage()
                    .secret_id(&secret_id)
                    .version_stage(stage)
                    .move_to_version_id(&version)
                    .send()
            })
            .await?;
        }
        for stage in old.iter().filter(|s| !new.contains(s)) {
            if stage == "AWSCURRENT" {
                // AWSCURRENT only moves by being given to another version.
                continue;
            }
            call(op("updating", "UpdateSecretVersionStage"), || {
                sm.update_secret_version_stage()
                    .secret_id(&secret_id)
                    .version_stage(stage)
                    .remove_from_version_id(&version)
                    .send()
            })
            .await?;
        }
        match self.read(cx, planned).await? {
            Some(o) => Ok(o),
            None => Err(ApiError::other(
                op("updating", "GetSecretValue"),
                "the secret version disappeared",
            )
            .into()),
        }
    }

    async fn delete(&self, cx: &Ctx<'_>, prior: &Obj) -> Result<(), Diagnostics> {
        let sm = cx.secretsmanager();
        let id = id_of(prior)?;
        let (secret_id, version) = split_id(&id)?;
        let Some(v) = get_value(&sm, &secret_id, &version, "deleting").await? else {
            return Ok(());
        };
        for stage in v.version_stages() {
            if stage == "AWSCURRENT" {
                continue;
            }
            let r = call(op("deleting", "UpdateSecretVersionStage"), || {
                sm.update_secret_version_stage()
                    .secret_id(&secret_id)
                    .version_stage(stage)
                    .remove_from_version_id(&version)
                    .send()
            })
            .await;
            match r {
                Ok(_) => {}
                Err(e) if e.is(NOT_FOUND) => return Ok(()),
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    async fn import(&self, cx: &Ctx<'_>, id: &str) -> Result<Option<Obj>, Diagnostics> {
        split_id(id)?;
        let mut o = Obj::new();
        o.insert("id".into(), s(id));
        self.read(cx, &o).await
    }
}

/// `<secret_id>|<version_id>`.
fn split_id(id: &str) -> Result<(String, String), Diagnostics> {
    match id.rsplit_once('|') {
        Some((a, b)) if !a.is_empty() && !b.is_empty() => Ok((a.to_string(), b.to_string())),
        _ => Err(Diagnostic::error(format!("invalid aws_secretsmanager_secret_version ID {id:?}"))
            .with_detail("The ID of a secret version is `<secret ARN>|<version ID>`.")
            .with_help("import with e.g. `arn:aws:secretsmanager:us-east-1:123456789012:secret:example-123456|xxxxx-xxxxxxx-xxxxxxx-xxxxx`")
            .into()),
    }
}

/// GetSecretValue of one version: `None` when the secret or the version is gone (or the
/// secret is scheduled for deletion).
async fn get_value(
    sm: &aws_sdk_secretsmanager::Client,
    secret_id: &str,
    version: &str,
    verb: &'static str,
) -> Result<
    Option<aws_sdk_secretsmanager::operation::get_secret_value::GetSecretValueOutput>,
    ApiError,
> {
    match call(op(verb, "GetSecretValue"), || {
        sm.get_secret_value()
            .secret_id(secret_id)
            .version_id(version)
            .send()
    })
    .await
    {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.is(NOT_FOUND) => Ok(None),
        Err(e)
            if e.is(&["InvalidRequestException"])
                && e.message.as_deref().is_some_and(|m| {
                    m.contains("marked for deletion") || m.contains("deleted")
                }) =>
        {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}
