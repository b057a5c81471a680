//! Hosts that misbehave: a callback that panics, a timer that fires early, a fired deadline the
//! host never forgets. The executor copes, and tells the host the truth about its timer.

use crate::faulty_host::{Faults, FaultyLoop, Gave, PanicIn};
use guestloop::testing::TestHost;
use guestloop::{Executor, Instant, sleep};
use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::time::Duration;

const MS: Duration = Duration::from_millis(1);

/// Runs `executor.run()`, expecting the host's callback to panic out of it.
fn run_expecting_host_panic(executor: &Executor, what: &str) {
    let panic = catch_unwind(AssertUnwindSafe(|| executor.run())).expect_err("the host panicked");
    let message = panic.downcast_ref::<&str>().copied().unwrap_or_default();
    assert!(message.contains(what), "{message}");
}

/// After a host callback panicked inside `run`, the executor asks for a run for what it had
/// left; once that is done, a spawn from another thread must still reach the host (its
/// run-soon) and run.
fn a_wake_after_the_panic_reaches_the_host(callback: PanicIn, what: &str) {
    let host_loop = FaultyLoop::new(Faults::default());
    let executor = Executor::new(host_loop.host());
    drop(executor.spawn_local(sleep(Duration::from_secs(1))));
    host_loop.state.requested.store(false, Ordering::SeqCst);
    host_loop.state.panic_next_time(callback);
    run_expecting_host_panic(&executor, what);
    assert!(
        host_loop.state.requested.load(Ordering::SeqCst),
        "the sleeper (not polled, or its timer not set) needs another run"
    );
    host_loop
        .run_until(&executor, 10, || {
            !host_loop.state.requested.load(Ordering::SeqCst)
                && host_loop.state.timer.get().is_some()
        })
        .unwrap();
    let calls = host_loop.state.run_soon_calls.load(Ordering::SeqCst);

    let spawner = executor.spawner();
    let task = std::thread::spawn(move || spawner.spawn(async { 42 }).unwrap())
        .join()
        .unwrap();
    assert_eq!(
        host_loop.state.run_soon_calls.load(Ordering::SeqCst),
        calls + 1,
        "the wake reached the host"
    );
    host_loop
        .run_until(&executor, 10, || task.is_finished())
        .unwrap();
}

#[test]
fn a_host_whose_set_timer_panics_does_not_wedge_the_executor() {
    a_wake_after_the_panic_reaches_the_host(PanicIn::SetTimer, "timer failed");
}

#[test]
fn a_host_whose_clock_panics_does_not_wedge_the_executor() {
    a_wake_after_the_panic_reaches_the_host(PanicIn::Now, "clock failed");
}

#[test]
fn a_host_whose_run_soon_panics_is_asked_again_at_the_next_wake() {
    let host_loop = FaultyLoop::new(Faults {
        panic_in: Some(PanicIn::RunSoon),
        ..Faults::default()
    });
    let executor = Executor::new(host_loop.host());
    host_loop.state.panic_next_time(PanicIn::RunSoon);
    let first = catch_unwind(AssertUnwindSafe(|| executor.spawn_local(async { 1 })));
    assert!(
        first.is_err(),
        "the host's run-soon panicked out of the spawn"
    );
    let second = executor.spawn_local(async { 2 });
    assert_eq!(host_loop.state.run_soon_calls.load(Ordering::SeqCst), 1);
    host_loop
        .run_until(&executor, 10, || second.is_finished())
        .unwrap();
}

#[test]
fn a_timer_that_fires_early_is_armed_again_and_the_sleep_ends_on_time() {
    // The timer fires 300 µs early; each look at the clock takes 100 µs, so the executor sees
    // a few early runs per sleep before the deadline comes.
    let host_loop = FaultyLoop::new(Faults {
        fires_early: Duration::from_micros(300),
        clock_step: Duration::from_micros(100),
        ..Faults::default()
    });
    let executor = Executor::new(host_loop.host());
    let woke = Rc::new(Cell::new(None));
    let record = woke.clone();
    let handle = executor.handle();
    drop(executor.spawn_local(async move {
        let start = guestloop::now();
        for _ in 0..3 {
            sleep(5 * MS).await;
        }
        record.set(Some((start, guestloop::now(), handle.host_now())));
    }));
    host_loop
        .run_until(&executor, 100, || woke.get().is_some())
        .expect("every early fire was followed by a new timer");
    let (start, guest, host) = woke.get().unwrap();
    assert_eq!(guest - start, 15 * MS);
    assert!(
        host >= guest,
        "never before the deadline on the host's clock"
    );
    let runs = host_loop.state.runs.get();
    assert!((4..=20).contains(&runs), "{runs} runs");
}

#[test]
fn a_host_that_never_forgets_a_fired_deadline_is_told_to_and_goes_idle() {
    let host_loop = FaultyLoop::new(Faults {
        keeps_fired_deadline: true,
        ..Faults::default()
    });
    let executor = Executor::new(host_loop.host());
    let task = executor.spawn_local(async {
        sleep(5 * MS).await;
        sleep(5 * MS).await;
    });
    host_loop
        .run_until(&executor, 10, || task.is_finished())
        .unwrap();
    assert_eq!(
        host_loop.state.timer.get(),
        None,
        "disarmed after the last timer fired"
    );
    assert_eq!(
        host_loop.run_until(&executor, 1000, || false),
        Err(Gave::Idle),
        "no more runs once nothing is pending"
    );
    assert_eq!(host_loop.state.runs.get(), 3);
}

