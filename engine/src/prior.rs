//! The prior state as the engine works with it: objects indexed by resource instance
//! address, with `moved` blocks (explicit, chained, and implicit `count` moves) applied.

use crate::addr::{InstanceKey, ModuleInstance, ResourceInstanceAddress, Target};
use crate::stateconv::{addr_from_state, key_to_state};
use plinth_lang::{Module, ResourceMode};
use plinth_sdk::{Diagnostic, Diagnostics, SourceRange};
use plinth_state::{InstanceState, Mode, ResourceState, State};
use std::collections::BTreeMap;

#[derive(Clone, Debug)]
pub struct PriorObj {
    /// Where the object was in the previous run's state.
    pub prev_addr: ResourceInstanceAddress,
    /// Provider address recorded in state.
    pub provider: String,
    pub current: Option<InstanceState>,
    pub deposed: Vec<InstanceState>,
}

pub type PriorIndex = BTreeMap<ResourceInstanceAddress, PriorObj>;

pub fn index_state(state: &State, diags: &mut Diagnostics) -> PriorIndex {
    let mut idx = PriorIndex::new();
    for r in &state.resources {
        for inst in &r.instances {
            let sa = plinth_state::InstanceAddr {
                module: r.module.clone(),
                mode: r.mode,
                type_name: r.type_name.clone(),
                name: r.name.clone(),
                key: inst.index_key.clone(),
                deposed: None,
            };
            let addr = match addr_from_state(&sa) {
                Ok(a) => a,
                Err(d) => {
                    diags.push(d);
                    continue;
                }
            };
            let e = idx.entry(addr.clone()).or_insert_with(|| PriorObj {
                prev_addr: addr,
                provider: r.provider.clone(),
                current: None,
                deposed: Vec::new(),
            });
            if inst.deposed.is_some() {
                e.deposed.push(inst.clone());
            } else {
                e.current = Some(inst.clone());
            }
        }
    }
    idx
}

/// Builds a state from the index (resources grouped then sorted once: O(n log n)).
pub fn index_to_state(idx: &PriorIndex, base: &State, extra: &[(ResourceInstanceAddress, String, InstanceState)]) -> State {
    let mut groups: BTreeMap<(Option<String>, Mode, String, String), ResourceState> = BTreeMap::new();
    let mut put = |addr: &ResourceInstanceAddress, provider: &str, inst: InstanceState| {
        let module = if addr.resource.module.is_root() { None } else { Some(addr.resource.module.to_string()) };
        let mode = match addr.resource.mode {
            ResourceMode::Managed => Mode::Managed,
            ResourceMode::Data => Mode::Data,
        };
        let g = groups
            .entry((module.clone(), mode, addr.resource.type_name.clone(), addr.resource.name.clone()))
            .or_insert_with(|| ResourceState {
                module,
                mode,
                type_name: addr.resource.type_name.clone(),
                name: addr.resource.name.clone(),
                each: None,
                provider: provider.to_string(),
                instances: Vec::new(),
            });
        let mut inst = inst;
        inst.index_key = key_to_state(&addr.key);
        g.instances.push(inst);
    };
    for (addr, o) in idx {
        if let Some(c) = &o.current {
            put(addr, &o.provider, c.clone());
        }
        for d in &o.deposed {
            put(addr, &o.provider, d.clone());
        }
    }
    for (addr, provider, inst) in extra {
        put(addr, provider, inst.clone());
    }
    let mut st = State {
        version: base.version,
        terraform_version: base.terraform_version.clone(),
        serial: base.serial,
        lineage: base.lineage.clone(),
        outputs: base.outputs.clone(),
        resources: groups.into_values().collect(),
        check_results: base.check_results.clone(),
    };
    st.normalize();
    st
}

/// One `moved` statement, made absolute for its module.
struct MoveStmt {
    module: Vec<String>,
    from: Target,
    to: Target,
    range: SourceRange,
}

