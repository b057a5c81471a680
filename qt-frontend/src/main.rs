//! `qt-frontend [eratosthenes|minimal|primes] [--rows R --cols C --tick S --seed N --trace FILE]
//! [--limit N --workers W] [--quit-when-done]`
//!
//! Opens the eratosthenes grid (default), the minimal window, or the primes window (counts the
//! primes up to `--limit` on worker threads; with `--quit-when-done` it prints
//! `primes <= N: COUNT` and exits). Bad flags get one error line and exit code 2 before any
//! window opens.

use guestloop_demo_cli::DemoArgs;
use qt_frontend::app;

fn main() {
    let plan = DemoArgs::plan_or_exit(app::MAX_CELLS);
    std::process::exit(app::run(plan));
}
