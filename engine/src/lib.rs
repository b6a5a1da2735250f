//! `plinth-engine`: graph, plan, apply.
