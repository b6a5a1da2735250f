//! `plinth state list|show|mv|rm|pull|push`: advanced state management. Reads replay the
//! journal of an interrupted run (so a killed apply's completed changes are visible);
//! writes take the workspace lock and go through the journaled `StateManager`, and the
//! local backend keeps `terraform.tfstate.backup` of the previous snapshot.

use crate::args::{StateCommand, StateListArgs, StateMvArgs, StatePushArgs, StateRmArgs};
use crate::commands::workdir;
use crate::ui::Ui;
use plinth_engine::stateconv::{addr_from_state, addr_to_state};
use plinth_engine::{InstanceChange, ModuleInstance, ResourceInstanceAddress, Target};
use plinth_sdk::{Diagnostic, Diagnostics};
use plinth_state::{InstanceAddr, State, StateBackend};
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

pub fn run(cmd: StateCommand, ui: &mut Ui) -> i32 {
    let rt = match workdir::runtime() {
        Ok(rt) => rt,
        Err(d) => return fail(ui, d),
    };
    rt.block_on(run_async(cmd, ui))
}

fn fail(ui: &mut Ui, d: Diagnostic) -> i32 {
    ui.diagnostics(&Diagnostics::from(d), None);
    1
}

/// The backend (`-state=PATH`, else the configuration's, else the default local one) and
/// the selected workspace.
async fn locate(state_path: Option<&Path>) -> Result<(Arc<dyn StateBackend>, String), Diagnostic> {
    let config = if state_path.is_none() && crate::commands::init::has_config_files(Path::new(".")) {
        plinth_lang::load_config(Path::new(".")).0
    } else {
        None
    };
    let backend = workdir::backend(config.as_ref(), state_path)?;
    let ws = workdir::selected_workspace(backend.as_ref()).await?;
    Ok((backend, ws))
}

fn no_state() -> Diagnostic {
    Diagnostic::error("No state file was found!")
        .with_detail("State management commands require a state file, and the selected workspace has none yet.")
        .with_help("run this command where \"plinth apply\" has been run, or point at a state file with -state=PATH")
}

async fn read_existing(backend: Arc<dyn StateBackend>, ws: &str) -> Result<State, Diagnostic> {
    let snapshot = backend.read(ws).await.map_err(|e| e.to_diagnostic())?;
    let journal = backend.journal_path(ws);
    if snapshot.is_none() && !journal.exists() {
        return Err(no_state());
    }
    workdir::read_state(backend, ws).await
}

/// Parses a user-given address (resource, instance or module).
fn parse_target(s: &str) -> Result<Target, Diagnostic> {
    s.parse::<Target>().map_err(|e| {
        let mut d = e.to_diagnostic(s);
        d.summary = "Invalid address".into();
        d
    })
}

fn matches(t: &Target, a: &InstanceAddr) -> bool {
    addr_from_state(a).is_ok_and(|r| t.contains(&r))
}

async fn run_async(cmd: StateCommand, ui: &mut Ui) -> i32 {
    match cmd {
        StateCommand::List(a) => list(a, ui).await,
        StateCommand::Show(a) => {
            ui.set_no_color(a.no_color);
            let (backend, ws) = match locate(a.state.state.as_deref()).await {
                Ok(x) => x,
                Err(d) => return fail(ui, d),
            };
            let st = match read_existing(backend, &ws).await {
                Ok(s) => s,
                Err(d) => return fail(ui, d),
            };
            let addr = match a.address.parse::<ResourceInstanceAddress>() {
                Ok(r) => addr_to_state(&r, None),
                Err(e) => return fail(ui, e.to_diagnostic(&a.address)),
            };
            match crate::views::state::render_show(&st, &addr, ui.color) {
                Some(text) => {
                    ui.out(&text);
                    0
                }
                None => fail(
                    ui,
                    Diagnostic::error("No instance found for the given address!")
                        .with_detail(format!(
                            "The state has no resource instance {}. This command requires that the address references one specific instance.",
                            a.address
                        ))
                        .with_help("list the available instances with \"plinth state list\""),
                ),
            }
        }
        StateCommand::Mv(a) => mv(a, ui).await,
        StateCommand::Rm(a) => rm(a, ui).await,
        StateCommand::Pull(_) => {
            let (backend, ws) = match locate(None).await {
                Ok(x) => x,
                Err(d) => return fail(ui, d),
            };
            match backend.read(&ws).await {
                Ok(None) if !backend.journal_path(&ws).exists() => 0,
                Ok(_) => match workdir::read_state(backend, &ws).await {
                    Ok(st) => {
                        ui.out(&String::from_utf8_lossy(&st.to_json()));
                        0
                    }
                    Err(d) => fail(ui, d),
                },
                Err(e) => fail(ui, e.to_diagnostic()),
            }
        }
        StateCommand::Push(a) => push(a, ui).await,
    }
}

