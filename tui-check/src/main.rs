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
use tui_check::{check, minimal, primes, sieve};

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
    let plan = cli
        .demo
        .plan(MAX_NUMBERS)
        .unwrap_or_else(|error| error.exit());
    if cli.check && plan.demo != Demo::Eratosthenes {
        Cli::command()
            .error(
                clap::error::ErrorKind::ArgumentConflict,
                "--check runs the eratosthenes demo only",
            )
            .exit();
    }
    let code = match plan.demo {
        _ if cli.check => match check::check(plan.sieve, plan.trace) {
            Ok(verdict) => {
                println!("{verdict}");
                i32::from(!verdict.passed())
            }
            Err(error) => {
                eprintln!("error: {error}");
                1
            }
        },
        Demo::Eratosthenes => sieve::run(plan.sieve, plan.trace, plan.quit_when_done),
        Demo::Minimal => minimal::run(),
        Demo::Primes => primes::run(plan.primes, plan.quit_when_done),
    };
    std::process::exit(code);
}
