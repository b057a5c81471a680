//! `TaskScope` on a real `QGuiApplication` (offscreen), through the example's `Lookup`: a
//! replaced task's queued write never lands, the latest of a burst of searches wins, Cancel and
//! destroying the object stop the worker, and the window closed mid-load exits cleanly.
//!
//! `harness = false`: Qt wants its application on the main thread. Each check runs as the main
//! task of a fresh guest, inside `exec()`.

use cxx::UniquePtr;
use cxx_qt_lib::{QGuiApplication, QString};
use guestloop_qt::QObjectTasks;
use guestloop_qt::guestloop::{Builder, JoinHandle, sleep, unblock_stats, yield_now};
use guestloop_qt_lookup::lookup::{Lookup, lookup_new};
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::io::Read;
use std::process::{Command, ExitCode, Stdio};
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

type CheckResult = Result<(), String>;

macro_rules! ensure {
    ($condition:expr, $($message:tt)+) => {
        if !$condition {
            return Err(format!($($message)+));
        }
    };
}

/// Runs `body` as the main task of a fresh guest inside Qt's event loop, then uninstalls it.
fn check<F: Future<Output = CheckResult> + 'static>(
    app: &mut UniquePtr<QGuiApplication>,
    what: &str,
    body: F,
) -> bool {
    check_with(Builder::default(), app, what, body)
}

/// [`check`] on a guest built from `builder`.
fn check_with<F: Future<Output = CheckResult> + 'static>(
    builder: Builder,
    app: &mut UniquePtr<QGuiApplication>,
    what: &str,
    body: F,
) -> bool {
    let guest = guestloop_qt::install_with(builder);
    let mut task: JoinHandle<CheckResult> = guest.spawn_local(async move {
        let outcome = body.await;
        guestloop_qt::exit_event_loop(0);
        outcome
    });
    app.pin_mut().exec();
    let outcome = task.try_take();
    guestloop_qt::uninstall();
    let outcome = match outcome {
        Some(Ok(outcome)) => outcome,
        other => Err(format!("the check's task did not finish: {other:?}")),
    };
    match &outcome {
        Ok(()) => println!("ok   {what}"),
        Err(why) => println!("FAIL {what}: {why}"),
    }
    outcome.is_ok()
}

/// Worker threads running a job now.
fn busy_workers() -> usize {
    let stats = unblock_stats();
    stats.threads - stats.idle
}

/// Waits on the guest clock until `done()` holds, up to `limit`; returns how long it took.
async fn wait_until(limit: Duration, done: impl Fn() -> bool) -> Option<Duration> {
    let started = Instant::now();
    while !done() {
        if started.elapsed() > limit {
            return None;
        }
        sleep(Duration::from_millis(1)).await;
    }
    Some(started.elapsed())
}

/// The results property, each time it changes.
fn results_seen(lookup: &mut UniquePtr<Lookup>) -> Arc<Mutex<Vec<String>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    // Connected for the object's lifetime: dropping the guard would not disconnect it.
    lookup
        .pin_mut()
        .on_results_changed(move |lookup| record.lock().unwrap().push(lookup.results().to_string()))
        .release();
    seen
}

/// A write a task queued, still unrun when a newer task replaces it, is dropped.
async fn a_replaced_tasks_queued_write_never_lands() -> CheckResult {
    let mut lookup = lookup_new();
    let seen = results_seen(&mut lookup);
    let queued = Rc::new(Cell::new(false));
    let flag = queued.clone();
    lookup
        .pin_mut()
        .spawn_latest("search", |handle| async move {
            let _ = handle.update(|lookup| lookup.set_results(QString::from("stale")));
            flag.set(true);
            std::future::pending::<()>().await;
        });
    yield_now().await; // the task above runs and queues its write; Qt has not run it yet
    ensure!(
        queued.get(),
        "the first task did not run in the same guest run"
    );
    lookup
        .pin_mut()
        .spawn_latest("search", |handle| async move {
            let _ = handle.update(|lookup| lookup.set_results(QString::from("fresh")));
        });
    sleep(Duration::from_millis(50)).await;
    let seen = seen.lock().unwrap().clone();
    ensure!(seen == ["fresh"], "the results shown were {seen:?}");
    Ok(())
}

/// 20 keystrokes 10 ms apart: only the last query's results are ever shown.
async fn the_latest_search_wins_a_burst() -> CheckResult {
    let mut lookup = lookup_new();
    let seen = results_seen(&mut lookup);
    let typed = "qtqtqtqtqtqtqtqtqtqt";
    for end in 1..=typed.len() {
        lookup.pin_mut().search(QString::from(&typed[..end]));
        sleep(Duration::from_millis(10)).await;
    }
    let last = format!("{typed}:");
    let finished = wait_until(Duration::from_secs(2), || !seen.lock().unwrap().is_empty()).await;
    sleep(Duration::from_millis(100)).await; // room for any stale result to land
    let seen = seen.lock().unwrap().clone();
    ensure!(finished.is_some(), "no result was ever shown");
    ensure!(
        seen.iter().all(|shown| shown.starts_with(&last)),
        "results of older queries were shown: {seen:?}"
    );
    Ok(())
}

