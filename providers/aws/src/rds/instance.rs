//! `aws_db_instance` (import ID: the DB instance identifier; `id` is the DBI resource ID, as
//! in upstream 5.x/6.x).
//!
//! Create waits until `available`; updates go through one ModifyDBInstance call (honouring
//! `apply_immediately`) and wait until `available` again; delete honours
//! `skip_final_snapshot`/`final_snapshot_identifier`/`delete_automated_backups` and waits
//! until the instance is gone. `password` is kept in state as configured (AWS never returns
//! it).

use super::{list_tags, to_tags, update_tags};
use crate::api::{call, call_retry, wait, ApiError, Op, Poll};
use crate::framework::*;
use async_trait::async_trait;
use plinth_sdk::{Attribute, Block, Diagnostic, Diagnostics, Schema, Type, Value};
use std::time::Duration;

pub(crate) struct DbInstance;

const WHAT: &str = "RDS DB Instance";

fn op(verb: &'static str, operation: &'static str) -> Op {
    Op::new(verb, WHAT, "RDS", operation)
}

/// States an instance passes through on its way to `available` (upstream's pending list).
const PENDING: &[&str] = &[
    "backing-up",
    "configuring-enhanced-monitoring",
    "configuring-iam-database-auth",
    "configuring-log-exports",
    "creating",
    "maintenance",
    "modifying",
    "moving-to-vpc",
    "rebooting",
    "renaming",
    "resetting-master-credentials",
    "starting",
    "stopping",
    "storage-full",
    "upgrading",
];

