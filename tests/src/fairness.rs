//! Tasks that never stop running must not keep due timers from firing (the fairness rule in the
//! crate docs, "What the executor promises").

use crate::faulty_host::{Faults, FaultyLoop};
use guestloop::testing::TestHost;
use guestloop::{Builder, Executor, Handle, Instant, sleep, yield_now};
use std::cell::{Cell, RefCell};
use std::future::poll_fn;
use std::rc::Rc;
use std::task::{Poll, Waker};
use std::time::Duration;

const MS: Duration = Duration::from_millis(1);
/// Each look at the host's clock costs this much time.
const LOOK: Duration = Duration::from_micros(10);

/// A sleeper's wake: its deadline, the guest clock it saw, the host's clock then, and how much
/// the busy tasks had run by then.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Woke {
    deadline: Instant,
    guest: Instant,
    host: Instant,
    busy_polls: u64,
}

/// Spawns a task that sleeps `delay` and records its wake.
fn sleeper(executor: &Executor, delay: Duration, busy: &Rc<Cell<u64>>) -> Rc<Cell<Option<Woke>>> {
    let woke = Rc::new(Cell::new(None));
    let (record, busy) = (woke.clone(), busy.clone());
    drop(executor.spawn_local(async move {
        let deadline = guestloop::now() + delay;
        sleep(delay).await;
        record.set(Some(Woke {
            deadline,
            guest: guestloop::now(),
            host: Handle::current().host_now(),
            busy_polls: busy.get(),
        }));
    }));
    woke
}

#[test]
fn a_task_that_yields_forever_lets_due_timers_fire() {
    let host_loop = FaultyLoop::new(Faults {
        clock_step: LOOK,
        ..Faults::default()
    });
    let executor = Executor::new(host_loop.host());
    let yields = Rc::new(Cell::new(0u64));
    let counter = yields.clone();
    drop(executor.spawn_local(async move {
        loop {
            counter.set(counter.get() + 1); // a chunk of work
            yield_now().await;
        }
    }));
    let woke = sleeper(&executor, 50 * MS, &yields);
    host_loop
        .run_until(&executor, 100_000, || woke.get().is_some())
        .expect("the sleep ended while the other task kept yielding");
    let woke = woke.get().unwrap();
    assert_eq!(woke.guest, woke.deadline, "at its exact deadline");
    assert!(
        woke.host - woke.guest <= 4 * LOOK,
        "the first look after the deadline fired it: {woke:?}"
    );
    assert!(
        woke.busy_polls > 1000,
        "the yielding task kept running: {woke:?}"
    );
    let before = yields.get();
    host_loop
        .run_until(&executor, 200_000, || yields.get() > before + 10)
        .unwrap();
}

#[test]
fn tasks_that_keep_waking_one_another_hold_a_due_timer_back_for_one_budget_at_most() {
    const BUDGET: usize = 16;
    let host_loop = FaultyLoop::new(Faults {
        clock_step: LOOK,
        ..Faults::default()
    });
    let executor = Builder::default()
        .poll_budget(BUDGET)
        .build(host_loop.host());
    let polls = Rc::new(Cell::new(0u64));
    // Two tasks that each wake the other on every poll, never themselves.
    let wakers: Rc<RefCell<[Option<Waker>; 2]>> = Rc::default();
    for me in 0..2 {
        let (wakers, polls) = (wakers.clone(), polls.clone());
        drop(executor.spawn_local(poll_fn(move |cx| {
            polls.set(polls.get() + 1);
            let mut wakers = wakers.borrow_mut();
            wakers[me] = Some(cx.waker().clone());
            if let Some(other) = &wakers[1 - me] {
                other.wake_by_ref();
            }
            Poll::<()>::Pending
        })));
    }
    // The host's clock moves only when the executor looks at it: the first look at or after
    // the deadline is where the sleeper's timer became due for the executor.
    let woke = sleeper(&executor, MS, &polls);
    host_loop
        .run_until(&executor, 100_000, || woke.get().is_some())
        .expect("the sleep ended while two tasks kept waking each other");
    let woke = woke.get().unwrap();
    assert_eq!(woke.guest, woke.deadline);
    let looks_after_deadline = (woke.host - woke.guest).as_nanos() / LOOK.as_nanos();
    assert!(looks_after_deadline <= 4, "{woke:?}");
    // Between two looks at most one budget of their polls runs; the sleeper came right after.
    let looks = (woke.host - Instant::ZERO).as_nanos() / LOOK.as_nanos();
    assert!(
        woke.busy_polls <= (looks as u64 + 1) * BUDGET as u64,
        "{} busy polls in {looks} looks: {woke:?}",
        woke.busy_polls
    );
}

#[test]
fn a_yield_with_no_timer_due_resumes_in_the_same_batch_after_the_others() {
    let mut host = TestHost::default();
    let log = Rc::new(RefCell::new(Vec::new()));
    let task = {
        let log = log.clone();
        host.spawn_local(async move {
            sleep(MS).await;
            let batch = guestloop::now();
            let other = guestloop::spawn_local({
                let log = log.clone();
                async move { log.borrow_mut().push(("other", guestloop::now())) }
            });
            yield_now().await;
            log.borrow_mut().push(("yielder", guestloop::now()));
            other.await.unwrap();
            batch
        })
    };
    let batch = host.block_on(task).unwrap();
    assert_eq!(*log.borrow(), [("other", batch), ("yielder", batch)]);
}

#[test]
fn a_yield_with_a_timer_due_resumes_behind_that_timers_task_at_its_instant() {
    // A late host: both timers (1 ms and 2 ms) are due when it runs at 3 ms.
    let mut host = TestHost::default();
    let log = Rc::new(RefCell::new(Vec::new()));
    for (name, delay) in [("yielder", MS), ("sleeper", 2 * MS)] {
        let log = log.clone();
        drop(host.spawn_local(async move {
            sleep(delay).await;
            log.borrow_mut().push((name, guestloop::now()));
            if name == "yielder" {
                yield_now().await;
                log.borrow_mut().push(("yielder again", guestloop::now()));
            }
        }));
    }
    host.advance(3 * MS);
    let t = |ms| Instant::ZERO + ms * MS;
    assert_eq!(
        *log.borrow(),
        [
            ("yielder", t(1)),
            ("sleeper", t(2)),
            ("yielder again", t(2))
        ]
    );
}
