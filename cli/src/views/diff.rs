//! The structural diff of two values and its human rendering, as Terraform 1.11's
//! `jsonformat` renderer prints it: `+ ~ -` symbols, attributes aligned on `=`, unchanged
//! attributes hidden and counted, `(known after apply)`, `(sensitive value)`,
//! `# forces replacement`, multi-line strings as `<<-EOT` line diffs, lists diffed by their
//! longest common subsequence with one element of context.
//!
//! Pure functions: values in, `String` out. Colour uses Terraform's colour tags
//! (`[green]`, `[reset]` …) expanded by [`colorize`] only when asked.

use plinth_sdk::{AttrPath, Block, Nesting, PathStep, Type, Value};
use std::collections::{BTreeMap, BTreeSet};

/// Which way a (nested) value changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Act {
    NoOp,
    Create,
    Delete,
    Update,
    /// Only used for the resource-level symbol.
    DeleteThenCreate,
    CreateThenDelete,
    Read,
    Forget,
}

/// Terraform's `format.DiffActionSymbol`, with colour tags.
pub fn action_symbol(a: Act) -> &'static str {
    match a {
        Act::DeleteThenCreate => "[red]-[reset]/[green]+[reset]",
        Act::CreateThenDelete => "[green]+[reset]/[red]-[reset]",
        Act::Create => "  [green]+[reset]",
        Act::Delete => "  [red]-[reset]",
        Act::Read => " [cyan]<=[reset]",
        Act::Update => "  [yellow]~[reset]",
        Act::NoOp => "   ",
        Act::Forget => " [red].[reset]",
    }
}

/// Expands Terraform colour tags (`[bold]`, `[green]`, `[reset]` …). With `color` the tags
/// become ANSI codes and, as Terraform's colorstring does, a reset is appended when any tag
/// was present; without it the tags are removed.
pub fn colorize(s: &str, color: bool) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut matched = false;
    let mut rest = s;
    while let Some(i) = rest.find('[') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let code = after.find(']').and_then(|j| color_code(&after[..j]).map(|c| (j, c)));
        match code {
            Some((j, c)) => {
                matched = true;
                if color {
                    out.push_str("\x1b[");
                    out.push_str(c);
                    out.push('m');
                }
                rest = &after[j + 1..];
            }
            None => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    if matched && color {
        out.push_str("\x1b[0m");
    }
    out
}

fn color_code(tag: &str) -> Option<&'static str> {
    Some(match tag {
        "reset" => "0",
        "bold" => "1",
        "dim" => "2",
        "underline" => "4",
        "red" => "31",
        "green" => "32",
        "yellow" => "33",
        "blue" => "34",
        "magenta" => "35",
        "cyan" => "36",
        "light_gray" => "37",
        "dark_gray" => "90",
        "default" => "39",
        _ => return None,
    })
}

/// Rendering switches (Terraform's `RenderHumanOpts`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Opts {
    pub color: bool,
    pub show_unchanged: bool,
    pub override_null_suffix: bool,
    pub override_forces_replacement: bool,
    pub hide_symbols: bool,
}

/// One node of a computed diff.
#[derive(Clone, Debug)]
pub struct Diff {
    pub kind: Kind,
    pub action: Act,
    pub replace: bool,
}

#[derive(Clone, Debug)]
pub enum Kind {
    /// A bool, number or string (either side may be null).
    Prim { before: Option<Value>, after: Option<Value> },
    /// Marked sensitive on either side: printed as `(sensitive value)`.
    Sensitive { before: bool, after: bool, inner: Act },
    /// The new value is unknown; `before` is the old value's deletion diff.
    Unknown { before: Option<Box<Diff>> },
    Object(Vec<(String, Diff)>),
    Map(Vec<(String, Diff)>),
    List { elems: Vec<Diff>, context: bool },
    Set(Vec<Diff>),
    Block { attrs: Vec<(String, Diff)>, blocks: Vec<BlockGroup> },
    TypeChange { before: Box<Diff>, after: Box<Diff> },
}

#[derive(Clone, Debug)]
pub struct BlockGroup {
    pub name: String,
    /// Each block with its label (` "key"` for map blocks, empty otherwise).
    pub items: Vec<(String, Diff)>,
}

// ----------------------------------------------------------------------------------------
// Computing diffs
// ----------------------------------------------------------------------------------------

struct Ctx<'a> {
    replace: &'a [AttrPath],
    /// Inside a `dynamic`-typed attribute: Terraform sees such values through JSON, so maps
    /// print as objects, lists and sets as tuples, nulls inside objects are kept, and
    /// `# forces replacement` is not shown.
    dynamic: bool,
}

fn non_null(v: Option<&Value>) -> Option<&Value> {
    v.filter(|v| !v.is_null())
}

fn compare(cur: Act, next: Act) -> Act {
    if next == Act::NoOp {
        cur
    } else if cur != next {
        Act::Update
    } else {
        cur
    }
}

fn default_iter_action(b: Option<&Value>, a: Option<&Value>) -> Act {
    match (b, a) {
        (None, None) => Act::NoOp,
        (None, Some(_)) => Act::Create,
        (Some(_), None) => Act::Delete,
        _ => Act::NoOp,
    }
}

