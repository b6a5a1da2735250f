//! Loader tests with inline multi-file fixtures.

use plinth_lang::{load_config, IgnoreChanges, ResourceMode, TypeConstraint};
use std::path::Path;

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

#[test]
fn loads_every_block_kind_across_files() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        &[
            (
                "main.tf",
                r#"
terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 6.0" }
  }
  backend "s3" { bucket = "b" }
}
provider "aws" { region = "eu-west-1" }
provider "aws" {
  alias  = "west"
  region = "us-west-2"
}
resource "aws_vpc" "main" {
  cidr_block = var.cidr
  count      = 2
  provider   = aws.west
  lifecycle {
    create_before_destroy = true
    ignore_changes        = [tags["Name"], cidr_block]
    precondition {
      condition     = var.cidr != ""
      error_message = "cidr must be set"
    }
  }
  dynamic "ingress" {
    for_each = [1, 2]
    content { port = ingress.value }
  }
  timeouts { create = "30m" }
}
data "aws_ami" "ubuntu" { most_recent = true }
module "net" {
  source = "./modules/net"
  name   = "x"
}
moved {
  from = aws_vpc.old
  to   = aws_vpc.main
}
"#,
            ),
            (
                "vars.tf",
                r#"
variable "cidr" {
  type    = string
  default = "10.0.0.0/16"
  validation {
    condition     = length(var.cidr) > 0
    error_message = "empty"
  }
}
variable "settings" {
  type = list(object({ a = string, b = optional(number, 3) }))
  default = [{ a = "x" }]
}
locals { x = 1 }
output "id" {
  value     = aws_vpc.main[0].id
  sensitive = true
}
"#,
            ),
            ("modules/net/main.tf", "variable \"name\" {}\noutput \"vpc_id\" { value = var.name }\n"),
        ],
    );
    let (cfg, diags) = load_config(d.path());
    assert!(!diags.has_errors(), "{diags}");
    let cfg = cfg.unwrap();
    let m = &cfg.root;
    assert_eq!(m.terraform.required_providers["aws"].version.as_deref(), Some(">= 6.0"));
    assert_eq!(m.terraform.backend.as_ref().unwrap().kind, "s3");
    assert_eq!(m.providers.len(), 2);
    let vpc = &m.resources["aws_vpc.main"];
    assert!(vpc.count.is_some());
    assert_eq!(vpc.provider, Some(("aws".into(), Some("west".into()))));
    assert!(vpc.lifecycle.create_before_destroy);
    assert!(matches!(&vpc.lifecycle.ignore_changes, IgnoreChanges::Paths(p) if p.len() == 2 && p[0].to_string() == "tags[\"Name\"]"));
    assert_eq!(vpc.lifecycle.preconditions.len(), 1);
    assert!(vpc.body.attributes.contains_key("cidr_block"));
    assert!(!vpc.body.attributes.contains_key("count"));
    assert_eq!(vpc.body.blocks.len(), 2);
    assert!(vpc.body.blocks[0].dynamic.is_some());
    assert_eq!(m.resources["data.aws_ami.ubuntu"].mode, ResourceMode::Data);
    assert_eq!(m.variables["cidr"].validations.len(), 1);
    let settings = &m.variables["settings"];
    assert!(matches!(settings.ty, TypeConstraint::List(_)));
    let dflt = settings.default.as_ref().unwrap();
    assert_eq!(dflt.as_seq().unwrap()[0].get_attr("b").unwrap().as_i64(), Some(3));
    assert!(m.outputs["id"].sensitive);
    assert_eq!(m.module_calls["net"].module.variables.len(), 1);
    assert_eq!(m.module_calls["net"].module.path, vec!["net".to_string()]);
    assert_eq!(m.moved[0].from, "aws_vpc.old");
}

#[test]
fn installed_modules_resolve_through_manifest() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        &[
            ("main.tf", "module \"net\" {\n  source = \"git::https://example.com/net.git\"\n}\nmodule \"missing\" {\n  source = \"hashicorp/x/aws\"\n}\n"),
            (".terraform/modules/modules.json", r#"{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"net","Source":"git::https://example.com/net.git","Dir":".terraform/modules/net"},{"Key":"net.sub","Source":"./sub","Dir":".terraform/modules/net/sub"}]}"#),
            (".terraform/modules/net/main.tf", "module \"sub\" {\n  source = \"./sub\"\n}\n"),
            (".terraform/modules/net/sub/main.tf", "output \"o\" { value = 1 }\n"),
        ],
    );
    let (cfg, diags) = load_config(d.path());
    let cfg = cfg.unwrap();
    assert_eq!(cfg.root.module_calls["net"].module.module_calls["sub"].module.outputs.len(), 1);
    assert_eq!(diags.len(), 1, "{diags}");
    let d0 = &diags.0[0];
    assert_eq!(d0.summary, "Module not installed");
    assert_eq!(d0.help, vec!["run `plinth init`".to_string()]);
}

#[test]
fn reports_all_errors_in_one_run() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        &[
            ("a.tf", "variable \"x\" {}\nvariable \"x\" {}\nresource \"a_b\" \"c\" {\n  count = 1\n  for_each = {}\n}\n"),
            ("b.tf", "resource \"a_b\" {\n}\nlocals {\n  y = (\n}\n"),
            ("c.tf", "resource \"null_resource\" \"p\" {\n  provisioner \"local-exec\" {\n    command = \"echo\"\n  }\n}\n"),
        ],
    );
    let (_, diags) = load_config(d.path());
    let summaries: Vec<&str> = diags.iter().map(|d| d.summary.as_str()).collect();
    assert!(summaries.contains(&"Duplicate variable declaration"), "{summaries:?}");
    assert!(summaries.contains(&"Invalid combination of \"count\" and \"for_each\""), "{summaries:?}");
    assert!(summaries.iter().any(|s| s.starts_with("Unclosed") || s.starts_with("Invalid")), "{summaries:?}");
    assert!(summaries.contains(&"Provisioners are not supported yet"), "{summaries:?}");
}
