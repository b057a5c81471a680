//! The GTK 4 window on an X server of its own (Xvfb), clicked as a person would (xdotool): the
//! label changes exactly one second later on the guest clock, and a screenshot shows the answer.
//! Without Xvfb or xdotool the test says it skipped, and fails instead when
//! `GUESTLOOP_REQUIRE_XVFB=1` or `CI` is set (as `.ci/run` does).

use guestloop::minimal::{ANSWER, QUESTION};
use guestloop_tests::xvfb::{Xvfb, lines_of, tools_present, wait};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

const BINARY: &str = env!("CARGO_BIN_EXE_gtk-minimal");
const TITLE: &str = "guestloop GTK: minimal";
const PATIENCE: Duration = Duration::from_secs(20);

#[test]
fn a_bad_flag_exits_with_2_before_any_window() {
    let output = Command::new(BINARY).arg("--size=3").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("unexpected argument \"--size=3\""),
        "{stderr}"
    );
}

#[test]
fn a_click_changes_the_label_one_second_later_on_the_guest_clock() {
    if !tools_present("GTK X test") {
        return;
    }
    let server = Xvfb::start();
    let mut app = Command::new(BINARY)
        .args(["--log", "--quit-when-answered"])
        .env("DISPLAY", &server.display)
        .env("GDK_BACKEND", "x11")
        .env("GSK_RENDERER", "cairo") // no GPU here
        .env_remove("WAYLAND_DISPLAY")
        .stdout(Stdio::piped())
        .spawn()
        .expect("the example starts");
    let lines = lines_of(&mut app);
    let next_line = || lines.recv_timeout(PATIENCE).expect("the app said nothing");

    let first = next_line();
    assert_eq!(first, format!("label {ANSWER:?} at {}", nanos(&first)));
    let window = server.window_named(TITLE);
    // The button fills the window below the label.
    server.xdotool(&["mousemove", "--window", &window, "240", "110"]);
    server.xdotool(&["click", "1"]);

    let clicked = next_line();
    assert!(clicked.starts_with("click taken at "), "{clicked}");
    let answered = next_line();
    assert!(
        answered.starts_with(&format!("label {QUESTION:?} at ")),
        "{answered}"
    );
    assert_eq!(
        nanos(&answered) - nanos(&clicked),
        1_000_000_000,
        "the answer came exactly 1 s after the click, on the guest clock"
    );
    let screenshot = server.screenshot(
        Path::new(env!("CARGO_TARGET_TMPDIR")),
        "gtk-minimal-answered.png",
    );
    println!("screenshot of the answer: {}", screenshot.display());

    let status = wait(&mut app, PATIENCE).expect("the app quit after the answer");
    assert!(status.success(), "{status}");
}

fn nanos(line: &str) -> u64 {
    line.rsplit(' ').next().unwrap().parse().unwrap()
}