/// Converts a value the way Terraform sees a dynamic value after a JSON round trip.
fn erase(v: &Value) -> Value {
    match v {
        Value::Sensitive(x) => Value::Sensitive(Box::new(erase(x))),
        Value::Map(_, m) | Value::Object(m) => {
            Value::Object(m.iter().map(|(k, x)| (k.clone(), erase(x))).collect())
        }
        Value::List(_, xs) | Value::Set(_, xs) | Value::Tuple(xs) => {
            Value::Tuple(xs.iter().map(erase).collect())
        }
        Value::Null(_) => Value::null(),
        v => v.clone(),
    }
}

fn shape(v: &Value) -> u8 {
    match v.unmarked() {
        Value::Bool(_) => 1,
        Value::Number(_) => 2,
        Value::String(_) => 3,
        Value::List(..) => 4,
        Value::Set(..) => 5,
        Value::Map(..) => 6,
        Value::Tuple(_) => 7,
        Value::Object(_) => 8,
        _ => 0,
    }
}

impl Ctx<'_> {
    fn replaced(&self, path: &AttrPath) -> bool {
        !self.dynamic && self.replace.iter().any(|p| p == path)
    }

    fn value(&self, b: Option<&Value>, a: Option<&Value>, path: &mut AttrPath) -> Diff {
        let b = non_null(b);
        let a_raw = a.filter(|v| !v.is_null() || !v.is_sensitive());
        let a = non_null(a);
        let replace = self.replaced(path);
        // Sensitive first (a sensitive unknown prints as a sensitive value).
        let bs = b.is_some_and(Value::is_sensitive);
        let as_ = a_raw.is_some_and(Value::is_sensitive);
        if bs || as_ {
            let inner = self.value(b.map(Value::unmarked), a_raw.map(Value::unmarked), path);
            let mut action = inner.action;
            if action == Act::NoOp && bs != as_ {
                action = Act::Update;
            }
            return Diff { kind: Kind::Sensitive { before: bs, after: as_, inner: inner.action }, action, replace };
        }
        if let Some(av) = a_raw {
            if !av.is_known() {
                let before = b.map(|bv| {
                    let mut d = self.value(Some(bv), None, path);
                    d.replace = false;
                    Box::new(d)
                });
                let action = if before.is_some() { Act::Update } else { Act::Create };
                return Diff { kind: Kind::Unknown { before }, action, replace };
            }
        }
        if b.is_none() && a.is_none() {
            return Diff { kind: Kind::Prim { before: None, after: None }, action: Act::NoOp, replace };
        }
        if let (Some(bv), Some(av)) = (b, a) {
            if shape(bv) != shape(av) {
                let before = Box::new(self.value(Some(bv), None, path));
                let after = Box::new(self.value(None, Some(av), path));
                return Diff { kind: Kind::TypeChange { before, after }, action: Act::Update, replace };
            }
        }
        let sample = a.or(b).map(Value::unmarked).cloned().unwrap_or_default();
        let base = default_iter_action(b, a);
        match sample {
            Value::Bool(_) | Value::Number(_) | Value::String(_) => {
                let action = match (b, a) {
                    (None, Some(_)) => Act::Create,
                    (Some(_), None) => Act::Delete,
                    (Some(x), Some(y)) if x.unmarked() == y.unmarked() => Act::NoOp,
                    _ => Act::Update,
                };
                Diff {
                    kind: Kind::Prim { before: b.map(|v| v.unmarked().clone()), after: a.map(|v| v.unmarked().clone()) },
                    action,
                    replace,
                }
            }
            Value::Object(_) | Value::Map(..) => {
                let is_map = matches!(sample, Value::Map(..));
                let bm = b.and_then(Value::as_map);
                let am = a.and_then(Value::as_map);
                let keys: BTreeSet<&String> = bm.iter().flat_map(|m| m.keys()).chain(am.iter().flat_map(|m| m.keys())).collect();
                let mut action = base;
                let mut out = Vec::new();
                for k in keys {
                    path.0.push(if is_map { PathStep::Key(k.clone()) } else { PathStep::Attr(k.clone()) });
                    let bv = bm.and_then(|m| m.get(k));
                    let av = am.and_then(|m| m.get(k));
                    let mut d = self.value(bv, av, path);
                    path.0.pop();
                    if d.action == Act::NoOp && non_null(bv).is_none() && non_null(av).is_none() {
                        if !self.dynamic {
                            continue;
                        }
                        // Through JSON a key holding null is still there: appearing or
                        // disappearing with its object is a create or a delete.
                        match (bv.is_some(), av.is_some()) {
                            (false, true) => d.action = Act::Create,
                            (true, false) => d.action = Act::Delete,
                            _ => {}
                        }
                    }
                    action = compare(action, d.action);
                    out.push((k.clone(), d));
                }
                let kind = if is_map { Kind::Map(out) } else { Kind::Object(out) };
                Diff { kind, action, replace }
            }
            Value::Set(..) => self.set(b, a, base, replace, path),
            Value::List(..) | Value::Tuple(_) => {
                let bs = b.and_then(Value::as_seq).unwrap_or(&[]);
                let as_ = a.and_then(Value::as_seq).unwrap_or(&[]);
                let tuple = matches!(sample, Value::Tuple(_));
                let mut action = base;
                let mut elems = Vec::new();
                if tuple && (self.dynamic || bs.len() == as_.len() || b.is_none() || a.is_none()) {
                    for i in 0..bs.len().max(as_.len()) {
                        path.0.push(PathStep::Index(i as u64));
                        let d = self.value(bs.get(i), as_.get(i), path);
                        path.0.pop();
                        action = compare(action, d.action);
                        elems.push(d);
                    }
                } else {
                    let is_obj = |v: &Value| matches!(v.unmarked(), Value::Object(_));
                    process_slice(bs, as_, is_obj, |bi, ai| {
                        path.0.push(PathStep::Index(ai.or(bi).unwrap_or(0) as u64));
                        let d = self.value(bi.map(|i| &bs[i]), ai.map(|i| &as_[i]), path);
                        path.0.pop();
                        action = compare(action, d.action);
                        elems.push(d);
                    });
                }
                Diff { kind: Kind::List { elems, context: true }, action, replace }
            }
            _ => Diff { kind: Kind::Prim { before: None, after: None }, action: Act::NoOp, replace },
        }
    }

    fn set(&self, b: Option<&Value>, a: Option<&Value>, base: Act, replace: bool, path: &mut AttrPath) -> Diff {
        let bs = b.and_then(Value::as_seq).unwrap_or(&[]);
        let as_ = a.and_then(Value::as_seq).unwrap_or(&[]);
        let mut action = base;
        let mut elems = Vec::new();
        let mut used = vec![false; as_.len()];
        for bv in bs {
            let found = as_.iter().position(|x| x == bv);
            if let Some(j) = found {
                used[j] = true;
            }
            let d = self.value(Some(bv), found.map(|j| &as_[j]), path);
            action = compare(action, d.action);
            elems.push(d);
        }
        for (j, av) in as_.iter().enumerate() {
            if !used[j] {
                let d = self.value(None, Some(av), path);
                action = compare(action, d.action);
                elems.push(d);
            }
        }
        Diff { kind: Kind::Set(elems), action, replace }
    }

    /// A resource (or nested block) body, using the schema to tell nested blocks from
    /// attributes; without a schema every key is an attribute.
    fn block(&self, b: Option<&Value>, a: Option<&Value>, schema: Option<&Block>, path: &mut AttrPath) -> Diff {
        let b = non_null(b);
        let a = non_null(a);
        let bm = b.and_then(Value::as_map);
        let am = a.and_then(Value::as_map);
        let mut action = default_iter_action(b, a);
        let mut attrs = Vec::new();
        let mut blocks = Vec::new();
        let keys: BTreeSet<&String> = bm.iter().flat_map(|m| m.keys()).chain(am.iter().flat_map(|m| m.keys())).collect();
        for k in keys {
            let bv = bm.and_then(|m| m.get(k));
            let av = am.and_then(|m| m.get(k));
            path.0.push(PathStep::Attr(k.clone()));
            if let Some(nb) = schema.and_then(|s| s.blocks.get(k)) {
                let g = self.block_group(k, bv, av, nb.nesting, &nb.block, nb.force_new, path);
                for (_, d) in &g.items {
                    action = compare(action, d.action);
                }
                if !g.items.is_empty() {
                    blocks.push(g);
                }
            } else {
                let attr_schema = schema.and_then(|s| s.attributes.get(k));
                let dynamic = attr_schema.is_some_and(|at| at.ty == Type::Dynamic);
                // Terraform treats schema-sensitive attributes as sensitive on both sides,
                // whatever marks the stored state carries.
                let (bv_m, av_m);
                let (bv, av) = if attr_schema.is_some_and(|at| at.sensitive) {
                    bv_m = bv.filter(|v| !v.is_null()).map(|v| v.clone().mark_sensitive());
                    av_m = av.filter(|v| !v.is_null()).map(|v| v.clone().mark_sensitive());
                    (bv_m.as_ref(), av_m.as_ref())
                } else {
                    (bv, av)
                };
                let d = if dynamic {
                    let sub = Ctx { replace: self.replace, dynamic: true };
                    let (eb, ea) = (bv.map(erase), av.map(erase));
                    sub.value(eb.as_ref(), ea.as_ref(), path)
                } else {
                    self.value(bv, av, path)
                };
                path.0.pop();
                if d.action == Act::NoOp && non_null(bv).is_none() && non_null(av).is_none() {
                    continue;
                }
                action = compare(action, d.action);
                attrs.push((k.clone(), d));
                continue;
            }
            path.0.pop();
        }
        Diff { kind: Kind::Block { attrs, blocks }, action, replace: self.replaced(path) }
    }

    #[allow(clippy::too_many_arguments)]
    fn block_group(
        &self,
        name: &str,
        b: Option<&Value>,
        a: Option<&Value>,
        nesting: Nesting,
        schema: &Block,
        force_new: bool,
        path: &mut AttrPath,
    ) -> BlockGroup {
        let mut items = Vec::new();
        let b = non_null(b).map(Value::unmarked);
        let a = non_null(a).map(Value::unmarked);
        // Only the plan's replace paths say what forces replacement (the schema's
        // `force_new` is the provider's business); a path naming the whole block group
        // marks every changed block in it.
        let _ = force_new;
        let group_replaced = self.replaced(path);
        let mut push = |label: String, mut d: Diff| {
            d.replace |= group_replaced && d.action != Act::NoOp;
            items.push((label, d));
        };
        match nesting {
            Nesting::Single | Nesting::Group => {
                if b.is_some() || a.is_some() {
                    push(String::new(), self.block(b, a, Some(schema), path));
                }
            }
            Nesting::Map => {
                let bm = b.and_then(Value::as_map);
                let am = a.and_then(Value::as_map);
                let keys: BTreeSet<&String> = bm.iter().flat_map(|m| m.keys()).chain(am.iter().flat_map(|m| m.keys())).collect();
                for k in keys {
                    path.0.push(PathStep::Key(k.clone()));
                    let d = self.block(bm.and_then(|m| m.get(k)), am.and_then(|m| m.get(k)), Some(schema), path);
                    path.0.pop();
                    push(format!(" {}", go_quote(k)), d);
                }
            }
            Nesting::List | Nesting::Set => {
                let bs = b.and_then(Value::as_seq).unwrap_or(&[]);
                let as_ = a.and_then(Value::as_seq).unwrap_or(&[]);
                if nesting == Nesting::List {
                    for i in 0..bs.len().max(as_.len()) {
                        path.0.push(PathStep::Index(i as u64));
                        let d = self.block(bs.get(i), as_.get(i), Some(schema), path);
                        path.0.pop();
                        push(String::new(), d);
                    }
                } else {
                    let mut used = vec![false; as_.len()];
                    for bv in bs {
                        let found = as_.iter().position(|x| x == bv);
                        if let Some(j) = found {
                            used[j] = true;
                        }
                        push(String::new(), self.block(Some(bv), found.map(|j| &as_[j]), Some(schema), path));
                    }
                    for (j, av) in as_.iter().enumerate() {
                        if !used[j] {
                            push(String::new(), self.block(None, Some(av), Some(schema), path));
                        }
                    }
                }
            }
        }
        BlockGroup { name: name.to_string(), items }
    }
}

