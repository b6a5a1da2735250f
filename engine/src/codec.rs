//! Lossless JSON encoding of [`Value`]s for plan files: unlike state JSON it keeps unknowns,
//! typed nulls, collection kinds and sensitive marks.
//!
//! Encoding: `true`/`false`, JSON strings for strings, `{"n":"1.5"}` numbers, `[..]` tuples,
//! `{"o":{..}}` objects, `{"l":[T,[..]]}` lists, `{"s":[T,[..]]}` sets, `{"m":[T,{..}]}` maps,
//! `{"null":T}`, `{"unk":T}`, `{"sens":V}`; `T` is the serde form of [`Type`].

use plinth_sdk::{Number, Type, Value};
use serde_json::{json, Map, Value as J};

pub fn encode(v: &Value) -> J {
    match v {
        Value::Null(t) => json!({ "null": t }),
        Value::Unknown(t) => json!({ "unk": t }),
        Value::Bool(b) => J::Bool(*b),
        Value::Number(n) => json!({ "n": n.to_string() }),
        Value::String(s) => J::String(s.clone()),
        Value::List(t, vs) => json!({ "l": [t, vs.iter().map(encode).collect::<Vec<_>>()] }),
        Value::Set(t, vs) => json!({ "s": [t, vs.iter().map(encode).collect::<Vec<_>>()] }),
        Value::Map(t, m) => {
            json!({ "m": [t, m.iter().map(|(k, v)| (k.clone(), encode(v))).collect::<Map<_, _>>()] })
        }
        Value::Tuple(vs) => J::Array(vs.iter().map(encode).collect()),
        Value::Object(m) => json!({ "o": m.iter().map(|(k, v)| (k.clone(), encode(v))).collect::<Map<_, _>>() }),
        Value::Sensitive(v) => json!({ "sens": encode(v) }),
    }
}

fn ty(j: &J) -> Result<Type, String> {
    serde_json::from_value(j.clone()).map_err(|e| format!("invalid type: {e}"))
}

pub fn decode(j: &J) -> Result<Value, String> {
    Ok(match j {
        J::Bool(b) => Value::Bool(*b),
        J::String(s) => Value::String(s.clone()),
        J::Array(a) => Value::Tuple(a.iter().map(decode).collect::<Result<_, _>>()?),
        J::Object(o) if o.len() == 1 => {
            let (k, x) = o.iter().next().ok_or("empty object")?;
            match k.as_str() {
                "null" => Value::Null(ty(x)?),
                "unk" => Value::Unknown(ty(x)?),
                "n" => Value::Number(
                    x.as_str().and_then(Number::parse).ok_or_else(|| format!("invalid number {x}"))?,
                ),
                "sens" => decode(x)?.mark_sensitive(),
                "o" => Value::Object(
                    x.as_object()
                        .ok_or("object expected")?
                        .iter()
                        .map(|(k, v)| Ok((k.clone(), decode(v)?)))
                        .collect::<Result<_, String>>()?,
                ),
                "l" | "s" | "m" => {
                    let pair = x.as_array().filter(|a| a.len() == 2).ok_or("pair expected")?;
                    let t = ty(&pair[0])?;
                    match k.as_str() {
                        "m" => Value::Map(
                            t,
                            pair[1]
                                .as_object()
                                .ok_or("map expected")?
                                .iter()
                                .map(|(k, v)| Ok((k.clone(), decode(v)?)))
                                .collect::<Result<_, String>>()?,
                        ),
                        kind => {
                            let items = pair[1]
                                .as_array()
                                .ok_or("array expected")?
                                .iter()
                                .map(decode)
                                .collect::<Result<Vec<_>, _>>()?;
                            if kind == "l" {
                                Value::List(t, items)
                            } else {
                                Value::Set(t, items)
                            }
                        }
                    }
                }
                other => return Err(format!("unknown value tag {other:?}")),
            }
        }
        other => return Err(format!("invalid encoded value {other}")),
    })
}

/// `#[serde(with = "crate::codec::value")]` for `Value` fields.
pub mod value {
    use plinth_sdk::Value;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    pub fn serialize<S: Serializer>(v: &Value, s: S) -> Result<S::Ok, S::Error> {
        super::encode(v).serialize(s)
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        let j = serde_json::Value::deserialize(d)?;
        super::decode(&j).map_err(serde::de::Error::custom)
    }
}

/// `#[serde(with = "crate::codec::paths")]` for `Vec<AttrPath>` fields (Terraform's state form).
pub mod paths {
    use plinth_sdk::AttrPath;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    pub fn serialize<S: Serializer>(v: &[AttrPath], s: S) -> Result<S::Ok, S::Error> {
        v.iter().map(AttrPath::to_state_json).collect::<Vec<_>>().serialize(s)
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<AttrPath>, D::Error> {
        let j = Vec::<serde_json::Value>::deserialize(d)?;
        j.iter()
            .map(|p| AttrPath::from_state_json(p).ok_or_else(|| serde::de::Error::custom("invalid attribute path")))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn round_trip_keeps_unknowns_and_marks() {
        let v = Value::object([
            ("id", Value::Unknown(Type::String)),
            ("n", Value::number(Number::parse("1.25").unwrap())),
            ("secret", Value::string("x").mark_sensitive()),
            ("l", Value::List(Type::String, vec![])),
            ("s", Value::set(Type::Number, vec![Value::number(2), Value::number(1)])),
            ("m", Value::Map(Type::Bool, BTreeMap::from([("a".to_string(), Value::Bool(true))]))),
            ("t", Value::Tuple(vec![Value::Null(Type::String), Value::unknown()])),
        ]);
        let back = decode(&encode(&v)).unwrap();
        assert_eq!(back, v);
    }
}
