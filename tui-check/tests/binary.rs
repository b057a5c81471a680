//! The `tui-check` binary without a terminal: bad flags, `--check`, `--trace`.

use guestloop::sieve::{SieveConfig, trace_on_test_host};
use std::process::{Command, Output};

fn tui_check(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tui-check"))
        .args(args)
        .output()
        .expect("tui-check starts")
}

#[track_caller]
fn rejected(args: &[&str], expected: &str) {
    let output = tui_check(args);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(stderr.contains(expected), "{args:?}: {stderr}");
    assert!(output.stdout.is_empty(), "{args:?}: nothing drawn");
}

#[test]
fn bad_flags_exit_2_with_one_clear_message() {
    rejected(&["--rows", "0"], "0 is not in 1..");
    rejected(&["--cols", "x"], "invalid digit");
    rejected(&["--tick", "NaN"], "is not a tick in seconds");
    rejected(&["--tick", "0"], "the tick must be between");
    rejected(&["--rows", "5000", "--cols", "5000"], "at most 10000000");
    rejected(&["--seed", "-"], "invalid");
    rejected(&["bogus"], "invalid value 'bogus'");
    rejected(&["--no-such-flag"], "unexpected argument");
    rejected(
        &["minimal", "--check"],
        "--check runs the eratosthenes demo only",
    );
}

#[test]
fn bad_primes_flags_exit_2_with_one_clear_message() {
    let range = "the limit must be between 2 and 100000000000";
    rejected(&["primes", "--limit", "0"], &format!("{range}, got 0"));
    rejected(&["primes", "--limit", "1"], &format!("{range}, got 1"));
    rejected(&["primes", "--limit", "-5"], "\"-5\" is not a limit");
    rejected(&["primes", "--limit", "1e9"], "\"1e9\" is not a limit");
    rejected(
        &["primes", "--limit", "100000000001"],
        &format!("{range}, got 100000000001"),
    );
    rejected(&["primes", "--workers", "0"], "0 is not in 1..=256");
    rejected(
        &["primes", "--check"],
        "--check runs the eratosthenes demo only",
    );
}

#[test]
fn check_prints_a_one_line_verdict() {
    let output = tui_check(&["--check"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "ok: 40x40 sieve on the terminal host: 1348 marked, done at tick 801; \
         the grid matches a plain sieve\n"
    );
}

#[test]
fn the_trace_is_the_test_hosts_for_several_sizes() {
    let dir = std::env::temp_dir().join(format!("tui-check-trace-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (rows, cols, tick, seed) in [
        (1, 1, "0.1", "42"),
        (10, 10, "0.1", "42"),
        (7, 13, "0.001", "7"),
        (40, 40, "0.1", "42"),
        (100, 120, "0.05", "3"),
    ] {
        let path = dir.join(format!("{rows}x{cols}.txt"));
        let (r, c) = (rows.to_string(), cols.to_string());
        let args = [
            "--check", "--rows", &r, "--cols", &c, "--tick", tick, "--seed", seed, "--trace",
        ];
        let mut args = args.to_vec();
        args.push(path.to_str().unwrap());
        let output = tui_check(&args);
        assert_eq!(output.status.code(), Some(0), "{rows}x{cols}");
        let config = SieveConfig::new(rows, cols)
            .unwrap()
            .with_tick(guestloop::sieve::parse_tick(tick).unwrap())
            .unwrap()
            .with_seed(seed.parse().unwrap());
        let trace = std::fs::read_to_string(&path).unwrap();
        assert_eq!(trace, trace_on_test_host(&config), "{rows}x{cols}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_trace_of_a_demo_without_one_is_an_error_and_no_file() {
    let dir = std::env::temp_dir().join(format!("tui-check-notrace-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for demo in ["minimal", "primes"] {
        let path = dir.join(format!("{demo}.txt"));
        let path_text = path.to_str().unwrap();
        rejected(
            &[demo, "--trace", path_text],
            "the eratosthenes demo's trace",
        );
        assert!(!path.exists(), "{demo}: no file made");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_unwritable_trace_is_an_error_before_anything_runs() {
    let output = tui_check(&["--check", "--trace", "/nonexistent/dir/trace.txt"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot write the trace"));
}
