//! Expression evaluation with unknown values and sensitive marks.
//!
//! The evaluator walks `hcl-edit` expressions directly (no intermediate tree). Unknown values
//! flow through every operator (an operation on an unknown yields an unknown of the result
//! type) and sensitive marks are sticky (an operation on a marked value yields a marked
//! result). Errors become [`Diagnostic`]s pointing at the offending sub-expression.

use crate::config::{Body, Expr, NestedBlock};
use crate::reference::Reference;
use crate::source::SourceFile;
use crate::suggest::suggest;
use hcl_edit::expr::{BinaryOperator, Expression, ObjectKey, TraversalOperator, UnaryOperator};
use hcl_edit::template::{Directive, Element, Template};
use hcl_edit::Span;
use plinth_sdk::convert::{convert, unify};
use plinth_sdk::{Diagnostic, Diagnostics, Nesting, Number, SourceRange, Type, Value};
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

/// Answers references for the evaluator. The engine implements it per module instance (and
/// per resource instance for `count.index` / `each.*`); `console` implements it over state.
pub trait Scope: Sync {
    /// The value of `r` (for resources and modules, the whole object; the evaluator applies
    /// the rest of the traversal). `range` is where the reference is written. An undeclared
    /// name is an error diagnostic with a "did you mean" help where one is close.
    fn lookup(&self, r: &Reference, range: &SourceRange) -> Result<Value, Diagnostic>;

    /// Optional fast path for `REF[key]` (`aws_instance.web[count.index]`): the element
    /// alone, so a scope need not build the whole resource (a tuple of every instance) for
    /// each reference. `None` (the default) falls back to [`Scope::lookup`] + indexing.
    fn lookup_index(&self, _r: &Reference, _key: &Value, _range: &SourceRange) -> Option<Result<Value, Diagnostic>> {
        None
    }
}

/// A scope where every reference is an error (constants: variable defaults, type defaults).
pub struct EmptyScope;

impl Scope for EmptyScope {
    fn lookup(&self, r: &Reference, range: &SourceRange) -> Result<Value, Diagnostic> {
        Err(Diagnostic::error("Variables not allowed")
            .with_detail(format!("Variables may not be used here (found a reference to {r})."))
            .with_subject(range.clone()))
    }
}

/// What an evaluation needs besides the scope.
pub struct EvalContext<'a> {
    pub scope: &'a dyn Scope,
    /// The working directory: relative paths in `file()` and friends resolve against it.
    pub cwd: &'a Path,
}

type R<T = Value> = Result<T, Box<Diagnostic>>;

/// Evaluates an expression. Errors come back as diagnostics with the value `Unknown` (so a
/// caller can keep going and report every error in one run).
pub fn eval_expr(expr: &Expr, ctx: &EvalContext<'_>) -> (Value, Diagnostics) {
    eval_expr_with_vars(expr, ctx, &[])
}

/// Like [`eval_expr`], with extra local variables in scope (e.g. a `dynamic` block iterator,
/// or the variables of a `templatefile`).
pub fn eval_expr_with_vars(expr: &Expr, ctx: &EvalContext<'_>, vars: &[(String, Value)]) -> (Value, Diagnostics) {
    let mut ev = Evaluator::new(ctx, &expr.file, expr.range.clone());
    ev.vars.extend(vars.iter().cloned());
    match ev.eval(&expr.expr) {
        Ok(v) => (v, Diagnostics::new()),
        Err(d) => (Value::unknown(), Diagnostics::from(*d)),
    }
}

/// Evaluates a constant expression (no references), e.g. a variable default.
pub fn eval_constant(e: &Expression, file: &SourceFile) -> R {
    let cwd = Path::new(".");
    let ctx = EvalContext { scope: &EmptyScope, cwd };
    let fallback = e.span().map(|s| file.range(s)).unwrap_or_else(|| file.range(0..0));
    let mut ev = Evaluator::new(&ctx, file, fallback);
    ev.eval(e)
}

pub(crate) struct Evaluator<'a, 'c> {
    pub ctx: &'a EvalContext<'c>,
    pub file: &'a SourceFile,
    pub fallback: SourceRange,
    /// `for` and `dynamic` iterator variables, innermost last.
    pub vars: Vec<(String, Value)>,
    depth: usize,
}

fn err(summary: &str, detail: impl Into<String>, range: SourceRange) -> Box<Diagnostic> {
    Box::new(Diagnostic::error(summary).with_detail(detail).with_subject(range))
}

impl<'a, 'c> Evaluator<'a, 'c> {
    pub fn new(ctx: &'a EvalContext<'c>, file: &'a SourceFile, fallback: SourceRange) -> Self {
        Evaluator { ctx, file, fallback, vars: Vec::new(), depth: 0 }
    }

    fn rng(&self, span: Option<Range<usize>>) -> SourceRange {
        match span {
            Some(s) if s.end <= self.file.text.len() => self.file.range(s),
            _ => self.fallback.clone(),
        }
    }
    fn erange(&self, e: &Expression) -> SourceRange {
        self.rng(e.span())
    }

