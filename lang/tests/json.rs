//! `*.tf.json`: a configuration in JSON syntax loads to the same model as the same
//! configuration in native syntax, and malformed JSON is reported at file:line:column.

use plinth_lang::console::StaticScope;
use plinth_lang::{eval_body, eval_expr, load_config, references, Body, Config, EvalContext, IgnoreChanges, Module};
use plinth_sdk::schema::{Attribute as SAttr, Block as SBlock, Nesting, NestedBlock as SNested};
use plinth_sdk::{Type, Value};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

const NATIVE: &str = r#"
terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 6.0" }
  }
  backend "local" {
    path = "state/x.tfstate"
  }
}
provider "aws" {
  region = "eu-west-1"
}
provider "aws" {
  alias  = "west"
  region = "us-west-2"
}
variable "names" {
  type    = list(string)
  default = ["a", "b"]
  validation {
    condition     = length(var.names) > 0
    error_message = "At least one name."
  }
}
variable "prefix" {
  type    = string
  default = "p"
}
locals {
  upper = [for n in var.names : upper(n)]
  joined = "${var.prefix}-${join(",", var.names)}"
  n = 3
}
resource "aws_vpc" "main" {
  count      = local.n
  cidr_block = "10.${count.index}.0.0/16"
  provider   = aws.west
  tags       = { Name = "${var.prefix}-vpc", "Team" = "x" }
  depends_on = [aws_vpc.other, module.net]
  lifecycle {
    create_before_destroy = true
    ignore_changes        = [tags["Name"], cidr_block]
    precondition {
      condition     = local.n > 0
      error_message = "n"
    }
  }
  ingress {
    port = 80
  }
  ingress {
    port = 443
  }
  dynamic "egress" {
    for_each = var.names
    iterator = e
    content {
      port = length(e.value)
    }
  }
}
resource "aws_vpc" "other" {
  for_each   = toset(var.names)
  cidr_block = each.key
}
data "aws_ami" "ubuntu" {
  most_recent = true
}
module "net" {
  source    = "./net"
  name      = var.prefix
  providers = { aws = aws.west }
}
output "ids" {
  value       = aws_vpc.main[*].id
  description = "VPC ids"
  sensitive   = true
  depends_on  = [aws_vpc.other]
}
moved {
  from = aws_vpc.old
  to   = aws_vpc.main
}
import {
  to = aws_vpc.other["a"]
  id = "vpc-123"
}
removed {
  from = aws_vpc.gone
  lifecycle {
    destroy = false
  }
}
check "health" {
  assert {
    condition     = local.n == 3
    error_message = "three"
  }
}
"#;

const JSON: &str = r#"{
  "//": "the same configuration in JSON syntax",
  "terraform": {
    "required_version": ">= 1.5",
    "required_providers": {
      "aws": { "source": "hashicorp/aws", "version": ">= 6.0" }
    },
    "backend": { "local": { "path": "state/x.tfstate" } }
  },
  "provider": {
    "aws": [
      { "region": "eu-west-1" },
      { "alias": "west", "region": "us-west-2" }
    ]
  },
  "variable": {
    "names": {
      "type": "list(string)",
      "default": ["a", "b"],
      "validation": {
        "condition": "${length(var.names) > 0}",
        "error_message": "At least one name."
      }
    },
    "prefix": { "type": "string", "default": "p" }
  },
  "locals": {
    "upper": "${[for n in var.names : upper(n)]}",
    "joined": "${var.prefix}-${join(\",\", var.names)}",
    "n": 3
  },
  "resource": {
    "aws_vpc": {
      "main": {
        "count": "${local.n}",
        "cidr_block": "10.${count.index}.0.0/16",
        "provider": "aws.west",
        "tags": { "Name": "${var.prefix}-vpc", "Team": "x" },
        "depends_on": ["aws_vpc.other", "module.net"],
        "lifecycle": {
          "create_before_destroy": true,
          "ignore_changes": ["tags[\"Name\"]", "cidr_block"],
          "precondition": { "condition": "${local.n > 0}", "error_message": "n" }
        },
        "ingress": [ { "port": 80 }, { "port": 443 } ],
        "dynamic": {
          "egress": {
            "for_each": "${var.names}",
            "iterator": "e",
            "content": { "port": "${length(e.value)}" }
          }
        }
      },
      "other": {
        "for_each": "${toset(var.names)}",
        "cidr_block": "${each.key}"
      }
    }
  },
  "data": {
    "aws_ami": { "ubuntu": { "most_recent": true } }
  },
  "module": {
    "net": {
      "source": "./net",
      "name": "${var.prefix}",
      "providers": { "aws": "aws.west" }
    }
  },
  "output": {
    "ids": {
      "value": "${aws_vpc.main[*].id}",
      "description": "VPC ids",
      "sensitive": true,
      "depends_on": ["aws_vpc.other"]
    }
  },
  "moved": [ { "from": "aws_vpc.old", "to": "aws_vpc.main" } ],
  "import": [ { "to": "aws_vpc.other[\"a\"]", "id": "vpc-123" } ],
  "removed": { "from": "aws_vpc.gone", "lifecycle": { "destroy": false } },
  "check": {
    "health": {
      "assert": { "condition": "${local.n == 3}", "error_message": "three" }
    }
  }
}
"#;

