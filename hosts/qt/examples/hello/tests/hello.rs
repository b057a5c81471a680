//! The example application on Qt's offscreen platform, and `QObjectHandle` against a real
//! QObject: queued changes to one that is destroyed, and `with_now` where it may and may not
//! reach the object.
//!
//! `harness = false`: Qt wants its application on the main thread.

use cxx_qt::Threading;
use cxx_qt_lib::{QGuiApplication, QString};
use guestloop_qt::{NotNow, ObjectGone, QObjectHandle};
use guestloop_qt_hello::greeter;
use std::cell::{Cell, RefCell};
use std::future::{Future, poll_fn};
use std::pin::pin;
use std::process::{Command, ExitCode};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
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

/// What `with_now` said where it was tried, in order.
type Tried = Arc<Mutex<Vec<(&'static str, Result<String, NotNow>)>>>;

/// Tries `with_now` (reading the greeting) and records what it said under `place`.
fn try_now(handle: &QObjectHandle<greeter::Greeter>, place: &'static str, tried: &Tried) {
    let read = handle.with_now(|greeter| greeter.greeting().to_string());
    tried.lock().unwrap().push((place, read));
}

/// `with_now` reaches the object from a task, at once (a write reads back before any await),
/// and refuses everywhere a second reference could be live or the object is gone.
fn with_now_reaches_the_object_only_where_that_is_sound(
    app: &mut cxx::UniquePtr<QGuiApplication>,
) -> bool {
    let guest = guestloop_qt::install();
    let mut object = greeter::greeter_new();
    let handle = QObjectHandle::of(object.pin_mut());
    let thread_only = QObjectHandle::new(object.qt_thread());
    let tried = Tried::default();
    try_now(&handle, "before exec, outside any run", &tried);

    // A task aborted from here (outside a run) tries it in its destructor.
    struct TriesOnDrop(QObjectHandle<greeter::Greeter>, Tried);
    impl Drop for TriesOnDrop {
        fn drop(&mut self) {
            try_now(&self.0, "a destructor an abort ran", &self.1);
        }
    }
    let doomed = {
        let on_drop = TriesOnDrop(handle.clone(), tried.clone());
        guest.spawn_local(async move {
            let _on_drop = on_drop;
            std::future::pending::<()>().await;
        })
    };
    guest.spawn_local(async {}); // so that exec has a run to make
    doomed.abort();

    let object = Rc::new(RefCell::new(Some(object)));
    let (task_handle, task_tried) = (handle.clone(), tried.clone());
    let task = guest.spawn_local(async move {
        let (handle, tried) = (task_handle, task_tried);
        let wrote = handle.with_now(|greeter| greeter.set_greeting(QString::from("now")));
        let read_back = handle.with_now(|greeter| greeter.greeting().to_string());
        let nested = handle.with_now(|_| handle.with_now(|_| ()));
        try_now(&thread_only, "a handle made from the thread alone", &tried);
        let (other, other_tried) = (handle.clone(), tried.clone());
        std::thread::spawn(move || try_now(&other, "another thread", &other_tried))
            .join()
            .unwrap();
        // An event that runs while a task holds the guest in a nested event loop.
        let (posted, posted_tried) = (handle.clone(), tried.clone());
        guestloop_qt::poster().expect("installed").post(move || {
            try_now(
                &posted,
                "an event inside a task's nested loop",
                &posted_tried,
            )
        });
        guestloop_qt::exec_nested_event_loop(Duration::from_millis(30));
        // A task that runs while an `update` closure of the object holds it (a nested loop).
        let closure_done = Arc::new(AtomicBool::new(false));
        let (inner, inner_tried, done) = (handle.clone(), tried.clone(), closure_done.clone());
        let queued = handle.update(move |_| {
            let inner_done = Rc::new(Cell::new(false));
            let finished = inner_done.clone();
            guestloop_qt::handle().spawn_local(async move {
                try_now(
                    &inner,
                    "a task inside an update's nested loop",
                    &inner_tried,
                );
                finished.set(true);
            });
            for _ in 0..250 {
                if inner_done.get() {
                    break;
                }
                guestloop_qt::exec_nested_event_loop(Duration::from_millis(20));
            }
            done.store(true, Ordering::Release);
        });
        // The object must outlive the closure that holds it.
        while !closure_done.load(Ordering::Acquire) {
            guestloop_qt::guestloop::sleep(Duration::from_millis(10)).await;
        }
        object.borrow_mut().take(); // destroys the QObject
        try_now(&handle, "after the object was destroyed", &tried);
        guestloop_qt::exit_event_loop(0);
        (wrote, read_back, nested, queued)
    });
    app.pin_mut().exec();
    let mut task = task;
    let outcome = task.try_take();
    guestloop_qt::uninstall();
    let Some(Ok((wrote, read_back, nested, queued))) = outcome else {
        return check(
            false,
            &format!("the with_now task did not finish: {outcome:?}"),
        );
    };
    let tried = tried.lock().unwrap().clone();
    let expected: Vec<(&str, Result<String, NotNow>)> = vec![
        ("before exec, outside any run", Err(NotNow::NotInTask)),
        ("a destructor an abort ran", Err(NotNow::NotInTask)),
        (
            "a handle made from the thread alone",
            Err(NotNow::NotInTask),
        ),
        ("another thread", Err(NotNow::NotInTask)),
        (
            "an event inside a task's nested loop",
            Err(NotNow::NotInTask),
        ),
        ("a task inside an update's nested loop", Err(NotNow::InUse)),
        ("after the object was destroyed", Err(NotNow::Gone)),
    ];
    check(
        wrote.is_ok() && read_back.as_deref() == Ok("now"),
        &format!("a task writes and reads its write back at once: {read_back:?}"),
    ) & check(
        nested == Ok(Err(NotNow::InUse)),
        &format!("with_now inside with_now of the same object is refused: {nested:?}"),
    ) & check(
        queued.is_ok(),
        &format!("the update was queued: {queued:?}"),
    ) & check(
        tried == expected,
        &format!("with_now refuses where it must: {tried:?}"),
    )
}

fn main() -> ExitCode {
    // Headless: start again on Qt's offscreen platform.
    if let Some(code) = guestloop_tests::rerun::unless_set("QT_QPA_PLATFORM", "offscreen") {
        return code;
    }
    let mut app = QGuiApplication::new();
    let passed = the_example_greets_and_quits()
        & a_write_back_to_a_destroyed_object_is_a_no_op(&mut app)
        & with_now_reaches_the_object_only_where_that_is_sound(&mut app);
    if passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
