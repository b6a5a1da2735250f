//! End to end: crash safety. `plinth apply` of 200 `local_file` resources is killed with
//! SIGKILL at 20 pseudo-random moments. After every kill the next `plinth plan` must read the
//! state without error, and every file on disk must be either in the state or planned for
//! creation — never an error, never a lost or corrupt state.

mod e2e_support;
use e2e_support::*;
use std::collections::BTreeSet;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const N: usize = 200;

fn config() -> String {
    format!(
        r#"
variable "round" {{
  default = "0"
}}

resource "local_file" "f" {{
  count           = {N}
  filename        = "${{path.module}}/files/f${{count.index}}.txt"
  content         = "round ${{var.round}} file ${{count.index}}\n"
  file_permission = "0644"
}}
"#
    )
}

/// A small deterministic generator (xorshift) so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
}

#[test]
fn sigkill_during_apply_never_corrupts_state() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    write(dir, "main.tf", &config());
    plinth(dir, &["init", "-input=false"]).ok("init");

    // How long a full apply takes here, to spread the kills over it.
    let t0 = Instant::now();
    let first = plinth(dir, &["apply", "-auto-approve", "-input=false", "-no-color", "-var", "round=0"]);
    if unavailable("sigkill_during_apply_never_corrupts_state", &first) {
        return;
    }
    first.ok("first apply");
    let full = t0.elapsed().max(Duration::from_millis(50));

    let seed = std::env::var("PLINTH_CRASH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5eed_1234_u64);
    println!("crash test: full apply {full:?}, seed {seed:#x}");
    let mut rng = Rng(seed);
    let mut stale_locks = 0;
    for round in 1..=20 {
        let var = format!("round={round}");
        let mut child = Command::new(plinth_bin())
            .args(["apply", "-auto-approve", "-input=false", "-no-color", "-var", &var])
            .current_dir(dir)
            .env("TF_CLI_CONFIG_FILE", "/dev/null")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn apply");
        let delay = Duration::from_micros(rng.next() % (full.as_micros() as u64 * 12 / 10 + 1));
        std::thread::sleep(delay);
        // SIGKILL on Unix.
        let _ = child.kill();
        let _ = child.wait();

        let plan = plinth(dir, &["plan", "-input=false", "-no-color", "-var", &var]);
        // Like Terraform (whose flock dies with the process), the next run takes over the lock
        // a killed process left behind, and says so.
        if plan.stderr.contains("Took over a lock left by an interrupted run") || plan.stderr.contains("this run took it over") {
            stale_locks += 1;
        }
        assert_ne!(plan.code, 1, "round {round} (killed after {delay:?}): plan failed:\n{}{}", plan.stdout, plan.stderr);
        let in_state: BTreeSet<String> = state_list(dir).into_iter().collect();
        let mut files = 0;
        for e in std::fs::read_dir(dir.join("files")).expect("files dir").flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let Some(i) = name.strip_prefix('f').and_then(|s| s.strip_suffix(".txt")) else {
                assert!(name.starts_with('.'), "round {round}: unexpected file {name}");
                continue;
            };
            files += 1;
            let addr = format!("local_file.f[{i}]");
            let planned_create = plan.stdout.contains(&format!("# {addr} will be created"))
                || plan.stdout.contains(&format!("# {addr} must be replaced"));
            assert!(
                in_state.contains(&addr) || planned_create,
                "round {round} (killed after {delay:?}): {name} is on disk but neither in state nor planned for create"
            );
        }
        assert!(files <= N);
    }
    println!("crash test: {stale_locks} of 20 kills left a lock that the next plan took over");
    // And a final apply converges.
    plinth(dir, &["apply", "-auto-approve", "-input=false", "-no-color", "-var", "round=21"]).ok("final apply");
    let last = plinth(dir, &["plan", "-input=false", "-no-color", "-detailed-exitcode", "-var", "round=21"]);
    assert_eq!(last.code, 0, "{}{}", last.stdout, last.stderr);
    assert_eq!(state_list(dir).len(), N);
}
