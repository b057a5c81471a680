//! The host conformance kit on a real `QGuiApplication` event loop.
//!
//! `harness = false`: Qt wants its application on the main thread. Each check gets a fresh
//! executor on the Qt host and runs inside `exec()`, which its main task ends.

use cxx::UniquePtr;
use cxx_qt_lib::QGuiApplication;
use guestloop::conformance::{self, Harness, Watchdog};
use guestloop::{Builder, Handle};
use qt_frontend::{app_control, qt_host};
use std::future::Future;
use std::pin::Pin;
use std::process::{Command, ExitCode};
use std::time::Duration;

/// Runs each check as the main task of a fresh guest, inside Qt's event loop.
struct QtHarness {
    app: UniquePtr<QGuiApplication>,
}

impl Harness for QtHarness {
    fn run(&mut self, builder: Builder, main: Pin<Box<dyn Future<Output = ()>>>) {
        let guest: Handle = qt_host::install_with(builder);
        drop(guest.spawn_local(async move {
            main.await;
            app_control::app_exit(0);
        }));
        // A host that never runs its guest fails the test instead of hanging it.
        let _watchdog = Watchdog::start(conformance::CHECK_LIMIT + Duration::from_secs(5), || {
            eprintln!("a conformance check never finished: the Qt host did not run its guest");
            std::process::exit(3);
        });
        self.app.pin_mut().exec();
        qt_host::uninstall();
    }
}

fn main() -> ExitCode {
    if std::env::var_os("QT_QPA_PLATFORM").is_none() {
        // Run headless: start again with Qt's offscreen platform.
        let status = Command::new(std::env::current_exe().expect("the test's own path"))
            .args(std::env::args_os().skip(1))
            .env("QT_QPA_PLATFORM", "offscreen")
            .status()
            .expect("the test could start itself again");
        return ExitCode::from(status.code().unwrap_or(1) as u8);
    }
    let mut harness = QtHarness {
        app: QGuiApplication::new(),
    };
    let mut report = conformance::run_all(&mut harness);
    report
        .results
        .extend(conformance::run_real_time(&mut harness).results);
    print!("{report}");
    let failed = report.failures().len();
    println!("{} passed, {failed} failed", report.results.len() - failed);
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
