//! Loading large files (parsed in two halves on two threads) and modules called several
//! times (read once): the result must be exactly what a plain sequential load gives.

use plinth_lang::{eval_expr, load_config, EmptyScope, EvalContext};
use std::fmt::Write;
use std::path::Path;

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

/// `n` resources of ~200 bytes each; `middle` is inserted after resource `n / 2`.
fn big_file(n: usize, middle: &str) -> String {
    let mut s = String::new();
    for i in 0..n {
        writeln!(s, "resource \"terraform_data\" \"r{i}\" {{\n  input = \"value-{i}-padding-padding-padding-padding-padding-padding-padding\"\n  triggers_replace = [{i}, \"x\"]\n}}\n").unwrap();
        if i == n / 2 {
            s.push_str(middle);
        }
    }
    s
}

fn input_of(dir: &Path, name: &str) -> (String, usize) {
    let (c, d) = load_config(dir);
    assert!(!d.has_errors(), "{d}");
    let c = c.unwrap();
    let r = &c.root.resources[name];
    let a = &r.body.attributes["input"];
    let ctx = EvalContext { scope: &EmptyScope, cwd: dir };
    let (v, d) = eval_expr(&a.expr, &ctx);
    assert!(!d.has_errors(), "{d}");
    (v.as_str().unwrap().to_string(), a.range.start.line)
}

#[test]
fn a_large_file_loads_like_a_small_one() {
    let d = tempfile::tempdir().unwrap();
    let text = big_file(2000, "");
    assert!(text.len() > 256 * 1024);
    write(d.path(), &[("main.tf", &text)]);
    let (c, diags) = load_config(d.path());
    assert!(!diags.has_errors(), "{diags}");
    let c = c.unwrap();
    assert_eq!(c.root.resources.len(), 2000);
    // Positions in the second half are positions in the whole file.
    let line = text.lines().position(|l| l == "resource \"terraform_data\" \"r1999\" {").unwrap() + 1;
    assert_eq!(c.root.resources["terraform_data.r1999"].decl_range.start.line, line);
    assert_eq!(input_of(d.path(), "terraform_data.r1999").0, "value-1999-padding-padding-padding-padding-padding-padding-padding");
}

#[test]
fn a_split_point_inside_a_heredoc_or_comment_is_not_taken() {
    // Lines that look like the end of a block and the start of the next one, inside a
    // heredoc and a comment, right where the file would be split.
    let trap = "}\nresource \"terraform_data\" \"fake\" {\n  input = \"no\"\n}\n";
    let heredoc = format!("resource \"terraform_data\" \"doc\" {{\n  input = <<EOT\n{}EOT\n}}\n\n", trap.repeat(400));
    let comment = format!("/*\n{}*/\n", trap.repeat(400));
    for middle in [heredoc.as_str(), comment.as_str()] {
        let d = tempfile::tempdir().unwrap();
        let text = big_file(1500, middle);
        write(d.path(), &[("main.tf", &text)]);
        let (c, diags) = load_config(d.path());
        assert!(!diags.has_errors(), "{diags}");
        let c = c.unwrap();
        assert!(!c.root.resources.contains_key("terraform_data.fake"));
        let expected = 1500 + usize::from(middle.starts_with("resource"));
        assert_eq!(c.root.resources.len(), expected);
        let line = text.lines().position(|l| l == "resource \"terraform_data\" \"r1499\" {").unwrap() + 1;
        assert_eq!(c.root.resources["terraform_data.r1499"].decl_range.start.line, line);
    }
}

#[test]
fn a_syntax_error_in_the_second_half_of_a_large_file_points_at_it() {
    let d = tempfile::tempdir().unwrap();
    let mut text = big_file(2000, "");
    let at = text.len() * 3 / 4;
    let line_start = text[..at].rfind('\n').unwrap() + 1;
    text.insert_str(line_start, "resource \"x\" \"broken\" {\n  a = = 1\n}\n");
    let line = text[..line_start].matches('\n').count() + 2;
    write(d.path(), &[("main.tf", &text)]);
    let (_, diags) = load_config(d.path());
    assert!(diags.has_errors());
    let e = diags.iter().next().unwrap();
    assert_eq!(e.subject.as_ref().unwrap().start.line, line, "{diags}");
}

#[test]
fn a_module_called_several_times_is_read_once_and_reports_errors_once() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        &[
            ("main.tf", "module \"a\" {\n  source = \"./m\"\n}\nmodule \"b\" {\n  source = \"./m/\"\n}\n"),
            ("m/main.tf", "resource \"terraform_data\" \"x\" {\n  input = path.module\n  bogus_block {}\n}\nmodule \"inner\" {\n  source = \"./n\"\n}\nlocals {\n  dup = 1\n}\nlocals {\n  dup = 2\n}\n"),
            ("m/n/main.tf", "output \"o\" {\n  value = 1\n}\n"),
        ],
    );
    let (c, diags) = load_config(d.path());
    let c = c.unwrap();
    let dups = diags.iter().filter(|x| x.summary == "Duplicate local value definition").count();
    assert_eq!(dups, 1, "{diags}");
    for (call, expected_path) in [("a", vec!["a"]), ("b", vec!["b"])] {
        let m = &c.root.module_calls[call].module;
        assert_eq!(m.path, expected_path);
        assert!(m.resources.contains_key("terraform_data.x"));
        let inner = &m.module_calls["inner"].module;
        assert_eq!(inner.path, vec![call.to_string(), "inner".to_string()]);
        assert!(inner.outputs.contains_key("o"));
    }
    assert_eq!(c.root.module_calls["a"].module.dir, d.path().join("./m"));
    assert_eq!(c.root.module_calls["b"].module.dir, d.path().join("./m/"));
}