#[async_trait]
impl Resource for DbInstance {
    fn type_name(&self) -> &'static str {
        "aws_db_instance"
    }
    fn tagged(&self) -> bool {
        true
    }
    fn timeouts(&self) -> Option<Timeouts> {
        Some(Timeouts {
            create: Duration::from_secs(40 * 60),
            update: Duration::from_secs(80 * 60),
            delete: Duration::from_secs(60 * 60),
            read: Duration::from_secs(20 * 60),
        })
    }
    fn schema(&self) -> Schema {
        let c = Attribute::computed;
        let oc = Attribute::optional_computed;
        let o = Attribute::optional;
        Schema {
            version: 2,
            block: Block::new()
                .attr("address", c(Type::String))
                .attr("allocated_storage", oc(Type::Number))
                .attr("apply_immediately", o(Type::Bool))
                .attr("arn", c(Type::String))
                .attr("auto_minor_version_upgrade", o(Type::Bool))
                .attr("availability_zone", oc(Type::String).force_new())
                .attr("backup_retention_period", oc(Type::Number))
                .attr("backup_window", oc(Type::String))
                .attr("copy_tags_to_snapshot", o(Type::Bool))
                .attr("db_name", oc(Type::String).force_new())
                .attr("db_subnet_group_name", oc(Type::String))
                .attr("delete_automated_backups", o(Type::Bool))
                .attr("deletion_protection", o(Type::Bool))
                .attr("endpoint", c(Type::String))
                .attr("engine", oc(Type::String).force_new())
                .attr("engine_version", oc(Type::String))
                .attr("engine_version_actual", c(Type::String))
                .attr("final_snapshot_identifier", o(Type::String))
                .attr("hosted_zone_id", c(Type::String))
                .attr("id", c(Type::String))
                .attr("identifier", oc(Type::String).force_new())
                .attr("identifier_prefix", oc(Type::String).force_new())
                .attr("instance_class", Attribute::required(Type::String))
                .attr("kms_key_id", oc(Type::String).force_new())
                .attr("maintenance_window", oc(Type::String))
                .attr("max_allocated_storage", o(Type::Number))
                .attr("multi_az", oc(Type::Bool))
                .attr("parameter_group_name", oc(Type::String))
                .attr("password", o(Type::String).sensitive())
                .attr("port", oc(Type::Number))
                .attr("publicly_accessible", o(Type::Bool))
                .attr("resource_id", c(Type::String))
                .attr("skip_final_snapshot", o(Type::Bool))
                .attr("status", c(Type::String))
                .attr("storage_encrypted", o(Type::Bool).force_new())
                .attr("storage_type", oc(Type::String))
                .attr("tags", o(Type::map(Type::String)))
                .attr("username", oc(Type::String).force_new())
                .attr("vpc_security_group_ids", oc(Type::set(Type::String))),
        }
    }
    fn defaults(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("auto_minor_version_upgrade", b(true)),
            ("copy_tags_to_snapshot", b(false)),
            ("delete_automated_backups", b(true)),
            ("deletion_protection", b(false)),
            ("publicly_accessible", b(false)),
            ("skip_final_snapshot", b(false)),
            ("storage_encrypted", b(false)),
        ]
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        if cfg(config, "identifier").is_some() && cfg(config, "identifier_prefix").is_some() {
            d.push(attr_error(
                "identifier",
                "conflicting arguments",
                "\"identifier\": conflicts with identifier_prefix.",
                "set either `identifier` or `identifier_prefix`, not both",
            ));
        }
        if let Some(n) = cfg(config, "identifier").and_then(Value::as_str) {
            let ok = n.len() <= 63
                && n.starts_with(|c: char| c.is_ascii_lowercase())
                && n.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !n.contains("--")
                && !n.ends_with('-');
            if !ok {
                d.push(attr_error(
                    "identifier",
                    "invalid DB instance identifier",
                    format!("{n:?}: only lowercase alphanumeric characters and hyphens allowed (at most 63), starting with a letter, without two consecutive hyphens or a trailing hyphen."),
                    "use an identifier such as \"app-db\"",
                ));
            }
        }
        if cfg(config, "engine").is_none()
            && config.is_wholly_known()
            && cfg(config, "replicate_source_db").is_none()
        {
            d.push(attr_error(
                "engine",
                "missing engine",
                "\"engine\": required field is not set.",
                "add e.g. `engine = \"postgres\"`",
            ));
        }
        if let Some(m) = cfg(config, "max_allocated_storage").and_then(Value::as_i64) {
            if let Some(a) = cfg(config, "allocated_storage").and_then(Value::as_i64) {
                if m != 0 && m < a {
                    d.push(attr_error(
                        "max_allocated_storage",
                        "smaller than allocated_storage",
                        format!("max_allocated_storage ({m}) must be at least allocated_storage ({a}), or 0 to turn storage autoscaling off."),
                        "raise max_allocated_storage or remove it",
                    ));
                }
            }
        }
        d
    }
    fn normalize(&self, planned: &mut Obj) {
        // AWS stores these lowercased (upstream StateFunc).
        for k in ["engine", "maintenance_window", "identifier"] {
            if let Some(v) = get_str(planned, k) {
                planned.insert(k.into(), s(v.to_lowercase()));
            }
        }
    }

    async fn create(&self, cx: &Ctx<'_>, planned: &Obj) -> Result<Obj, Failed> {
        let rds = cx.rds();
        let ident = generated_name(
            get_str(planned, "identifier"),
            get_str(planned, "identifier_prefix"),
        );
        let tags = tags_to_send(cx.aws, planned);
        let num = |k: &str| get_i64(planned, k).map(|n| n as i32);
        let sgs = get_strings(planned, "vpc_security_group_ids");
        let max_storage = num("max_allocated_storage").filter(|n| *n > 0);
        let req = rds
            .create_db_instance()
            .db_instance_identifier(&ident)
            .set_engine(get_str(planned, "engine"))
            .set_engine_version(get_str(planned, "engine_version"))
            .set_db_instance_class(get_str(planned, "instance_class"))
            .set_allocated_storage(num("allocated_storage"))
            .set_max_allocated_storage(max_storage)
            .set_storage_type(get_str(planned, "storage_type"))
            .set_storage_encrypted(get_bool(planned, "storage_encrypted"))
            .set_kms_key_id(get_str(planned, "kms_key_id"))
            .set_db_name(get_str(planned, "db_name"))
            .set_master_username(get_str(planned, "username"))
            .set_master_user_password(get_str(planned, "password"))
            .set_port(num("port"))
            .set_db_subnet_group_name(get_str(planned, "db_subnet_group_name"))
            .set_db_parameter_group_name(get_str(planned, "parameter_group_name"))
            .set_vpc_security_group_ids((!sgs.is_empty()).then_some(sgs))
            .set_multi_az(get_bool(planned, "multi_az"))
            .set_publicly_accessible(get_bool(planned, "publicly_accessible"))
            .set_availability_zone(get_str(planned, "availability_zone"))
            .set_backup_retention_period(num("backup_retention_period"))
            .set_preferred_backup_window(get_str(planned, "backup_window"))
            .set_preferred_maintenance_window(get_str(planned, "maintenance_window"))
            .set_deletion_protection(get_bool(planned, "deletion_protection"))
            .set_auto_minor_version_upgrade(get_bool(planned, "auto_minor_version_upgrade"))
            .set_copy_tags_to_snapshot(get_bool(planned, "copy_tags_to_snapshot"))
            .set_tags(to_tags(&tags));
        // Subnet groups and parameter groups made just before may not be visible yet.
        let out = call_retry(
            op("creating", "CreateDBInstance"),
            &["DBSubnetGroupNotFoundFault", "DBParameterGroupNotFound"],
            Duration::from_secs(60),
            || req.clone().send(),
        )
        .await?;
        let mut partial = planned.clone();
        partial.insert("identifier".into(), s(ident.clone()));
        let rid = out
            .db_instance()
            .and_then(|i| i.dbi_resource_id())
            .unwrap_or(&ident)
            .to_string();
        partial.insert("id".into(), s(rid));
        if let Err(e) = wait_available(&rds, &ident, "creating", cx.timeouts.create).await {
            return Err(Failed::partial(partial, e));
        }
        match self.read(cx, &partial).await {
            Ok(Some(o)) => Ok(o),
            Ok(None) => Err(Failed::partial(
                partial,
                ApiError::other(
                    op("creating", "DescribeDBInstances"),
                    "the new DB instance disappeared",
                ),
            )),
            Err(d) => Err(Failed::partial(partial, d)),
        }
    }

    async fn read(&self, cx: &Ctx<'_>, state: &Obj) -> Result<Option<Obj>, Diagnostics> {
        let rds = cx.rds();
        let ident = match get_str(state, "identifier") {
            Some(i) => i,
            None => id_of(state)?,
        };
        let Some(i) = describe(&rds, &ident, "reading").await? else {
            return Ok(None);
        };
        let mut o = state.clone();
        let ident = i.db_instance_identifier().unwrap_or(&ident).to_string();
        let arn = i
            .db_instance_arn()
            .map(str::to_string)
            .unwrap_or_else(|| cx.arn("rds", &format!("db:{ident}")));
        let rid = i.dbi_resource_id().unwrap_or(&ident).to_string();
        o.insert("id".into(), s(rid.clone()));
        o.insert("resource_id".into(), s(rid));
        o.insert("identifier".into(), s(ident.clone()));
        o.insert(
            "identifier_prefix".into(),
            opt_s(name_prefix_from_name(&ident).as_deref()),
        );
        o.insert("arn".into(), s(arn.clone()));
        o.insert("status".into(), opt_s(i.db_instance_status()));
        let engine = i.engine().unwrap_or("").to_string();
        o.insert("engine".into(), opt_s(Some(engine.as_str())));
        let actual = i.engine_version().unwrap_or("").to_string();
        o.insert("engine_version_actual".into(), opt_s(Some(actual.as_str())));
        // A configured version that is a prefix of the running one ("15" → "15.4") is kept.
        let configured = get_str(state, "engine_version");
        let ev = match configured {
            Some(c) if actual.starts_with(&format!("{c}.")) => c,
            _ => actual,
        };
        o.insert("engine_version".into(), opt_s(Some(ev.as_str())));
        o.insert("instance_class".into(), opt_s(i.db_instance_class()));
        o.insert(
            "allocated_storage".into(),
            n(i.allocated_storage().unwrap_or(0) as i64),
        );
        o.insert(
            "max_allocated_storage".into(),
            match i.max_allocated_storage() {
                Some(m) if m > 0 => n(m as i64),
                _ => Value::Null(Type::Number),
            },
        );
        o.insert("storage_type".into(), opt_s(i.storage_type()));
        o.insert(
            "storage_encrypted".into(),
            b(i.storage_encrypted().unwrap_or(false)),
        );
        o.insert("kms_key_id".into(), opt_s(i.kms_key_id()));
        o.insert("db_name".into(), opt_s(i.db_name()));
        o.insert("username".into(), opt_s(i.master_username()));
        o.insert(
            "db_subnet_group_name".into(),
            opt_s(i.db_subnet_group().and_then(|g| g.db_subnet_group_name())),
        );
        o.insert(
            "parameter_group_name".into(),
            opt_s(
                i.db_parameter_groups()
                    .first()
                    .and_then(|g| g.db_parameter_group_name()),
            ),
        );
        o.insert(
            "vpc_security_group_ids".into(),
            str_set(
                i.vpc_security_groups()
                    .iter()
                    .filter_map(|g| g.vpc_security_group_id().map(str::to_string))
                    .collect(),
            ),
        );
        o.insert("multi_az".into(), b(i.multi_az().unwrap_or(false)));
        o.insert(
            "publicly_accessible".into(),
            b(i.publicly_accessible().unwrap_or(false)),
        );
        o.insert("availability_zone".into(), opt_s(i.availability_zone()));
        o.insert(
            "backup_retention_period".into(),
            n(i.backup_retention_period().unwrap_or(0) as i64),
        );
        o.insert("backup_window".into(), opt_s(i.preferred_backup_window()));
        o.insert(
            "maintenance_window".into(),
            opt_s(
                i.preferred_maintenance_window()
                    .map(str::to_lowercase)
                    .as_deref(),
            ),
        );
        o.insert(
            "deletion_protection".into(),
            b(i.deletion_protection().unwrap_or(false)),
        );
        o.insert(
            "auto_minor_version_upgrade".into(),
            b(i.auto_minor_version_upgrade().unwrap_or(true)),
        );
        o.insert(
            "copy_tags_to_snapshot".into(),
            b(i.copy_tags_to_snapshot().unwrap_or(false)),
        );
        let ep = i.endpoint();
        let address = ep.and_then(|e| e.address()).map(str::to_string);
        let port = ep
            .and_then(|e| e.port())
            .or(i.db_instance_port().filter(|p| *p > 0));
        o.insert("address".into(), opt_s(address.as_deref()));
        o.insert(
            "endpoint".into(),
            match (&address, port) {
                (Some(a), Some(p)) => s(format!("{a}:{p}")),
                (Some(a), None) => s(a.clone()),
                _ => Value::Null(Type::String),
            },
        );
        o.insert(
            "port".into(),
            port.map(|p| n(p as i64))
                .unwrap_or(Value::Null(Type::Number)),
        );
        o.insert(
            "hosted_zone_id".into(),
            opt_s(ep.and_then(|e| e.hosted_zone_id())),
        );
        // Not readable from the API: keep what state had (defaults when imported).
        for (k, d) in [
            ("skip_final_snapshot", false),
            ("delete_automated_backups", true),
        ] {
            if get(&o, k).is_null() {
                o.insert(k.into(), b(d));
            }
        }
        let tags = if i.tag_list().is_empty() {
            list_tags(&rds, WHAT, &arn).await?
        } else {
            super::tag_map(i.tag_list())
        };
        set_tags_from_api(cx.aws, &mut o, tags, Some(state));
        Ok(Some(o))
    }

    async fn update(&self, cx: &Ctx<'_>, prior: &Obj, planned: &Obj) -> Result<Obj, Failed> {
        let rds = cx.rds();
        let ident = match get_str(prior, "identifier") {
            Some(i) => i,
            None => id_of(prior)?,
        };
        let changed = |k: &str| !same(prior.get(k), planned.get(k));
        let num = |k: &str| get_i64(planned, k).map(|n| n as i32);
        let mut req = rds
            .modify_db_instance()
            .db_instance_identifier(&ident)
            .apply_immediately(get_bool(planned, "apply_immediately").unwrap_or(false));
        let mut any = false;
        if changed("instance_class") {
            req = req.set_db_instance_class(get_str(planned, "instance_class"));
            any = true;
        }
        if changed("allocated_storage") {
            req = req.set_allocated_storage(num("allocated_storage"));
            any = true;
        }
        if changed("max_allocated_storage") {
            // 0 turns storage autoscaling off.
            req = req.max_allocated_storage(num("max_allocated_storage").unwrap_or(0));
            any = true;
        }
        if changed("storage_type") {
            req = req.set_storage_type(get_str(planned, "storage_type"));
            any = true;
        }
        if changed("backup_retention_period") {
            req = req.set_backup_retention_period(num("backup_retention_period"));
            any = true;
        }
        if changed("backup_window") {
            req = req.set_preferred_backup_window(get_str(planned, "backup_window"));
            any = true;
        }
        if changed("maintenance_window") {
            req = req.set_preferred_maintenance_window(get_str(planned, "maintenance_window"));
            any = true;
        }
        if changed("engine_version") {
            req = req
                .set_engine_version(get_str(planned, "engine_version"))
                .allow_major_version_upgrade(true);
            any = true;
        }
        if changed("password") {
            req = req.set_master_user_password(get_str(planned, "password"));
            any = true;
        }
        if changed("port") {
            req = req.set_db_port_number(num("port"));
            any = true;
        }
        if changed("db_subnet_group_name") {
            req = req.set_db_subnet_group_name(get_str(planned, "db_subnet_group_name"));
            any = true;
        }
        if changed("parameter_group_name") {
            req = req.set_db_parameter_group_name(get_str(planned, "parameter_group_name"));
            any = true;
        }
        if changed("vpc_security_group_ids") {
            req = req
                .set_vpc_security_group_ids(Some(get_strings(planned, "vpc_security_group_ids")));
            any = true;
        }
        for k in [
            "multi_az",
            "publicly_accessible",
            "deletion_protection",
            "auto_minor_version_upgrade",
            "copy_tags_to_snapshot",
        ] {
            if changed(k) {
                let v = get_bool(planned, k);
                req = match k {
                    "multi_az" => req.set_multi_az(v),
                    "publicly_accessible" => req.set_publicly_accessible(v),
                    "deletion_protection" => req.set_deletion_protection(v),
                    "auto_minor_version_upgrade" => req.set_auto_minor_version_upgrade(v),
                    _ => req.set_copy_tags_to_snapshot(v),
                };
                any = true;
            }
        }
        if any {
            call_retry(
                op("updating", "ModifyDBInstance"),
                &["InvalidDBInstanceState"],
                cx.timeouts.update.min(Duration::from_secs(5 * 60)),
                || req.clone().send(),
            )
            .await?;
            wait_available(&rds, &ident, "updating", cx.timeouts.update).await?;
        }
        if let Some(arn) = get_str(prior, "arn") {
            update_tags(
                &rds,
                WHAT,
                &arn,
                &state_tags_all(prior),
                &tags_to_send(cx.aws, planned),
            )
            .await?;
        }
        match self.read(cx, planned).await? {
            Some(o) => Ok(o),
            None => Err(ApiError::other(
                op("updating", "DescribeDBInstances"),
                "the DB instance disappeared",
            )
            .into()),
        }
    }

    async fn delete(&self, cx: &Ctx<'_>, prior: &Obj) -> Result<(), Diagnostics> {
        let rds = cx.rds();
        let ident = match get_str(prior, "identifier") {
            Some(i) => i,
            None => id_of(prior)?,
        };
        let skip = get_bool(prior, "skip_final_snapshot").unwrap_or(false);
        let final_id = get_str(prior, "final_snapshot_identifier");
        if !skip && final_id.is_none() {
            return Err(Diagnostic::error(
                "final_snapshot_identifier is required when skip_final_snapshot is false",
            )
            .with_detail(format!(
                "Deleting RDS DB Instance {ident:?} would need a final snapshot, but no final_snapshot_identifier is set."
            ))
            .with_help("set `final_snapshot_identifier`, or `skip_final_snapshot = true`, apply, then destroy")
            .into());
        }
        let r = call_retry(
            op("deleting", "DeleteDBInstance"),
            &["InvalidDBInstanceState"],
            cx.timeouts.delete.min(Duration::from_secs(10 * 60)),
            || {
                rds.delete_db_instance()
                    .db_instance_identifier(&ident)
                    .skip_final_snapshot(skip)
                    .set_final_db_snapshot_identifier(if skip { None } else { final_id.clone() })
                    .set_delete_automated_backups(get_bool(prior, "delete_automated_backups"))
                    .send()
            },
        )
        .await;
        match r {
            Ok(_) => {}
            Err(e) if e.is(&["DBInstanceNotFound", "DBInstanceNotFoundFault"]) => return Ok(()),
            Err(e) => return Err(e.into()),
        }
        wait(
            op("deleting", "DescribeDBInstances"),
            "deleted",
            cx.timeouts.delete,
            Duration::from_secs(5),
            || {
                let (rds, ident) = (rds.clone(), ident.clone());
                async move {
                    Ok(match describe(&rds, &ident, "deleting").await? {
                        None => Poll::Ready(()),
                        Some(i) => Poll::Pending(i.db_instance_status().unwrap_or("").into()),
                    })
                }
            },
        )
        .await?;
        Ok(())
    }

    async fn import(&self, cx: &Ctx<'_>, id: &str) -> Result<Option<Obj>, Diagnostics> {
        // Upstream: the import ID is the identifier; neither skip_final_snapshot nor
        // final_snapshot_identifier can be read, so skip_final_snapshot becomes true.
        let mut o = Obj::new();
        o.insert("identifier".into(), s(id));
        o.insert("skip_final_snapshot".into(), b(true));
        o.insert("delete_automated_backups".into(), b(true));
        self.read(cx, &o).await
    }
}