async fn list(a: StateListArgs, ui: &mut Ui) -> i32 {
    let (backend, ws) = match locate(a.state.state.as_deref()).await {
        Ok(x) => x,
        Err(d) => return fail(ui, d),
    };
    let st = match read_existing(backend, &ws).await {
        Ok(s) => s,
        Err(d) => return fail(ui, d),
    };
    let mut filters = Vec::new();
    for f in &a.addresses {
        match parse_target(f) {
            Ok(t) => filters.push(t),
            Err(d) => return fail(ui, d),
        }
    }
    let mut out = String::new();
    for (addr, inst) in st.instances() {
        if addr.deposed.is_some() {
            continue;
        }
        if !filters.is_empty() && !filters.iter().any(|t| matches(t, &addr)) {
            continue;
        }
        if let Some(id) = &a.id {
            if inst.attributes.get("id").and_then(|v| v.as_str()) != Some(id.as_str()) {
                continue;
            }
        }
        out.push_str(&format!("{addr}\n"));
    }
    ui.out(&out);
    0
}

/// Where `mv` sends one instance, or `None` if `src` does not select it.
fn move_target(src: &Target, dst: &Target, a: &ResourceInstanceAddress) -> Result<Option<ResourceInstanceAddress>, Diagnostic> {
    if !src.contains(a) {
        return Ok(None);
    }
    let bad = |why: &str| {
        Diagnostic::error("Invalid state move request")
            .with_detail(format!("Cannot move {src} to {dst}: {why}."))
            .with_help("move a resource to a resource, an instance to an instance, or a module to a module")
    };
    let out = match (src, dst) {
        (Target::Instance(_), Target::Instance(d)) => d.clone(),
        (Target::Instance(_), Target::Resource(d)) => d.instance(plinth_engine::InstanceKey::NoKey),
        (Target::Resource(_), Target::Resource(d)) => d.instance(a.key.clone()),
        (Target::Resource(_), Target::Instance(d)) if a.key == plinth_engine::InstanceKey::NoKey => d.clone(),
        (Target::Module(s), Target::Module(d)) => {
            let mut m: Vec<_> = d.0.clone();
            m.extend(a.resource.module.0[s.0.len()..].iter().cloned());
            let mut r = a.clone();
            r.resource.module = ModuleInstance(m);
            r
        }
        (Target::Module(_), _) => return Err(bad("a module can only be moved to a module address")),
        (Target::Resource(_), Target::Instance(_)) => {
            return Err(bad("the resource has several instances; move them one by one or to a resource address"))
        }
        (_, Target::Module(_)) => return Err(bad("a resource can only be moved to a resource or instance address")),
    };
    if out.resource.type_name != a.resource.type_name || out.resource.mode != a.resource.mode {
        return Err(bad("the source and destination have different resource types"));
    }
    Ok(Some(out))
}