const NET: &str = "variable \"name\" {}\noutput \"o\" {\n  value = var.name\n}\n";

fn schema() -> SBlock {
    let port = SBlock::new().attr("port", SAttr::optional(Type::Number));
    SBlock::new()
        .attr("cidr_block", SAttr::required(Type::String))
        .attr("tags", SAttr::optional(Type::map(Type::String)))
        .attr("id", SAttr::computed(Type::String))
        .block("ingress", SNested { nesting: Nesting::List, block: port.clone(), min_items: 0, max_items: 0, force_new: false })
        .block("egress", SNested { nesting: Nesting::List, block: port, min_items: 0, max_items: 0, force_new: false })
}

fn show(v: &Value) -> String {
    plinth_functions::console_format(v)
}

fn refs(e: &plinth_lang::Expr) -> String {
    references(e).iter().map(|(r, _)| r.to_string()).collect::<Vec<_>>().join(",")
}

fn body_summary(b: &Body, ctx: &EvalContext<'_>, out: &mut String) {
    for (k, a) in &b.attributes {
        let (v, _) = eval_expr(&a.expr, ctx);
        writeln!(out, "  {k} = {} refs[{}]", show(&v), refs(&a.expr)).unwrap();
    }
}

/// Everything the engine reads from a module, evaluated where it can be.
fn summary(cfg: &Config) -> String {
    let m: &Module = &cfg.root;
    let dir = Path::new(".");
    let empty = StaticScope::new(m, BTreeMap::new(), dir);
    let ctx = EvalContext { scope: &empty, cwd: dir };
    let (vars, _, d) = plinth_lang::variables::finalize_root_variables(m, &BTreeMap::new(), &ctx, false);
    assert!(!d.has_errors(), "{d}");
    let scope = StaticScope::new(m, vars, dir);
    let ctx = EvalContext { scope: &scope, cwd: dir };
    let mut s = String::new();
    let t = &m.terraform;
    writeln!(s, "required_version {:?}", t.required_version.as_ref().map(|x| &x.0)).unwrap();
    for (k, r) in &t.required_providers {
        writeln!(s, "required_provider {k} {} {:?}", r.source, r.version).unwrap();
    }
    let b = t.backend.as_ref().unwrap();
    writeln!(s, "backend {}", b.kind).unwrap();
    body_summary(&b.body, &ctx, &mut s);
    for p in &m.providers {
        writeln!(s, "provider {} {:?}", p.name, p.alias).unwrap();
        body_summary(&p.body, &ctx, &mut s);
    }
    for (k, v) in &m.variables {
        writeln!(s, "variable {k} {:?} default {:?} validations {}", v.ty, v.default.as_ref().map(show), v.validations.len()).unwrap();
        for r in &v.validations {
            let (c, _) = eval_expr(&r.condition, &ctx);
            writeln!(s, "  validation {} {}", show(&c), show(&eval_expr(&r.error_message, &ctx).0)).unwrap();
        }
    }
    for (k, l) in &m.locals {
        writeln!(s, "local {k} = {}", show(&eval_expr(&l.expr, &ctx).0)).unwrap();
    }
    for (k, r) in &m.resources {
        writeln!(s, "resource {k} mode {:?} provider {:?}", r.mode, r.provider).unwrap();
        for (what, e) in [("count", &r.count), ("for_each", &r.for_each)] {
            if let Some(e) = e {
                writeln!(s, "  {what} = {} refs[{}]", show(&eval_expr(e, &ctx).0), refs(e)).unwrap();
            }
        }
        writeln!(s, "  depends_on {:?}", r.depends_on.iter().map(refs).collect::<Vec<_>>()).unwrap();
        let lc = &r.lifecycle;
        let ic = match &lc.ignore_changes {
            IgnoreChanges::None => "none".to_string(),
            IgnoreChanges::All => "all".to_string(),
            IgnoreChanges::Paths(p) => format!("{p:?}"),
        };
        writeln!(s, "  lifecycle cbd {} ignore {ic} pre {} post {}", lc.create_before_destroy, lc.preconditions.len(), lc.postconditions.len()).unwrap();
        writeln!(s, "  body refs {:?}", r.body.references().iter().map(|(r, _)| r.to_string()).collect::<Vec<_>>()).unwrap();
        if r.type_name == "aws_vpc" && r.name == "main" {
            // count.index is not known to this scope: its error is part of the comparison.
            let (v, d) = eval_body(&r.body, &schema(), &ctx);
            let errs: Vec<String> = d.iter().map(|x| format!("{} at {:?}", x.summary, x.subject.as_ref().map(|r| r.start.line > 0))).collect();
            writeln!(s, "  decoded {} errors {errs:?}", show(&v)).unwrap();
        }
    }
    for (k, c) in &m.module_calls {
        writeln!(s, "module {k} source {} providers {:?} inputs {:?}", c.source, c.providers, c.inputs.keys().collect::<Vec<_>>()).unwrap();
        body_summary(&Body { attributes: c.inputs.clone(), ..Body::default() }, &ctx, &mut s);
        writeln!(s, "  child outputs {:?}", c.module.outputs.keys().collect::<Vec<_>>()).unwrap();
    }
    for (k, o) in &m.outputs {
        writeln!(s, "output {k} sensitive {} description {:?} refs[{}] depends_on {:?}", o.sensitive, o.description, refs(&o.expr), o.depends_on.iter().map(refs).collect::<Vec<_>>()).unwrap();
    }
    for mv in &m.moved {
        writeln!(s, "moved {} -> {}", mv.from, mv.to).unwrap();
    }
    for i in &m.imports {
        writeln!(s, "import {} id {}", i.to, show(&eval_expr(&i.id, &ctx).0)).unwrap();
    }
    for r in &m.removed {
        writeln!(s, "removed {} destroy {}", r.from, r.destroy).unwrap();
    }
    for c in &m.checks {
        writeln!(s, "check {} asserts {}", c.name, c.asserts.len()).unwrap();
    }
    s
}

