//! Custom conditions: resource `precondition` / `postcondition`, output `precondition` and
//! `check` block `assert`s, with Terraform's summaries and severities. A condition whose value
//! is not known yet is deferred (checked again during apply); a failed check assertion is a
//! warning, every other failed condition an error.

use crate::env::Env;
use crate::scope::EvalScope;
use plinth_lang::CheckRule;
use plinth_sdk::{Diagnostic, Diagnostics, Severity, Type, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RuleKind {
    ResourcePrecondition,
    ResourcePostcondition,
    OutputPrecondition,
    CheckAssertion,
}

impl RuleKind {
    fn failed_summary(self) -> &'static str {
        match self {
            RuleKind::ResourcePrecondition => "Resource precondition failed",
            RuleKind::ResourcePostcondition => "Resource postcondition failed",
            RuleKind::OutputPrecondition => "Module output value precondition failed",
            RuleKind::CheckAssertion => "Check block assertion failed",
        }
    }
}

/// What checking a list of rules found.
#[derive(Default)]
pub(crate) struct RulesOutcome {
    /// A condition was false, or could not be evaluated (errors).
    pub failed: bool,
    /// A condition's value is not known yet.
    pub deferred: bool,
    pub diags: Diagnostics,
}

/// Evaluates `rules` in `scope`. `plan_phase`: unknown check assertions are reported ("known
/// after apply") only while planning.
pub(crate) fn check_rules(
    env: &Env<'_>,
    rules: &[CheckRule],
    scope: &EvalScope<'_>,
    kind: RuleKind,
    plan_phase: bool,
    address: Option<&str>,
) -> RulesOutcome {
    let mut out = RulesOutcome::default();
    let warn_only = kind == RuleKind::CheckAssertion;
    let push = |out: &mut RulesOutcome, mut d: Diagnostic| {
        if warn_only {
            d.severity = Severity::Warning;
        } else if d.is_error() {
            out.failed = true;
        }
        if let Some(a) = address {
            if d.address.is_none() {
                d = d.with_address(a);
            }
        }
        out.diags.push(d);
    };
    for rule in rules {
        let (c, ds) = env.eval(&rule.condition, scope);
        if ds.has_errors() {
            for d in ds {
                push(&mut out, d);
            }
            if warn_only {
                continue;
            }
            out.failed = true;
            continue;
        }
        let (c, _) = c.unmark_deep();
        if !c.is_wholly_known() {
            out.deferred = true;
            if warn_only && plan_phase {
                push(
                    &mut out,
                    Diagnostic::warning("Check block assertion known after apply")
                        .with_detail("The condition could not be evaluated at this time, a result will be known when this plan is applied.")
                        .with_subject(rule.condition.range.clone()),
                );
            }
            continue;
        }
        let ok = if c.is_null() {
            push(
                &mut out,
                Diagnostic::error("Invalid condition result")
                    .with_detail("Condition expression must return either true or false, not null.")
                    .with_subject(rule.condition.range.clone()),
            );
            continue;
        } else {
            match plinth_sdk::convert::convert(&c, &Type::Bool) {
                Ok(Value::Bool(b)) => b,
                _ => {
                    push(
                        &mut out,
                        Diagnostic::error("Invalid condition result")
                            .with_detail(format!(
                                "Invalid condition result value: a bool is required, not {}.",
                                c.type_of().friendly_name()
                            ))
                            .with_subject(rule.condition.range.clone()),
                    );
                    continue;
                }
            }
        };
        if ok {
            continue;
        }
        let (m, mds) = env.eval(&rule.error_message, scope);
        let msg = if mds.has_errors() {
            for d in mds {
                push(&mut out, d);
            }
            "The error message could not be evaluated.".to_string()
        } else if m.contains_sensitive() {
            "The error message included a sensitive value, so it will not be displayed.".to_string()
        } else if !m.is_wholly_known() {
            "The error message could not be evaluated at this time, because it refers to values that are not yet known.".to_string()
        } else {
            match plinth_sdk::convert::convert(&m, &Type::String) {
                Ok(Value::String(s)) => s,
                _ => "The error message is not a string.".to_string(),
            }
        };
        let d = Diagnostic::error(kind.failed_summary())
            .with_detail(msg)
            .with_subject(rule.condition.range.clone());
        push(&mut out, d);
        if !warn_only {
            out.failed = true;
        }
    }
    out
}

/// Terraform's static rule for custom conditions: a condition that refers to nothing checks
/// nothing ("Invalid precondition expression", …); a check block needs an assertion.
pub(crate) fn static_checks(m: &plinth_lang::Module, diags: &mut Diagnostics) {
    let detail = "The condition expression must refer to at least one object from elsewhere in the configuration, or else its result would not be checking anything.";
    let rule = |r: &CheckRule, what: &str, diags: &mut Diagnostics| -> bool {
        if plinth_lang::references(&r.condition).is_empty() {
            diags.push(
                Diagnostic::error(format!("Invalid {what} expression"))
                    .with_detail(detail)
                    .with_subject(r.condition.range.clone())
                    .with_help("refer to the object being checked (e.g. `self.…`, `var.…` or a resource attribute) in the condition"),
            );
            false
        } else {
            true
        }
    };
    for r in m.resources.values() {
        for c in &r.lifecycle.preconditions {
            rule(c, "precondition", diags);
        }
        for c in &r.lifecycle.postconditions {
            rule(c, "postcondition", diags);
        }
    }
    for o in m.outputs.values() {
        for c in &o.preconditions {
            rule(c, "precondition", diags);
        }
    }
    for c in &m.checks {
        let valid = c.asserts.iter().filter(|a| rule(a, "assert", diags)).count();
        if valid == 0 {
            diags.push(
                Diagnostic::error("Zero assert blocks")
                    .with_detail("Check blocks must have at least one assert block.")
                    .with_subject(c.range.clone())
                    .with_help("add an `assert { condition = …  error_message = \"…\" }` block"),
            );
        }
    }
    for call in m.module_calls.values() {
        static_checks(&call.module, diags);
    }
}
