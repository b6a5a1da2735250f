//! The resource framework every AWS resource type plugs into: the [`Resource`] and
//! [`DataSource`] traits, the schema-driven planner (same rules as the built-in providers,
//! plus `tags_all`, `region` and `timeouts`), and object helpers.
//!
//! A resource implements `schema` (with `force_new` and `computed` marked as upstream),
//! `create` (waiting until ready), `read` (`None` when gone), `update` (in place),
//! `delete` (waiting until gone) and `import`. Everything else — planning, default tags,
//! per-resource region, timeouts, diagnostics plumbing — happens here.

use crate::api::parse_duration;
use crate::config::Aws;
use async_trait::async_trait;
use plinth_sdk::{
    AttrPath, Attribute, Block, Diagnostic, Diagnostics, NestedBlock, Nesting, PlanChangeRequest,
    PlanChangeResponse, Schema, Type, Value,
};
use std::collections::BTreeMap;
use std::time::Duration;

/// Object helpers shared with the other providers (`plinth_sdk::object`).
pub(crate) use plinth_sdk::object::{
    attr_error, cfg, check_known, conform, from_obj, get, get_bool, get_i64, get_str,
    get_strings, same, str_list, str_set, strings, to_obj, Obj,
};

/// What a resource call sees: the configured provider, the region of this resource
/// (its `region` attribute, else the provider's) and the `timeouts` in effect.
pub(crate) struct Ctx<'a> {
    pub aws: &'a Aws,
    pub region: String,
    pub timeouts: Timeouts,
    /// The resource's configuration during apply (null elsewhere): for arguments whose
    /// planned value differs from what was written (`aws_instance.user_data` is planned as
    /// its hash).
    pub config: Value,
}

impl Ctx<'_> {
    /// The region argument for the client constructors (`None` = the provider's).
    pub fn region(&self) -> Option<&str> {
        Some(self.region.as_str())
    }
    #[cfg(feature = "ec2")]
    pub fn ec2(&self) -> aws_sdk_ec2::Client {
        self.aws.ec2(self.region())
    }
    #[cfg(feature = "elbv2")]
    pub fn elbv2(&self) -> aws_sdk_elasticloadbalancingv2::Client {
        self.aws.elbv2(self.region())
    }
    #[cfg(feature = "acm")]
    pub fn acm(&self) -> aws_sdk_acm::Client {
        self.aws.acm(self.region())
    }
    #[cfg(feature = "route53")]
    pub fn route53(&self) -> aws_sdk_route53::Client {
        self.aws.route53(self.region())
    }
    #[cfg(feature = "rds")]
    pub fn rds(&self) -> aws_sdk_rds::Client {
        self.aws.rds(self.region())
    }
    #[cfg(feature = "elasticache")]
    pub fn elasticache(&self) -> aws_sdk_elasticache::Client {
        self.aws.elasticache(self.region())
    }
    #[cfg(feature = "eks")]
    pub fn eks(&self) -> aws_sdk_eks::Client {
        self.aws.eks(self.region())
    }
    #[cfg(feature = "iam")]
    pub fn iam(&self) -> aws_sdk_iam::Client {
        self.aws.iam(self.region())
    }
    #[cfg(feature = "secretsmanager")]
    pub fn secretsmanager(&self) -> aws_sdk_secretsmanager::Client {
        self.aws.secretsmanager(self.region())
    }
    #[cfg(feature = "s3")]
    pub fn s3(&self) -> aws_sdk_s3::Client {
        self.aws.s3(self.region())
    }
    pub fn arn(&self, service: &str, resource: &str) -> String {
        self.aws.arn(service, &self.region, resource)
    }
}

/// `timeouts { create = "30m" update = "…" delete = "…" read = "…" }`, with each resource's
/// upstream defaults.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Timeouts {
    pub create: Duration,
    pub update: Duration,
    pub delete: Duration,
    pub read: Duration,
}

impl Timeouts {
    pub const fn uniform(d: Duration) -> Self {
        Timeouts {
            create: d,
            update: d,
            delete: d,
            read: d,
        }
    }
    /// Overrides from a `timeouts` object (from the configuration or the planned state).
    fn apply(mut self, v: Option<&Value>) -> Self {
        let Some(v) = v.filter(|v| !v.is_null()) else {
            return self;
        };
        let v = match v.unmarked().as_seq() {
            Some(s) => match s.first() {
                Some(x) => x,
                None => return self,
            },
            None => v,
        };
        for (name, slot) in [
            ("create", &mut self.create),
            ("update", &mut self.update),
            ("delete", &mut self.delete),
            ("read", &mut self.read),
        ] {
            if let Some(d) = v
                .get_attr(name)
                .and_then(Value::as_str)
                .and_then(parse_duration)
            {
                *slot = d;
            }
        }
        self
    }
}

