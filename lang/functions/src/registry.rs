//! The function table and the generic call protocol (cty's `function.Function.Call`):
//! arity, null checks, conversion to parameter types, unknowns and sensitive marks.

use crate::{FunctionContext, FunctionError};
use plinth_sdk::{convert::convert, Type, Value};
use std::sync::OnceLock;

/// How a parameter treats sensitive marks.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Marks {
    /// cty's default: every mark inside the argument is removed and put on the result.
    Deep,
    /// Only a mark on the argument itself is removed (and put on the result); marks on
    /// elements stay where they are (cty `AllowMarked` functions such as `concat`).
    Shallow,
    /// The implementation sees the argument as given (`sensitive`, `nonsensitive`, ...).
    Keep,
}

/// How a parameter treats unknown values.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Unknowns {
    /// Anything unknown inside the argument makes the result unknown.
    Reject,
    /// Only an argument that is itself unknown makes the result unknown; the implementation
    /// copes with unknown elements.
    Shallow,
    /// The implementation sees unknowns.
    Allow,
}

pub(crate) struct Param {
    pub name: &'static str,
    pub ty: Type,
    pub allow_null: bool,
    pub unknowns: Unknowns,
    pub marks: Marks,
    /// Whether an unknown value of unknown type is passed in (otherwise the result is an
    /// unknown of unknown type).
    pub allow_dynamic: bool,
}

pub(crate) fn p(name: &'static str, ty: Type) -> Param {
    Param { name, ty, allow_null: false, unknowns: Unknowns::Reject, marks: Marks::Deep, allow_dynamic: false }
}

impl Param {
    pub fn null(mut self) -> Self {
        self.allow_null = true;
        self
    }
    pub fn unknown(mut self, u: Unknowns) -> Self {
        self.unknowns = u;
        self
    }
    pub fn marks(mut self, m: Marks) -> Self {
        self.marks = m;
        self
    }
    pub fn dynamic(mut self) -> Self {
        self.allow_dynamic = true;
        self
    }
}

pub(crate) type RetFn = Box<dyn Fn(&[Value]) -> Result<Type, FunctionError> + Send + Sync>;
pub(crate) type ImplFn = fn(&[Value], &FunctionContext) -> Result<Value, FunctionError>;

pub(crate) struct Func {
    pub name: &'static str,
    pub params: Vec<Param>,
    pub variadic: Option<Param>,
    pub ret: RetFn,
    pub imp: ImplFn,
}

/// A fixed return type.
pub(crate) fn ret(t: Type) -> RetFn {
    Box::new(move |_| Ok(t.clone()))
}

/// Return type computed from the (converted) arguments.
pub(crate) fn ret_fn(f: fn(&[Value]) -> Result<Type, FunctionError>) -> RetFn {
    Box::new(f)
}

pub(crate) fn func(name: &'static str, params: Vec<Param>, ret: RetFn, imp: ImplFn) -> Func {
    Func { name, params, variadic: None, ret, imp }
}

pub(crate) fn func_var(
    name: &'static str,
    params: Vec<Param>,
    variadic: Param,
    ret: RetFn,
    imp: ImplFn,
) -> Func {
    Func { name, params, variadic: Some(variadic), ret, imp }
}

fn table() -> &'static Vec<Func> {
    static T: OnceLock<Vec<Func>> = OnceLock::new();
    T.get_or_init(|| {
        let mut v = Vec::new();
        crate::strings::register(&mut v);
        crate::collections::register(&mut v);
        crate::numeric::register(&mut v);
        crate::encoding::register(&mut v);
        crate::filesystem::register(&mut v);
        crate::datetime::register(&mut v);
        crate::crypto::register(&mut v);
        crate::ip::register(&mut v);
        crate::conversion::register(&mut v);
        v.sort_by_key(|f| f.name);
        v
    })
}

pub(crate) fn lookup(name: &str) -> Option<&'static Func> {
    let name = name.strip_prefix("core::").unwrap_or(name);
    let t = table();
    t.binary_search_by_key(&name, |f| f.name).ok().map(|i| &t[i])
}

pub(crate) fn names() -> Vec<&'static str> {
    table().iter().map(|f| f.name).collect()
}

/// An error about argument `i` (the message is completed with the parameter's name).
pub(crate) fn arg_err(i: usize, msg: impl Into<String>) -> FunctionError {
    FunctionError { arg: Some(i), message: msg.into() }
}

