//! Logs go to stderr through `tracing`, only when `PLINTH_LOG` or `TF_LOG` asks for them.

mod cli_common;
use cli_common::*;

#[test]
fn silent_by_default() {
    let d = tempfile::tempdir().unwrap();
    let o = run(d.path(), &["version"]);
    assert_eq!(code(&o), 0);
    assert_eq!(stderr(&o), "");
}

#[test]
fn plinth_log_and_tf_log_enable_logs_on_stderr() {
    let d = tempfile::tempdir().unwrap();
    for var in ["PLINTH_LOG", "TF_LOG"] {
        let o = run_env(d.path(), &["version"], &[(var, "DEBUG")]);
        assert_eq!(code(&o), 0);
        let e = stderr(&o);
        assert!(e.contains("plinth starting"), "{var}: {e}");
        assert!(e.contains("plinth finished"), "{var}: {e}");
        assert!(!stdout(&o).contains("plinth starting"), "logs must not go to stdout");
    }
    // `info` hides debug lines.
    let o = run_env(d.path(), &["version"], &[("PLINTH_LOG", "info")]);
    assert!(stderr(&o).contains("plinth starting"));
    assert!(!stderr(&o).contains("plinth finished"));
}
