//! The measure of the scope: the model written on it is at most half the lines of the
//! same model written by hand on the API that came before (`src/by_hand.rs`).
//!
//! Counted the same way in both files: from the QObject's Rust struct to the end of the file
//! (the `#[cxx_qt::bridge]` before it declares the same properties and invokables in both),
//! without blank lines and comment lines. What both share is in a file of its own and not
//! counted: the look-up (`src/words.rs`).

/// The counted lines of a model's source.
fn model_lines(source: &str) -> usize {
    source
        .lines()
        .skip_while(|line| !line.starts_with("pub struct"))
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with("//"))
        .count()
}

/// The invokables a model implements: `pub fn name(` inside its `impl` blocks.
fn invokables(source: &str) -> Vec<&str> {
    let mut names: Vec<&str> = source
        .lines()
        .filter_map(|line| line.strip_prefix("    pub fn "))
        .filter_map(|rest| rest.split('(').next())
        .collect();
    names.sort_unstable();
    names
}

#[test]
fn the_scoped_model_is_at_most_half_the_lines_of_the_same_by_hand() {
    let scoped = include_str!("../src/lookup.rs");
    let by_hand = include_str!("../src/by_hand.rs");
    assert_eq!(
        invokables(scoped),
        ["cancel", "load", "quit_gracefully", "search"]
    );
    assert_eq!(invokables(by_hand), invokables(scoped), "the same model");
    let (scoped_lines, by_hand_lines) = (model_lines(scoped), model_lines(by_hand));
    eprintln!(
        "model lines: {scoped_lines} with the scope, {by_hand_lines} by hand ({:.0} %)",
        100.0 * scoped_lines as f64 / by_hand_lines as f64
    );
    assert!(
        2 * scoped_lines <= by_hand_lines,
        "{scoped_lines} lines with the scope against {by_hand_lines} by hand: more than half"
    );
}

#[test]
fn the_count_skips_the_bridge_blanks_and_comments() {
    let source =
        "mod bridge {\n    fn a();\n}\n\npub struct A {\n    // why\n    /// what\n    b: u8,\n}\n";
    assert_eq!(model_lines(source), 3);
}
