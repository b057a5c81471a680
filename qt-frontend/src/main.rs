//! `qt-frontend [eratosthenes|minimal] [--rows R --cols C --tick S --seed N --trace FILE --quit-when-done]`
//!
//! Opens the eratosthenes grid (default) or the minimal window. Bad flags get one error line and
//! exit code 2 before any window opens.

use guestloop_demo_cli::DemoArgs;
use qt_frontend::app;

fn main() {
    let (args, config) = DemoArgs::parse_or_exit(app::MAX_CELLS);
    std::process::exit(app::run(&args, config));
}