async fn mv(a: StateMvArgs, ui: &mut Ui) -> i32 {
    let (src, dst) = match (parse_target(&a.source), parse_target(&a.destination)) {
        (Ok(s), Ok(d)) => (s, d),
        (Err(d), _) | (_, Err(d)) => return fail(ui, d),
    };
    let (backend, ws) = match locate(a.state.state.as_deref()).await {
        Ok(x) => x,
        Err(d) => return fail(ui, d),
    };
    if let Err(d) = read_existing(backend.clone(), &ws).await {
        return fail(ui, d);
    }
    let (mut m, _) = match workdir::open_state(backend, &ws, &a.lock, "OperationTypeInvalid").await {
        Ok(x) => x,
        Err(d) => return fail(ui, d),
    };
    let st = m.state().clone();
    let mut changes = Vec::new();
    let mut moved = 0usize;
    for (addr, inst) in st.instances() {
        let Ok(r) = addr_from_state(&addr) else { continue };
        let to = match move_target(&src, &dst, &r) {
            Ok(Some(t)) => t,
            Ok(None) => continue,
            Err(d) => {
                let _ = m.release().await;
                return fail(ui, d);
            }
        };
        let new_addr = addr_to_state(&to, addr.deposed.as_deref());
        if st.instance(&new_addr).is_some() {
            let _ = m.release().await;
            return fail(
                ui,
                Diagnostic::error("Invalid state move request")
                    .with_detail(format!("Cannot move {addr} to {to}: there is already an object at {to}."))
                    .with_help(format!("remove the destination first with \"plinth state rm {to}\", or choose another address")),
            );
        }
        let provider = st
            .resource(addr.module.as_deref(), addr.mode, &addr.type_name, &addr.name)
            .map(|r| r.provider.clone())
            .unwrap_or_default();
        changes.push(InstanceChange::Remove { addr: addr.clone() });
        changes.push(InstanceChange::Set { addr: new_addr, provider, each: None, instance: inst.clone() });
        moved += 1;
    }
    if moved == 0 {
        let _ = m.release().await;
        return fail(
            ui,
            Diagnostic::error("Invalid source address")
                .with_detail(format!("Cannot move {src}: there is no matching object in the state."))
                .with_help("list the available objects with \"plinth state list\""),
        );
    }
    let verb = if a.dry_run { "Would move" } else { "Move" };
    ui.outln(&format!("{verb} \"{src}\" to \"{dst}\""));
    if a.dry_run {
        let _ = m.release().await;
        return 0;
    }
    if let Err(e) = m.record_all(changes).await {
        let _ = m.release().await;
        return fail(ui, e.to_diagnostic());
    }
    if let Err(e) = m.close().await {
        return fail(ui, e.to_diagnostic());
    }
    ui.outln(&format!("Successfully moved {moved} object(s)."));
    0
}

async fn rm(a: StateRmArgs, ui: &mut Ui) -> i32 {
    let mut targets = Vec::new();
    for s in &a.addresses {
        match parse_target(s) {
            Ok(t) => targets.push(t),
            Err(d) => return fail(ui, d),
        }
    }
    let (backend, ws) = match locate(a.state.state.as_deref()).await {
        Ok(x) => x,
        Err(d) => return fail(ui, d),
    };
    if let Err(d) = read_existing(backend.clone(), &ws).await {
        return fail(ui, d);
    }
    let (mut m, _) = match workdir::open_state(backend, &ws, &a.lock, "OperationTypeInvalid").await {
        Ok(x) => x,
        Err(d) => return fail(ui, d),
    };
    let st = m.state().clone();
    let mut changes = Vec::new();
    let mut lines = Vec::new();
    for (addr, _) in st.instances() {
        if targets.iter().any(|t| matches(t, &addr)) {
            lines.push(format!("{} {addr}", if a.dry_run { "Would remove" } else { "Removed" }));
            changes.push(InstanceChange::Remove { addr });
        }
    }
    if changes.is_empty() {
        let _ = m.release().await;
        return fail(
            ui,
            Diagnostic::error("Invalid target address")
                .with_detail(format!("No matching objects found for {}.", a.addresses.join(", ")))
                .with_help("list the available objects with \"plinth state list\""),
        );
    }
    for l in &lines {
        ui.outln(l);
    }
    if a.dry_run {
        let _ = m.release().await;
        return 0;
    }
    let n = changes.len();
    if let Err(e) = m.record_all(changes).await {
        let _ = m.release().await;
        return fail(ui, e.to_diagnostic());
    }
    if let Err(e) = m.close().await {
        return fail(ui, e.to_diagnostic());
    }
    ui.outln(&format!("Successfully removed {n} resource instance(s)."));
    0
}

async fn push(a: StatePushArgs, ui: &mut Ui) -> i32 {
    let bytes = if a.path == "-" {
        let mut b = Vec::new();
        if let Err(e) = std::io::stdin().read_to_end(&mut b) {
            return fail(ui, Diagnostic::error("Failed to read standard input").with_detail(format!("{e}.")));
        }
        b
    } else {
        match std::fs::read(&a.path) {
            Ok(b) => b,
            Err(e) => {
                return fail(
                    ui,
                    Diagnostic::error("Failed to read the state file")
                        .with_detail(format!("Could not read {}: {e}.", a.path))
                        .with_help("pass the path of a state file, or - to read standard input"),
                )
            }
        }
    };
    let new = match State::from_json(&bytes) {
        Ok(s) => s,
        Err(e) => return fail(ui, e.to_diagnostic()),
    };
    let (backend, ws) = match locate(None).await {
        Ok(x) => x,
        Err(d) => return fail(ui, d),
    };
    let (m, _) = match workdir::open_state(backend.clone(), &ws, &a.lock, "OperationTypeInvalid").await {
        Ok(x) => x,
        Err(d) => return fail(ui, d),
    };
    if let Err(e) = plinth_state::check_push(m.state(), &new, a.force) {
        let _ = m.release().await;
        return fail(ui, e.to_diagnostic());
    }
    let res = backend.write(&ws, &new).await;
    let _ = m.release().await;
    match res {
        Ok(()) => 0,
        Err(e) => fail(ui, e.to_diagnostic()),
    }
}

