//! Bad input gets one clear error line and exit code 2 before any window opens: run with no
//! display at all, so a binary that got as far as winit would fail differently.

use std::process::Command;

const BINARY: &str = env!("CARGO_BIN_EXE_winit-frontend");

#[track_caller]
fn rejected(args: &[&str], expected: &str) {
    let output = Command::new(BINARY)
        .args(args)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(stderr.contains(expected), "{args:?}: {stderr}");
    assert!(
        !stderr.contains("event loop"),
        "{args:?} reached winit: {stderr}"
    );
}

/// The flags' table is tested once, in `guestloop-demo-cli`; this is the binary using it, and
/// its own rule (no primes demo here).
#[test]
fn bad_flags_exit_with_2_before_any_window() {
    rejected(
        &["--rows", "0"],
        "error: invalid value '0' for '--rows <ROWS>'",
    );
    rejected(
        &["--rows", "4000", "--cols", "4000"],
        "shows at most 10000000",
    );
    rejected(
        &["minimal", "--trace", "t.txt"],
        "the minimal demo has none",
    );
    rejected(&["primes"], "shows eratosthenes and minimal");
}

#[test]
fn an_unwritable_trace_exits_with_2_before_any_window() {
    rejected(
        &["--trace", "/nonexistent-dir/trace.txt", "--quit-when-done"],
        "cannot write the trace to /nonexistent-dir/trace.txt",
    );
}

#[test]
fn without_a_display_it_says_so() {
    let output = Command::new(BINARY)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.starts_with("error: cannot start winit's event loop"),
        "{stderr}"
    );
}
