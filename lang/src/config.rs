//! The configuration model: what `load_config` produces. Expressions are kept unevaluated
//! ([`Expr`]) with their source, so the engine evaluates them per instance.

use crate::source::SourceFile;
use plinth_sdk::{SourceRange, Type, Value};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// An unevaluated expression with its file.
#[derive(Clone, Debug)]
pub struct Expr {
    pub expr: Arc<hcl_edit::expr::Expression>,
    pub file: Arc<SourceFile>,
    pub range: SourceRange,
    /// [`crate::references`], computed on first use and shared by clones.
    pub(crate) refs: Arc<std::sync::OnceLock<Vec<(crate::Reference, SourceRange)>>>,
}

impl Expr {
    /// An expression of `file` (its range is computed from the expression's span).
    pub fn new(expr: Arc<hcl_edit::expr::Expression>, file: Arc<SourceFile>, range: SourceRange) -> Self {
        Expr { expr, file, range, refs: Arc::default() }
    }
}

/// A block body, unevaluated: attributes and nested blocks (including `dynamic` blocks).
#[derive(Clone, Debug, Default)]
pub struct Body {
    pub attributes: BTreeMap<String, Attribute>,
    pub blocks: Vec<NestedBlock>,
    /// Range of the whole block (or file) this body belongs to.
    pub range: Option<SourceRange>,
}

#[derive(Clone, Debug)]
pub struct Attribute {
    pub name: String,
    pub expr: Expr,
    /// Range of the whole `name = expr` line(s).
    pub range: SourceRange,
    pub name_range: SourceRange,
}

#[derive(Clone, Debug)]
pub struct NestedBlock {
    /// Block type, e.g. `ingress`; for `dynamic "ingress"` blocks this is `ingress` and
    /// `dynamic` is set.
    pub type_name: String,
    pub labels: Vec<String>,
    pub body: Body,
    pub dynamic: Option<Box<DynamicBlock>>,
    pub range: SourceRange,
    pub type_range: SourceRange,
}

/// `dynamic "NAME" { for_each = …  iterator = IT  labels = […]  content { … } }`
#[derive(Clone, Debug)]
pub struct DynamicBlock {
    pub for_each: Expr,
    /// Iterator variable name (defaults to the block type name).
    pub iterator: String,
    pub labels: Vec<Expr>,
    pub content: Body,
}

/// The whole configuration: the root module and, recursively, every called module.
#[derive(Debug)]
pub struct Config {
    pub root: Module,
    pub sources: crate::source::SourceMap,
}

/// One module: a directory of `*.tf` files.
#[derive(Clone, Debug, Default)]
pub struct Module {
    /// Directory of the module's files (`path.module`).
    pub dir: PathBuf,
    /// Path of module call names from the root (empty for the root module).
    pub path: Vec<String>,
    pub terraform: TerraformBlock,
    pub providers: Vec<ProviderConfig>,
    pub variables: BTreeMap<String, Variable>,
    pub locals: BTreeMap<String, Local>,
    pub outputs: BTreeMap<String, Output>,
    /// Managed resources and data sources keyed by `TYPE.NAME` / `data.TYPE.NAME`.
    pub resources: BTreeMap<String, Resource>,
    pub module_calls: BTreeMap<String, ModuleCall>,
    pub moved: Vec<Moved>,
    pub imports: Vec<Import>,
    pub removed: Vec<Removed>,
    pub checks: Vec<Check>,
}

#[derive(Clone, Debug, Default)]
pub struct TerraformBlock {
    pub required_version: Option<(String, SourceRange)>,
    /// Local name → requirement.
    pub required_providers: BTreeMap<String, ProviderRequirement>,
    pub backend: Option<Backend>,
    /// `encryption { … }` (OpenTofu syntax), raw.
    pub encryption: Option<Body>,
}

#[derive(Clone, Debug)]
pub struct ProviderRequirement {
    /// e.g. `hashicorp/aws` (defaults to `hashicorp/LOCALNAME`).
    pub source: String,
    pub version: Option<String>,
    pub range: SourceRange,
}

#[derive(Clone, Debug)]
pub struct Backend {
    pub kind: String,
    pub body: Body,
    pub range: SourceRange,
}

#[derive(Clone, Debug)]
pub struct ProviderConfig {
    pub name: String,
    pub alias: Option<String>,
    pub body: Body,
    pub range: SourceRange,
}