/// `plinth taint ADDRESS` (`taint = true`) and `plinth untaint ADDRESS`: mark one resource
/// instance for replacement on the next apply, or clear that mark. Terraform's messages and
/// exit codes; `-allow-missing` turns "not in state" into a warning.
pub fn run_taint(a: crate::args::TaintArgs, ui: &mut Ui, taint: bool) -> i32 {
    ui.set_no_color(a.no_color);
    let rt = match workdir::runtime() {
        Ok(rt) => rt,
        Err(d) => return fail(ui, d),
    };
    rt.block_on(taint_async(a, ui, taint))
}

async fn taint_async(a: crate::args::TaintArgs, ui: &mut Ui, taint: bool) -> i32 {
    let addr: ResourceInstanceAddress = match a.address.parse() {
        Ok(x) => x,
        Err(e) => {
            let mut d = e.to_diagnostic(&a.address);
            d.summary = "Invalid address".into();
            return fail(ui, d);
        }
    };
    let verb = if taint { "tainted" } else { "untainted" };
    if addr.resource.mode == plinth_lang::ResourceMode::Data {
        return fail(
            ui,
            Diagnostic::error("Invalid address")
                .with_detail(format!("Data resources like {addr} cannot be {verb}: they are read again on every plan."))
                .with_help("give the address of a managed resource instance"),
        );
    }
    let (backend, ws) = match locate(a.state.state.as_deref()).await {
        Ok(x) => x,
        Err(d) => return fail(ui, d),
    };
    if let Err(d) = read_existing(backend.clone(), &ws).await {
        return fail(ui, d);
    }
    let (mut m, _) = match workdir::open_state(
        backend,
        &ws,
        &a.lock,
        if taint {
            "OperationTypeTaint"
        } else {
            "OperationTypeUntaint"
        },
    )
    .await
    {
        Ok(x) => x,
        Err(d) => return fail(ui, d),
    };
    let key = addr_to_state(&addr, None);
    let found = m
        .state()
        .resource(key.module.as_deref(), key.mode, &key.type_name, &key.name)
        .and_then(|r| {
            m.state()
                .instance(&key)
                .map(|i| (r.provider.clone(), r.each, i.clone()))
        });
    let Some((provider, each, mut instance)) = found else {
        let _ = m.release().await;
        if a.allow_missing {
            ui.diagnostics(
                &Diagnostics::from(Diagnostic::warning("No such resource instance").with_detail(format!(
                    "Resource instance {addr} was not found, but this is not an error because -allow-missing was set."
                ))),
                None,
            );
            return 0;
        }
        return fail(
            ui,
            Diagnostic::error("No such resource instance").with_detail(format!(
                "There is no resource instance in the state with the address {addr}. If the resource configuration has just been added, you must run \"plinth apply\" once to create the corresponding instance(s) before they can be {verb}."
            )),
        );
    };
    if !taint && !instance.is_tainted() {
        let _ = m.release().await;
        return fail(
            ui,
            Diagnostic::error("Resource instance is not tainted").with_detail(format!(
                "Resource instance {addr} is not currently tainted, and so it cannot be untainted."
            )),
        );
    }
    instance.status = taint.then(|| "tainted".to_string());
    if let Err(e) = m
        .record_all(vec![InstanceChange::Set {
            addr: key,
            provider,
            each,
            instance,
        }])
        .await
    {
        let _ = m.release().await;
        return fail(ui, e.to_diagnostic());
    }
    if let Err(e) = m.close().await {
        return fail(ui, e.to_diagnostic());
    }
    if taint {
        ui.outln(&format!(
            "Resource instance {addr} has been marked as tainted."
        ));
    } else {
        ui.outln(&format!(
            "Resource instance {addr} has been successfully untainted."
        ));
    }
    0
}
