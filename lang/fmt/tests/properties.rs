//! Properties: formatting is idempotent on generated and scrambled configurations, and
//! no input (valid or not) makes the formatter panic.

mod common;

use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn idempotent_on_scrambled_corpus(idx in 0usize..1000, choices in prop::collection::vec(0u8..10, 1..40), crlf in any::<bool>()) {
        let corpus = common::corpus_inputs();
        let (_, src) = &corpus[idx % corpus.len()];
        let input = common::mutate(src, &choices, crlf);
        let once = plinth_fmt::format_source(&input).map_err(|e| TestCaseError::fail(format!("{e}")))?;
        let twice = plinth_fmt::format_source(&once).map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert_eq!(once, twice);
    }


    #[test]
    fn never_panics_on_arbitrary_strings(src in any::<String>()) {
        let _ = plinth_fmt::format_source(&src);
        let _ = plinth_fmt::format_unchecked(&src);
    }

    #[test]
    fn never_panics_on_hcl_fragments(parts in prop::collection::vec(prop_oneof![
        Just("{"), Just("}"), Just("["), Just("]"), Just("("), Just(")"), Just("\""), Just("${"), Just("%{"),
        Just("~}"), Just("<<EOT\n"), Just("<<-EOT\n"), Just("EOT\n"), Just("\n"), Just("\r\n"), Just("\r"),
        Just("="), Just("a"), Just("in"), Just("1.5e"), Just("-"), Just("# c\n"), Just("/*"), Just("*/"),
        Just("//"), Just(" "), Just("\t"), Just(":"), Just("?"), Just("..."), Just("\\"), Just("$${"), Just("\u{feff}"),
        Just("é"), Just(","), Just("."), Just("!"), Just("variable"), Just("type"), Just("\"string\""),
    ], 0..60)) {
        let src: String = parts.concat();
        let _ = plinth_fmt::format_source(&src);
        let _ = plinth_fmt::format_unchecked(&src);
    }
}

/// The recursive configuration generator needs more stack than a test thread has in
/// debug builds, so this property runs its own runner on a bigger thread.
#[test]
fn idempotent_on_generated_configs() {
    let handle = std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(|| {
            let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig { cases: 256, ..ProptestConfig::default() });
            let formatted = std::cell::Cell::new(0usize);
            let result = runner.run(&common::config(), |src| {
                if let Ok(once) = plinth_fmt::format_source(&src) {
                    formatted.set(formatted.get() + 1);
                    let twice = plinth_fmt::format_source(&once);
                    prop_assert_eq!(Ok(once), twice);
                }
                Ok(())
            });
            (result, formatted.get())
        })
        .expect("spawn");
    let (result, formatted) = handle.join().expect("property thread");
    if let Err(e) = result {
        panic!("{e}");
    }
    assert!(formatted > 100, "only {formatted} generated configurations were valid");
}

#[test]
fn deep_nesting_is_formatted_or_refused_without_crashing() {
    // The syntax check (hcl-edit) accepts at most 64 nested levels; Terraform has no such
    // limit, so deeper files are reported rather than formatted.
    for depth in [10usize, 60, 64, 66, 500, 2500] {
        let src = format!("a = {}1{}\n", "[(".repeat(depth / 2), ")]".repeat(depth / 2));
        let r = plinth_fmt::format_source(&src);
        if depth <= 64 {
            assert!(r.is_ok(), "depth {depth}: {r:?}");
        } else {
            assert!(r.is_err(), "depth {depth}");
        }
        let bangs = format!("a = {}true\n", "!".repeat(depth));
        let _ = plinth_fmt::format_source(&bangs);
        let _ = plinth_fmt::format_unchecked(&src);
    }
}