/// Cancel stops the load's worker within 100 ms; nothing it wrote afterwards lands.
async fn cancel_reaches_the_worker() -> CheckResult {
    let mut lookup = lookup_new();
    lookup.pin_mut().load();
    let working = wait_until(Duration::from_secs(2), || *lookup.progress() > 0.0).await;
    ensure!(working.is_some(), "the load never reported progress");
    lookup.pin_mut().cancel();
    let progress = *lookup.progress();
    let stopped = wait_until(Duration::from_secs(1), || busy_workers() == 0).await;
    sleep(Duration::from_millis(30)).await;
    ensure!(
        stopped.is_some_and(|took| took < Duration::from_millis(100)),
        "the worker went on after Cancel: {stopped:?}"
    );
    ensure!(
        *lookup.progress() == progress && lookup.status().to_string() == "cancelled",
        "writes landed after Cancel: progress {progress} then {}, status {:?}",
        lookup.progress(),
        lookup.status().to_string()
    );
    Ok(())
}

/// Destroying the object aborts its tasks and stops their worker within 100 ms.
async fn destroying_the_object_ends_its_tasks() -> CheckResult {
    let mut lookup = lookup_new();
    lookup.pin_mut().load();
    lookup.pin_mut().search(QString::from("qt"));
    let working = wait_until(Duration::from_secs(2), || *lookup.progress() > 0.0).await;
    ensure!(working.is_some(), "the load never reported progress");
    let live_before = guestloop_qt::handle().stats().live_tasks;
    drop(lookup);
    let stopped = wait_until(Duration::from_secs(1), || busy_workers() == 0).await;
    ensure!(
        stopped.is_some_and(|took| took < Duration::from_millis(100)),
        "the worker went on after its object was destroyed: {stopped:?}"
    );
    // Before: this check's task, the load and the task `unblock` awaits its worker in. After
    // the worker's answer has come back, this check's task is the one left.
    sleep(Duration::from_millis(20)).await;
    let live_after = guestloop_qt::handle().stats().live_tasks;
    ensure!(
        live_before == 3 && live_after == 1,
        "tasks outlived their object: {live_before} live before, {live_after} after"
    );
    Ok(())
}

/// A graceful close waits for tasks that wind down when their token is set (the load, whose
/// worker stops; a task that awaits its token and cleans up), and aborts those that do not once
/// the grace is over.
async fn a_graceful_close_waits_within_its_bound() -> CheckResult {
    let mut lookup = lookup_new();
    lookup.pin_mut().load();
    let working = wait_until(Duration::from_secs(2), || *lookup.progress() > 0.0).await;
    ensure!(working.is_some(), "the load never reported progress");
    let started = Instant::now();
    let aborted = lookup
        .pin_mut()
        .task_scope()
        .close(Duration::from_millis(500))
        .await;
    let took = started.elapsed();
    // The worker has answered; it counts as idle a moment later.
    let idle = wait_until(Duration::from_millis(50), || busy_workers() == 0).await;
    ensure!(
        aborted == 0 && took < Duration::from_millis(100) && idle.is_some(),
        "the load did not wind down: {aborted} aborted after {took:?}, {} workers busy",
        busy_workers()
    );

    // A task that awaits its token does its clean-up there, and is not aborted.
    let cleaned_up = Rc::new(Cell::new(false));
    let cleaning = cleaned_up.clone();
    lookup.pin_mut().spawn_task(|lookup| async move {
        lookup.cancel_token().cancelled().await;
        sleep(Duration::from_millis(20)).await; // its clean-up
        cleaning.set(true);
    });
    let aborted = lookup
        .pin_mut()
        .task_scope()
        .close(Duration::from_millis(500))
        .await;
    ensure!(
        aborted == 0 && cleaned_up.get(),
        "a task awaiting its token: {aborted} aborted, clean-up done: {}",
        cleaned_up.get()
    );

    lookup
        .pin_mut()
        .spawn_task(|_| std::future::pending::<()>());
    let started = Instant::now();
    let aborted = lookup
        .pin_mut()
        .task_scope()
        .close(Duration::from_millis(200))
        .await;
    let took = started.elapsed();
    ensure!(
        aborted == 1 && took >= Duration::from_millis(200) && took < Duration::from_millis(400),
        "a task that ignores its token: {aborted} aborted after {took:?}"
    );
    ensure!(
        lookup.pin_mut().task_scope().running() == 0,
        "the scope still holds tasks"
    );

    lookup
        .pin_mut()
        .spawn_task(|_| std::future::pending::<()>());
    let live = guestloop_qt::handle().stats().live_tasks;
    drop(lookup.pin_mut().task_scope().close(Duration::from_secs(1)));
    yield_now().await;
    let left = guestloop_qt::handle().stats().live_tasks;
    ensure!(
        left + 1 == live,
        "a close dropped unawaited left its task running: {live} live before, {left} after"
    );
    Ok(())
}

