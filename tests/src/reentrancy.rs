//! Calls back into the executor from where it does not expect them: run-soon inside a poll, a
//! host whose run-soon runs the guest at once, spawns and wakes inside destructors, a nested
//! `run`, the executor dropped by a task's own destructor, a foreign waker that spawns whenever the
//! executor clones, wakes or drops it.

use crate::faulty_host::{Faults, FaultyLoop};
use crate::joined::is_cancelled;
use guestloop::testing::TestHost;
use guestloop::{Executor, Host, Instant, RunSoon, spawn_local, yield_now};
use std::cell::{Cell, RefCell};
use std::future::poll_fn;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Poll, Waker};
use std::time::Duration;

/// Runs `on_drop` when dropped.
struct OnDrop<F: FnMut()>(F);

impl<F: FnMut()> Drop for OnDrop<F> {
    fn drop(&mut self) {
        (self.0)();
    }
}

#[test]
fn run_soon_called_inside_a_poll_is_a_harmless_extra_run() {
    let host_loop = FaultyLoop::new(Faults::default());
    let executor = Executor::new(host_loop.host());
    let run_soon = host_loop.host().run_soon_handle();
    let polls = Rc::new(Cell::new(0));
    let counter = polls.clone();
    let task = executor.spawn_local(poll_fn(move |_| {
        counter.set(counter.get() + 1);
        run_soon(); // the host's own handle, called by a task
        Poll::Ready(())
    }));
    host_loop.run_until(&executor, 10, || false).unwrap_err();
    assert!(task.is_finished());
    assert_eq!(polls.get(), 1);
    assert_eq!(
        host_loop.state.runs.get(),
        2,
        "the request cost one more, empty run"
    );
}

thread_local! {
    static SYNC_GUEST: RefCell<Option<Rc<Executor>>> = const { RefCell::new(None) };
    /// How deep calls of the synchronous host's run-soon are nested now, and at the most.
    static SYNC_DEPTH: Cell<(usize, usize)> = const { Cell::new((0, 0)) };
}

/// A host whose run-soon runs the guest at once, on the calling thread (as a toolkit whose
/// "post" calls back synchronously might: GLib's `MainContext::invoke` on its own thread).
struct SynchronousHost;

impl Host for SynchronousHost {
    fn now(&self) -> Instant {
        Instant::ZERO
    }
    fn set_timer(&self, _: Option<Instant>) {}
    fn run_soon_handle(&self) -> RunSoon {
        Arc::new(|| {
            let (depth, deepest) = SYNC_DEPTH.get();
            SYNC_DEPTH.set((depth + 1, deepest.max(depth + 1)));
            let executor = SYNC_GUEST.with_borrow(Clone::clone);
            if let Some(executor) = executor {
                executor.run();
            }
            SYNC_DEPTH.set((SYNC_DEPTH.get().0 - 1, SYNC_DEPTH.get().1));
        })
    }
}

#[test]
fn a_host_whose_run_soon_runs_the_guest_at_once_still_runs_everything() {
    let executor = Rc::new(Executor::builder().poll_budget(4).build(SynchronousHost));
    SYNC_GUEST.set(Some(executor.clone()));
    let log = Rc::new(RefCell::new(Vec::new()));
    let task = {
        let log = log.clone();
        executor.spawn_local(async move {
            let child = spawn_local({
                let log = log.clone();
                async move { log.borrow_mut().push("child") }
            });
            for _ in 0..20 {
                yield_now().await; // spends budgets: each run ends asking for the next
            }
            child.await.unwrap();
            log.borrow_mut().push("parent");
        })
    };
    // The spawn above asked for a run, which ran at once; so did every run it asked for.
    assert!(task.is_finished());
    assert_eq!(*log.borrow(), ["child", "parent"]);
    SYNC_GUEST.set(None);
}

