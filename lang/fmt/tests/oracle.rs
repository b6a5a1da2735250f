//! Differential test against the real `terraform fmt` (skipped, with a message, when
//! Terraform is not on the PATH): the corpus plus whitespace-scrambled variants of it.

mod common;

use std::process::Command;

fn terraform_available() -> bool {
    Command::new("terraform").arg("version").env("TF_CLI_CONFIG_FILE", "/dev/null").output().is_ok_and(|o| o.status.success())
}

#[test]
fn matches_real_terraform_fmt() {
    if !terraform_available() {
        println!("skipping: terraform is not on the PATH");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cases = Vec::new();
    let seeds: [&[u8]; 5] = [&[0, 3, 1, 4, 2], &[2, 2, 0], &[4, 1, 0, 0, 3, 9], &[1], &[3, 0, 2, 1, 4, 4, 0]];
    for (name, src) in common::corpus_inputs() {
        let ext = if name.ends_with(".tfvars") { "tfvars" } else { "tf" };
        cases.push((name.clone(), src.clone()));
        for (n, seed) in seeds.iter().enumerate() {
            let crlf = n == 2;
            cases.push((format!("m{n}_{}.{ext}", name.trim_end_matches(".tf").trim_end_matches(".tfvars")), common::mutate(&src, seed, crlf)));
        }
    }
    for (name, src) in &cases {
        std::fs::write(dir.path().join(name), src).expect("write case");
    }
    let out = Command::new("terraform")
        .args(["fmt", "-list=false"])
        .arg(dir.path())
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .output()
        .expect("run terraform fmt");
    assert!(out.status.success(), "terraform fmt failed: {}", String::from_utf8_lossy(&out.stderr));
    let mut failures = Vec::new();
    for (name, src) in &cases {
        let expected = std::fs::read_to_string(dir.path().join(name)).expect("read result");
        match plinth_fmt::format_source(src) {
            Ok(got) if got == expected => {}
            Ok(got) => failures.push(format!("{name}:\n{}", plinth_fmt::unified_diff(&expected, &got, "terraform", "plinth"))),
            Err(e) => failures.push(format!("{name}: unexpected error {e}")),
        }
    }
    println!("{} of {} inputs match terraform fmt byte-for-byte", cases.len() - failures.len(), cases.len());
    assert!(failures.is_empty(), "{} differ:\n{}", failures.len(), failures.join("\n"));
}

/// Runs terraform fmt in place over `cases` in one directory; returns, per case, the
/// formatted text or None when terraform reported an error for that file.
fn terraform_fmt_all(cases: &[(String, String)]) -> Vec<Option<String>> {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, src) in cases {
        std::fs::write(dir.path().join(name), src).expect("write case");
    }
    let out = Command::new("terraform")
        .args(["fmt", "-list=false", "-no-color"])
        .arg(dir.path())
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .output()
        .expect("run terraform fmt");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    cases
        .iter()
        .map(|(name, _)| {
            let failed = stderr.contains(&format!("{name} line"));
            if failed {
                None
            } else {
                Some(std::fs::read_to_string(dir.path().join(name)).expect("read result"))
            }
        })
        .collect()
}