fn collect_moves(m: &Module, path: &[String], out: &mut Vec<MoveStmt>, diags: &mut Diagnostics) {
    for mv in &m.moved {
        let parse = |s: &str| -> Result<Target, Diagnostic> {
            s.parse::<Target>().map_err(|e| e.to_diagnostic(s).with_subject(mv.range.clone()))
        };
        match (parse(&mv.from), parse(&mv.to)) {
            (Ok(from), Ok(to)) => {
                let kinds_ok = matches!(
                    (&from, &to),
                    (Target::Module(_), Target::Module(_))
                        | (Target::Resource(_), Target::Resource(_))
                        | (Target::Instance(_), Target::Instance(_))
                        | (Target::Resource(_), Target::Instance(_))
                        | (Target::Instance(_), Target::Resource(_))
                );
                if !kinds_ok {
                    diags.push(
                        Diagnostic::error("Invalid \"moved\" addresses")
                            .with_detail(format!("Cannot move {} to {}: a module can only move to a module, and a resource to a resource.", mv.from, mv.to))
                            .with_subject(mv.range.clone()),
                    );
                    continue;
                }
                out.push(MoveStmt { module: path.to_vec(), from, to, range: mv.range.clone() });
            }
            (a, b) => {
                if let Err(d) = a {
                    diags.push(d);
                }
                if let Err(d) = b {
                    diags.push(d);
                }
            }
        }
    }
    for (n, c) in &m.module_calls {
        let mut p = path.to_vec();
        p.push(n.clone());
        collect_moves(&c.module, &p, out, diags);
    }
}

fn keys_match(pattern: &InstanceKey, actual: &InstanceKey) -> bool {
    pattern.is_none() || pattern == actual
}

