//! Benchmarks of the Qt host, on the real application (release build, Qt's offscreen platform).
//!
//! Run with `cargo bench -p qt-frontend --bench qt_host`. It prints figures and asserts only
//! that the traces equal the test host's. What it measures (see BENCHMARKS.md):
//! 1. Tick accuracy: 40×40 at 10 ms and 1 ms ticks; the wall time from the sieve's start to its
//!    end against done-tick × tick.
//! 2. Wakes through the Qt loop: latency from a wake on another thread to the task's poll
//!    (p50/p99), coalesced polls per second, beside the raw rate of posted no-op events.
//! 3. The grid at scale, drawn by one item (`GridCanvas`) and, in the same run, by the
//!    `GridView` of `Text` cells it replaced (`GUESTLOOP_QT_GRID=list`): at 40×40, 200×200 and
//!    1,000×1,000 on a 1 ms tick, the first frame, the longest event-loop gaps (including the
//!    first frame, and after it), frames per second, pixels painted per paint, peak memory; then
//!    1,000×1,000 on a 50 µs tick to completion: drift, trace, peak memory.
//! 4. Responsiveness: the longest gap between two event-loop iterations while the primes window
//!    counts to 10⁹ on worker threads, and in a control run of the grid window with no guest
//!    work.
//! 5. Memory: peak resident memory of the 40×40 window run.

#[cfg(not(feature = "test-hooks"))]
compile_error!(
    "these drive the app through its GUESTLOOP_QT_* hooks: run them with `--features test-hooks` \
     (scripts/test.sh does)"
);

use guestloop::sieve::{SieveConfig, parse_tick, trace_on_test_host};
use std::process::Command;

// Link the library: cxx-qt's initialisers, linked into every target of this package, need it.
use qt_frontend as _;

/// Runs the app offscreen with `args` and `env`; returns its stderr.
fn app(args: &[&str], env: &[(&str, &str)]) -> String {
    let runtime_dir = std::env::temp_dir().join("guestloop-qt-bench-xdg");
    std::fs::create_dir_all(&runtime_dir).unwrap();
    let private = std::os::unix::fs::PermissionsExt::from_mode(0o700);
    std::fs::set_permissions(&runtime_dir, private).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_qt-frontend"))
        .args(args)
        .env("QT_QPA_PLATFORM", "offscreen")
        .env("XDG_RUNTIME_DIR", &runtime_dir)
        .env("GUESTLOOP_QT_LOG", "1")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{args:?}: {stderr}");
    stderr
}

/// The wall time (µs since start) of the log line ending with `message`.
fn logged_at(stderr: &str, message: &str) -> u64 {
    let line = stderr
        .lines()
        .find(|line| line.starts_with("t=") && line.contains(message))
        .unwrap_or_else(|| panic!("no {message:?} in:\n{stderr}"));
    line[2..line.find("us").unwrap()].parse().unwrap()
}

fn measured<'a>(stderr: &'a str, prefix: &str) -> &'a str {
    stderr
        .lines()
        .find_map(|line| line.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no {prefix:?} in:\n{stderr}"))
}

fn tick_accuracy() {
    println!("## Tick accuracy (40×40, release, offscreen)\n");
    println!("| tick | done tick | expected s | measured s | drift | trace = test host |");
    println!("|---:|---:|---:|---:|---:|---|");
    for tick in ["0.01", "0.001"] {
        let trace = std::env::temp_dir().join(format!("guestloop-bench-trace-{tick}.txt"));
        let stderr = app(
            &[
                "--tick",
                tick,
                "--quit-when-done",
                "--trace",
                trace.to_str().unwrap(),
            ],
            &[],
        );
        let started = logged_at(&stderr, "sieve started");
        let done = logged_at(&stderr, "sieve done at tick 801");
        let tick_duration = parse_tick(tick).unwrap();
        let expected = tick_duration.as_secs_f64() * 801.0;
        let wall = (done - started) as f64 / 1e6;
        let config = SieveConfig::new(40, 40)
            .unwrap()
            .with_tick(tick_duration)
            .unwrap();
        let same = std::fs::read_to_string(&trace).unwrap() == trace_on_test_host(&config);
        assert!(
            same,
            "the trace at tick {tick} differs from the test host's"
        );
        println!(
            "| {tick} s | 801 | {expected:.3} | {wall:.3} | {:+.2} % | identical |",
            (wall - expected) / expected * 100.0
        );
    }
    println!();
}

fn wakes() {
    println!("## Wakes through the Qt loop (release, offscreen, idle loop)\n");
    let stderr = app(&["minimal"], &[("GUESTLOOP_QT_WAKE_BENCH", "1")]);
    println!("- {}", measured(&stderr, "measure: wake latency "));
    println!(
        "- coalesced polls per second: {}",
        measured(&stderr, "measure: coalesced polls per second=")
    );
    println!(
        "- raw posted no-op events per second: {}",
        measured(&stderr, "measure: raw posted no-op events per second=")
    );
    println!();
}

/// A run of the app: its name, flags and environment.
type Run<'a> = (&'a str, &'a [&'a str], &'a [(&'a str, &'a str)]);

