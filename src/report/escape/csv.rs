//! CSV fields (`pedigree stats --format csv`), for spreadsheets.

use super::visible;

/// A quoted CSV field. A field that starts with `=`, `+`, `-` or `@` gets a leading `'`, so a
/// spreadsheet shows it rather than running it as a formula (CSV injection).
pub fn field(text: &str) -> String {
    let shown = visible(text);
    let formula = shown.starts_with(['=', '+', '-', '@']);
    format!(
        "\"{}{}\"",
        if formula { "'" } else { "" },
        shown.replace('"', "\"\"")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_formula_and_no_broken_row() {
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("a\nb"), "\"a\\nb\"");
        assert_eq!(field("mit"), "\"mit\"");
    }
}
