//! `aws_route_table` (inline `route` blocks; import ID: the route table ID), `aws_route`
//! (import ID `<route table ID>_<destination>`) and `aws_route_table_association` (import ID
//! `<subnet or gateway ID>/<route table ID>`).

use super::{state_tags, tag_map, tag_spec, update_tags, NOT_FOUND_CODES};
use crate::api::{call, call_retry, ApiError, Op};
use crate::framework::*;
use async_trait::async_trait;
use aws_sdk_ec2::types::ResourceType;
use plinth_sdk::{
    AttrPath, Attribute, Block, Diagnostic, Diagnostics, NestedBlock, Nesting, Schema, Type, Value,
};
use std::collections::BTreeMap;
use std::time::Duration;

const RT: &str = "EC2 Route Table";
const ROUTE: &str = "EC2 Route";
const ASSOC: &str = "EC2 Route Table Association";

/// Destination attributes of an inline route (one of them is set).
const DESTS: &[&str] = &[
    "cidr_block",
    "ipv6_cidr_block",
    "destination_prefix_list_id",
];
/// Target attributes of a route (one of them is set).
const TARGETS: &[&str] = &[
    "carrier_gateway_id",
    "core_network_arn",
    "egress_only_gateway_id",
    "gateway_id",
    "local_gateway_id",
    "nat_gateway_id",
    "network_interface_id",
    "transit_gateway_id",
    "vpc_endpoint_id",
    "vpc_peering_connection_id",
];

fn route_block() -> Block {
    let mut b = Block::new();
    for a in DESTS.iter().chain(TARGETS) {
        b = b.attr(a, Attribute::optional(Type::String));
    }
    b
}

/// An inline route as a map of its attributes (`""` where unset), AWS's view.
type RouteObj = BTreeMap<String, String>;

fn route_key(r: &RouteObj) -> String {
    DESTS
        .iter()
        .filter_map(|d| r.get(*d).filter(|v| !v.is_empty()).cloned())
        .next()
        .unwrap_or_default()
}

fn route_from_value(v: &Value) -> RouteObj {
    DESTS
        .iter()
        .chain(TARGETS)
        .map(|a| {
            (
                a.to_string(),
                v.get_attr(a)
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
            )
        })
        .collect()
}

fn route_value(r: &RouteObj) -> Value {
    Value::Object(
        DESTS
            .iter()
            .chain(TARGETS)
            .map(|a| (a.to_string(), s(r.get(*a).cloned().unwrap_or_default())))
            .collect(),
    )
}

/// Builds the route of an AWS route as Terraform stores it, or `None` for routes Terraform
/// does not manage (the `local` route, propagated routes).
fn route_from_api(r: &aws_sdk_ec2::types::Route) -> Option<RouteObj> {
    if r.gateway_id() == Some("local")
        || r.origin()
            .is_some_and(|o| o.as_str() == "EnableVgwRoutePropagation")
    {
        return None;
    }
    let mut m = RouteObj::new();
    let mut put = |k: &str, v: Option<&str>| {
        m.insert(k.to_string(), v.unwrap_or("").to_string());
    };
    put("cidr_block", r.destination_cidr_block());
    put("ipv6_cidr_block", r.destination_ipv6_cidr_block());
    put("destination_prefix_list_id", r.destination_prefix_list_id());
    put("carrier_gateway_id", r.carrier_gateway_id());
    put("core_network_arn", r.core_network_arn());
    put(
        "egress_only_gateway_id",
        r.egress_only_internet_gateway_id(),
    );
    put("gateway_id", r.gateway_id());
    put("local_gateway_id", r.local_gateway_id());
    put("nat_gateway_id", r.nat_gateway_id());
    put(
        "network_interface_id",
        if r.instance_id().is_some() {
            r.network_interface_id()
        } else {
            r.network_interface_id()
        },
    );
    put("transit_gateway_id", r.transit_gateway_id());
    put(
        "vpc_endpoint_id",
        if r.gateway_id().is_some_and(|g| g.starts_with("vpce-")) {
            r.gateway_id()
        } else {
            None
        },
    );
    put("vpc_peering_connection_id", r.vpc_peering_connection_id());
    if r.gateway_id().is_some_and(|g| g.starts_with("vpce-")) {
        m.insert("gateway_id".into(), String::new());
    }
    Some(m)
}