/// Diff of a whole resource object (`before`/`after` are `None` for create/delete).
pub fn diff_resource(before: Option<&Value>, after: Option<&Value>, schema: Option<&Block>, replace_paths: &[AttrPath]) -> Diff {
    let cx = Ctx { replace: replace_paths, dynamic: false };
    cx.block(before, after, schema, &mut AttrPath::root())
}

/// Diff of a single value (a map element, a JSON document …).
pub fn diff_value(before: Option<&Value>, after: Option<&Value>) -> Diff {
    let cx = Ctx { replace: &[], dynamic: false };
    cx.value(before, after, &mut AttrPath::root())
}

/// Diff of a value Terraform only knows through JSON (output values, `dynamic`
/// attributes): maps print as objects, lists and sets as tuples, nulls inside objects kept.
pub fn diff_value_dynamic(before: Option<&Value>, after: Option<&Value>) -> Diff {
    let cx = Ctx { replace: &[], dynamic: true };
    let (b, a) = (before.map(erase), after.map(erase));
    cx.value(b.as_ref(), a.as_ref(), &mut AttrPath::root())
}

/// Terraform's `collections.ProcessSlice`: walks two sequences along their longest common
/// subsequence, reporting deletions, then insertions, then the common element; an object
/// deleted opposite an object inserted is reported as one changed element.
pub fn process_slice<T: PartialEq>(
    before: &[T],
    after: &[T],
    is_obj: impl Fn(&T) -> bool,
    mut process: impl FnMut(Option<usize>, Option<usize>),
) {
    if before.len().saturating_mul(after.len()) > LCS_CELL_LIMIT {
        // Terraform's quadratic LCS would need gigabytes here: use Myers' diff (similar),
        // reported in the same order (deletions, then insertions, then the common element).
        return process_slice_myers(before, after, process);
    }
    let lcs = lcs_indices(before, after);
    let (mut bi, mut ai, mut li) = (0usize, 0usize, 0usize);
    while bi < before.len() || ai < after.len() || li < lcs.len() {
        while bi < before.len() && (li >= lcs.len() || before[bi] != before[lcs[li].0]) {
            let obj = is_obj(&before[bi])
                && ai < after.len()
                && is_obj(&after[ai])
                && (li >= lcs.len() || after[ai] != before[lcs[li].0]);
            if obj {
                process(Some(bi), Some(ai));
                bi += 1;
                ai += 1;
                continue;
            }
            process(Some(bi), None);
            bi += 1;
        }
        while ai < after.len() && (li >= lcs.len() || after[ai] != before[lcs[li].0]) {
            process(None, Some(ai));
            ai += 1;
        }
        if li < lcs.len() {
            process(Some(bi), Some(ai));
            bi += 1;
            ai += 1;
            li += 1;
        }
    }
}

