//! The command-line flags every guestloop demo front-end shares (Qt, terminal, winit), and the
//! run they turn into.
//!
//! Owns parsing and validation of `--rows --cols --tick --seed --trace` (eratosthenes),
//! `--limit --workers` (primes), `--quit-when-done` and the choice of demo, so every front-end
//! rejects the same bad values with the same one-line message and exit code 2, before it opens a
//! window or touches the terminal; then the [`Plan`] they make (trace file open) and the
//! traced sieve run ([`run_traced_sieve`]), so that a front-end's `main` is a few lines. Depends
//! on clap and `guestloop`'s sieve and primes models only.
//!
//! ```
//! use clap::Parser;
//! use guestloop_demo_cli::{Demo, DemoArgs};
//!
//! let args = DemoArgs::try_parse_from(["demo", "--rows", "10", "--tick", "0.001"]).unwrap();
//! let plan = args.plan(1_000_000).unwrap();
//! assert_eq!(plan.demo, Demo::Eratosthenes);
//! assert_eq!((plan.sieve.rows(), plan.sieve.cols()), (10, 40));
//! assert!(plan.trace.is_none());
//!
//! let error = DemoArgs::try_parse_from(["demo", "--tick", "NaN"]).unwrap_err();
//! assert_eq!(error.exit_code(), 2);
//! ```

use clap::{Args, Parser, ValueEnum};
use guestloop::primes::{DEFAULT_LIMIT, MAX_WORKERS, PrimesConfig, parse_limit};
use guestloop::sieve::{DEFAULT_SEED, DEFAULT_SIZE, SieveConfig, parse_tick};
use std::path::PathBuf;
use std::time::Duration;

mod plan;

pub use plan::{Plan, TraceFailed, TraceFile, primes_line, run_traced_sieve};

/// Which demo to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Demo {
    /// A grid of numbers; every tick a new task crosses out the multiples of the next prime.
    #[default]
    Eratosthenes,
    /// A button whose click starts a task that sleeps 1 s, then changes the label.
    Minimal,
    /// Counts the primes up to --limit on worker threads while the window stays live.
    Primes,
}

/// The flags of a demo front-end. Front-ends flatten this into their own `Parser`, or use it as is.
#[derive(Debug, Clone, Parser)]
#[command(
    version,
    about = "Async Rust as a guest in a host event loop: the eratosthenes, minimal and primes demos."
)]
pub struct DemoArgs {
    /// Which demo to show.
    #[arg(value_enum, default_value_t = Demo::Eratosthenes)]
    pub demo: Demo,
    /// The eratosthenes demo's flags.
    #[command(flatten)]
    pub sieve: SieveArgs,
    /// The primes demo's flags.
    #[command(flatten)]
    pub primes: PrimesArgs,
    /// Exit with code 0 once the sieve is done, or once the primes are counted (printing
    /// `primes <= N: COUNT`): for scripts and CI.
    #[arg(long)]
    pub quit_when_done: bool,
}

/// The flags of the eratosthenes demo.
#[derive(Debug, Clone, Args)]
pub struct SieveArgs {
    /// Grid rows.
    #[arg(long, default_value_t = DEFAULT_SIZE, value_parser = clap::value_parser!(u32).range(1..), allow_negative_numbers = true)]
    pub rows: u32,
    /// Grid columns.
    #[arg(long, default_value_t = DEFAULT_SIZE, value_parser = clap::value_parser!(u32).range(1..), allow_negative_numbers = true)]
    pub cols: u32,
    /// Seconds between two ticks, as a decimal (0.1, 0.001).
    #[arg(long, default_value = "0.1", value_parser = parse_tick_flag, allow_negative_numbers = true)]
    pub tick: Duration,
    /// Seed of the markers' colours.
    #[arg(long, default_value_t = DEFAULT_SEED, allow_negative_numbers = true)]
    pub seed: u64,
    /// Write the sieve's trace (the marks, tick by tick) to FILE.
    #[arg(long, value_name = "FILE")]
    pub trace: Option<PathBuf>,
}

/// The flags of the primes demo.
#[derive(Debug, Clone, Args)]
pub struct PrimesArgs {
    /// Count the primes up to N (2 to 100000000000; `_` may group digits).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_LIMIT, value_parser = parse_limit_flag, allow_negative_numbers = true)]
    pub limit: u64,
    /// Worker threads counting at once [default: the number of cores].
    #[arg(long, value_name = "W", value_parser = clap::value_parser!(u16).range(1..=MAX_WORKERS as i64), allow_negative_numbers = true)]
    pub workers: Option<u16>,
}

