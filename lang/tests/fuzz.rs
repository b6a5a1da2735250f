//! Property tests: arbitrary text and mutated valid configurations never make the loader,
//! the validator or the evaluator panic.

use plinth_lang::console::{eval_console_line, StaticScope};
use plinth_lang::validate::validate_config;
use plinth_lang::{eval_expr, load_config, parse_expression, EmptyScope, EvalContext, Module, SourceMap};
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;

const VALID: &str = r#"
variable "names" {
  type    = list(object({ a = string, b = optional(number, 3) }))
  default = [{ a = "x" }]
}
locals {
  m     = { for i, v in var.names : v.a => v.b... }
  s     = "%{ for k, v in local.m }${k}=${v[0]}%{ endfor }"
  t     = <<-EOT
    hello ${upper("x")}
  EOT
  c     = length(var.names) > 0 ? var.names[0].a : "none"
  split = var.names[*].a
}
resource "terraform_data" "x" {
  count = 2
  input = "${local.c}-${count.index}"
  dynamic "d" {
    for_each = local.m
    content { k = d.key }
  }
  lifecycle {
    ignore_changes = [input]
  }
}
output "o" { value = try(terraform_data.x[0].id, null) }
"#;

fn exprs() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-z0-9_ .\\[\\]{}()\"$%~*+\\-/<>=!?:,]{0,40}",
        prop::sample::select(vec![
            "[for x in [1,2] : x]", "{for k, v in {a=1} : k => v...}", "\"${1}%{if true}a%{endif}\"", "a[*].b", "1 + 2 * 3 - 4 / 2 % 3",
            "!true && false || null == null", "upper(1, 2)", "try(x, 1)", "can(1)", "var.x", "<<EOT\nx\nEOT", "(((1)))", "[1][0]", "{a=1}.a",
        ])
        .prop_map(str::to_string),
    ]
}

fn eval_str(src: &str) {
    let sources = SourceMap::default();
    if let Ok(e) = parse_expression(src, "<fuzz>", &sources) {
        let ctx = EvalContext { scope: &EmptyScope, cwd: Path::new(".") };
        let _ = eval_expr(&e, &ctx);
        let _ = plinth_lang::references(&e);
    }
    let m = Module::default();
    let scope = StaticScope::new(&m, BTreeMap::new(), Path::new("."));
    let _ = eval_console_line(src, &scope, Path::new("."), &sources);
}

fn load_str(text: &str) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), text).unwrap();
    let (cfg, _) = load_config(dir.path());
    if let Some(cfg) = cfg {
        let _ = validate_config(&cfg);
    }
}

/// Cases per property: 300 in the normal test run; `PLINTH_FUZZ_CASES=N` for long fuzzing
/// sessions (see `scripts/fuzz.sh`).
fn fuzz_cases() -> u32 {
    std::env::var("PLINTH_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(300)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: fuzz_cases(), ..ProptestConfig::default() })]

    #[test]
    fn evaluator_never_panics(src in exprs()) {
        eval_str(&src);
    }

    #[test]
    fn loader_never_panics_on_arbitrary_text(src in any::<String>()) {
        load_str(&src);
    }

    #[test]
    fn loader_never_panics_on_mutated_config(edits in prop::collection::vec((0usize..VALID.len(), 0u8..3, any::<char>()), 1..6)) {
        let mut text: Vec<char> = VALID.chars().collect();
        for (pos, op, c) in edits {
            let pos = pos % (text.len() + 1);
            match op {
                0 if pos < text.len() => { text.remove(pos); }
                1 => text.insert(pos, c),
                _ if pos < text.len() => text[pos] = c,
                _ => {}
            }
        }
        load_str(&text.into_iter().collect::<String>());
    }
}

#[test]
fn valid_fuzz_seed_loads_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), VALID).unwrap();
    let (cfg, diags) = load_config(dir.path());
    assert!(!diags.has_errors(), "{diags}");
    let d = validate_config(&cfg.unwrap());
    assert!(!d.has_errors(), "{d}");
}