/// Above this many LCS matrix cells (before × after) [`process_slice`] switches to Myers.
pub const LCS_CELL_LIMIT: usize = 4_000_000;

fn process_slice_myers<T: PartialEq>(before: &[T], after: &[T], mut process: impl FnMut(Option<usize>, Option<usize>)) {
    use similar::algorithms::{myers, Capture};
    use similar::DiffOp;
    let mut cap = Capture::new();
    // Capture's hook never fails.
    let _ = myers::diff(&mut cap, before, 0..before.len(), after, 0..after.len());
    for op in cap.into_ops() {
        match op {
            DiffOp::Equal { old_index, new_index, len } => {
                for k in 0..len {
                    process(Some(old_index + k), Some(new_index + k));
                }
            }
            DiffOp::Delete { old_index, old_len, .. } => {
                for k in 0..old_len {
                    process(Some(old_index + k), None);
                }
            }
            DiffOp::Insert { new_index, new_len, .. } => {
                for k in 0..new_len {
                    process(None, Some(new_index + k));
                }
            }
            DiffOp::Replace { old_index, old_len, new_index, new_len } => {
                for k in 0..old_len {
                    process(Some(old_index + k), None);
                }
                for k in 0..new_len {
                    process(None, Some(new_index + k));
                }
            }
        }
    }
}

