//! `aws_iam_role` (import ID: the role name).
//!
//! `assume_role_policy` compares semantically: a re-ordered or re-formatted document equal in
//! meaning to the one in AWS plans no change, and state keeps the text the configuration wrote.

use super::policy::{check_policy_json, normalize_json, policies_equivalent, url_decode_policy};
use super::{create_name, iam_tags, name_prefix_from_name, to_iam_tags, NO_SUCH_ENTITY};
use crate::api::{call, call_retry, wait, ApiError, Op, Poll};
use crate::framework::*;
use async_trait::async_trait;
use plinth_sdk::{
    AttrPath, Attribute, Block, Diagnostics, NestedBlock, Nesting, Schema, Type, Value,
};
use std::collections::BTreeMap;
use std::time::Duration;

pub(crate) struct Role;

const WHAT: &str = "IAM Role";

fn op(verb: &'static str, operation: &'static str) -> Op {
    Op::new(verb, WHAT, "IAM", operation)
}

fn inline_type() -> Type {
    Type::object([("name", Type::String), ("policy", Type::String)])
}

#[async_trait]
impl Resource for Role {
    fn global(&self) -> bool {
        true
    }
    fn type_name(&self) -> &'static str {
        "aws_iam_role"
    }
    fn tagged(&self) -> bool {
        true
    }
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block::new()
                .attr("arn", Attribute::computed(Type::String))
                .attr("assume_role_policy", Attribute::required(Type::String))
                .attr("create_date", Attribute::computed(Type::String))
                .attr("description", Attribute::optional(Type::String))
                .attr("force_detach_policies", Attribute::optional(Type::Bool))
                .attr("id", Attribute::computed(Type::String))
                .attr(
                    "managed_policy_arns",
                    Attribute::optional_computed(Type::set(Type::String)),
                )
                .attr("max_session_duration", Attribute::optional(Type::Number))
                .attr(
                    "name",
                    Attribute::optional_computed(Type::String).force_new(),
                )
                .attr(
                    "name_prefix",
                    Attribute::optional_computed(Type::String).force_new(),
                )
                .attr("path", Attribute::optional(Type::String).force_new())
                .attr("permissions_boundary", Attribute::optional(Type::String))
                .attr("tags", Attribute::optional(Type::map(Type::String)))
                .attr("unique_id", Attribute::computed(Type::String))
                .block(
                    "inline_policy",
                    NestedBlock {
                        nesting: Nesting::Set,
                        min_items: 0,
                        max_items: 0,
                        force_new: false,
                        block: Block::new()
                            .attr("name", Attribute::optional(Type::String))
                            .attr("policy", Attribute::optional(Type::String)),
                    },
                ),
        }
    }
    fn defaults(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("force_detach_policies", b(false)),
            ("max_session_duration", n(3600)),
            ("path", s("/")),
        ]
    }
    fn computed_blocks(&self) -> &'static [&'static str] {
        &["inline_policy"]
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        if let Some(p) = cfg(config, "assume_role_policy").and_then(Value::as_str) {
            if let Some(e) = check_policy_json("assume_role_policy", p) {
                d.push(e);
            }
        }
        if cfg(config, "name").is_some() && cfg(config, "name_prefix").is_some() {
            d.push(attr_error(
                "name",
                "conflicts with name_prefix",
                "Only one of `name` and `name_prefix` may be set.",
                "remove name or name_prefix",
            ));
        }
        if let Some(n) = cfg(config, "name").and_then(Value::as_str) {
            if n.is_empty() || n.len() > 64 {
                d.push(attr_error(
                    "name",
                    "invalid length",
                    format!(
                        "An IAM role name has 1 to 64 characters; {n:?} has {}.",
                        n.len()
                    ),
                    "use a shorter name",
                ));
            }
        }
        if let Some(m) = cfg(config, "max_session_duration").and_then(Value::as_i64) {
            if !(3600..=43200).contains(&m) {
                d.push(attr_error(
                    "max_session_duration",
                    "out of range",
                    format!(
                        "max_session_duration must be between 3600 and 43200 seconds, got {m}."
                    ),
                    "use a value from 3600 (1 hour) to 43200 (12 hours)",
                ));
            }
        }
        d
    }
    fn normalize(&self, planned: &mut Obj) {
        // A name made from name_prefix is unknown until created.
        if get(planned, "name").is_null() {
            planned.insert("name".into(), Value::Unknown(Type::String));
        }
    }
    fn plan_update(&self, prior: &Obj, planned: &mut Obj, rr: &mut Vec<AttrPath>) {
        // Semantically equal policies are no change: keep the prior text.
        if let (Some(a), Some(b)) = (
            get_str(prior, "assume_role_policy"),
            get_str(planned, "assume_role_policy"),
        ) {
            if policies_equivalent(&a, &b) {
                planned.insert("assume_role_policy".into(), s(a));
            }
        }
        // name unset in config: keep the prior one (unless a prefix change replaces the role).
        if !get(planned, "name").is_known() && rr.is_empty() {
            planned.insert(
                "name".into(),
                prior.get("name").cloned().unwrap_or(Value::null()),
            );
        }
        if let (Some(Value::Set(_, p)), Some(Value::Set(t, n))) = (
            prior.get("inline_policy").map(Value::unmarked),
            planned.get("inline_policy").map(Value::unmarked).cloned(),
        ) {
            // Inline policies equal in meaning keep the prior text.
            let items = n
                .iter()
                .map(|x| {
                    let name = x.get_attr("name").and_then(Value::as_str);
                    let pol = x.get_attr("policy").and_then(Value::as_str);
                    match p
                        .iter()
                        .find(|y| y.get_attr("name").and_then(Value::as_str) == name)
                    {
                        Some(y)
                            if pol.is_some_and(|a| {
                                y.get_attr("policy")
                                    .and_then(Value::as_str)
                                    .is_some_and(|b| policies_equivalent(a, b))
                            }) =>
                        {
                            y.clone()
                        }
                        _ => x.clone(),
                    }
                })
                .collect();
            planned.insert("inline_policy".into(), Value::set(t, items));
        }
    }

    async fn create(&self, cx: &Ctx<'_>, planned: &Obj) -> Result<Obj, Failed> {
        let iam = cx.iam();
        let name = create_name(get_str(planned, "name"), get_str(planned, "name_prefix"));
        let tags = to_iam_tags(&tags_to_send(cx.aws, planned));
        let policy = get_str(planned, "assume_role_policy").unwrap_or_default();
        let req = iam
            .create_role()
            .role_name(&name)
            .path(get_str(planned, "path").unwrap_or_else(|| "/".into()))
            .assume_role_policy_document(&policy)
            .set_description(get_str(planned, "description").filter(|d| !d.is_empty()))
            .set_max_session_duration(get_i64(planned, "max_session_duration").map(|n| n as i32))
            .set_permissions_boundary(
                get_str(planned, "permissions_boundary").filter(|d| !d.is_empty()),
            )
            .set_tags((!tags.is_empty()).then_some(tags));
        // MalformedPolicyDocument right after the principal's role was made: IAM propagation.
        let out = call_retry(
            op("creating", "CreateRole"),
            &[],
            Duration::from_secs(120),
            || req.clone().send(),
        )
        .await?;
        let name = out
            .role()
            .map(|r| r.role_name().to_string())
            .unwrap_or(name);
        let mut partial = planned.clone();
        partial.insert("id".into(), s(name.clone()));
        partial.insert("name".into(), s(name.clone()));
        // Visible to reads (IAM is eventually consistent).
        let seen = wait(
            op("creating", "GetRole"),
            "visible",
            cx.timeouts.create.min(Duration::from_secs(120)),
            Duration::from_secs(1),
            || {
                let iam = iam.clone();
                let name = name.clone();
                async move {
                    Ok(match get_role(&iam, &name, "creating").await? {
                        Some(_) => Poll::Ready(()),
                        None => Poll::Pending("not yet visible".into()),
                    })
                }
            },
        )
        .await;
        if let Err(e) = seen {
            return Err(Failed::partial(partial, e));
        }
        if let Err(e) = sync_policies(&iam, &name, None, planned, "creating").await {
            return Err(Failed::partial(partial, e));
        }
        match self.read(cx, &partial).await {
            Ok(Some(o)) => Ok(o),
            Ok(None) => Err(Failed::partial(
                partial,
                ApiError::other(op("creating", "GetRole"), "the new role disappeared"),
            )),
            Err(d) => Err(Failed::partial(partial, d)),
        }
    }

    async fn read(&self, cx: &Ctx<'_>, state: &Obj) -> Result<Option<Obj>, Diagnostics> {
        let iam = cx.iam();
        let name = get_str(state, "id")
            .or_else(|| get_str(state, "name"))
            .ok_or_else(|| {
                Diagnostics::from(plinth_sdk::Diagnostic::bug(
                    "missing id",
                    "The role state has no id.",
                ))
            })?;
        let Some(r) = get_role(&iam, &name, "reading").await? else {
            return Ok(None);
        };
        let mut o = state.clone();
        o.insert("id".into(), s(r.role_name()));
        o.insert("name".into(), s(r.role_name()));
        o.insert(
            "name_prefix".into(),
            opt_s(name_prefix_from_name(r.role_name()).as_deref()),
        );
        o.insert("arn".into(), s(r.arn()));
        o.insert("unique_id".into(), s(r.role_id()));
        o.insert("path".into(), s(r.path()));
        o.insert("create_date".into(), s(rfc3339(r.create_date())));
        o.insert("description".into(), opt_s(r.description()));
        o.insert(
            "max_session_duration".into(),
            n(r.max_session_duration().unwrap_or(3600) as i64),
        );
        o.insert(
            "permissions_boundary".into(),
            opt_s(
                r.permissions_boundary()
                    .and_then(|p| p.permissions_boundary_arn()),
            ),
        );
        let api_policy = url_decode_policy(r.assume_role_policy_document().unwrap_or_default());
        let keep =
            get_str(state, "assume_role_policy").filter(|p| policies_equivalent(p, &api_policy));
        o.insert(
            "assume_role_policy".into(),
            s(keep.unwrap_or_else(|| normalize_json(&api_policy).unwrap_or(api_policy))),
        );
        if get(&o, "force_detach_policies").is_null() {
            o.insert("force_detach_policies".into(), b(false));
        }
        let mut managed = attached_policies(&iam, r.role_name(), "reading").await?;
        managed.sort();
        o.insert("managed_policy_arns".into(), str_set(managed));
        let inline = inline_policies(&iam, r.role_name(), "reading").await?;
        let prior_inline: Vec<Value> = get(state, "inline_policy")
            .as_seq()
            .map(<[Value]>::to_vec)
            .unwrap_or_default();
        let items = inline
            .into_iter()
            .map(|(name, doc)| {
                let prior = prior_inline.iter().find_map(|v| {
                    (v.get_attr("name").and_then(Value::as_str) == Some(name.as_str()))
                        .then(|| {
                            v.get_attr("policy")
                                .and_then(Value::as_str)
                                .map(str::to_string)
                        })
                        .flatten()
                });
                let policy = match prior {
                    Some(p) if policies_equivalent(&p, &doc) => p,
                    _ => normalize_json(&doc).unwrap_or(doc),
                };
                Value::object([("name", s(name)), ("policy", s(policy))])
            })
            .collect();
        o.insert("inline_policy".into(), Value::set(inline_type(), items));
        set_tags_from_api(cx.aws, &mut o, iam_tags(r.tags()), Some(state));
        Ok(Some(o))
    }

    async fn update(&self, cx: &Ctx<'_>, prior: &Obj, planned: &Obj) -> Result<Obj, Failed> {
        let iam = cx.iam();
        let name = id_of(prior)?;
        if !same(
            prior.get("assume_role_policy"),
            planned.get("assume_role_policy"),
        ) {
            let doc = get_str(planned, "assume_role_policy").unwrap_or_default();
            call(op("updating", "UpdateAssumeRolePolicy"), || {
                iam.update_assume_role_policy()
                    .role_name(&name)
                    .policy_document(&doc)
                    .send()
            })
            .await?;
        }
        if !same(prior.get("description"), planned.get("description"))
            || !same(
                prior.get("max_session_duration"),
                planned.get("max_session_duration"),
            )
        {
            call(op("updating", "UpdateRole"), || {
                iam.update_role()
                    .role_name(&name)
                    .description(get_str(planned, "description").unwrap_or_default())
                    .set_max_session_duration(
                        get_i64(planned, "max_session_duration").map(|n| n as i32),
                    )
                    .send()
            })
            .await?;
        }
        if !same(
            prior.get("permissions_boundary"),
            planned.get("permissions_boundary"),
        ) {
            match get_str(planned, "permissions_boundary").filter(|p| !p.is_empty()) {
                Some(pb) => {
                    call(op("updating", "PutRolePermissionsBoundary"), || {
                        iam.put_role_permissions_boundary()
                            .role_name(&name)
                            .permissions_boundary(&pb)
                            .send()
                    })
                    .await?;
                }
                None => {
                    call(op("updating", "DeleteRolePermissionsBoundary"), || {
                        iam.delete_role_permissions_boundary()
                            .role_name(&name)
                            .send()
                    })
                    .await?;
                }
            }
        }
        sync_policies(&iam, &name, Some(prior), planned, "updating").await?;
        let old = state_tag_map(prior);
        let new = tags_to_send(cx.aws, planned);
        let (removed, changed) = crate::framework::tag_changes(&old, &new);
        if !removed.is_empty() {
            call(op("updating", "UntagRole"), || {
                iam.untag_role()
                    .role_name(&name)
                    .set_tag_keys(Some(removed.clone()))
                    .send()
            })
            .await?;
        }
        if !changed.is_empty() {
            let t = to_iam_tags(&changed);
            call(op("updating", "TagRole"), || {
                iam.tag_role()
                    .role_name(&name)
                    .set_tags(Some(t.clone()))
                    .send()
            })
            .await?;
        }
        match self.read(cx, planned).await? {
            Some(o) => Ok(o),
            None => Err(ApiError::other(op("updating", "GetRole"), "the role disappeared").into()),
        }
    }

    async fn delete(&self, cx: &Ctx<'_>, prior: &Obj) -> Result<(), Diagnostics> {
        let iam = cx.iam();
        let name = id_of(prior)?;
        // Instance profiles, managed and inline policies first (upstream detaches them all).
        let profiles: Vec<String> =
            match call(op("deleting", "ListInstanceProfilesForRole"), || {
                iam.list_instance_profiles_for_role()
                    .role_name(&name)
                    .send()
            })
            .await
            {
                Ok(o) => o
                    .instance_profiles()
                    .iter()
                    .map(|p| p.instance_profile_name().to_string())
                    .collect(),
                Err(e) if e.is(NO_SUCH_ENTITY) => return Ok(()),
                Err(e) => return Err(e.into()),
            };
        for p in profiles {
            let r = call(op("deleting", "RemoveRoleFromInstanceProfile"), || {
                iam.remove_role_from_instance_profile()
                    .role_name(&name)
                    .instance_profile_name(&p)
                    .send()
            })
            .await;
            if let Err(e) = r {
                if !e.is(NO_SUCH_ENTITY) {
                    return Err(e.into());
                }
            }
        }
        for arn in attached_policies(&iam, &name, "deleting").await? {
            let r = call(op("deleting", "DetachRolePolicy"), || {
                iam.detach_role_policy()
                    .role_name(&name)
                    .policy_arn(&arn)
                    .send()
            })
            .await;
            if let Err(e) = r {
                if !e.is(NO_SUCH_ENTITY) {
                    return Err(e.into());
                }
            }
        }
        for (pname, _) in inline_policies(&iam, &name, "deleting").await? {
            let r = call(op("deleting", "DeleteRolePolicy"), || {
                iam.delete_role_policy()
                    .role_name(&name)
                    .policy_name(&pname)
                    .send()
            })
            .await;
            if let Err(e) = r {
                if !e.is(NO_SUCH_ENTITY) {
                    return Err(e.into());
                }
            }
        }
        let r = call_retry(
            op("deleting", "DeleteRole"),
            &["DeleteConflict", "ConcurrentModification"],
            cx.timeouts.delete.min(Duration::from_secs(5 * 60)),
            || iam.delete_role().role_name(&name).send(),
        )
        .await;
        match r {
            Ok(_) => {}
            Err(e) if e.is(NO_SUCH_ENTITY) => return Ok(()),
            Err(e) => return Err(e.into()),
        }
        wait(
            op("deleting", "GetRole"),
            "deleted",
            cx.timeouts.delete,
            Duration::from_secs(1),
            || {
                let iam = iam.clone();
                let name = name.clone();
                async move {
                    Ok(match get_role(&iam, &name, "deleting").await? {
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

/// `YYYY-MM-DDThh:mm:ssZ`, as Go's `time.RFC3339` writes a UTC time.
pub(crate) fn rfc3339(t: &aws_smithy_types::DateTime) -> String {
    aws_smithy_types::DateTime::from_secs(t.secs())
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap_or_default()
}

fn state_tag_map(o: &Obj) -> BTreeMap<String, String> {
    get(o, "tags_all")
        .as_map()
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

pub(crate) async fn get_role(
    iam: &aws_sdk_iam::Client,
    name: &str,
    verb: &'static str,
) -> Result<Option<aws_sdk_iam::types::Role>, ApiError> {
    match call(op(verb, "GetRole"), || {
        iam.get_role().role_name(name).send()
    })
    .await
    {
        Ok(o) => Ok(o.role().cloned()),
        Err(e) if e.is(NO_SUCH_ENTITY) => Ok(None),
        Err(e) => Err(e),
    }
}

pub(crate) async fn attached_policies(
    iam: &aws_sdk_iam::Client,
    role: &str,
    verb: &'static str,
) -> Result<Vec<String>, ApiError> {
    let mut out = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let page = call(op(verb, "ListAttachedRolePolicies"), || {
            iam.list_attached_role_policies()
                .role_name(role)
                .set_marker(marker.clone())
                .send()
        })
        .await?;
        out.extend(
            page.attached_policies()
                .iter()
                .filter_map(|p| p.policy_arn().map(str::to_string)),
        );
        match page.marker().filter(|_| page.is_truncated()) {
            Some(m) => marker = Some(m.to_string()),
            None => break,
        }
    }
    Ok(out)
}

async fn inline_policies(
    iam: &aws_sdk_iam::Client,
    role: &str,
    verb: &'static str,
) -> Result<Vec<(String, String)>, ApiError> {
    let mut names = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let page = call(op(verb, "ListRolePolicies"), || {
            iam.list_role_policies()
                .role_name(role)
                .set_marker(marker.clone())
                .send()
        })
        .await?;
        names.extend(page.policy_names().iter().cloned());
        match page.marker().filter(|_| page.is_truncated()) {
            Some(m) => marker = Some(m.to_string()),
            None => break,
        }
    }
    let mut out = Vec::new();
    for n in names {
        match call(op(verb, "GetRolePolicy"), || {
            iam.get_role_policy().role_name(role).policy_name(&n).send()
        })
        .await
        {
            Ok(p) => out.push((n, url_decode_policy(p.policy_document()))),
            Err(e) if e.is(NO_SUCH_ENTITY) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// Brings `managed_policy_arns` and `inline_policy` from `prior` to `planned` (on create,
/// only what the configuration sets).
async fn sync_policies(
    iam: &aws_sdk_iam::Client,
    role: &str,
    prior: Option<&Obj>,
    planned: &Obj,
    verb: &'static str,
) -> Result<(), ApiError> {
    let want_managed = get(planned, "managed_policy_arns");
    if want_managed.is_wholly_known() && !want_managed.is_null() {
        let want = strings(want_managed);
        let have = prior
            .map(|p| get_strings(p, "managed_policy_arns"))
            .unwrap_or_default();
        for arn in have.iter().filter(|a| !want.contains(a)) {
            call(op(verb, "DetachRolePolicy"), || {
                iam.detach_role_policy()
                    .role_name(role)
                    .policy_arn(arn)
                    .send()
            })
            .await?;
        }
        for arn in want.iter().filter(|a| !have.contains(a)) {
            call(op(verb, "AttachRolePolicy"), || {
                iam.attach_role_policy()
                    .role_name(role)
                    .policy_arn(arn)
                    .send()
            })
            .await?;
        }
    }
    let want_inline = get(planned, "inline_policy");
    if want_inline.is_wholly_known() {
        let pairs = |v: &Value| -> Vec<(String, String)> {
            v.as_seq()
                .unwrap_or(&[])
                .iter()
                .filter_map(|x| {
                    let n = x.get_attr("name").and_then(Value::as_str)?;
                    let p = x.get_attr("policy").and_then(Value::as_str).unwrap_or("");
                    (!n.is_empty()).then(|| (n.to_string(), p.to_string()))
                })
                .collect()
        };
        let want = pairs(want_inline);
        let have = prior
            .map(|p| pairs(get(p, "inline_policy")))
            .unwrap_or_default();
        for (n, _) in have
            .iter()
            .filter(|(n, _)| !want.iter().any(|(m, _)| m == n))
        {
            call(op(verb, "DeleteRolePolicy"), || {
                iam.delete_role_policy()
                    .role_name(role)
                    .policy_name(n)
                    .send()
            })
            .await?;
        }
        for (n, p) in want.iter().filter(|w| !have.contains(w)) {
            call(op(verb, "PutRolePolicy"), || {
                iam.put_role_policy()
                    .role_name(role)
                    .policy_name(n)
                    .policy_document(p)
                    .send()
            })
            .await?;
        }
    }
    Ok(())
}
