//! A panicking task's `JoinError` keeps the payload: of any type, through `unblock`, a group and
//! another thread, and a payload whose destructor panics never unwinds out of a drop.

use crate::executor::host_hearing_panics;
use crate::joined::{is_cancelled, panic_message, string_payload};
use guestloop::testing::TestHost;
use guestloop::{JoinError, TaskGroup, sleep, unblock};
use std::panic::{AssertUnwindSafe, catch_unwind, panic_any, resume_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::{self, ThreadId};
use std::time::Duration;

const MS: Duration = Duration::from_millis(1);

/// A panic payload whose destructor panics, and counts and records where it ran.
struct PanicsWhenDropped {
    drops: Arc<AtomicUsize>,
    dropped_on: Arc<std::sync::Mutex<Option<ThreadId>>>,
}

impl PanicsWhenDropped {
    fn new() -> (PanicsWhenDropped, Arc<AtomicUsize>) {
        let drops = Arc::new(AtomicUsize::new(0));
        let payload = PanicsWhenDropped {
            drops: drops.clone(),
            dropped_on: Arc::default(),
        };
        (payload, drops)
    }
}

impl Drop for PanicsWhenDropped {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::SeqCst);
        *self.dropped_on.lock().unwrap() = Some(thread::current().id());
        panic!("the payload's destructor");
    }
}

#[test]
fn a_payload_of_any_type_comes_back_whole() {
    let mut host = TestHost::default();
    let task = host.spawn_local(async {
        sleep(MS).await;
        panic_any(vec![4_u16, 2]);
    });
    let error = host.block_on(task).unwrap_err();
    assert!(error.is_panic() && !error.is_cancelled());
    assert_eq!(format!("{error:?}"), "JoinError::Panic(..)");
    let payload = error.into_panic();
    assert_eq!(payload.downcast_ref::<Vec<u16>>(), Some(&vec![4, 2]));
}

#[test]
fn resume_unwind_carries_the_tasks_panic_on() {
    let mut host = TestHost::default();
    let what = String::from("on");
    let task = host.spawn_local(async move { panic!("carried {what}") });
    let error = host.block_on(task).unwrap_err();
    assert_eq!(error.to_string(), "the task panicked: carried on");
    assert_eq!(format!("{error:?}"), r#"JoinError::Panic("carried on")"#);
    let caught = catch_unwind(AssertUnwindSafe(|| resume_unwind(error.into_panic())));
    let payload = caught.unwrap_err();
    assert_eq!(string_payload(&*payload), Some("carried on"));
}

#[test]
fn a_cancelled_error_has_no_payload_and_try_into_panic_gives_it_back() {
    let mut host = TestHost::default();
    let task = host.spawn_local(std::future::pending::<()>());
    task.abort();
    let error = host.block_on(task).unwrap_err();
    assert!(error.is_cancelled() && !error.is_panic());
    assert_eq!(format!("{error:?}"), "JoinError::Cancelled");
    let error = error.try_into_panic().unwrap_err();
    assert!(error.is_cancelled(), "the same error back");
    let into = catch_unwind(AssertUnwindSafe(|| error.into_panic()));
    assert!(into.is_err(), "into_panic on a cancelled task panics");
}

#[test]
fn a_join_error_is_an_error_that_crosses_threads() {
    fn boxed(error: JoinError) -> Box<dyn std::error::Error + Send + Sync + 'static> {
        error.into()
    }
    let mut host = TestHost::default();
    let task = host.spawn_local(async { panic!("sent") });
    let error = boxed(host.block_on(task).unwrap_err());
    let text = thread::spawn(move || error.to_string()).join().unwrap();
    assert_eq!(text, "the task panicked: sent");
}

