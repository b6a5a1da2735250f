//! The configuration graph: one node per configuration object in an *unexpanded* module
//! (variable, local, output, resource, module call), with edges from references,
//! `depends_on` and module boundaries. `count`/`for_each` expansion happens when a node is
//! visited, so the graph stays O(configuration size) however many instances there are.

use crate::graph::Graph;
use plinth_lang::{Expr, Module, Reference, ResourceMode};
use plinth_sdk::{Diagnostic, Diagnostics, SourceRange};
use std::collections::HashMap;

/// Path of module call names from the root (`[]` = root module).
pub type ModPath = Vec<String>;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum NodeKind {
    Var(String),
    Local(String),
    Output(String),
    /// `TYPE.NAME` or `data.TYPE.NAME`.
    Resource(String),
    /// Expansion (`count`/`for_each`) of the module call `NAME` in this module.
    ModuleCall(String),
    /// Completion of everything inside the child module `NAME` (target of `depends_on = [module.NAME]`).
    ModuleExit(String),
    /// The assertions of `check "NAME"` (its scoped data sources are `Resource` nodes).
    Check(String),
}

#[derive(Clone, Debug)]
pub struct Node {
    pub module: ModPath,
    pub kind: NodeKind,
    pub range: Option<SourceRange>,
}

impl Node {
    /// Human name: `module.net.aws_subnet.x`, `local.a`, `var.b`, `output.c`, `module.net` …
    pub fn display(&self) -> String {
        let mut s: String = self.module.iter().map(|m| format!("module.{m}.")).collect();
        match &self.kind {
            NodeKind::Var(n) => s.push_str(&format!("var.{n}")),
            NodeKind::Local(n) => s.push_str(&format!("local.{n}")),
            NodeKind::Output(n) => s.push_str(&format!("output.{n}")),
            NodeKind::Resource(k) => s.push_str(k),
            NodeKind::ModuleCall(n) => s.push_str(&format!("module.{n}")),
            NodeKind::ModuleExit(n) => s.push_str(&format!("module.{n} (close)")),
            NodeKind::Check(n) => s.push_str(&format!("check.{n}")),
        }
        s
    }
}

pub struct ConfGraph {
    pub nodes: Vec<Node>,
    pub graph: Graph,
    pub index: HashMap<(ModPath, NodeKind), usize>,
}

/// The module at a configuration path.
pub fn module_at<'a>(root: &'a Module, path: &[String]) -> Option<&'a Module> {
    let mut m = root;
    for p in path {
        m = &m.module_calls.get(p)?.module;
    }
    Some(m)
}

pub fn resource_key(mode: ResourceMode, type_name: &str, name: &str) -> String {
    match mode {
        ResourceMode::Managed => format!("{type_name}.{name}"),
        ResourceMode::Data => format!("data.{type_name}.{name}"),
    }
}

impl ConfGraph {
    pub fn build(root: &Module) -> (ConfGraph, Diagnostics) {
        let mut g = ConfGraph { nodes: Vec::new(), graph: Graph::new(), index: HashMap::new() };
        g.add_nodes(root, &[]);
        g.add_edges(root, root, &[]);
        g.graph.dedup();
        let diags = Diagnostics::new();
        (g, diags)
    }

    fn add(&mut self, module: &[String], kind: NodeKind, range: Option<SourceRange>) -> usize {
        let id = self.graph.add_node();
        self.nodes.push(Node { module: module.to_vec(), kind: kind.clone(), range });
        self.index.insert((module.to_vec(), kind), id);
        id
    }

    pub fn get(&self, module: &[String], kind: &NodeKind) -> Option<usize> {
        self.index.get(&(module.to_vec(), kind.clone())).copied()
    }

