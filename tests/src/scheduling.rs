//! Scheduling through the public API: batches and their order, a late host, coalesced wakes,
//! the poll budget, timers that need no timer, a foreign waker in a timer batch.

use crate::executor::host_hearing_panics;
use guestloop::testing::TestHost;
use guestloop::{Builder, Executor, Instant, sleep, sleep_until, spawn_local, yield_now};
use std::cell::{Cell, RefCell};
use std::future::{Future, poll_fn};
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};
use std::time::Duration;

const MS: Duration = Duration::from_millis(1);

#[test]
fn a_late_host_processes_every_deadline_in_order_at_its_own_instant() {
    let run = |advance: &dyn Fn(&mut TestHost)| {
        // Replay without a bound: see `timers` for what a stall past the bound does.
        let builder = Builder::default().max_catch_up(Duration::MAX);
        let mut host = TestHost::with_builder(builder, MS);
        let log = Rc::new(RefCell::new(Vec::new()));
        for (name, period) in [("a", 3u32), ("b", 2), ("c", 5)] {
            let log = log.clone();
            drop(host.spawn_local(async move {
                for _ in 0..4 {
                    sleep(period * MS).await;
                    log.borrow_mut().push((name, guestloop::now()));
                }
            }));
        }
        advance(&mut host);
        host.run_until_idle();
        Rc::try_unwrap(log).unwrap().into_inner()
    };
    let punctual = run(&|_| {});
    let late = run(&|host| host.advance(Duration::from_millis(17)));
    let very_late = run(&|host| host.advance(Duration::from_secs(3)));
    assert_eq!(punctual, late);
    assert_eq!(punctual, very_late);
    let t = |ms: u64| Instant::from_nanos(ms * 1_000_000);
    assert_eq!(
        punctual[..6],
        [
            ("b", t(2)),
            ("a", t(3)),
            ("b", t(4)),
            ("c", t(5)),
            ("a", t(6)),
            ("b", t(6))
        ]
    );
}

#[test]
fn a_spawned_task_runs_after_the_woken_ones_in_the_same_batch() {
    let mut host = TestHost::new(Duration::from_millis(10));
    let log = Rc::new(RefCell::new(Vec::new()));
    for name in ["first", "second"] {
        let log = log.clone();
        drop(host.spawn_local(async move {
            sleep(10 * MS).await;
            log.borrow_mut().push((name, guestloop::now()));
            if name == "first" {
                let log = log.clone();
                drop(spawn_local(async move {
                    log.borrow_mut().push(("spawned", guestloop::now()))
                }));
            }
        }));
    }
    host.step();
    let t = Instant::from_nanos(10_000_000);
    assert_eq!(*log.borrow(), [("first", t), ("second", t), ("spawned", t)]);
}

#[test]
fn wakes_from_many_threads_between_two_runs_cause_one_run_soon_request() {
    let mut host = TestHost::default();
    let wakers: Arc<Mutex<Vec<Waker>>> = Arc::default();
    let polls = Rc::new(Cell::new(0));
    for _ in 0..1000 {
        let (wakers, polls) = (wakers.clone(), polls.clone());
        drop(host.spawn_local(poll_fn(move |cx| {
            polls.set(polls.get() + 1);
            wakers.lock().unwrap().push(cx.waker().clone());
            Poll::<()>::Pending
        })));
    }
    host.run_pending();
    assert_eq!(polls.get(), 1000);
    let before = host.stats();
    let all: Vec<Waker> = std::mem::take(&mut *wakers.lock().unwrap());
    let threads: Vec<_> = all
        .chunks(250)
        .map(|chunk| {
            let chunk = chunk.to_vec();
            std::thread::spawn(move || {
                for _ in 0..3 {
                    chunk.iter().for_each(Waker::wake_by_ref);
                }
            })
        })
        .collect();
    threads.into_iter().for_each(|t| t.join().unwrap());
    let after = host.stats();
    assert_eq!(after.run_soon_requests - before.run_soon_requests, 1);
    host.run_pending();
    assert_eq!(
        polls.get(),
        2000,
        "3000 wakes of 1000 tasks: each polled once more"
    );
    assert_eq!(host.stats().guest_runs - after.guest_runs, 1);
}

#[test]
fn a_million_ready_tasks_are_run_in_budget_sized_slices() {
    const TASKS: usize = 1_000_000;
    const BUDGET: usize = 4096;
    let host = TestHost::with_builder(Executor::builder().poll_budget(BUDGET), MS);
    let done = Rc::new(Cell::new(0usize));
    for _ in 0..TASKS {
        let done = done.clone();
        drop(host.spawn_local(async move { done.set(done.get() + 1) }));
    }
    let executor = host.executor();
    let mut runs = 0;
    while executor.stats().live_tasks > 0 {
        let before = executor.stats();
        let requests = host.stats().run_soon_requests;
        executor.run();
        runs += 1;
        let polled = executor.stats().polls - before.polls;
        assert!(polled <= BUDGET as u64, "one run polled {polled} tasks");
        if executor.stats().live_tasks > 0 {
            assert_eq!(
                host.stats().run_soon_requests,
                requests + 1,
                "a cut-short run asks to run again"
            );
        }
    }
    assert_eq!(done.get(), TASKS);
    assert_eq!(runs, TASKS.div_ceil(BUDGET));
}

