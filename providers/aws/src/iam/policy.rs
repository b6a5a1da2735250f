//! IAM policy JSON: the `aws_iam_policy_document` data source (upstream's exact output:
//! Go's `json.MarshalIndent` with two spaces, HTML-safe escaping, single-element lists
//! collapsed to strings, other lists sorted in reverse), semantic policy comparison (for
//! `assume_role_policy`), and Go-style normalised JSON.

use crate::framework::*;
use async_trait::async_trait;
use plinth_sdk::{
    Attribute, Block, Diagnostic, Diagnostics, NestedBlock, Nesting, Schema, Type, Value,
};
use serde_json::Value as J;

// ---- a tiny ordered JSON model, rendered exactly as Go's encoding/json does -------------

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum GoJson {
    Str(String),
    Raw(String),
    Arr(Vec<GoJson>),
    Obj(Vec<(String, GoJson)>),
}

/// A string literal as Go's encoder writes it (HTML-safe: `<`, `>`, `&` as `\u003c`…).
pub(crate) fn go_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

impl GoJson {
    pub fn compact(&self) -> String {
        let mut s = String::new();
        self.write(&mut s, None, 0);
        s
    }
    pub fn pretty(&self) -> String {
        let mut s = String::new();
        self.write(&mut s, Some("  "), 0);
        s
    }
    fn write(&self, out: &mut String, indent: Option<&str>, depth: usize) {
        let nl = |out: &mut String, d: usize| {
            if let Some(i) = indent {
                out.push('\n');
                for _ in 0..d {
                    out.push_str(i);
                }
            }
        };
        match self {
            GoJson::Str(s) => go_string(s, out),
            GoJson::Raw(r) => out.push_str(r),
            GoJson::Arr(items) => {
                if items.is_empty() {
                    out.push_str("[]");
                    return;
                }
                out.push('[');
                for (i, x) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    nl(out, depth + 1);
                    x.write(out, indent, depth + 1);
                }
                nl(out, depth);
                out.push(']');
            }
            GoJson::Obj(items) => {
                if items.is_empty() {
                    out.push_str("{}");
                    return;
                }
                out.push('{');
                for (i, (k, x)) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    nl(out, depth + 1);
                    go_string(k, out);
                    out.push(':');
                    if indent.is_some() {
                        out.push(' ');
                    }
                    x.write(out, indent, depth + 1);
                }
                nl(out, depth);
                out.push('}');
            }
        }
    }
    /// From serde_json with object keys sorted (what Go does for a `map[string]any`).
    pub fn from_json_sorted(v: &J) -> GoJson {
        match v {
            J::String(s) => GoJson::Str(s.clone()),
            J::Array(a) => GoJson::Arr(a.iter().map(GoJson::from_json_sorted).collect()),
            J::Object(m) => {
                let mut items: Vec<(String, GoJson)> = m
                    .iter()
                    .map(|(k, v)| (k.clone(), GoJson::from_json_sorted(v)))
                    .collect();
                items.sort_by(|a, b| a.0.cmp(&b.0));
                GoJson::Obj(items)
            }
            other => GoJson::Raw(other.to_string()),
        }
    }
}

/// Go's `structure.NormalizeJsonString`: compact, object keys sorted.
pub(crate) fn normalize_json(s: &str) -> Option<String> {
    let v: J = serde_json::from_str(s).ok()?;
    Some(GoJson::from_json_sorted(&v).compact())
}

// ---- semantic equivalence of policies --------------------------------------------------

