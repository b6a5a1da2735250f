//! `lifecycle { replace_triggered_by = [...] }`, Terraform's way
//! (`EvaluateReplaceTriggeredBy`): each entry is a reference to a resource, a resource
//! instance (`x[count.index]`, `x[each.key]`, `x[0]`) or an attribute of one
//! (`x[0].tags["a"]`). A whole resource or an instance triggers the replacement when one of
//! its instances is planned for an update or a replacement (not a create, not a delete); an
//! attribute triggers it when that instance is updated or replaced and the attribute's
//! planned value differs from its prior one (an unknown planned value differs).

use plinth_sdk::{AttrPath, PathStep};

/// One parsed `replace_triggered_by` entry.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct TriggerRef {
    pub type_name: String,
    pub name: String,
    /// The source text of the instance key expression (`count.index`, `"a"`, `0`).
    pub index: Option<String>,
    /// The attribute path after the instance (empty: the whole object).
    pub path: AttrPath,
}

/// Parses `TYPE.NAME[KEY].attr[0]["k"]` from an entry's source text; `None` when it is not
/// of that form (Terraform then reports an invalid expression; callers fall back to
/// whole-resource semantics for what the references name).
pub(crate) fn parse_trigger(text: &str) -> Option<TriggerRef> {
    let s: Vec<char> = text.trim().chars().collect();
    let mut i = 0;
    let ident = |i: &mut usize| -> Option<String> {
        let start = *i;
        while *i < s.len() && (s[*i].is_alphanumeric() || s[*i] == '_' || s[*i] == '-') {
            *i += 1;
        }
        (*i > start).then(|| s[start..*i].iter().collect())
    };
    let skip_ws = |i: &mut usize| {
        while *i < s.len() && s[*i].is_whitespace() {
            *i += 1;
        }
    };
    let type_name = ident(&mut i)?;
    if s.get(i) != Some(&'.') {
        return None;
    }
    i += 1;
    let name = ident(&mut i)?;
    // A bracketed expression: its text (brackets balanced, strings skipped).
    let bracket = |i: &mut usize| -> Option<String> {
        if s.get(*i) != Some(&'[') {
            return None;
        }
        let start = *i + 1;
        let mut depth = 0usize;
        let mut in_str = false;
        while *i < s.len() {
            let c = s[*i];
            if in_str {
                if c == '\\' {
                    *i += 1;
                } else if c == '"' {
                    in_str = false;
                }
            } else if c == '"' {
                in_str = true;
            } else if c == '[' {
                depth += 1;
            } else if c == ']' {
                depth -= 1;
                if depth == 0 {
                    let inner: String = s[start..*i].iter().collect();
                    *i += 1;
                    return Some(inner.trim().to_string());
                }
            }
            *i += 1;
        }
        None
    };
    skip_ws(&mut i);
    let index = if s.get(i) == Some(&'[') {
        Some(bracket(&mut i)?)
    } else {
        None
    };
    let mut path = AttrPath::root();
    loop {
        skip_ws(&mut i);
        match s.get(i) {
            None => break,
            Some('.') => {
                i += 1;
                let a = ident(&mut i)?;
                path.0.push(PathStep::Attr(a));
            }
            Some('[') => {
                let inner = bracket(&mut i)?;
                if let Ok(n) = inner.parse::<u64>() {
                    path.0.push(PathStep::Index(n));
                } else if inner.len() >= 2 && inner.starts_with('"') && inner.ends_with('"') {
                    path.0
                        .push(PathStep::Key(inner[1..inner.len() - 1].to_string()));
                } else {
                    return None;
                }
            }
            Some(_) => return None,
        }
    }
    Some(TriggerRef {
        type_name,
        name,
        index,
        path,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_trigger_references() {
        let t = parse_trigger("terraform_data.a").unwrap();
        assert_eq!(
            (
                t.type_name.as_str(),
                t.name.as_str(),
                t.index.clone(),
                t.path.0.len()
            ),
            ("terraform_data", "a", None, 0)
        );
        let t = parse_trigger("aws_instance.web[count.index].tags[\"Name\"]").unwrap();
        assert_eq!(t.index.as_deref(), Some("count.index"));
        assert_eq!(
            t.path.0,
            vec![PathStep::Attr("tags".into()), PathStep::Key("Name".into())]
        );
        let t = parse_trigger("x.y[each.key].list[2]").unwrap();
        assert_eq!(t.index.as_deref(), Some("each.key"));
        assert_eq!(
            t.path.0,
            vec![PathStep::Attr("list".into()), PathStep::Index(2)]
        );
        let t = parse_trigger("x.y[\"a]b\"].z").unwrap();
        assert_eq!(t.index.as_deref(), Some("\"a]b\""));
        assert_eq!(
            parse_trigger("x.y.z").unwrap().path.0,
            vec![PathStep::Attr("z".into())]
        );
        assert!(parse_trigger("local.x + 1").is_none());
        assert!(parse_trigger("x").is_none());
    }
}
