//! `plinth-state`: state model, local backend, locks.
