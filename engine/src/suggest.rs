//! "Did you mean" suggestions: plinth-lang's helper, so every layer suggests alike.

/// The candidate closest to `name`, if it is close enough to be a plausible typo.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    plinth_lang::suggest(name, candidates)
}

#[cfg(test)]
mod tests {
    #[test]
    fn suggests_close_names() {
        assert_eq!(super::suggest("inptu", ["input", "output"]), Some("input"));
        assert_eq!(super::suggest("zzz", ["input", "output"]), None);
    }
}
