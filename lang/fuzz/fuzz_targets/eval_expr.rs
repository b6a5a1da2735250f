//! Parses and evaluates arbitrary text as an expression (and as a console line): no panics.
//! Run with `cargo +nightly fuzz run eval_expr` from `lang/`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plinth_lang::console::{eval_console_line, StaticScope};
use plinth_lang::{eval_expr, parse_expression, references, EmptyScope, EvalContext, Module, SourceMap};
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else { return };
    let sources = SourceMap::default();
    if let Ok(e) = parse_expression(src, "<fuzz>", &sources) {
        let ctx = EvalContext { scope: &EmptyScope, cwd: Path::new(".") };
        let _ = eval_expr(&e, &ctx);
        let _ = references(&e);
    }
    let m = Module::default();
    let scope = StaticScope::new(&m, Default::default(), Path::new("."));
    let _ = eval_console_line(src, &scope, Path::new("."), &sources);
});
