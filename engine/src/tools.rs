//! Smaller operations: `import`, graph rendering (DOT, Mermaid), and schema validation.

use crate::addr::{InstanceKey, ModuleInstance, ResourceInstanceAddress};
use crate::confgraph::{module_at, ConfGraph, NodeKind};
use crate::env::Env;
use crate::provcfg::{resource_provider, Configured};
use crate::registry::ProviderRegistry;
use crate::stateconv::{addr_to_state, instance_from_value, mark_value};
use crate::{Context, StateWriter};
use plinth_lang::{Body, Config, Module, ResourceMode};
use plinth_sdk::{Block, Diagnostic, Diagnostics, ImportResourceRequest, Nesting, ReadResourceRequest};
use plinth_state::InstanceChange;

pub async fn import(ctx: &Context, state: &mut dyn StateWriter, addr: &ResourceInstanceAddress, id: &str) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let addr_s = addr.to_string();
    let root = &ctx.config.root;
    let path = addr.resource.module.config_path();
    let Some(r) = module_at(root, &path).and_then(|m| m.resources.get(&addr.resource.local_name())) else {
        diags.push(
            Diagnostic::error("Configuration for import target does not exist")
                .with_detail(format!("The configuration does not declare {}, so Plinth cannot import into it.", addr.resource))
                .with_address(&addr_s)
                .with_help(format!(
                    "add a block like `resource \"{}\" \"{}\" {{ … }}` to the configuration first",
                    addr.resource.type_name, addr.resource.name
                )),
        );
        return diags;
    };
    if addr.resource.mode == ResourceMode::Data {
        diags.push(Diagnostic::error("cannot import a data source").with_detail("Only managed resources can be imported.").with_address(&addr_s));
        return diags;
    }
    let key_ok = match (&addr.key, r.count.is_some(), r.for_each.is_some()) {
        (InstanceKey::NoKey, false, false) | (InstanceKey::Int(_), true, _) | (InstanceKey::Str(_), _, true) => true,
        _ => false,
    };
    if !key_ok {
        diags.push(
            Diagnostic::error("Invalid instance key for import")
                .with_detail(format!("{addr_s} does not match the resource's repetition (count/for_each)."))
                .with_address(&addr_s)
                .with_subject(r.decl_range.clone()),
        );
        return diags;
    }
    if state.state().instance(&addr_to_state(addr, None)).is_some() {
        diags.push(
            Diagnostic::error("Resource already managed by Plinth")
                .with_detail(format!("Plinth is already managing a remote object for {addr_s}. To import to this address you must first remove the existing object from the state."))
                .with_address(&addr_s)
                .with_help(format!("run `plinth state rm '{addr_s}'` first if the state entry is wrong")),
        );
        return diags;
    }
    let rp = match resource_provider(&ctx.providers, root, &path, r) {
        Ok(p) => p,
        Err(d) => {
            diags.push(d);
            return diags;
        }
    };
    let Some(schema) = ProviderRegistry::resource_schema(&rp.resolved, false, &r.type_name).cloned() else {
        diags.push(Diagnostic::error("resource type not supported").with_detail(format!("Provider {} has no resource type {:?}.", rp.resolved.source, r.type_name)).with_address(&addr_s));
        return diags;
    };
    let (env, d) = Env::new(ctx);
    diags.extend(d);
    if let Ok(order) = env.cg.graph.toposort() {
        let mut scratch = Diagnostics::new();
        for i in order {
            let n = &env.cg.nodes[i];
            if n.module.is_empty() && matches!(n.kind, NodeKind::Var(_) | NodeKind::Local(_)) {
                env.eval_simple_node(i, &mut scratch);
            }
        }
    }
    let mut configured = Configured::default();
    let Some(cp) = configured.get(&env, &rp.resolved, rp.alias.as_deref(), &rp.config_module, &mut diags).await else { return diags };
    let resp = cp.import_resource(ImportResourceRequest { type_name: r.type_name.clone(), id: id.to_string() }).await;
    let bad = resp.diagnostics.has_errors();
    diags.extend(resp.diagnostics.with_address(&addr_s));
    if bad {
        return diags;
    }
    let Some(imp) = resp.imported.into_iter().find(|i| i.type_name == r.type_name) else {
        diags.push(Diagnostic::error("Cannot import non-existent remote object").with_detail(format!("The provider returned nothing for ID {id:?}.")).with_address(&addr_s));
        return diags;
    };
    let read = cp.read_resource(ReadResourceRequest { type_name: r.type_name.clone(), current_state: imp.state, private: imp.private }).await;
    let bad = read.diagnostics.has_errors();
    diags.extend(read.diagnostics.with_address(&addr_s));
    if bad {
        return diags;
    }
    let Some(v) = read.new_state else {
        diags.push(
            Diagnostic::error("Cannot import non-existent remote object")
                .with_detail(format!("While attempting to import an existing object to {addr_s}, the provider detected that no object exists with the given id {id:?}."))
                .with_address(&addr_s),
        );
        return diags;
    };
    let v = mark_value(v, &[], &schema.block);
    let inst = instance_from_value(&v, &schema, &read.private, vec![], r.lifecycle.create_before_destroy, false);
    if let Err(d) = state.record(vec![InstanceChange::Set { addr: addr_to_state(addr, None), provider: rp.state_name.clone(), each: None, instance: inst }]).await {
        diags.push(d);
        return diags;
    }
    if let Err(d) = state.persist().await {
        diags.push(d);
    }
    let _ = ModuleInstance::root();
    diags
}

