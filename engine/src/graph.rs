//! A small directed graph (adjacency lists, O(V+E) algorithms): topological order with
//! Kahn's algorithm, cycles with Tarjan's strongly connected components, ancestor closure
//! (`-target`), transitive reduction-free rendering helpers.
//!
//! Edges point from a node to what it depends on (`a → b`: `a` needs `b` first).

/// Node indices are `usize`; node payloads live with the caller.
#[derive(Clone, Debug, Default)]
pub struct Graph {
    /// `deps[a]`: nodes `a` depends on.
    pub deps: Vec<Vec<usize>>,
    /// `rdeps[b]`: nodes that depend on `b`.
    pub rdeps: Vec<Vec<usize>>,
}

impl Graph {
    pub fn new() -> Self {
        Graph::default()
    }
    pub fn with_nodes(n: usize) -> Self {
        Graph { deps: vec![Vec::new(); n], rdeps: vec![Vec::new(); n] }
    }
    pub fn add_node(&mut self) -> usize {
        self.deps.push(Vec::new());
        self.rdeps.push(Vec::new());
        self.deps.len() - 1
    }
    pub fn len(&self) -> usize {
        self.deps.len()
    }
    pub fn is_empty(&self) -> bool {
        self.deps.is_empty()
    }
    /// `from` depends on `to`. Self-edges are ignored; duplicates are removed by [`Graph::dedup`].
    pub fn add_edge(&mut self, from: usize, to: usize) {
        if from != to {
            self.deps[from].push(to);
            self.rdeps[to].push(from);
        }
    }
    /// Removes duplicate edges.
    pub fn dedup(&mut self) {
        for v in self.deps.iter_mut().chain(self.rdeps.iter_mut()) {
            v.sort_unstable();
            v.dedup();
        }
    }

    /// Dependencies first. `Err` holds the cycles (each a list of nodes in cycle order).
    pub fn toposort(&self) -> Result<Vec<usize>, Vec<Vec<usize>>> {
        let n = self.len();
        let mut indeg: Vec<usize> = self.deps.iter().map(Vec::len).collect();
        let mut queue: Vec<usize> = (0..n).filter(|&i| indeg[i] == 0).collect();
        queue.reverse();
        let mut out = Vec::with_capacity(n);
        while let Some(i) = queue.pop() {
            out.push(i);
            for &d in &self.rdeps[i] {
                indeg[d] -= 1;
                if indeg[d] == 0 {
                    queue.push(d);
                }
            }
        }
        if out.len() == n {
            Ok(out)
        } else {
            Err(self.cycles())
        }
    }

    /// Every cycle: strongly connected components with more than one node, each given as a
    /// path through the component in edge order (`a → b → … → a`).
    pub fn cycles(&self) -> Vec<Vec<usize>> {
        let sccs = self.sccs();
        let mut out = Vec::new();
        for comp in sccs {
            if comp.len() < 2 {
                continue;
            }
            let set: std::collections::HashSet<usize> = comp.iter().copied().collect();
            // Walk a simple cycle inside the component, starting at its smallest node.
            let start = *comp.iter().min().unwrap_or(&comp[0]);
            let mut path = vec![start];
            let mut seen = std::collections::HashSet::from([start]);
            let mut cur = start;
            loop {
                let next = self.deps[cur].iter().copied().filter(|d| set.contains(d)).find(|d| *d == start || !seen.contains(d));
                match next {
                    Some(d) if d == start => break,
                    Some(d) => {
                        path.push(d);
                        seen.insert(d);
                        cur = d;
                    }
                    None => {
                        // Dead end inside the component: fall back to listing it.
                        path = comp.clone();
                        break;
                    }
                }
            }
            out.push(path);
        }
        out
    }

    /// Tarjan's algorithm, iterative (no recursion limit on 100k-node graphs).
    pub fn sccs(&self) -> Vec<Vec<usize>> {
        let n = self.len();
        let mut index = vec![usize::MAX; n];
        let mut low = vec![0; n];
        let mut on_stack = vec![false; n];
        let mut stack = Vec::new();
        let mut out = Vec::new();
        let mut next = 0;
        for root in 0..n {
            if index[root] != usize::MAX {
                continue;
            }
            let mut call: Vec<(usize, usize)> = vec![(root, 0)];
            index[root] = next;
            low[root] = next;
            next += 1;
            stack.push(root);
            on_stack[root] = true;
            while let Some(&mut (v, ref mut ei)) = call.last_mut() {
                if *ei < self.deps[v].len() {
                    let w = self.deps[v][*ei];
                    *ei += 1;
                    if index[w] == usize::MAX {
                        index[w] = next;
                        low[w] = next;
                        next += 1;
                        stack.push(w);
                        on_stack[w] = true;
                        call.push((w, 0));
                    } else if on_stack[w] {
                        low[v] = low[v].min(index[w]);
                    }
                } else {
                    call.pop();
                    if let Some(&(u, _)) = call.last() {
                        low[u] = low[u].min(low[v]);
                    }
                    if low[v] == index[v] {
                        let mut comp = Vec::new();
                        while let Some(w) = stack.pop() {
                            on_stack[w] = false;
                            comp.push(w);
                            if w == v {
                                break;
                            }
                        }
                        out.push(comp);
                    }
                }
            }
        }
        out
    }

    /// `roots` and everything they (transitively) depend on.
    pub fn ancestors_closure(&self, roots: &[usize]) -> Vec<bool> {
        let mut seen = vec![false; self.len()];
        let mut stack: Vec<usize> = roots.to_vec();
        while let Some(i) = stack.pop() {
            if std::mem::replace(&mut seen[i], true) {
                continue;
            }
            stack.extend(self.deps[i].iter().copied().filter(|d| !seen[*d]));
        }
        seen
    }

    /// `roots` and everything that (transitively) depends on them.
    pub fn descendants_closure(&self, roots: &[usize]) -> Vec<bool> {
        let mut seen = vec![false; self.len()];
        let mut stack: Vec<usize> = roots.to_vec();
        while let Some(i) = stack.pop() {
            if std::mem::replace(&mut seen[i], true) {
                continue;
            }
            stack.extend(self.rdeps[i].iter().copied().filter(|d| !seen[*d]));
        }
        seen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topo_and_cycles() {
        let mut g = Graph::with_nodes(4);
        g.add_edge(0, 1);
        g.add_edge(1, 2);
        g.add_edge(3, 2);
        let order = g.toposort().unwrap();
        let pos = |x| order.iter().position(|&y| y == x).unwrap();
        assert!(pos(2) < pos(1) && pos(1) < pos(0) && pos(2) < pos(3));
        g.add_edge(2, 0);
        let cycles = g.toposort().unwrap_err();
        assert_eq!(cycles.len(), 1);
        assert_eq!(cycles[0], vec![0, 1, 2]);
    }

    #[test]
    fn large_chain_is_linear() {
        let n = 200_000;
        let mut g = Graph::with_nodes(n);
        for i in 1..n {
            g.add_edge(i, i - 1);
        }
        let t = std::time::Instant::now();
        assert_eq!(g.toposort().unwrap().len(), n);
        assert!(g.cycles().is_empty());
        assert!(t.elapsed().as_secs_f64() < 2.0);
    }

    #[test]
    fn closures() {
        let mut g = Graph::with_nodes(4);
        g.add_edge(0, 1);
        g.add_edge(2, 1);
        let a = g.ancestors_closure(&[0]);
        assert_eq!(a, vec![true, true, false, false]);
        let d = g.descendants_closure(&[1]);
        assert_eq!(d, vec![true, true, true, false]);
    }
}
