//! Running a program again with one environment variable set: the Qt tests and benches start
//! themselves again on Qt's offscreen platform when no platform was chosen.

use std::process::{Command, ExitCode};

/// If `var` is unset, runs this program again, with the same arguments and `var` set to
/// `value`, and returns its exit code for `main` to return; `None` if `var` is set (go on).
///
/// ```no_run
/// fn main() -> std::process::ExitCode {
///     if let Some(code) = guestloop_tests::rerun::unless_set("QT_QPA_PLATFORM", "offscreen") {
///         return code;
///     }
///     // … the tests, headless …
///     std::process::ExitCode::SUCCESS
/// }
/// ```
pub fn unless_set(var: &str, value: &str) -> Option<ExitCode> {
    if std::env::var_os(var).is_some() {
        return None;
    }
    let status = Command::new(std::env::current_exe().expect("the program's own path"))
        .args(std::env::args_os().skip(1))
        .env(var, value)
        .status()
        .expect("the program could start itself again");
    // A child killed by a signal has no code: a failure all the same.
    Some(ExitCode::from(status.code().unwrap_or(1) as u8))
}
