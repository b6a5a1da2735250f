//! Deeply nested input must not overflow the stack (it is rejected with a diagnostic).

use plinth_lang::{load_config, parse_expression, SourceMap};

#[test]
fn deeply_nested_expressions_are_rejected_not_crashing() {
    for depth in [100usize, 250, 10_000, 200_000] {
        let src = format!("{}1{}", "(".repeat(depth), ")".repeat(depth));
        let r = parse_expression(&src, "<deep>", &SourceMap::default());
        if depth > 1000 {
            let d = r.err().expect("deep nesting is an error");
            assert_eq!(d.0[0].summary, "Nesting too deep");
        }
        let arr = format!("locals {{\n  x = {}1{}\n}}\n", "[".repeat(depth), "]".repeat(depth));
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("main.tf"), arr).unwrap();
        let (_, diags) = load_config(dir.path());
        if depth > 1000 {
            assert!(diags.iter().any(|d| d.summary == "Nesting too deep"), "{diags}");
        }
    }
}

#[test]
fn long_operator_chains_do_not_crash() {
    for (name, src) in [
        ("plus", format!("1{}", "+1".repeat(20_000))),
        ("not", format!("{}true", "!".repeat(20_000))),
        ("cond", format!("{}1", "true ? 1 : ".repeat(20_000))),
    ] {
        let r = parse_expression(&src, name, &SourceMap::default());
        if let Ok(e) = r {
            let ctx = plinth_lang::EvalContext { scope: &plinth_lang::EmptyScope, cwd: std::path::Path::new(".") };
            let _ = plinth_lang::eval_expr(&e, &ctx);
            let _ = plinth_lang::references(&e);
        }
    }
}