    fn var(&self, name: &str) -> Option<&Value> {
        self.vars.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    pub fn eval(&mut self, e: &Expression) -> R {
        self.depth += 1;
        if self.depth > 200 {
            self.depth -= 1;
            return Err(err("Expression too deeply nested", "This expression nests more than 200 levels deep.", self.erange(e)));
        }
        let r = self.eval_inner(e);
        self.depth -= 1;
        r
    }

    fn eval_inner(&mut self, e: &Expression) -> R {
        match e {
            Expression::Null(_) => Ok(Value::null()),
            Expression::Bool(b) => Ok(Value::Bool(*b.value())),
            Expression::Number(n) => {
                let text = e.span().and_then(|s| self.file.text.get(s)).unwrap_or("");
                // Fast path: a short decimal integer is exact as an i64.
                if !text.is_empty() && text.len() <= 18 && text.bytes().all(|b| b.is_ascii_digit()) {
                    if let Ok(i) = text.parse::<i64>() {
                        return Ok(Value::Number(Number::from_i64(i)));
                    }
                }
                if let Some(x) = Number::parse(text) {
                    return Ok(Value::Number(x));
                }
                let n = n.value();
                if let Some(i) = n.as_i64() {
                    Ok(Value::Number(Number::from_i64(i)))
                } else if let Some(u) = n.as_u64() {
                    Ok(Value::Number(Number::from_u64(u)))
                } else {
                    n.as_f64()
                        .and_then(Number::from_f64)
                        .map(Value::Number)
                        .ok_or_else(|| err("Invalid number", "This number is not valid.", self.erange(e)))
                }
            }
            Expression::String(s) => Ok(Value::String(s.value().clone())),
            Expression::Array(arr) => {
                let mut out = Vec::with_capacity(arr.len());
                for x in arr.iter() {
                    out.push(self.eval(x)?);
                }
                Ok(Value::Tuple(out))
            }
            Expression::Object(obj) => {
                let mut out = BTreeMap::new();
                let mut unknown = false;
                let mut marked = false;
                for (k, v) in obj.iter() {
                    let renamed = if self.file.renamed_keys.get().is_some() { k.span().and_then(|sp| self.file.renamed_key(&sp)) } else { None };
                    let key = match k {
                        ObjectKey::Ident(_) | ObjectKey::Expression(Expression::String(_) | Expression::Variable(_)) if renamed.is_some() => renamed.unwrap_or_default().to_string(),
                        ObjectKey::Ident(id) => id.as_str().to_string(),
                        ObjectKey::Expression(ke) => {
                            let kv = self.eval(ke)?;
                            let (kv, m) = kv.unmark();
                            marked |= m;
                            if !kv.is_known() {
                                unknown = true;
                                continue;
                            }
                            if kv.is_null() {
                                return Err(err("Invalid object key", "Key expression in object constructor must not be null.", self.erange(ke)));
                            }
                            match convert(&kv, &Type::String) {
                                Ok(Value::String(s)) => s,
                                _ => {
                                    return Err(err(
                                        "Incorrect key type",
                                        format!("Can't use this value as a key: string required, but have {}.", kv.type_of().friendly_name()),
                                        self.erange(ke),
                                    ))
                                }
                            }
                        }
                    };
                    let val = self.eval(v.expr())?;
                    out.insert(key, val);
                }
                if unknown {
                    return Ok(Value::unknown().mark_if(marked));
                }
                Ok(Value::Object(out).mark_if(marked))
            }
            Expression::StringTemplate(t) => self.eval_template(t, false, false, true),
            Expression::HeredocTemplate(h) => self.eval_template(&h.template, false, false, true),
            Expression::Parenthesis(p) => self.eval(p.inner()),
            Expression::Variable(id) => {
                let name = id.as_str();
                if let Some(v) = self.var(name) {
                    return Ok(v.clone());
                }
                self.eval_traversal(e, &[])
            }
            Expression::Conditional(c) => {
                let cond = self.eval(&c.cond_expr)?;
                let t = self.eval(&c.true_expr);
                let f = self.eval(&c.false_expr);
                let (cond, cmark) = cond.unmark();
                let ty = |r: &R| r.as_ref().map(Value::type_of).unwrap_or(Type::Dynamic);
                let (tt, ft) = (ty(&t), ty(&f));
                let t_null = matches!(&t, Ok(Value::Null(Type::Dynamic)));
                let f_null = matches!(&f, Ok(Value::Null(Type::Dynamic)));
                let result_ty = if t_null {
                    Some(ft.clone())
                } else if f_null {
                    Some(tt.clone())
                } else {
                    unify_for_conditional(&tt, &ft)
                };
                let Some(result_ty) = result_ty else {
                    return Err(err(
                        "Inconsistent conditional result types",
                        format!(
                            "The true and false result expressions must have consistent types. The 'true' value is {}, but the 'false' value is {}.",
                            describe_type(&tt),
                            describe_type(&ft)
                        ),
                        self.erange(e),
                    ));
                };
                if cond.is_null() {
                    return Err(err("Null condition", "The condition value is null. Conditions must either be true or false.", self.erange(&c.cond_expr)));
                }
                if !cond.is_known() {
                    // Errors in either branch are still errors (types must be known).
                    t?;
                    f?;
                    return Ok(Value::Unknown(result_ty).mark_if(cmark));
                }
                let b = match convert(&cond, &Type::Bool) {
                    Ok(Value::Bool(b)) => b,
                    _ => {
                        return Err(err(
                            "Incorrect condition type",
                            format!("The condition expression must be of type bool, but it is {}.", describe_type(&cond.type_of())),
                            self.erange(&c.cond_expr),
                        ))
                    }
                };
                let (chosen, other_expr) = if b { (t?, &c.true_expr) } else { (f?, &c.false_expr) };
                let out = if result_ty == Type::Dynamic || chosen.type_of() == result_ty {
                    chosen
                } else {
                    convert(&chosen, &result_ty).map_err(|x| {
                        err("Inconsistent conditional result types", format!("The result value could not be converted to the unified type: {x}."), self.erange(other_expr))
                    })?
                };
                Ok(out.mark_if(cmark))
            }
            Expression::FuncCall(call) => self.eval_call(call, e),
            Expression::Traversal(t) => {
                if let Expression::Variable(id) = &t.expr {
                    if self.var(id.as_str()).is_none() {
                        let ops: Vec<&TraversalOperator> = t.operators.iter().map(|o| o.value()).collect();
                        return self.eval_traversal(e, &ops);
                    }
                }
                let base = self.eval(&t.expr)?;
                let ops: Vec<&TraversalOperator> = t.operators.iter().map(|o| o.value()).collect();
                let start = t.expr.span().map(|s| s.start);
                self.apply_ops(base, &ops, start)
            }
            Expression::UnaryOp(u) => {
                let v = self.eval(&u.expr)?;
                let (v, m) = v.unmark();
                let r = match u.operator.value() {
                    UnaryOperator::Neg => {
                        let n = self.operand_number(&v, &u.expr, "operand")?;
                        match n {
                            None => Value::Unknown(Type::Number),
                            Some(n) => Value::Number(n.neg()),
                        }
                    }
                    UnaryOperator::Not => match self.operand_bool(&v, &u.expr, "operand")? {
                        None => Value::Unknown(Type::Bool),
                        Some(b) => Value::Bool(!b),
                    },
                };
                Ok(r.mark_if(m))
            }
            Expression::BinaryOp(b) => {
                let l = self.eval(&b.lhs_expr)?;
                let r = self.eval(&b.rhs_expr)?;
                self.binary(*b.operator.value(), l, r, &b.lhs_expr, &b.rhs_expr, e)
            }
            Expression::ForExpr(f) => self.eval_for(f, e),
        }
    }

    fn operand_number(&self, v: &Value, e: &Expression, side: &str) -> R<Option<Number>> {
        if v.is_null() {
            return Err(err("Invalid operand", format!("Unsuitable value for {side}: a number is required, but the value is null."), self.erange(e)));
        }
        match convert(v, &Type::Number) {
            Ok(Value::Number(n)) => Ok(Some(n)),
            Ok(Value::Unknown(_)) => Ok(None),
            other => {
                let msg = other.err().map(|x| x.message).unwrap_or_else(|| "number required".into());
                Err(err("Invalid operand", format!("Unsuitable value for {side}: {msg}."), self.erange(e)))
            }
        }
    }

    fn operand_bool(&self, v: &Value, e: &Expression, side: &str) -> R<Option<bool>> {
        if v.is_null() {
            return Err(err("Invalid operand", format!("Unsuitable value for {side}: a bool is required, but the value is null."), self.erange(e)));
        }
        match convert(v, &Type::Bool) {
            Ok(Value::Bool(b)) => Ok(Some(b)),
            Ok(Value::Unknown(_)) => Ok(None),
            other => {
                let msg = other.err().map(|x| x.message).unwrap_or_else(|| "bool required".into());
                Err(err("Invalid operand", format!("Unsuitable value for {side}: {msg}."), self.erange(e)))
            }
        }
    }

    fn binary(&self, op: BinaryOperator, l: Value, r: Value, le: &Expression, re: &Expression, whole: &Expression) -> R {
        use BinaryOperator::*;
        match op {
            Eq | NotEq => {
                let marked = l.contains_sensitive() || r.contains_sensitive();
                let res = match values_equal(&l, &r) {
                    None => Value::Unknown(Type::Bool),
                    Some(eq) => Value::Bool(if op == Eq { eq } else { !eq }),
                };
                Ok(res.mark_if(marked))
            }
            And | Or => {
                let (l, lm) = l.unmark();
                let (r, rm) = r.unmark();
                let a = self.operand_bool(&l, le, "left operand")?;
                let b = self.operand_bool(&r, re, "right operand")?;
                let res = match (a, b) {
                    (Some(a), Some(b)) => Value::Bool(if op == And { a && b } else { a || b }),
                    _ => Value::Unknown(Type::Bool),
                };
                Ok(res.mark_if(lm || rm))
            }
            Less | LessEq | Greater | GreaterEq | Plus | Minus | Mul | Div | Mod => {
                let (l, lm) = l.unmark();
                let (r, rm) = r.unmark();
                let a = self.operand_number(&l, le, "left operand")?;
                let b = self.operand_number(&r, re, "right operand")?;
                let marked = lm || rm;
                let is_cmp = matches!(op, Less | LessEq | Greater | GreaterEq);
                let (Some(a), Some(b)) = (a, b) else {
                    return Ok(Value::Unknown(if is_cmp { Type::Bool } else { Type::Number }).mark_if(marked));
                };
                let res = match op {
                    Less => Value::Bool(a < b),
                    LessEq => Value::Bool(a <= b),
                    Greater => Value::Bool(a > b),
                    GreaterEq => Value::Bool(a >= b),
                    _ => {
                        let r = match op {
                            Plus => a.add(&b),
                            Minus => a.sub(&b),
                            Mul => a.mul(&b),
                            Div => a.div(&b),
                            _ => a.rem(&b),
                        };
                        match r {
                            Ok(n) => Value::Number(n),
                            Err(msg) => {
                                return Err(err("Operation failed", format!("Error during operation: {msg}."), self.erange(whole)))
                            }
                        }
                    }
                };
                Ok(res.mark_if(marked))
            }
        }
    }

    /// A traversal rooted at a name that is not an iterator variable: a reference.
    fn eval_traversal(&mut self, e: &Expression, ops: &[&TraversalOperator]) -> R {
        let (root, root_span) = match e {
            Expression::Variable(id) => (id.as_str(), id.span()),
            Expression::Traversal(t) => match &t.expr {
                Expression::Variable(id) => (id.as_str(), id.span()),
                _ => return Err(err("Invalid reference", "A reference must start with a name.", self.erange(e))),
            },
            _ => return Err(err("Invalid reference", "A reference must start with a name.", self.erange(e))),
        };
        let spans: Vec<Option<Range<usize>>> = match e {
            Expression::Traversal(t) => t.operators.iter().map(|o| o.span()).collect(),
            _ => Vec::new(),
        };
        let (reference, used) = match parse_reference(root, ops) {
            Ok(x) => x,
            Err(msg) => {
                let end = spans.get(ops.len().min(1).saturating_sub(1)).cloned().flatten().or(root_span.clone());
                let range = match (root_span.clone(), end) {
                    (Some(a), Some(b)) => self.rng(Some(a.start..b.end.max(a.end))),
                    (a, _) => self.rng(a),
                };
                let mut d = err("Invalid reference", msg.0, range);
                if let Some(h) = msg.1 {
                    d.help.push(h);
                }
                return Err(d);
            }
        };
        let range = match (&root_span, spans.get(used.wrapping_sub(1)).cloned().flatten()) {
            (Some(a), Some(b)) if used > 0 => self.rng(Some(a.start..b.end)),
            (a, _) => self.rng(a.clone()),
        };
        let start = root_span.as_ref().map(|s| s.start);
        // Fast path: `RESOURCE[key]…` asks the scope for the one element (engine scopes
        // answer without building a tuple of every instance).
        if matches!(reference, Reference::Resource { .. } | Reference::Data { .. } | Reference::Module(_)) {
            if let Some(TraversalOperator::Index(ie)) = ops.get(used) {
                let key = self.eval(ie)?;
                if key.is_wholly_known() && !key.contains_sensitive() {
                    let irange = match (&root_span, spans.get(used).cloned().flatten()) {
                        (Some(a), Some(b)) => self.rng(Some(a.start..b.end)),
                        _ => range.clone(),
                    };
                    if let Some(r) = self.ctx.scope.lookup_index(&reference, &key, &irange) {
                        let v = r.map_err(|mut d| {
                            if d.subject.is_none() {
                                d.subject = Some(irange.clone());
                            }
                            Box::new(d)
                        })?;
                        let rest: Vec<&TraversalOperator> = ops[used + 1..].to_vec();
                        let rest_spans = &spans[(used + 1).min(spans.len())..];
                        return self.apply_ops_spans(v, &rest, rest_spans, start);
                    }
                }
            }
        }
        let v = self.ctx.scope.lookup(&reference, &range).map_err(|mut d| {
            if d.subject.is_none() {
                d.subject = Some(range.clone());
            }
            Box::new(d)
        })?;
        let rest: Vec<&TraversalOperator> = ops[used..].to_vec();
        let rest_spans = &spans[used.min(spans.len())..];
        self.apply_ops_spans(v, &rest, rest_spans, start)
    }

    fn apply_ops(&mut self, base: Value, ops: &[&TraversalOperator], start: Option<usize>) -> R {
        // Spans of the operators are not available separately here; use the operators' own.
        let spans: Vec<Option<Range<usize>>> = ops.iter().map(|o| o.span()).collect();
        self.apply_ops_spans(base, ops, &spans, start)
    }

    fn apply_ops_spans(&mut self, mut v: Value, ops: &[&TraversalOperator], spans: &[Option<Range<usize>>], start: Option<usize>) -> R {
        let mut i = 0;
        while i < ops.len() {
            let sp = spans.get(i).cloned().flatten();
            // Turned into a file:line:column range only if an error needs it.
            let range = match (start, &sp) {
                (Some(s), Some(o)) => Some(s..o.end),
                (_, o) => o.clone(),
            };
            match ops[i] {
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    let full = matches!(ops[i], TraversalOperator::FullSplat(_));
                    let mut j = i + 1;
                    while j < ops.len() {
                        let ok = match ops[j] {
                            TraversalOperator::GetAttr(_) | TraversalOperator::LegacyIndex(_) => true,
                            TraversalOperator::Index(_) => full,
                            _ => false,
                        };
                        if !ok {
                            break;
                        }
                        j += 1;
                    }
                    let sub_ops = &ops[i + 1..j];
                    let sub_spans: Vec<Option<Range<usize>>> = spans.get(i + 1..j).map(|s| s.to_vec()).unwrap_or_default();
                    v = self.splat(v, sub_ops, &sub_spans, start)?;
                    i = j;
                    continue;
                }
                TraversalOperator::GetAttr(id) => {
                    v = self.get_attr(v, id.as_str(), range)?;
                }
                TraversalOperator::Index(ie) => {
                    let key = self.eval(ie)?;
                    v = self.index(v, key, range)?;
                }
                TraversalOperator::LegacyIndex(n) => {
                    v = self.index(v, Value::Number(Number::from_u64(*n.value())), range)?;
                }
            }
            i += 1;
        }
        Ok(v)
    }