/// Tests change the working directory one at a time (it is per process).
static CWD: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn load_in(dir: &Path) -> Config {
    let _guard = CWD.lock().unwrap_or_else(|e| e.into_inner());
    let cwd = std::env::current_dir().unwrap();
    std::env::set_current_dir(dir).unwrap();
    let (c, d) = load_config(Path::new("."));
    std::env::set_current_dir(cwd).unwrap();
    assert!(!d.has_errors(), "{d}");
    c.unwrap()
}

#[test]
fn json_and_native_syntax_load_to_the_same_configuration() {
    let native = tempfile::tempdir().unwrap();
    write(native.path(), &[("main.tf", NATIVE), ("net/main.tf", NET)]);
    let json = tempfile::tempdir().unwrap();
    write(json.path(), &[("main.tf.json", JSON), ("net/main.tf", NET)]);
    let (a, b) = (load_in(native.path()), load_in(json.path()));
    let (sa, sb) = (summary(&a), summary(&b));
    assert_eq!(sa, sb);
    // The summary really covers the configuration.
    assert!(sa.contains("decoded {"), "{sa}");
    assert!(sa.contains("\"port\" = 443"), "{sa}");
    assert!(sa.contains("local joined = \"p-a,b\""), "{sa}");
    // Positions point into the JSON file.
    let r = &b.root.resources["aws_vpc.main"];
    let line = JSON.lines().position(|l| l.contains("\"cidr_block\": \"10.")).unwrap() + 1;
    assert_eq!(r.body.attributes["cidr_block"].expr.range.start.line, line);
    assert_eq!(r.body.attributes["cidr_block"].expr.range.file.to_str(), Some("main.tf.json"));
}

