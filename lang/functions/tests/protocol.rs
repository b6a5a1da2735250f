//! The call protocol shared by every function (unknown arguments, sensitive marks, nulls,
//! arity, `core::` names) and per-family behaviour the console corpus cannot express with
//! literals (unknown values). Expected outputs are what Terraform 1.11 prints for the same
//! situations (e.g. `length(sensitive([1]))` is `(sensitive value)`).

use plinth_functions::{call, console_format, exists, names, type_string, FunctionContext};
use plinth_sdk::{Type, Value};
use std::path::Path;

fn ctx() -> FunctionContext<'static> {
    FunctionContext { cwd: Path::new("."), template: None }
}

fn run(name: &str, args: Vec<Value>) -> String {
    match call(name, args, &ctx()) {
        Ok(v) => console_format(&v),
        Err(e) => format!("{}: {}", e.summary(), e.message),
    }
}

fn s(x: &str) -> Value {
    Value::string(x)
}
fn n(x: i64) -> Value {
    Value::number(x)
}
fn tuple(v: Vec<Value>) -> Value {
    Value::Tuple(v)
}

#[test]
fn registry_lists_terraform_functions() {
    let all = names();
    assert!(all.len() >= 110, "only {} functions", all.len());
    for f in ["upper", "cidrsubnets", "templatefile", "yamldecode", "uuidv5", "textencodebase64", "ephemeralasnull"] {
        assert!(exists(f), "{f} is missing");
    }
    assert!(exists("core::upper"));
    assert!(!exists("try") && !exists("can") && !exists("type"), "try/can/type belong to the evaluator");
    assert!(!exists("plantimestamp"), "terraform console has no plantimestamp");
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(all, sorted);
}

#[test]
fn arity_and_null_errors_read_like_terraform() {
    assert_eq!(run("upper", vec![]), "Not enough function arguments: Function \"upper\" expects 1 argument(s). Missing value for \"str\".");
    assert_eq!(run("upper", vec![s("a"), s("b")]), "Too many function arguments: Function \"upper\" expects only 1 argument(s).");
    assert_eq!(run("upper", vec![Value::null()]), "Invalid function argument: Invalid value for \"str\" parameter: argument must not be null.");
    assert_eq!(run("lookup", vec![]), "Not enough function arguments: Function \"lookup\" expects at least 2 argument(s). Missing value for \"inputMap\".");
    assert_eq!(run("nosuch", vec![]), "Call to unknown function: There is no function named \"nosuch\".");
    assert_eq!(run("join", vec![s(","), tuple(vec![tuple(vec![n(1)])])]), "Invalid function argument: Invalid value for \"lists\" parameter: element 0: string required.");
    assert_eq!(run("element", vec![tuple(vec![]), n(0)]), "Error in function call: Call to function \"element\" failed: cannot use element function with an empty list.");
}

#[test]
fn unknown_arguments_give_unknown_results_of_the_right_type() {
    let unknown_str = Value::Unknown(Type::String);
    let r = call("upper", vec![unknown_str.clone()], &ctx()).unwrap();
    assert_eq!(r, Value::Unknown(Type::String));
    let r = call("split", vec![s(","), unknown_str.clone()], &ctx()).unwrap();
    assert_eq!(r, Value::Unknown(Type::list(Type::String)));
    let r = call("join", vec![s(","), Value::List(Type::String, vec![s("a"), unknown_str.clone()])], &ctx()).unwrap();
    assert_eq!(r, Value::Unknown(Type::String));
    // An unknown of unknown type gives an unknown of unknown type.
    assert_eq!(call("upper", vec![Value::unknown()], &ctx()).unwrap(), Value::unknown());
    // length knows the length of a known list with unknown elements.
    let r = call("length", vec![Value::List(Type::String, vec![unknown_str.clone(), s("b")])], &ctx()).unwrap();
    assert_eq!(console_format(&r), "2");
    assert_eq!(call("length", vec![Value::Unknown(Type::list(Type::String))], &ctx()).unwrap(), Value::Unknown(Type::Number));
    // tolist of an unknown tuple is an unknown list.
    let r = call("tolist", vec![Value::Unknown(Type::Tuple(vec![Type::String]))], &ctx()).unwrap();
    assert_eq!(r, Value::Unknown(Type::list(Type::String)));
    // Type errors are still reported when a value is unknown.
    assert!(call("upper", vec![Value::Unknown(Type::list(Type::String))], &ctx()).is_err());
    // regex knows its result type from the pattern alone.
    let r = call("regex", vec![s("(?P<a>x)"), unknown_str.clone()], &ctx()).unwrap();
    assert_eq!(type_string(&r.type_of()), "object({\n    a: string,\n})");
    assert!(!r.is_known());
    // concat keeps unknown elements in place.
    let r = call("concat", vec![tuple(vec![unknown_str.clone()]), tuple(vec![n(1)])], &ctx()).unwrap();
    assert_eq!(console_format(&r), "[\n  (known after apply),\n  1,\n]");
    assert_eq!(console_format(&Value::Unknown(Type::String)), "(known after apply)");
    // merge and values keep known structure around unknown attribute values.
    let r = call("merge", vec![Value::object([("a", unknown_str.clone())]), Value::object([("b", n(1))])], &ctx()).unwrap();
    assert_eq!(console_format(&r), "{\n  \"a\" = (known after apply)\n  \"b\" = 1\n}");
    let r = call("values", vec![Value::object([("a", unknown_str.clone())])], &ctx()).unwrap();
    assert_eq!(console_format(&r), "[\n  (known after apply),\n]");
    let r = call("merge", vec![Value::Unknown(Type::map(Type::String)), Value::object([("b", n(1))])], &ctx()).unwrap();
    assert!(!r.is_known());
}

