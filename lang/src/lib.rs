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

pub mod config;
pub mod eval;
pub mod reference;
pub mod source;

pub use config::*;
pub use eval::{eval_body, eval_expr, references, EvalContext, Scope};
pub use reference::Reference;
pub use source::{SourceFile, SourceMap};