    fn splat(&mut self, v: Value, ops: &[&TraversalOperator], spans: &[Option<Range<usize>>], start: Option<usize>) -> R {
        let (v, marked) = v.unmark();
        let out = match v {
            Value::Null(_) => Value::Tuple(Vec::new()),
            Value::Unknown(t) => match t {
                Type::List(_) | Type::Set(_) => Value::Unknown(Type::list(Type::Dynamic)),
                _ => Value::unknown(),
            },
            Value::List(_, items) | Value::Set(_, items) => {
                let mut out = Vec::with_capacity(items.len());
                for x in items {
                    out.push(self.apply_ops_spans(x, ops, spans, start)?);
                }
                let types: Vec<Type> = out.iter().map(Value::type_of).collect();
                let et = unify(&types).unwrap_or(Type::Dynamic);
                let out = out.into_iter().map(|x| if x.type_of() == et { x } else { convert(&x, &et).unwrap_or(x) }).collect();
                Value::List(et, out)
            }
            Value::Tuple(items) => {
                let mut out = Vec::with_capacity(items.len());
                for x in items {
                    out.push(self.apply_ops_spans(x, ops, spans, start)?);
                }
                Value::Tuple(out)
            }
            other => Value::Tuple(vec![self.apply_ops_spans(other, ops, spans, start)?]),
        };
        Ok(out.mark_if(marked))
    }

    fn get_attr(&self, v: Value, name: &str, span: Option<Range<usize>>) -> R {
        let range = || self.rng(span.clone());
        let (v, marked) = v.unmark();
        let out = match v {
            Value::Object(mut m) => match m.remove(name) {
                Some(x) => x,
                None => {
                    let mut d = err("Unsupported attribute", format!("This object does not have an attribute named \"{name}\"."), range());
                    if let Some(s) = suggest(name, m.keys().map(String::as_str)) {
                        d.help.push(format!("did you mean `{s}`?"));
                    }
                    return Err(d);
                }
            },
            Value::Map(_, mut m) => match m.remove(name) {
                Some(x) => x,
                None => {
                    let mut d = err("Missing map element", format!("This map does not have an element with the key \"{name}\"."), range());
                    if let Some(s) = suggest(name, m.keys().map(String::as_str)) {
                        d.help.push(format!("did you mean `{s}`?"));
                    }
                    return Err(d);
                }
            },
            Value::Null(_) => {
                return Err(err("Attempt to get attribute from null value", "This value is null, so it does not have any attributes.", range()))
            }
            Value::Unknown(t) => match t {
                Type::Dynamic => Value::unknown(),
                Type::Object(m) => match m.get(name) {
                    Some(t) => Value::Unknown(t.clone()),
                    None => {
                        let mut d = err("Unsupported attribute", format!("This object does not have an attribute named \"{name}\"."), range());
                        if let Some(s) = suggest(name, m.keys().map(String::as_str)) {
                            d.help.push(format!("did you mean `{s}`?"));
                        }
                        return Err(d);
                    }
                },
                Type::Map(et) => Value::Unknown(*et),
                other => return Err(attr_on_wrong_type(&other, name, range())),
            },
            other => return Err(attr_on_wrong_type(&other.type_of(), name, range())),
        };
        Ok(out.mark_if(marked))
    }

    fn index(&self, v: Value, key: Value, span: Option<Range<usize>>) -> R {
        let range = || self.rng(span.clone());
        let (v, vm) = v.unmark();
        let (key, km) = key.unmark();
        let marked = vm || km;
        if key.is_null() {
            return Err(err("Invalid index", "Can't use a null value as an indexing key.", range()));
        }
        let out = match v {
            Value::Null(_) => return Err(err("Attempt to index null value", "This value is null, so it does not have any indices.", range())),
            Value::Unknown(t) => {
                let et = match &t {
                    Type::List(e) | Type::Map(e) => (**e).clone(),
                    _ => Type::Dynamic,
                };
                Value::Unknown(et)
            }
            Value::List(et, items) => {
                if !key.is_known() {
                    return Ok(Value::Unknown(et).mark_if(marked));
                }
                let i = seq_index(&key, items.len(), &range)?;
                items.into_iter().nth(i).unwrap_or_default()
            }
            Value::Tuple(items) => {
                if !key.is_known() {
                    return Ok(Value::unknown().mark_if(marked));
                }
                let i = seq_index(&key, items.len(), &range)?;
                items.into_iter().nth(i).unwrap_or_default()
            }
            Value::Map(et, mut m) => {
                if !key.is_known() {
                    return Ok(Value::Unknown(et).mark_if(marked));
                }
                let k = key_string(&key, &range)?;
                match m.remove(&k) {
                    Some(x) => x,
                    None => {
                        let mut d = err("Invalid index", format!("The given key does not identify an element in this collection value."), range());
                        if let Some(s) = suggest(&k, m.keys().map(String::as_str)) {
                            d.help.push(format!("did you mean [\"{s}\"]?"));
                        }
                        return Err(d);
                    }
                }
            }
            Value::Object(mut m) => {
                if !key.is_known() {
                    return Ok(Value::unknown().mark_if(marked));
                }
                let k = key_string(&key, &range)?;
                match m.remove(&k) {
                    Some(x) => x,
                    None => {
                        let mut d = err("Invalid index", format!("The given key does not identify an element in this collection value."), range());
                        if let Some(s) = suggest(&k, m.keys().map(String::as_str)) {
                            d.help.push(format!("did you mean [\"{s}\"]?"));
                        }
                        return Err(d);
                    }
                }
            }
            Value::Set(..) => {
                return Err(err(
                    "Invalid index",
                    "Elements of a set are identified only by their value and don't have any separate index or key to select with, so it's only possible to perform operations across all elements of the set.",
                    range(),
                ))
            }
            other => {
                return Err(err(
                    "Invalid index",
                    format!("This value does not have any indices (it is a {}).", other.type_of().friendly_name()),
                    range(),
                ))
            }
        };
        Ok(out.mark_if(marked))
    }