#[test]
fn a_payload_that_panics_when_dropped_is_dropped_once_and_never_unwinds() {
    let (payload, drops) = PanicsWhenDropped::new();
    drop(JoinError::from_panic(Box::new(payload)));
    assert_eq!(drops.load(Ordering::SeqCst), 1, "dropped, not leaked");

    // Kept by a task's handle, dropped by the user.
    let mut host = TestHost::default();
    let (payload, drops) = PanicsWhenDropped::new();
    let task = host.spawn_local(async move {
        sleep(MS).await;
        panic_any(payload);
    });
    let result = host.block_on(task);
    assert_eq!(drops.load(Ordering::SeqCst), 0, "kept in the error");
    assert_eq!(
        result.unwrap_err().to_string(),
        "the task panicked (with a non-string payload)"
    );
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

#[test]
fn a_detached_tasks_payload_is_dropped_on_the_executors_thread_and_never_unwinds() {
    let (mut host, heard) = host_hearing_panics();
    let (payload, drops) = PanicsWhenDropped::new();
    let dropped_on = payload.dropped_on.clone();
    drop(host.spawn_local(async move {
        sleep(MS).await;
        panic_any(payload);
    }));
    host.run_until_idle(); // would unwind here if the payload's panic escaped
    assert_eq!(drops.load(Ordering::SeqCst), 1, "dropped once, not leaked");
    assert_eq!(*dropped_on.lock().unwrap(), Some(thread::current().id()));
    assert_eq!(*heard.borrow(), ["a panic with a non-string payload"]);
    assert_eq!(host.executor().stats().live_tasks, 0);
}

#[test]
fn a_handle_dropped_on_another_thread_drops_the_payload_there() {
    let mut host = TestHost::default();
    let (payload, drops) = PanicsWhenDropped::new();
    let dropped_on = payload.dropped_on.clone();
    let task = host.spawn_local(async move { panic_any(payload) });
    host.run_until_idle();
    let other = thread::spawn(move || {
        drop(task); // finished: its result, the payload, goes with it
        thread::current().id()
    })
    .join()
    .expect("dropping the handle did not unwind");
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    assert_eq!(*dropped_on.lock().unwrap(), Some(other));
}

#[test]
fn unblock_hands_the_workers_payload_to_the_task() {
    let mut host = TestHost::default();
    host.set_patience(Duration::from_secs(10));
    let result = host.block_on(async { unblock(|| -> u8 { panic_any(7_u64) }).await });
    let payload = result.unwrap_err().into_panic();
    assert_eq!(payload.downcast_ref::<u64>(), Some(&7));

    let message = host.block_on(async { unblock(|| -> u8 { panic!("worker {}", 8) }).await });
    assert_eq!(panic_message(message), "worker 8");
}

#[test]
fn an_aborted_unblock_drops_a_panicking_payload_on_its_worker_and_the_pool_goes_on() {
    let mut host = TestHost::default();
    host.set_patience(Duration::from_secs(10));
    let (payload, drops) = PanicsWhenDropped::new();
    let dropped_on = payload.dropped_on.clone();
    let (started, gate) = std::sync::mpsc::channel::<()>();
    let (release, wait) = std::sync::mpsc::channel::<()>();
    let mut job = host
        .block_on(async move {
            Some(unblock(move || -> u8 {
                started.send(()).unwrap();
                wait.recv().unwrap();
                panic_any(payload)
            }))
        })
        .unwrap();
    gate.recv().unwrap();
    job.abort();
    assert!(is_cancelled(&job.try_take().unwrap()));
    release.send(()).unwrap();
    // The pool still runs work afterwards, and the payload went on a worker thread.
    let after = host.block_on(async { unblock(|| 5).await });
    assert_eq!(after.unwrap(), 5);
    while drops.load(Ordering::SeqCst) == 0 {
        thread::sleep(MS);
    }
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    let worker = dropped_on.lock().unwrap().unwrap();
    assert_ne!(worker, thread::current().id(), "dropped on the worker");
}

#[test]
fn a_group_returns_the_first_failures_payload_and_drops_the_others() {
    let mut host = TestHost::default();
    let (payload, drops) = PanicsWhenDropped::new();
    let joined = host.block_on(async move {
        let mut group = TaskGroup::new();
        group.spawn_local(async {
            sleep(MS).await;
            panic_any(11_i32);
        });
        group.spawn_local(async move {
            sleep(MS).await;
            panic_any(payload);
        });
        group.join().await
    });
    assert_eq!(
        joined.unwrap_err().into_panic().downcast_ref::<i32>(),
        Some(&11)
    );
    assert_eq!(
        drops.load(Ordering::SeqCst),
        1,
        "the second failure's payload"
    );
}
