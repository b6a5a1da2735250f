//! Expression evaluation with unknown values and sensitive marks.

use crate::config::{Body, Expr};
use crate::reference::Reference;
use plinth_sdk::{Diagnostic, Diagnostics, SourceRange, Value};
use std::path::Path;

/// Answers references for the evaluator. The engine implements it per module instance (and
/// per resource instance for `count.index` / `each.*`); `console` implements it over state.
pub trait Scope: Sync {
    /// The value of `r` (for resources and modules, the whole object; the evaluator applies
    /// the rest of the traversal). `range` is where the reference is written. An undeclared
    /// name is an error diagnostic with a "did you mean" help where one is close.
    fn lookup(&self, r: &Reference, range: &SourceRange) -> Result<Value, Diagnostic>;
}

/// What an evaluation needs besides the scope.
pub struct EvalContext<'a> {
    pub scope: &'a dyn Scope,
    /// The working directory: relative paths in `file()` and friends resolve against it.
    pub cwd: &'a Path,
}

/// Evaluates an expression. Errors come back as diagnostics with the value `Unknown` (so a
/// caller can keep going and report every error in one run).
pub fn eval_expr(expr: &Expr, ctx: &EvalContext<'_>) -> (Value, Diagnostics) {
    let _ = (expr, ctx);
    (Value::unknown(), Diagnostics::from(Diagnostic::bug("expression evaluation is not built yet", "")))
}

/// Every reference in an expression, in source order, with where it is written.
pub fn references(expr: &Expr) -> Vec<(Reference, SourceRange)> {
    let _ = expr;
    Vec::new()
}

/// Decodes a block body against a schema block into an object of the block's implied type:
/// unset attributes are null, nested blocks become objects/lists/sets/maps per their nesting
/// mode, `dynamic` blocks are expanded. Unknown attributes and blocks are errors with a
/// "did you mean" help.
pub fn eval_body(body: &Body, schema: &plinth_sdk::Block, ctx: &EvalContext<'_>) -> (Value, Diagnostics) {
    let _ = (body, schema, ctx);
    (Value::unknown(), Diagnostics::from(Diagnostic::bug("body evaluation is not built yet", "")))
}

impl Body {
    /// Every reference in the body, nested and dynamic blocks included.
    pub fn references(&self) -> Vec<(Reference, SourceRange)> {
        Vec::new()
    }
}
