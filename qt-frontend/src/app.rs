//! The application: runs a [`Plan`] (`main.rs` makes it from the flags): creates Qt, the guest and the window, runs
//! Qt's event loop, and tears everything down in order.

use crate::primes::{self, PrimesPlan};
use crate::sieve::{self, SievePlan};
use cxx_qt_lib::{QGuiApplication, QQmlApplicationEngine, QUrl};
use guestloop_demo_cli::{Demo, Plan};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// The most cells the window shows: the model's own limit. The grid costs 8 bytes a cell
/// (80 MB at the limit); see `grid_canvas`.
pub const MAX_CELLS: u64 = guestloop::sieve::MAX_NUMBERS;

/// Runs the chosen demo until its window closes (or, with `--quit-when-done`, until the sieve is
/// done or the primes are counted); returns the process's exit code.
pub fn run(plan: Plan) -> i32 {
    #[cfg(feature = "test-hooks")]
    crate::test_hooks::mark_start();
    let mut app = QGuiApplication::new();
    let mut engine = QQmlApplicationEngine::new();
    // Before the QML loads: its objects spawn their tasks on the guest as they are created.
    let guest = guestloop_qt::install();
    #[cfg(feature = "test-hooks")]
    {
        crate::test_hooks::spawn(&guest);
        crate::measure::spawn_wake_bench(&guest);
    }
    drop(guest); // the thread-local owns the guest; `uninstall` below ends it
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

    // A QML error would leave a process with no window: notice it and exit non-zero.
    let failed = Arc::new(AtomicBool::new(false));
    let failed_flag = failed.clone();
    let _ = engine
        .pin_mut()
        .on_object_creation_failed(move |_, url| {
            eprintln!("error: failed to load {url}");
            failed_flag.store(true, Ordering::Relaxed);
        })
        .release();
    let url = format!("qrc:/qt/qml/org/guestloop/demos/qml/{window}.qml");
    engine.pin_mut().load(&QUrl::from(&url));
    #[cfg(feature = "test-hooks")]
    crate::measure::watch_frames();

    let code = if failed.load(Ordering::Relaxed) {
        1
    } else {
        app.pin_mut().exec()
    };

    // Drop the tasks while the QML objects they point at still exist, then the engine, then Qt.
    #[cfg(feature = "test-hooks")]
    crate::measure::report();
    let stats = guestloop_qt::uninstall();
    crate::test_log!("guest: {stats:?}");
    drop(engine);
    drop(app);
    code
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