    fn eval_for(&mut self, f: &hcl_edit::expr::ForExpr, whole: &Expression) -> R {
        let coll = self.eval(&f.intro.collection_expr)?;
        let (coll, cmark) = coll.unmark();
        let kname = f.intro.key_var.as_ref().map(|k| k.as_str().to_string());
        let vname = f.intro.value_var.as_str().to_string();
        let is_map = f.key_expr.is_some();
        if coll.is_null() {
            return Err(err("Iteration over null value", "A null value cannot be used as the collection in a 'for' expression.", self.erange(&f.intro.collection_expr)));
        }
        if !coll.is_known() {
            return Ok(Value::unknown().mark_if(cmark));
        }
        let pairs: Vec<(Value, Value)> = match coll {
            Value::List(_, items) | Value::Tuple(items) => items.into_iter().enumerate().map(|(i, v)| (Value::number(i), v)).collect(),
            Value::Set(_, items) => items.into_iter().map(|v| (v.clone(), v)).collect(),
            Value::Map(_, m) | Value::Object(m) => m.into_iter().map(|(k, v)| (Value::String(k), v)).collect(),
            other => {
                return Err(err(
                    "Iteration over non-iterable value",
                    format!("A value of type {} cannot be used as the collection in a 'for' expression.", other.type_of().friendly_name()),
                    self.erange(&f.intro.collection_expr),
                ))
            }
        };
        let mut tuple = Vec::new();
        let mut obj: BTreeMap<String, Value> = BTreeMap::new();
        let mut groups: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        let mut unknown = false;
        let mut marked = cmark;
        for (k, v) in pairs {
            let base = self.vars.len();
            if let Some(kn) = &kname {
                self.vars.push((kn.clone(), k));
            }
            self.vars.push((vname.clone(), v));
            let r = self.for_item(f, is_map, &mut tuple, &mut obj, &mut groups, &mut unknown, &mut marked);
            self.vars.truncate(base);
            r?;
        }
        let _ = whole;
        if unknown {
            return Ok(Value::unknown().mark_if(marked));
        }
        Ok(if is_map {
            if f.grouping {
                Value::Object(groups.into_iter().map(|(k, vs)| (k, Value::Tuple(vs))).collect())
            } else {
                Value::Object(obj)
            }
        } else {
            Value::Tuple(tuple)
        }
        .mark_if(marked))
    }

    #[allow(clippy::too_many_arguments)]
    fn for_item(
        &mut self,
        f: &hcl_edit::expr::ForExpr,
        is_map: bool,
        tuple: &mut Vec<Value>,
        obj: &mut BTreeMap<String, Value>,
        groups: &mut BTreeMap<String, Vec<Value>>,
        unknown: &mut bool,
        marked: &mut bool,
    ) -> R<()> {
        if let Some(c) = &f.cond {
            let cv = self.eval(&c.expr)?;
            let (cv, m) = cv.unmark();
            *marked |= m;
            if cv.is_null() {
                return Err(err("Condition is null", "The value of the 'if' clause must not be null.", self.erange(&c.expr)));
            }
            if !cv.is_known() {
                *unknown = true;
                return Ok(());
            }
            match convert(&cv, &Type::Bool) {
                Ok(Value::Bool(true)) => {}
                Ok(Value::Bool(false)) => return Ok(()),
                _ => {
                    return Err(err(
                        "Invalid 'for' condition",
                        format!("The 'if' clause value is invalid: a bool is required, but it is {}.", cv.type_of().friendly_name()),
                        self.erange(&c.expr),
                    ))
                }
            }
        }
        if is_map {
            let ke = f.key_expr.as_ref().ok_or_else(|| err("Invalid 'for' expression", "Missing key expression.", self.fallback.clone()))?;
            let kv = self.eval(ke)?;
            let (kv, km) = kv.unmark();
            *marked |= km;
            if kv.is_null() {
                return Err(err("Invalid object key", "Key expression in 'for' expression must not produce a null value.", self.erange(ke)));
            }
            if !kv.is_known() {
                *unknown = true;
                self.eval(&f.value_expr)?;
                return Ok(());
            }
            let key = match convert(&kv, &Type::String) {
                Ok(Value::String(s)) => s,
                _ => {
                    return Err(err(
                        "Invalid object key",
                        format!("The key expression produced an invalid result: string required, but have {}.", kv.type_of().friendly_name()),
                        self.erange(ke),
                    ))
                }
            };
            let val = self.eval(&f.value_expr)?;
            if f.grouping {
                groups.entry(key).or_default().push(val);
            } else {
                if obj.contains_key(&key) {
                    let mut d = err(
                        "Duplicate object key",
                        format!("Two different items produced the key \"{key}\" in this 'for' expression. If duplicates are expected, use the ellipsis (...) after the value expression to enable grouping by key."),
                        self.erange(ke),
                    );
                    d.help.push("add `...` after the value expression to group values by key".into());
                    return Err(d);
                }
                obj.insert(key, val);
            }
        } else {
            tuple.push(self.eval(&f.value_expr)?);
        }
        Ok(())
    }

    /// Evaluates a template. `strip_lead`/`strip_trail`: strip whitespace at the start of the
    /// first literal / end of the last literal (from `~` on the enclosing directive).
    fn eval_template(&mut self, t: &Template, strip_lead: bool, strip_trail: bool, top: bool) -> R {
        let elems: Vec<&Element> = t.iter().collect();
        // A template consisting of a single interpolation yields that value unconverted.
        if top && elems.len() == 1 {
            if let Element::Interpolation(i) = elems[0] {
                return self.eval(&i.expr);
            }
        }
        let mut out = String::new();
        let mut unknown = false;
        let mut marked = false;
        for (idx, el) in elems.iter().enumerate() {
            match el {
                Element::Literal(s) => {
                    let mut text: &str = s.value();
                    let strip_before = if idx == 0 { strip_lead } else { strips_after(elems[idx - 1]) };
                    let strip_after = if idx + 1 == elems.len() { strip_trail } else { strips_before(elems[idx + 1]) };
                    if strip_before {
                        text = text.trim_start();
                    }
                    if strip_after {
                        text = text.trim_end();
                    }
                    out.push_str(text);
                }
                Element::Interpolation(i) => {
                    let v = self.eval(&i.expr)?;
                    self.append(&mut out, v, &i.expr, &mut unknown, &mut marked)?;
                }
                Element::Directive(d) => match d.as_ref() {
                    Directive::If(ifd) => {
                        let cv = self.eval(&ifd.if_expr.cond_expr)?;
                        let (cv, m) = cv.unmark();
                        marked |= m;
                        if cv.is_null() {
                            return Err(err("Invalid template if directive", "The condition value is null.", self.erange(&ifd.if_expr.cond_expr)));
                        }
                        if !cv.is_known() {
                            unknown = true;
                            continue;
                        }
                        let b = match convert(&cv, &Type::Bool) {
                            Ok(Value::Bool(b)) => b,
                            _ => {
                                return Err(err(
                                    "Invalid template if directive",
                                    format!("The condition must be of type bool, but it is {}.", cv.type_of().friendly_name()),
                                    self.erange(&ifd.if_expr.cond_expr),
                                ))
                            }
                        };
                        let end_strip = ifd.endif_expr.strip.strip_start();
                        let v = if b {
                            let trail = match &ifd.else_expr {
                                Some(e) => e.strip.strip_start(),
                                None => end_strip,
                            };
                            Some(self.eval_template(&ifd.if_expr.template, ifd.if_expr.strip.strip_end(), trail, false)?)
                        } else if let Some(e) = &ifd.else_expr {
                            Some(self.eval_template(&e.template, e.strip.strip_end(), end_strip, false)?)
                        } else {
                            None
                        };
                        if let Some(v) = v {
                            let (v, m) = v.unmark();
                            marked |= m;
                            match v {
                                Value::String(s) => out.push_str(&s),
                                _ => unknown = true,
                            }
                        }
                    }
                    Directive::For(ford) => {
                        let fe = &ford.for_expr;
                        let coll = self.eval(&fe.collection_expr)?;
                        let (coll, m) = coll.unmark();
                        marked |= m;
                        if coll.is_null() {
                            return Err(err("Iteration over null value", "A null value cannot be used as the collection in a 'for' directive.", self.erange(&fe.collection_expr)));
                        }
                        if !coll.is_known() {
                            unknown = true;
                            continue;
                        }
                        let pairs: Vec<(Value, Value)> = match coll {
                            Value::List(_, items) | Value::Tuple(items) => items.into_iter().enumerate().map(|(i, v)| (Value::number(i), v)).collect(),
                            Value::Set(_, items) => items.into_iter().map(|v| (v.clone(), v)).collect(),
                            Value::Map(_, m) | Value::Object(m) => m.into_iter().map(|(k, v)| (Value::String(k), v)).collect(),
                            other => {
                                return Err(err(
                                    "Iteration over non-iterable value",
                                    format!("A value of type {} cannot be used as the collection in a 'for' directive.", other.type_of().friendly_name()),
                                    self.erange(&fe.collection_expr),
                                ))
                            }
                        };
                        for (k, v) in pairs {
                            let base = self.vars.len();
                            if let Some(kn) = &fe.key_var {
                                self.vars.push((kn.as_str().to_string(), k));
                            }
                            self.vars.push((fe.value_var.as_str().to_string(), v));
                            let r = self.eval_template(&fe.template, fe.strip.strip_end(), ford.endfor_expr.strip.strip_start(), false);
                            self.vars.truncate(base);
                            let (v, m) = r?.unmark();
                            marked |= m;
                            match v {
                                Value::String(s) => out.push_str(&s),
                                _ => unknown = true,
                            }
                        }
                    }
                },
            }
        }
        if unknown {
            return Ok(Value::Unknown(Type::String).mark_if(marked));
        }
        Ok(Value::String(out).mark_if(marked))
    }