async fn wait_available(
    rds: &aws_sdk_rds::Client,
    ident: &str,
    verb: &'static str,
    timeout: Duration,
) -> Result<(), ApiError> {
    wait(
        op(verb, "DescribeDBInstances"),
        "available",
        timeout,
        Duration::from_secs(5),
        || {
            let (rds, ident) = (rds.clone(), ident.to_string());
            async move {
                Ok(match describe(&rds, &ident, verb).await? {
                    None => Poll::Pending("not yet visible".into()),
                    Some(i) => {
                        let st = i.db_instance_status().unwrap_or("").to_string();
                        if st == "available" || st == "storage-optimization" {
                            Poll::Ready(())
                        } else if PENDING.contains(&st.as_str()) || st.is_empty() {
                            Poll::Pending(st)
                        } else {
                            Poll::Failed(st)
                        }
                    }
                })
            }
        },
    )
    .await
}

pub(crate) async fn describe(
    rds: &aws_sdk_rds::Client,
    ident: &str,
    verb: &'static str,
) -> Result<Option<aws_sdk_rds::types::DbInstance>, ApiError> {
    match call(op(verb, "DescribeDBInstances"), || {
        rds.describe_db_instances()
            .db_instance_identifier(ident)
            .send()
    })
    .await
    {
        Ok(out) => Ok(out
            .db_instances()
            .iter()
            .find(|i| i.db_instance_identifier() == Some(ident))
            .cloned()),
        Err(e) if e.is(&["DBInstanceNotFound", "DBInstanceNotFoundFault"]) => Ok(None),
        Err(e) => Err(e),
    }
}
