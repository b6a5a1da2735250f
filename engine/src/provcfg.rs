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

/// A resource's provider: implementation plus the alias of the configuration it uses
/// (after following module `providers = { … }` maps up to the root).
#[derive(Clone, Debug)]
pub struct ResourceProvider {
    pub resolved: ResolvedProvider,
    pub alias: Option<String>,
    /// `provider["registry.terraform.io/hashicorp/random"]` (+ `.alias`).
    pub state_name: String,
}

/// Resolves the provider of a resource declared in module `path`.
pub fn resource_provider(registry: &ProviderRegistry, root: &Module, path: &[String], r: &Resource) -> Result<ResourceProvider, Diagnostic> {
    let Some(m) = module_at(root, path) else {
        return Err(Diagnostic::bug("module not found", format!("Module path {path:?} is not in the configuration.")));
    };
    let local = r.provider_local_name().to_string();
    let resolved = registry.resolve(m, &local, Some(&r.decl_range)).map_err(|d| d.with_address(r.type_name.clone()))?;
    let mut alias = r.provider.as_ref().and_then(|(_, a)| a.clone());
    // Follow `providers = { local = parent.alias }` up to the root.
    let mut cur_local = local;
    for depth in (1..=path.len()).rev() {
        let parent = module_at(root, &path[..depth - 1]);
        let call = parent.and_then(|p| p.module_calls.get(&path[depth - 1]));
        let key = match &alias {
            Some(a) => format!("{cur_local}.{a}"),
            None => cur_local.clone(),
        };
        if let Some(c) = call {
            if let Some((pl, pa)) = c.providers.get(&key).or_else(|| c.providers.get(&cur_local)) {
                cur_local = pl.clone();
                alias = pa.clone();
            }
        }
    }
    let state_name = resolved.state_name(alias.as_deref());
    Ok(ResourceProvider { resolved, alias, state_name })
}

/// Configured providers of one run, keyed by provider address.
#[derive(Default)]
pub struct Configured {
    map: HashMap<String, Arc<dyn ConfiguredProvider>>,
    failed: HashSet<String>,
}

impl Configured {
    /// The configured provider for `rp` (configuring it on first use).
    pub async fn get(&mut self, env: &Env<'_>, rp: &ResolvedProvider, alias: Option<&str>, diags: &mut Diagnostics) -> Option<Arc<dyn ConfiguredProvider>> {
        let key = rp.state_name(alias);
        if let Some(p) = self.map.get(&key) {
            return Some(p.clone());
        }
        if self.failed.contains(&key) {
            return None;
        }
        let root = &env.ctx.config.root;
        let block = root.providers.iter().find(|p| {
            p.alias.as_deref() == alias && ProviderRegistry::source_for(root, &p.name).0 == rp.source
        });
        let schema_block = &rp.schema.provider.block;
        let config = match block {
            Some(b) => {
                let (v, d) = {
                    let scope = env.scope(root, &crate::addr::ModuleInstance::root(), InstanceKey::NoKey, None);
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