/// Terraform's `objchange.LongestCommonSubsequence`, same tie-breaking; returns index pairs.
fn lcs_indices<T: PartialEq>(xs: &[T], ys: &[T]) -> Vec<(usize, usize)> {
    if xs.is_empty() || ys.is_empty() {
        return Vec::new();
    }
    let w = xs.len();
    let mut c = vec![0usize; xs.len() * ys.len()];
    let mut eqs = vec![false; xs.len() * ys.len()];
    for y in 0..ys.len() {
        for x in 0..xs.len() {
            if xs[x] == ys[y] {
                eqs[w * y + x] = true;
                c[w * y + x] = if x == 0 || y == 0 { 1 } else { c[w * (y - 1) + (x - 1)] + 1 };
            } else {
                let l = if x > 0 { c[w * y + (x - 1)] } else { 0 };
                let u = if y > 0 { c[w * (y - 1) + x] } else { 0 };
                c[w * y + x] = l.max(u);
            }
        }
    }
    let mut seq = Vec::new();
    let (mut x, mut y) = (xs.len() as isize - 1, ys.len() as isize - 1);
    while x > -1 && y > -1 {
        let (xu, yu) = (x as usize, y as usize);
        if eqs[w * yu + xu] {
            seq.push((xu, yu));
            x -= 1;
            y -= 1;
        } else {
            let l = if x > 0 { c[w * yu + (xu - 1)] } else { 0 };
            let u = if y > 0 { c[w * (yu - 1) + xu] } else { 0 };
            if l > u {
                x -= 1;
            } else {
                y -= 1;
            }
        }
    }
    seq.reverse();
    seq
}

// ----------------------------------------------------------------------------------------
// Rendering
// ----------------------------------------------------------------------------------------

pub fn indent(n: usize) -> String {
    "    ".repeat(n)
}

fn sym(a: Act, o: &Opts) -> String {
    if o.hide_symbols {
        return String::new();
    }
    format!("{} ", colorize(action_symbol(a), o.color))
}

fn forces(replace: bool, o: &Opts) -> String {
    if replace || o.override_forces_replacement {
        colorize(" [red]# forces replacement[reset]", o.color)
    } else {
        String::new()
    }
}

fn null_suffix(a: Act, o: &Opts) -> String {
    if !o.override_null_suffix && a == Act::Delete {
        colorize(" [dark_gray]-> null[reset]", o.color)
    } else {
        String::new()
    }
}

fn arrow(o: &Opts) -> String {
    colorize("[yellow]->[reset]", o.color)
}

fn unchanged(word: &str, n: usize, o: &Opts) -> String {
    let s = if n == 1 { "" } else { "s" };
    colorize(&format!("[dark_gray]# ({n} unchanged {word}{s} hidden)[reset]"), o.color)
}

fn important(k: &str) -> bool {
    k == "id" || k == "name" || k == "tags"
}

