//! `console` output compared with Terraform 1.11's, recorded in `tests/console_eval/expected.txt`
//! (`>>> expression` then the printed result, or `ERROR: summary`).

use plinth_lang::console::{eval_console_line, StaticScope};
use plinth_lang::{Module, SourceMap};
use std::collections::BTreeMap;
use std::path::Path;

#[test]
fn console_matches_terraform() {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/console_eval/expected.txt")).unwrap();
    let m = Module::default();
    let scope = StaticScope::new(&m, BTreeMap::new(), Path::new("."));
    let mut failures = Vec::new();
    let mut n = 0;
    for chunk in text.split(">>> ").filter(|c| !c.trim().is_empty()) {
        let (expr, want) = chunk.split_once('\n').unwrap();
        let want = want.trim_end();
        let sources = SourceMap::default();
        let got = match eval_console_line(expr, &scope, Path::new("."), &sources) {
            Ok(s) => s,
            Err(d) => format!("ERROR: {}", d.iter().next().map(|d| d.summary.clone()).unwrap_or_default()),
        };
        n += 1;
        if got != want {
            failures.push(format!("{expr}\n  want: {want}\n  got:  {got}"));
        }
    }
    assert!(n >= 45, "only {n} cases");
    assert!(failures.is_empty(), "{} of {n} differ:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn console_sees_variables_and_locals() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf"),
        "variable \"env\" {\n  default = \"dev\"\n}\nlocals {\n  name = \"app-${var.env}\"\n  loop = local.loop\n}\nresource \"aws_vpc\" \"main\" {}\n",
    )
    .unwrap();
    let (cfg, d) = plinth_lang::load_config(dir.path());
    assert!(!d.has_errors(), "{d}");
    let cfg = cfg.unwrap();
    let mut vars = BTreeMap::new();
    vars.insert("env".to_string(), plinth_sdk::Value::string("prod"));
    let scope = StaticScope::new(&cfg.root, vars, dir.path());
    let ev = |s: &str| eval_console_line(s, &scope, dir.path(), &cfg.sources);
    assert_eq!(ev("local.name").unwrap(), "\"app-prod\"");
    assert_eq!(ev("aws_vpc.main.id").unwrap(), "(known after apply)");
    let e = ev("var.evn").unwrap_err();
    assert_eq!(e.0[0].help, vec!["did you mean `var.env`?".to_string()]);
    let e = ev("local.loop").unwrap_err();
    assert!(e.0[0].summary.contains("Cycle"), "{e}");
}
