//! Snapshot tests of what users read when a configuration is broken: each case is an inline
//! multi-file fixture; the rendered diagnostics are checked in under `tests/diagnostics/`.
//! Run with `UPDATE_SNAPSHOTS=1` to rewrite the expected files after an intended change.

use plinth_lang::console::StaticScope;
use plinth_lang::render::render_diagnostics;
use plinth_lang::validate::validate_config;
use plinth_lang::variables::{collect_variable_values, finalize_root_variables, CliVar, VariableOptions};
use plinth_lang::{load_config, EvalContext};
use std::collections::BTreeMap;
use std::path::Path;

struct Case {
    name: &'static str,
    files: &'static [(&'static str, &'static str)],
    /// `-var` options (`NAME=VALUE`); when set (or when a tfvars file is present) variables are
    /// collected and finalized too.
    vars: &'static [&'static str],
}

const fn case(name: &'static str, files: &'static [(&'static str, &'static str)]) -> Case {
    Case { name, files, vars: &[] }
}

fn run(c: &Case) -> String {
    let dir = tempfile::tempdir().unwrap();
    for (n, t) in c.files {
        let p = dir.path().join(n);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, t).unwrap();
    }
    std::env::set_current_dir(dir.path()).unwrap();
    let (cfg, mut diags) = load_config(Path::new("."));
    let Some(cfg) = cfg else { return diags.to_string() };
    if !diags.has_errors() {
        diags.extend(validate_config(&cfg));
    }
    let has_tfvars = c.files.iter().any(|(n, _)| n.ends_with(".tfvars"));
    let _ = has_tfvars;
    if !diags.has_errors() {
        let opts = VariableOptions { dir: ".".into(), cli: c.vars.iter().map(|v| CliVar::Var(v.to_string())).collect(), env: Vec::new() };
        let (raw, ds) = collect_variable_values(&cfg.root, &opts, &cfg.sources);
        diags.extend(ds);
        let scope = StaticScope::new(&cfg.root, BTreeMap::new(), Path::new("."));
        let ctx = EvalContext { scope: &scope, cwd: Path::new(".") };
        let (_, _, ds) = finalize_root_variables(&cfg.root, &raw, &ctx, false);
        diags.extend(ds);
    }
    let out = render_diagnostics(&diags, &cfg.sources, false);
    std::env::set_current_dir(std::env::temp_dir()).unwrap();
    if out.is_empty() {
        "(no diagnostics)\n".into()
    } else {
        out
    }
}

