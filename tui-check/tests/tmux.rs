//! End to end in a real terminal: tmux runs `tui-check`, `capture-pane` reads the screen.
//!
//! They need tmux (`scripts/test.sh` installs it) and fail, saying so, where it is missing.

use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// A detached tmux session running a plain shell; killed on drop.
struct Session {
    name: String,
}

impl Session {
    /// A session at its shell prompt, ready for [`run_tui_check`](Self::run_tui_check).
    ///
    /// # Panics
    /// Without tmux, saying so.
    #[track_caller]
    fn at_prompt(name: &str) -> Session {
        let session = Session::start(name)
            .expect("tmux is needed for this test: install it (scripts/test.sh does)");
        session.wait_for("the shell prompt", |s| s.contains("tui$"));
        session
    }

    /// Types a command line running the `tui-check` binary with `arguments` (after `env`, which may
    /// set variables), then echoing its exit code for [`exit_code`].
    fn run_tui_check(&self, env: &str, arguments: &str) {
        let binary = env!("CARGO_BIN_EXE_tui-check");
        self.type_line(&format!("{env} '{binary}' {arguments}; echo EXIT=$?"));
    }

    fn start(name: &str) -> Option<Session> {
        let session = Session {
            name: format!("{name}-{}", std::process::id()),
        };
        let started = Command::new("tmux")
            .args([
                "new-session",
                "-d",
                "-s",
                &session.name,
                "-x",
                "80",
                "-y",
                "24",
            ])
            .arg("PS1='tui$ ' bash --norc --noprofile")
            .output()
            .ok()?;
        started.status.success().then_some(session)
    }

    fn tmux(&self, args: &[&str]) -> Output {
        Command::new("tmux").args(args).output().expect("tmux runs")
    }

    fn type_line(&self, line: &str) {
        self.tmux(&["send-keys", "-t", &self.name, "-l", line]);
        self.tmux(&["send-keys", "-t", &self.name, "Enter"]);
    }

    fn key(&self, key: &str) {
        self.tmux(&["send-keys", "-t", &self.name, key]);
    }

    /// The visible screen, as text (`-e`: with the escape sequences of colours and attributes).
    fn screen(&self, escapes: bool) -> String {
        let mut args = vec!["capture-pane", "-p", "-t", &self.name];
        if escapes {
            args.push("-e");
        }
        String::from_utf8_lossy(&self.tmux(&args).stdout).into_owned()
    }

    fn alternate_screen_on(&self) -> bool {
        let output = self.tmux(&["display", "-p", "-t", &self.name, "#{alternate_on}"]);
        String::from_utf8_lossy(&output.stdout).trim() == "1"
    }

    /// Asserts the terminal is back to normal: the alternate screen left, raw mode off.
    #[track_caller]
    fn assert_terminal_restored(&self) {
        assert!(!self.alternate_screen_on(), "the alternate screen is left");
        self.type_line("stty -a | tr ' ;' '\\n\\n' | grep -x -e -icanon -e -echo | wc -l");
        let stty = self.wait_for("stty's answer", |s| {
            s.lines().any(|line| line.trim().parse::<u32>().is_ok())
        });
        let raw_flags = stty
            .lines()
            .find_map(|line| line.trim().parse::<u32>().ok());
        assert_eq!(raw_flags, Some(0), "raw mode is off again:\n{stty}");
    }

    /// Waits until `ready(screen)`, or fails showing the last screen.
    #[track_caller]
    fn wait_for(&self, what: &str, ready: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen(false);
            if ready(&screen) {
                return screen;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "waited 20 s for {what}; the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// The exit code the shell echoed (`EXIT=<code>` on a line of its own, not the typed command),
/// once the prompt is back after it.
fn exit_code(screen: &str) -> Option<i32> {
    let mut lines = screen
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty());
    let code = lines.find_map(|line| line.strip_prefix("EXIT=")?.parse().ok())?;
    (lines.next() == Some("tui$")).then_some(code)
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.name])
            .output();
    }
}

