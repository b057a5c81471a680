//! The example window on an X server of its own (Xvfb), typed into as a person would (xdotool):
//! QML's `onTextEdited` reaches a task through the Greeter's `SignalRelay`, and the task greets
//! once, with the whole name, after typing pauses. Without Xvfb or xdotool the test says it
//! skipped, and fails instead when `GUESTLOOP_REQUIRE_XVFB=1` or `CI` is set (as `.ci/run` does).

use guestloop_tests::xvfb::{Xvfb, lines_of, tools_present, wait};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BINARY: &str = env!("CARGO_BIN_EXE_guestloop-qt-hello");
const PATIENCE: Duration = Duration::from_secs(20);

#[test]
fn a_bad_flag_exits_with_2_before_any_window() {
    for args in [&["--size=3"][..], &["--greet"]] {
        let output = Command::new(BINARY).args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.starts_with("usage: "), "{args:?}: {stderr}");
    }
}

#[test]
fn typing_that_pauses_greets_the_whole_name_once() {
    if !tools_present("Qt X typing test") {
        return;
    }
    let server = Xvfb::start();
    let mut app = Command::new(BINARY)
        .arg("--print-first-greeting")
        .env("DISPLAY", &server.display)
        .env("QT_QPA_PLATFORM", "xcb")
        .env("QT_QUICK_BACKEND", "software") // no GPU here
        .stdout(Stdio::piped())
        .spawn()
        .expect("the example starts");
    let greetings = lines_of(&mut app);
    let window = server.window_named("guestloop-qt: hello");
    // Into the name field (the row's left half), over its "World".
    server.xdotool(&["mousemove", "--window", &window, "130", "75"]);
    server.xdotool(&["click", "--repeat", "3", "1"]);
    server.xdotool(&["key", "ctrl+a"]);
    // 40 ms between keys: every edit well within the pause, so three edits, one greeting.
    server.xdotool(&["type", "--delay", "40", "Ada"]);
    // The last key was sent by now: xdotool waits out its delay after it, too.
    let last_key = Instant::now();

    let greeting = greetings
        .recv_timeout(PATIENCE)
        .expect("the window greeted nobody");
    let took = last_key.elapsed();
    assert_eq!(
        greeting, "Hello, Ada! (3 letters)",
        "one greeting, of the whole name"
    );
    // The pause after the last key, then the greeting's own guest timer and worker (300 ms), less
    // the delay xdotool may wait after the key.
    let least = guestloop_qt_hello::greeter::TYPING_PAUSE + Duration::from_millis(300 - 40);
    assert!(took >= least, "greeted {took:?} after the last key");
    let status = wait(&mut app, PATIENCE).expect("the app quit after the greeting");
    assert!(status.success(), "{status}");
}
