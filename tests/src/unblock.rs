//! `unblock`: work on worker threads, awaited from guest tasks.

use crate::executor::host_hearing_panics;
use crate::joined::{is_cancelled, panic_message};
use guestloop::testing::TestHost;
use guestloop::{spawn_local, unblock};
use std::cell::Cell;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::thread::ThreadId;
use std::time::Duration;

const PATIENCE: Duration = Duration::from_secs(30);

fn patient_host() -> TestHost {
    let mut host = TestHost::default();
    host.set_patience(PATIENCE);
    host
}

#[test]
fn a_value_comes_back_and_the_work_ran_off_the_host_thread() {
    let mut host = patient_host();
    let host_thread = std::thread::current().id();
    let (value, worker, name) = host
        .block_on(async {
            unblock(|| {
                let thread = std::thread::current();
                (6 * 7, thread.id(), thread.name().map(String::from))
            })
            .await
        })
        .unwrap();
    assert_eq!(value, 42);
    assert_ne!(worker, host_thread);
    let name = name.expect("a named thread");
    assert!(name.starts_with("guestloop-unblock-"), "{name}");
}

#[test]
fn a_panic_in_the_work_is_the_tasks_panic_and_the_others_go_on() {
    let (mut host, heard) = host_hearing_panics();
    host.set_patience(PATIENCE);
    let bystander = host.spawn_local(async { unblock(|| "fine").await });
    let result = host.block_on(async { unblock(|| -> u32 { panic!("worker says {}", 7) }).await });
    assert_eq!(panic_message(result), "worker says 7");
    assert_eq!(host.block_on(bystander).unwrap().unwrap(), "fine");
    assert_eq!(*heard.borrow(), ["worker says 7"]);
}

/// Notes the thread it is dropped on.
struct NoteDrop(Arc<Mutex<Option<ThreadId>>>);

impl Drop for NoteDrop {
    fn drop(&mut self) {
        *self.0.lock().unwrap() = Some(std::thread::current().id());
    }
}

#[test]
fn abort_resolves_at_once_and_the_result_is_dropped_on_the_worker() {
    let mut host = patient_host();
    let gate = Arc::new(Barrier::new(2));
    let dropped_on = Arc::new(Mutex::new(None));
    let worker = Arc::new(Mutex::new(None));
    let job = {
        let (gate, dropped_on, worker) = (gate.clone(), dropped_on.clone(), worker.clone());
        host.block_on(async move {
            Some(unblock(move || {
                *worker.lock().unwrap() = Some(std::thread::current().id());
                gate.wait(); // the work is running...
                gate.wait(); // ...until the test lets it finish
                NoteDrop(dropped_on)
            }))
        })
        .unwrap()
    };
    gate.wait();
    job.abort();
    let mut job = job;
    assert!(
        job.try_take().is_some_and(|result| is_cancelled(&result)),
        "cancelled at once, while the work still runs"
    );
    gate.wait();
    for _ in 0..1000 {
        if dropped_on.lock().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let worker = worker.lock().unwrap().expect("it ran");
    assert_eq!(
        *dropped_on.lock().unwrap(),
        Some(worker),
        "dropped on the worker thread"
    );
    host.run_until_idle();
    assert_eq!(host.executor().stats().live_tasks, 0);
}

#[test]
fn a_dropped_handle_detaches_the_work() {
    let mut host = patient_host();
    let ran = Arc::new(AtomicUsize::new(0));
    let counter = ran.clone();
    let task = host.spawn_local(async move {
        drop(unblock(move || counter.fetch_add(1, Ordering::SeqCst)));
    });
    host.run_until(|| ran.load(Ordering::SeqCst) == 1).unwrap();
    assert!(task.is_finished());
    // The detached task that awaits the work ends once the work's wake arrives.
    for _ in 0..1000 {
        if host.executor().stats().live_tasks == 0 {
            break;
        }
        host.wait_for_wake(Duration::from_millis(10));
        host.run_pending();
    }
    assert_eq!(host.executor().stats().live_tasks, 0);
}

#[test]
fn a_thousand_jobs_from_many_tasks_all_come_back() {
    let mut host = patient_host();
    let total = Rc::new(Cell::new(0u64));
    let sum = total.clone();
    host.block_on(async move {
        let mut tasks = Vec::new();
        for task in 0..10u64 {
            let sum = sum.clone();
            tasks.push(spawn_local(async move {
                for job in 0..100u64 {
                    let value = unblock(move || task * 100 + job).await.unwrap();
                    sum.set(sum.get() + value);
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
    });
    assert_eq!(total.get(), (0..1000).sum::<u64>());
}