/// Resource (and module call) nodes with edges collapsed through locals/variables/outputs.
fn resource_edges(cg: &ConfGraph) -> (Vec<usize>, Vec<(usize, usize)>) {
    let is_res = |i: usize| matches!(cg.nodes[i].kind, NodeKind::Resource(_));
    let nodes: Vec<usize> = (0..cg.nodes.len()).filter(|&i| is_res(i)).collect();
    let mut edges = Vec::new();
    for &i in &nodes {
        let mut seen = std::collections::HashSet::new();
        let mut stack = cg.graph.deps[i].clone();
        while let Some(d) = stack.pop() {
            if !seen.insert(d) {
                continue;
            }
            if is_res(d) {
                edges.push((i, d));
            } else {
                stack.extend(cg.graph.deps[d].iter().copied());
            }
        }
    }
    edges.sort_unstable();
    edges.dedup();
    (nodes, edges)
}

pub fn graph_dot(config: &Config) -> String {
    let (cg, _) = ConfGraph::build(&config.root);
    let (nodes, edges) = resource_edges(&cg);
    let mut s = String::from("digraph {\n  compound = \"true\"\n  newrank = \"true\"\n  subgraph \"root\" {\n");
    for &i in &nodes {
        let name = cg.nodes[i].display();
        s.push_str(&format!("    \"{name}\" [label=\"{name}\", shape=\"box\"]\n"));
    }
    for (a, b) in edges {
        s.push_str(&format!("    \"{}\" -> \"{}\"\n", cg.nodes[a].display(), cg.nodes[b].display()));
    }
    s.push_str("  }\n}\n");
    s
}

pub fn graph_mermaid(config: &Config) -> String {
    let (cg, _) = ConfGraph::build(&config.root);
    let (nodes, edges) = resource_edges(&cg);
    let mut s = String::from("flowchart LR\n");
    for &i in &nodes {
        s.push_str(&format!("  n{i}[\"{}\"]\n", cg.nodes[i].display()));
    }
    for (a, b) in edges {
        s.push_str(&format!("  n{a} --> n{b}\n"));
    }
    s
}

pub fn validate_with_schemas(config: &Config, providers: &ProviderRegistry) -> Diagnostics {
    let mut diags = providers.check_requirements(config);
    let (cg, d) = ConfGraph::build(&config.root);
    diags.extend(d);
    if let Err(cycles) = cg.graph.toposort() {
        diags.extend(cg.cycle_diagnostics(&cycles));
    }
    validate_module(&config.root, &config.root, &[], providers, &mut diags);
    crate::conditions::static_checks(&config.root, &mut diags);
    diags
}