impl MoveStmt {
    /// Where `a` goes under this statement, if it matches.
    fn apply(&self, a: &ResourceInstanceAddress) -> Option<ResourceInstanceAddress> {
        let mods = &a.resource.module.0;
        if mods.len() < self.module.len() || mods.iter().zip(&self.module).any(|((n, _), m)| n != m) {
            return None;
        }
        let base = ModuleInstance(mods[..self.module.len()].to_vec());
        let rel: Vec<(String, InstanceKey)> = mods[self.module.len()..].to_vec();
        let abs = |m: &ModuleInstance| {
            let mut v = base.0.clone();
            v.extend(m.0.iter().cloned());
            ModuleInstance(v)
        };
        match (&self.from, &self.to) {
            (Target::Module(f), Target::Module(t)) => {
                if rel.len() < f.0.len() {
                    return None;
                }
                for (i, (fname, fkey)) in f.0.iter().enumerate() {
                    let (rname, rkey) = &rel[i];
                    if fname != rname || !keys_match(fkey, rkey) {
                        return None;
                    }
                }
                let mut newmods = base.0.clone();
                let last = f.0.len() - 1;
                for (i, (tname, tkey)) in t.0.iter().enumerate() {
                    // `module.a` → `module.b` keeps each instance's key.
                    let key = if i == t.0.len() - 1 && tkey.is_none() && f.0[last].1.is_none() { rel[last].1.clone() } else { tkey.clone() };
                    newmods.push((tname.clone(), key));
                }
                newmods.extend(rel[f.0.len()..].iter().cloned());
                let mut out = a.clone();
                out.resource.module = ModuleInstance(newmods);
                Some(out)
            }
            (Target::Resource(f), to) => {
                let mut fa = f.clone();
                fa.module = abs(&f.module);
                if a.resource != fa {
                    return None;
                }
                match to {
                    Target::Resource(t) => {
                        let mut r = t.clone();
                        r.module = abs(&t.module);
                        Some(r.instance(a.key.clone()))
                    }
                    Target::Instance(t) if a.key.is_none() => {
                        let mut r = t.clone();
                        r.resource.module = abs(&t.resource.module);
                        Some(r)
                    }
                    _ => None,
                }
            }
            (Target::Instance(f), to) => {
                let mut fa = f.clone();
                fa.resource.module = abs(&f.resource.module);
                if *a != fa {
                    return None;
                }
                match to {
                    Target::Instance(t) => {
                        let mut r = t.clone();
                        r.resource.module = abs(&t.resource.module);
                        Some(r)
                    }
                    Target::Resource(t) => {
                        let mut r = t.clone();
                        r.module = abs(&t.module);
                        Some(r.instance(InstanceKey::NoKey))
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

/// Applies `moved` blocks (chains collapse; a move onto an occupied address is a warning and
/// the source stays put, to be deleted) and implicit `count` moves (`x` ↔ `x[0]`).
pub fn apply_moves(root: &Module, idx: &mut PriorIndex, diags: &mut Diagnostics) {
    let mut stmts = Vec::new();
    collect_moves(root, &[], &mut stmts, diags);
    if !stmts.is_empty() {
        let addrs: Vec<ResourceInstanceAddress> = idx.keys().cloned().collect();
        let mut plans: Vec<(ResourceInstanceAddress, ResourceInstanceAddress, SourceRange)> = Vec::new();
        for a in addrs {
            let mut cur = a.clone();
            let mut last_range = None;
            for _ in 0..64 {
                match stmts.iter().find_map(|s| s.apply(&cur).map(|n| (n, s.range.clone()))) {
                    Some((n, r)) if n != cur => {
                        cur = n;
                        last_range = Some(r);
                    }
                    _ => break,
                }
            }
            if cur != a {
                if let Some(r) = last_range {
                    plans.push((a, cur, r));
                }
            }
        }
        let moving: std::collections::HashSet<ResourceInstanceAddress> = plans.iter().map(|(a, _, _)| a.clone()).collect();
        for (from, to, range) in plans {
            if idx.contains_key(&to) && !moving.contains(&to) {
                diags.push(
                    Diagnostic::warning("Moved object still exists")
                        .with_detail(format!(
                            "This statement declares a move from {from} to {to}, but there is already an object at {to}. The object at {from} is left where it is (and will be destroyed if it has no configuration)."
                        ))
                        .with_subject(range)
                        .with_help(format!("remove the object at {to} first, or change the `moved` block")),
                );
                continue;
            }
            if let Some(o) = idx.remove(&from) {
                idx.insert(to, o);
            }
        }
    }
    implicit_count_moves(root, &[], idx);
}

/// `x` ↔ `x[0]` when `count` was added or removed (not for modules). One pass over the
/// index: O(n log n).
fn implicit_count_moves(root: &Module, _path: &[String], idx: &mut PriorIndex) {
    let mut moves = Vec::new();
    for a in idx.keys() {
        let counted = match crate::confgraph::module_at(root, &a.resource.module.config_path())
            .and_then(|m| m.resources.get(&a.resource.local_name()))
        {
            Some(r) if r.for_each.is_none() => r.count.is_some(),
            _ => continue,
        };
        let to_key = match (&a.key, counted) {
            (InstanceKey::NoKey, true) => InstanceKey::Int(0),
            (InstanceKey::Int(0), false) => InstanceKey::NoKey,
            _ => continue,
        };
        let mut to = a.clone();
        to.key = to_key;
        if !idx.contains_key(&to) {
            moves.push((a.clone(), to));
        }
    }
    for (from, to) in moves {
        if let Some(o) = idx.remove(&from) {
            idx.insert(to, o);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stmt(from: &str, to: &str) -> MoveStmt {
        MoveStmt {
            module: vec![],
            from: from.parse().unwrap(),
            to: to.parse().unwrap(),
            range: SourceRange {
                file: std::sync::Arc::new("m.tf".into()),
                start: plinth_sdk::Pos { line: 1, column: 1, byte: 0 },
                end: plinth_sdk::Pos { line: 1, column: 1, byte: 0 },
            },
        }
    }
    fn a(s: &str) -> ResourceInstanceAddress {
        s.parse().unwrap()
    }

    #[test]
    fn move_statements() {
        assert_eq!(stmt("x.a", "x.b").apply(&a("x.a[2]")), Some(a("x.b[2]")));
        assert_eq!(stmt("x.a[1]", "x.b[\"k\"]").apply(&a("x.a[1]")), Some(a("x.b[\"k\"]")));
        assert_eq!(stmt("x.a[1]", "x.b").apply(&a("x.a[2]")), None);
        assert_eq!(stmt("module.a", "module.b").apply(&a("module.a[3].x.y")), Some(a("module.b[3].x.y")));
        assert_eq!(stmt("module.a", "module.b.module.c").apply(&a("module.a.module.d.x.y")), Some(a("module.b.module.c.module.d.x.y")));
        assert_eq!(stmt("x.a", "module.m.x.a").apply(&a("x.a")), Some(a("module.m.x.a")));
    }
}
