//! `guestloop_qt::run` on a real `QGuiApplication` (offscreen): the exit code comes back, and
//! the teardown order holds — the guest's tasks go before what `setup` built, and the guest is
//! gone afterwards — also when `setup` panics or fails (then `exec()` never runs); and
//! `load_qml` tells a QML file that loaded from one that did not.
//!
//! `harness = false`: Qt wants its application on the main thread.

use cxx_qt_lib::QGuiApplication;
use guestloop::sleep;
use std::cell::{Cell, RefCell};
use std::convert::Infallible;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::ExitCode;
use std::rc::Rc;
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
        guestloop_qt::run(QGuiApplication::new(), || -> Result<(), Infallible> {
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
    let exit = guestloop_qt::run(QGuiApplication::new(), || {
        let task = Mark("task");
        drop(guestloop_qt::handle().spawn_local(async move {
            let _task = task;
            std::future::pending::<()>().await;
        }));
        drop(guestloop_qt::handle().spawn_local(async {
            sleep(Duration::from_millis(10)).await;
            guestloop_qt::exit_event_loop(7);
        }));
        Ok::<_, Infallible>(Mark("engine"))
    });
    let dropped = DROPPED.take();
    let Ok(exit) = exit;
    let live = exit.guest_stats().map(|stats| stats.live_tasks);
    check(
        exit.code() == 7,
        &format!("run returns exec's code ({exit:?})"),
    ) & check(
        live == Some(1),
        &format!("its stats count the task left at exit ({live:?})"),
    ) & check(
        dropped == ["task", "engine"],
        &format!("the guest goes before the engine ({dropped:?})"),
    ) & check(
        guestloop_qt::try_handle().is_none(),
        "no guest is left after run",
    )
}

/// `setup` fails: `exec()` is not run (its task that would quit never runs), the guest is torn
/// down, and the error comes back.
fn a_failed_setup_skips_exec() -> bool {
    let ran = Rc::new(Cell::new(false));
    let running = ran.clone();
    let outcome = guestloop_qt::run(QGuiApplication::new(), move || {
        let task = Mark("task");
        drop(guestloop_qt::handle().spawn_local(async move {
            let _task = task;
            running.set(true);
            guestloop_qt::exit_event_loop(0);
        }));
        let _made = Mark("made");
        Err::<(), _>("no window")
    });
    let dropped = DROPPED.take();
    check(
        outcome == Err("no window")
            && !ran.get()
            && dropped == ["made", "task"]
            && guestloop_qt::try_handle().is_none(),
        &format!(
            "a failed setup skips exec ({outcome:?}, exec ran: {}, dropped {dropped:?})",
            ran.get()
        ),
    )
}

/// `load_qml` loads a QML file, and says so when one is missing or does not parse.
fn load_qml_reports_what_did_not_load() -> bool {
    let dir = std::env::temp_dir().join(format!("guestloop-qt-run-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let file = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("a QML file");
        format!("file://{}", path.display())
    };
    let good = file(
        "good.qml",
        "import QtQuick\nItem { objectName: \"good\" }\n",
    );
    let broken = file("broken.qml", "import QtQuick\nItem { objectName: }\n");
    let missing = format!("file://{}/missing.qml", dir.display());
    let app = QGuiApplication::new();
    let guest = guestloop_qt::install();
    let loaded = [&good, &broken, &missing].map(|url| guestloop_qt::load_qml(url).map(drop));
    drop(guest);
    guestloop_qt::uninstall();
    drop(app);
    let _ = std::fs::remove_dir_all(&dir);
    let expected = [
        Ok(()),
        Err(guestloop_qt::QmlLoadError {
            url: broken.clone(),
        }),
        Err(guestloop_qt::QmlLoadError {
            url: missing.clone(),
        }),
    ];
    check(
        loaded == expected,
        &format!("load_qml tells a loaded file from a broken and a missing one ({loaded:?})"),
    )
}

fn main() -> ExitCode {
    // Headless: start again on Qt's offscreen platform.
    if let Some(code) = guestloop_tests::rerun::unless_set("QT_QPA_PLATFORM", "offscreen") {
        return code;
    }
    let passed = a_panic_in_setup_uninstalls_the_guest()
        & run_tears_down_the_guest_before_the_engine()
        & a_failed_setup_skips_exec()
        & load_qml_reports_what_did_not_load();
    if passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
