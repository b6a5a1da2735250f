//! The corpus: real-world-shaped configurations with `terraform fmt`'s output checked in
//! next to them (`NAME.tf.golden`, made by `regenerate.sh`). These tests need no Terraform.

use std::path::PathBuf;

fn corpus() -> Vec<(PathBuf, String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut v = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(&dir).expect("corpus dir").map(|e| e.expect("entry").path()).collect();
    entries.sort();
    for p in entries {
        if p.extension().is_some_and(|e| e == "golden") {
            continue;
        }
        let golden = PathBuf::from(format!("{}.golden", p.display()));
        let input = std::fs::read_to_string(&p).expect("read input");
        let expected = std::fs::read_to_string(&golden).unwrap_or_else(|_| panic!("missing golden file {}", golden.display()));
        v.push((p, input, expected));
    }
    v
}

#[test]
fn corpus_is_large_enough() {
    assert!(corpus().len() >= 25, "corpus has {} files", corpus().len());
}

#[test]
fn corpus_matches_terraform_golden_output() {
    let mut failures = Vec::new();
    for (path, input, expected) in corpus() {
        match plinth_fmt::format_source(&input) {
            Ok(got) if got == expected => {}
            Ok(got) => failures.push(format!(
                "{}: output differs from terraform fmt\n{}",
                path.display(),
                plinth_fmt::unified_diff(&expected, &got, "terraform", "plinth")
            )),
            Err(e) => failures.push(format!("{}: unexpected error {e}", path.display())),
        }
    }
    assert!(failures.is_empty(), "{} corpus files differ:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn golden_files_are_fixed_points() {
    for (path, _, expected) in corpus() {
        let again = plinth_fmt::format_source(&expected).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(again, expected, "{}: formatting the golden output changed it", path.display());
    }
}
