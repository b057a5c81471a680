//! The application: runs a [`Plan`] (`main.rs` makes it from the flags) through
//! `guestloop_qt::run`, which owns Qt's event loop and the teardown order (guest, then window,
//! then Qt).

use crate::primes::{self, PrimesPlan};
use crate::sieve::{self, SievePlan};
use cxx_qt_lib::QGuiApplication;
use guestloop_demo_cli::{Demo, Plan};

/// The most cells the window shows: the model's own limit. The grid costs 8 bytes a cell
/// (80 MB at the limit); see `grid_canvas`.
pub const MAX_CELLS: u64 = guestloop::sieve::MAX_NUMBERS;

/// Runs the chosen demo until its window closes (or, with `--quit-when-done`, until the sieve is
/// done or the primes are counted); returns the process's exit code: 1 if the window's QML did
/// not load.
pub fn run(plan: Plan) -> i32 {
    #[cfg(feature = "test-hooks")]
    crate::test_hooks::mark_start();
    let window = match plan.demo {
        Demo::Eratosthenes => {
            sieve::set_plan(SievePlan {
                config: plan.sieve,
                trace: plan.trace,
                quit_when_done: plan.quit_when_done,
            });
            sieve_window_name()
        }
        Demo::Minimal => "MinimalWindow",
        Demo::Primes => {
            primes::set_plan(PrimesPlan {
                config: plan.primes,
                quit_when_done: plan.quit_when_done,
            });
            "PrimesWindow"
        }
    };
    let url = format!("qrc:/qt/qml/org/guestloop/demos/qml/{window}.qml");
    let ran = guestloop_qt::run(QGuiApplication::new(), || {
        #[cfg(feature = "test-hooks")]
        {
            let guest = guestloop_qt::handle();
            crate::test_hooks::spawn(&guest);
            crate::measure::spawn_wake_bench(&guest);
        }
        let engine = guestloop_qt::load_qml(&url)?;
        #[cfg(feature = "test-hooks")]
        crate::measure::watch_frames();
        // Dropped after the guest, before the engine: the meter's timer goes while Qt is up.
        #[cfg(feature = "test-hooks")]
        let engine = (crate::measure::ReportOnDrop, engine);
        Ok::<_, guestloop_qt::QmlLoadError>(engine)
    });
    match ran {
        Ok(exit) => {
            crate::test_log!("guest: {:?}", exit.guest_stats());
            exit.code()
        }
        Err(error) => {
            eprintln!("error: {error}");
            1
        }
    }
}

/// The eratosthenes window's QML file: the one-item grid, or with the test hooks and
/// `GUESTLOOP_QT_GRID=list`, the benchmarks' baseline (a `GridView` of `Text` cells).
fn sieve_window_name() -> &'static str {
    #[cfg(feature = "test-hooks")]
    if std::env::var_os("GUESTLOOP_QT_GRID").is_some_and(|grid| grid == "list") {
        return "SieveListWindow";
    }
    "SieveWindow"
}