    fn append(&self, out: &mut String, v: Value, e: &Expression, unknown: &mut bool, marked: &mut bool) -> R<()> {
        let (v, m) = v.unmark();
        *marked |= m;
        if v.is_null() {
            return Err(err(
                "Invalid template interpolation value",
                "The expression result is null. Cannot include a null value in a string template.",
                self.erange(e),
            ));
        }
        if !v.is_known() {
            if !plinth_sdk::convert::can_convert_type(&v.type_of(), &Type::String) {
                return Err(err("Invalid template interpolation value", format!("Cannot include the given value in a string template: string required, but have {}.", v.type_of().friendly_name()), self.erange(e)));
            }
            *unknown = true;
            return Ok(());
        }
        match convert(&v, &Type::String) {
            Ok(Value::String(s)) => {
                out.push_str(&s);
                Ok(())
            }
            _ => Err(err(
                "Invalid template interpolation value",
                format!("Cannot include the given value in a string template: string required, but have {}.", describe_type(&v.type_of())),
                self.erange(e),
            )),
        }
    }

    fn eval_call(&mut self, call: &hcl_edit::expr::FuncCall, whole: &Expression) -> R {
        let ns: Vec<&str> = call.name.namespace.iter().map(|n| n.as_str()).collect();
        let name = call.name.name.as_str();
        // Computed only for an error.
        let name_range = || self.rng(call.name.name.span().or_else(|| whole.span()));
        if !ns.is_empty() && ns != ["core"] {
            let full = format!("{}::{name}", ns.join("::"));
            return Err(err("Call to unknown function", format!("There is no function named \"{full}\". Provider-defined functions are not supported yet."), name_range()));
        }
        let args: Vec<&Expression> = call.args.iter().collect();
        match name {
            "try" => return self.call_try(&args, whole),
            "can" => {
                if args.len() != 1 {
                    return Err(err("Incorrect function arguments", format!("Function \"can\" expects exactly one argument, but {} were given.", args.len()), self.erange(whole)));
                }
                let saved = self.vars.len();
                let r = self.eval(args[0]);
                self.vars.truncate(saved);
                return Ok(match r {
                    Ok(v) if !v.is_wholly_known() => Value::Unknown(Type::Bool),
                    Ok(_) => Value::Bool(true),
                    Err(_) => Value::Bool(false),
                });
            }
            _ => {}
        }
        if !crate::funcs::exists(name) {
            let mut d = err("Call to unknown function", format!("There is no function named \"{name}\"."), name_range());
            if let Some(s) = suggest(name, crate::funcs::names()) {
                d.help.push(format!("did you mean `{s}`?"));
            }
            return Err(d);
        }
        let mut vals = Vec::with_capacity(args.len());
        for a in &args {
            vals.push(self.eval(a)?);
        }
        let mut arg_exprs: Vec<&Expression> = args.clone();
        if call.args.expand_final() {
            let Some(last) = vals.pop() else {
                return Err(err("Invalid expanding argument", "The expanding argument (indicated by ...) must be a list, tuple or set.", self.erange(whole)));
            };
            let last_expr = arg_exprs.pop().unwrap_or(whole);
            let (last, m) = last.unmark();
            match last {
                Value::List(_, items) | Value::Set(_, items) | Value::Tuple(items) => {
                    for x in items {
                        vals.push(x.mark_if(m));
                        arg_exprs.push(last_expr);
                    }
                }
                Value::Unknown(_) => return Ok(Value::unknown().mark_if(m)),
                _ => {
                    return Err(err(
                        "Invalid expanding argument",
                        "The expanding argument (indicated by ...) must be of a tuple, list, or set type.",
                        self.erange(last_expr),
                    ))
                }
            }
        }
        let cwd = self.ctx.cwd;
        let tpl = |text: &str, path: &Path, vars: &Value| -> Result<Value, String> { render_template_file(text, path, vars, cwd) };
        match crate::funcs::call(name, vals, cwd, &tpl) {
            Ok(v) => Ok(v),
            Err(fe) => {
                let range = match fe.arg.and_then(|i| arg_exprs.get(i)) {
                    Some(ae) => self.erange(ae),
                    None => self.erange(whole),
                };
                Err(err(fe.summary(), sentence(&fe.message), range))
            }
        }
    }

    fn call_try(&mut self, args: &[&Expression], whole: &Expression) -> R {
        if args.is_empty() {
            return Err(err("Incorrect function arguments", "Function \"try\" requires at least one argument.", self.erange(whole)));
        }
        let mut failures = Vec::new();
        for a in args {
            let saved = self.vars.len();
            let r = self.eval(a);
            self.vars.truncate(saved);
            match r {
                Ok(v) if !v.is_wholly_known() => return Ok(Value::unknown()),
                Ok(v) => return Ok(v),
                Err(d) => failures.push(d),
            }
        }
        let mut detail = String::from("Call to function \"try\" failed: no expression succeeded:");
        for d in &failures {
            let at = d.subject.as_ref().map(|s| format!(" (at {s})")).unwrap_or_default();
            detail.push_str(&format!("\n- {}{at}\n  {}", d.summary, d.detail.clone().unwrap_or_default()));
        }
        detail.push_str("\n\nAt least one expression must produce a successful result.");
        Err(err("Error in function call", detail, self.erange(whole)))
    }
}

fn sentence(msg: &str) -> String {
    let m = msg.trim();
    if m.ends_with('.') {
        m.to_string()
    } else {
        format!("{m}.")
    }
}

/// Evaluates a template file's text with `vars` (an object or map) as its only scope: the
/// callback behind `templatefile`.
pub fn render_template_file(text: &str, path: &Path, vars: &Value, cwd: &Path) -> Result<Value, String> {
    if crate::load::too_deep(text).is_some() {
        return Err(format!("{}: the template nests brackets more than {} levels deep", path.display(), crate::load::MAX_NESTING));
    }
    let tpl = hcl_edit::parser::parse_template(text).map_err(|e| {
        format!("{}:{},{}: Invalid template: {}", path.display(), e.location().line(), e.location().column(), e.message())
    })?;
    let file = SourceFile::new(path.to_path_buf(), text.to_string());
    let ctx = EvalContext { scope: &TemplateScope, cwd };
    let mut ev = Evaluator::new(&ctx, &file, file.range(0..0));
    if let Some(m) = vars.as_map() {
        for (k, v) in m {
            ev.vars.push((k.clone(), v.clone()));
        }
    } else if !vars.is_null() {
        return Err("the vars argument must be an object or a map".into());
    }
    let r = ev.eval_template(&tpl, false, false, true).map_err(|d| {
        let at = d.subject.as_ref().map(|s| format!("{}:{},{}: ", s.file.display(), s.start.line, s.start.column)).unwrap_or_default();
        format!("{at}{}; {}", d.summary, d.detail.clone().unwrap_or_default())
    })?;
    // A template file always produces a string.
    let (r, m) = r.unmark();
    let r = match r {
        Value::Unknown(_) => Value::Unknown(Type::String),
        v => convert(&v, &Type::String).map_err(|_| "the template result must be a string".to_string())?,
    };
    Ok(r.mark_if(m))
}

struct TemplateScope;
impl Scope for TemplateScope {
    fn lookup(&self, r: &Reference, range: &SourceRange) -> Result<Value, Diagnostic> {
        let name = match r {
            Reference::Iterator(n) => n.clone(),
            other => other.to_string().split('.').next().unwrap_or("").to_string(),
        };
        Err(Diagnostic::error("Unknown variable")
            .with_detail(format!("There is no variable named \"{name}\". Only the variables passed to templatefile are available here."))
            .with_subject(range.clone()))
    }
}

fn strips_after(el: &Element) -> bool {
    match el {
        Element::Literal(_) => false,
        Element::Interpolation(i) => i.strip.strip_end(),
        Element::Directive(d) => match d.as_ref() {
            Directive::If(i) => i.endif_expr.strip.strip_end(),
            Directive::For(f) => f.endfor_expr.strip.strip_end(),
        },
    }
}
fn strips_before(el: &Element) -> bool {
    match el {
        Element::Literal(_) => false,
        Element::Interpolation(i) => i.strip.strip_start(),
        Element::Directive(d) => match d.as_ref() {
            Directive::If(i) => i.if_expr.strip.strip_start(),
            Directive::For(f) => f.for_expr.strip.strip_start(),
        },
    }
}

fn attr_on_wrong_type(t: &Type, name: &str, range: SourceRange) -> Box<Diagnostic> {
    let detail = match t {
        Type::List(_) | Type::Set(_) | Type::Tuple(_) => {
            let kind = match t {
                Type::List(e) | Type::Set(e) if matches!(**e, Type::Object(_)) => "a list of objects".to_string(),
                Type::Set(_) => "a set".to_string(),
                Type::Tuple(_) => "a tuple".to_string(),
                _ => "a list".to_string(),
            };
            let mut d = err(
                "Unsupported attribute",
                format!("Can't access attributes on {kind}. Did you mean to access attribute \"{name}\" for a specific element of the list, or across all elements of the list?"),
                range,
            );
            d.help.push(format!("use `[0].{name}` for one element or `[*].{name}` for all of them"));
            return d;
        }
        other => format!("Can't access attributes on a primitive-typed value ({}).", other.friendly_name()),
    };
    err("Unsupported attribute", detail, range)
}

