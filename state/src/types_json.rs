//! cty's type JSON, as written in state outputs: `"string"`, `["list","string"]`,
//! `["object",{"a":"number"}]`, `["tuple",["string"]]`, `"dynamic"`.

use plinth_sdk::Type;
use serde_json::{json, Value as J};

/// `Type` → cty type JSON.
pub fn type_to_json(t: &Type) -> J {
    match t {
        Type::Dynamic => json!("dynamic"),
        Type::Bool => json!("bool"),
        Type::Number => json!("number"),
        Type::String => json!("string"),
        Type::List(e) => json!(["list", type_to_json(e)]),
        Type::Set(e) => json!(["set", type_to_json(e)]),
        Type::Map(e) => json!(["map", type_to_json(e)]),
        Type::Tuple(ts) => json!(["tuple", ts.iter().map(type_to_json).collect::<Vec<_>>()]),
        Type::Object(m) => {
            let o: serde_json::Map<String, J> =
                m.iter().map(|(k, v)| (k.clone(), type_to_json(v))).collect();
            json!(["object", o])
        }
    }
}

/// cty type JSON → `Type`. Optional-attribute markers (a third element on objects, used
/// only in type constraints) are ignored.
pub fn type_from_json(j: &J) -> Result<Type, String> {
    match j {
        J::String(s) => match s.as_str() {
            "dynamic" => Ok(Type::Dynamic),
            "bool" => Ok(Type::Bool),
            "number" => Ok(Type::Number),
            "string" => Ok(Type::String),
            other => Err(format!("unknown primitive type {other:?}")),
        },
        J::Array(a) if a.len() >= 2 => {
            let kind = a[0].as_str().ok_or_else(|| format!("invalid type {j}"))?;
            match kind {
                "list" => Ok(Type::list(type_from_json(&a[1])?)),
                "set" => Ok(Type::set(type_from_json(&a[1])?)),
                "map" => Ok(Type::map(type_from_json(&a[1])?)),
                "tuple" => Ok(Type::Tuple(
                    a[1].as_array()
                        .ok_or_else(|| format!("invalid tuple type {j}"))?
                        .iter()
                        .map(type_from_json)
                        .collect::<Result<_, _>>()?,
                )),
                "object" => Ok(Type::Object(
                    a[1].as_object()
                        .ok_or_else(|| format!("invalid object type {j}"))?
                        .iter()
                        .map(|(k, v)| Ok((k.clone(), type_from_json(v)?)))
                        .collect::<Result<_, String>>()?,
                )),
                other => Err(format!("unknown type kind {other:?}")),
            }
        }
        _ => Err(format!("invalid type {j}")),
    }
}

/// `#[serde(with = "…")]` adapter for `Type` fields.
pub(crate) mod serde_type {
    use plinth_sdk::Type;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(t: &Type, s: S) -> Result<S::Ok, S::Error> {
        super::type_to_json(t).serialize(s)
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Type, D::Error> {
        let j = serde_json::Value::deserialize(d)?;
        super::type_from_json(&j).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn round_trips() {
        let t = Type::object([
            ("a", Type::Number),
            ("b", Type::Tuple(vec![Type::String])),
            ("c", Type::list(Type::map(Type::Bool))),
            ("d", Type::Dynamic),
            ("e", Type::set(Type::String)),
        ]);
        let j = type_to_json(&t);
        assert_eq!(
            j.to_string(),
            r#"["object",{"a":"number","b":["tuple",["string"]],"c":["list",["map","bool"]],"d":"dynamic","e":["set","string"]}]"#
        );
        assert_eq!(type_from_json(&j).unwrap(), t);
        assert!(type_from_json(&json!("strin")).is_err());
        assert!(type_from_json(&json!(["list"])).is_err());
    }
}
