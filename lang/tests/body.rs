//! `eval_body` against a schema (nested block modes, dynamic blocks, errors), references of
//! bodies, and `templatefile` through the evaluator.

use plinth_lang::{eval_body, load_config, EvalContext, Reference, Scope};
use plinth_sdk::{Attribute, Block, Diagnostic, NestedBlock, Nesting, SourceRange, Type, Value};
use std::path::Path;

struct S;
impl Scope for S {
    fn lookup(&self, r: &Reference, _: &SourceRange) -> Result<Value, Diagnostic> {
        Ok(match r {
            Reference::Var(n) if n == "ports" => Value::Tuple(vec![Value::number(80), Value::number(443)]),
            _ => Value::unknown(),
        })
    }
}

fn schema() -> Block {
    let ingress = Block::new().attr("port", Attribute::required(Type::Number)).attr("cidr", Attribute::optional(Type::String));
    Block::new()
        .attr("name", Attribute::required(Type::String))
        .attr("tags", Attribute::optional(Type::map(Type::String)))
        .attr("arn", Attribute::computed(Type::String))
        .block("ingress", NestedBlock { nesting: Nesting::List, block: ingress, min_items: 0, max_items: 0, force_new: false })
}

fn load(text: &str) -> (tempfile::TempDir, plinth_lang::Config) {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("main.tf"), text).unwrap();
    let (cfg, diags) = load_config(d.path());
    assert!(!diags.has_errors(), "{diags}");
    (d, cfg.unwrap())
}

#[test]
fn decodes_blocks_and_expands_dynamic_blocks() {
    let (_d, cfg) = load(
        "resource \"x_y\" \"z\" {\n  name = 1\n  tags = { a = \"b\" }\n  ingress {\n    port = 22\n  }\n  dynamic \"ingress\" {\n    for_each = var.ports\n    iterator = p\n    content {\n      port = p.value\n      cidr = \"10.0.0.${p.key}/32\"\n    }\n  }\n}\n",
    );
    let r = &cfg.root.resources["x_y.z"];
    let refs: Vec<String> = r.body.references().iter().map(|(r, _)| r.to_string()).collect();
    assert_eq!(refs, vec!["var.ports".to_string()], "iterator references are not graph edges");
    let ctx = EvalContext { scope: &S, cwd: Path::new(".") };
    let (v, diags) = eval_body(&r.body, &schema(), &ctx);
    assert!(!diags.has_errors(), "{diags}");
    assert_eq!(v.get_attr("name"), Some(&Value::string("1")));
    assert!(v.get_attr("arn").unwrap().is_null());
    let ingress = v.get_attr("ingress").unwrap().as_seq().unwrap();
    assert_eq!(ingress.len(), 3);
    assert_eq!(ingress[2].get_attr("cidr"), Some(&Value::string("10.0.0.1/32")));
    assert!(ingress[0].get_attr("cidr").unwrap().is_null());
}

#[test]
fn reports_unknown_missing_and_unconfigurable_arguments() {
    let (_d, cfg) = load("resource \"x_y\" \"z\" {\n  nmae = \"a\"\n  arn  = \"x\"\n  ingres {\n  }\n  ingress = []\n}\n");
    let ctx = EvalContext { scope: &S, cwd: Path::new(".") };
    let (_, diags) = eval_body(&cfg.root.resources["x_y.z"].body, &schema(), &ctx);
    let got: Vec<(String, Vec<String>)> = diags.iter().map(|d| (d.summary.clone(), d.help.clone())).collect();
    let summaries: Vec<&str> = got.iter().map(|(s, _)| s.as_str()).collect();
    assert!(summaries.contains(&"Value for unconfigurable attribute"), "{got:?}");
    assert!(summaries.contains(&"Missing required argument"), "{got:?}");
    assert!(summaries.contains(&"Unsupported block type"), "{got:?}");
    assert!(got.iter().any(|(s, h)| s == "Unsupported argument" && h == &vec!["did you mean `name`?".to_string()]), "{got:?}");
    assert!(got.iter().any(|(_, h)| h.iter().any(|h| h.contains("without the equals sign"))), "{got:?}");
}

#[test]
fn unknown_dynamic_for_each_gives_unknown_block_list() {
    let (_d, cfg) = load("resource \"x_y\" \"z\" {\n  name = \"n\"\n  dynamic \"ingress\" {\n    for_each = var.unknown\n    content {\n      port = ingress.value\n    }\n  }\n}\n");
    let ctx = EvalContext { scope: &S, cwd: Path::new(".") };
    let (v, diags) = eval_body(&cfg.root.resources["x_y.z"].body, &schema(), &ctx);
    assert!(!diags.has_errors(), "{diags}");
    assert!(!v.get_attr("ingress").unwrap().is_known());
}

#[test]
fn templatefile_evaluates_with_its_vars_only() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("t.tpl"), "%{ for s in servers ~}\nserver ${s}\n%{ endfor ~}\nport=${port}").unwrap();
    std::fs::write(d.path().join("main.tf"), "locals {\n  out = templatefile(\"${path.module}/t.tpl\", { servers = [\"a\", \"b\"], port = 8080 })\n}\n").unwrap();
    let (cfg, diags) = load_config(d.path());
    assert!(!diags.has_errors(), "{diags}");
    let cfg = cfg.unwrap();
    let scope = plinth_lang::console::StaticScope::new(&cfg.root, Default::default(), d.path());
    let out = plinth_lang::console::eval_console_line("local.out", &scope, d.path(), &cfg.sources).unwrap();
    assert_eq!(out, "<<EOT\nserver a\nserver b\nport=8080\nEOT");
}
