//! `tui-check [eratosthenes|minimal|primes] [--rows R --cols C --tick S --seed N --trace FILE]
//! [--limit N --workers W] [--quit-when-done] [--check]`
//!
//! Shows the eratosthenes grid (default), the minimal demo or the primes count in this terminal,
//! or with `--check` runs the sieve at full speed on the terminal host and compares it with a
//! plain sieve (exit 1 on a mismatch). `primes --quit-when-done` counts at once and prints
//! `primes <= N: COUNT` once the terminal is restored. Bad flags get one error line and exit code
//! 2 before the terminal is touched.

use clap::{CommandFactory, Parser};
use guestloop::sieve::MAX_NUMBERS;
use guestloop_demo_cli::{Demo, DemoArgs};
use tui_check::{app, check, primes_app};

/// The demos' shared flags (those of the Qt front-end too), plus `--check`.
#[derive(Debug, Parser)]
#[command(
    name = "tui-check",
    version,
    about = "guestloop on a terminal event loop: the eratosthenes, minimal and primes demos."
)]
struct Cli {
    #[command(flatten)]
    demo: DemoArgs,
    /// Run the sieve to completion at full speed, without drawing, and check the final grid
    /// against a plain sieve; exit 1 on a mismatch.
    #[arg(long)]
    check: bool,
}

fn main() {
    let cli = Cli::parse();
    let config = cli
        .demo
        .sieve_config(MAX_NUMBERS)
        .unwrap_or_else(|error| error.exit());
    if cli.check && cli.demo.demo != Demo::Eratosthenes {
        Cli::command()
            .error(
                clap::error::ErrorKind::ArgumentConflict,
                "--check runs the eratosthenes demo only",
            )
            .exit();
    }
    let trace = match app::open_trace(cli.demo.sieve.trace.as_deref()) {
        Ok(trace) => trace,
        Err(message) => {
            // A bad `--trace` value, found before anything runs: the exit code of a bad flag.
            eprintln!("error: {message}");
            std::process::exit(2);
        }
    };
    let code = if cli.check {
        match check::check(config, trace) {
            Ok(verdict) => {
                println!("{verdict}");
                i32::from(!verdict.passed())
            }
            Err(error) => {
                eprintln!("error: {error}");
                1
            }
        }
    } else {
        match cli.demo.demo {
            Demo::Eratosthenes => app::run_sieve_demo(config, trace, cli.demo.quit_when_done),
            Demo::Minimal => app::run_minimal_demo(),
            Demo::Primes => {
                primes_app::run_primes_demo(cli.demo.primes.config(), cli.demo.quit_when_done)
            }
        }
    };
    std::process::exit(code);
}
