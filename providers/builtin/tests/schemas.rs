//! A readable dump of every schema, checked in as a snapshot (tests/snapshots), so that any
//! change to a resource's shape is reviewed against the upstream provider.

use plinth_sdk::{Block, Nesting, Provider};
use std::fmt::Write;

fn dump_block(out: &mut String, b: &Block, indent: usize) {
    let pad = " ".repeat(indent);
    for (name, a) in &b.attributes {
        let mut flags = Vec::new();
        if a.required {
            flags.push("required");
        }
        if a.optional {
            flags.push("optional");
        }
        if a.computed {
            flags.push("computed");
        }
        if a.sensitive {
            flags.push("sensitive");
        }
        if a.force_new {
            flags.push("force_new");
        }
        if a.deprecated {
            flags.push("deprecated");
        }
        let _ = writeln!(out, "{pad}{name:<30} {:<20} {}", a.ty.to_string(), flags.join(", "));
    }
    for (name, nb) in &b.blocks {
        let nesting = match nb.nesting {
            Nesting::Single => "single",
            Nesting::Group => "group",
            Nesting::List => "list",
            Nesting::Set => "set",
            Nesting::Map => "map",
        };
        let _ = writeln!(
            out,
            "{pad}block {name} ({nesting}, min {}, max {}{})",
            nb.min_items,
            nb.max_items,
            if nb.force_new { ", force_new" } else { "" }
        );
        dump_block(out, &nb.block, indent + 2);
    }
}

fn dump(p: &dyn Provider) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "provider {} = {} {}", p.name(), p.source(), p.version());
    let s = p.schema();
    if !s.provider.block.attributes.is_empty() || !s.provider.block.blocks.is_empty() {
        let _ = writeln!(out, "  provider configuration:");
        dump_block(&mut out, &s.provider.block, 4);
    }
    for (name, r) in &s.resources {
        let _ = writeln!(out, "  resource {name} (schema version {})", r.version);
        dump_block(&mut out, &r.block, 4);
    }
    for (name, r) in &s.data_sources {
        let _ = writeln!(out, "  data {name} (schema version {})", r.version);
        dump_block(&mut out, &r.block, 4);
    }
    out
}

#[test]
fn every_schema() {
    let mut out = String::new();
    for p in plinth_provider_builtin::providers() {
        out.push_str(&dump(p.as_ref()));
        out.push('\n');
    }
    insta::assert_snapshot!("schemas", out);
}

#[test]
fn providers_declare_identity_and_prefix_their_types() {
    let ps = plinth_provider_builtin::providers();
    let ids: Vec<(String, String)> = ps.iter().map(|p| (p.name().to_string(), p.source().to_string())).collect();
    assert_eq!(
        ids,
        vec![
            ("terraform".into(), "terraform.io/builtin/terraform".into()),
            ("random".into(), "hashicorp/random".into()),
            ("tls".into(), "hashicorp/tls".into()),
            ("local".into(), "hashicorp/local".into()),
        ]
    );
    for p in &ps {
        let s = p.schema();
        for name in s.resources.keys().chain(s.data_sources.keys()) {
            assert!(name.starts_with(&format!("{}_", p.name())), "{name}");
        }
        // Every schema attribute is exactly one of required, optional(+computed), computed.
        for sch in s.resources.values().chain(s.data_sources.values()) {
            for (n, a) in &sch.block.attributes {
                assert!(a.required ^ (a.optional || a.computed), "{n}");
                assert!(!(a.required && a.computed), "{n}");
            }
        }
    }
}
