//! Type constraints (`list(object({a = string, b = optional(number, 3)}))`): parsing them from
//! an expression and converting values to them, applying `optional` defaults like Terraform.

use crate::config::{ObjectAttrConstraint, TypeConstraint};
use crate::source::SourceFile;
use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::Span;
use plinth_sdk::convert::{convert, unify};
use plinth_sdk::{Diagnostic, Type, Value};
use std::collections::BTreeMap;

impl TypeConstraint {
    /// The Terraform type this constraint describes (`any` is `Type::Dynamic`).
    pub fn to_type(&self) -> Type {
        match self {
            TypeConstraint::Any => Type::Dynamic,
            TypeConstraint::Primitive(t) => t.clone(),
            TypeConstraint::List(t) => Type::list(t.to_type()),
            TypeConstraint::Set(t) => Type::set(t.to_type()),
            TypeConstraint::Map(t) => Type::map(t.to_type()),
            TypeConstraint::Tuple(ts) => Type::Tuple(ts.iter().map(TypeConstraint::to_type).collect()),
            TypeConstraint::Object(m) => {
                Type::Object(m.iter().map(|(k, a)| (k.clone(), a.ty.to_type())).collect())
            }
        }
    }
    /// Whether `any` occurs anywhere inside.
    pub fn has_any(&self) -> bool {
        match self {
            TypeConstraint::Any => true,
            TypeConstraint::Primitive(_) => false,
            TypeConstraint::List(t) | TypeConstraint::Set(t) | TypeConstraint::Map(t) => t.has_any(),
            TypeConstraint::Tuple(ts) => ts.iter().any(TypeConstraint::has_any),
            TypeConstraint::Object(m) => m.values().any(|a| a.ty.has_any()),
        }
    }
    /// Whether the constraint is a primitive type (values given on the command line are then
    /// taken literally rather than parsed as expressions).
    pub fn is_primitive(&self) -> bool {
        matches!(self, TypeConstraint::Primitive(_))
    }
}

impl std::fmt::Display for TypeConstraint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TypeConstraint::Any => f.write_str("any"),
            TypeConstraint::Primitive(t) => write!(f, "{t}"),
            TypeConstraint::List(t) => write!(f, "list({t})"),
            TypeConstraint::Set(t) => write!(f, "set({t})"),
            TypeConstraint::Map(t) => write!(f, "map({t})"),
            TypeConstraint::Tuple(ts) => {
                f.write_str("tuple([")?;
                for (i, t) in ts.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{t}")?;
                }
                f.write_str("])")
            }
            TypeConstraint::Object(m) => {
                f.write_str("object({")?;
                for (i, (k, a)) in m.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    if a.optional {
                        write!(f, "{k}=optional({})", a.ty)?;
                    } else {
                        write!(f, "{k}={}", a.ty)?;
                    }
                }
                f.write_str("})")
            }
        }
    }
}

fn bad(file: &SourceFile, e: &Expression, summary: &str, detail: impl Into<String>) -> Box<Diagnostic> {
    let mut d = Diagnostic::error(summary).with_detail(detail);
    if let Some(s) = e.span() {
        d = d.with_subject(file.range(s));
    }
    Box::new(d)
}

/// Parses a type constraint expression (the `type` argument of a `variable` block).
pub fn parse_type_constraint(e: &Expression, file: &SourceFile) -> Result<TypeConstraint, Box<Diagnostic>> {
    parse_tc(e, file, false).map(|(t, _)| t)
}

const KEYWORDS: &str = "The type keywords are: any, string, number, bool, list(T), set(T), map(T), tuple([T, ...]), object({name = T, ...}).";