#[test]
fn sensitive_marks_are_sticky() {
    let secret = s("hunter2").mark_sensitive();
    assert_eq!(run("upper", vec![secret.clone()]), "(sensitive value)");
    assert_eq!(run("length", vec![tuple(vec![n(1)]).mark_sensitive()]), "(sensitive value)");
    // A mark inside an argument marks the whole result for ordinary functions...
    assert_eq!(run("join", vec![s(","), tuple(vec![s("a"), secret.clone()])]), "(sensitive value)");
    // ...but collection functions that Terraform lets see marks keep them per element.
    assert_eq!(run("length", vec![tuple(vec![secret.clone()])]), "1");
    assert_eq!(run("concat", vec![tuple(vec![secret.clone()]), tuple(vec![n(2)])]), "[\n  (sensitive value),\n  2,\n]");
    assert_eq!(
        run("lookup", vec![Value::object([("a", secret.clone()), ("b", n(2))]), s("b")]),
        "2"
    );
    assert_eq!(run("nonsensitive", vec![secret.clone()]), "\"hunter2\"");
    assert_eq!(run("issensitive", vec![secret.clone()]), "true");
    assert_eq!(run("issensitive", vec![tuple(vec![secret.clone()])]), "false");
    // The mark survives an unknown result too.
    let r = call("upper", vec![Value::Unknown(Type::String).mark_sensitive()], &ctx()).unwrap();
    assert!(r.is_sensitive() && !r.is_known());
}

#[test]
fn nondeterministic_functions_have_the_right_shape() {
    let uuid = call("uuid", vec![], &ctx()).unwrap();
    let u = uuid.as_str().unwrap();
    assert_eq!(u.len(), 36);
    assert_eq!(&u[14..15], "4", "a version 4 uuid: {u}");
    assert_ne!(call("uuid", vec![], &ctx()).unwrap(), uuid);
    let ts = call("timestamp", vec![], &ctx()).unwrap();
    let t = ts.as_str().unwrap();
    assert_eq!(t.len(), 20, "{t}");
    assert!(t.ends_with('Z') && &t[10..11] == "T", "{t}");
    let h = call("bcrypt", vec![s("pw"), n(4)], &ctx()).unwrap();
    let h = h.as_str().unwrap().to_string();
    assert!(h.starts_with("$2a$04$") && h.len() == 60, "{h}");
    assert!(call("bcrypt", vec![s("pw"), n(3)], &ctx()).is_err());
}

#[test]
fn file_functions_resolve_against_cwd() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "hi\n").unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::write(dir.path().join("sub/b.tf"), "x").unwrap();
    let c = FunctionContext { cwd: dir.path(), template: None };
    assert_eq!(console_format(&call("file", vec![s("a.txt")], &c).unwrap()), "<<EOT\nhi\n\nEOT");
    assert_eq!(console_format(&call("fileset", vec![s("."), s("**/*.tf")], &c).unwrap()), "toset([\n  \"sub/b.tf\",\n])");
    assert_eq!(console_format(&call("fileexists", vec![s("a.txt")], &c).unwrap()), "true");
    let e = call("templatefile", vec![s("a.txt"), Value::object([("x", n(1))])], &c).unwrap_err();
    assert_eq!(e.summary(), "Error in function call");
    let render = |text: &str, _: &Path, vars: &Value| -> Result<Value, String> {
        Ok(Value::string(format!("{}{}", text.trim(), vars.get_attr("x").map(console_format).unwrap_or_default())))
    };
    let c = FunctionContext { cwd: dir.path(), template: Some(&render) };
    let r = call("templatefile", vec![s("a.txt"), Value::object([("x", n(1))])], &c).unwrap();
    assert_eq!(console_format(&r), "\"hi1\"");
}

#[test]
fn numbers_follow_terraform_precision() {
    let r = call("pow", vec![n(2), n(64)], &ctx()).unwrap();
    assert_eq!(console_format(&r), "18446744073709550000");
    let third = plinth_sdk::Number::one().div(&plinth_sdk::Number::from(3)).unwrap();
    let r = call("format", vec![s("%.3f"), Value::Number(third)], &ctx()).unwrap();
    assert_eq!(console_format(&r), "\"0.333\"");
    let r = call("parseint", vec![s("zzzzzzzzzzzzzzzzzz"), n(36)], &ctx()).unwrap();
    assert_eq!(console_format(&r), "10314424798490535546171949055");
}