/// A parsed type constraint, with `optional(T, default)` attributes.
#[derive(Clone, Debug, PartialEq)]
pub enum TypeConstraint {
    /// `any` (or no `type`): accepts anything.
    Any,
    Primitive(Type),
    List(Box<TypeConstraint>),
    Set(Box<TypeConstraint>),
    Map(Box<TypeConstraint>),
    Tuple(Vec<TypeConstraint>),
    Object(BTreeMap<String, ObjectAttrConstraint>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct ObjectAttrConstraint {
    pub ty: TypeConstraint,
    pub optional: bool,
    pub default: Option<Value>,
}

#[derive(Clone, Debug)]
pub struct Variable {
    pub name: String,
    pub ty: TypeConstraint,
    pub default: Option<Value>,
    pub description: Option<String>,
    pub sensitive: bool,
    pub nullable: bool,
    pub ephemeral: bool,
    pub validations: Vec<CheckRule>,
    pub range: SourceRange,
    /// Values from `-var` / `TF_VAR_` are taken literally as strings (no `type`, or a
    /// primitive type) rather than parsed as expressions, as Terraform does.
    pub literal_cli_values: bool,
}

/// `condition` + `error_message` (validation, precondition, postcondition, check assert).
#[derive(Clone, Debug)]
pub struct CheckRule {
    pub condition: Expr,
    pub error_message: Expr,
    pub range: SourceRange,
}

#[derive(Clone, Debug)]
pub struct Local {
    pub name: String,
    pub expr: Expr,
    pub range: SourceRange,
}

#[derive(Clone, Debug)]
pub struct Output {
    pub name: String,
    pub expr: Expr,
    pub description: Option<String>,
    pub sensitive: bool,
    pub depends_on: Vec<Expr>,
    pub preconditions: Vec<CheckRule>,
    pub range: SourceRange,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ResourceMode {
    Managed,
    Data,
}

#[derive(Clone, Debug)]
pub struct Resource {
    pub mode: ResourceMode,
    pub type_name: String,
    pub name: String,
    pub count: Option<Expr>,
    pub for_each: Option<Expr>,
    /// Each a reference expression (`aws_vpc.main`, `module.net`).
    pub depends_on: Vec<Expr>,
    /// `provider = aws.west`: (local name, alias).
    pub provider: Option<(String, Option<String>)>,
    pub lifecycle: Lifecycle,
    /// The body without meta-arguments (`count`, `for_each`, `depends_on`, `provider`,
    /// `lifecycle`, `provisioner`, `connection` are removed).
    pub body: Body,
    pub range: SourceRange,
    /// Range of `resource "TYPE" "NAME"`.
    pub decl_range: SourceRange,
    /// For a data source nested in a `check` block: the check's name (its read errors are
    /// warnings, and it is read again during apply).
    pub check: Option<String>,
}

impl Resource {
    /// The provider local name this resource uses: explicit `provider`, else the type's
    /// prefix up to the first `_` (`aws_vpc` → `aws`).
    pub fn provider_local_name(&self) -> &str {
        match &self.provider {
            Some((n, _)) => n,
            None => self.type_name.split('_').next().unwrap_or(&self.type_name),
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Lifecycle {
    pub create_before_destroy: bool,
    pub prevent_destroy: bool,
    pub ignore_changes: IgnoreChanges,
    pub replace_triggered_by: Vec<Expr>,
    pub preconditions: Vec<CheckRule>,
    pub postconditions: Vec<CheckRule>,
}

#[derive(Clone, Debug, Default)]
pub enum IgnoreChanges {
    #[default]
    None,
    All,
    /// Attribute paths, as written (`tags`, `tags["Name"]`).
    Paths(Vec<plinth_sdk::AttrPath>),
}

#[derive(Clone, Debug)]
pub struct ModuleCall {
    pub name: String,
    pub source: String,
    pub version: Option<String>,
    pub count: Option<Expr>,
    pub for_each: Option<Expr>,
    pub depends_on: Vec<Expr>,
    /// `providers = { aws = aws.west }`: child local name → (parent local name, alias).
    pub providers: BTreeMap<String, (String, Option<String>)>,
    /// Input variable assignments.
    pub inputs: BTreeMap<String, Attribute>,
    /// The loaded child module.
    pub module: Box<Module>,
    pub range: SourceRange,
}

#[derive(Clone, Debug)]
pub struct Moved {
    /// Addresses as written (`aws_instance.a`, `module.x`), relative to this module.
    pub from: String,
    pub to: String,
    pub range: SourceRange,
}

#[derive(Clone, Debug)]
pub struct Import {
    pub to: String,
    pub id: Expr,
    pub provider: Option<(String, Option<String>)>,
    pub range: SourceRange,
}

#[derive(Clone, Debug)]
pub struct Removed {
    pub from: String,
    /// `lifecycle { destroy = false }` → false.
    pub destroy: bool,
    pub range: SourceRange,
}

#[derive(Clone, Debug)]
pub struct Check {
    pub name: String,
    pub asserts: Vec<CheckRule>,
    pub range: SourceRange,
}