fn parse_tc(
    e: &Expression,
    file: &SourceFile,
    in_object: bool,
) -> Result<(TypeConstraint, Option<(bool, Option<Value>)>), Box<Diagnostic>> {
    match e {
        Expression::Parenthesis(p) => parse_tc(p.inner(), file, in_object),
        Expression::Variable(id) => {
            let t = match id.as_str() {
                "any" => TypeConstraint::Any,
                "string" => TypeConstraint::Primitive(Type::String),
                "number" => TypeConstraint::Primitive(Type::Number),
                "bool" => TypeConstraint::Primitive(Type::Bool),
                k @ ("list" | "set" | "map") => {
                    return Err(bad(
                        file,
                        e,
                        "Invalid type specification",
                        format!("The {k} type constructor requires one argument specifying the element type."),
                    )
                    .with_help_boxed(format!("write `{k}(string)` or `{k}(any)`")))
                }
                k @ ("object" | "tuple") => {
                    return Err(bad(
                        file,
                        e,
                        "Invalid type specification",
                        format!("The {k} type constructor requires one argument specifying the {}.", if k == "object" { "attribute types as an object" } else { "element types as a list" }),
                    ))
                }
                other => {
                    let mut d = bad(file, e, "Invalid type specification", format!("The keyword \"{other}\" is not a valid type specification. {KEYWORDS}"));
                    if let Some(s) = crate::suggest(other, ["any", "string", "number", "bool", "list", "set", "map", "tuple", "object"]) {
                        d.help.push(format!("did you mean `{s}`?"));
                    }
                    return Err(d);
                }
            };
            Ok((t, None))
        }
        Expression::String(s) => {
            let fix = match s.as_str() {
                "string" | "number" | "bool" | "any" => s.as_str().to_string(),
                "list" | "map" | "set" => format!("{}(string)", s.as_str()),
                _ => String::new(),
            };
            let mut d = bad(
                file,
                e,
                "Invalid quoted type constraints",
                "Terraform 0.11 and earlier required type constraints to be given in quotes, but that form is now deprecated and will be removed in a future version of Terraform. Remove the quotes around this type constraint.",
            );
            if !fix.is_empty() {
                d.help.push(format!("write `{fix}` without quotes"));
            }
            Err(d)
        }
        Expression::FuncCall(call) => {
            let name = call.name.name.as_str();
            let args: Vec<&Expression> = call.args.iter().collect();
            let one = |what: &str| -> Result<&Expression, Box<Diagnostic>> {
                if args.len() == 1 {
                    Ok(args[0])
                } else {
                    Err(bad(file, e, "Invalid type specification", format!("The {name} type constructor requires exactly one argument specifying {what}.")))
                }
            };
            match name {
                "list" | "set" | "map" => {
                    let (inner, _) = parse_tc(one("the element type")?, file, false)?;
                    let b = Box::new(inner);
                    Ok((
                        match name {
                            "list" => TypeConstraint::List(b),
                            "set" => TypeConstraint::Set(b),
                            _ => TypeConstraint::Map(b),
                        },
                        None,
                    ))
                }
                "tuple" => {
                    let a = one("the element types as a list")?;
                    let Expression::Array(arr) = a else {
                        return Err(bad(file, a, "Invalid type specification", "The tuple type constructor requires a list of element types, like tuple([string, number])."));
                    };
                    let mut ts = Vec::new();
                    for x in arr.iter() {
                        ts.push(parse_tc(x, file, false)?.0);
                    }
                    Ok((TypeConstraint::Tuple(ts), None))
                }
                "object" => {
                    let a = one("the attribute types as an object")?;
                    let Expression::Object(obj) = a else {
                        return Err(bad(file, a, "Invalid type specification", "The object type constructor requires an object of attribute types, like object({name = string})."));
                    };
                    let mut m = BTreeMap::new();
                    for (k, v) in obj.iter() {
                        let key = match k {
                            ObjectKey::Ident(id) => id.as_str().to_string(),
                            ObjectKey::Expression(Expression::String(s)) => s.as_str().to_string(),
                            ObjectKey::Expression(Expression::Variable(id)) => id.as_str().to_string(),
                            ObjectKey::Expression(x) => {
                                return Err(bad(file, x, "Invalid type specification", "Object constructor map keys must be attribute names."));
                            }
                        };
                        let (ty, opt) = parse_tc(v.expr(), file, true)?;
                        let (optional, default) = opt.unwrap_or((false, None));
                        m.insert(key, ObjectAttrConstraint { ty, optional, default });
                    }
                    Ok((TypeConstraint::Object(m), None))
                }
                "optional" => {
                    if !in_object {
                        return Err(bad(file, e, "Invalid type specification", "Keyword \"optional\" is valid only as a modifier for object type attributes."));
                    }
                    if args.is_empty() || args.len() > 2 {
                        return Err(bad(file, e, "Invalid type specification", "Optional attribute modifier expects one or two arguments: the attribute type and an optional default value."));
                    }
                    let (ty, _) = parse_tc(args[0], file, false)?;
                    let default = match args.get(1) {
                        None => None,
                        Some(d) => {
                            let v = crate::eval::eval_constant(d, file).map_err(|mut diag| {
                                diag.summary = "Invalid default value for optional attribute".into();
                                diag
                            })?;
                            let v = convert_to_constraint(&v, &ty).map_err(|msg| {
                                bad(file, d, "Invalid default value for optional attribute", format!("This default value is not compatible with the attribute's type constraint: {msg}."))
                            })?;
                            Some(v)
                        }
                    };
                    Ok((ty, Some((true, default))))
                }
                other => {
                    let mut d = bad(file, e, "Invalid type specification", format!("Keyword \"{other}\" is not a valid type constructor. {KEYWORDS}"));
                    if let Some(s) = crate::suggest(other, ["list", "set", "map", "tuple", "object", "optional"]) {
                        d.help.push(format!("did you mean `{s}`?"));
                    }
                    Err(d)
                }
            }
        }
        _ => Err(bad(file, e, "Invalid type specification", format!("A type specification is either a primitive type keyword or a type constructor call. {KEYWORDS}"))),
    }
}

trait BoxHelp {
    fn with_help_boxed(self, h: String) -> Self;
}
impl BoxHelp for Box<Diagnostic> {
    fn with_help_boxed(mut self, h: String) -> Self {
        self.help.push(h);
        self
    }
}