impl PrimesArgs {
    /// The validated primes configuration.
    pub fn config(&self) -> PrimesConfig {
        let config = PrimesConfig::new(self.limit).expect("--limit was checked when parsed");
        match self.workers {
            Some(workers) => config
                .with_workers(usize::from(workers))
                .expect("--workers was checked when parsed"),
            None => config,
        }
    }
}

/// `--limit`: a whole number in the range [`PrimesConfig::new`] accepts.
fn parse_limit_flag(text: &str) -> Result<u64, String> {
    parse_limit(text).map_err(|e| e.to_string())
}

impl DemoArgs {
    /// The validated sieve configuration; `max_numbers` is what the front-end can show. Also
    /// checks that `--trace` goes with the eratosthenes demo, the one that has a trace (so that
    /// `minimal --trace t.txt` is an error, not an empty file).
    ///
    /// # Errors
    /// A clap error (exit code 2) saying what is wrong, such as a grid too large.
    pub fn sieve_config(&self, max_numbers: u64) -> Result<SieveConfig, clap::Error> {
        if self.sieve.trace.is_some() && self.demo != Demo::Eratosthenes {
            let demo = self
                .demo
                .to_possible_value()
                .expect("every demo has a name");
            return Err(clap::Error::raw(
                clap::error::ErrorKind::ArgumentConflict,
                format!(
                    "--trace writes the eratosthenes demo's trace; the {} demo has none\n",
                    demo.get_name()
                ),
            ));
        }
        self.sieve.config(max_numbers)
    }
}

impl SieveArgs {
    /// The validated sieve configuration; `max_numbers` is what the front-end can show.
    ///
    /// # Errors
    /// A clap error (exit code 2) saying what is wrong.
    pub fn config(&self, max_numbers: u64) -> Result<SieveConfig, clap::Error> {
        let invalid = |message: String| {
            clap::Error::raw(clap::error::ErrorKind::ValueValidation, message + "\n")
        };
        let numbers = u64::from(self.rows) * u64::from(self.cols);
        if numbers > max_numbers {
            return Err(invalid(format!(
                "a {}×{} grid has {numbers} cells; this front-end shows at most {max_numbers}",
                self.rows, self.cols
            )));
        }
        let config = SieveConfig::new(self.rows, self.cols).map_err(|e| invalid(e.to_string()))?;
        let config = config
            .with_tick(self.tick)
            .map_err(|e| invalid(format!("--tick: {e}")))?;
        Ok(config.with_seed(self.seed))
    }
}

