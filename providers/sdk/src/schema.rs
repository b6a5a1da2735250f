//! Resource, data source and provider schemas.

use crate::types::Type;
use std::collections::BTreeMap;

/// A versioned schema for one resource type, data source or provider configuration.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Schema {
    /// Bumped when the stored shape changes; state records it (`schema_version`).
    pub version: u64,
    pub block: Block,
}

/// A configuration block: attributes and nested blocks.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Block {
    pub attributes: BTreeMap<String, Attribute>,
    pub blocks: BTreeMap<String, NestedBlock>,
    pub description: String,
    pub deprecated: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Attribute {
    pub ty: Type,
    pub description: String,
    /// Must be set in configuration.
    pub required: bool,
    /// May be set in configuration.
    pub optional: bool,
    /// Set by the provider when not configured (or always, if not optional).
    pub computed: bool,
    /// Never shown in plans or output.
    pub sensitive: bool,
    /// A change to this attribute forces the resource to be replaced.
    pub force_new: bool,
    pub deprecated: bool,
}

impl Attribute {
    fn base(ty: Type) -> Self {
        Attribute {
            ty,
            description: String::new(),
            required: false,
            optional: false,
            computed: false,
            sensitive: false,
            force_new: false,
            deprecated: false,
        }
    }
    pub fn required(ty: Type) -> Self {
        Attribute { required: true, ..Self::base(ty) }
    }
    pub fn optional(ty: Type) -> Self {
        Attribute { optional: true, ..Self::base(ty) }
    }
    pub fn computed(ty: Type) -> Self {
        Attribute { computed: true, ..Self::base(ty) }
    }
    pub fn optional_computed(ty: Type) -> Self {
        Attribute { optional: true, computed: true, ..Self::base(ty) }
    }
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }
    pub fn force_new(mut self) -> Self {
        self.force_new = true;
        self
    }
    pub fn describe(mut self, d: impl Into<String>) -> Self {
        self.description = d.into();
        self
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nesting {
    /// At most one block, value is an object (or null).
    Single,
    /// Exactly one block, present even if not written (value never null).
    Group,
    /// A list of objects.
    List,
    /// A set of objects.
    Set,
    /// A map of objects keyed by the block's single label.
    Map,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NestedBlock {
    pub nesting: Nesting,
    pub block: Block,
    pub min_items: u64,
    pub max_items: u64,
    /// A change inside this block forces replacement.
    pub force_new: bool,
}

impl Block {
    pub fn new() -> Self {
        Block::default()
    }
    pub fn attr(mut self, name: &str, a: Attribute) -> Self {
        self.attributes.insert(name.to_string(), a);
        self
    }
    pub fn block(mut self, name: &str, b: NestedBlock) -> Self {
        self.blocks.insert(name.to_string(), b);
        self
    }
    /// The object type a value of this block has.
    pub fn implied_type(&self) -> Type {
        let mut m: BTreeMap<String, Type> =
            self.attributes.iter().map(|(k, a)| (k.clone(), a.ty.clone())).collect();
        for (k, b) in &self.blocks {
            let t = b.block.implied_type();
            let t = match b.nesting {
                Nesting::Single | Nesting::Group => t,
                Nesting::List => Type::list(t),
                Nesting::Set => Type::set(t),
                Nesting::Map => Type::map(t),
            };
            m.insert(k.clone(), t);
        }
        Type::Object(m)
    }
    /// Names of every attribute and block, for "did you mean" suggestions.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.attributes.keys().chain(self.blocks.keys()).map(String::as_str)
    }
}

/// Everything a provider declares.
#[derive(Clone, Debug, Default)]
pub struct ProviderSchema {
    pub provider: Schema,
    pub resources: BTreeMap<String, Schema>,
    pub data_sources: BTreeMap<String, Schema>,
}