fn seq_index(key: &Value, len: usize, range: &dyn Fn() -> SourceRange) -> R<usize> {
    let n = match convert(key, &Type::Number) {
        Ok(Value::Number(n)) => n,
        _ => {
            return Err(err(
                "Invalid index",
                format!("The given key does not identify an element in this collection value: a number is required, but have {}.", key.type_of().friendly_name()),
                range(),
            ))
        }
    };
    if !n.is_integer() {
        return Err(err("Invalid index", "The given key does not identify an element in this collection value: indexing a sequence requires a whole number.", range()));
    }
    if n.is_negative() {
        return Err(err("Invalid index", "The given key does not identify an element in this collection value: a negative number is not a valid index for a sequence.", range()));
    }
    match n.to_i64() {
        Some(i) if (i as u64) < len as u64 => Ok(i as usize),
        _ => Err(err(
            "Invalid index",
            "The given key does not identify an element in this collection value: the given index is greater than or equal to the length of the collection.",
            range(),
        )),
    }
}

fn key_string(key: &Value, range: &dyn Fn() -> SourceRange) -> R<String> {
    match convert(key, &Type::String) {
        Ok(Value::String(s)) => Ok(s),
        _ => Err(err(
            "Invalid index",
            format!("The given key does not identify an element in this collection value: string required, but have {}.", key.type_of().friendly_name()),
            range(),
        )),
    }
}

/// A description like Terraform's for mismatched conditional types.
fn describe_type(t: &Type) -> String {
    match t {
        Type::Tuple(ts) => format!("tuple with {} element{}", ts.len(), if ts.len() == 1 { "" } else { "s" }),
        Type::Object(m) => format!("object with {} attribute{}", m.len(), if m.len() == 1 { "" } else { "s" }),
        other => other.friendly_name(),
    }
}

/// cty's unification for conditional results: like [`unify`], plus tuples of different
/// lengths whose elements unify become lists.
pub fn unify_for_conditional(a: &Type, b: &Type) -> Option<Type> {
    if let Some(t) = unify(&[a.clone(), b.clone()]) {
        return Some(t);
    }
    let elems = |t: &Type| -> Option<Vec<Type>> {
        match t {
            Type::Tuple(ts) => Some(ts.clone()),
            Type::List(e) => Some(vec![(**e).clone()]),
            _ => None,
        }
    };
    if let (Some(mut x), Some(y)) = (elems(a), elems(b)) {
        x.extend(y);
        return unify(&x).map(Type::list);
    }
    let attrs = |t: &Type| -> Option<Vec<Type>> {
        match t {
            Type::Object(m) => Some(m.values().cloned().collect()),
            Type::Map(e) => Some(vec![(**e).clone()]),
            _ => None,
        }
    };
    if let (Some(mut x), Some(y)) = (attrs(a), attrs(b)) {
        x.extend(y);
        return unify(&x).map(Type::map);
    }
    None
}

/// Terraform's `==`: type-strict deep equality. `None` when unknowns make it undecidable.
pub fn values_equal(a: &Value, b: &Value) -> Option<bool> {
    let (a, b) = (a.unmarked(), b.unmarked());
    match (a, b) {
        (Value::Unknown(_), _) | (_, Value::Unknown(_)) => None,
        (Value::Null(_), Value::Null(_)) => Some(true),
        (Value::Null(_), _) | (_, Value::Null(_)) => Some(false),
        (Value::Bool(x), Value::Bool(y)) => Some(x == y),
        (Value::Number(x), Value::Number(y)) => Some(x == y),
        (Value::String(x), Value::String(y)) => Some(x == y),
        (Value::List(_, x), Value::List(_, y)) | (Value::Tuple(x), Value::Tuple(y)) | (Value::Set(_, x), Value::Set(_, y)) => {
            if a.type_of() != b.type_of() && !matches!(a, Value::Tuple(_)) {
                return Some(false);
            }
            if x.len() != y.len() {
                return Some(false);
            }
            let mut unknown = false;
            for (p, q) in x.iter().zip(y) {
                match values_equal(p, q) {
                    Some(false) => return Some(false),
                    None => unknown = true,
                    Some(true) => {}
                }
            }
            if unknown {
                None
            } else {
                Some(true)
            }
        }
        (Value::Map(_, x), Value::Map(_, y)) | (Value::Object(x), Value::Object(y)) => {
            if x.len() != y.len() || !x.keys().eq(y.keys()) {
                return Some(false);
            }
            if matches!(a, Value::Map(..)) && a.type_of() != b.type_of() {
                return Some(false);
            }
            let mut unknown = false;
            for (p, q) in x.values().zip(y.values()) {
                match values_equal(p, q) {
                    Some(false) => return Some(false),
                    None => unknown = true,
                    Some(true) => {}
                }
            }
            if unknown {
                None
            } else {
                Some(true)
            }
        }
        _ => Some(false),
    }
}

/// Turns the start of a traversal into a [`Reference`], returning how many operators it used.
/// The error is (detail, help).
pub(crate) fn parse_reference(root: &str, ops: &[&TraversalOperator]) -> Result<(Reference, usize), (String, Option<String>)> {
    let attr = |i: usize| -> Option<&str> {
        match ops.get(i) {
            Some(TraversalOperator::GetAttr(id)) => Some(id.as_str()),
            _ => None,
        }
    };
    let need = |what: &str| (format!("The \"{root}\" object cannot be accessed directly. Instead, access {what}."), None);
    match root {
        "var" => attr(0).map(|n| (Reference::Var(n.to_string()), 1)).ok_or_else(|| need("one of its attributes")),
        "local" => attr(0).map(|n| (Reference::Local(n.to_string()), 1)).ok_or_else(|| need("one of its attributes")),
        "module" => attr(0).map(|n| (Reference::Module(n.to_string()), 1)).ok_or_else(|| need("one of its attributes")),
        "count" => match attr(0) {
            Some("index") => Ok((Reference::CountIndex, 1)),
            Some(other) => Err((format!("The \"count\" object does not have an attribute named \"{other}\". The only supported attribute is count.index, the index of the current instance."), Some("use `count.index`".into()))),
            None => Err(need("count.index")),
        },
        "each" => match attr(0) {
            Some("key") => Ok((Reference::EachKey, 1)),
            Some("value") => Ok((Reference::EachValue, 1)),
            Some(other) => {
                let h = suggest(other, ["key", "value"]).map(|s| format!("did you mean `each.{s}`?"));
                Err((format!("The \"each\" object does not have an attribute named \"{other}\". The supported attributes are each.key and each.value, the current item's key and value."), h))
            }
            None => Err(need("each.key or each.value")),
        },
        "path" => match attr(0) {
            Some("module") => Ok((Reference::PathModule, 1)),
            Some("root") => Ok((Reference::PathRoot, 1)),
            Some("cwd") => Ok((Reference::PathCwd, 1)),
            Some(other) => {
                let h = suggest(other, ["module", "root", "cwd"]).map(|s| format!("did you mean `path.{s}`?"));
                Err((format!("The \"path\" object does not have an attribute named \"{other}\". The supported attributes are path.cwd, path.module, and path.root."), h))
            }
            None => Err(need("path.module, path.root or path.cwd")),
        },
        "terraform" => match attr(0) {
            Some("workspace") => Ok((Reference::TerraformWorkspace, 1)),
            Some(other) => Err((format!("The \"terraform\" object does not have an attribute named \"{other}\". The only supported attribute is terraform.workspace, the name of the currently-selected workspace."), None)),
            None => Err(need("terraform.workspace")),
        },
        "self" => Ok((Reference::SelfObject, 0)),
        "data" => match (attr(0), attr(1)) {
            (Some(t), Some(n)) => Ok((Reference::Data { type_name: t.to_string(), name: n.to_string() }, 2)),
            _ => Err(("A reference to a data source must be followed by at least one attribute access, specifying the resource type and name.".into(), None)),
        },
        "resource" => match (attr(0), attr(1)) {
            (Some(t), Some(n)) => Ok((Reference::Resource { type_name: t.to_string(), name: n.to_string() }, 2)),
            _ => Err(("A reference to a resource must be followed by the resource type and name.".into(), None)),
        },
        _ => match attr(0) {
            Some(n) => Ok((Reference::Resource { type_name: root.to_string(), name: n.to_string() }, 1)),
            None => Err((
                format!("A reference to a resource type must be followed by at least one attribute access, specifying the resource name (found a bare name \"{root}\")."),
                None,
            )),
        },
    }
}

/// Every reference in an expression, in source order, with where it is written. Computed
/// once per expression and shared by its clones (a module called several times is analysed
/// once).
pub fn references(expr: &Expr) -> Vec<(Reference, SourceRange)> {
    expr.refs.get_or_init(|| compute_references(expr)).clone()
}

fn compute_references(expr: &Expr) -> Vec<(Reference, SourceRange)> {
    let mut out = Vec::new();
    let mut bound = Vec::new();
    collect_refs(&expr.expr, &expr.file, &mut bound, &mut |r, sp, _| {
        let range = match sp {
            Some(s) if s.end <= expr.file.text.len() => expr.file.range(s),
            _ => expr.range.clone(),
        };
        out.push((r, range))
    });
    out
}