fn validate_module(root: &Module, m: &Module, path: &[String], providers: &ProviderRegistry, diags: &mut Diagnostics) {
    for r in m.resources.values() {
        let rp = match resource_provider(providers, root, path, r) {
            Ok(p) => p,
            Err(d) => {
                diags.push(d);
                continue;
            }
        };
        let data = r.mode == ResourceMode::Data;
        let Some(schema) = ProviderRegistry::resource_schema(&rp.resolved, data, &r.type_name) else {
            let names: Vec<&str> = if data {
                rp.resolved.schema.data_sources.keys().map(String::as_str).collect()
            } else {
                rp.resolved.schema.resources.keys().map(String::as_str).collect()
            };
            let mut d = Diagnostic::error(format!("Invalid {}resource type", if data { "data " } else { "" }))
                .with_detail(format!("The provider {} does not support {}resource type {:?}.", rp.resolved.source, if data { "data " } else { "" }, r.type_name))
                .with_subject(r.decl_range.clone());
            if let Some(s) = crate::suggest::suggest(&r.type_name, names) {
                d = d.with_help(format!("did you mean {s:?}?"));
            }
            diags.push(d);
            continue;
        };
        validate_body(&r.body, &schema.block, diags);
    }
    for (n, c) in &m.module_calls {
        let mut p = path.to_vec();
        p.push(n.clone());
        validate_module(root, &c.module, &p, providers, diags);
    }
}

fn validate_body(body: &Body, block: &Block, diags: &mut Diagnostics) {
    for (name, a) in &body.attributes {
        match block.attributes.get(name) {
            Some(sa) if !sa.optional && !sa.required && sa.computed => diags.push(
                Diagnostic::error("Invalid or unknown key")
                    .with_detail(format!("The argument {name:?} is read-only: it is computed by the provider and cannot be set."))
                    .with_subject(a.name_range.clone())
                    .with_help(format!("remove `{name}`")),
            ),
            Some(_) => {}
            None => {
                let mut d = if block.blocks.contains_key(name) {
                    Diagnostic::error("Unsupported argument")
                        .with_detail(format!("An argument named {name:?} is not expected here. Did you mean to define a block of type {name:?}?"))
                } else {
                    Diagnostic::error("Unsupported argument").with_detail(format!("An argument named {name:?} is not expected here."))
                };
                d = d.with_subject(a.name_range.clone());
                if let Some(s) = crate::suggest::suggest(name, block.names()) {
                    d = d.with_help(format!("did you mean {s:?}?"));
                }
                diags.push(d);
            }
        }
    }
    for (name, sa) in &block.attributes {
        if sa.required && !body.attributes.contains_key(name) {
            diags.push(
                Diagnostic::error("Missing required argument")
                    .with_detail(format!("The argument {name:?} is required, but no definition was found."))
                    .with_subject_opt(body.range.clone())
                    .with_help(format!("add `{name} = …`")),
            );
        }
    }
    let mut counts: std::collections::HashMap<&str, u64> = std::collections::HashMap::new();
    for nb in &body.blocks {
        match block.blocks.get(&nb.type_name) {
            Some(sb) => {
                if nb.dynamic.is_none() {
                    *counts.entry(nb.type_name.as_str()).or_default() += 1;
                }
                let inner = nb.dynamic.as_ref().map(|d| &d.content).unwrap_or(&nb.body);
                validate_body(inner, &sb.block, diags);
            }
            None => {
                let mut d = Diagnostic::error("Unsupported block type")
                    .with_detail(format!("Blocks of type {:?} are not expected here.", nb.type_name))
                    .with_subject(nb.type_range.clone());
                if let Some(s) = crate::suggest::suggest(&nb.type_name, block.names()) {
                    d = d.with_help(format!("did you mean {s:?}?"));
                }
                diags.push(d);
            }
        }
    }
    for (name, sb) in &block.blocks {
        let n = counts.get(name.as_str()).copied().unwrap_or(0);
        let dynamic = body.blocks.iter().any(|b| b.type_name == *name && b.dynamic.is_some());
        if !dynamic && sb.min_items > 0 && n < sb.min_items {
            diags.push(
                Diagnostic::error("Insufficient blocks")
                    .with_detail(format!("At least {} {name:?} block{} required.", sb.min_items, if sb.min_items == 1 { " is" } else { "s are" }))
                    .with_subject_opt(body.range.clone()),
            );
        }
        if sb.max_items > 0 && n > sb.max_items && matches!(sb.nesting, Nesting::List | Nesting::Set | Nesting::Single) {
            diags.push(
                Diagnostic::error("Too many blocks")
                    .with_detail(format!("No more than {} {name:?} block{} allowed.", sb.max_items, if sb.max_items == 1 { " is" } else { "s are" }))
                    .with_subject_opt(body.range.clone()),
            );
        }
    }
}
