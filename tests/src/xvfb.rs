//! A window driven as a person would: an X server of the test's own ([`Xvfb`]), input through
//! `xdotool`, screenshots through ImageMagick's `import`, and the app's stdout line by line.
//!
//! Owns only the tools; what a window should do is each test's own.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Whether Xvfb, xdotool and import are on `PATH`. Without them the test should say it skipped
/// and return; this panics instead when `GUESTLOOP_REQUIRE_XVFB=1` or `CI` is set (as `.ci/run`
/// does), so that CI never passes a test it did not run. `what` names the test in the message.
pub fn tools_present(what: &str) -> bool {
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
        "{what} FAILED: {} not found (scripts/deps.sh installs them)",
        missing.join(", ")
    );
    eprintln!("{what} SKIPPED: {} not found", missing.join(", "));
    false
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()))
}

/// An X server of the test's own, on a display it picks itself; killed when dropped.
#[derive(Debug)]
pub struct Xvfb {
    process: Child,
    /// The display to give the app and the tools (`:N`).
    pub display: String,
}

impl Xvfb {
    /// Starts an 800×600 server and waits until it names its display.
    pub fn start() -> Xvfb {
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

    /// Runs `xdotool args` on this display and returns what it printed; panics if it fails.
    pub fn xdotool(&self, args: &[&str]) -> String {
        let output = Command::new("xdotool")
            .args(args)
            .env("DISPLAY", &self.display)
            .output()
            .unwrap();
        assert!(output.status.success(), "xdotool {args:?}: {output:?}");
        String::from_utf8(output.stdout).unwrap()
    }

    /// The first window whose title is `title`, waiting for it to appear.
    pub fn window_named(&self, title: &str) -> String {
        let found = self.xdotool(&["search", "--sync", "--name", title]);
        found
            .lines()
            .next()
            .expect("the window is on the display")
            .to_owned()
    }

    /// A screenshot of the whole screen as `dir/name`, checked not to be empty.
    pub fn screenshot(&self, dir: &Path, name: &str) -> PathBuf {
        let path = dir.join(name);
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

/// The app's stdout (which must be piped), line by line, from a thread of its own.
pub fn lines_of(app: &mut Child) -> mpsc::Receiver<String> {
    let stdout = app.stdout.take().expect("the app's stdout is piped");
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

/// The app's exit status, or `None` (and the app killed) if it has not exited within `limit`.
pub fn wait(app: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if let Some(status) = app.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = app.kill();
    let _ = app.wait();
    None
}