/// Like [`references`], with the names bound by an enclosing construct (e.g. a `dynamic`
/// block's iterator) excluded.
pub fn references_excluding(expr: &Expr, bound: &[String]) -> Vec<(Reference, SourceRange)> {
    if bound.is_empty() {
        return references(expr);
    }
    let mut out = Vec::new();
    let mut b: Vec<String> = bound.to_vec();
    collect_refs(&expr.expr, &expr.file, &mut b, &mut |r, sp, _| {
        let range = match sp {
            Some(s) if s.end <= expr.file.text.len() => expr.file.range(s),
            _ => expr.range.clone(),
        };
        out.push((r, range))
    });
    out
}

/// The attribute named right after a reference (`module.net.vpc_id` → `vpc_id`), for checks.
pub(crate) type RefSink<'s> = dyn FnMut(Reference, Option<Range<usize>>, Option<(&str, Option<Range<usize>>)>) + 's;

pub(crate) fn collect_refs(e: &Expression, file: &SourceFile, bound: &mut Vec<String>, sink: &mut RefSink<'_>) {
    match e {
        Expression::Null(_) | Expression::Bool(_) | Expression::Number(_) | Expression::String(_) => {}
        Expression::Array(a) => a.iter().for_each(|x| collect_refs(x, file, bound, sink)),
        Expression::Object(o) => {
            for (k, v) in o.iter() {
                if let ObjectKey::Expression(ke) = k {
                    // A bare name as a key is a literal, not a reference.
                    if !matches!(ke, Expression::Variable(_)) {
                        collect_refs(ke, file, bound, sink);
                    }
                }
                collect_refs(v.expr(), file, bound, sink);
            }
        }
        Expression::StringTemplate(t) => collect_template_refs(t, file, bound, sink),
        Expression::HeredocTemplate(h) => collect_template_refs(&h.template, file, bound, sink),
        Expression::Parenthesis(p) => collect_refs(p.inner(), file, bound, sink),
        Expression::Variable(id) => {
            if !bound.iter().any(|b| b == id.as_str()) {
                if let Ok((r, 0)) = parse_reference(id.as_str(), &[]) {
                    sink(r, id.span(), None);
                }
            }
        }
        Expression::Conditional(c) => {
            collect_refs(&c.cond_expr, file, bound, sink);
            collect_refs(&c.true_expr, file, bound, sink);
            collect_refs(&c.false_expr, file, bound, sink);
        }
        Expression::FuncCall(f) => f.args.iter().for_each(|x| collect_refs(x, file, bound, sink)),
        Expression::Traversal(t) => {
            let mut handled = false;
            if let Expression::Variable(id) = &t.expr {
                if !bound.iter().any(|b| b == id.as_str()) {
                    let ops: Vec<&TraversalOperator> = t.operators.iter().map(|o| o.value()).collect();
                    if let Ok((r, used)) = parse_reference(id.as_str(), &ops) {
                        let start = id.span().map(|s| s.start);
                        let end = if used == 0 { id.span().map(|s| s.end) } else { t.operators.get(used - 1).and_then(|o| o.span()).map(|s| s.end) };
                        let sp = match (start, end) {
                            (Some(a), Some(b)) => Some(a..b),
                            _ => None,
                        };
                        let next = match ops.get(used) {
                            Some(TraversalOperator::GetAttr(a)) => Some((a.as_str(), t.operators.get(used).and_then(|o| o.span()).and_then(|s| start.map(|st| st..s.end)))),
                            _ => None,
                        };
                        sink(r, sp, next);
                    }
                    handled = true;
                }
            }
            if !handled {
                collect_refs(&t.expr, file, bound, sink);
            }
            for op in &t.operators {
                if let TraversalOperator::Index(ie) = op.value() {
                    collect_refs(ie, file, bound, sink);
                }
            }
        }
        Expression::UnaryOp(u) => collect_refs(&u.expr, file, bound, sink),
        Expression::BinaryOp(b) => {
            collect_refs(&b.lhs_expr, file, bound, sink);
            collect_refs(&b.rhs_expr, file, bound, sink);
        }
        Expression::ForExpr(f) => {
            collect_refs(&f.intro.collection_expr, file, bound, sink);
            let base = bound.len();
            if let Some(k) = &f.intro.key_var {
                bound.push(k.as_str().to_string());
            }
            bound.push(f.intro.value_var.as_str().to_string());
            if let Some(k) = &f.key_expr {
                collect_refs(k, file, bound, sink);
            }
            collect_refs(&f.value_expr, file, bound, sink);
            if let Some(c) = &f.cond {
                collect_refs(&c.expr, file, bound, sink);
            }
            bound.truncate(base);
        }
    }
}

fn collect_template_refs(t: &Template, file: &SourceFile, bound: &mut Vec<String>, sink: &mut RefSink<'_>) {
    for el in t.iter() {
        match el {
            Element::Literal(_) => {}
            Element::Interpolation(i) => collect_refs(&i.expr, file, bound, sink),
            Element::Directive(d) => match d.as_ref() {
                Directive::If(i) => {
                    collect_refs(&i.if_expr.cond_expr, file, bound, sink);
                    collect_template_refs(&i.if_expr.template, file, bound, sink);
                    if let Some(e) = &i.else_expr {
                        collect_template_refs(&e.template, file, bound, sink);
                    }
                }
                Directive::For(f) => {
                    let fe = &f.for_expr;
                    collect_refs(&fe.collection_expr, file, bound, sink);
                    let base = bound.len();
                    if let Some(k) = &fe.key_var {
                        bound.push(k.as_str().to_string());
                    }
                    bound.push(fe.value_var.as_str().to_string());
                    collect_template_refs(&fe.template, file, bound, sink);
                    bound.truncate(base);
                }
            },
        }
    }
}

impl Body {
    /// Every reference in the body, nested and dynamic blocks included.
    pub fn references(&self) -> Vec<(Reference, SourceRange)> {
        let mut out = Vec::new();
        body_refs(self, &mut Vec::new(), &mut out);
        out
    }
}

fn body_refs(b: &Body, bound: &mut Vec<String>, out: &mut Vec<(Reference, SourceRange)>) {
    for a in b.attributes.values() {
        out.extend(references_excluding(&a.expr, bound));
    }
    for nb in &b.blocks {
        match &nb.dynamic {
            None => body_refs(&nb.body, bound, out),
            Some(d) => {
                out.extend(references_excluding(&d.for_each, bound));
                bound.push(d.iterator.clone());
                for l in &d.labels {
                    out.extend(references_excluding(l, bound));
                }
                body_refs(&d.content, bound, out);
                bound.pop();
            }
        }
    }
}

/// Decodes a block body against a schema block into an object of the block's implied type:
/// unset attributes are null, nested blocks become objects/lists/sets/maps per their nesting
/// mode, `dynamic` blocks are expanded. Unknown attributes and blocks are errors with a
/// "did you mean" help.
pub fn eval_body(body: &Body, schema: &plinth_sdk::Block, ctx: &EvalContext<'_>) -> (Value, Diagnostics) {
    let mut diags = Diagnostics::new();
    let v = decode_body(body, schema, ctx, &[], &mut diags);
    (v, diags)
}

/// JSON syntax: the nested blocks of a schema are loaded as arguments (there is no schema
/// at load time); an object (one block) or an array of objects (several) becomes blocks here.
fn json_blocks(name: &str, a: &crate::config::Attribute, diags: &mut Diagnostics) -> Vec<NestedBlock> {
    let file = &a.expr.file;
    let to_block = |e: &Expression, diags: &mut Diagnostics| -> Option<NestedBlock> {
        let Expression::Object(o) = e else {
            diags.push(
                Diagnostic::error("Invalid JSON block")
                    .with_detail(format!("\"{name}\" is a block here: its value must be an object, or an array of objects for several blocks."))
                    .with_subject(e.span().map(|s| file.range(s)).unwrap_or_else(|| a.expr.range.clone())),
            );
            return None;
        };
        let range = e.span().map(|s| file.range(s)).unwrap_or_else(|| a.expr.range.clone());
        let mut body = Body { range: Some(range.clone()), ..Body::default() };
        for (k, v) in o.iter() {
            let key = match k {
                ObjectKey::Ident(id) => id.as_str().to_string(),
                ObjectKey::Expression(Expression::Variable(v)) => v.as_str().to_string(),
                ObjectKey::Expression(Expression::String(s)) => s.value().to_string(),
                ObjectKey::Expression(_) => continue,
            };
            if key == "//" {
                continue;
            }
            let expr = crate::load::mk_expr(v.expr().clone(), file);
            let name_range = k.span().map(|s| file.range(s)).unwrap_or_else(|| range.clone());
            body.attributes.insert(key.clone(), crate::config::Attribute { name: key, expr, range: name_range.clone(), name_range });
        }
        Some(NestedBlock { type_name: name.to_string(), labels: Vec::new(), body, dynamic: None, range, type_range: a.name_range.clone() })
    };
    match a.expr.expr.as_ref() {
        Expression::Array(items) => items.iter().filter_map(|e| to_block(e, diags)).collect(),
        e => to_block(e, diags).into_iter().collect(),
    }
}