/// Go's `%q` quoting (strconv.Quote): printable Unicode kept, the rest escaped.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\x0b' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if c.is_control() || matches!(c as u32, 0x200b..=0x200f | 0x2028..=0x202e | 0xfeff) => {
                if (c as u32) > 0xffff {
                    out.push_str(&format!("\\U{:08x}", c as u32));
                } else {
                    out.push_str(&format!("\\u{:04x}", c as u32));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Attribute and map key names: bare when a valid identifier, quoted otherwise.
pub fn key_name(k: &str) -> String {
    let mut cs = k.chars();
    let ok = match cs.next() {
        Some(c) if c.is_alphabetic() || c == '_' => cs.all(|c| c.is_alphanumeric() || c == '_' || c == '-'),
        _ => false,
    };
    if ok {
        k.to_string()
    } else {
        go_quote(k)
    }
}

fn prim(v: &Option<Value>, o: &Opts) -> String {
    match v {
        None => colorize("[dark_gray]null[reset]", o.color),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => go_quote(s),
        Some(_) => String::new(),
    }
}

struct Str {
    text: String,
    multiline: bool,
    json: Option<serde_json::Value>,
}

fn eval_str(s: &str) -> Str {
    if s.starts_with('{') || s.starts_with('[') {
        if let Ok(j) = serde_json::from_str::<serde_json::Value>(s) {
            return Str { text: s.to_string(), multiline: false, json: Some(j) };
        }
    }
    if s.contains('\n') {
        return Str { text: s.trim().to_string(), multiline: true, json: None };
    }
    Str { text: s.to_string(), multiline: false, json: None }
}

fn json_to_value(j: &serde_json::Value) -> Value {
    Value::from_json(j, &Type::Dynamic).unwrap_or_default()
}

impl Diff {
    /// Terraform's `RenderHuman(indent, opts)`.
    pub fn render(&self, ind: usize, o: &Opts) -> String {
        match &self.kind {
            Kind::Prim { before, after } => self.render_prim(before, after, ind, o),
            Kind::Sensitive { .. } => {
                format!("(sensitive value){}{}", null_suffix(self.action, o), forces(self.replace, o))
            }
            Kind::Unknown { before } => {
                if self.action == Act::Create || before.is_none() {
                    return format!("(known after apply){}", forces(self.replace, o));
                }
                let mut o2 = *o;
                o2.override_null_suffix = true;
                let b = before.as_ref().map(|b| b.render(ind, &o2)).unwrap_or_default();
                format!("{b} -> (known after apply){}", forces(self.replace, o))
            }
            Kind::TypeChange { before, after } => {
                format!("{} {} {}", before.render(ind, o), arrow(o), after.render(ind, o))
            }
            Kind::Object(attrs) => self.render_object(attrs, ind, o),
            Kind::Map(elems) => self.render_map(elems, ind, o),
            Kind::List { elems, context } => self.render_list(elems, *context, ind, o),
            Kind::Set(elems) => self.render_set(elems, ind, o),
            Kind::Block { attrs, blocks } => self.render_block(attrs, blocks, ind, o),
        }
    }

    /// Warning lines shown above an attribute whose sensitivity changes.
    pub fn warnings(&self, ind: usize, o: &Opts) -> Vec<String> {
        let Kind::Sensitive { before, after, inner } = &self.kind else { return Vec::new() };
        if before == after || matches!(inner, Act::Create | Act::Delete) {
            return Vec::new();
        }
        let w = if *before {
            format!("  # [yellow]Warning[reset]: this attribute value will no longer be marked as sensitive\n{}  # after applying this change.", indent(ind))
        } else {
            format!("  # [yellow]Warning[reset]: this attribute value will be marked as sensitive and will not\n{}  # display in UI output after applying this change.", indent(ind))
        };
        let w = colorize(&w, o.color);
        if *inner == Act::NoOp {
            vec![format!("{w} The value is unchanged.")]
        } else {
            vec![w]
        }
    }

    fn render_prim(&self, before: &Option<Value>, after: &Option<Value>, ind: usize, o: &Opts) -> String {
        let is_str = matches!(after.as_ref().or(before.as_ref()), Some(Value::String(_)));
        if !is_str {
            let (bv, av) = (prim(before, o), prim(after, o));
            return match self.action {
                Act::Create => format!("{av}{}", forces(self.replace, o)),
                Act::Delete => format!("{bv}{}{}", null_suffix(self.action, o), forces(self.replace, o)),
                Act::NoOp => format!("{bv}{}", forces(self.replace, o)),
                _ => format!("{bv} {} {av}{}", arrow(o), forces(self.replace, o)),
            };
        }
        let s = |v: &Option<Value>| v.as_ref().and_then(|v| v.as_str().map(str::to_string));
        let pad = format!("{}{}", indent(ind + 1), sym(Act::NoOp, o));
        let lines: Vec<String> = match self.action {
            Act::Create | Act::NoOp | Act::Delete => {
                let src = if self.action == Act::Delete { before } else { after };
                let Some(raw) = s(src) else {
                    return format!("{}{}{}", prim(src, o), null_suffix(self.action, o), forces(self.replace, o));
                };
                let st = eval_str(&raw);
                if let Some(j) = &st.json {
                    let jv = json_to_value(j);
                    let d = match self.action {
                        Act::Create => diff_value(None, Some(&jv)),
                        Act::Delete => diff_value(Some(&jv), None),
                        _ => diff_value(Some(&jv), Some(&jv)),
                    };
                    return self.render_json_string(&d, ind, o);
                }
                if !st.multiline {
                    let suffix = if self.action == Act::Delete { null_suffix(self.action, o) } else { String::new() };
                    return format!("{}{suffix}{}", go_quote(&st.text), forces(self.replace, o));
                }
                st.text.split('\n').map(|l| format!("{pad}{l}")).collect()
            }
            _ => {
                let (Some(br), Some(ar)) = (s(before), s(after)) else {
                    return format!("{} {} {}{}", prim(before, o), arrow(o), prim(after, o), forces(self.replace, o));
                };
                let (bs, as_) = (eval_str(&br), eval_str(&ar));
                if let (Some(bj), Some(aj)) = (&bs.json, &as_.json) {
                    let d = diff_value(Some(&json_to_value(bj)), Some(&json_to_value(aj)));
                    return self.render_json_string(&d, ind, o);
                }
                if !bs.multiline && !as_.multiline {
                    return format!("{} {} {}{}", go_quote(&bs.text), arrow(o), go_quote(&as_.text), forces(self.replace, o));
                }
                let bl: Vec<&str> = bs.text.split('\n').collect();
                let al: Vec<&str> = as_.text.split('\n').collect();
                let mut lines = Vec::new();
                process_slice(&bl, &al, |_| false, |bi, ai| match (bi, ai) {
                    (None, Some(a)) => lines.push(format!("{}{}{}", indent(ind + 1), sym(Act::Create, o), al[a])),
                    (Some(b), None) => lines.push(format!("{}{}{}", indent(ind + 1), sym(Act::Delete, o), bl[b])),
                    (Some(b), Some(_)) => lines.push(format!("{pad}{}", bl[b])),
                    (None, None) => {}
                });
                lines
            }
        };
        format!(
            "<<-EOT{}\n{}\n{}{}EOT{}",
            forces(self.replace, o),
            lines.join("\n"),
            indent(ind),
            sym(Act::NoOp, o),
            null_suffix(self.action, o)
        )
    }

    fn render_json_string(&self, d: &Diff, ind: usize, o: &Opts) -> String {
        let mut o2 = *o;
        o2.override_null_suffix = true;
        let inner = d.render(ind, &o2);
        let whitespace = if d.action == Act::NoOp && self.action == Act::Update {
            colorize(" [dark_gray]# whitespace changes[reset]", o.color)
        } else {
            String::new()
        };
        format!("jsonencode({inner}){whitespace}{}{}", null_suffix(self.action, o), forces(self.replace, o))
    }

    fn render_object(&self, attrs: &[(String, Diff)], ind: usize, o: &Opts) -> String {
        if attrs.is_empty() {
            return format!("{{}}{}{}", null_suffix(self.action, o), forces(self.replace, o));
        }
        let mut ao = *o;
        ao.override_null_suffix = true;
        let width = attrs.iter().map(|(k, _)| key_name(k).len()).max().unwrap_or(0);
        let mut hidden = 0;
        let mut buf = format!("{{{}\n", forces(self.replace, o));
        for (k, d) in attrs {
            let key = key_name(k);
            if important(k) {
                let mut io = ao;
                io.show_unchanged = true;
                for w in d.warnings(ind + 1, &io) {
                    buf += &format!("{}{w}\n", indent(ind + 1));
                }
                buf += &format!("{}{}{key:<width$} = {}\n", indent(ind + 1), sym(d.action, &io), d.render(ind + 1, &io));
                continue;
            }
            if d.action == Act::NoOp && !o.show_unchanged {
                hidden += 1;
                continue;
            }
            for w in d.warnings(ind + 1, o) {
                buf += &format!("{}{w}\n", indent(ind + 1));
            }
            buf += &format!("{}{}{key:<width$} = {}\n", indent(ind + 1), sym(d.action, &ao), d.render(ind + 1, &ao));
        }
        if hidden > 0 {
            buf += &format!("{}{}{}\n", indent(ind + 1), sym(Act::NoOp, o), unchanged("attribute", hidden, o));
        }
        buf += &format!("{}{}}}{}", indent(ind), sym(Act::NoOp, o), null_suffix(self.action, o));
        buf
    }

    fn render_map(&self, elems: &[(String, Diff)], ind: usize, o: &Opts) -> String {
        if elems.is_empty() {
            return format!("{{}}{}{}", null_suffix(self.action, o), forces(self.replace, o));
        }
        let mut eo = *o;
        eo.override_null_suffix = true;
        let width = elems.iter().map(|(k, _)| key_name(k).len()).max().unwrap_or(0);
        let mut hidden = 0;
        let mut buf = format!("{{{}\n", forces(self.replace, o));
        for (k, d) in elems {
            if d.action == Act::NoOp && !o.show_unchanged {
                hidden += 1;
                continue;
            }
            for w in d.warnings(ind + 1, o) {
                buf += &format!("{}{w}\n", indent(ind + 1));
            }
            let comma = if matches!(d.kind, Kind::Object(_)) { "," } else { "" };
            buf += &format!("{}{}{:<width$} = {}{comma}\n", indent(ind + 1), sym(d.action, &eo), key_name(k), d.render(ind + 1, &eo));
        }
        if hidden > 0 {
            buf += &format!("{}{}{}\n", indent(ind + 1), sym(Act::NoOp, o), unchanged("element", hidden, o));
        }
        buf += &format!("{}{}}}{}", indent(ind), sym(Act::NoOp, o), null_suffix(self.action, o));
        buf
    }

    fn render_list(&self, elems: &[Diff], context: bool, ind: usize, o: &Opts) -> String {
        if elems.is_empty() {
            return format!("[]{}{}", null_suffix(self.action, o), forces(self.replace, o));
        }
        let mut eo = *o;
        eo.override_null_suffix = true;
        let mut uo = *o;
        uo.show_unchanged = true;
        let mut pending: Vec<&Diff> = Vec::new();
        let mut render_next = false;
        let mut buf = format!("[{}\n", forces(self.replace, o));
        for d in elems {
            if d.action == Act::NoOp && !render_next && !o.show_unchanged {
                pending.push(d);
                continue;
            }
            render_next = false;
            let mut opts = eo;
            if context {
                if pending.len() > 1 {
                    buf += &format!("{}{}{}\n", indent(ind + 1), sym(Act::NoOp, o), unchanged("element", pending.len() - 1, o));
                }
                if let Some(last) = pending.last() {
                    buf += &format!("{}{}{},\n", indent(ind + 1), sym(last.action, &uo), last.render(ind + 1, &uo));
                }
                pending.clear();
                if d.action == Act::NoOp {
                    opts = uo;
                } else {
                    render_next = true;
                }
            }
            for w in d.warnings(ind + 1, &opts) {
                buf += &format!("{}{w}\n", indent(ind + 1));
            }
            buf += &format!("{}{}{},\n", indent(ind + 1), sym(d.action, &opts), d.render(ind + 1, &opts));
        }
        if !pending.is_empty() {
            buf += &format!("{}{}{}\n", indent(ind + 1), sym(Act::NoOp, o), unchanged("element", pending.len(), o));
        }
        buf += &format!("{}{}]{}", indent(ind), sym(Act::NoOp, o), null_suffix(self.action, o));
        buf
    }

    fn render_set(&self, elems: &[Diff], ind: usize, o: &Opts) -> String {
        if elems.is_empty() {
            return format!("[]{}{}", null_suffix(self.action, o), forces(self.replace, o));
        }
        let mut eo = *o;
        eo.override_null_suffix = true;
        let mut hidden = 0;
        let mut buf = format!("[{}\n", forces(self.replace, o));
        for d in elems {
            if d.action == Act::NoOp && !o.show_unchanged {
                hidden += 1;
                continue;
            }
            for w in d.warnings(ind + 1, o) {
                buf += &format!("{}{w}\n", indent(ind + 1));
            }
            buf += &format!("{}{}{},\n", indent(ind + 1), sym(d.action, &eo), d.render(ind + 1, &eo));
        }
        if hidden > 0 {
            buf += &format!("{}{}{}\n", indent(ind + 1), sym(Act::NoOp, o), unchanged("element", hidden, o));
        }
        buf += &format!("{}{}]{}", indent(ind), sym(Act::NoOp, o), null_suffix(self.action, o));
        buf
    }

    fn render_block(&self, attrs: &[(String, Diff)], blocks: &[BlockGroup], ind: usize, o: &Opts) -> String {
        if attrs.is_empty() && blocks.is_empty() {
            return format!("{{}}{}", forces(self.replace, o));
        }
        let width = attrs.iter().map(|(k, _)| key_name(k).len()).max().unwrap_or(0);
        let mut hidden_attrs = 0;
        let mut hidden_blocks = 0;
        let mut buf = format!("{{{}\n", forces(self.replace, o));
        for (k, d) in attrs {
            let key = key_name(k);
            if important(k) {
                let mut io = *o;
                io.show_unchanged = true;
                for w in d.warnings(ind + 1, &io) {
                    buf += &format!("{}{w}\n", indent(ind + 1));
                }
                buf += &format!("{}{}{key:<width$} = {}\n", indent(ind + 1), sym(d.action, &io), d.render(ind + 1, &io));
                continue;
            }
            if d.action == Act::NoOp && !o.show_unchanged {
                hidden_attrs += 1;
                continue;
            }
            for w in d.warnings(ind + 1, o) {
                buf += &format!("{}{w}\n", indent(ind + 1));
            }
            buf += &format!("{}{}{key:<width$} = {}\n", indent(ind + 1), sym(d.action, o), d.render(ind + 1, o));
        }
        if hidden_attrs > 0 {
            buf += &format!("{}{}{}\n", indent(ind + 1), sym(Act::NoOp, o), unchanged("attribute", hidden_attrs, o));
        }
        for g in blocks {
            let mut found = false;
            for (label, d) in &g.items {
                if d.action == Act::NoOp && !o.show_unchanged {
                    hidden_blocks += 1;
                    continue;
                }
                if !found && !attrs.is_empty() {
                    buf.push('\n');
                    found = true;
                }
                buf += &format!("{}{}{}{label} {}\n", indent(ind + 1), sym(d.action, o), key_name(&g.name), d.render(ind + 1, o));
            }
        }
        if hidden_blocks > 0 {
            buf += &format!("\n{}{}{}\n", indent(ind + 1), sym(Act::NoOp, o), unchanged("block", hidden_blocks, o));
        }
        buf += &format!("{}{}}}", indent(ind), sym(Act::NoOp, o));
        buf
    }
}

/// Converts a Terraform `[tag]` string for a header when colours are off or on.
pub fn tags(s: &str, color: bool) -> String {
    colorize(s, color)
}

/// A map of values rendered as an object body (`values` of a data source read etc.).
pub fn object_of(m: BTreeMap<String, Value>) -> Value {
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lcs_matches_terraform_order() {
        let b = ["line1", "line2", "line3"];
        let a = ["line1", "line2 changed", "line3", "line4"];
        let mut got = Vec::new();
        process_slice(&b, &a, |_| false, |x, y| got.push((x, y)));
        assert_eq!(
            got,
            vec![(Some(0), Some(0)), (Some(1), None), (None, Some(1)), (Some(2), Some(2)), (None, Some(3))]
        );
    }

    #[test]
    fn huge_line_diffs_use_myers() {
        let b: Vec<String> = (0..3000).map(|i| format!("line {i}")).collect();
        let mut a = b.clone();
        a[1500] = "changed".into();
        a.push("new".into());
        let mut got = Vec::new();
        process_slice(&b, &a, |_| false, |x, y| got.push((x, y)));
        assert_eq!(got.len(), 3002);
        assert!(got.contains(&(Some(1500), None)) && got.contains(&(None, Some(1500))) && got.contains(&(None, Some(3000))));
    }

    #[test]
    fn colorize_strips_or_expands() {
        assert_eq!(colorize("  [green]+[reset]", false), "  +");
        assert_eq!(colorize("  [green]+[reset]", true), "  \x1b[32m+\x1b[0m\x1b[0m");
        assert_eq!(colorize("a[0]", true), "a[0]");
    }

    #[test]
    fn go_quote_escapes() {
        assert_eq!(go_quote("a\"b\\c\n\u{1}é"), "\"a\\\"b\\\\c\\n\\x01é\"");
    }
}