/// A canonical form: keys sorted, lists as sorted sets, one-element lists as their element,
/// scalars as strings (IAM treats `true` and `"true"` alike).
fn canonical(v: &J) -> J {
    match v {
        J::Object(m) => {
            let mut items: Vec<(String, J)> = m
                .iter()
                .filter(|(k, v)| !(k.as_str() == "Sid" && v.as_str() == Some("")))
                .map(|(k, v)| (k.clone(), canonical(v)))
                .collect();
            items.sort_by(|a, b| a.0.cmp(&b.0));
            J::Object(items.into_iter().collect())
        }
        J::Array(a) => {
            let mut items: Vec<J> = a.iter().map(canonical).collect();
            items.sort_by_key(|x| x.to_string());
            items.dedup();
            if items.len() == 1 {
                items.pop().unwrap_or(J::Null)
            } else {
                J::Array(items)
            }
        }
        J::Bool(b) => J::String(b.to_string()),
        J::Number(n) => J::String(n.to_string()),
        other => other.clone(),
    }
}

/// Whether two policy documents mean the same (whitespace, key order, list order and
/// one-element lists vs strings do not matter).
pub(crate) fn policies_equivalent(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    match (serde_json::from_str::<J>(a), serde_json::from_str::<J>(b)) {
        (Ok(x), Ok(y)) => canonical(&x) == canonical(&y),
        _ => false,
    }
}