fn decode_body(body: &Body, schema: &plinth_sdk::Block, ctx: &EvalContext<'_>, vars: &[(String, Value)], diags: &mut Diagnostics) -> Value {
    let mut out = BTreeMap::new();
    let mut from_json: Vec<NestedBlock> = Vec::new();
    for (name, a) in &body.attributes {
        if a.expr.file.is_json() && !schema.attributes.contains_key(name) && schema.blocks.contains_key(name) {
            from_json.extend(json_blocks(name, a, diags));
            continue;
        }
        match schema.attributes.get(name) {
            None => {
                let mut d = Diagnostic::error("Unsupported argument").with_subject(a.name_range.clone());
                if schema.blocks.contains_key(name) {
                    d = d
                        .with_detail(format!("An argument named \"{name}\" is not expected here. Did you mean to define a block of type \"{name}\"?"))
                        .with_help(format!("write `{name} {{ … }}` without the equals sign"));
                } else {
                    d = d.with_detail(format!("An argument named \"{name}\" is not expected here."));
                    if let Some(s) = suggest(name, schema.attributes.keys().map(String::as_str)) {
                        d = d.with_help(format!("did you mean `{s}`?"));
                    }
                }
                diags.push(d);
            }
            Some(sa) => {
                if sa.computed && !sa.optional && !sa.required {
                    diags.push(
                        Diagnostic::error("Value for unconfigurable attribute")
                            .with_detail(format!("Can't configure a value for \"{name}\": its value will be decided automatically based on the result of applying this configuration."))
                            .with_subject(a.name_range.clone())
                            .with_help(format!("remove the `{name}` argument")),
                    );
                    continue;
                }
                let (v, ds) = eval_expr_with_vars(&a.expr, ctx, vars);
                let failed = ds.has_errors();
                diags.extend(ds);
                if failed {
                    out.insert(name.clone(), Value::Unknown(sa.ty.clone()));
                    continue;
                }
                match convert(&v, &sa.ty) {
                    Ok(v) => {
                        out.insert(name.clone(), v.mark_if(false));
                    }
                    Err(e) => {
                        diags.push(
                            Diagnostic::error("Incorrect attribute value type")
                                .with_detail(format!("Inappropriate value for attribute \"{name}\": {e}."))
                                .with_subject(a.expr.range.clone()),
                        );
                        out.insert(name.clone(), Value::Unknown(sa.ty.clone()));
                    }
                }
            }
        }
    }
    for (name, sa) in &schema.attributes {
        if !out.contains_key(name) {
            if sa.required && !body.attributes.contains_key(name) {
                let mut d = Diagnostic::error("Missing required argument")
                    .with_detail(format!("The argument \"{name}\" is required, but no definition was found."))
                    .with_help(format!("add `{name} = …` to this block"));
                if let Some(r) = &body.range {
                    // Point at the start of the block rather than underlining all of it.
                    d = d.with_subject(plinth_sdk::SourceRange { file: r.file.clone(), start: r.start, end: r.start });
                }
                diags.push(d);
            }
            out.insert(name.clone(), Value::Null(sa.ty.clone()));
        }
    }
    // Nested blocks, grouped by type (static and dynamic together, in order).
    let mut by_type: BTreeMap<&str, Vec<&NestedBlock>> = BTreeMap::new();
    for nb in body.blocks.iter().chain(from_json.iter()) {
        if !schema.blocks.contains_key(&nb.type_name) {
            if nb.type_name == "timeouts" {
                continue;
            }
            let mut d = Diagnostic::error("Unsupported block type")
                .with_detail(format!("Blocks of type \"{}\" are not expected here.", nb.type_name))
                .with_subject(nb.type_range.clone());
            if schema.attributes.contains_key(&nb.type_name) {
                d = d.with_help(format!("\"{0}\" is an argument: write `{0} = …`", nb.type_name));
            } else if let Some(s) = suggest(&nb.type_name, schema.blocks.keys().map(String::as_str)) {
                d = d.with_help(format!("did you mean `{s}`?"));
            }
            diags.push(d);
            continue;
        }
        by_type.entry(nb.type_name.as_str()).or_default().push(nb);
    }
    for (name, sb) in &schema.blocks {
        let blocks = by_type.remove(name.as_str()).unwrap_or_default();
        let ety = sb.block.implied_type();
        let mut items: Vec<(Option<String>, Value)> = Vec::new();
        let mut unknown = false;
        for nb in &blocks {
            match &nb.dynamic {
                None => {
                    let v = decode_body(&nb.body, &sb.block, ctx, vars, diags);
                    items.push((nb.labels.first().cloned(), v));
                }
                Some(d) => {
                    let (fe, ds) = eval_expr_with_vars(&d.for_each, ctx, vars);
                    let failed = ds.has_errors();
                    diags.extend(ds);
                    if failed {
                        unknown = true;
                        continue;
                    }
                    let (fe, marked) = fe.unmark();
                    if !fe.is_known() {
                        unknown = true;
                        continue;
                    }
                    let pairs: Vec<(Value, Value)> = match fe {
                        Value::Null(_) => {
                            diags.push(Diagnostic::error("Invalid dynamic for_each value").with_detail("Cannot use a null value in for_each.").with_subject(d.for_each.range.clone()));
                            continue;
                        }
                        Value::List(_, xs) | Value::Tuple(xs) => xs.into_iter().enumerate().map(|(i, v)| (Value::number(i), v)).collect(),
                        Value::Set(_, xs) => xs.into_iter().map(|v| (v.clone(), v)).collect(),
                        Value::Map(_, m) | Value::Object(m) => m.into_iter().map(|(k, v)| (Value::String(k), v)).collect(),
                        other => {
                            diags.push(
                                Diagnostic::error("Invalid dynamic for_each value")
                                    .with_detail(format!("Cannot use a {} value in for_each. An iterable collection is required.", other.type_of().friendly_name()))
                                    .with_subject(d.for_each.range.clone()),
                            );
                            continue;
                        }
                    };
                    for (k, v) in pairs {
                        let it = Value::object([("key", k.mark_if(marked)), ("value", v.mark_if(marked))]);
                        let mut vs: Vec<(String, Value)> = vars.to_vec();
                        vs.push((d.iterator.clone(), it));
                        let mut label = None;
                        if let Some(l) = d.labels.first() {
                            let (lv, ds) = eval_expr_with_vars(l, ctx, &vs);
                            diags.extend(ds);
                            label = lv.as_str().map(str::to_string);
                        }
                        let v = decode_body(&d.content, &sb.block, ctx, &vs, diags);
                        items.push((label, v));
                    }
                }
            }
        }
        let n = items.len() as u64;
        if !unknown {
            if n < sb.min_items {
                diags.push(
                    Diagnostic::error(format!("Insufficient {name} blocks"))
                        .with_detail(format!("At least {} \"{name}\" blocks are required.", sb.min_items))
                        .with_subject_opt(body.range.clone()),
                );
            }
            if sb.max_items > 0 && n > sb.max_items {
                let at = blocks.get(sb.max_items as usize).map(|b| b.type_range.clone());
                diags.push(
                    Diagnostic::error(format!("Too many {name} blocks"))
                        .with_detail(format!("No more than {} \"{name}\" blocks are allowed.", sb.max_items))
                        .with_subject_opt(at),
                );
            }
        }
        let v = match sb.nesting {
            Nesting::Single | Nesting::Group => {
                if unknown {
                    Value::Unknown(ety)
                } else {
                    match items.into_iter().next() {
                        Some((_, v)) => v,
                        None if sb.nesting == Nesting::Group => decode_body(&Body::default(), &sb.block, ctx, vars, &mut Diagnostics::new()),
                        None => Value::Null(ety),
                    }
                }
            }
            Nesting::List => {
                if unknown {
                    Value::Unknown(Type::list(ety))
                } else {
                    Value::List(ety, items.into_iter().map(|(_, v)| v).collect())
                }
            }
            Nesting::Set => {
                if unknown {
                    Value::Unknown(Type::set(ety))
                } else {
                    Value::set(ety, items.into_iter().map(|(_, v)| v).collect())
                }
            }
            Nesting::Map => {
                if unknown {
                    Value::Unknown(Type::map(ety))
                } else {
                    Value::Map(ety, items.into_iter().map(|(k, v)| (k.unwrap_or_default(), v)).collect())
                }
            }
        };
        out.insert(name.clone(), v);
    }
    Value::Object(out)
}

/// Parses a standalone expression (console input, `-var` values, tests). The text is added to
/// `sources` under `name` so diagnostics can show it.
pub fn parse_expression(src: &str, name: &str, sources: &crate::source::SourceMap) -> Result<Expr, Diagnostics> {
    let file = sources.add(SourceFile::new(std::path::PathBuf::from(name), src.to_string()));
    if let Some(at) = crate::load::too_deep(src) {
        return Err(Diagnostics::from(crate::load::nesting_error(&file, at)));
    }
    match crate::lenient::parse_with(src.trim_end(), hcl_edit::parser::parse_expr) {
        Ok((e, renamed)) => {
            if !renamed.is_empty() {
                let _ = file.renamed_keys.set(renamed);
            }
            Ok(crate::load::mk_expr(e, &file))
        }
        Err(e) => Err(Diagnostics::from(crate::load::syntax_error(&file, &e))),
    }
}