fn edge_cases() -> Vec<(String, String)> {
    let text = include_str!("edge_inputs.txt");
    let mut cases: Vec<(String, String)> =
        text.split("#####\n").enumerate().map(|(i, s)| (format!("edge{i:03}.tf"), s.to_string())).collect();
    let extra: &[&str] = &[
        "",
        "\n\n\n",
        "   ",
        "a = 1   ",
        "a = 1\t",
        "\u{feff}a=1\n",
        "a=1\r\nbb=2\r\n",
        "# only a comment",
        "# only a comment\n",
        "/* block */",
        "a = 1 // c",
        "a = 1\n\n\n# end",
        "x = <<-EOT\r\n  crlf heredoc\r\n  EOT\r\n",
        "m = {\n  a = 1,\n  b = 2,\n}\n",
        "t = [\n  1,\n  2\n]\n",
        "long_name_attribute = 1\nb = <<EOT\nx\nEOT\nc = 3\n",
        "a = 1\nb {\n}\nc = 2\n",
        "a = \"${x}\"\nb = \"${x} \"\nc = \" ${x}\"\n",
        "resource \"a\" \"b\" {\n  # c\n}\n",
        "a = \"\\\"${x}\\\"\"\n",
        "r \"a\\\"b\" \"\\u0041\" {}\n",
        "r a-b c_d {}\n",
        "a = 1.5\nb = 1e3\nc = 0.0\n",
        // syntax errors: both must reject
        "a = ",
        "a = \"unterminated\n",
        "resource \"a\" {\n",
        "a = 1 +",
        "= 1",
        "a = b &c",
        "a = <<EOT\nno end\n",
        "a = 1 b = 2\n",
        "a = [1,\n",
        "a = }",
        "block \"l\" x = 1\n",
        "a = 1\na = 2\n",
        "a = \"${\"",
        "a = 'single'",
    ];
    for (i, s) in extra.iter().enumerate() {
        cases.push((format!("extra{i:03}.tf"), s.to_string()));
    }
    cases
}