#[test]
fn sleep_until_the_past_and_yield_now_complete_without_timers() {
    let mut host = TestHost::default();
    let result = host.block_on(async {
        sleep(3 * MS).await;
        let now = guestloop::now();
        sleep_until(Instant::ZERO).await;
        sleep(Duration::ZERO).await;
        yield_now().await;
        (
            guestloop::now() == now,
            guestloop::Handle::current().stats().pending_timers,
        )
    });
    assert_eq!(result, (true, 0));
}

#[test]
fn run_soon_is_requested_once_for_a_burst_of_local_spawns() {
    let mut host = TestHost::default();
    let before = host.stats().run_soon_requests;
    for _ in 0..100 {
        drop(host.spawn_local(async {}));
    }
    assert_eq!(host.stats().run_soon_requests, before + 1);
    host.run_pending();
    assert_eq!(host.executor().stats().live_tasks, 0);
}

#[test]
fn a_panicking_waker_in_a_timer_batch_is_reported_and_the_batch_goes_on() {
    struct PanickingWaker;
    impl std::task::Wake for PanickingWaker {
        fn wake(self: Arc<Self>) {
            panic!("a broken waker");
        }
    }
    let (mut host, heard) = host_hearing_panics();
    // A combinator that hands the timer a waker of its own, which panics.
    drop(host.spawn_local(async {
        let mut sleep = std::pin::pin!(sleep(2 * MS));
        poll_fn(|_| {
            let waker = Waker::from(Arc::new(PanickingWaker));
            let _ = sleep
                .as_mut()
                .poll(&mut std::task::Context::from_waker(&waker));
            Poll::<()>::Pending
        })
        .await;
    }));
    let bystander = host.spawn_local(async {
        sleep(2 * MS).await;
        "woken in the same batch"
    });
    assert_eq!(host.block_on(bystander).unwrap(), "woken in the same batch");
    assert_eq!(*heard.borrow(), ["a waker panicked: a broken waker"]);
}

#[test]
fn an_interval_tick_dropped_before_it_completes_consumes_no_tick() {
    let mut host = TestHost::default();
    let ticks = host.block_on(async {
        let clock = guestloop::TickClock::starting_now(10 * MS);
        let mut interval = clock.interval(guestloop::MissedTicks::CatchUp);
        let cut_short = guestloop::timeout(5 * MS, interval.tick()).await;
        assert_eq!(cut_short, Err(guestloop::Elapsed));
        [interval.tick().await, interval.tick().await]
    });
    assert_eq!(ticks, [1, 2]);
}

/// A waker that panics when woken.
struct PanickingWaker;
impl std::task::Wake for PanickingWaker {
    fn wake(self: Arc<Self>) {
        panic!("a broken waker");
    }
}

#[test]
fn a_join_handle_awaited_with_a_panicking_waker_reports_the_panic_and_frees_the_task() {
    let (mut host, heard) = host_hearing_panics();
    let child = host.spawn_local(async {
        sleep(MS).await;
        5
    });
    // A combinator awaits the child's handle with a waker of its own, which panics: completing
    // the child wakes it.
    let parent = host.spawn_local(async move {
        let mut child = std::pin::pin!(child);
        let waker = Waker::from(Arc::new(PanickingWaker));
        let first = child
            .as_mut()
            .poll(&mut std::task::Context::from_waker(&waker));
        assert!(first.is_pending());
        sleep(2 * MS).await;
        child.await
    });
    assert_eq!(host.block_on(parent).unwrap().unwrap(), 5);
    assert_eq!(*heard.borrow(), ["a waker panicked: a broken waker"]);
    assert_eq!(host.executor().stats().live_tasks, 0);
}

#[test]
fn a_panic_whose_payload_panics_when_dropped_is_reported_and_frees_the_task() {
    struct PanicsWhenDropped;
    impl Drop for PanicsWhenDropped {
        fn drop(&mut self) {
            panic!("the payload's destructor");
        }
    }
    let (mut host, heard) = host_hearing_panics();
    let task = host.spawn_local(async {
        sleep(MS).await;
        std::panic::panic_any(PanicsWhenDropped);
    });
    let error = host.block_on(task).unwrap_err();
    assert!(error.is_panic());
    assert_eq!(
        error.to_string(),
        "the task panicked (with a non-string payload)"
    );
    drop(error); // drops the payload, whose panic stays inside
    assert_eq!(*heard.borrow(), ["a panic with a non-string payload"]);
    assert_eq!(host.executor().stats().live_tasks, 0);
}
