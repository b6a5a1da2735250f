//! `plinth-lang`: the Terraform language for Plinth. It loads a directory of `*.tf` files
//! into a [`Config`] (a tree of [`Module`]s), evaluates expressions with unknown values and
//! sensitive marks against a [`Scope`] that the caller (the engine, or `console`) provides,
//! and renders diagnostics the way Terraform does.
//!
//! Parsing uses `hcl-edit` (byte spans survive, so every diagnostic points at
//! file:line:column); evaluation is our own (unknowns flow through every operator).
//!
//! # Public API (the contract with the engine and the CLI)
//!
//! Loading and the model:
//! - [`load_config`]`(dir) -> (Option<Config>, Diagnostics)`: the root module and every module
//!   call, local sources directly, others through `.terraform/modules/modules.json`
//!   ("Module not installed" otherwise). All errors of all files are reported in one run.
//!   `*.tf` and `*.tf.json` (Terraform's JSON syntax) files; a module directory called several
//!   times is read once; a large file is parsed in two halves on two threads.
//! - [`load_module_dir`]`(dir, &SourceMap)`: one directory, children not followed.
//! - [`config`]: `Config`, `Module`, `Resource`, `Variable`, `Output`, `ModuleCall`, `Body`,
//!   `Expr`, `TypeConstraint`, … ; [`Module::walk`], [`Module::descendant`].
//!
//! Evaluation:
//! - [`eval_expr`]`(&Expr, &EvalContext) -> (Value, Diagnostics)`; on error the value is unknown.
//! - [`eval_expr_with_vars`]: the same with extra local names (a `dynamic` iterator, …).
//! - [`eval_body`]`(&Body, &plinth_sdk::Block, &EvalContext)`: decodes a block body against a
//!   schema, expanding `dynamic` blocks.
//! - [`references`]`(&Expr)` and [`Body::references`]: what an expression / body refers to
//!   (iterator names of `for` and `dynamic` are excluded), for the dependency graph.
//! - [`parse_expression`]: parses standalone text (console, `-var`, tests).
//! - `try`, `can`, `core::` and unknown-function suggestions are handled here; every other
//!   function goes to `plinth-functions`; `templatefile` templates are evaluated by
//!   [`eval::render_template_file`].
//!
//! Types and variables:
//! - [`parse_type_constraint`], [`convert_to_constraint`] (`optional(T, default)` applied).
//! - [`variables::collect_variable_values`] (defaults < `TF_VAR_` < `terraform.tfvars` <
//!   `terraform.tfvars.json` < `*.auto.tfvars` < `-var`/`-var-file` in order),
//!   [`variables::finalize_variable`] (conversion, `nullable`, sensitive mark, `validation`; also
//!   for module call inputs) and [`variables::finalize_root_variables`].
//!
//! Checks and output:
//! - [`validate::validate_config`]: undeclared references, `count`/`each`/`self` misuse,
//!   cycles (with the path), module inputs, statically known errors;
//!   [`validate::count_value`] / [`validate::for_each_value`] check meta-argument values.
//! - [`render::render_diagnostics`]`(&Diagnostics, &SourceMap, color)`: Terraform's boxed
//!   style with a caret line and `help:` lines; [`suggest()`]: "did you mean".
//! - [`console::eval_console_line`] prints what `terraform console` prints;
//!   [`console::StaticScope`] answers references from variables, locals and given objects.

pub mod config;
pub mod console;
pub mod eval;
mod funcs;
mod json;
mod lenient;
pub mod load;
pub mod reference;
pub mod render;
pub mod source;
pub mod suggest;
pub mod typeexpr;
pub mod validate;
pub mod variables;

pub use config::*;
pub use eval::{eval_body, eval_expr, eval_expr_with_vars, parse_expression, references, EmptyScope, EvalContext, Scope};
pub use load::{load_config, load_module_dir};
pub use reference::Reference;
pub use source::{SourceFile, SourceMap};
pub use suggest::suggest;
pub use typeexpr::{convert_to_constraint, parse_type_constraint};