#[test]
fn json_and_native_files_mix_in_one_module() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        &[
            ("a.tf", "variable \"x\" {\n  default = 1\n}\n"),
            ("b.tf.json", "{\"output\": {\"y\": {\"value\": \"${var.x + 1}\"}}, \"resource\": {\"terraform_data\": {\"r\": {\"input\": \"${var.x}\"}}}}"),
        ],
    );
    let c = load_in(d.path());
    assert!(c.root.outputs.contains_key("y"));
    assert!(c.root.resources.contains_key("terraform_data.r"));
    // A duplicate across the two syntaxes is reported.
    write(d.path(), &[("c.tf.json", "{\"variable\": {\"x\": {}}}")]);
    let (_, diags) = load_config(d.path());
    assert!(diags.iter().any(|x| x.summary == "Duplicate variable declaration"), "{diags}");
}

#[test]
fn malformed_json_is_reported_at_its_position() {
    for (text, line, column) in [
        ("{\n  \"resource\": {\n    \"x\": 1,\n  }\n}\n", 4, 3),
        ("{\n  \"locals\": {\n    \"a\": \"unterminated\n  }\n}\n", 3, 23),
        ("{\n  \"locals\": {\"a\": tru}\n}", 2, 19),
        ("{\"locals\": {\"a\": 1}} x", 1, 22),
    ] {
        let d = tempfile::tempdir().unwrap();
        write(d.path(), &[("main.tf.json", text)]);
        let (_, diags) = load_config(d.path());
        let e = diags.iter().find(|x| x.is_error()).unwrap_or_else(|| panic!("no error for {text:?}"));
        assert_eq!(e.summary, "Invalid JSON syntax", "{diags}");
        let s = e.subject.as_ref().unwrap();
        assert_eq!((s.start.line, s.start.column), (line, column), "{text:?}: {diags}");
        assert!(s.file.to_string_lossy().ends_with("main.tf.json"));
    }
    // Valid JSON, wrong shapes: clear errors with positions.
    let d = tempfile::tempdir().unwrap();
    write(d.path(), &[("main.tf.json", "{\n  \"resourse\": {},\n  \"variable\": {\"v\": 3},\n  \"locals\": {\"a\": \"${1 +}\"}\n}\n")]);
    let (_, diags) = load_config(d.path());
    let summaries: Vec<(&str, usize)> = diags.iter().map(|x| (x.summary.as_str(), x.subject.as_ref().map(|s| s.start.line).unwrap_or(0))).collect();
    assert!(summaries.contains(&("Unsupported block type", 2)), "{diags}");
    assert!(summaries.contains(&("Invalid JSON block", 3)), "{diags}");
    assert!(summaries.iter().any(|(s, l)| *l == 4 && s.contains("nvalid")), "{diags}");
}

#[test]
fn json_escapes_and_values_keep_their_meaning() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        &[(
            "main.tf.json",
            r#"{"locals": {
  "a": ["x\/y", 1.5, -2, 1e400, null, true, {"k": "caf\u00e9 ${upper(\"x\")}", "n": {"m": [1]}}],
  "b": "line\nnext \"q\" $${literal} %%{literal}",
  "c": "${local.a[1] * 2}",
  "//": "a comment"
}}"#,
        )],
    );
    let c = load_in(d.path());
    assert!(!c.root.locals.contains_key("//"));
    let dir = Path::new(".");
    let scope = StaticScope::new(&c.root, BTreeMap::new(), dir);
    let ctx = EvalContext { scope: &scope, cwd: dir };
    let got: Vec<String> = ["a", "b", "c"].iter().map(|k| show(&eval_expr(&c.root.locals[*k].expr, &ctx).0)).collect();
    // 1e400 is exact (HCL numbers are arbitrary precision).
    let big = format!("1{}", "0".repeat(400));
    assert_eq!(
        got[0],
        format!("[\n  \"x/y\",\n  1.5,\n  -2,\n  {big},\n  null,\n  true,\n  {{\n    \"k\" = \"café X\"\n    \"n\" = {{\n      \"m\" = [\n        1,\n      ]\n    }}\n  }},\n]")
    );
    assert_eq!(got[1], "<<EOT\nline\nnext \"q\" ${literal} %{literal}\nEOT");
    assert_eq!(got[2], "3");
}
