//! Lock metadata, in Terraform's lock info JSON (`.terraform.tfstate.lock.info`).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

/// Who holds a state lock and why. Serialises with Terraform's field names
/// (`{"ID":…,"Operation":…,"Info":…,"Who":…,"Version":…,"Created":…,"Path":…}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockInfo {
    #[serde(rename = "ID")]
    pub id: String,
    /// Terraform writes `OperationTypeApply`, `OperationTypePlan`, `OperationTypeInvalid` …
    #[serde(rename = "Operation", default)]
    pub operation: String,
    #[serde(rename = "Info", default)]
    pub info: String,
    /// `user@host`.
    #[serde(rename = "Who", default)]
    pub who: String,
    #[serde(rename = "Version", default)]
    pub version: String,
    /// RFC 3339 with nanoseconds, UTC (`2026-11-27T15:33:43.134276453Z`).
    #[serde(rename = "Created", default)]
    pub created: String,
    /// The locked state's path (set by the backend).
    #[serde(rename = "Path", default)]
    pub path: String,
}

impl LockInfo {
    /// A new lock request for `operation` (e.g. `"OperationTypeApply"`): fresh ID, the
    /// current `user@host`, Plinth's version, the current time. The backend fills `path`.
    pub fn new(operation: &str) -> LockInfo {
        LockInfo {
            id: crate::model::new_lineage(),
            operation: operation.to_string(),
            info: String::new(),
            who: who(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            created: rfc3339_now(),
            path: String::new(),
        }
    }

    /// The `Created` time as Go prints `time.Time` (`2026-11-27 15:33:43.134276453 +0000 UTC`),
    /// which is how Terraform shows it; the raw text if it is not RFC 3339 UTC.
    pub fn created_display(&self) -> String {
        let c = &self.created;
        match (c.get(..10), c.get(10..11), c.strip_suffix('Z')) {
            (Some(date), Some("T"), Some(rest)) => {
                format!("{} {} +0000 UTC", date, &rest[11..])
            }
            _ => c.clone(),
        }
    }
}

impl fmt::Display for LockInfo {
    /// Terraform's "Lock Info:" block.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Lock Info:")?;
        writeln!(f, "  ID:        {}", self.id)?;
        writeln!(f, "  Path:      {}", self.path)?;
        writeln!(f, "  Operation: {}", self.operation)?;
        writeln!(f, "  Who:       {}", self.who)?;
        writeln!(f, "  Version:   {}", self.version)?;
        writeln!(f, "  Created:   {}", self.created_display())?;
        write!(f, "  Info:      {}", self.info)
    }
}

/// `user@host` as Terraform writes it.
pub fn who() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .ok()
        .filter(|u| !u.is_empty())
        .or_else(user_from_passwd)
        .unwrap_or_else(|| "unknown".to_string());
    let host = rustix::system::uname().nodename().to_string_lossy().into_owned();
    format!("{user}@{host}")
}

fn user_from_passwd() -> Option<String> {
    let uid = rustix::process::getuid().as_raw();
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|l| {
        let mut it = l.split(':');
        let name = it.next()?;
        let _pw = it.next()?;
        (it.next()?.parse::<u32>().ok()? == uid).then(|| name.to_string())
    })
}

/// The current time in RFC 3339 with nanoseconds, UTC, as Go's `time.Time` marshals it
/// (trailing zeros of the fraction dropped).
pub fn rfc3339_now() -> String {
    let d = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    rfc3339(d.as_secs() as i64, d.subsec_nanos())
}

/// Formats a Unix time in RFC 3339 with nanoseconds, UTC.
pub fn rfc3339(secs: i64, nanos: u32) -> String {
    let days = secs.div_euclid(86_400);
    let tod = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    let mut s = format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        tod / 3600,
        (tod / 60) % 60,
        tod % 60
    );
    if nanos > 0 {
        let frac = format!("{nanos:09}");
        s.push('.');
        s.push_str(frac.trim_end_matches('0'));
    }
    s.push('Z');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn terraform_lock_info_round_trips() {
        let raw = r#"{"ID":"ba28c26d-69f3-d19c-b101-6180c0e46777","Operation":"OperationTypeInvalid","Info":"","Who":"root@vm","Version":"1.11.4","Created":"2026-11-27T15:33:43.134276453Z","Path":"terraform.tfstate"}"#;
        let li: LockInfo = serde_json::from_str(raw).unwrap();
        assert_eq!(li.who, "root@vm");
        assert_eq!(String::from_utf8(crate::format::to_go_compact_json(&li)).unwrap(), raw);
        assert_eq!(li.created_display(), "2026-11-27 15:33:43.134276453 +0000 UTC");
    }
    #[test]
    fn formats_times() {
        assert_eq!(rfc3339(0, 0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_795_793_623, 134_276_000), "2026-11-27T15:33:43.134276Z");
        assert_eq!(rfc3339(951_782_400, 500_000_000), "2000-02-29T00:00:00.5Z");
    }
}
