//! `plinth version [-json]`: Plinth's version, the platform, and the built-in providers with
//! the upstream provider versions they follow.

use crate::args::VersionArgs;
use crate::ui::Ui;

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// `linux_amd64`, like Terraform's platform names.
pub fn platform() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        a => a,
    };
    format!("{}_{arch}", std::env::consts::OS)
}

pub fn run(args: VersionArgs, ui: &mut Ui) -> i32 {
    let providers = crate::commands::providers_list();
    if args.json {
        let selections: serde_json::Map<String, serde_json::Value> = providers
            .iter()
            .map(|p| (qualified(&p.source), serde_json::Value::String(p.version.clone())))
            .collect();
        let v = serde_json::json!({
            "plinth_version": VERSION,
            "platform": platform(),
            "provider_selections": selections,
        });
        ui.outln(&serde_json::to_string_pretty(&v).unwrap_or_default());
        return 0;
    }
    ui.outln(&format!("Plinth v{VERSION}"));
    ui.outln(&format!("on {}", platform()));
    for p in providers {
        ui.outln(&format!("+ provider {} v{} (built in)", qualified(&p.source), p.version));
    }
    0
}

/// `registry.terraform.io/hashicorp/random`; sources with a host stay as they are.
pub fn qualified(source: &str) -> String {
    if source.matches('/').count() >= 2 {
        source.to_string()
    } else {
        format!("registry.terraform.io/{source}")
    }
}
