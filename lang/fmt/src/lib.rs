//! `plinth-fmt`: canonical formatting (`terraform fmt`).
