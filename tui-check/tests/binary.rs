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

/// The flags' table is tested once, in `guestloop-demo-cli`; this is the binary using it, and
/// its own flag.
#[test]
fn bad_flags_exit_2_with_one_clear_message() {
    rejected(
        &["--rows", "0"],
        "error: invalid value '0' for '--rows <ROWS>'",
    );
    rejected(&["primes", "--limit", "1"], "the limit must be between");
    rejected(
        &["minimal", "--trace", "t.txt"],
        "the minimal demo has none",
    );
    rejected(&["--rows", "5000", "--cols", "5000"], "at most 10000000");
    for demo in ["minimal", "primes"] {
        rejected(
            &[demo, "--check"],
            "--check runs the eratosthenes demo only",
        );
    }
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
fn an_unwritable_trace_is_an_error_before_anything_runs() {
    let output = tui_check(&["--check", "--trace", "/nonexistent/dir/trace.txt"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot write the trace"));
}

#[test]
fn a_trace_that_fails_while_written_is_an_error() {
    let output = tui_check(&["--check", "--trace", "/dev/full"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr,
        "error: writing the trace failed: No space left on device (os error 28)\n"
    );
}