/// Converts `v` to the constraint, filling in `optional` attribute defaults. The error is a
/// sentence fragment like Terraform's (`attribute "a": a number is required`).
pub fn convert_to_constraint(v: &Value, tc: &TypeConstraint) -> Result<Value, String> {
    conv(v, tc).map_err(|(path, msg)| if path.is_empty() { msg } else { format!("{path}: {msg}") })
}

fn join(prefix: String, rest: String) -> String {
    if rest.is_empty() {
        prefix
    } else {
        format!("{prefix}: {rest}")
    }
}

fn conv(v: &Value, tc: &TypeConstraint) -> Result<Value, (String, String)> {
    if let Value::Sensitive(inner) = v {
        return Ok(conv(inner, tc)?.mark_sensitive());
    }
    match tc {
        TypeConstraint::Any => return Ok(v.clone()),
        TypeConstraint::Primitive(t) => {
            return convert(v, t).map_err(|e| (e.path, e.message));
        }
        _ => {}
    }
    match v {
        Value::Null(_) => return Ok(Value::Null(tc.to_type())),
        Value::Unknown(_) => {
            let t = tc.to_type();
            return convert(v, &t).map_err(|e| (e.path, e.message));
        }
        _ => {}
    }
    match tc {
        TypeConstraint::List(et) | TypeConstraint::Set(et) => {
            let items = match v {
                Value::List(_, vs) | Value::Set(_, vs) | Value::Tuple(vs) => vs,
                _ => return Err((String::new(), format!("{} required", kind_name(tc)))),
            };
            let mut out = Vec::with_capacity(items.len());
            for (i, x) in items.iter().enumerate() {
                out.push(conv(x, et).map_err(|(p, m)| (join(format!("element {i}"), p), m))?);
            }
            let ety = unify_elements(&mut out, et).map_err(|m| (String::new(), m))?;
            Ok(if matches!(tc, TypeConstraint::List(_)) { Value::List(ety, out) } else { Value::set(ety, out) })
        }
        TypeConstraint::Map(et) => {
            let items = match v {
                Value::Map(_, m) | Value::Object(m) => m,
                _ => return Err((String::new(), "map required".into())),
            };
            let mut out = BTreeMap::new();
            for (k, x) in items {
                out.insert(k.clone(), conv(x, et).map_err(|(p, m)| (join(format!("element {k:?}"), p), m))?);
            }
            let mut vals: Vec<Value> = out.values().cloned().collect();
            let ety = unify_elements(&mut vals, et).map_err(|m| (String::new(), m))?;
            let out = out.into_keys().zip(vals).collect();
            Ok(Value::Map(ety, out))
        }
        TypeConstraint::Tuple(ts) => {
            let items = match v {
                Value::List(_, vs) | Value::Set(_, vs) | Value::Tuple(vs) => vs,
                _ => return Err((String::new(), "tuple required".into())),
            };
            if items.len() != ts.len() {
                return Err((String::new(), format!("tuple required with exactly {} elements", ts.len())));
            }
            let mut out = Vec::new();
            for (i, (x, t)) in items.iter().zip(ts).enumerate() {
                out.push(conv(x, t).map_err(|(p, m)| (join(format!("element {i}"), p), m))?);
            }
            Ok(Value::Tuple(out))
        }
        TypeConstraint::Object(attrs) => {
            let items = match v {
                Value::Map(_, m) | Value::Object(m) => m,
                _ => return Err((String::new(), "object required".into())),
            };
            let mut out = BTreeMap::new();
            for (k, a) in attrs {
                let given = items.get(k).filter(|x| !(a.optional && x.is_null()));
                let val = match given {
                    Some(x) => conv(x, &a.ty).map_err(|(p, m)| (join(format!("attribute {k:?}"), p), m))?,
                    None if a.optional => match &a.default {
                        Some(d) => d.clone(),
                        None => Value::Null(a.ty.to_type()),
                    },
                    None => return Err((String::new(), format!("attribute {k:?} is required"))),
                };
                out.insert(k.clone(), val);
            }
            Ok(Value::Object(out))
        }
        TypeConstraint::Any | TypeConstraint::Primitive(_) => Ok(v.clone()),
    }
}

fn kind_name(tc: &TypeConstraint) -> String {
    match tc {
        TypeConstraint::List(e) => format!("list of {}", elem_name(e)),
        TypeConstraint::Set(e) => format!("set of {}", elem_name(e)),
        TypeConstraint::Map(e) => format!("map of {}", elem_name(e)),
        _ => tc.to_type().friendly_name(),
    }
}
fn elem_name(tc: &TypeConstraint) -> String {
    match tc {
        TypeConstraint::Any => "any single type".into(),
        t => kind_name(t),
    }
}

/// After converting each element, unify the element types when the constraint contains `any`.
fn unify_elements(items: &mut [Value], et: &TypeConstraint) -> Result<Type, String> {
    if !et.has_any() {
        return Ok(et.to_type());
    }
    let types: Vec<Type> = items.iter().map(Value::type_of).collect();
    let Some(t) = unify(&types) else {
        return Err("all elements must have the same type".into());
    };
    for x in items.iter_mut() {
        if x.type_of() != t {
            *x = convert(x, &t).map_err(|e| e.to_string())?;
        }
    }
    Ok(t)
}