#[test]
fn edge_cases_match_real_terraform_fmt() {
    if !terraform_available() {
        println!("skipping: terraform is not on the PATH");
        return;
    }
    let cases = edge_cases();
    let expected = terraform_fmt_all(&cases);
    let mut failures = Vec::new();
    for ((name, src), exp) in cases.iter().zip(&expected) {
        let got = plinth_fmt::format_source(src);
        match (exp, got) {
            (Some(e), Ok(g)) if *e == g => {}
            (None, Err(_)) => {}
            (Some(e), Ok(g)) => failures.push(format!("{name} {src:?}:\n{}", plinth_fmt::unified_diff(e, &g, "terraform", "plinth"))),
            (Some(_), Err(err)) => failures.push(format!("{name} {src:?}: terraform formats it, we report {err}")),
            (None, Ok(_)) => failures.push(format!("{name} {src:?}: terraform reports a syntax error, we format it")),
        }
    }
    println!("{} of {} edge cases agree with terraform fmt", cases.len() - failures.len(), cases.len());
    assert!(failures.is_empty(), "{} differ:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn generated_configs_match_real_terraform_fmt() {
    if !terraform_available() {
        println!("skipping: terraform is not on the PATH");
        return;
    }
    // generate on a big stack (the recursive generator is deep in debug builds)
    let cases: Vec<(String, String)> = std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(|| {
            use proptest::strategy::{Strategy, ValueTree};
            let mut runner = proptest::test_runner::TestRunner::deterministic();
            let strategy = common::config();
            (0..1000)
                .map(|i| {
                    let src = strategy.new_tree(&mut runner).expect("generate").current();
                    (format!("gen{i:04}.tf"), src)
                })
                .collect()
        })
        .expect("spawn")
        .join()
        .expect("generator thread");
    let expected = terraform_fmt_all(&cases);
    let mut failures = Vec::new();
    let mut rejected = 0;
    for ((name, src), exp) in cases.iter().zip(&expected) {
        let got = plinth_fmt::format_source(src);
        match (exp, got) {
            (Some(e), Ok(g)) if *e == g => {}
            (None, Err(e)) => {
                rejected += 1;
                if std::env::var("SHOW_REJECTED").is_ok() {
                    println!("rejected {name}: {e}");
                }
            }
            (Some(e), Ok(g)) => failures.push(format!("{name} {src:?}:\n{}", plinth_fmt::unified_diff(e, &g, "terraform", "plinth"))),
            (Some(_), Err(err)) => failures.push(format!("{name} {src:?}: terraform formats it, we report {err}")),
            (None, Ok(_)) => failures.push(format!("{name} {src:?}: terraform reports a syntax error, we format it")),
        }
    }
    println!(
        "{} of {} generated configurations agree with terraform fmt ({rejected} rejected by both)",
        cases.len() - failures.len(),
        cases.len()
    );
    assert!(failures.is_empty(), "{} differ:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn diffs_match_terraform_fmt_diff() {
    if !terraform_available() {
        println!("skipping: terraform is not on the PATH");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let mut names = Vec::new();
    for (name, src) in common::corpus_inputs() {
        std::fs::write(dir.path().join(&name), &src).expect("write");
        names.push(name.clone());
    }
    let out = Command::new("terraform")
        .args(["fmt", "-diff", "-write=false", "-list=false", "-no-color", "."])
        .current_dir(dir.path())
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .output()
        .expect("run terraform fmt -diff");
    let theirs = String::from_utf8_lossy(&out.stdout).into_owned();
    let opts = plinth_fmt::FmtOptions { check: false, diff: true, recursive: false, write: false, list: false };
    let report = plinth_fmt::format_paths(&[dir.path().to_path_buf()], &opts);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.changed.len(), names.len());
    // headers name the files differently (terraform: relative to its working directory)
    let prefix = format!("{}/", dir.path().display());
    let ours: String = report.diffs.iter().map(|d| d.replace(&prefix, "")).collect();
    if ours != theirs {
        panic!("diffs differ:\n{}", plinth_fmt::unified_diff(&theirs, &ours, "terraform", "plinth"));
    }
}

#[test]
fn token_soup_matches_real_terraform_fmt() {
    if !terraform_available() {
        println!("skipping: terraform is not on the PATH");
        return;
    }
    use proptest::strategy::{Strategy, ValueTree};
    let fragments = [
        "a", "b", "c", " ", "  ", "\n", "=", "{", "}", "[", "]", "(", ")", "\"", "${", "}\"", "%{", ",", ".", "1", "-", "+", "!", "?", ":",
        "# c\n", "/* c */", "<<EOT\n", "EOT\n", "\"x\"", "\"${y}\"", "...", "for", "in", "=>", "\t", "\r\n", "~}", "*",
    ];
    let soup = proptest::collection::vec(proptest::sample::select(fragments.to_vec()), 1..25).prop_map(|v| v.concat());
    let expr_fragments = [
        "a", "b.c", "1", "2.5", " ", "  ", "\n", "[", "]", "(", ")", "{", "}", ",", "+", "-", "*", "!", "==", "&&", "?", ":",
        "\"s\"", "\"${a}\"", "\"x${ b }y\"", "f(", "for x in", "=>", "...", "null", "[*]", ".d", "# c\n", "/* c */", "=",
    ];
    let expr = proptest::collection::vec(proptest::sample::select(expr_fragments.to_vec()), 1..12).prop_map(|v| v.concat());
    let lines = proptest::collection::vec((proptest::sample::select(vec!["a", "bb", "ccc_d"]), expr), 1..5).prop_map(|v| {
        v.iter().enumerate().map(|(i, (k, e))| format!("{k}{i} = {e}\n")).collect::<String>()
    });
    let strategy = proptest::prop_oneof![soup, lines.clone(), lines.prop_map(|l| format!("blk \"x\" {{\n{l}}}\n"))];
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let cases: Vec<(String, String)> =
        (0..1200).map(|i| (format!("soup{i:04}.tf"), strategy.new_tree(&mut runner).expect("generate").current())).collect();
    let expected = terraform_fmt_all(&cases);
    let mut failures = Vec::new();
    let mut accepted = 0;
    for ((name, src), exp) in cases.iter().zip(&expected) {
        let got = plinth_fmt::format_source(src);
        match (exp, got) {
            (Some(e), Ok(g)) if *e == g => accepted += 1,
            (None, Err(_)) => {}
            (Some(e), Ok(g)) => failures.push(format!("{name} {src:?}:\n{}", plinth_fmt::unified_diff(e, &g, "terraform", "plinth"))),
            (Some(_), Err(err)) => failures.push(format!("{name} {src:?}: terraform formats it, we report {err}")),
            (None, Ok(_)) => failures.push(format!("{name} {src:?}: terraform reports a syntax error, we format it")),
        }
    }
    println!("{} of {} token soups agree with terraform fmt ({accepted} formatted by both)", cases.len() - failures.len(), cases.len());
    assert!(failures.is_empty(), "{} differ:\n{}", failures.len(), failures.join("\n"));
}
