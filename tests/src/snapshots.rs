//! Where the workspace's insta snapshots live: the top-level `snapshots/`, for every crate.
//!
//! Owns the one insta setting the tests share.

/// Runs `assertions` with insta writing to and reading from the workspace's `snapshots/`, each
/// snapshot named by its test's name alone (no module prefix, no expression in the file).
///
/// ```
/// guestloop_tests::snapshots::in_snapshot_dir(|| {
///     // insta::assert_snapshot!("a_name", text);
/// });
/// ```
pub fn in_snapshot_dir(assertions: impl FnOnce()) {
    let mut settings = insta::Settings::clone_current();
    // Absolute, so the callers' own places in the workspace do not matter.
    settings.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/../snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(assertions);
}
