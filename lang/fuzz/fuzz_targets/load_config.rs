//! Feeds arbitrary bytes as a `main.tf` to the loader and the validator: neither may panic.
//! Run with `cargo +nightly fuzz run load_config` from `lang/`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(dir) = tempfile::tempdir() else { return };
    if std::fs::write(dir.path().join("main.tf"), text).is_err() {
        return;
    }
    let (cfg, _) = plinth_lang::load_config(dir.path());
    if let Some(cfg) = cfg {
        let _ = plinth_lang::validate::validate_config(&cfg);
    }
});