/// `--tick`: exact decimal seconds, within the range [`SieveConfig::with_tick`] accepts.
fn parse_tick_flag(text: &str) -> Result<Duration, String> {
    let tick = parse_tick(text).map_err(|e| e.to_string())?;
    SieveConfig::default()
        .with_tick(tick)
        .map_err(|e| e.to_string())?;
    Ok(tick)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<SieveConfig, clap::Error> {
        let args = DemoArgs::try_parse_from(std::iter::once("demo").chain(args.iter().copied()))?;
        args.sieve_config(40_000)
    }

    #[track_caller]
    fn rejected(args: &[&str], expected: &str) {
        let error = parse(args).unwrap_err();
        assert_eq!(error.exit_code(), 2, "{args:?}");
        let message = error.to_string();
        assert!(message.contains(expected), "{args:?}: {message}");
    }

    #[test]
    fn defaults_are_the_pyside_example() {
        let config = parse(&[]).unwrap();
        assert_eq!((config.rows(), config.cols()), (40, 40));
        assert_eq!(config.tick(), Duration::from_millis(100));
    }

    /// Negative numbers are values, so their message is the value's, not "unexpected argument".
    #[test]
    fn bad_values_get_exit_code_2_and_a_message() {
        rejected(&["--rows", "0"], "0 is not in 1..");
        rejected(&["--cols", "-3"], "-3 is not in 1..");
        rejected(&["--rows", "ten"], "invalid digit");
        rejected(&["--tick", "NaN"], "is not a tick in seconds");
        rejected(&["--tick", "-0.1"], "\"-0.1\" is not a tick in seconds");
        rejected(&["--seed", "-1"], "invalid digit");
        rejected(&["--tick", "0"], "the tick must be between");
        rejected(&["--tick", "1e9"], "is not a tick in seconds");
        rejected(&["--tick", "3600"], "the tick must be between");
        rejected(
            &["--rows", "300", "--cols", "300"],
            "this front-end shows at most 40000",
        );
        rejected(&["--seed", "x"], "invalid digit");
        rejected(&["bogus"], "invalid value 'bogus'");
        rejected(&["--bogus"], "unexpected argument '--bogus'");
        rejected(&["--rows", "4294967296"], "4294967296 is not in 1..");
        rejected(&["--tick", "100000"], "the tick must be between");
        rejected(&["--rows", "many"], "invalid digit");
        rejected(&["--tick", "-0.01"], "\"-0.01\" is not a tick in seconds");
    }

    #[test]
    fn a_plan_opens_the_trace_file_or_says_why_not() {
        let dir = std::env::temp_dir().join(format!("demo-cli-plan-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("trace.txt");
        let args = DemoArgs::try_parse_from(["demo", "--trace", path.to_str().unwrap()]).unwrap();
        let plan = args.plan(40_000).unwrap();
        assert!(plan.trace.is_some());
        assert!(path.exists(), "the plan created the file");

        let missing = dir.join("no-such-dir").join("trace.txt");
        let args =
            DemoArgs::try_parse_from(["demo", "--trace", missing.to_str().unwrap()]).unwrap();
        let error = args.plan(40_000).unwrap_err();
        assert_eq!(error.exit_code(), 2);
        let message = error.to_string();
        let expected = format!("cannot write the trace to {}: ", missing.display());
        assert!(
            message.starts_with(&format!("error: {expected}")),
            "{message}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_bad_value_makes_no_trace_file() {
        let dir = std::env::temp_dir().join(format!("demo-cli-none-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("trace.txt");
        for flags in [
            ["minimal", "--rows", "5"],
            ["eratosthenes", "--rows", "2000"],
        ] {
            let args = DemoArgs::try_parse_from(
                ["demo", "--trace", path.to_str().unwrap()]
                    .into_iter()
                    .chain(flags),
            )
            .unwrap();
            assert!(args.plan(40_000).is_err(), "{flags:?}");
            assert!(!path.exists(), "{flags:?} created the trace file");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_primes_flags_are_checked_too() {
        let args = DemoArgs::try_parse_from(["demo", "primes"]).unwrap();
        assert_eq!(args.demo, Demo::Primes);
        assert_eq!(args.primes.config().limit(), 1_000_000_000);
        let args =
            DemoArgs::try_parse_from(["demo", "primes", "--limit", "1_000", "--workers", "3"])
                .unwrap();
        let config = args.primes.config();
        assert_eq!((config.limit(), config.workers()), (1_000, 3));
        for (flags, message) in [
            (
                ["--limit", "0"],
                "the limit must be between 2 and 100000000000, got 0",
            ),
            (["--limit", "1"], "the limit must be between"),
            (["--limit", "-7"], "\"-7\" is not a limit"),
            (["--workers", "-2"], "-2 is not in 1..=256"),
            (["--limit", "2.5"], "is not a limit"),
            (["--limit", "1e9"], "is not a limit"),
            (["--limit", "100000000001"], "the limit must be between"),
            (
                ["--limit", "999999999999999999999"],
                "the limit must be between",
            ),
            (["--workers", "0"], "0 is not in 1..=256"),
            (["--workers", "257"], "257 is not in 1..=256"),
        ] {
            let error =
                DemoArgs::try_parse_from(["demo", "primes"].into_iter().chain(flags)).unwrap_err();
            assert_eq!(error.exit_code(), 2, "{flags:?}");
            assert!(error.to_string().contains(message), "{flags:?}: {error}");
        }
    }

    #[test]
    fn a_trace_goes_with_the_eratosthenes_demo_only() {
        for demo in ["minimal", "primes"] {
            let args = DemoArgs::try_parse_from(["demo", demo, "--trace", "t.txt"]).unwrap();
            let error = args.sieve_config(1_000_000).unwrap_err();
            assert_eq!(error.exit_code(), 2, "{demo}");
            let message = error.to_string();
            assert!(
                message.contains("--trace writes the eratosthenes"),
                "{message}"
            );
            assert!(
                message.contains(&format!("the {demo} demo has none")),
                "{message}"
            );
        }
        let args = DemoArgs::try_parse_from(["demo", "eratosthenes", "--trace", "t.txt"]).unwrap();
        assert!(args.sieve_config(1_000_000).is_ok());
        let args = DemoArgs::try_parse_from(["demo", "minimal"]).unwrap();
        assert!(args.sieve_config(1_000_000).is_ok(), "no --trace, no error");
    }

    #[test]
    fn the_demo_is_a_positional_choice() {
        let args = DemoArgs::try_parse_from(["demo", "minimal"]).unwrap();
        assert_eq!(args.demo, Demo::Minimal);
        let args =
            DemoArgs::try_parse_from(["demo", "--quit-when-done", "--trace", "t.txt"]).unwrap();
        assert!(args.quit_when_done);
        assert_eq!(
            args.sieve.trace.as_deref(),
            Some(std::path::Path::new("t.txt"))
        );
    }
}