#[test]
fn a_host_whose_run_soon_runs_the_guest_at_once_does_not_nest_one_run_per_budget() {
    // Every run that spends its budget asks for the next from inside itself; a run-soon that
    // runs the guest at once would nest them, one level per budget, until the stack overflows.
    // On a thread with a small stack, then: 20,000 budgets of one poll each.
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(|| {
            let executor = Rc::new(Executor::builder().poll_budget(1).build(SynchronousHost));
            SYNC_GUEST.set(Some(executor.clone()));
            SYNC_DEPTH.set((0, 0));
            let yields = Rc::new(Cell::new(0));
            let counter = yields.clone();
            let task = executor.spawn_local(async move {
                for _ in 0..20_000 {
                    yield_now().await;
                    counter.set(counter.get() + 1);
                }
            });
            assert!(task.is_finished(), "the spawn's run ran everything");
            assert_eq!(yields.get(), 20_000);
            let (depth, deepest) = SYNC_DEPTH.get();
            assert_eq!(depth, 0);
            assert!(deepest <= 2, "run-soon calls nested {deepest} deep");
            let deferred = executor.stats().runs_inside_run_soon;
            assert!(deferred >= 19_000, "the executor saw {deferred} such runs");
            SYNC_GUEST.set(None);
        })
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn spawns_and_wakes_inside_destructors_during_a_run_an_abort_and_shutdown() {
    let mut host = TestHost::new(Duration::from_millis(1));
    let log = Rc::new(RefCell::new(Vec::new()));
    let sleeper_waker: Rc<RefCell<Option<Waker>>> = Rc::default();
    // A task that stays pending and records each poll.
    let sleeper = {
        let (log, slot) = (log.clone(), sleeper_waker.clone());
        host.spawn_local(poll_fn(move |cx| {
            log.borrow_mut().push("sleeper polled");
            *slot.borrow_mut() = Some(cx.waker().clone());
            Poll::<()>::Pending
        }))
    };
    // A future whose destructor spawns a task and wakes the sleeper.
    let with_noisy_drop = |when: &'static str| {
        let (log, slot) = (log.clone(), sleeper_waker.clone());
        let guard = OnDrop(move || {
            let log2 = log.clone();
            drop(spawn_local(async move { log2.borrow_mut().push(when) }));
            if let Some(waker) = slot.borrow().as_ref() {
                waker.wake_by_ref();
            }
        });
        async move {
            let _guard = guard;
            std::future::pending::<()>().await;
        }
    };
    host.run_pending();
    log.borrow_mut().clear();

    // During an abort, outside a run: the spawned task and the wake run at the next run.
    let aborted = host.spawn_local(with_noisy_drop("spawned by a destructor during abort"));
    host.run_pending();
    aborted.abort();
    host.run_pending();
    assert_eq!(
        *log.borrow(),
        ["spawned by a destructor during abort", "sleeper polled"]
    );
    log.borrow_mut().clear();

    // During a run: a task that finishes drops its future in the run; both run in that batch.
    let finishing = {
        let guard = with_noisy_drop("spawned by a destructor during a run");
        host.spawn_local(async move {
            yield_now().await;
            drop(guard); // not started: dropping it drops the guard
        })
    };
    host.run_pending();
    assert!(finishing.is_finished());
    assert_eq!(
        *log.borrow(),
        ["spawned by a destructor during a run", "sleeper polled"],
        "in the order the destructor spawned and woke"
    );
    log.borrow_mut().clear();

    // During shutdown: the spawned task is cancelled at once, the wake does nothing.
    drop(host.spawn_local(with_noisy_drop("never runs")));
    host.run_pending();
    drop(host);
    assert!(log.borrow().is_empty(), "{:?}", log.borrow());
    let mut sleeper = sleeper;
    assert!(is_cancelled(&sleeper.try_take().unwrap()));
}

#[test]
fn a_nested_run_from_inside_a_task_returns_at_once() {
    let executor = Rc::new(Executor::new(FaultyLoop::new(Faults::default()).host()));
    let other_polls = Rc::new(Cell::new(0));
    let counter = other_polls.clone();
    drop(executor.spawn_local(async move { counter.set(counter.get() + 1) }));
    let seen = Rc::new(Cell::new(None));
    let (slot, record) = (Rc::downgrade(&executor), seen.clone());
    drop(executor.spawn_local(async move {
        let executor = slot.upgrade().expect("alive");
        let before = executor.stats();
        executor.run(); // inside a run of the same executor
        record.set(Some((before, executor.stats())));
    }));
    executor.run();
    let (before, after) = seen.get().expect("the task ran");
    assert_eq!(
        after.runs, before.runs,
        "the nested run did not count as a run"
    );
    assert_eq!(after.polls, before.polls, "the nested run polled nothing");
    assert_eq!(other_polls.get(), 1, "the outer run went on");
    assert_eq!(executor.stats().live_tasks, 0);
}