    fn add_nodes(&mut self, m: &Module, path: &[String]) {
        for (n, v) in &m.variables {
            self.add(path, NodeKind::Var(n.clone()), Some(v.range.clone()));
        }
        for (n, l) in &m.locals {
            self.add(path, NodeKind::Local(n.clone()), Some(l.range.clone()));
        }
        for (n, o) in &m.outputs {
            self.add(path, NodeKind::Output(n.clone()), Some(o.range.clone()));
        }
        for (k, r) in &m.resources {
            self.add(path, NodeKind::Resource(k.clone()), Some(r.decl_range.clone()));
        }
        for c in &m.checks {
            self.add(path, NodeKind::Check(c.name.clone()), Some(c.range.clone()));
        }
        for (n, c) in &m.module_calls {
            self.add(path, NodeKind::ModuleCall(n.clone()), Some(c.range.clone()));
            self.add(path, NodeKind::ModuleExit(n.clone()), Some(c.range.clone()));
            let mut child = path.to_vec();
            child.push(n.clone());
            self.add_nodes(&c.module, &child);
        }
    }

    /// Edges for the references of one expression list evaluated in module `path`.
    fn ref_edges(&mut self, from: usize, m: &Module, path: &[String], refs: impl IntoIterator<Item = Reference>, depends_on: bool) {
        for r in refs {
            for to in self.ref_targets(m, path, &r, depends_on) {
                self.graph.add_edge(from, to);
            }
        }
    }

    /// Nodes a reference points at (empty for undeclared names: the evaluator reports those).
    pub fn ref_targets(&self, m: &Module, path: &[String], r: &Reference, depends_on: bool) -> Vec<usize> {
        let one = |k: NodeKind| self.get(path, &k).into_iter().collect::<Vec<_>>();
        match r {
            Reference::Var(n) => one(NodeKind::Var(n.clone())),
            Reference::Local(n) => one(NodeKind::Local(n.clone())),
            Reference::Resource { type_name, name } => one(NodeKind::Resource(format!("{type_name}.{name}"))),
            Reference::Data { type_name, name } => one(NodeKind::Resource(format!("data.{type_name}.{name}"))),
            Reference::Module(n) => {
                let Some(call) = m.module_calls.get(n) else { return Vec::new() };
                let mut out = one(NodeKind::ModuleCall(n.clone()));
                if depends_on {
                    out.extend(one(NodeKind::ModuleExit(n.clone())));
                } else {
                    let mut child = path.to_vec();
                    child.push(n.clone());
                    for o in call.module.outputs.keys() {
                        out.extend(self.get(&child, &NodeKind::Output(o.clone())));
                    }
                }
                out
            }
            _ => Vec::new(),
        }
    }

