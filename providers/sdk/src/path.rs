//! Attribute paths inside a value: `tags["Name"]`, `ingress[0].cidr_blocks`.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PathStep {
    /// `.name` on an object.
    Attr(String),
    /// `["key"]` on a map.
    Key(String),
    /// `[n]` on a list or tuple.
    Index(u64),
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AttrPath(pub Vec<PathStep>);

impl AttrPath {
    pub fn root() -> Self {
        AttrPath(Vec::new())
    }
    pub fn attr(name: impl Into<String>) -> Self {
        AttrPath(vec![PathStep::Attr(name.into())])
    }
    pub fn then(mut self, step: PathStep) -> Self {
        self.0.push(step);
        self
    }
    pub fn is_prefix_of(&self, other: &AttrPath) -> bool {
        other.0.len() >= self.0.len() && other.0[..self.0.len()] == self.0[..]
    }
    /// Terraform's JSON form used in state (`sensitive_attributes`) and plans
    /// (`replace_paths`): `[{"type":"get_attr","value":"a"},{"type":"index","value":{"value":0,"type":"number"}}]`.
    pub fn to_state_json(&self) -> serde_json::Value {
        serde_json::Value::Array(
            self.0
                .iter()
                .map(|s| match s {
                    PathStep::Attr(a) => serde_json::json!({"type": "get_attr", "value": a}),
                    PathStep::Key(k) => serde_json::json!({"type": "index", "value": {"value": k, "type": "string"}}),
                    PathStep::Index(i) => serde_json::json!({"type": "index", "value": {"value": i, "type": "number"}}),
                })
                .collect(),
        )
    }
    /// Reads the form written by [`AttrPath::to_state_json`].
    pub fn from_state_json(j: &serde_json::Value) -> Option<AttrPath> {
        let mut steps = Vec::new();
        for s in j.as_array()? {
            match s.get("type")?.as_str()? {
                "get_attr" => steps.push(PathStep::Attr(s.get("value")?.as_str()?.to_string())),
                "index" => {
                    let v = s.get("value")?;
                    match v.get("type")?.as_str()? {
                        "string" => steps.push(PathStep::Key(v.get("value")?.as_str()?.to_string())),
                        "number" => steps.push(PathStep::Index(v.get("value")?.as_u64()?)),
                        _ => return None,
                    }
                }
                _ => return None,
            }
        }
        Some(AttrPath(steps))
    }
    /// Terraform's "flat" JSON form used in plan JSON (`replace_paths`): `["a", 0, "k"]`.
    pub fn to_flat_json(&self) -> serde_json::Value {
        serde_json::Value::Array(
            self.0
                .iter()
                .map(|s| match s {
                    PathStep::Attr(a) | PathStep::Key(a) => serde_json::json!(a),
                    PathStep::Index(i) => serde_json::json!(i),
                })
                .collect(),
        )
    }
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            match s {
                PathStep::Attr(a) if i == 0 => f.write_str(a)?,
                PathStep::Attr(a) => write!(f, ".{a}")?,
                PathStep::Key(k) => write!(f, "[{k:?}]")?,
                PathStep::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn display_and_json() {
        let p = AttrPath::attr("tags").then(PathStep::Key("Name".into())).then(PathStep::Index(2));
        assert_eq!(p.to_string(), "tags[\"Name\"][2]");
        assert_eq!(AttrPath::from_state_json(&p.to_state_json()), Some(p));
    }
}
