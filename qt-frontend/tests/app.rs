//! The application as a user runs it: a subprocess on Qt's offscreen platform, driven by flags
//! and by its test hooks (`GUESTLOOP_QT_*`).

#[cfg(not(feature = "test-hooks"))]
compile_error!(
    "these drive the app through its GUESTLOOP_QT_* hooks: run them with `--features test-hooks` \
     (scripts/test.sh does)"
);

mod common;

use common::{app, logged, scratch};
use guestloop::sieve::{SieveConfig, parse_tick, trace_on_test_host};
use std::process::{Command, Output};
use std::time::Duration;

// Link the library: cxx-qt's initialisers, linked into every target of this package, need it.
use qt_frontend as _;

#[test]
fn bad_flags_exit_with_code_2_and_one_message_before_any_window() {
    // The flags' table is tested once, in `guestloop-demo-cli`; this is the binary using it.
    let cases: &[(&[&str], &str)] = &[
        (
            &["--rows", "0"],
            "error: invalid value '0' for '--rows <ROWS>'",
        ),
        (
            &["--rows", "10000", "--cols", "1001"],
            "has 10010000 cells; this front-end shows at most 10000000",
        ),
        (&["primes", "--limit", "1"], "the limit must be between"),
        (
            &["minimal", "--trace", "t.txt"],
            "the minimal demo has none",
        ),
    ];
    for (args, message) in cases {
        // No display and no platform plugin: the error must come before Qt starts.
        let output = Command::new(env!("CARGO_BIN_EXE_qt-frontend"))
            .args(*args)
            .env("QT_QPA_PLATFORM", "no-such-platform")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
    }
    let help = Command::new(env!("CARGO_BIN_EXE_qt-frontend"))
        .arg("--help")
        .output()
        .unwrap();
    assert_eq!(help.status.code(), Some(0));
    let help = String::from_utf8_lossy(&help.stdout);
    for flag in [
        "--rows",
        "--cols",
        "--tick",
        "--seed",
        "--trace",
        "--quit-when-done",
        "minimal",
        "primes",
        "--limit",
        "--workers",
    ] {
        assert!(help.contains(flag), "--help lacks {flag}:\n{help}");
    }
}

#[test]
fn the_trace_on_the_qt_loop_equals_the_test_host_trace() {
    for (rows, cols) in [(1, 1), (1, 4), (10, 10), (7, 13), (40, 40)] {
        let path = scratch(&format!("trace-{rows}x{cols}.txt"));
        let (output, stderr, _) = app(
            &[
                "--rows",
                &rows.to_string(),
                "--cols",
                &cols.to_string(),
                "--tick",
                "0.001",
                "--seed",
                "7",
                "--quit-when-done",
                "--trace",
                path.to_str().unwrap(),
            ],
            &[],
        );
        assert_eq!(output.status.code(), Some(0), "{rows}×{cols}: {stderr}");
        let config = SieveConfig::new(rows, cols)
            .unwrap()
            .with_tick(parse_tick("0.001").unwrap())
            .unwrap();
        let expected = trace_on_test_host(&config);
        let actual = std::fs::read_to_string(&path).unwrap();
        assert_eq!(actual, expected, "{rows}×{cols}");
    }
}

#[test]
fn a_trace_file_that_cannot_be_written_is_an_error() {
    let (output, stderr, _) = app(
        &["--trace", "/nonexistent-dir/trace.txt", "--quit-when-done"],
        &[],
    );
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot write the trace"), "{stderr}");
}

#[test]
fn a_trace_that_fails_while_written_ends_the_app_with_1() {
    let (output, stderr, _) = app(
        &[
            "--rows",
            "5",
            "--cols",
            "5",
            "--tick",
            "0.001",
            "--trace",
            "/dev/full",
        ],
        &[],
    );
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("error: writing the trace failed: No space left on device"),
        "{stderr}"
    );
}