fn responsiveness() {
    println!("## Responsiveness (release, offscreen)\n");
    println!("| run | loop iterations | longest gap | longest gap after the grid's first frame |");
    println!("|---|---:|---:|---:|");
    let runs: [Run; 2] = [
        (
            "primes window counting to 10⁹ on 2 workers",
            &[
                "primes",
                "--limit",
                "1000000000",
                "--workers",
                "2",
                "--quit-when-done",
            ],
            &[],
        ),
        (
            "control: the 200×200 window, no guest work, 3 s",
            &["--rows", "200", "--cols", "200", "--tick", "60"],
            &[("GUESTLOOP_QT_CLOSE_AFTER_MS", "3000")],
        ),
    ];
    for (name, args, env) in runs {
        let mut env = env.to_vec();
        env.push(("GUESTLOOP_QT_MEASURE_LOOP", "1"));
        let stderr = app(args, &env);
        let figures = measured(&stderr, "measure: loop iterations=");
        let (iterations, rest) = figures.split_once(" longest gap=").unwrap();
        let (longest, steady) = rest.split_once(" after the first frame=").unwrap();
        let steady = if name.starts_with("primes") {
            "— (no grid)"
        } else {
            steady
        };
        println!("| {name} | {iterations} | {longest} | {steady} |");
    }
    println!();
}

/// The two ways of drawing the grid: `GUESTLOOP_QT_GRID` and a name for the tables.
const GRIDS: [(&str, &str); 2] = [
    ("canvas", "one item (GridCanvas)"),
    ("list", "before: GridView of Text"),
];

/// A `key=value` figure from a `measure:` line.
fn figure(line: &str, key: &str) -> u64 {
    let (_, rest) = line
        .split_once(&format!("{key}="))
        .unwrap_or_else(|| panic!("no {key} in {line}"));
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().unwrap()
}

fn grid_at_scale() {
    println!("## The grid at scale (release, offscreen, 1 ms tick, the first 5 s of each run)\n");
    println!(
        "| grid | drawn by | first frame | longest gap | after the first frame | frames/s | \
         bytes painted per paint | time per paint | peak memory |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|");
    for size in ["40", "200", "1000"] {
        for (grid, name) in GRIDS {
            let stderr = app(
                &["--rows", size, "--cols", size, "--tick", "0.001"],
                &[
                    ("GUESTLOOP_QT_GRID", grid),
                    ("GUESTLOOP_QT_MEASURE_LOOP", "1"),
                    ("GUESTLOOP_QT_CLOSE_AFTER_MS", "5000"),
                ],
            );
            let gaps = measured(&stderr, "measure: loop iterations=");
            let frames = measured(&stderr, "measure: first frame=");
            let first = figure(&format!("first={frames}"), "first");
            let (count, until) = (figure(frames, "frames"), figure(frames, "until"));
            let per_second = (count.saturating_sub(1)) as f64 / ((until - first) as f64 / 1e6);
            let paints = figure(frames, "paints");
            let per_paint = |total: u64| (paints > 0).then(|| total as f64 / paints as f64);
            let (painted, paint_time) = match (
                per_paint(figure(frames, "painted pixels") * 4),
                per_paint(figure(frames, "painting")),
            ) {
                (Some(bytes), Some(micros)) => (
                    format!("{:.2} MB", bytes / 1e6),
                    format!("{:.2} ms", micros / 1e3),
                ),
                _ => ("— (text nodes)".to_owned(), "—".to_owned()),
            };
            println!(
                "| {size}×{size} | {name} | {:.1} ms | {:.1} ms | {:.1} ms | {per_second:.0} | {painted} | {paint_time} | {} |",
                first as f64 / 1e3,
                figure(gaps, "longest gap") as f64 / 1e3,
                figure(gaps, "after the first frame") as f64 / 1e3,
                measured(&stderr, "measure: peak resident memory "),
            );
        }
    }
    println!();
    println!("## 1,000×1,000 on a 50 µs tick, to completion (release, offscreen)\n");
    println!(
        "| drawn by | done tick | expected s | measured s | drift | trace = test host | peak memory |"
    );
    println!("|---|---:|---:|---:|---:|---|---:|");
    let config = SieveConfig::new(1000, 1000)
        .unwrap()
        .with_tick(parse_tick("0.00005").unwrap())
        .unwrap();
    let expected_trace = trace_on_test_host(&config);
    for (grid, name) in GRIDS {
        let trace = std::env::temp_dir().join(format!("guestloop-bench-trace-1000-{grid}.txt"));
        let stderr = app(
            &[
                "--rows",
                "1000",
                "--cols",
                "1000",
                "--tick",
                "0.00005",
                "--quit-when-done",
                "--trace",
                trace.to_str().unwrap(),
            ],
            &[("GUESTLOOP_QT_GRID", grid)],
        );
        let started = logged_at(&stderr, "sieve started");
        let done = logged_at(&stderr, "sieve done at tick 500001");
        let expected = 500_001.0 * 50e-6;
        let wall = (done - started) as f64 / 1e6;
        let same = std::fs::read_to_string(&trace).unwrap() == expected_trace;
        assert!(
            same,
            "{name}: the 1000×1000 trace differs from the test host's"
        );
        println!(
            "| {name} | 500001 | {expected:.3} | {wall:.3} | {:+.2} % | identical | {} |",
            (wall - expected) / expected * 100.0,
            measured(&stderr, "measure: peak resident memory "),
        );
    }
    println!();
}

fn memory() {
    println!("## Memory (40×40 window, tick 10 ms, to completion)\n");
    let stderr = app(&["--tick", "0.01", "--quit-when-done"], &[]);
    println!(
        "- peak resident memory: {}\n",
        measured(&stderr, "measure: peak resident memory ")
    );
}

fn main() {
    if std::env::args().any(|arg| arg == "--bench") {
        tick_accuracy();
        wakes();
        grid_at_scale();
        responsiveness();
        memory();
    } else {
        // `cargo test --all-targets` runs benches as a smoke test: keep it short.
        println!("qt_host bench: run `cargo bench -p qt-frontend --bench qt_host` for figures");
    }
}
