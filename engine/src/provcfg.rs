//! Provider configuration: which provider (and alias) a resource uses, and configuring each
//! provider once per run with its root `provider` block.

use crate::addr::InstanceKey;
use crate::confgraph::module_at;
use crate::env::Env;
use crate::registry::{ProviderRegistry, ResolvedProvider};
use plinth_lang::{Module, Resource};
use plinth_sdk::{ConfiguredProvider, Diagnostic, Diagnostics, Value};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// A resource's provider: implementation plus the configuration it uses (after following
/// module `providers = { … }` maps and implicit inheritance towards the root).
#[derive(Clone, Debug)]
pub struct ResourceProvider {
    pub resolved: ResolvedProvider,
    pub alias: Option<String>,
    /// The module whose `provider` block configures it (`[]`: the root, or the root's
    /// implied empty configuration). A provider block inside a child module (Terraform's
    /// legacy style) configures that module's resources and its descendants'.
    pub config_module: Vec<String>,
    /// `provider["registry.terraform.io/hashicorp/random"]` (+ `.alias`), prefixed with
    /// `module.NAME.` when configured in a child module.
    pub state_name: String,
}

/// `module.a.module.b.` + `provider["SOURCE"]` (+ `.alias`).
pub fn config_state_name(resolved: &ResolvedProvider, module: &[String], alias: Option<&str>) -> String {
    let prefix: String = module.iter().map(|m| format!("module.{m}.")).collect();
    format!("{prefix}{}", resolved.state_name(alias))
}

/// The module path of a provider configuration address from state
/// (`module.a.module.b.provider["…"]` → `["a", "b"]`).
pub fn provider_addr_module(addr: &str) -> Vec<String> {
    let Some(i) = addr.find("provider[") else { return Vec::new() };
    addr[..i].split('.').collect::<Vec<_>>().chunks(2).filter(|c| c.len() == 2 && c[0] == "module").map(|c| c[1].to_string()).collect()
}

/// Whether module `m` has a `provider` block for `source` with `alias`.
fn has_block(m: &Module, source: &str, alias: Option<&str>) -> bool {
    block_of(m, source, alias).is_some()
}

fn block_of<'m>(m: &'m Module, source: &str, alias: Option<&str>) -> Option<&'m plinth_lang::ProviderConfig> {
    m.providers.iter().find(|p| p.alias.as_deref() == alias && ProviderRegistry::source_for(m, &p.name).0 == source)
}

/// Resolves the provider of a resource declared in module `path`.
pub fn resource_provider(registry: &ProviderRegistry, root: &Module, path: &[String], r: &Resource) -> Result<ResourceProvider, Diagnostic> {
    let Some(m) = module_at(root, path) else {
        return Err(Diagnostic::bug("module not found", format!("Module path {path:?} is not in the configuration.")));
    };
    let local = r.provider_local_name().to_string();
    let resolved = registry.resolve(m, &local, Some(&r.decl_range)).map_err(|d| d.with_address(r.type_name.clone()))?;
    let source = resolved.source.clone();
    let mut alias = r.provider.as_ref().and_then(|(_, a)| a.clone());
    // Walk towards the root: a provider block in the module itself wins; else the module
    // call's `providers = { local = parent.alias }` entry; else (default configurations
    // only) the parent's configuration of the same provider (implicit inheritance).
    let mut cur_local = local;
    let mut depth = path.len();
    let config_module = loop {
        let Some(here) = module_at(root, &path[..depth]) else { break Vec::new() };
        if depth == 0 {
            break Vec::new();
        }
        let parent = module_at(root, &path[..depth - 1]);
        let call = parent.and_then(|p| p.module_calls.get(&path[depth - 1]));
        let key = match &alias {
            Some(a) => format!("{cur_local}.{a}"),
            None => cur_local.clone(),
        };
        let passed = call.and_then(|c| c.providers.get(&key).or_else(|| if alias.is_none() { None } else { c.providers.get(&cur_local) }));
        // An empty block the caller passes a configuration for is a "proxy" (the legacy way
        // to declare a needed provider); any other block configures the provider here.
        if let Some(b) = block_of(here, &source, alias.as_deref()) {
            let empty = b.body.attributes.is_empty() && b.body.blocks.is_empty();
            if !(empty && passed.is_some()) {
                break path[..depth].to_vec();
            }
        }
        match passed {
            Some((pl, pa)) => {
                cur_local = pl.clone();
                alias = pa.clone();
            }
            None => {
                // Inherited: the parent's local name for the same provider.
                if let Some(p) = parent {
                    if let Some(n) = parent_local_name(p, &source) {
                        cur_local = n;
                    }
                }
            }
        }
        depth -= 1;
    };
    let state_name = config_state_name(&resolved, &config_module, alias.as_deref());
    Ok(ResourceProvider { resolved, alias, config_module, state_name })
}

/// The local name module `m` uses for provider `source` (its `required_providers` entry, a
/// provider block, or the implied name).
fn parent_local_name(m: &Module, source: &str) -> Option<String> {
    for (n, req) in &m.terraform.required_providers {
        if crate::registry::normalize_source(&req.source) == source {
            return Some(n.clone());
        }
    }
    m.providers.iter().find(|p| ProviderRegistry::source_for(m, &p.name).0 == source).map(|p| p.name.clone())
}