    fn add_edges(&mut self, root: &Module, m: &Module, path: &[String]) {
        let call_node = if path.is_empty() {
            None
        } else {
            let parent = &path[..path.len() - 1];
            self.get(parent, &NodeKind::ModuleCall(path[path.len() - 1].clone()))
        };
        let exit_node = if path.is_empty() {
            None
        } else {
            let parent = &path[..path.len() - 1];
            self.get(parent, &NodeKind::ModuleExit(path[path.len() - 1].clone()))
        };
        let link_module = |g: &mut ConfGraph, id: usize| {
            if let Some(c) = call_node {
                g.graph.add_edge(id, c);
            }
            if let Some(x) = exit_node {
                g.graph.add_edge(x, id);
            }
        };
        for n in m.variables.keys() {
            let Some(id) = self.get(path, &NodeKind::Var(n.clone())) else { continue };
            link_module(self, id);
            // A child's variable is set by the parent's module call input, evaluated in the parent.
            if let (Some(last), false) = (path.last(), path.is_empty()) {
                let parent_path = &path[..path.len() - 1];
                if let Some(parent) = module_at(root, parent_path) {
                    if let Some(input) = parent.module_calls.get(last).and_then(|c| c.inputs.get(n)) {
                        let refs = expr_refs(&input.expr);
                        self.ref_edges(id, parent, parent_path, refs, false);
                    }
                }
            }
        }
        for (n, l) in &m.locals {
            let Some(id) = self.get(path, &NodeKind::Local(n.clone())) else { continue };
            link_module(self, id);
            self.ref_edges(id, m, path, expr_refs(&l.expr), false);
        }
        for (n, o) in &m.outputs {
            let Some(id) = self.get(path, &NodeKind::Output(n.clone())) else { continue };
            link_module(self, id);
            self.ref_edges(id, m, path, expr_refs(&o.expr), false);
            for d in &o.depends_on {
                self.ref_edges(id, m, path, expr_refs(d), true);
            }
            for c in &o.preconditions {
                self.ref_edges(id, m, path, expr_refs(&c.condition), false);
                self.ref_edges(id, m, path, expr_refs(&c.error_message), false);
            }
        }
        for (k, r) in &m.resources {
            let Some(id) = self.get(path, &NodeKind::Resource(k.clone())) else { continue };
            link_module(self, id);
            let mut refs: Vec<Reference> = r.body.references().into_iter().map(|(r, _)| r).collect();
            for e in r.count.iter().chain(r.for_each.iter()) {
                refs.extend(expr_refs(e));
            }
            for e in &r.lifecycle.replace_triggered_by {
                refs.extend(expr_refs(e));
            }
            for c in r.lifecycle.preconditions.iter().chain(r.lifecycle.postconditions.iter()) {
                refs.extend(expr_refs(&c.condition));
                refs.extend(expr_refs(&c.error_message));
            }
            self.ref_edges(id, m, path, refs, false);
            for d in &r.depends_on {
                self.ref_edges(id, m, path, expr_refs(d), true);
            }
            // Provider blocks in this module or an ancestor (not the root, whose variables
            // and locals are evaluated first) may configure this resource's provider.
            for depth in 1..=path.len() {
                let Some(pm) = module_at(root, &path[..depth]) else { continue };
                for pb in &pm.providers {
                    let prefs: Vec<Reference> = pb.body.references().into_iter().map(|(r, _)| r).collect();
                    self.ref_edges(id, pm, &path[..depth], prefs, false);
                }
            }
        }
        for c in &m.checks {
            let Some(id) = self.get(path, &NodeKind::Check(c.name.clone())) else { continue };
            link_module(self, id);
            let mut refs = Vec::new();
            for a in &c.asserts {
                refs.extend(expr_refs(&a.condition));
                refs.extend(expr_refs(&a.error_message));
            }
            self.ref_edges(id, m, path, refs, false);
        }
        for (n, c) in &m.module_calls {
            let Some(id) = self.get(path, &NodeKind::ModuleCall(n.clone())) else { continue };
            link_module(self, id);
            let mut refs = Vec::new();
            for e in c.count.iter().chain(c.for_each.iter()) {
                refs.extend(expr_refs(e));
            }
            self.ref_edges(id, m, path, refs, false);
            for d in &c.depends_on {
                self.ref_edges(id, m, path, expr_refs(d), true);
            }
            if let Some(x) = self.get(path, &NodeKind::ModuleExit(n.clone())) {
                link_module(self, x);
                self.graph.add_edge(x, id);
            }
            let mut child = path.to_vec();
            child.push(n.clone());
            self.add_edges(root, &c.module, &child);
        }
    }

    /// Reports every cycle with its whole path and the source ranges of its members.
    pub fn cycle_diagnostics(&self, cycles: &[Vec<usize>]) -> Diagnostics {
        let mut diags = Diagnostics::new();
        for c in cycles {
            let mut names: Vec<String> = c.iter().map(|&i| self.nodes[i].display()).collect();
            if let Some(first) = names.first().cloned() {
                names.push(first);
            }
            let places: Vec<String> = c
                .iter()
                .filter_map(|&i| self.nodes[i].range.as_ref().map(|r| format!("{} at {r}", self.nodes[i].display())))
                .collect();
            diags.push(
                Diagnostic::error(format!("Cycle: {}", c.iter().map(|&i| self.nodes[i].display()).collect::<Vec<_>>().join(", ")))
                    .with_detail(format!(
                        "These objects depend on each other, so none of them can be evaluated first: {}. ({})",
                        names.join(" → "),
                        places.join("; ")
                    ))
                    .with_subject_opt(c.first().and_then(|&i| self.nodes[i].range.clone()))
                    .with_help("break the cycle by removing one of the references (or a `depends_on` entry) between these objects"),
            );
        }
        diags
    }
}

pub fn expr_refs(e: &Expr) -> Vec<Reference> {
    plinth_lang::references(e).into_iter().map(|(r, _)| r).collect()
}