macro_rules! route_call {
    ($req:expr, $r:expr) => {{
        let g = |k: &str| $r.get(k).filter(|v| !v.is_empty()).cloned();
        $req.set_destination_cidr_block(g("cidr_block").or_else(|| g("destination_cidr_block")))
            .set_destination_ipv6_cidr_block(
                g("ipv6_cidr_block").or_else(|| g("destination_ipv6_cidr_block")),
            )
            .set_destination_prefix_list_id(g("destination_prefix_list_id"))
            .set_carrier_gateway_id(g("carrier_gateway_id"))
            .set_core_network_arn(g("core_network_arn"))
            .set_egress_only_internet_gateway_id(g("egress_only_gateway_id"))
            .set_gateway_id(g("gateway_id").or_else(|| g("vpc_endpoint_id")))
            .set_local_gateway_id(g("local_gateway_id"))
            .set_nat_gateway_id(g("nat_gateway_id"))
            .set_network_interface_id(g("network_interface_id"))
            .set_transit_gateway_id(g("transit_gateway_id"))
            .set_vpc_peering_connection_id(g("vpc_peering_connection_id"))
    }};
}

async fn create_route(
    ec2: &aws_sdk_ec2::Client,
    what: &'static str,
    rtb: &str,
    r: &RouteObj,
    budget: Duration,
) -> Result<(), ApiError> {
    // A gateway created a moment ago may not be visible yet.
    let mut codes = NOT_FOUND_CODES.to_vec();
    codes.push("InvalidGatewayID.NotFound");
    codes.push("InvalidTransitGatewayID.NotFound");
    call_retry(
        Op::new("creating", what, "EC2", "CreateRoute"),
        &codes,
        budget,
        || route_call!(ec2.create_route().route_table_id(rtb), r).send(),
    )
    .await
    .map(|_| ())
}

async fn replace_route(
    ec2: &aws_sdk_ec2::Client,
    what: &'static str,
    rtb: &str,
    r: &RouteObj,
) -> Result<(), ApiError> {
    call_retry(
        Op::new("updating", what, "EC2", "ReplaceRoute"),
        NOT_FOUND_CODES,
        Duration::from_secs(120),
        || route_call!(ec2.replace_route().route_table_id(rtb), r).send(),
    )
    .await
    .map(|_| ())
}

async fn delete_route(
    ec2: &aws_sdk_ec2::Client,
    what: &'static str,
    rtb: &str,
    r: &RouteObj,
) -> Result<(), ApiError> {
    let g = |k: &str| r.get(k).filter(|v| !v.is_empty()).cloned();
    match call(Op::new("deleting", what, "EC2", "DeleteRoute"), || {
        ec2.delete_route()
            .route_table_id(rtb)
            .set_destination_cidr_block(g("cidr_block").or_else(|| g("destination_cidr_block")))
            .set_destination_ipv6_cidr_block(
                g("ipv6_cidr_block").or_else(|| g("destination_ipv6_cidr_block")),
            )
            .set_destination_prefix_list_id(g("destination_prefix_list_id"))
            .send()
    })
    .await
    {
        Ok(_) => Ok(()),
        Err(e) if e.is(&["InvalidRoute.NotFound", "InvalidRouteTableID.NotFound"]) => Ok(()),
        Err(e) => Err(e),
    }
}