/// Configured providers of one run, keyed by provider address.
#[derive(Default)]
pub struct Configured {
    map: HashMap<String, Arc<dyn ConfiguredProvider>>,
    failed: HashSet<String>,
}

impl Configured {
    /// [`Configured::get`] for the object `addr` recorded in state with a child module's
    /// provider configuration: when that configuration is gone, Terraform's error for it.
    #[allow(clippy::too_many_arguments)]
    pub async fn get_for_orphan(&mut self, env: &Env<'_>, rp: &ResolvedProvider, alias: Option<&str>, module: &[String], addr: &str, diags: &mut Diagnostics) -> Option<Arc<dyn ConfiguredProvider>> {
        let present = module_at(&env.ctx.config.root, module).is_some_and(|m| has_block(m, &rp.source, alias));
        if !module.is_empty() && !present {
            let key = config_state_name(rp, module, alias);
            diags.push(
                Diagnostic::error("Provider configuration not present")
                    .with_detail(format!("To work with {addr} (orphan) its original provider configuration at {key} is required, but it has been removed. This occurs when a provider configuration is removed while objects created by that provider still exist in the state. Re-add the provider configuration to destroy {addr} (orphan), after which you can remove the provider configuration again."))
                    .with_address(addr.to_string()),
            );
            return None;
        }
        self.get(env, rp, alias, module, diags).await
    }

    /// The configured provider for `rp` with the configuration of module `module` (`[]`:
    /// the root), configuring it on first use.
    pub async fn get(&mut self, env: &Env<'_>, rp: &ResolvedProvider, alias: Option<&str>, module: &[String], diags: &mut Diagnostics) -> Option<Arc<dyn ConfiguredProvider>> {
        let key = config_state_name(rp, module, alias);
        if let Some(p) = self.map.get(&key) {
            return Some(p.clone());
        }
        if self.failed.contains(&key) {
            return None;
        }
        let root = &env.ctx.config.root;
        let home = module_at(root, module);
        let block = home.and_then(|h| h.providers.iter().find(|p| p.alias.as_deref() == alias && ProviderRegistry::source_for(h, &p.name).0 == rp.source));
        let home = home.unwrap_or(root);
        if !module.is_empty() && block.is_none() {
            // Objects in state recorded with a child module's provider block that is gone.
            diags.push(
                Diagnostic::error("Provider configuration not present")
                    .with_detail(format!("Objects in the state were created with the provider configuration {key}, which is no longer in the configuration. Re-add the provider configuration (and its module) to destroy them, after which you can remove it again."))
                    .with_address(&key)
                    .with_help("restore the module and its provider block, run plinth destroy -target=… or apply to delete the objects, then remove them"),
            );
            self.failed.insert(key);
            return None;
        }
        let schema_block = &rp.schema.provider.block;
        let config = match block {
            Some(b) => {
                // A module with provider blocks has one instance (Terraform refuses count and
                // for_each on it).
                let mi = env
                    .module_instances(module)
                    .first()
                    .map(|i| i.addr.clone())
                    .unwrap_or_else(|| crate::addr::ModuleInstance(module.iter().map(|m| (m.clone(), InstanceKey::NoKey)).collect()));
                let (v, d) = {
                    let scope = env.scope(home, &mi, InstanceKey::NoKey, None);
                    env.eval_body(&b.body, schema_block, &scope)
                };
                let bad = d.has_errors();
                diags.extend(d.with_address(&key));
                if bad {
                    self.failed.insert(key);
                    return None;
                }
                v
            }
            None => {
                if let Some(a) = alias {
                    diags.push(
                        Diagnostic::error("Provider configuration not present")
                            .with_detail(format!("No `provider \"{}\"` block with alias = {a:?} is declared in the root module.", rp.local_name))
                            .with_help(format!("add `provider \"{}\" {{ alias = \"{a}\" }}` to the root module", rp.local_name)),
                    );
                    self.failed.insert(key);
                    return None;
                }
                null_object(schema_block)
            }
        };
        let (bare, _) = config.unmark_deep();
        match rp.provider.configure(bare).await {
            Ok(p) => {
                self.map.insert(key, p.clone());
                Some(p)
            }
            Err(d) => {
                diags.extend(d.with_address(&key));
                self.failed.insert(key);
                None
            }
        }
    }
}

/// An object of a block's type with every attribute null (empty nested collections).
pub fn null_object(b: &plinth_sdk::Block) -> Value {
    let mut m = std::collections::BTreeMap::new();
    for (k, a) in &b.attributes {
        m.insert(k.clone(), Value::Null(a.ty.clone()));
    }
    for (k, nb) in &b.blocks {
        let t = nb.block.implied_type();
        let v = match nb.nesting {
            plinth_sdk::Nesting::Single => Value::Null(t),
            plinth_sdk::Nesting::Group => null_object(&nb.block),
            plinth_sdk::Nesting::List => Value::List(t, vec![]),
            plinth_sdk::Nesting::Set => Value::Set(t, vec![]),
            plinth_sdk::Nesting::Map => Value::Map(t, Default::default()),
        };
        m.insert(k.clone(), v);
    }
    Value::Object(m)
}
