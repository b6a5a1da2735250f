//! Apply progress lines and summaries, as Terraform prints them:
//! `random_password.db: Creating...`, `Still creating... [10s elapsed]`,
//! `Creation complete after 0s [id=none]`, `Apply complete! Resources: …`, and the
//! `Outputs:` block.

use super::diff::colorize;
use plinth_engine::{Action, ApplySummary};
use plinth_sdk::Value;
use std::time::Duration;

/// Go's `time.Duration.String()` of a duration truncated to whole seconds: `0s`, `12s`,
/// `1m5s`, `2h0m3s`.
pub fn elapsed(d: Duration) -> String {
    let s = d.as_secs();
    let (h, m, sec) = (s / 3600, (s / 60) % 60, s % 60);
    if h > 0 {
        format!("{h}h{m}m{sec}s")
    } else if m > 0 {
        format!("{m}m{sec}s")
    } else {
        format!("{sec}s")
    }
}

fn line(s: &str, color: bool) -> String {
    colorize(&format!("[reset][bold]{s}[reset]"), color)
}

fn id_part(id: Option<&str>) -> String {
    id.map(|i| format!(" [id={i}]")).unwrap_or_default()
}

/// `addr: Creating...` / `Modifying... [id=…]` / `Destroying... [id=…]` / `Reading...`.
/// For a replacement call it twice (the delete and the create half).
pub fn render_start(addr: &str, action: Action, id: Option<&str>, color: bool) -> String {
    let s = match action {
        Action::Create | Action::DeleteThenCreate | Action::CreateThenDelete => format!("{addr}: Creating..."),
        Action::Update => format!("{addr}: Modifying...{}", id_part(id)),
        Action::Delete => format!("{addr}: Destroying...{}", id_part(id)),
        Action::Read => format!("{addr}: Reading..."),
        Action::Forget => format!("{addr}: Removing from state..."),
        Action::NoOp => format!("{addr}: Importing...{}", id_part(id)),
    };
    line(&s, color)
}

/// `addr: Still creating... [10s elapsed]` (with the id for updates and deletes).
pub fn render_progress(addr: &str, action: Action, id: Option<&str>, d: Duration, color: bool) -> String {
    let e = elapsed(d);
    let s = match (action, id) {
        (Action::Update, Some(i)) => format!("{addr}: Still modifying... [id={i}, {e} elapsed]"),
        (Action::Update, None) => format!("{addr}: Still modifying... [{e} elapsed]"),
        (Action::Delete, Some(i)) => format!("{addr}: Still destroying... [id={i}, {e} elapsed]"),
        (Action::Delete, None) => format!("{addr}: Still destroying... [{e} elapsed]"),
        (Action::Read, _) => format!("{addr}: Still reading... [{e} elapsed]"),
        _ => format!("{addr}: Still creating... [{e} elapsed]"),
    };
    line(&s, color)
}

/// `addr: Creation complete after 0s [id=…]` / `Modifications complete …` /
/// `Destruction complete after 0s` / `Read complete after 0s [id=…]`.
pub fn render_complete(addr: &str, action: Action, id: Option<&str>, d: Duration, color: bool) -> String {
    let e = elapsed(d);
    let s = match action {
        Action::Create | Action::DeleteThenCreate | Action::CreateThenDelete => {
            format!("{addr}: Creation complete after {e}{}", id_part(id))
        }
        Action::Update => format!("{addr}: Modifications complete after {e}{}", id_part(id)),
        Action::Delete => format!("{addr}: Destruction complete after {e}"),
        Action::Read => format!("{addr}: Read complete after {e}{}", id_part(id)),
        Action::Forget => format!("{addr}: Removed from state"),
        Action::NoOp => format!("{addr}: Import complete{}", id_part(id)),
    };
    line(&s, color)
}

/// `addr: Creation errored after 1s` (the diagnostics follow separately).
pub fn render_errored(addr: &str, action: Action, d: Duration, color: bool) -> String {
    let verb = match action {
        Action::Update => "Modifications",
        Action::Delete => "Destruction",
        Action::Read => "Read",
        _ => "Creation",
    };
    line(&format!("{addr}: {verb} errored after {}", elapsed(d)), color)
}

/// `Apply complete! Resources: 1 added, 0 changed, 0 destroyed.` (or `Destroy complete!
/// Resources: N destroyed.` when `destroy`), with its surrounding blank lines.
pub fn render_summary(s: &ApplySummary, destroy: bool, color: bool) -> String {
    let body = if destroy {
        format!("Destroy complete! Resources: {} destroyed.", s.destroyed)
    } else {
        let mut b = String::from("Apply complete! Resources: ");
        if s.imported > 0 {
            b += &format!("{} imported, ", s.imported);
        }
        b += &format!("{} added, {} changed, {} destroyed", s.added, s.changed, s.destroyed);
        if s.forgotten > 0 {
            b += &format!(", {} forgotten", s.forgotten);
        }
        b.push('.');
        b
    };
    colorize(&format!("[reset][bold][green]\n{body}\n"), color)
}

/// The `Outputs:` block after apply (empty string when there are none): one
/// `name = value` per output, sorted, values as `terraform console` prints them, sensitive
/// ones as `<sensitive>`.
pub fn render_outputs(outputs: &[(String, Value, bool)], color: bool) -> String {
    if outputs.is_empty() {
        return String::new();
    }
    let mut sorted: Vec<&(String, Value, bool)> = outputs.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = colorize("[reset][bold][green]\nOutputs:\n\n", color);
    for (name, v, sensitive) in sorted {
        out += &format!("{name} = {}\n", output_value(v, *sensitive));
    }
    out
}

/// One output value as `plinth output NAME` / the apply summary prints it.
pub fn output_value(v: &Value, sensitive: bool) -> String {
    if sensitive || v.is_sensitive() {
        return "<sensitive>".to_string();
    }
    plinth_functions::console_format(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elapsed_like_go() {
        assert_eq!(elapsed(Duration::from_millis(900)), "0s");
        assert_eq!(elapsed(Duration::from_secs(65)), "1m5s");
        assert_eq!(elapsed(Duration::from_secs(7203)), "2h0m3s");
    }

    #[test]
    fn lines_match_terraform() {
        assert_eq!(render_start("terraform_data.c", Action::Create, None, false), "terraform_data.c: Creating...");
        assert_eq!(
            render_start("terraform_data.c", Action::Create, None, true),
            "\x1b[0m\x1b[1mterraform_data.c: Creating...\x1b[0m\x1b[0m"
        );
        assert_eq!(
            render_complete("random_password.db", Action::Create, Some("none"), Duration::ZERO, false),
            "random_password.db: Creation complete after 0s [id=none]"
        );
        assert_eq!(
            render_complete("terraform_data.f", Action::Delete, Some("x"), Duration::ZERO, false),
            "terraform_data.f: Destruction complete after 0s"
        );
        assert_eq!(
            render_progress("random_password.db", Action::Create, None, Duration::from_secs(10), false),
            "random_password.db: Still creating... [10s elapsed]"
        );
        assert_eq!(
            render_progress("a.b", Action::Delete, Some("i-1"), Duration::from_secs(20), false),
            "a.b: Still destroying... [id=i-1, 20s elapsed]"
        );
    }
}
