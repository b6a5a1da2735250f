//! Evaluator behaviour: literals, operators, templates, `for`, splat, unknown and sensitive
//! propagation.

use plinth_lang::{eval_expr, parse_expression, EvalContext, Reference, Scope, SourceMap};
use plinth_sdk::{Diagnostic, SourceRange, Type, Value};
use std::collections::BTreeMap;
use std::path::Path;

struct Vars(BTreeMap<String, Value>);
impl Scope for Vars {
    fn lookup(&self, r: &Reference, range: &SourceRange) -> Result<Value, Diagnostic> {
        let key = r.to_string();
        self.0.get(&key).cloned().ok_or_else(|| Diagnostic::error("Reference to undeclared input variable").with_subject(range.clone()))
    }
}

fn scope() -> Vars {
    let mut m = BTreeMap::new();
    m.insert("var.u".to_string(), Value::unknown());
    m.insert("var.un".to_string(), Value::Unknown(Type::Number));
    m.insert("var.s".to_string(), Value::string("secret").mark_sensitive());
    m.insert("var.n".to_string(), Value::number(4));
    m.insert("var.list".to_string(), Value::List(Type::String, vec![Value::string("a"), Value::string("b")]));
    m.insert(
        "var.objs".to_string(),
        Value::Tuple(vec![Value::object([("id", Value::string("x"))]), Value::object([("id", Value::string("y"))])]),
    );
    m.insert("var.obj".to_string(), Value::object([("name", Value::string("web")), ("port", Value::number(80))]));
    Vars(m)
}

fn ev(src: &str) -> Result<Value, String> {
    let sources = SourceMap::default();
    let e = parse_expression(src, "<test>", &sources).map_err(|d| d.to_string())?;
    let s = scope();
    let ctx = EvalContext { scope: &s, cwd: Path::new(".") };
    let (v, d) = eval_expr(&e, &ctx);
    if d.has_errors() {
        return Err(d.iter().map(|d| format!("{}: {}", d.summary, d.detail.clone().unwrap_or_default())).collect::<Vec<_>>().join("\n"));
    }
    Ok(v)
}

fn ok(src: &str) -> Value {
    ev(src).unwrap_or_else(|e| panic!("{src}: {e}"))
}

#[test]
fn literals_and_arithmetic_precedence() {
    assert_eq!(ok("1 + 2 * 3"), Value::number(7));
    assert_eq!(ok("(1 + 2) * 3"), Value::number(9));
    assert_eq!(ok("10 - 4 - 3"), Value::number(3));
    assert_eq!(ok("7 % 4"), Value::number(3));
    assert_eq!(ok("-2 * 3"), Value::number(-6));
    assert_eq!(ok("1 < 2 && 2 < 3 || false"), Value::Bool(true));
    assert_eq!(ok("!true == false"), Value::Bool(true));
    assert_eq!(ok("\"5\" + 1"), Value::number(6));
    assert_eq!(ok("0.1 + 0.2").as_number().unwrap().to_string(), "0.3");
}

#[test]
fn equality_is_type_strict_and_deep() {
    assert_eq!(ok("1 == \"1\""), Value::Bool(false));
    assert_eq!(ok("[1, 2] == [1, 2]"), Value::Bool(true));
    assert_eq!(ok("{a = 1} != {a = 2}"), Value::Bool(true));
    assert_eq!(ok("null == null"), Value::Bool(true));
}

#[test]
fn unknowns_propagate_with_types() {
    assert_eq!(ok("var.u + 1"), Value::Unknown(Type::Number));
    assert_eq!(ok("var.u == 1"), Value::Unknown(Type::Bool));
    assert_eq!(ok("\"x-${var.u}\""), Value::Unknown(Type::String));
    assert_eq!(ok("var.u ? 1 : 2"), Value::Unknown(Type::Number));
    assert_eq!(ok("var.un > 3"), Value::Unknown(Type::Bool));
    assert!(!ok("[for x in var.u : x]").is_known());
}

#[test]
fn sensitive_marks_are_sticky() {
    assert!(ok("var.s").is_sensitive());
    assert!(ok("\"pre-${var.s}\"").is_sensitive());
    assert!(ok("var.s == \"x\"").is_sensitive());
    assert!(ok("var.s != \"\" ? 1 : 2").is_sensitive());
    assert!(ok("[for c in [var.s] : c]").contains_sensitive());
}

#[test]
fn conditionals_unify_branch_types() {
    assert_eq!(ok("true ? 1 : \"two\""), Value::string("1"));
    assert_eq!(ok("false ? [1] : []"), Value::List(Type::Number, vec![]));
    // The branch not taken may fail.
    assert_eq!(ok("true ? 1 : var.obj.nope"), Value::number(1));
}

#[test]
fn templates_directives_and_strip_markers() {
    assert_eq!(ok("\"a${1 + 1}b\""), Value::string("a2b"));
    assert_eq!(ok("\"%{ if true }yes%{ else }no%{ endif }\""), Value::string("yes"));
    assert_eq!(ok("\"%{ for x in [1, 2, 3] }${x},%{ endfor }\""), Value::string("1,2,3,"));
    assert_eq!(ok("\"a   ${~ \"b\" ~}   c\""), Value::string("abc"));
    assert_eq!(ok("<<EOT\nhello\n  world\nEOT"), Value::string("hello\n  world\n"));
    assert_eq!(ok("<<-EOT\n    hello\n      world\n    EOT"), Value::string("hello\n  world\n"));
    // A lone interpolation keeps its type.
    assert_eq!(ok("\"${1}\""), Value::number(1));
}