/// IAM returns policy documents URL-encoded (`%7B%22Version…`); decodes them (a document
/// that already is JSON is returned as is).
pub(crate) fn url_decode_policy(s: &str) -> String {
    if s.trim_start().starts_with('{') {
        return s.to_string();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Validates that a string is a JSON object (for `assume_role_policy`, `policy`).
pub(crate) fn check_policy_json(attr: &str, s: &str) -> Option<Diagnostic> {
    match serde_json::from_str::<J>(s) {
        Ok(J::Object(_)) => None,
        Ok(_) => Some(attr_error(
            attr,
            "not a JSON object",
            format!("{attr} must be a JSON policy document (an object), got {s:?}."),
            "use jsonencode({ Version = \"2012-10-17\", Statement = [...] }) or data.aws_iam_policy_document",
        )),
        Err(e) => Some(attr_error(
            attr,
            "invalid JSON",
            format!("{attr} is not valid JSON: {e}."),
            "use jsonencode({ Version = \"2012-10-17\", Statement = [...] }) or data.aws_iam_policy_document",
        )),
    }
}

// ---- the policy document model (upstream's iamPolicyDoc) --------------------------------

/// A list-or-string field (`Action`, `Resource`, …) kept as Go keeps it.
#[derive(Clone, Debug, PartialEq)]
enum StrOrList {
    One(String),
    Many(Vec<String>),
    /// From a source document: any JSON, re-emitted in its original order.
    Json(J),
}

impl StrOrList {
    fn to_go(&self) -> GoJson {
        match self {
            StrOrList::One(s) => GoJson::Str(s.clone()),
            StrOrList::Many(v) => GoJson::Arr(v.iter().map(|s| GoJson::Str(s.clone())).collect()),
            StrOrList::Json(j) => GoJson::from_json_sorted(j),
        }
    }
}

/// upstream's `policyDecodeConfigStrings`: one element → the string; else sorted, reversed.
fn decode_strings(mut l: Vec<String>) -> StrOrList {
    if l.len() == 1 {
        return StrOrList::One(l.remove(0));
    }
    l.sort();
    l.reverse();
    StrOrList::Many(l)
}

#[derive(Clone, Debug)]
struct Principal {
    ty: String,
    ids: StrOrList,
}

#[derive(Clone, Debug)]
struct Condition {
    test: String,
    variable: String,
    values: Vec<String>,
}

#[derive(Clone, Debug, Default)]
struct Statement {
    sid: String,
    effect: String,
    actions: Option<StrOrList>,
    not_actions: Option<StrOrList>,
    resources: Option<StrOrList>,
    not_resources: Option<StrOrList>,
    principals: Vec<Principal>,
    not_principals: Vec<Principal>,
    conditions: Vec<Condition>,
}

#[derive(Clone, Debug, Default)]
struct PolicyDoc {
    version: String,
    id: String,
    statements: Vec<Statement>,
}

fn principals_json(ps: &[Principal]) -> GoJson {
    if ps.len() == 1 && ps[0].ty == "*" {
        let star = match &ps[0].ids {
            StrOrList::One(s) => s == "*",
            StrOrList::Many(v) => v.len() == 1 && v[0] == "*",
            StrOrList::Json(_) => false,
        };
        if star {
            return GoJson::Str("*".into());
        }
    }
    // type → string or list, in the order blocks come (Go's raw map; keys sorted on output).
    let mut raw: Vec<(String, StrOrList)> = Vec::new();
    for p in ps {
        let slot = raw.iter().position(|(t, _)| *t == p.ty);
        match (&p.ids, slot) {
            (StrOrList::Many(ids), None) => {
                let mut ids = ids.clone();
                ids.sort();
                ids.reverse();
                raw.push((p.ty.clone(), StrOrList::Many(ids)));
            }
            (StrOrList::Many(ids), Some(i)) => {
                let mut ids = ids.clone();
                ids.sort();
                ids.reverse();
                let mut cur = match &raw[i].1 {
                    StrOrList::One(s) => vec![s.clone()],
                    StrOrList::Many(v) => v.clone(),
                    StrOrList::Json(_) => vec![],
                };
                cur.extend(ids);
                raw[i].1 = StrOrList::Many(cur);
            }
            (StrOrList::One(id), None) => raw.push((p.ty.clone(), StrOrList::One(id.clone()))),
            (StrOrList::One(id), Some(i)) => {
                let mut cur = match &raw[i].1 {
                    StrOrList::One(s) => vec![s.clone()],
                    StrOrList::Many(v) => v.clone(),
                    StrOrList::Json(_) => vec![],
                };
                cur.push(id.clone());
                raw[i].1 = StrOrList::Many(cur);
            }
            (StrOrList::Json(_), _) => {}
        }
    }
    raw.sort_by(|a, b| a.0.cmp(&b.0));
    GoJson::Obj(raw.into_iter().map(|(k, v)| (k, v.to_go())).collect())
}

/// Condition values by variable, in the order first seen.
type VarValues = Vec<(String, Vec<String>)>;

fn conditions_json(cs: &[Condition]) -> GoJson {
    let mut raw: Vec<(String, VarValues)> = Vec::new();
    for c in cs {
        let ti = match raw.iter().position(|(t, _)| *t == c.test) {
            Some(i) => i,
            None => {
                raw.push((c.test.clone(), Vec::new()));
                raw.len() - 1
            }
        };
        let vars = &mut raw[ti].1;
        let vi = match vars.iter().position(|(v, _)| *v == c.variable) {
            Some(i) => i,
            None => {
                vars.push((c.variable.clone(), Vec::new()));
                vars.len() - 1
            }
        };
        vars[vi].1.extend(c.values.iter().cloned());
    }
    raw.sort_by(|a, b| a.0.cmp(&b.0));
    GoJson::Obj(
        raw.into_iter()
            .map(|(t, mut vars)| {
                vars.sort_by(|a, b| a.0.cmp(&b.0));
                (
                    t,
                    GoJson::Obj(
                        vars.into_iter()
                            .map(|(v, vals)| {
                                let j = if vals.len() == 1 {
                                    GoJson::Str(vals[0].clone())
                                } else {
                                    GoJson::Arr(vals.into_iter().map(GoJson::Str).collect())
                                };
                                (v, j)
                            })
                            .collect(),
                    ),
                )
            })
            .collect(),
    )
}

impl Statement {
    fn to_go(&self) -> GoJson {
        let mut o = Vec::new();
        if !self.sid.is_empty() {
            o.push(("Sid".to_string(), GoJson::Str(self.sid.clone())));
        }
        if !self.effect.is_empty() {
            o.push(("Effect".to_string(), GoJson::Str(self.effect.clone())));
        }
        for (k, v) in [
            ("Action", &self.actions),
            ("NotAction", &self.not_actions),
            ("Resource", &self.resources),
            ("NotResource", &self.not_resources),
        ] {
            if let Some(v) = v {
                let empty = matches!(v, StrOrList::One(s) if s.is_empty())
                    || matches!(v, StrOrList::Json(J::Null));
                if !empty {
                    o.push((k.to_string(), v.to_go()));
                }
            }
        }
        if !self.principals.is_empty() {
            o.push(("Principal".to_string(), principals_json(&self.principals)));
        }
        if !self.not_principals.is_empty() {
            o.push((
                "NotPrincipal".to_string(),
                principals_json(&self.not_principals),
            ));
        }
        if !self.conditions.is_empty() {
            o.push(("Condition".to_string(), conditions_json(&self.conditions)));
        }
        GoJson::Obj(o)
    }
}

impl PolicyDoc {
    fn to_go(&self) -> GoJson {
        let mut o = Vec::new();
        if !self.version.is_empty() {
            o.push(("Version".to_string(), GoJson::Str(self.version.clone())));
        }
        if !self.id.is_empty() {
            o.push(("Id".to_string(), GoJson::Str(self.id.clone())));
        }
        if !self.statements.is_empty() {
            o.push((
                "Statement".to_string(),
                GoJson::Arr(self.statements.iter().map(Statement::to_go).collect()),
            ));
        }
        GoJson::Obj(o)
    }

    /// upstream's `Merge`: adopt the Id, upgrade the Version, statements with a Sid replace
    /// those with the same Sid.
    fn merge(&mut self, new: PolicyDoc) {
        if !new.id.is_empty() {
            self.id = new.id;
        }
        if new.version > self.version {
            self.version = new.version;
        }
        for st in new.statements {
            if st.sid.is_empty() {
                self.statements.push(st);
                continue;
            }
            match self.statements.iter().position(|x| x.sid == st.sid) {
                Some(i) => self.statements[i] = st,
                None => self.statements.push(st),
            }
        }
    }

    /// A JSON document (source/override), read as upstream's Go unmarshalling does.
    fn parse(s: &str) -> Result<PolicyDoc, String> {
        let v: J = serde_json::from_str(s).map_err(|e| e.to_string())?;
        let o = v.as_object().ok_or("the document is not a JSON object")?;
        let str_of =
            |k: &str| -> String { o.get(k).and_then(J::as_str).unwrap_or_default().to_string() };
        let mut doc = PolicyDoc {
            version: str_of("Version"),
            id: str_of("Id"),
            statements: Vec::new(),
        };
        let stmts: Vec<J> = match o.get("Statement") {
            Some(J::Array(a)) => a.clone(),
            Some(J::Null) | None => Vec::new(),
            Some(J::Object(_)) => {
                return Err("Statement must be a list of statements".into());
            }
            Some(_) => return Err("Statement must be a list of statements".into()),
        };
        for s in stmts {
            let so = s.as_object().ok_or("a statement is not a JSON object")?;
            let g = |k: &str| {
                so.get(k)
                    .filter(|v| !v.is_null())
                    .cloned()
                    .map(StrOrList::Json)
            };
            let mut st = Statement {
                sid: so
                    .get("Sid")
                    .and_then(J::as_str)
                    .unwrap_or_default()
                    .to_string(),
                effect: so
                    .get("Effect")
                    .and_then(J::as_str)
                    .unwrap_or_default()
                    .to_string(),
                actions: g("Action"),
                not_actions: g("NotAction"),
                resources: g("Resource"),
                not_resources: g("NotResource"),
                ..Default::default()
            };
            for (k, slot) in [
                ("Principal", &mut st.principals),
                ("NotPrincipal", &mut st.not_principals),
            ] {
                match so.get(k) {
                    None | Some(J::Null) => {}
                    Some(J::String(_)) => slot.push(Principal {
                        ty: "*".into(),
                        ids: StrOrList::Many(vec!["*".into()]),
                    }),
                    Some(J::Object(m)) => {
                        for (ty, ids) in m {
                            let ids = match ids {
                                J::String(s) => StrOrList::One(s.clone()),
                                J::Array(a) => {
                                    let mut v = Vec::new();
                                    for x in a {
                                        v.push(x.as_str().ok_or_else(|| format!("a {k} identifier of type {ty:?} is not a string"))?.to_string());
                                    }
                                    v.sort();
                                    StrOrList::Many(v)
                                }
                                _ => return Err(format!("unsupported {k} value for type {ty:?}")),
                            };
                            slot.push(Principal {
                                ty: ty.clone(),
                                ids,
                            });
                        }
                    }
                    Some(_) => return Err(format!("unsupported {k} value")),
                }
            }
            if let Some(J::Object(tests)) = so.get("Condition") {
                for (test, vars) in tests {
                    let Some(vars) = vars.as_object() else {
                        return Err(format!("Condition {test:?} is not an object"));
                    };
                    for (var, vals) in vars {
                        let values = match vals {
                            J::String(s) => vec![s.clone()],
                            J::Bool(b) => vec![b.to_string()],
                            J::Array(a) => a
                                .iter()
                                .map(|x| match x {
                                    J::String(s) => s.clone(),
                                    other => other.to_string(),
                                })
                                .collect(),
                            _ => continue,
                        };
                        st.conditions.push(Condition {
                            test: test.clone(),
                            variable: var.clone(),
                            values,
                        });
                    }
                }
            }
            doc.statements.push(st);
        }
        Ok(doc)
    }
}

/// `&{aws:username}` → `${aws:username}` (Terraform would otherwise interpolate `${…}`).
fn replace_vars(s: &str, version: &str, what: &str) -> Result<String, String> {
    if version == "2008-10-17" && s.contains("&{") {
        return Err(format!(
            "reading {what}: found &{{ sequence in ({s}), which is not supported in document version 2008-10-17"
        ));
    }
    Ok(s.replace("&{", "${"))
}

/// CRC-32 (IEEE), for the data source's `id` (upstream: `create.StringHashcode`).
pub(crate) fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

/// `data "aws_iam_policy_document"`.
pub(crate) struct PolicyDocument;

fn principals_block() -> NestedBlock {
    NestedBlock {
        nesting: Nesting::Set,
        min_items: 0,
        max_items: 0,
        force_new: false,
        block: Block::new()
            .attr("identifiers", Attribute::required(Type::set(Type::String)))
            .attr("type", Attribute::required(Type::String)),
    }
}

fn seq_strings(v: Option<&Value>) -> Vec<String> {
    v.map(strings).unwrap_or_default()
}

#[async_trait]
impl DataSource for PolicyDocument {
    fn global(&self) -> bool {
        true
    }
    fn type_name(&self) -> &'static str {
        "aws_iam_policy_document"
    }
    fn schema(&self) -> Schema {
        let set = || Attribute::optional(Type::set(Type::String));
        let statement = Block::new()
            .attr("actions", set())
            .attr("effect", Attribute::optional(Type::String))
            .attr("not_actions", set())
            .attr("not_resources", set())
            .attr("resources", set())
            .attr("sid", Attribute::optional(Type::String))
            .block("principals", principals_block())
            .block("not_principals", principals_block())
            .block(
                "condition",
                NestedBlock {
                    nesting: Nesting::Set,
                    min_items: 0,
                    max_items: 0,
                    force_new: false,
                    block: Block::new()
                        .attr("test", Attribute::required(Type::String))
                        .attr("values", Attribute::required(Type::list(Type::String)))
                        .attr("variable", Attribute::required(Type::String)),
                },
            );
        Schema {
            version: 0,
            block: Block::new()
                .attr("id", Attribute::computed(Type::String))
                .attr("json", Attribute::computed(Type::String))
                .attr("minified_json", Attribute::computed(Type::String))
                .attr("override_json", Attribute::optional(Type::String))
                .attr(
                    "override_policy_documents",
                    Attribute::optional(Type::list(Type::String)),
                )
                .attr("policy_id", Attribute::optional(Type::String))
                .attr("source_json", Attribute::optional(Type::String))
                .attr(
                    "source_policy_documents",
                    Attribute::optional(Type::list(Type::String)),
                )
                .attr("version", Attribute::optional(Type::String))
                .block(
                    "statement",
                    NestedBlock {
                        nesting: Nesting::List,
                        min_items: 0,
                        max_items: 0,
                        force_new: false,
                        block: statement,
                    },
                ),
        }
    }

    async fn read(&self, _cx: &Ctx<'_>, config: &Obj) -> Result<Obj, Diagnostics> {
        let (doc, diags) = build_document(config);
        if diags.has_errors() {
            return Err(diags);
        }
        let go = doc.to_go();
        let json = go.pretty();
        let mut o = config.clone();
        o.insert("id".into(), s(crc32(json.as_bytes()).to_string()));
        o.insert("minified_json".into(), s(go.compact()));
        o.insert("json".into(), s(json));
        if get(config, "version").is_null() {
            o.insert("version".into(), s("2012-10-17"));
        }
        // Echo the statements with `effect` defaulted, as upstream's state has them.
        if let Some(Value::List(t, items)) = config.get("statement").map(Value::unmarked) {
            let items = items
                .iter()
                .map(|st| match st {
                    Value::Object(m) => {
                        let mut m = m.clone();
                        if m.get("effect").is_none_or(Value::is_null) {
                            m.insert("effect".into(), s("Allow"));
                        }
                        Value::Object(m)
                    }
                    v => v.clone(),
                })
                .collect();
            o.insert("statement".into(), Value::List(t.clone(), items));
        }
        Ok(o)
    }
}

fn doc_error(summary: impl Into<String>, help: &str) -> Diagnostic {
    let s: String = summary.into();
    Diagnostic::error(format!("writing IAM Policy Document: {s}"))
        .with_detail(format!(
            "data.aws_iam_policy_document could not build the policy: {s}."
        ))
        .with_help(help.to_string())
}

fn build_document(config: &Obj) -> (PolicyDoc, Diagnostics) {
    let mut diags = Diagnostics::new();
    let mut merged = PolicyDoc::default();
    for (attr, _) in [("source_json", ()), ("override_json", ())] {
        if get_str(config, attr).is_some_and(|v| !v.is_empty()) {
            diags.push(attr_error(
                attr,
                "no longer supported",
                format!("{attr} is deprecated and must be empty (hashicorp/aws 5.0 removed it)."),
                "use source_policy_documents / override_policy_documents (lists of JSON documents)",
            ));
        }
    }
    let mut sids = std::collections::BTreeSet::new();
    for (i, src) in get_strings(config, "source_policy_documents")
        .iter()
        .enumerate()
    {
        match PolicyDoc::parse(src) {
            Ok(doc) => {
                for (j, st) in doc.statements.iter().enumerate() {
                    if !st.sid.is_empty() && !sids.insert(st.sid.clone()) {
                        diags.push(doc_error(
                            format!("merging source document {i}: duplicate Sid ({}) in source_policy_documents (statement {j})", st.sid),
                            "remove the Sid or make the Sids unique",
                        ));
                    }
                }
                merged.merge(doc);
            }
            Err(e) => diags.push(doc_error(
                format!("merging source document {i}: {e}"),
                "source_policy_documents must hold IAM policy JSON documents",
            )),
        }
    }
    let version = get_str(config, "version").unwrap_or_else(|| "2012-10-17".into());
    if !["2008-10-17", "2012-10-17"].contains(&version.as_str()) {
        diags.push(attr_error(
            "version",
            "unsupported policy version",
            format!("{version:?} is not an IAM policy language version."),
            "use \"2012-10-17\" (or the legacy \"2008-10-17\")",
        ));
    }
    let mut doc = PolicyDoc {
        version: version.clone(),
        id: get_str(config, "policy_id").unwrap_or_default(),
        statements: Vec::new(),
    };
    let mut own_sids = std::collections::BTreeSet::new();
    let stmts = get(config, "statement")
        .as_seq()
        .map(<[Value]>::to_vec)
        .unwrap_or_default();
    for st in &stmts {
        let sget = |k: &str| st.get_attr(k).map(Value::unmarked);
        let sid = sget("sid")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        if !sid.chars().all(|c| c.is_ascii_alphanumeric()) {
            diags.push(attr_error(
                "statement.sid",
                "must only include alphanumeric characters",
                format!("The Sid {sid:?} contains characters other than letters and digits."),
                "use only A-Z, a-z and 0-9 in sid",
            ));
        }
        if !sid.is_empty() && !own_sids.insert(sid.clone()) {
            diags.push(doc_error(
                format!("duplicate Sid ({sid})"),
                "remove the Sid or make it unique",
            ));
        }
        let effect = sget("effect")
            .and_then(Value::as_str)
            .unwrap_or("Allow")
            .to_string();
        if effect != "Allow" && effect != "Deny" {
            diags.push(attr_error(
                "statement.effect",
                "expected \"Allow\" or \"Deny\"",
                format!("{effect:?} is not an IAM statement effect."),
                "use \"Allow\" or \"Deny\"",
            ));
        }
        let list = |k: &str| -> Option<Vec<String>> {
            let v = seq_strings(sget(k));
            (!v.is_empty()).then_some(v)
        };
        let mut stmt = Statement {
            sid,
            effect,
            actions: list("actions").map(decode_strings),
            not_actions: list("not_actions").map(decode_strings),
            ..Default::default()
        };
        for (k, slot) in [
            ("resources", &mut stmt.resources),
            ("not_resources", &mut stmt.not_resources),
        ] {
            if let Some(v) = list(k) {
                let mut out = Vec::new();
                for x in v {
                    match replace_vars(&x, &version, k) {
                        Ok(r) => out.push(r),
                        Err(e) => diags.push(doc_error(
                            e,
                            "use version = \"2012-10-17\" for policy variables",
                        )),
                    }
                }
                *slot = Some(decode_strings(out));
            }
        }
        for (k, slot) in [
            ("principals", &mut stmt.principals),
            ("not_principals", &mut stmt.not_principals),
        ] {
            let mut ps: Vec<Principal> = Vec::new();
            for p in sget(k).and_then(Value::as_seq).unwrap_or(&[]) {
                let ty = p
                    .get_attr("type")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                let mut ids = Vec::new();
                for x in seq_strings(p.get_attr("identifiers")) {
                    match replace_vars(&x, &version, "identifiers") {
                        Ok(r) => ids.push(r),
                        Err(e) => diags.push(doc_error(
                            e,
                            "use version = \"2012-10-17\" for policy variables",
                        )),
                    }
                }
                ps.push(Principal {
                    ty,
                    ids: decode_strings(ids),
                });
            }
            *slot = ps;
        }
        for c in sget("condition").and_then(Value::as_seq).unwrap_or(&[]) {
            let mut values = Vec::new();
            for x in c.get_attr("values").and_then(Value::as_seq).unwrap_or(&[]) {
                let x = x.as_str().unwrap_or_default();
                match replace_vars(x, &version, "values") {
                    Ok(r) => values.push(r),
                    Err(e) => diags.push(doc_error(
                        e,
                        "use version = \"2012-10-17\" for policy variables",
                    )),
                }
            }
            stmt.conditions.push(Condition {
                test: c
                    .get_attr("test")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                variable: c
                    .get_attr("variable")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                values,
            });
        }
        doc.statements.push(stmt);
    }
    merged.merge(doc);
    for (i, src) in get_strings(config, "override_policy_documents")
        .iter()
        .enumerate()
    {
        match PolicyDoc::parse(src) {
            Ok(d) => merged.merge(d),
            Err(e) => diags.push(doc_error(
                format!("merging override document {i}: {e}"),
                "override_policy_documents must hold IAM policy JSON documents",
            )),
        }
    }
    (merged, diags)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(pairs: Vec<(&str, Value)>) -> Value {
        Value::object(pairs)
    }
    fn set(xs: &[&str]) -> Value {
        Value::set(Type::String, xs.iter().map(|x| Value::string(*x)).collect())
    }

    #[test]
    fn assume_role_document_matches_upstream_formatting() {
        let principal = st(vec![
            ("type", s("Service")),
            ("identifiers", set(&["eks.amazonaws.com"])),
        ]);
        let stmt = st(vec![
            ("actions", set(&["sts:AssumeRole"])),
            (
                "principals",
                Value::set(principal.type_of(), vec![principal]),
            ),
        ]);
        let mut cfg = Obj::new();
        cfg.insert("statement".into(), Value::list(vec![stmt]));
        let (doc, d) = build_document(&cfg);
        assert!(!d.has_errors());
        assert_eq!(
            doc.to_go().pretty(),
            "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": \"sts:AssumeRole\",\n      \"Principal\": {\n        \"Service\": \"eks.amazonaws.com\"\n      }\n    }\n  ]\n}"
        );
        assert_eq!(
            doc.to_go().compact(),
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"Service":"eks.amazonaws.com"}}]}"#
        );
    }

    #[test]
    fn lists_reverse_sorted_conditions_and_escaping() {
        let cond = st(vec![
            ("test", s("StringLike")),
            ("variable", s("s3:prefix")),
            (
                "values",
                Value::list(vec![s("home/&{aws:username}/"), s("a<b")]),
            ),
        ]);
        let stmt = st(vec![
            ("sid", s("S1")),
            (
                "actions",
                set(&["s3:GetObject", "s3:ListBucket", "s3:PutObject"]),
            ),
            ("resources", set(&["arn:aws:s3:::b/*"])),
            ("condition", Value::set(cond.type_of(), vec![cond])),
        ]);
        let mut cfg = Obj::new();
        cfg.insert("statement".into(), Value::list(vec![stmt]));
        let (doc, _) = build_document(&cfg);
        let j = doc.to_go().compact();
        assert_eq!(
            j,
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"S1","Effect":"Allow","Action":["s3:PutObject","s3:ListBucket","s3:GetObject"],"Resource":"arn:aws:s3:::b/*","Condition":{"StringLike":{"s3:prefix":["home/${aws:username}/","a\u003cb"]}}}]}"#
        );
    }

    #[test]
    fn override_replaces_statements_by_sid() {
        let mut cfg = Obj::new();
        cfg.insert(
            "source_policy_documents".into(),
            Value::list(vec![s(r#"{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":["b","a"],"Resource":"*"}]}"#)]),
        );
        cfg.insert(
            "override_policy_documents".into(),
            Value::list(vec![s(r#"{"Statement":[{"Sid":"A","Effect":"Deny","Action":"x","Resource":"*","Principal":"*"}]}"#)]),
        );
        let (doc, d) = build_document(&cfg);
        assert!(!d.has_errors());
        assert_eq!(
            doc.to_go().compact(),
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Deny","Action":"x","Resource":"*","Principal":"*"}]}"#
        );
    }

    #[test]
    fn equivalence_and_decoding() {
        let a = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"Service":"ec2.amazonaws.com"}}]}"#;
        let b = "{\n \"Statement\": {\"Principal\": {\"Service\": [\"ec2.amazonaws.com\"]}, \"Action\": [\"sts:AssumeRole\"], \"Effect\": \"Allow\"},\n \"Version\": \"2012-10-17\"}";
        assert!(policies_equivalent(a, b));
        assert!(!policies_equivalent(a, &a.replace("ec2", "eks")));
        assert_eq!(url_decode_policy("%7B%22a%22%3A1%7D"), "{\"a\":1}");
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(
            normalize_json("{ \"b\": 1, \"a\": [\"<\"] }").unwrap(),
            r#"{"a":["\u003c"],"b":1}"#
        );
    }
}