#[test]
fn an_executor_dropped_by_a_destructor_of_its_own_task_shuts_down_cleanly() {
    let host_loop = FaultyLoop::new(Faults::default());
    let executor = Executor::new(host_loop.host());
    let others_dropped = Rc::new(Cell::new(0));
    for _ in 0..3 {
        let counter = others_dropped.clone();
        let guard = OnDrop(move || counter.set(counter.get() + 1));
        drop(executor.spawn_local(async move {
            let _guard = guard;
            std::future::pending::<()>().await;
        }));
    }
    let handle = executor.handle();
    // The only owner of the executor becomes a task of its own: aborting it drops the executor.
    let owner = Rc::new(RefCell::new(Some(Rc::new(executor))));
    let keeper = {
        let owner = owner.clone();
        handle.spawn_local(async move {
            let _executor = owner.borrow_mut().take();
            std::future::pending::<()>().await;
        })
    };
    let executor = owner.borrow().clone().expect("not taken yet");
    host_loop.run_until(&executor, 10, || false).unwrap_err();
    drop(executor);
    assert!(
        owner.borrow().is_none(),
        "the keeper task holds the executor now"
    );
    keeper.abort(); // drops the task, hence the executor, from inside its own abort
    assert_eq!(
        others_dropped.get(),
        3,
        "the executor's shutdown dropped the other tasks"
    );
    let late = handle.spawn_local(async {});
    assert!(
        late.is_finished(),
        "a spawn after shutdown is cancelled at once"
    );
}

/// A waker that is not a guestloop task's own and calls back into the executor whenever it is
/// cloned, woken or dropped: each spawns a task. Its data pointer is null and never read.
mod foreign_waker {
    use guestloop::spawn_local;
    use std::cell::Cell;
    use std::task::{RawWaker, RawWakerVTable, Waker};

    thread_local! {
        /// Clones, wakes and drops so far, and the tasks they spawned that have run.
        pub static CALLS: Cell<(usize, usize, usize)> = const { Cell::new((0, 0, 0)) };
        pub static SPAWNED_RAN: Cell<usize> = const { Cell::new(0) };
    }

    fn call_back() {
        drop(spawn_local(async {
            SPAWNED_RAN.set(SPAWNED_RAN.get() + 1);
        }));
    }

    fn count(add: (usize, usize, usize)) {
        let (clones, wakes, drops) = CALLS.get();
        CALLS.set((clones + add.0, wakes + add.1, drops + add.2));
    }

    fn clone(_: *const ()) -> RawWaker {
        count((1, 0, 0));
        call_back();
        RawWaker::new(std::ptr::null(), &VTABLE)
    }
    fn wake(data: *const ()) {
        wake_by_ref(data);
        drop_waker(data);
    }
    fn wake_by_ref(_: *const ()) {
        count((0, 1, 0));
        call_back();
    }
    fn drop_waker(_: *const ()) {
        count((0, 0, 1));
        call_back();
    }

    static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, wake, wake_by_ref, drop_waker);

    pub fn new() -> Waker {
        #[allow(unsafe_code)]
        // SAFETY: no function of the vtable reads the data pointer, so a null one is valid
        // for every call, from any thread, any number of times.
        unsafe {
            Waker::from_raw(RawWaker::new(std::ptr::null(), &VTABLE))
        }
    }
}

#[test]
fn a_foreign_waker_that_spawns_when_cloned_woken_or_dropped_finds_the_executor_free() {
    use std::future::Future;
    use std::pin::pin;
    use std::task::Context;
    let mut host = TestHost::new(Duration::from_millis(1));
    let task = host.spawn_local(async {
        let foreign = foreign_waker::new();
        let mut cx = Context::from_waker(&foreign);
        // Armed with the foreign waker: the executor keeps a clone of it.
        let mut fires = pin!(guestloop::sleep(Duration::from_millis(5)));
        assert!(fires.as_mut().poll(&mut cx).is_pending());
        // Re-pointed at this task (the clone is dropped), then back (cloned again).
        poll_fn(|own| Poll::Ready(fires.as_mut().poll(own).is_pending())).await;
        assert!(fires.as_mut().poll(&mut cx).is_pending());
        // Polled again by the same waker: nothing to re-point, so nothing is cloned.
        assert!(fires.as_mut().poll(&mut cx).is_pending());
        // Armed with it and cancelled: the clone is dropped.
        let mut cancelled = Box::pin(guestloop::sleep(Duration::from_millis(5)));
        assert!(cancelled.as_mut().poll(&mut cx).is_pending());
        drop(cancelled);
        // The first one fires: its clone is woken (and so dropped).
        guestloop::sleep(Duration::from_millis(10)).await;
    });
    assert_eq!(host.block_on(task).unwrap(), ());
    host.run_until_idle(); // the tasks the last drop spawned
    let (clones, wakes, drops) = foreign_waker::CALLS.get();
    assert_eq!((clones, wakes), (3, 1), "three clones kept, one woken");
    // The test's own waker is dropped too, when the task ends.
    assert_eq!(drops, clones + 1, "every clone dropped, and the original");
    assert_eq!(foreign_waker::SPAWNED_RAN.get(), clones + wakes + drops);
}
