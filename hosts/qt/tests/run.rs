//! `guestloop_qt::run` on a real `QGuiApplication` (offscreen): the exit code comes back, and
//! the teardown order holds — the guest's tasks go before what `setup` built, and the guest is
//! gone afterwards — also when `setup` panics.
//!
//! `harness = false`: Qt wants its application on the main thread.

use cxx_qt_lib::QGuiApplication;
use guestloop::sleep;
use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::ExitCode;
use std::time::Duration;

thread_local! {
    static DROPPED: RefCell<Vec<&'static str>> = const { RefCell::new(Vec::new()) };
}

/// Says when it is dropped.
struct Mark(&'static str);

impl Drop for Mark {
    fn drop(&mut self) {
        DROPPED.with_borrow_mut(|dropped| dropped.push(self.0));
    }
}

fn check(ok: bool, what: &str) -> bool {
    println!("{} {what}", if ok { "ok  " } else { "FAIL" });
    ok
}

/// `setup` panics: the panic comes out of `run`, and the guest is gone.
fn a_panic_in_setup_uninstalls_the_guest() -> bool {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        guestloop_qt::run(QGuiApplication::new(), || {
            let task = Mark("task");
            drop(guestloop_qt::handle().spawn_local(async move {
                let _task = task;
                std::future::pending::<()>().await;
            }));
            panic!("setup failed");
        })
    }));
    let dropped = DROPPED.take();
    let message = outcome.err().and_then(|panic| {
        panic
            .downcast_ref::<&str>()
            .map(|message| message.to_string())
    });
    check(
        message.as_deref() == Some("setup failed")
            && guestloop_qt::try_handle().is_none()
            && dropped == ["task"],
        &format!(
            "a panic in setup uninstalls the guest (panic {message:?}, tasks dropped: {dropped:?})"
        ),
    )
}

/// The code `exit_event_loop` gives comes back; the guest's tasks are dropped before what
/// `setup` returned, and the guest is gone afterwards.
fn run_tears_down_the_guest_before_the_engine() -> bool {
    let code = guestloop_qt::run(QGuiApplication::new(), || {
        let task = Mark("task");
        drop(guestloop_qt::handle().spawn_local(async move {
            let _task = task;
            std::future::pending::<()>().await;
        }));
        drop(guestloop_qt::handle().spawn_local(async {
            sleep(Duration::from_millis(10)).await;
            guestloop_qt::exit_event_loop(7);
        }));
        Mark("engine")
    });
    let dropped = DROPPED.take();
    check(code == 7, &format!("run returns exec's code ({code})"))
        & check(
            dropped == ["task", "engine"],
            &format!("the guest goes before the engine ({dropped:?})"),
        )
        & check(
            guestloop_qt::try_handle().is_none(),
            "no guest is left after run",
        )
}

fn main() -> ExitCode {
    // Headless: start again on Qt's offscreen platform.
    if let Some(code) = guestloop_tests::rerun::unless_set("QT_QPA_PLATFORM", "offscreen") {
        return code;
    }
    let passed =
        a_panic_in_setup_uninstalls_the_guest() & run_tears_down_the_guest_before_the_engine();
    if passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