pub(crate) async fn describe_table(
    ec2: &aws_sdk_ec2::Client,
    what: &'static str,
    id: &str,
) -> Result<Option<aws_sdk_ec2::types::RouteTable>, ApiError> {
    match call(
        Op::new("reading", what, "EC2", "DescribeRouteTables"),
        || ec2.describe_route_tables().route_table_ids(id).send(),
    )
    .await
    {
        Ok(out) => Ok(out
            .route_tables()
            .iter()
            .find(|t| t.route_table_id() == Some(id))
            .cloned()),
        Err(e) if e.is(&["InvalidRouteTableID.NotFound"]) => Ok(None),
        Err(e) => Err(e),
    }
}

// ---- aws_route_table ---------------------------------------------------------------------

pub(crate) struct RouteTable;

#[async_trait]
impl Resource for RouteTable {
    fn type_name(&self) -> &'static str {
        "aws_route_table"
    }
    fn tagged(&self) -> bool {
        true
    }
    fn timeouts(&self) -> Option<Timeouts> {
        Some(Timeouts {
            create: Duration::from_secs(5 * 60),
            read: Duration::from_secs(2 * 60),
            update: Duration::from_secs(2 * 60),
            delete: Duration::from_secs(5 * 60),
        })
    }
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block::new()
                .attr("arn", Attribute::computed(Type::String))
                .attr("id", Attribute::computed(Type::String))
                .attr("owner_id", Attribute::computed(Type::String))
                .attr(
                    "propagating_vgws",
                    Attribute::optional_computed(Type::set(Type::String)),
                )
                .attr("tags", Attribute::optional(Type::map(Type::String)))
                .attr("vpc_id", Attribute::required(Type::String).force_new())
                .block(
                    "route",
                    NestedBlock {
                        nesting: Nesting::Set,
                        min_items: 0,
                        max_items: 0,
                        force_new: false,
                        block: route_block(),
                    },
                ),
        }
    }
    fn computed_blocks(&self) -> &'static [&'static str] {
        &["route"]
    }
    fn normalize(&self, planned: &mut Obj) {
        if let Some(Value::Set(t, items)) = planned.get("route").map(Value::unmarked).cloned() {
            let items = items
                .iter()
                .map(|r| {
                    if r.is_wholly_known() {
                        route_value(&route_from_value(r))
                    } else {
                        r.clone()
                    }
                })
                .collect();
            planned.insert("route".into(), Value::set(t, items));
        }
    }

    async fn create(&self, cx: &Ctx<'_>, planned: &Obj) -> Result<Obj, Failed> {
        let ec2 = cx.ec2();
        let tags = tags_to_send(cx.aws, planned);
        let vpc = get_str(planned, "vpc_id");
        let out = call_retry(
            Op::new("creating", RT, "EC2", "CreateRouteTable"),
            &["InvalidVpcID.NotFound"],
            Duration::from_secs(60),
            || {
                ec2.create_route_table()
                    .set_vpc_id(vpc.clone())
                    .set_tag_specifications(
                        tag_spec(ResourceType::RouteTable, &tags).map(|t| vec![t]),
                    )
                    .send()
            },
        )
        .await?;
        let id = out
            .route_table()
            .and_then(|t| t.route_table_id())
            .map(str::to_string)
            .ok_or_else(|| {
                Diagnostics::from(ApiError::other(
                    Op::new("creating", RT, "EC2", "CreateRouteTable"),
                    "the response has no ID",
                ))
            })?;
        let mut partial = planned.clone();
        partial.insert("id".into(), s(id.clone()));
        partial.insert(
            "route".into(),
            Value::set(route_block().implied_type(), vec![]),
        );
        for r in get(planned, "route").as_seq().unwrap_or(&[]) {
            if let Err(e) =
                create_route(&ec2, RT, &id, &route_from_value(r), cx.timeouts.create).await
            {
                return Err(Failed::partial(partial, e));
            }
        }
        for vgw in get_strings(planned, "propagating_vgws") {
            if let Err(e) = call(
                Op::new("creating", RT, "EC2", "EnableVgwRoutePropagation"),
                || {
                    ec2.enable_vgw_route_propagation()
                        .route_table_id(&id)
                        .gateway_id(&vgw)
                        .send()
                },
            )
            .await
            {
                return Err(Failed::partial(partial, e));
            }
        }
        match self.read(cx, &partial).await {
            Ok(Some(o)) => Ok(o),
            Ok(None) => Err(Failed::partial(
                partial,
                ApiError::other(
                    Op::new("creating", RT, "EC2", "DescribeRouteTables"),
                    "the new route table disappeared",
                ),
            )),
            Err(d) => Err(Failed::partial(partial, d)),
        }
    }

    async fn read(&self, cx: &Ctx<'_>, state: &Obj) -> Result<Option<Obj>, Diagnostics> {
        let ec2 = cx.ec2();
        let id = id_of(state)?;
        let Some(t) = describe_table(&ec2, RT, &id).await? else {
            return Ok(None);
        };
        let mut o = state.clone();
        o.insert("id".into(), s(id.clone()));
        o.insert("arn".into(), s(cx.arn("ec2", &format!("route-table/{id}"))));
        o.insert("owner_id".into(), opt_s(t.owner_id()));
        o.insert("vpc_id".into(), opt_s(t.vpc_id()));
        let routes: Vec<Value> = t
            .routes()
            .iter()
            .filter_map(route_from_api)
            .map(|r| route_value(&r))
            .collect();
        o.insert(
            "route".into(),
            Value::set(route_block().implied_type(), routes),
        );
        o.insert(
            "propagating_vgws".into(),
            str_set(
                t.propagating_vgws()
                    .iter()
                    .filter_map(|v| v.gateway_id().map(str::to_string))
                    .collect(),
            ),
        );
        set_tags_from_api(cx.aws, &mut o, tag_map(t.tags()), Some(state));
        Ok(Some(o))
    }

    async fn update(&self, cx: &Ctx<'_>, prior: &Obj, planned: &Obj) -> Result<Obj, Failed> {
        let ec2 = cx.ec2();
        let id = id_of(prior)?;
        let by_key = |o: &Obj| -> BTreeMap<String, RouteObj> {
            get(o, "route")
                .as_seq()
                .unwrap_or(&[])
                .iter()
                .map(route_from_value)
                .map(|r| (route_key(&r), r))
                .collect()
        };
        let (old, new) = (by_key(prior), by_key(planned));
        for (k, r) in &old {
            if !new.contains_key(k) {
                delete_route(&ec2, RT, &id, r).await?;
            }
        }
        for (k, r) in &new {
            match old.get(k) {
                None => create_route(&ec2, RT, &id, r, cx.timeouts.update).await?,
                Some(o) if o != r => replace_route(&ec2, RT, &id, r).await?,
                Some(_) => {}
            }
        }
        let (ov, nv) = (
            get_strings(prior, "propagating_vgws"),
            get_strings(planned, "propagating_vgws"),
        );
        for g in ov.iter().filter(|g| !nv.contains(g)) {
            call(
                Op::new("updating", RT, "EC2", "DisableVgwRoutePropagation"),
                || {
                    ec2.disable_vgw_route_propagation()
                        .route_table_id(&id)
                        .gateway_id(g)
                        .send()
                },
            )
            .await?;
        }
        for g in nv.iter().filter(|g| !ov.contains(g)) {
            call(
                Op::new("updating", RT, "EC2", "EnableVgwRoutePropagation"),
                || {
                    ec2.enable_vgw_route_propagation()
                        .route_table_id(&id)
                        .gateway_id(g)
                        .send()
                },
            )
            .await?;
        }
        update_tags(
            &ec2,
            RT,
            &id,
            &state_tags(prior),
            &tags_to_send(cx.aws, planned),
        )
        .await?;
        match self.read(cx, planned).await? {
            Some(o) => Ok(o),
            None => Err(ApiError::other(
                Op::new("updating", RT, "EC2", "DescribeRouteTables"),
                "the route table disappeared",
            )
            .into()),
        }
    }

    async fn delete(&self, cx: &Ctx<'_>, prior: &Obj) -> Result<(), Diagnostics> {
        let ec2 = cx.ec2();
        let id = id_of(prior)?;
        let Some(t) = describe_table(&ec2, RT, &id).await? else {
            return Ok(());
        };
        // Non-main associations go first (as upstream does).
        for a in t.associations() {
            if a.main() != Some(true) {
                if let Some(aid) = a.route_table_association_id() {
                    disassociate(&ec2, aid).await?;
                }
            }
        }
        match call_retry(
            Op::new("deleting", RT, "EC2", "DeleteRouteTable"),
            &["DependencyViolation"],
            cx.timeouts.delete,
            || ec2.delete_route_table().route_table_id(&id).send(),
        )
        .await
        {
            Ok(_) => Ok(()),
            Err(e) if e.is(&["InvalidRouteTableID.NotFound"]) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

// ---- aws_route ---------------------------------------------------------------------------

pub(crate) struct Route;

/// Terraform's route ID: `r-<route table ID><crc32 of the destination>`.
fn route_id(rtb: &str, dest: &str) -> String {
    format!("r-{rtb}{}", crc32(dest.as_bytes()))
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in data {
        crc ^= byte as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn route_dest(o: &Obj) -> Option<String> {
    [
        "destination_cidr_block",
        "destination_ipv6_cidr_block",
        "destination_prefix_list_id",
    ]
    .iter()
    .find_map(|k| get_str(o, k).filter(|v| !v.is_empty()))
}

#[async_trait]
impl Resource for Route {
    fn type_name(&self) -> &'static str {
        "aws_route"
    }
    fn timeouts(&self) -> Option<Timeouts> {
        Some(Timeouts {
            create: Duration::from_secs(5 * 60),
            read: Duration::from_secs(2 * 60),
            update: Duration::from_secs(2 * 60),
            delete: Duration::from_secs(5 * 60),
        })
    }
    fn schema(&self) -> Schema {
        let mut b = Block::new()
            .attr(
                "route_table_id",
                Attribute::required(Type::String).force_new(),
            )
            .attr(
                "destination_cidr_block",
                Attribute::optional(Type::String).force_new(),
            )
            .attr(
                "destination_ipv6_cidr_block",
                Attribute::optional(Type::String).force_new(),
            )
            .attr(
                "destination_prefix_list_id",
                Attribute::optional(Type::String).force_new(),
            )
            .attr("id", Attribute::computed(Type::String))
            .attr("instance_id", Attribute::computed(Type::String))
            .attr("instance_owner_id", Attribute::computed(Type::String))
            .attr("origin", Attribute::computed(Type::String))
            .attr("state", Attribute::computed(Type::String));
        for t in TARGETS {
            b = b.attr(t, Attribute::optional(Type::String));
        }
        b.attributes.insert(
            "network_interface_id".into(),
            Attribute::optional_computed(Type::String),
        );
        Schema {
            version: 0,
            block: b,
        }
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        if !config.is_wholly_known() {
            return d;
        }
        let dests = [
            "destination_cidr_block",
            "destination_ipv6_cidr_block",
            "destination_prefix_list_id",
        ]
        .iter()
        .filter(|k| cfg(config, k).is_some())
        .count();
        if dests != 1 {
            d.push(attr_error(
                "destination_cidr_block",
                "exactly one destination is required",
                "Set exactly one of destination_cidr_block, destination_ipv6_cidr_block and destination_prefix_list_id.",
                "keep one destination attribute",
            ));
        }
        if !TARGETS.iter().any(|k| cfg(config, k).is_some()) {
            d.push(attr_error(
                "gateway_id",
                "a target is required",
                format!("Set one of {}.", TARGETS.join(", ")),
                "add e.g. `gateway_id = aws_internet_gateway.main.id`",
            ));
        }
        d
    }

    async fn create(&self, cx: &Ctx<'_>, planned: &Obj) -> Result<Obj, Failed> {
        let ec2 = cx.ec2();
        let rtb = get_str(planned, "route_table_id").unwrap_or_default();
        let dest = route_dest(planned).unwrap_or_default();
        let r: RouteObj = planned
            .iter()
            .filter_map(|(k, v)| v.as_str().map(|x| (k.clone(), x.to_string())))
            .collect();
        create_route(&ec2, ROUTE, &rtb, &r, cx.timeouts.create).await?;
        let mut o = planned.clone();
        o.insert("id".into(), s(route_id(&rtb, &dest)));
        match self.read(cx, &o).await {
            Ok(Some(o)) => Ok(o),
            Ok(None) => Err(Failed::partial(
                o,
                ApiError::other(
                    Op::new("creating", ROUTE, "EC2", "DescribeRouteTables"),
                    "the new route is not in the route table",
                ),
            )),
            Err(d) => Err(Failed::partial(o, d)),
        }
    }

    async fn read(&self, cx: &Ctx<'_>, state: &Obj) -> Result<Option<Obj>, Diagnostics> {
        let ec2 = cx.ec2();
        let Some(rtb) = get_str(state, "route_table_id") else {
            return Ok(None);
        };
        let Some(dest) = route_dest(state) else {
            return Ok(None);
        };
        let Some(t) = describe_table(&ec2, ROUTE, &rtb).await? else {
            return Ok(None);
        };
        let Some(r) = t.routes().iter().find(|r| {
            r.destination_cidr_block() == Some(dest.as_str())
                || r.destination_ipv6_cidr_block() == Some(dest.as_str())
                || r.destination_prefix_list_id() == Some(dest.as_str())
        }) else {
            return Ok(None);
        };
        let mut o = state.clone();
        o.insert("id".into(), s(route_id(&rtb, &dest)));
        o.insert(
            "destination_cidr_block".into(),
            opt_s(r.destination_cidr_block()),
        );
        o.insert(
            "destination_ipv6_cidr_block".into(),
            opt_s(r.destination_ipv6_cidr_block()),
        );
        o.insert(
            "destination_prefix_list_id".into(),
            opt_s(r.destination_prefix_list_id()),
        );
        if let Some(api) = route_from_api(r) {
            for t in TARGETS {
                o.insert(t.to_string(), opt_s(api.get(*t).map(String::as_str)));
            }
        }
        o.insert("instance_id".into(), s(r.instance_id().unwrap_or("")));
        o.insert(
            "instance_owner_id".into(),
            s(r.instance_owner_id().unwrap_or("")),
        );
        o.insert("origin".into(), opt_s(r.origin().map(|x| x.as_str())));
        o.insert("state".into(), opt_s(r.state().map(|x| x.as_str())));
        Ok(Some(o))
    }

    async fn update(&self, cx: &Ctx<'_>, _prior: &Obj, planned: &Obj) -> Result<Obj, Failed> {
        let ec2 = cx.ec2();
        let rtb = get_str(planned, "route_table_id").unwrap_or_default();
        let r: RouteObj = planned
            .iter()
            .filter_map(|(k, v)| v.as_str().map(|x| (k.clone(), x.to_string())))
            .collect();
        replace_route(&ec2, ROUTE, &rtb, &r).await?;
        match self.read(cx, planned).await? {
            Some(o) => Ok(o),
            None => Err(ApiError::other(
                Op::new("updating", ROUTE, "EC2", "DescribeRouteTables"),
                "the route disappeared",
            )
            .into()),
        }
    }

    async fn delete(&self, cx: &Ctx<'_>, prior: &Obj) -> Result<(), Diagnostics> {
        let ec2 = cx.ec2();
        let rtb = get_str(prior, "route_table_id").unwrap_or_default();
        let r: RouteObj = prior
            .iter()
            .filter_map(|(k, v)| v.as_str().map(|x| (k.clone(), x.to_string())))
            .collect();
        delete_route(&ec2, ROUTE, &rtb, &r).await?;
        Ok(())
    }

    async fn import(&self, cx: &Ctx<'_>, id: &str) -> Result<Option<Obj>, Diagnostics> {
        let Some((rtb, dest)) = id.split_once('_') else {
            return Err(Diagnostic::error("invalid import ID for aws_route")
                .with_detail(format!("{id:?} is not of the form ROUTETABLEID_DESTINATION."))
                .with_help("write e.g. `rtb-0123456789abcdef0_10.42.0.0/16`, `rtb-…_2001:db8::/56` or `rtb-…_pl-0570a1d2d725c16be`")
                .into());
        };
        let key = if dest.starts_with("pl-") {
            "destination_prefix_list_id"
        } else if dest.contains(':') {
            "destination_ipv6_cidr_block"
        } else {
            "destination_cidr_block"
        };
        let mut o = Obj::new();
        o.insert("route_table_id".into(), s(rtb));
        o.insert(key.into(), s(dest));
        self.read(cx, &o).await
    }
}

// ---- aws_route_table_association ---------------------------------------------------------

pub(crate) struct RouteTableAssociation;

async fn disassociate(ec2: &aws_sdk_ec2::Client, id: &str) -> Result<(), ApiError> {
    match call(
        Op::new("deleting", ASSOC, "EC2", "DisassociateRouteTable"),
        || ec2.disassociate_route_table().association_id(id).send(),
    )
    .await
    {
        Ok(_) => Ok(()),
        Err(e) if e.is(&["InvalidAssociationID.NotFound"]) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Finds an association by ID: (route table ID, association).
async fn find_association(
    ec2: &aws_sdk_ec2::Client,
    id: &str,
) -> Result<Option<(String, aws_sdk_ec2::types::RouteTableAssociation)>, ApiError> {
    let out = call(
        Op::new("reading", ASSOC, "EC2", "DescribeRouteTables"),
        || {
            ec2.describe_route_tables()
                .filters(super::filter(
                    "association.route-table-association-id",
                    &[id.to_string()],
                ))
                .send()
        },
    )
    .await?;
    for t in out.route_tables() {
        for a in t.associations() {
            if a.route_table_association_id() == Some(id) {
                let gone = a
                    .association_state()
                    .and_then(|s| s.state())
                    .is_some_and(|s| matches!(s.as_str(), "disassociated" | "failed"));
                if !gone {
                    return Ok(Some((
                        t.route_table_id().unwrap_or("").to_string(),
                        a.clone(),
                    )));
                }
            }
        }
    }
    Ok(None)
}

#[async_trait]
impl Resource for RouteTableAssociation {
    fn type_name(&self) -> &'static str {
        "aws_route_table_association"
    }
    fn timeouts(&self) -> Option<Timeouts> {
        Some(Timeouts::uniform(Duration::from_secs(5 * 60)))
    }
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block::new()
                .attr("gateway_id", Attribute::optional(Type::String).force_new())
                .attr("id", Attribute::computed(Type::String))
                .attr("route_table_id", Attribute::required(Type::String))
                .attr("subnet_id", Attribute::optional(Type::String).force_new()),
        }
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        if config.is_wholly_known() {
            let n = ["subnet_id", "gateway_id"]
                .iter()
                .filter(|k| cfg(config, k).is_some())
                .count();
            if n != 1 {
                d.push(attr_error(
                    "subnet_id",
                    "exactly one of subnet_id and gateway_id is required",
                    "A route table association links the route table to one subnet or one gateway.",
                    "set either `subnet_id` or `gateway_id`",
                ));
            }
        }
        d
    }
    fn plan_update(&self, _prior: &Obj, _planned: &mut Obj, _rr: &mut Vec<AttrPath>) {}

    async fn create(&self, cx: &Ctx<'_>, planned: &Obj) -> Result<Obj, Failed> {
        let ec2 = cx.ec2();
        let rtb = get_str(planned, "route_table_id").unwrap_or_default();
        let out = call_retry(
            Op::new("creating", ASSOC, "EC2", "AssociateRouteTable"),
            NOT_FOUND_CODES,
            cx.timeouts.create,
            || {
                ec2.associate_route_table()
                    .route_table_id(&rtb)
                    .set_subnet_id(get_str(planned, "subnet_id"))
                    .set_gateway_id(get_str(planned, "gateway_id"))
                    .send()
            },
        )
        .await?;
        let id = out.association_id().unwrap_or("").to_string();
        let mut o = planned.clone();
        o.insert("id".into(), s(id));
        Ok(o)
    }

    async fn read(&self, cx: &Ctx<'_>, state: &Obj) -> Result<Option<Obj>, Diagnostics> {
        let ec2 = cx.ec2();
        let id = id_of(state)?;
        let Some((rtb, a)) = find_association(&ec2, &id).await? else {
            return Ok(None);
        };
        let mut o = state.clone();
        o.insert("route_table_id".into(), s(rtb));
        o.insert("subnet_id".into(), opt_s(a.subnet_id()));
        o.insert("gateway_id".into(), opt_s(a.gateway_id()));
        Ok(Some(o))
    }

    async fn update(&self, cx: &Ctx<'_>, prior: &Obj, planned: &Obj) -> Result<Obj, Failed> {
        let ec2 = cx.ec2();
        let id = id_of(prior)?;
        let rtb = get_str(planned, "route_table_id").unwrap_or_default();
        let out = call_retry(
            Op::new("updating", ASSOC, "EC2", "ReplaceRouteTableAssociation"),
            NOT_FOUND_CODES,
            cx.timeouts.update,
            || {
                ec2.replace_route_table_association()
                    .association_id(&id)
                    .route_table_id(&rtb)
                    .send()
            },
        )
        .await?;
        let mut o = planned.clone();
        o.insert("id".into(), s(out.new_association_id().unwrap_or(&id)));
        Ok(o)
    }

    async fn delete(&self, cx: &Ctx<'_>, prior: &Obj) -> Result<(), Diagnostics> {
        let ec2 = cx.ec2();
        disassociate(&ec2, &id_of(prior)?).await?;
        Ok(())
    }

    async fn import(&self, cx: &Ctx<'_>, id: &str) -> Result<Option<Obj>, Diagnostics> {
        let Some((target, rtb)) = id.split_once('/') else {
            return Err(Diagnostic::error("invalid import ID for aws_route_table_association")
                .with_detail(format!("{id:?} is not of the form SUBNETID/ROUTETABLEID or GATEWAYID/ROUTETABLEID."))
                .with_help("write e.g. `subnet-0123456789abcdef0/rtb-0123456789abcdef0`")
                .into());
        };
        let ec2 = cx.ec2();
        let Some(t) = describe_table(&ec2, ASSOC, rtb).await? else {
            return Ok(None);
        };
        let found = t
            .associations()
            .iter()
            .find(|a| a.subnet_id() == Some(target) || a.gateway_id() == Some(target));
        let Some(a) = found else { return Ok(None) };
        let mut o = Obj::new();
        o.insert("id".into(), opt_s(a.route_table_association_id()));
        o.insert("route_table_id".into(), s(rtb));
        o.insert("subnet_id".into(), opt_s(a.subnet_id()));
        o.insert("gateway_id".into(), opt_s(a.gateway_id()));
        Ok(Some(o))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn crc32_matches_go() {
        // Go: crc32.ChecksumIEEE([]byte("10.0.0.0/16"))
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert!(route_id("rtb-1", "0.0.0.0/0").starts_with("r-rtb-1"));
    }
}