/// A scoped task's panic reaches the executor's panic hook; the scope's other tasks go on.
async fn a_scoped_panic_reaches_the_panic_hook(panics: Rc<RefCell<Vec<String>>>) -> CheckResult {
    let mut lookup = lookup_new();
    let seen = results_seen(&mut lookup);
    // Rust's own hook would print the expected panic and its backtrace into the CI log.
    let rusts_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    lookup
        .pin_mut()
        .spawn_task(|_| async { panic!("a scoped task failed") });
    lookup.pin_mut().search(QString::from("ho"));
    let shown = wait_until(Duration::from_secs(2), || !seen.lock().unwrap().is_empty()).await;
    std::panic::set_hook(rusts_hook);
    let panics = panics.borrow().clone();
    ensure!(
        panics == ["a scoped task failed"],
        "the panic hook saw {panics:?}"
    );
    ensure!(shown.is_some(), "the other task did not go on");
    Ok(())
}

/// An object that outlives its guest (the guest uninstalled first, the order `run` keeps, or
/// the other way round) drops cleanly: its scope aborts handles of an executor that is gone.
fn an_object_outliving_its_guest_drops_cleanly(app: &mut UniquePtr<QGuiApplication>) -> bool {
    let guest = guestloop_qt::install();
    let mut lookup = lookup_new();
    lookup.pin_mut().load();
    lookup.pin_mut().search(QString::from("q"));
    let mut task = guest.spawn_local(async {
        sleep(Duration::from_millis(400)).await; // the load's worker is running by now
        guestloop_qt::exit_event_loop(0);
    });
    app.pin_mut().exec();
    let stats = guestloop_qt::uninstall();
    let running = lookup.pin_mut().task_scope().running();
    drop(lookup);
    let ok = task.try_take().is_some() && stats.is_some_and(|stats| stats.live_tasks > 1);
    println!(
        "{} an object outliving its guest drops cleanly ({running} tasks left in its scope)",
        if ok { "ok  " } else { "FAIL" }
    );
    ok
}

/// The binary, its window closed mid-load (QML's `close()`, through the `onClosing` handler
/// the close button runs), quits gracefully and exits 0: no task had to be aborted.
fn quitting_mid_load_exits_cleanly() -> bool {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_guestloop-qt-lookup"))
        .args(["--load-and-close", "450"])
        .env("QT_QPA_PLATFORM", "offscreen")
        .stderr(Stdio::piped())
        .spawn()
        .expect("the example runs");
    // A close that did not quit would leave the window open for good: bounded.
    let status = loop {
        match child.try_wait().expect("the example can be waited for") {
            Some(status) => break Some(status),
            None if started.elapsed() > Duration::from_secs(20) => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            None => std::thread::sleep(Duration::from_millis(10)),
        }
    };
    let took = started.elapsed();
    let mut stderr = String::new();
    let _ = child
        .stderr
        .take()
        .map(|mut err| err.read_to_string(&mut stderr));
    let ok = status.is_some_and(|status| status.success())
        && took >= Duration::from_millis(450)
        && stderr.contains("still open while quitting: true")
        && !stderr.contains("panicked");
    println!(
        "{} closing the window mid-load exits 0, nothing aborted ({status:?} after {took:?}; stderr {stderr:?})",
        if ok { "ok  " } else { "FAIL" },
    );
    ok
}

fn main() -> ExitCode {
    // Headless: start again on Qt's offscreen platform.
    if let Some(code) = guestloop_tests::rerun::unless_set("QT_QPA_PLATFORM", "offscreen") {
        return code;
    }
    let mut app = QGuiApplication::new();
    let passed = check(
        &mut app,
        "a replaced task's queued write never lands",
        a_replaced_tasks_queued_write_never_lands(),
    ) & check(
        &mut app,
        "the latest search of a burst wins",
        the_latest_search_wins_a_burst(),
    ) & check(
        &mut app,
        "Cancel reaches the worker",
        cancel_reaches_the_worker(),
    ) & check(
        &mut app,
        "destroying the object ends its tasks",
        destroying_the_object_ends_its_tasks(),
    ) & check(
        &mut app,
        "a graceful close waits within its bound",
        a_graceful_close_waits_within_its_bound(),
    ) & {
        let panics = Rc::new(RefCell::new(Vec::new()));
        let hook = panics.clone();
        check_with(
            Builder::default()
                .on_task_panic(move |panic| hook.borrow_mut().push(panic.message().to_owned())),
            &mut app,
            "a scoped task's panic reaches the panic hook",
            a_scoped_panic_reaches_the_panic_hook(panics),
        )
    } & an_object_outliving_its_guest_drops_cleanly(&mut app)
        & quitting_mid_load_exits_cleanly();
    if passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
