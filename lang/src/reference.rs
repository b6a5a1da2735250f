//! What an expression can refer to: the first steps of a traversal that name an object.
//! The rest of the traversal (`.id`, `[0]`) is applied by the evaluator to the value the
//! [`crate::Scope`] returns.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reference {
    /// `var.NAME`
    Var(String),
    /// `local.NAME`
    Local(String),
    /// `TYPE.NAME` (managed resource): the scope returns the whole resource: an object for a
    /// single instance, a tuple for `count`, an object keyed by `each.key` for `for_each`.
    Resource { type_name: String, name: String },
    /// `data.TYPE.NAME`
    Data { type_name: String, name: String },
    /// `module.NAME`: the scope returns an object of the call's outputs (or a tuple/object of
    /// such for `count`/`for_each` calls).
    Module(String),
    /// `count.index`
    CountIndex,
    /// `each.key`
    EachKey,
    /// `each.value`
    EachValue,
    /// `path.module`
    PathModule,
    /// `path.root`
    PathRoot,
    /// `path.cwd`
    PathCwd,
    /// `terraform.workspace`
    TerraformWorkspace,
    /// `self` (in provisioners, postconditions)
    SelfObject,
    /// A `for` expression or `dynamic` iterator variable: resolved by the evaluator itself,
    /// never asked of the scope.
    Iterator(String),
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reference::Var(n) => write!(f, "var.{n}"),
            Reference::Local(n) => write!(f, "local.{n}"),
            Reference::Resource { type_name, name } => write!(f, "{type_name}.{name}"),
            Reference::Data { type_name, name } => write!(f, "data.{type_name}.{name}"),
            Reference::Module(n) => write!(f, "module.{n}"),
            Reference::CountIndex => f.write_str("count.index"),
            Reference::EachKey => f.write_str("each.key"),
            Reference::EachValue => f.write_str("each.value"),
            Reference::PathModule => f.write_str("path.module"),
            Reference::PathRoot => f.write_str("path.root"),
            Reference::PathCwd => f.write_str("path.cwd"),
            Reference::TerraformWorkspace => f.write_str("terraform.workspace"),
            Reference::SelfObject => f.write_str("self"),
            Reference::Iterator(n) => f.write_str(n),
        }
    }
}
