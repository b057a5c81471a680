//! The example application on Qt's offscreen platform, and `QObjectHandle` against a real
//! QObject that is destroyed.
//!
//! `harness = false`: Qt wants its application on the main thread.

use cxx_qt::Threading;
use cxx_qt_lib::{QGuiApplication, QString};
use guestloop_qt::{ObjectGone, QObjectHandle};
use guestloop_qt_hello::greeter;
use std::cell::RefCell;
use std::future::{Future, poll_fn};
use std::pin::pin;
use std::process::{Command, ExitCode};
use std::rc::Rc;
use std::task::Poll;
use std::time::{Duration, Instant};

fn check(ok: bool, what: &str) -> bool {
    println!("{} {what}", if ok { "ok  " } else { "FAIL" });
    ok
}

/// The binary greets, through its async method, and quits.
fn the_example_greets_and_quits() -> bool {
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_guestloop-qt-hello"))
        .args(["--greet", "Qt"])
        .env("QT_QPA_PLATFORM", "offscreen")
        .output()
        .expect("the example runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let took = started.elapsed();
    check(
        output.status.success() && stdout == "Hello, Qt! (2 letters)\n",
        &format!(
            "the example greets and quits ({stdout:?}, {:?}, {took:?})",
            output.status
        ),
    ) && check(
        took >= Duration::from_millis(300),
        "the greeting waited for the guest timer and the worker",
    )
}

/// Changes and reads reach a live object; once it is destroyed, a read queued before that is
/// dropped unrun and says the object is gone, and a new change is refused.
fn a_write_back_to_a_destroyed_object_is_a_no_op(
    app: &mut cxx::UniquePtr<QGuiApplication>,
) -> bool {
    let guest = guestloop_qt::install();
    let object = Rc::new(RefCell::new(Some(greeter::greeter_new())));
    let handle = QObjectHandle::new(object.borrow().as_ref().expect("made").qt_thread());
    let written = handle.update(|greeter| greeter.set_greeting(QString::from("before")));
    let task = guest.spawn_local(async move {
        let read = || handle.with(|greeter| greeter.greeting().to_string());
        let live = read().await;
        let mut queued = pin!(read());
        poll_fn(|cx| {
            let _ = queued.as_mut().poll(cx); // queues the read on the object's thread
            Poll::Ready(())
        })
        .await;
        object.borrow_mut().take(); // destroys the QObject with the read still queued
        let queued_then_gone = queued.await;
        let refused = handle.update(|greeter| greeter.set_greeting(QString::from("after")));
        guestloop_qt::exit_event_loop(0);
        (live, queued_then_gone, refused)
    });
    app.pin_mut().exec();
    let mut task = task;
    let outcome = task.try_take();
    guestloop_qt::uninstall();
    let Some(Ok((live, queued_then_gone, refused))) = outcome else {
        return check(
            false,
            &format!("the write-back task did not finish: {outcome:?}"),
        );
    };
    check(
        written.is_ok() && live.as_deref() == Ok("before"),
        &format!("a change and a read reach a live object: {live:?}"),
    ) & check(
        queued_then_gone == Err(ObjectGone),
        &format!("a read queued before the object went is dropped: {queued_then_gone:?}"),
    ) & check(
        refused == Err(ObjectGone),
        "a change to a destroyed object is refused",
    )
}

fn main() -> ExitCode {
    // Headless: start again on Qt's offscreen platform.
    if let Some(code) = guestloop_tests::rerun::unless_set("QT_QPA_PLATFORM", "offscreen") {
        return code;
    }
    let mut app = QGuiApplication::new();
    let passed =
        the_example_greets_and_quits() & a_write_back_to_a_destroyed_object_is_a_no_op(&mut app);
    if passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