const CASES: &[Case] = &[
    case("undeclared_variable", &[("main.tf", "variable \"cidr_block\" {}\n\nresource \"aws_vpc\" \"main\" {\n  cidr_block = var.cidr_blok\n}\n")]),
    case("undeclared_local", &[("main.tf", "locals {\n  name = \"x\"\n}\n\noutput \"o\" {\n  value = local.nmae\n}\n")]),
    case("undeclared_resource", &[("main.tf", "resource \"aws_vpc\" \"main\" {}\n\nresource \"aws_subnet\" \"a\" {\n  vpc_id = aws_vpc.mian.id\n}\n")]),
    case("undeclared_data_source", &[("main.tf", "output \"ami\" {\n  value = data.aws_ami.ubuntu.id\n}\n")]),
    case("undeclared_module", &[("main.tf", "module \"network\" {\n  source = \"./net\"\n}\n\noutput \"id\" {\n  value = module.netwrok.id\n}\n"), ("net/main.tf", "output \"id\" { value = 1 }\n")]),
    case("undeclared_module_output", &[("main.tf", "module \"net\" {\n  source = \"./net\"\n}\n\noutput \"id\" {\n  value = module.net.vpc_idd\n}\n"), ("net/main.tf", "output \"vpc_id\" { value = 1 }\n")]),
    case("count_index_without_count", &[("main.tf", "resource \"aws_instance\" \"web\" {\n  tags = { Name = \"web-${count.index}\" }\n}\n")]),
    case("each_without_for_each", &[("main.tf", "resource \"aws_instance\" \"web\" {\n  ami = each.value\n}\n")]),
    case("self_outside_postcondition", &[("main.tf", "resource \"aws_instance\" \"web\" {\n  ami = self.id\n}\n")]),
    case("self_referential_resource", &[("main.tf", "resource \"aws_instance\" \"web\" {\n  ami = aws_instance.web.id\n}\n")]),
    case("local_cycle", &[("main.tf", "locals {\n  a = local.b\n  b = local.c\n  c = local.a\n}\n")]),
    case("resource_cycle", &[("main.tf", "resource \"aws_instance\" \"a\" {\n  ami = aws_instance.b.id\n}\n\nresource \"aws_instance\" \"b\" {\n  ami = aws_instance.a.id\n}\n")]),
    case("duplicate_variable", &[("a.tf", "variable \"region\" {}\n"), ("b.tf", "variable \"region\" {\n  default = \"x\"\n}\n")]),
    case("duplicate_resource", &[("main.tf", "resource \"aws_vpc\" \"main\" {}\n\nresource \"aws_vpc\" \"main\" {}\n")]),
    case("duplicate_output", &[("main.tf", "output \"x\" {\n  value = 1\n}\noutput \"x\" {\n  value = 2\n}\n")]),
    case("duplicate_local", &[("main.tf", "locals {\n  a = 1\n}\nlocals {\n  a = 2\n}\n")]),
    case("duplicate_provider", &[("main.tf", "provider \"aws\" {\n  region = \"a\"\n}\n\nprovider \"aws\" {\n  region = \"b\"\n}\n")]),
    case("duplicate_module", &[("main.tf", "module \"m\" {\n  source = \"./m\"\n}\nmodule \"m\" {\n  source = \"./m\"\n}\n"), ("m/main.tf", "")]),
    case("duplicate_attribute", &[("main.tf", "resource \"aws_vpc\" \"main\" {\n  cidr_block = \"a\"\n  cidr_block = \"b\"\n}\n")]),
    case("count_and_for_each", &[("main.tf", "resource \"aws_instance\" \"web\" {\n  count    = 2\n  for_each = toset([\"a\"])\n}\n")]),
    case("for_each_list", &[("main.tf", "resource \"aws_instance\" \"web\" {\n  for_each = [\"a\", \"b\"]\n}\n")]),
    case("count_negative", &[("main.tf", "resource \"aws_instance\" \"web\" {\n  count = -1\n}\n")]),
    case("count_string", &[("main.tf", "resource \"aws_instance\" \"web\" {\n  count = \"many\"\n}\n")]),
    case("unknown_block_type", &[("main.tf", "resorce \"aws_vpc\" \"main\" {}\n")]),
    case("missing_resource_name", &[("main.tf", "resource \"aws_vpc\" {\n}\n")]),
    case("invalid_resource_name", &[("main.tf", "resource \"aws_vpc\" \"1main\" {\n}\n")]),
    case("unknown_variable_argument", &[("main.tf", "variable \"x\" {\n  tpye = string\n}\n")]),
    case("output_missing_value", &[("main.tf", "output \"x\" {\n  description = \"d\"\n}\n")]),
    case("syntax_error_unclosed_block", &[("main.tf", "resource \"aws_vpc\" \"main\" {\n  cidr_block = \"10.0.0.0/16\"\n")]),
    case("syntax_error_bad_expression", &[("main.tf", "locals {\n  x = 1 +\n}\n")]),
    case("provisioner", &[("main.tf", "resource \"terraform_data\" \"x\" {\n  provisioner \"local-exec\" {\n    command = \"echo hi\"\n  }\n}\n")]),
    case("invalid_type_constraint", &[("main.tf", "variable \"x\" {\n  type = lsit(string)\n}\n")]),
    case("quoted_type_constraint", &[("main.tf", "variable \"x\" {\n  type = \"string\"\n}\n")]),
    case("bad_default_for_type", &[("main.tf", "variable \"port\" {\n  type    = number\n  default = \"eighty\"\n}\n")]),
    case("type_mismatch_operator", &[("main.tf", "locals {\n  total = 1 + \"two\"\n}\n")]),
    case("unknown_function", &[("main.tf", "locals {\n  n = lenght([1, 2])\n}\n")]),
    case("bad_function_argument", &[("main.tf", "locals {\n  n = upper([\"a\"])\n}\n")]),
    case("unsupported_attribute_on_object", &[("main.tf", "locals {\n  o = { name = \"a\" }\n  x = local.o.nmae\n}\n")]),
    case("conditional_type_mismatch", &[("main.tf", "variable \"on\" {\n  type = bool\n}\n\nlocals {\n  x = var.on ? [\"a\"] : { a = 1 }\n}\n")]),
    case("duplicate_for_key", &[("main.tf", "locals {\n  m = { for s in [\"a\", \"a\"] : s => 1 }\n}\n")]),
    case("module_unknown_input", &[("main.tf", "module \"net\" {\n  source = \"./net\"\n  cidr   = \"10.0.0.0/16\"\n  nmae   = \"x\"\n}\n"), ("net/main.tf", "variable \"cidr\" {}\nvariable \"name\" {\n  default = \"n\"\n}\n")]),
    case("module_missing_input", &[("main.tf", "module \"net\" {\n  source = \"./net\"\n}\n"), ("net/main.tf", "variable \"cidr\" {\n  type = string\n}\n")]),
    case("module_input_wrong_type", &[("main.tf", "module \"net\" {\n  source = \"./net\"\n  ports  = [\"a\"]\n}\n"), ("net/main.tf", "variable \"ports\" {\n  type = list(number)\n}\n")]),
    case("module_not_installed", &[("main.tf", "module \"vpc\" {\n  source  = \"terraform-aws-modules/vpc/aws\"\n  version = \"5.0.0\"\n}\n")]),
    case("module_missing_directory", &[("main.tf", "module \"vpc\" {\n  source = \"./modules/vpc\"\n}\n")]),
    Case { name: "variable_validation_fails", files: &[("main.tf", "variable \"env\" {\n  type = string\n  validation {\n    condition     = contains([\"dev\", \"prod\"], var.env)\n    error_message = \"env must be dev or prod.\"\n  }\n}\n")], vars: &["env=staging"] },
    case("variable_wrong_type_from_tfvars", &[("main.tf", "variable \"replicas\" {\n  type = number\n}\n"), ("terraform.tfvars", "replicas = \"three\"\n")]),
    Case { name: "variable_object_missing_attribute", files: &[("main.tf", "variable \"db\" {\n  type = object({ name = string, size = optional(number, 10) })\n}\n")], vars: &["db={ size = 5 }"] },
    Case { name: "required_variable_missing", files: &[("main.tf", "variable \"region\" {\n  type = string\n}\n")], vars: &[] },
    Case { name: "undeclared_cli_variable", files: &[("main.tf", "variable \"region\" {\n  default = \"a\"\n}\n")], vars: &["regoin=b"] },
    case("undeclared_tfvars_variable", &[("main.tf", "variable \"region\" {\n  default = \"a\"\n}\n"), ("terraform.tfvars", "region = \"b\"\nzone   = \"c\"\n")]),
    case("non_nullable_null", &[("main.tf", "variable \"name\" {\n  type     = string\n  nullable = false\n}\n"), ("terraform.tfvars", "name = null\n")]),
    case("ignore_changes_invalid", &[("main.tf", "resource \"aws_instance\" \"a\" {\n  lifecycle {\n    ignore_changes = \"tags\"\n  }\n}\n")]),
    case("lifecycle_unknown_argument", &[("main.tf", "resource \"aws_instance\" \"a\" {\n  lifecycle {\n    prevent_destory = true\n  }\n}\n")]),
    case("index_out_of_range", &[("main.tf", "locals {\n  l = [1, 2]\n  x = local.l[5]\n}\n")]),
    case("template_null_interpolation", &[("main.tf", "locals {\n  x = \"name-${null}\"\n}\n")]),
    case("override_file", &[("main.tf", "resource \"aws_vpc\" \"main\" {}\n"), ("main_override.tf", "resource \"aws_vpc\" \"main\" {\n  cidr_block = \"x\"\n}\n")]),
    case("json_configuration", &[("main.tf.json", "{\n  \"resource\": {\n    \"terraform_data\": {\"a\": {\"input\": 1},}\n  }\n}\n")]),
    case("provider_reserved_argument", &[("main.tf", "provider \"aws\" {\n  count = 2\n}\n")]),
    case("tfvars_block", &[("main.tf", "variable \"a\" {\n  default = 1\n}\n"), ("terraform.tfvars", "a = 2\nblock {\n}\n")]),
    case("for_each_sensitive", &[("main.tf", "variable \"names\" {\n  type      = set(string)\n  default   = [\"a\"]\n  sensitive = true\n}\n\nresource \"aws_instance\" \"x\" {\n  for_each = var.names\n}\n")]),
    case("module_cycle", &[("main.tf", "module \"a\" {\n  source = \"./m\"\n  in     = module.b.out\n}\n\nmodule \"b\" {\n  source = \"./m\"\n  in     = module.a.out\n}\n"), ("m/main.tf", "variable \"in\" {}\noutput \"out\" {\n  value = var.in\n}\noutput \"static\" {\n  value = 1\n}\n")]),
    case("modules_feeding_each_other_without_cycle", &[("main.tf", "module \"a\" {\n  source = \"./m\"\n  in     = module.b.static\n}\n\nmodule \"b\" {\n  source = \"./m\"\n  in     = module.a.static\n}\n"), ("m/main.tf", "variable \"in\" {}\noutput \"out\" {\n  value = var.in\n}\noutput \"static\" {\n  value = 1\n}\n")]),
    case("valid_configuration", &[("main.tf", "variable \"n\" {\n  type    = number\n  default = 2\n}\n\nresource \"aws_instance\" \"web\" {\n  count = var.n\n  tags  = { Name = \"web-${count.index}\" }\n}\n\noutput \"ids\" {\n  value = aws_instance.web[*].id\n}\n")]),
];

fn case_vars(name: &'static str, files: &'static [(&'static str, &'static str)], vars: &'static [&'static str]) -> Case {
    Case { name, files, vars }
}

#[test]
fn diagnostics_snapshots() {
    let update = std::env::var("UPDATE_SNAPSHOTS").is_ok();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diagnostics");
    let mut failures = Vec::new();
    let _ = case_vars;
    for c in CASES {
        let got = run(c);
        let path = dir.join(format!("{}.txt", c.name));
        let want = std::fs::read_to_string(&path).unwrap_or_default();
        if got != want {
            if update {
                std::fs::write(&path, &got).unwrap();
            } else {
                failures.push(format!("--- {} (expected {}):\n{got}", c.name, path.display()));
            }
        }
    }
    assert!(CASES.len() >= 40);
    assert!(failures.is_empty(), "{} snapshot(s) differ:\n{}", failures.len(), failures.join("\n"));
}