/// A failure that may leave something behind (e.g. created but never became ready): the
/// engine then keeps `state` (as tainted) so that nothing is lost.
pub(crate) struct Failed {
    pub state: Option<Obj>,
    pub diags: Diagnostics,
}

impl<T: Into<Diagnostics>> From<T> for Failed {
    fn from(d: T) -> Self {
        Failed {
            state: None,
            diags: d.into(),
        }
    }
}

impl Failed {
    /// The object exists (`state`), but the rest of the work failed.
    pub fn partial(state: Obj, d: impl Into<Diagnostics>) -> Self {
        Failed {
            state: Some(state),
            diags: d.into(),
        }
    }
}

/// One managed resource type.
#[async_trait]
pub(crate) trait Resource: Send + Sync {
    fn type_name(&self) -> &'static str;
    /// Schema, without `region`, `tags_all` or `timeouts` (added by [`full_schema`]).
    fn schema(&self) -> Schema;
    /// Whether the type has `tags`/`tags_all` (merged with the provider's `default_tags`).
    fn tagged(&self) -> bool {
        false
    }
    /// A global service's type (IAM, Route 53): no `region` argument, as upstream 6.x.
    fn global(&self) -> bool {
        false
    }
    /// Which `timeouts` keys the type accepts (upstream's), and their defaults.
    fn timeouts(&self) -> Option<Timeouts> {
        None
    }
    /// Defaults of optional attributes applied at plan time when the configuration leaves
    /// them null.
    fn defaults(&self) -> Vec<(&'static str, Value)> {
        Vec::new()
    }
    /// Nested blocks that are "computed" (upstream `Computed` + `ConfigModeAttr`): when the
    /// configuration writes none, the prior value is kept (e.g. `aws_security_group.egress`).
    fn computed_blocks(&self) -> &'static [&'static str] {
        &[]
    }
    fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }
    /// Normalises the planned object after defaults (e.g. nulls inside inline blocks become
    /// `""`, as the legacy SDK stores them), before any comparison.
    fn normalize(&self, _planned: &mut Obj) {}
    /// Upstream `CustomizeDiff` that needs the configuration (e.g. `aws_acm_certificate`
    /// plans `domain_validation_options` with known domain names). Runs after `normalize`,
    /// on create (`prior` = `None`) and update.
    fn customize_diff(&self, _config: &Value, _prior: Option<&Obj>, _planned: &mut Obj) {}
    /// Adjusts a planned update; may add paths that force replacement.
    fn plan_update(&self, _prior: &Obj, _planned: &mut Obj, _requires_replace: &mut Vec<AttrPath>) {
    }
    async fn create(&self, cx: &Ctx<'_>, planned: &Obj) -> Result<Obj, Failed>;
    /// Refresh: `None` when the object is gone.
    async fn read(&self, cx: &Ctx<'_>, state: &Obj) -> Result<Option<Obj>, Diagnostics>;
    /// Updates in place (only reached when nothing forcing replacement changed).
    async fn update(&self, cx: &Ctx<'_>, prior: &Obj, planned: &Obj) -> Result<Obj, Failed>;
    async fn delete(&self, cx: &Ctx<'_>, prior: &Obj) -> Result<(), Diagnostics>;
    /// Import by Terraform's import ID: by default the ID is the `id` attribute and a read
    /// fills the rest.
    async fn import(&self, cx: &Ctx<'_>, id: &str) -> Result<Option<Obj>, Diagnostics> {
        let mut o = Obj::new();
        o.insert("id".into(), Value::string(id));
        self.read(cx, &o).await
    }
}

/// One data source.
#[async_trait]
pub(crate) trait DataSource: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    /// A global service's data source (IAM): no `region` argument, as upstream 6.x.
    fn global(&self) -> bool {
        false
    }
    async fn read(&self, cx: &Ctx<'_>, config: &Obj) -> Result<Obj, Diagnostics>;
}

/// The schema the engine sees: the resource's own plus `region` (6.x), `tags_all` and
/// `timeouts` where they apply.
pub(crate) fn full_schema(r: &dyn Resource) -> Schema {
    let mut s = r.schema();
    if !r.global() {
        s.block.attributes.insert(
            "region".into(),
            Attribute::optional_computed(Type::String)
                .force_new()
                .describe("Region where this resource is managed (defaults to the provider's)."),
        );
    }
    if r.tagged() {
        s.block
            .attributes
            .entry("tags".into())
            .or_insert_with(|| Attribute::optional(Type::map(Type::String)));
        s.block.attributes.insert(
            "tags_all".into(),
            Attribute::computed(Type::map(Type::String))
                .describe("Tags including the provider's default_tags."),
        );
    }
    if r.timeouts().is_some() {
        s.block.blocks.insert(
            "timeouts".into(),
            NestedBlock {
                nesting: Nesting::Single,
                min_items: 0,
                max_items: 1,
                force_new: false,
                block: Block::new()
                    .attr("create", Attribute::optional(Type::String))
                    .attr("update", Attribute::optional(Type::String))
                    .attr("delete", Attribute::optional(Type::String))
                    .attr("read", Attribute::optional(Type::String)),
            },
        );
    }
    s
}

pub(crate) fn data_schema(d: &dyn DataSource) -> Schema {
    let mut s = d.schema();
    if !d.global() {
        s.block.attributes.insert("region".into(), Attribute::optional_computed(Type::String));
    }
    s
}

/// Builds the context for a call on a resource whose object (config, planned or state) is `o`.
pub(crate) fn ctx<'a>(
    aws: &'a Aws,
    r: Option<&dyn Resource>,
    o: &Value,
    config: Option<&Value>,
) -> Ctx<'a> {
    let region = o
        .get_attr("region")
        .and_then(Value::as_str)
        .or_else(|| {
            config
                .and_then(|c| c.get_attr("region"))
                .and_then(Value::as_str)
        })
        .map(str::to_string)
        .unwrap_or_else(|| aws.region.clone());
    let base = r
        .and_then(|r| r.timeouts())
        .unwrap_or(Timeouts::uniform(Duration::from_secs(20 * 60)));
    let t = base
        .apply(o.get_attr("timeouts"))
        .apply(config.and_then(|c| c.get_attr("timeouts")));
    Ctx {
        aws,
        region,
        timeouts: t,
        config: config.cloned().unwrap_or(Value::Null(Type::Dynamic)),
    }
}

/// `tags_all`: the provider's default tags overlaid by the resource's tags (ignored keys
/// removed). Unknown if the tags are unknown.
pub(crate) fn tags_all(aws: &Aws, tags: &Value) -> Value {
    if !tags.is_wholly_known() {
        return Value::Unknown(Type::map(Type::String));
    }
    let mut m: BTreeMap<String, Value> = aws
        .default_tags
        .iter()
        .map(|(k, v)| (k.clone(), Value::string(v.clone())))
        .collect();
    if let Some(t) = tags.as_map() {
        for (k, v) in t {
            m.insert(k.clone(), v.unmarked().clone());
        }
    }
    m.retain(|k, _| !aws.ignores_tag(k));
    Value::Map(Type::String, m)
}

/// The tags to send to AWS for a planned object (`tags_all` recomputed from `tags`).
pub(crate) fn tags_to_send(aws: &Aws, o: &Obj) -> BTreeMap<String, String> {
    tags_all(aws, o.get("tags").unwrap_or(&Value::null()))
        .as_map()
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// Sets `tags` and `tags_all` from the tags AWS reports, like Terraform: `tags_all` is
/// everything (minus ignored keys); `tags` drops default tags with their default value unless
/// the prior `tags` had them. An empty result keeps a prior null `tags` null.
pub(crate) fn set_tags_from_api(
    aws: &Aws,
    o: &mut Obj,
    api: BTreeMap<String, String>,
    prior: Option<&Obj>,
) {
    let all: BTreeMap<String, String> = api
        .into_iter()
        .filter(|(k, _)| !aws.ignores_tag(k))
        .collect();
    let prior_tags = prior
        .and_then(|p| p.get("tags"))
        .and_then(|t| t.as_map().cloned());
    let mut own = BTreeMap::new();
    for (k, v) in &all {
        let is_default = aws.default_tags.get(k) == Some(v);
        let prior_has = prior_tags.as_ref().is_some_and(|p| p.contains_key(k));
        if !is_default || prior_has {
            own.insert(k.clone(), Value::string(v.clone()));
        }
    }
    let prior_null = prior_tags.is_none();
    let tags = if own.is_empty() && prior_null {
        Value::Null(Type::map(Type::String))
    } else {
        Value::Map(Type::String, own)
    };
    o.insert("tags".into(), tags);
    o.insert(
        "tags_all".into(),
        Value::Map(
            Type::String,
            all.into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect(),
        ),
    );
}

/// The schema-driven planner (rules documented in lib.rs).
pub(crate) fn plan(aws: &Aws, r: &dyn Resource, req: PlanChangeRequest) -> PlanChangeResponse {
    let Some(proposed) = req.proposed_new_state.filter(|v| !v.is_null()) else {
        return PlanChangeResponse::default();
    };
    let schema = full_schema(r);
    let block = &schema.block;
    let config_obj = match req.config.unmarked() {
        Value::Object(_) | Value::Map(..) => Some(&req.config),
        _ => None,
    };
    let diags = r.validate(config_obj.unwrap_or(&proposed));
    if diags.has_errors() {
        return PlanChangeResponse {
            diagnostics: diags,
            ..Default::default()
        };
    }
    let mut planned = to_obj(block, &proposed);
    let set_in_config = |name: &str| -> bool {
        match config_obj {
            Some(c) => c.get_attr(name).is_some_and(|v| !v.is_null()),
            None => {
                let computed = block.attributes.get(name).is_some_and(|a| a.computed);
                !computed && proposed.get_attr(name).is_some_and(|x| !x.is_null())
            }
        }
    };
    let defaults: BTreeMap<&str, Value> = r.defaults().into_iter().collect();
    let prior = req
        .prior_state
        .as_ref()
        .filter(|v| !v.is_null())
        .map(|v| to_obj(block, v));
    let mut unset_computed = Vec::new();
    for (name, a) in &block.attributes {
        if set_in_config(name) {
            continue;
        }
        if let Some(d) = defaults.get(name.as_str()) {
            planned.insert(name.clone(), d.clone());
        } else if name == "region" {
            let v = prior
                .as_ref()
                .and_then(|p| p.get("region").filter(|v| !v.is_null()).cloned())
                .unwrap_or_else(|| Value::string(aws.region.clone()));
            planned.insert(name.clone(), v);
        } else if a.computed {
            unset_computed.push(name.clone());
            let v = match &prior {
                None => Value::Unknown(a.ty.clone()),
                Some(p) => p.get(name).cloned().unwrap_or(Value::Null(a.ty.clone())),
            };
            planned.insert(name.clone(), v);
        }
    }
    // Computed blocks the configuration leaves empty keep their prior value.
    for name in r.computed_blocks() {
        let empty = planned
            .get(*name)
            .and_then(Value::as_seq)
            .map_or(true, |s| s.is_empty());
        if empty {
            let v = match &prior {
                Some(p) => p.get(*name).cloned().unwrap_or(Value::null()),
                None => block
                    .blocks
                    .get(*name)
                    .map(|b| Value::Unknown(Type::set(b.block.implied_type())))
                    .unwrap_or(Value::unknown()),
            };
            planned.insert(name.to_string(), v);
        }
    }
    r.normalize(&mut planned);
    r.customize_diff(config_obj.unwrap_or(&proposed), prior.as_ref(), &mut planned);
    if r.tagged() {
        let t = tags_all(aws, planned.get("tags").unwrap_or(&Value::null()));
        planned.insert("tags_all".into(), t);
        unset_computed.retain(|n| n != "tags_all");
    }
    let mut requires_replace = Vec::new();
    if let Some(p) = &prior {
        for (name, a) in &block.attributes {
            if a.force_new && !same(planned.get(name), p.get(name)) {
                // A computed attribute the configuration does not set cannot force replacement.
                if a.computed && !set_in_config(name) {
                    continue;
                }
                requires_replace.push(AttrPath::attr(name.clone()));
            }
        }
        for (name, b) in &block.blocks {
            let inner_force = b.block.attributes.values().any(|a| a.force_new);
            if (b.force_new || inner_force) && !same(planned.get(name), p.get(name)) {
                requires_replace.push(AttrPath::attr(name.clone()));
            }
        }
        let forced = !requires_replace.is_empty();
        r.plan_update(p, &mut planned, &mut requires_replace);
        if forced || !requires_replace.is_empty() {
            for name in &unset_computed {
                if let Some(a) = block.attributes.get(name) {
                    planned.insert(name.clone(), Value::Unknown(a.ty.clone()));
                }
            }
        }
    }
    PlanChangeResponse {
        planned_state: Some(from_obj(block, planned)),
        requires_replace,
        planned_private: req.prior_private,
        diagnostics: diags,
    }
}







// ---- accessors -------------------------------------------------------------------------

pub(crate) fn s(x: impl Into<String>) -> Value {
    Value::String(x.into())
}
pub(crate) fn opt_s(x: Option<&str>) -> Value {
    match x {
        Some(x) if !x.is_empty() => Value::string(x),
        _ => Value::Null(Type::String),
    }
}
pub(crate) fn b(x: bool) -> Value {
    Value::Bool(x)
}
pub(crate) fn n(x: i64) -> Value {
    Value::number(x)
}
/// The `id` attribute of an object, or an internal-error diagnostic.
pub(crate) fn id_of(o: &Obj) -> Result<String, Diagnostics> {
    get_str(o, "id")
        .ok_or_else(|| Diagnostic::bug("missing id", "The resource state has no `id`.").into())
}


/// A tag update from `old` to `new`: the keys to remove, and the pairs to add or change.
pub(crate) fn tag_changes(
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
) -> (Vec<String>, BTreeMap<String, String>) {
    let removed = old.keys().filter(|k| !new.contains_key(*k)).cloned().collect();
    let changed = new
        .iter()
        .filter(|(k, v)| old.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    (removed, changed)
}

/// The tags an object had according to its state (`tags_all`), for computing a tag update.
pub(crate) fn state_tags_all(o: &Obj) -> BTreeMap<String, String> {
    get(o, "tags_all")
        .as_map()
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// Terraform's `create.Name(name, name_prefix)`: the name if set, else
/// [`prefixed_unique_id`] of the prefix (or `terraform-`).
pub(crate) fn generated_name(name: Option<String>, prefix: Option<String>) -> String {
    match (name, prefix) {
        (Some(n), _) => n,
        (None, Some(p)) => prefixed_unique_id(&p),
        (None, None) => prefixed_unique_id("terraform-"),
    }
}


/// Terraform's `id.PrefixedUniqueId`: the prefix, a UTC timestamp to 1/10000 s without the
/// dot (18 digits) and an 8-hex-digit counter — 26 characters after the prefix (names made
/// from `name_prefix`, attachment IDs).
pub(crate) fn prefixed_unique_id(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let stamp = aws_smithy_types::DateTime::from_secs(now.as_secs() as i64)
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap_or_default();
    let digits: String = stamp.chars().filter(char::is_ascii_digit).collect();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed) + 1;
    format!("{prefix}{digits}{:04}{n:08x}", now.subsec_micros() / 100)
}

/// upstream's `create.NamePrefixFromName`: the prefix of a name made by
/// [`prefixed_unique_id`], if it is one.
pub(crate) fn name_prefix_from_name(name: &str) -> Option<String> {
    if name.len() < 26 || !name.is_char_boundary(name.len() - 26) {
        return None;
    }
    let (prefix, suffix) = name.split_at(name.len() - 26);
    let ok = suffix[..18].chars().all(|c| c.is_ascii_digit())
        && suffix[18..].chars().all(|c| c.is_ascii_hexdigit());
    ok.then(|| prefix.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fake;
    #[async_trait]
    impl Resource for Fake {
        fn type_name(&self) -> &'static str {
            "aws_fake"
        }
        fn tagged(&self) -> bool {
            true
        }
        fn timeouts(&self) -> Option<Timeouts> {
            Some(Timeouts::uniform(Duration::from_secs(60)))
        }
        fn schema(&self) -> Schema {
            Schema {
                version: 0,
                block: Block::new()
                    .attr("id", Attribute::computed(Type::String))
                    .attr("cidr", Attribute::required(Type::String).force_new())
                    .attr("mode", Attribute::optional(Type::String))
                    .attr("tags", Attribute::optional(Type::map(Type::String))),
            }
        }
        fn defaults(&self) -> Vec<(&'static str, Value)> {
            vec![("mode", s("default"))]
        }
        async fn create(&self, _: &Ctx<'_>, p: &Obj) -> Result<Obj, Failed> {
            Ok(p.clone())
        }
        async fn read(&self, _: &Ctx<'_>, st: &Obj) -> Result<Option<Obj>, Diagnostics> {
            Ok(Some(st.clone()))
        }
        async fn update(&self, _: &Ctx<'_>, _: &Obj, p: &Obj) -> Result<Obj, Failed> {
            Ok(p.clone())
        }
        async fn delete(&self, _: &Ctx<'_>, _: &Obj) -> Result<(), Diagnostics> {
            Ok(())
        }
    }

    fn aws() -> Aws {
        Aws {
            sdk: aws_types::SdkConfig::builder().build(),
            region: "eu-west-1".into(),
            account_id: Some("123456789012".into()),
            partition: "aws".into(),
            default_tags: [
                ("Env".to_string(), "prod".to_string()),
                ("Team".to_string(), "a".to_string()),
            ]
            .into(),
            ignore_tag_keys: vec![],
            ignore_tag_prefixes: vec![],
            endpoints: BTreeMap::new(),
            s3_use_path_style: false,
        }
    }

    fn tags(p: &[(&str, &str)]) -> Value {
        Value::Map(
            Type::String,
            p.iter().map(|(k, v)| (k.to_string(), s(*v))).collect(),
        )
    }

    fn req(prior: Option<Value>, config: Value) -> PlanChangeRequest {
        PlanChangeRequest {
            type_name: "aws_fake".into(),
            prior_state: prior,
            proposed_new_state: Some(config.clone()),
            config,
            prior_private: vec![],
        }
    }

    #[test]
    fn create_plan_fills_defaults_region_unknowns_and_tags_all() {
        let a = aws();
        let cfg = Value::object([
            ("cidr", s("10.0.0.0/16")),
            ("tags", tags(&[("Team", "b"), ("Name", "x")])),
        ]);
        let p = plan(&a, &Fake, req(None, cfg)).planned_state.unwrap();
        assert_eq!(p.get_attr("mode"), Some(&s("default")));
        assert_eq!(p.get_attr("region"), Some(&s("eu-west-1")));
        assert_eq!(p.get_attr("id"), Some(&Value::Unknown(Type::String)));
        assert_eq!(
            p.get_attr("tags_all"),
            Some(&tags(&[("Env", "prod"), ("Name", "x"), ("Team", "b")]))
        );
        assert!(p.get_attr("timeouts").unwrap().is_null());
    }

    #[test]
    fn update_plans_in_place_or_replacement() {
        let a = aws();
        let cfg = Value::object([("cidr", s("10.0.0.0/16")), ("tags", tags(&[("Name", "x")]))]);
        let mut prior = plan(&a, &Fake, req(None, cfg.clone()))
            .planned_state
            .unwrap();
        if let Value::Object(m) = &mut prior {
            m.insert("id".into(), s("fake-1"));
        }
        // No change: planned equals prior.
        let r = plan(&a, &Fake, req(Some(prior.clone()), cfg));
        assert!(r.requires_replace.is_empty());
        assert_eq!(r.planned_state.unwrap(), prior);
        // Tags: in place, id kept, tags_all recomputed.
        let cfg2 = Value::object([("cidr", s("10.0.0.0/16")), ("tags", tags(&[("Name", "y")]))]);
        let r = plan(&a, &Fake, req(Some(prior.clone()), cfg2));
        assert!(r.requires_replace.is_empty());
        let p = r.planned_state.unwrap();
        assert_eq!(p.get_attr("id"), Some(&s("fake-1")));
        assert_eq!(
            p.get_attr("tags_all").unwrap().get_attr("Name"),
            Some(&s("y"))
        );
        // force_new attribute: replacement, computed id unknown again.
        let cfg3 = Value::object([("cidr", s("10.1.0.0/16"))]);
        let r = plan(&a, &Fake, req(Some(prior), cfg3));
        assert_eq!(r.requires_replace, vec![AttrPath::attr("cidr")]);
        assert!(!r.planned_state.unwrap().get_attr("id").unwrap().is_known());
    }

    #[test]
    fn tags_read_back_split_default_tags_off() {
        let a = aws();
        let mut o = Obj::new();
        let api: BTreeMap<String, String> = [
            ("Env", "prod"),
            ("Team", "a"),
            ("Name", "x"),
            ("aws:cloudformation:stack", "s"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        set_tags_from_api(&a, &mut o, api, None);
        assert_eq!(o["tags"], tags(&[("Name", "x")]));
        assert_eq!(
            o["tags_all"],
            tags(&[("Env", "prod"), ("Name", "x"), ("Team", "a")])
        );
    }

    #[test]
    fn timeouts_come_from_the_configuration() {
        let a = aws();
        let cfg = Value::object([("timeouts", Value::object([("create", s("45m"))]))]);
        let cx = ctx(&a, Some(&Fake), &Value::null(), Some(&cfg));
        assert_eq!(cx.timeouts.create, Duration::from_secs(45 * 60));
        assert_eq!(cx.timeouts.delete, Duration::from_secs(60));
        assert_eq!(cx.region, "eu-west-1");
    }
}
