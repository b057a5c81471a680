//! The GTK 4 window on an X server of its own (Xvfb), clicked as a person would (xdotool): the
//! label changes exactly one second later on the guest clock, and a screenshot shows the answer.
//! Without Xvfb or xdotool the test says it skipped, and fails instead when
//! `GUESTLOOP_REQUIRE_XVFB=1` or `CI` is set (as `.ci/run` does).

use guestloop::minimal::{ANSWER, QUESTION};
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
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
    if !tools_present() {
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
    let window = xdotool(&server, &["search", "--sync", "--name", TITLE]);
    let window = window.lines().next().expect("the window is on the display");
    // The button fills the window below the label.
    xdotool(&server, &["mousemove", "--window", window, "240", "110"]);
    xdotool(&server, &["click", "1"]);

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
    let screenshot = server.screenshot("gtk-minimal-answered.png");
    println!("screenshot of the answer: {}", screenshot.display());

    let status = wait(&mut app, PATIENCE).expect("the app quit after the answer");
    assert!(status.success(), "{status}");
}

fn nanos(line: &str) -> u64 {
    line.rsplit(' ').next().unwrap().parse().unwrap()
}

fn tools_present() -> bool {
    let missing: Vec<&str> = ["Xvfb", "xdotool", "import"]
        .into_iter()
        .filter(|tool| !on_path(tool))
        .collect();
    if missing.is_empty() {
        return true;
    }
    let required = std::env::var_os("GUESTLOOP_REQUIRE_XVFB").is_some_and(|v| v == "1")
        || std::env::var_os("CI").is_some_and(|v| !v.is_empty());
    assert!(
        !required,
        "GTK X test FAILED: {} not found (scripts/deps.sh installs them)",
        missing.join(", ")
    );
    eprintln!("GTK X test SKIPPED: {} not found", missing.join(", "));
    false
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()))
}

/// The app's stdout, line by line, from a thread of its own.
fn lines_of(app: &mut Child) -> mpsc::Receiver<String> {
    let stdout = app.stdout.take().unwrap();
    let (send, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { return };
            if send.send(line).is_err() {
                return;
            }
        }
    });
    lines
}

fn wait(app: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let deadline = std::time::Instant::now() + limit;
    while std::time::Instant::now() < deadline {
        if let Some(status) = app.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = app.kill();
    None
}

fn xdotool(server: &Xvfb, args: &[&str]) -> String {
    let output = Command::new("xdotool")
        .args(args)
        .env("DISPLAY", &server.display)
        .output()
        .unwrap();
    assert!(output.status.success(), "xdotool {args:?}: {output:?}");
    String::from_utf8(output.stdout).unwrap()
}

/// An X server of the test's own, on a display it picks itself.
struct Xvfb {
    process: Child,
    display: String,
}

impl Xvfb {
    fn start() -> Xvfb {
        let mut process = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "800x600x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb starts");
        let mut number = String::new();
        let mut stdout = process.stdout.take().unwrap();
        let mut byte = [0];
        while stdout.read(&mut byte).unwrap() == 1 && byte[0] != b'\n' {
            number.push(byte[0] as char);
        }
        assert!(!number.is_empty(), "Xvfb named no display");
        Xvfb {
            process,
            display: format!(":{number}"),
        }
    }

    fn screenshot(&self, name: &str) -> PathBuf {
        let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
        let status = Command::new("import")
            .args(["-window", "root"])
            .arg(&path)
            .env("DISPLAY", &self.display)
            .status()
            .unwrap();
        assert!(status.success(), "import failed");
        assert!(std::fs::metadata(&path).unwrap().len() > 0);
        path
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}
