//! What the application's tests share: running it offscreen with its test hooks, scratch files,
//! and reading its log.

// Each test file uses its own part of this.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// Runs the app on Qt's offscreen platform with `args` and the environment `hooks`; returns its
/// output, its stderr and how long it ran. Checks that teardown went in order, whatever else.
pub fn app(args: &[&str], hooks: &[(&str, &str)]) -> (Output, String, Duration) {
    let runtime_dir = std::env::temp_dir().join("guestloop-qt-xdg");
    std::fs::create_dir_all(&runtime_dir).unwrap();
    // Qt wants its runtime directory private.
    let private = std::os::unix::fs::PermissionsExt::from_mode(0o700);
    std::fs::set_permissions(&runtime_dir, private).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_qt-frontend"));
    command
        .args(args)
        .env("QT_QPA_PLATFORM", "offscreen")
        .env("XDG_RUNTIME_DIR", &runtime_dir);
    for (key, value) in hooks {
        command.env(key, value);
    }
    let started = Instant::now();
    let output = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    // Whatever the run did, teardown went in order: the guest's Qt objects before Qt.
    assert!(
        !stderr.contains("outlived QGuiApplication"),
        "{args:?}: teardown out of order:\n{stderr}"
    );
    (output, stderr, started.elapsed())
}

/// A path for `name` in this test process's scratch directory.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("guestloop-qt-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// `(wall µs, guest µs)` of each `t=<µs>us guest=<µs>us <message>` line of the app's log.
pub fn logged(stderr: &str, message: &str) -> Vec<(u64, u64)> {
    stderr
        .lines()
        .filter_map(|line| {
            let (wall, rest) = line.strip_prefix("t=")?.split_once("us guest=")?;
            let (guest, rest) = rest.split_once("us ")?;
            (rest == message).then(|| (wall.parse().unwrap(), guest.parse().unwrap()))
        })
        .collect()
}