/// An error about the call as a whole.
pub(crate) fn call_err(msg: impl Into<String>) -> FunctionError {
    FunctionError { arg: None, message: msg.into() }
}

fn finish_err(f: &Func, e: FunctionError, nargs: usize) -> FunctionError {
    match e.arg {
        Some(i) => {
            let name = f
                .params
                .get(i)
                .or(f.variadic.as_ref())
                .map(|p| p.name)
                .unwrap_or("argument");
            let _ = nargs;
            FunctionError {
                arg: Some(i),
                message: format!("Invalid value for \"{name}\" parameter: {}.", e.message),
            }
        }
        None => FunctionError {
            arg: None,
            message: format!("Call to function \"{}\" failed: {}.", f.name, e.message),
        },
    }
}

/// cty's wording for a conversion failure at a path inside an argument.
pub(crate) fn conversion_message(e: &plinth_sdk::convert::ConversionError) -> String {
    let mut out = String::new();
    let path = &e.path;
    // The sdk writes paths as `[0]`, `["k"]` and `.attr`; cty says `element 0: `,
    // `element "k": ` and `attribute "attr": `.
    let mut rest = path.as_str();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('[') {
            if let Some(end) = r.find(']') {
                out.push_str(&format!("element {}: ", &r[..end]));
                rest = &r[end + 1..];
                continue;
            }
            break;
        }
        let r = rest.strip_prefix('.').unwrap_or(rest);
        let end = r.find(['.', '[']).unwrap_or(r.len());
        out.push_str(&format!("attribute {:?}: ", &r[..end]));
        rest = &r[end..];
    }
    out.push_str(&e.message);
    out
}

pub(crate) fn call(
    name: &str,
    args: Vec<Value>,
    ctx: &FunctionContext,
) -> Result<Value, FunctionError> {
    let Some(f) = lookup(name) else {
        return Err(FunctionError {
            arg: None,
            message: format!("There is no function named \"{name}\"."),
        });
    };
    let n = f.params.len();
    if args.len() < n {
        return Err(FunctionError {
            arg: None,
            message: format!(
                "Function \"{}\" expects{} {} argument(s). Missing value for \"{}\".",
                f.name,
                if f.variadic.is_some() { " at least" } else { "" },
                n,
                f.params[args.len()].name
            ),
        });
    }
    if f.variadic.is_none() && args.len() > n {
        return Err(FunctionError {
            arg: None,
            message: format!("Function \"{}\" expects only {} argument(s).", f.name, n),
        });
    }
    let nargs = args.len();
    let mut marked = false;
    let mut unknown_result = false;
    let mut dynamic_result = false;
    let mut conv = Vec::with_capacity(args.len());
    for (i, a) in args.into_iter().enumerate() {
        let spec = f.params.get(i).or(f.variadic.as_ref()).expect("arity checked above");
        let bare = a.unmarked();
        if bare.is_null() && !spec.allow_null {
            return Err(finish_err(f, arg_err(i, "argument must not be null"), nargs));
        }
        if matches!(bare, Value::Unknown(Type::Dynamic)) && !spec.allow_dynamic {
            dynamic_result = true;
        }
        let v = match convert(&a, &spec.ty) {
            Ok(v) => v,
            Err(e) => return Err(finish_err(f, arg_err(i, conversion_message(&e)), nargs)),
        };
        let v = match spec.marks {
            Marks::Deep => {
                let (v, paths) = v.unmark_deep();
                marked |= !paths.is_empty();
                v
            }
            Marks::Shallow => {
                let (v, m) = v.unmark();
                marked |= m;
                v
            }
            Marks::Keep => v,
        };
        match spec.unknowns {
            Unknowns::Reject if !v.is_wholly_known() => unknown_result = true,
            Unknowns::Shallow if !v.is_known() => unknown_result = true,
            _ => {}
        }
        conv.push(v);
    }
    if dynamic_result {
        return Ok(Value::unknown().mark_if(marked));
    }
    let rt = (f.ret)(&conv).map_err(|e| finish_err(f, e, nargs))?;
    if unknown_result {
        return Ok(Value::Unknown(rt).mark_if(marked));
    }
    let out = (f.imp)(&conv, ctx).map_err(|e| finish_err(f, e, nargs))?;
    Ok(out.mark_if(marked))
}