#[test]
fn a_click_changes_the_label_one_second_later() {
    let (output, stderr, _) = app(
        &["minimal"],
        &[
            ("GUESTLOOP_QT_LOG", "1"),
            ("GUESTLOOP_QT_CLICK_AFTER_MS", "300"),
            ("GUESTLOOP_QT_CLOSE_AFTER_MS", "2500"),
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(
        logged(&stderr, "label: The answer is 42.").len(),
        1,
        "{stderr}"
    );
    let clicked = logged(&stderr, "clicked questionButton: true");
    let answered = logged(
        &stderr,
        "label: What do you get if you multiply six by nine?",
    );
    assert_eq!((clicked.len(), answered.len()), (1, 1), "{stderr}");
    let ((click_wall, click_guest), (answer_wall, answer_guest)) = (clicked[0], answered[0]);
    assert_eq!(
        answer_guest - click_guest,
        1_000_000,
        "the task slept exactly 1 s:\n{stderr}"
    );
    // On the wall clock too, never earlier: the host's timer never fires early. (The click is
    // logged a moment after the guest read its clock; allow those few milliseconds.)
    assert!(
        answer_wall + 5_000 >= click_wall + 1_000_000,
        "too early:\n{stderr}"
    );
}

#[test]
fn closing_the_window_while_tasks_sleep_exits_promptly_with_0() {
    let (output, stderr, elapsed) = app(
        &["--tick", "0.1"],
        &[
            ("GUESTLOOP_QT_LOG", "1"),
            ("GUESTLOOP_QT_CLOSE_AFTER_MS", "700"),
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(elapsed < Duration::from_secs(10), "took {elapsed:?}");
    assert_eq!(logged(&stderr, "closing all windows").len(), 1, "{stderr}");
}

#[test]
fn a_screenshot_of_each_window_is_not_blank() {
    for demo in ["eratosthenes", "minimal"] {
        let path = scratch(&format!("{demo}.png"));
        let grab = format!("1500:{}", path.display());
        let (output, stderr, _) = app(
            &[demo, "--tick", "0.01"],
            &[
                ("GUESTLOOP_QT_GRAB", &grab),
                ("GUESTLOOP_QT_CLOSE_AFTER_MS", "1700"),
            ],
        );
        assert_eq!(output.status.code(), Some(0), "{stderr}");
        let png = std::fs::read(&path).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        // A blank window compresses to a few hundred bytes; text and colours do not.
        assert!(png.len() > 5_000, "{demo}: {} bytes", png.len());
    }
}

/// The `status: <text>` messages of the app's log, in order.
fn statuses(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter_map(|line| line.split_once("us status: ").map(|(_, status)| status))
        .collect()
}

/// The guest's live tasks when the app exited, from its `guest: …` log line.
fn live_tasks_at_exit(stderr: &str) -> usize {
    let line = stderr
        .lines()
        .find(|line| line.contains("us guest: "))
        .expect(stderr);
    let (_, rest) = line.split_once("live_tasks: ").expect(line);
    rest.split(',').next().unwrap().parse().unwrap()
}

#[test]
fn the_primes_window_counts_prints_and_quits_when_done() {
    for (flags, expected) in [
        (&["--limit", "1000000"][..], "primes <= 1000000: 78498\n"),
        (
            &["--limit", "10000000", "--workers", "1"][..],
            "primes <= 10000000: 664579\n",
        ),
    ] {
        let args: Vec<&str> = ["primes", "--quit-when-done"]
            .into_iter()
            .chain(flags.iter().copied())
            .collect();
        let (output, stderr, elapsed) = app(&args, &[("GUESTLOOP_QT_LOG", "1")]);
        assert_eq!(output.status.code(), Some(0), "{flags:?}: {stderr}");
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            expected,
            "{flags:?}"
        );
        assert_eq!(
            statuses(&stderr).first(),
            Some(&"Counting…"),
            "{flags:?}: {stderr}"
        );
        assert!(
            elapsed < Duration::from_secs(30),
            "{flags:?}: took {elapsed:?}"
        );
    }
}

/// Runs a count of 10¹¹ in the primes window, clicking Start at 300 ms, Cancel at 800 ms and
/// the dialog's `answer` button at 1,100 ms; closes at 1,600 ms. Returns stdout and the log.
fn cancel_and_answer(answer: &str, shot: &std::path::Path) -> (Output, String, Duration) {
    let grab = format!("1400:{}", shot.display());
    let clicks = format!("300:startButton,800:cancelButton,1100:{answer}");
    app(
        &["primes", "--limit", "100000000000"],
        &[
            ("GUESTLOOP_QT_LOG", "1"),
            ("GUESTLOOP_QT_CLICK_AFTER_MS", &clicks),
            ("GUESTLOOP_QT_GRAB", &grab),
            ("GUESTLOOP_QT_CLOSE_AFTER_MS", "1600"),
        ],
    )
}

#[test]
fn cancel_asks_first_and_stop_ends_the_count_at_once() {
    let shot = scratch("primes-cancelled.png");
    let (output, stderr, elapsed) = cancel_and_answer("stopButton", &shot);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        elapsed < Duration::from_secs(10),
        "took {elapsed:?}:\n{stderr}"
    );
    assert_eq!(
        statuses(&stderr),
        ["Press Start", "Counting…", "Cancelled"],
        "{stderr}"
    );
    for button in ["startButton", "cancelButton", "stopButton"] {
        let clicked = logged(&stderr, &format!("clicked {button}: true"));
        assert_eq!(
            clicked.len(),
            1,
            "{button} was found and clicked:\n{stderr}"
        );
    }
    let (asked, _) = logged(&stderr, "clicked cancelButton: true")[0];
    let (stopped, _) = logged(&stderr, "clicked stopButton: true")[0];
    let (cancelled, _) = logged(&stderr, "status: Cancelled")[0];
    // The question does not stop the count: only the answer does, and at once.
    assert!(asked < stopped && stopped <= cancelled, "{stderr}");
    assert!(
        cancelled - stopped < 100_000,
        "Cancelled {}µs after the answer",
        cancelled - stopped
    );
    assert!(output.stdout.is_empty(), "no result is printed");
    // The count's task and its segments' tasks were gone before the window closed.
    assert_eq!(live_tasks_at_exit(&stderr), 0, "{stderr}");
    assert_eq!(&std::fs::read(&shot).unwrap()[1..4], b"PNG");
}

#[test]
fn keep_counting_leaves_the_count_running() {
    let shot = scratch("primes-kept.png");
    let (output, stderr, _) = cancel_and_answer("keepButton", &shot);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(
        logged(&stderr, "clicked keepButton: true").len(),
        1,
        "{stderr}"
    );
    assert_eq!(statuses(&stderr), ["Press Start", "Counting…"], "{stderr}");
    // Still counting when the window closed: the count's task was alive to the end.
    assert!(live_tasks_at_exit(&stderr) > 0, "{stderr}");
}

#[test]
fn screenshots_of_the_primes_window_mid_run_show_it_moving() {
    let (first, second) = (scratch("primes-1.png"), scratch("primes-2.png"));
    let grab = format!("1200:{},2000:{}", first.display(), second.display());
    let (output, stderr, _) = app(
        &["primes", "--limit", "100000000000"],
        &[
            ("GUESTLOOP_QT_LOG", "1"),
            ("GUESTLOOP_QT_CLICK_AFTER_MS", "200:startButton"),
            ("GUESTLOOP_QT_GRAB", &grab),
            ("GUESTLOOP_QT_CLOSE_AFTER_MS", "2200"),
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    // Both shots were taken while the count ran (10¹¹ takes minutes).
    assert_eq!(statuses(&stderr), ["Press Start", "Counting…"], "{stderr}");
    assert!(
        live_tasks_at_exit(&stderr) > 0,
        "the count still ran at the close"
    );
    let (first, second) = (
        std::fs::read(&first).unwrap(),
        std::fs::read(&second).unwrap(),
    );
    for png in [&first, &second] {
        assert_eq!(&png[1..4], b"PNG");
        // A blank window compresses to a few hundred bytes; text and a progress bar do not.
        assert!(png.len() > 5_000, "{} bytes", png.len());
    }
    assert_ne!(
        first, second,
        "the progress, counts and time move while the count runs"
    );
}