#[test]
fn the_host_timer_is_set_after_every_run_that_leaves_a_timer_pending() {
    let mut host = TestHost::new(MS);
    let task = host.spawn_local(async {
        for _ in 0..10 {
            sleep(5 * MS).await;
        }
    });
    host.run_pending();
    assert_eq!(host.timer(), Some(Instant::from_nanos(5_000_000)));
    let sets = host.stats().timer_sets;
    host.step(); // no run: the timer is left alone
    assert_eq!(host.stats().timer_sets, sets);
    host.run_until(|| task.is_finished()).unwrap();
    assert_eq!(
        host.stats().timer_sets,
        sets + 10,
        "nine re-arms, and a disarm once the last timer fired"
    );
    assert_eq!(host.timer(), None);
}

#[test]
fn a_sleeping_task_aborted_outside_a_run_rearms_or_disarms_the_host_timer_at_once() {
    let mut host = TestHost::new(MS);
    let short = host.spawn_local(sleep(Duration::from_secs(1)));
    let long = host.spawn_local(sleep(Duration::from_secs(2)));
    host.run_pending();
    assert_eq!(host.timer(), Some(Instant::from_nanos(1_000_000_000)));
    short.abort();
    assert_eq!(host.timer(), Some(Instant::from_nanos(2_000_000_000)));
    long.abort();
    assert_eq!(host.timer(), None);
    assert_eq!(host.executor().stats().pending_timers, 0);
}

#[test]
fn an_idle_executor_with_no_timer_never_sets_the_host_timer() {
    let host_loop = FaultyLoop::new(Faults::default());
    let executor = Executor::new(host_loop.host());
    for _ in 0..10 {
        drop(executor.spawn_local(async {}));
        host_loop.run_until(&executor, 100, || false).unwrap_err();
    }
    assert_eq!(host_loop.state.timer_sets.get(), 0);
}

#[test]
fn work_queued_before_a_host_panic_runs_without_another_wake() {
    for callback in [PanicIn::Now, PanicIn::SetTimer] {
        let host_loop = FaultyLoop::new(Faults::default());
        let executor = Executor::new(host_loop.host());
        let ran = Rc::new(Cell::new(0));
        for _ in 0..10 {
            let ran = ran.clone();
            drop(executor.spawn_local(async move { ran.set(ran.get() + 1) }));
        }
        // The spawns asked for a run; that run fails in the host's callback before (`now`) or
        // after (`set_timer`) it polls them. The host catches the panic and goes on serving.
        assert!(host_loop.state.requested.swap(false, Ordering::SeqCst));
        if callback == PanicIn::SetTimer {
            drop(executor.spawn_local(sleep(Duration::from_secs(1)))); // something to set
        }
        host_loop.state.panic_next_time(callback);
        run_expecting_host_panic(&executor, "failed");
        host_loop
            .run_until(&executor, 10, || {
                ran.get() == 10 && executor.stats().live_tasks == 0
            })
            .unwrap_or_else(|gave| panic!("after a panic in {callback:?}: {gave:?}"));
    }
}

#[test]
fn a_timer_the_host_failed_to_set_is_set_at_the_next_run() {
    let host_loop = FaultyLoop::new(Faults::default());
    let executor = Executor::new(host_loop.host());
    let sleeper = executor.spawn_local(sleep(Duration::from_secs(1)));
    host_loop.state.requested.store(false, Ordering::SeqCst);
    host_loop.state.panic_next_time(PanicIn::SetTimer);
    run_expecting_host_panic(&executor, "timer failed");
    assert_eq!(host_loop.state.timer.get(), None, "the host holds no timer");
    host_loop
        .run_until(&executor, 10, || sleeper.is_finished())
        .expect("the sleeper's timer was set after all");
    assert_eq!(
        host_loop.state.now.get(),
        Instant::ZERO + Duration::from_secs(1)
    );
}

#[test]
fn a_task_the_host_spawns_from_inside_set_timer_runs() {
    use std::cell::RefCell;
    /// A host that spawns a task on its guest the first time its timer is set (as a toolkit's
    /// own code may, when it is told of a deadline).
    struct SpawningHost {
        inner: crate::faulty_host::FaultyHost,
        guest: Rc<RefCell<Option<guestloop::Handle>>>,
        spawned: Rc<RefCell<Option<guestloop::JoinHandle<()>>>>,
    }
    impl guestloop::Host for SpawningHost {
        fn now(&self) -> Instant {
            self.inner.now()
        }
        fn set_timer(&self, deadline: Option<Instant>) {
            self.inner.set_timer(deadline);
            let guest = self.guest.borrow().clone();
            let first = self.spawned.borrow().is_none();
            if let (Some(guest), true) = (guest, first) {
                let task = guest.spawn_local(async {});
                *self.spawned.borrow_mut() = Some(task);
            }
        }
        fn run_soon_handle(&self) -> guestloop::RunSoon {
            self.inner.run_soon_handle()
        }
    }
    let host_loop = FaultyLoop::new(Faults::default());
    let (guest, spawned) = (Rc::default(), Rc::<RefCell<Option<_>>>::default());
    let executor = Executor::new(SpawningHost {
        inner: host_loop.host(),
        guest: Rc::clone(&guest),
        spawned: spawned.clone(),
    });
    *guest.borrow_mut() = Some(executor.handle());
    drop(executor.spawn_local(sleep(Duration::from_secs(1))));
    host_loop
        .run_until(&executor, 10, || {
            spawned
                .borrow()
                .as_ref()
                .is_some_and(|task| task.is_finished())
        })
        .expect("the task spawned from set_timer ran");
    assert!(
        host_loop.state.now.get() < Instant::ZERO + Duration::from_secs(1),
        "without waiting for the timer"
    );
    guest.borrow_mut().take();
}