#[test]
fn for_expressions() {
    assert_eq!(ok("[for x in [1, 2, 3] : x * 2 if x > 1]"), Value::Tuple(vec![Value::number(4), Value::number(6)]));
    assert_eq!(ok("{for k, v in {a = 1, b = 2} : v => k}"), Value::object([("1", Value::string("a")), ("2", Value::string("b"))]));
    assert_eq!(
        ok("{for x in [\"a\", \"ab\", \"b\"] : substr_len_placeholder(x) => x...}".replace("substr_len_placeholder(x)", "x == \"b\" ? \"b\" : \"a\"").as_str()),
        Value::object([("a", Value::Tuple(vec![Value::string("a"), Value::string("ab")])), ("b", Value::Tuple(vec![Value::string("b")]))])
    );
    let e = ev("{for x in [1, 1] : \"k\" => x}").unwrap_err();
    assert!(e.contains("Duplicate object key"), "{e}");
    assert_eq!(ok("[for i, v in var.list : \"${i}=${v}\"]"), Value::Tuple(vec![Value::string("0=a"), Value::string("1=b")]));
}

#[test]
fn splat_and_traversal() {
    assert_eq!(ok("var.objs[*].id"), Value::Tuple(vec![Value::string("x"), Value::string("y")]));
    assert_eq!(ok("var.objs.*.id"), Value::Tuple(vec![Value::string("x"), Value::string("y")]));
    assert_eq!(ok("null[*]"), Value::Tuple(vec![]));
    assert_eq!(ok("\"a\"[*]"), Value::Tuple(vec![Value::string("a")]));
    assert_eq!(ok("var.list[1]"), Value::string("b"));
    assert_eq!(ok("var.obj[\"port\"]"), Value::number(80));
    let e = ev("var.obj.nmae").unwrap_err();
    assert!(e.contains("This object does not have an attribute named \"nmae\""), "{e}");
    let e = ev("var.list[5]").unwrap_err();
    assert!(e.contains("Invalid index"), "{e}");
}

#[test]
fn errors_are_reported_not_panicked() {
    assert!(ev("1 + true").unwrap_err().contains("Invalid operand"));
    assert!(ev("\"a${[1]}\"").unwrap_err().contains("Invalid template interpolation value"));
    assert!(ev("var.nope").unwrap_err().contains("undeclared"));
    assert_eq!(ok("1 / 0"), Value::Number(plinth_sdk::Number::PosInf), "Terraform: +Inf");
    assert!(ev("[1] - 1").unwrap_err().contains("Invalid operand"));
    assert!(ev("[for x in null : x]").unwrap_err().contains("null"));
}

#[test]
fn try_and_can_are_lazy() {
    assert_eq!(ok("try(var.obj.nope, \"fallback\")"), Value::string("fallback"));
    assert_eq!(ok("can(var.obj.nope)"), Value::Bool(false));
    assert_eq!(ok("can(var.obj.name)"), Value::Bool(true));
    assert_eq!(ok("can(var.u)"), Value::Unknown(Type::Bool));
    assert!(ev("try(var.obj.a, var.obj.b)").unwrap_err().contains("no expression succeeded"));
}

#[test]
fn references_name_what_the_graph_needs() {
    let sources = SourceMap::default();
    let src = "\"${aws_instance.web[0].id}-${var.x}-${module.m.out}-${data.a_b.c.d}-${count.index}-${each.key}-${path.module}-${local.l}-${[for v in var.list : v.id]}-${self.x}\"";
    let e = parse_expression(src, "<refs>", &sources).unwrap();
    let refs: Vec<(String, usize, usize)> = plinth_lang::references(&e).into_iter().map(|(r, range)| (r.to_string(), range.start.column, range.end.column)).collect();
    let names: Vec<&str> = refs.iter().map(|(n, _, _)| n.as_str()).collect();
    assert_eq!(
        names,
        vec!["aws_instance.web", "var.x", "module.m", "data.a_b.c", "count.index", "each.key", "path.module", "local.l", "var.list", "self"]
    );
    // Ranges cover the reference itself (`aws_instance.web`, not the `[0].id` after it).
    assert_eq!((refs[0].1, refs[0].2), (4, 20));
    assert_eq!((refs[1].1, refs[1].2), (30, 35));
}

#[test]
fn rendering_has_box_caret_and_help() {
    use plinth_lang::render::render_diagnostics;
    let sources = SourceMap::default();
    let e = parse_expression("var.nope + 1", "<render>", &sources).unwrap();
    let s = scope();
    let ctx = EvalContext { scope: &s, cwd: Path::new(".") };
    let (_, mut d) = eval_expr(&e, &ctx);
    d.0[0].help.push("did you mean `var.n`?".into());
    let plain = render_diagnostics(&d, &sources, false);
    assert_eq!(
        plain,
        "╷\n│ Error: Reference to undeclared input variable\n│\n│   on <render> line 1:\n│    1: var.nope + 1\n│       ^^^^^^^^\n│\n│ help: did you mean `var.n`?\n╵\n"
    );
    let colored = render_diagnostics(&d, &sources, true);
    assert!(colored.contains("\x1b[31m╷") && colored.contains("\x1b[1m"));
}