#[test]
fn the_grid_runs_to_the_congratulation_and_q_restores_the_terminal() {
    let session = Session::at_prompt("tui-check-e2e");
    session.run_tui_check("", "--rows 5 --cols 5 --tick 0.02");

    let grid = session.wait_for("the grid", |s| s.contains("21 22 23 24 25"));
    assert!(grid.contains(" 1  2  3  4  5"), "{grid}");
    assert!(
        session.alternate_screen_on(),
        "the demo uses the alternate screen"
    );

    let done = session.wait_for("the congratulation", |s| s.contains("Congratulations!"));
    assert!(
        done.contains("q quit"),
        "the footer shows the keys:\n{done}"
    );
    // 4, 6, 8, 9, 10 … are marked: bold, in a colour (of 256 or 24 bits, as tmux passes it on).
    let styled = session.screen(true);
    assert!(
        styled.contains("38;5;") || styled.contains("38;2;"),
        "marked numbers are coloured:\n{styled:?}"
    );

    session.key("q");
    let after = session.wait_for("the exit code and the prompt", |s| exit_code(s).is_some());
    assert_eq!(exit_code(&after), Some(0), "q exits with 0:\n{after}");
    session.assert_terminal_restored();
}

#[test]
fn the_minimal_demo_answers_a_second_after_enter() {
    let session = Session::at_prompt("tui-check-minimal");
    session.run_tui_check("", "minimal");
    session.wait_for("the label", |s| s.contains("The answer is 42."));
    session.key("Enter");
    let pressed = Instant::now();
    session.wait_for("the question", |s| s.contains("multiply six by nine"));
    assert!(pressed.elapsed() >= Duration::from_millis(900));
    session.key("Escape");
    let after = session.wait_for("the exit code and the prompt", |s| exit_code(s).is_some());
    assert_eq!(exit_code(&after), Some(0), "Esc exits with 0:\n{after}");
    assert!(!session.alternate_screen_on());
}

#[test]
#[cfg(feature = "test-hooks")]
fn a_panic_leaves_the_terminal_restored() {
    let session = Session::at_prompt("tui-check-panic");
    session.run_tui_check(
        "RUST_BACKTRACE=0 TUI_CHECK_PANIC_AFTER_MS=500",
        "--rows 5 --cols 5 --tick 0.05",
    );
    session.wait_for("the grid", |s| s.contains("21 22 23 24 25"));
    let after = session.wait_for("the exit code and the prompt", |s| exit_code(s).is_some());
    assert_eq!(
        exit_code(&after),
        Some(101),
        "a panic exits with 101:\n{after}"
    );
    assert!(
        after.contains("a deliberate panic"),
        "the panic message is readable on the restored screen:\n{after}"
    );
    session.assert_terminal_restored();
}

#[test]
fn primes_quit_when_done_prints_the_count_on_the_restored_terminal() {
    let session = Session::at_prompt("tui-check-primes");
    session.run_tui_check("", "primes --limit 1000000 --quit-when-done");
    let after = session.wait_for("the exit code and the prompt", |s| exit_code(s).is_some());
    assert_eq!(
        exit_code(&after),
        Some(0),
        "a final count exits 0:\n{after}"
    );
    assert!(
        after
            .lines()
            .any(|line| line.trim_end() == "primes <= 1000000: 78498"),
        "the count is printed after the terminal is restored:\n{after}"
    );
    session.assert_terminal_restored();
}

#[test]
fn primes_esc_cancels_a_count_then_esc_quits() {
    let session = Session::at_prompt("tui-check-primes-esc");
    session.run_tui_check("", "primes --limit 100000000000 --workers 2");
    session.wait_for("the idle screen", |s| s.contains("press Enter to start"));
    assert!(session.alternate_screen_on());
    session.key("Enter");
    session.wait_for("the count", |s| s.contains("counting..."));
    session.key("Escape");
    let cancelled = session.wait_for("the cancellation", |s| s.contains("cancelled"));
    assert!(cancelled.contains("Enter start again"), "{cancelled}");
    session.key("Escape");
    let after = session.wait_for("the exit code and the prompt", |s| exit_code(s).is_some());
    assert_eq!(exit_code(&after), Some(0), "Esc exits with 0:\n{after}");
    assert!(
        !after.contains("primes <="),
        "no count, nothing printed:\n{after}"
    );
    session.assert_terminal_restored();
}
