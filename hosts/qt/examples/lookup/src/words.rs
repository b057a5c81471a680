//! The look-up both versions of the model share: a slow search in a short word list.

use std::time::Duration;

/// The words that start with `query`, after a slow look-up: `"query: word, word"`.
pub fn find_words(query: &str) -> String {
    const WORDS: &[&str] = &[
        "guest", "guide", "guild", "host", "hostel", "loop", "loom", "qt", "queue", "quick",
        "scope", "scone", "task", "taste", "timer", "token",
    ];
    std::thread::sleep(Duration::from_millis(30));
    let found: Vec<&str> = WORDS
        .iter()
        .copied()
        .filter(|word| word.starts_with(query))
        .collect();
    format!("{query}: {}", found.join(", "))
}
