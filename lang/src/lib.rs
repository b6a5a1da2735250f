//! `plinth-lang`: loads a directory of Terraform files (`*.tf`, `*.tf.json`, `*.tfvars`) into a
//! [`Config`] (a tree of [`Module`]s), and evaluates expressions with unknown values and
//! sensitive marks against a [`Scope`] that the caller (the engine, or `console`) provides.
//!
//! Contract with the engine (keep it stable; change it deliberately):
//! - [`load_config`] loads the root module and every module call whose source is local or was
//!   installed by `init` under `.terraform/modules` (see `modules.json`), recursively.
//! - [`references`] / [`Body::references`] list what an expression / a block body refers to,
//!   so the engine can build the graph.
//! - [`eval_expr`] evaluates an [`Expr`]; [`eval_body`] decodes a resource body against a
//!   provider schema block (expanding `dynamic` blocks) into an object value.
//! - The engine implements [`Scope`] to answer references (`var.x`, `aws_vpc.main`,
//!   `module.net`, `count.index`, `each.value`, …).
//! - [`variables`]: root variable values from defaults, `*.tfvars`, `-var`, `TF_VAR_*`, and
//!   [`variables::finalize_variable`] for type conversion, nullability, sensitivity and
//!   validation (also used for module call inputs).
//! - [`render::render_diagnostics`] prints diagnostics in Terraform's boxed style with a
//!   snippet and carets; [`suggest`] is the "did you mean" helper.
//! - [`validate::validate_config`] checks references, cycles and module inputs statically.
//! - [`console::eval_console_line`] and [`console::StaticScope`] back `plinth console`.

pub mod config;
pub mod console;
pub mod eval;
mod funcs;
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
