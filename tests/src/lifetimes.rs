//! Wakers outlive everything: the task's completion, its handle, its abort, the executor itself.
//! Every such wake is harmless, nothing leaks, and run-soon is asked at most once between runs
//! whatever the pattern of wakes.

use crate::faulty_host::{Faults, FaultyLoop};
use guestloop::testing::TestHost;
use guestloop::{Executor, ExecutorDestroyed, Host, Instant, RunSoon};
use proptest::prelude::*;
use std::cell::{Cell, RefCell};
use std::future::{Future, poll_fn};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Poll, Waker};
use std::time::Duration;

/// A host whose run-soon handle holds `token`: once the executor and every waker are gone,
/// `Arc::strong_count(&token)` is back to one.
struct TokenHost(Arc<AtomicUsize>);

impl Host for TokenHost {
    fn now(&self) -> Instant {
        Instant::ZERO
    }
    fn set_timer(&self, _: Option<Instant>) {}
    fn run_soon_handle(&self) -> RunSoon {
        let calls = self.0.clone();
        Arc::new(move || {
            calls.fetch_add(1, Ordering::SeqCst);
        })
    }
}

/// A task pending until woken once more, that hands out its waker and counts polls and drops.
#[derive(Default)]
struct Pending {
    polls: Cell<usize>,
    drops: Cell<usize>,
    waker: RefCell<Option<Waker>>,
}

struct CountDrop(Rc<Pending>);

impl Drop for CountDrop {
    fn drop(&mut self) {
        self.0.drops.set(self.0.drops.get() + 1);
    }
}

fn pending_until_second_poll(state: &Rc<Pending>) -> impl Future<Output = ()> + 'static {
    let guard = CountDrop(state.clone());
    poll_fn(move |cx| {
        let state = &guard.0;
        state.polls.set(state.polls.get() + 1);
        *state.waker.borrow_mut() = Some(cx.waker().clone());
        if state.polls.get() >= 2 {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
}

#[test]
fn wakes_after_completion_detach_abort_and_shutdown_are_harmless_and_nothing_leaks() {
    let calls = Arc::new(AtomicUsize::new(0));
    let executor = Executor::new(TokenHost(calls.clone()));
    let (finished, detached, aborted) = (Rc::default(), Rc::default(), Rc::default());
    let finished_task = executor.spawn_local(pending_until_second_poll(&finished));
    drop(executor.spawn_local(pending_until_second_poll(&detached)));
    let aborted_task = executor.spawn_local(pending_until_second_poll(&aborted));
    executor.run();
    let wakers: Vec<Waker> = [&finished, &detached, &aborted]
        .iter()
        .map(|state: &&Rc<Pending>| state.waker.borrow().clone().expect("polled once"))
        .collect();
    wakers[0].wake_by_ref();
    wakers[1].wake_by_ref();
    executor.run(); // both finish
    aborted_task.abort();
    assert!(finished_task.is_finished());
    for state in [&finished, &detached, &aborted] {
        assert_eq!(state.drops.get(), 1, "each future dropped once, at its end");
    }

    let before = calls.load(Ordering::SeqCst);
    for waker in &wakers {
        waker.wake_by_ref(); // after completion, after detaching, after abort
    }
    executor.run();
    let polls: Vec<usize> = [&finished, &detached, &aborted]
        .iter()
        .map(|s| s.polls.get())
        .collect();
    assert_eq!(
        polls,
        [2, 2, 1],
        "a finished or aborted task is never polled again"
    );
    assert_eq!(
        calls.load(Ordering::SeqCst),
        before,
        "wakes of ended tasks ask for nothing"
    );

    drop(executor);
    let after_drop = calls.load(Ordering::SeqCst);
    for waker in &wakers {
        waker.wake_by_ref();
    }
    let from_thread = wakers.clone();
    std::thread::spawn(move || from_thread.into_iter().for_each(Waker::wake))
        .join()
        .unwrap();
    assert_eq!(
        calls.load(Ordering::SeqCst),
        after_drop,
        "no run-soon once the guest is gone"
    );
    assert_eq!(
        Arc::strong_count(&calls),
        1 + 1,
        "the wakers still hold the executor's shared part"
    );
    drop((wakers, finished_task, aborted_task));
    for state in [&finished, &detached, &aborted] {
        state.waker.borrow_mut().take();
    }
    assert_eq!(
        Arc::strong_count(&calls),
        1,
        "everything the executor made is freed"
    );
}

/// Counts its drops.
struct CountedOutput(Arc<AtomicUsize>);

impl Drop for CountedOutput {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn handles_dropped_or_aborted_on_another_thread_as_their_tasks_finish_drop_each_output_once() {
    // The handle's side (detach) races the executor's (complete, then drop the task and any
    // orphaned output) on the cell they share; every output made must be dropped exactly once,
    // and every cell freed.
    const TASKS: usize = 3_000;
    let token = Arc::new(AtomicUsize::new(0));
    let executor = Executor::new(TokenHost(token.clone()));
    let (made, dropped) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (send, receive) = std::sync::mpsc::channel::<guestloop::JoinHandle<CountedOutput>>();
    let other = std::thread::spawn(move || {
        for (n, handle) in receive.into_iter().enumerate() {
            if n % 3 == 0 {
                handle.abort();
            }
            drop(handle);
        }
    });
    for _ in 0..TASKS {
        let (made, dropped) = (made.clone(), dropped.clone());
        let handle = executor.spawn_local(async move {
            guestloop::yield_now().await;
            made.fetch_add(1, Ordering::SeqCst);
            CountedOutput(dropped)
        });
        send.send(handle).unwrap();
        executor.run(); // meanwhile the other thread drops (or aborts) the handle
    }
    drop(send);
    other.join().unwrap();
    executor.run(); // aborts that came after the last run
    drop(executor);
    let made = made.load(Ordering::SeqCst);
    assert!(made > 0, "some tasks finished");
    eprintln!("{made} of {TASKS} finished");
    assert_eq!(
        dropped.load(Ordering::SeqCst),
        made,
        "each output dropped once"
    );
    assert_eq!(Arc::strong_count(&token), 1, "every task's cell is freed");
}

#[test]
fn wakes_and_spawns_from_other_threads_while_the_executor_is_dropped() {
    const THREADS: usize = 4;
    const TASKS: usize = 64;
    for _ in 0..20 {
        let calls = Arc::new(AtomicUsize::new(0));
        let executor = Executor::new(TokenHost(calls.clone()));
        let wakers = Arc::new(std::sync::Mutex::new(Vec::new()));
        for _ in 0..TASKS {
            let wakers = wakers.clone();
            drop(executor.spawn_local(poll_fn(move |cx| {
                wakers.lock().unwrap().push(cx.waker().clone());
                Poll::<()>::Pending
            })));
        }
        executor.run();
        let spawner = executor.spawner();
        let made = Arc::new(AtomicUsize::new(0));
        let dropped = Arc::new(AtomicUsize::new(0));
        let start = Arc::new(std::sync::Barrier::new(THREADS + 1));
        let threads: Vec<_> = (0..THREADS)
            .map(|_| {
                let (wakers, spawner, start) = (wakers.clone(), spawner.clone(), start.clone());
                let (made, dropped) = (made.clone(), dropped.clone());
                std::thread::spawn(move || {
                    start.wait();
                    let mut destroyed = false;
                    for round in 0..200 {
                        let all: Vec<Waker> = wakers.lock().unwrap().clone();
                        all.iter().for_each(Waker::wake_by_ref);
                        made.fetch_add(1, Ordering::SeqCst);
                        let guard = SendDrop(dropped.clone());
                        match spawner.spawn(async move { drop(guard) }) {
                            Ok(handle) => drop(handle),
                            Err(ExecutorDestroyed) => destroyed = true,
                        }
                        if destroyed && round > 50 {
                            break;
                        }
                    }
                })
            })
            .collect();
        start.wait();
        drop(executor); // while the threads wake and spawn
        for thread in threads {
            thread.join().expect("no thread panicked");
        }
        assert_eq!(
            dropped.load(Ordering::SeqCst),
            made.load(Ordering::SeqCst),
            "every future spawned (or refused) was dropped exactly once"
        );
        drop((spawner, wakers));
        assert_eq!(Arc::strong_count(&calls), 1, "nothing leaked");
    }
}

/// Counts drops from any thread.
struct SendDrop(Arc<AtomicUsize>);

impl Drop for SendDrop {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Something that can happen between or during runs.
#[derive(Clone, Debug)]
enum Action {
    /// Wake task `i` from the host thread, outside a run.
    Wake(usize),
    /// Wake task `i` from another thread.
    WakeFromThread(usize),
    /// Spawn a task from the host thread.
    Spawn,
    /// Spawn a task from another thread.
    SpawnFromThread,
    /// Task `i`, when next polled, wakes task `j`.
    WakeDuringPoll(usize, usize),
    /// The host runs the guest.
    Run,
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        (0usize..8).prop_map(Action::Wake),
        (0usize..8).prop_map(Action::WakeFromThread),
        Just(Action::Spawn),
        Just(Action::SpawnFromThread),
        (0usize..8, 0usize..8).prop_map(|(i, j)| Action::WakeDuringPoll(i, j)),
        Just(Action::Run),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Whatever happens, between the starts of two runs the host is asked to run at most once;
    /// and every wake is seen: at the end, every task has been polled after its last wake.
    #[test]
    fn run_soon_is_asked_at_most_once_between_two_runs(actions in prop::collection::vec(action(), 1..60)) {
        let host_loop = FaultyLoop::new(Faults::default());
        let executor = Executor::new(host_loop.host());
        let calls = host_loop.state.run_soon_calls.clone();
        let wakers: Rc<RefCell<Vec<Option<Waker>>>> = Rc::new(RefCell::new(vec![None; 8]));
        let wakes_on_poll: Rc<RefCell<Vec<Option<usize>>>> = Rc::new(RefCell::new(vec![None; 8]));
        let woken_since_poll = Rc::new(RefCell::new([false; 8]));
        for i in 0..8 {
            let (wakers, wakes_on_poll, woken) = (wakers.clone(), wakes_on_poll.clone(), woken_since_poll.clone());
            drop(executor.spawn_local(poll_fn(move |cx| {
                woken.borrow_mut()[i] = false;
                wakers.borrow_mut()[i] = Some(cx.waker().clone());
                let target = wakes_on_poll.borrow_mut()[i].take();
                if let Some(j) = target {
                    woken.borrow_mut()[j] = true;
                    let waker = wakers.borrow()[j].clone();
                    if let Some(waker) = waker {
                        waker.wake();
                    }
                }
                Poll::<()>::Pending
            })));
        }
        let mut asked_at_last_run = calls.load(Ordering::SeqCst);
        let mut run = |executor: &Executor| -> Result<(), TestCaseError> {
            let asked = calls.load(Ordering::SeqCst);
            prop_assert!(asked <= asked_at_last_run + 1, "{} requests between two runs", asked - asked_at_last_run);
            asked_at_last_run = asked;
            host_loop.state.requested.store(false, Ordering::SeqCst);
            executor.run();
            Ok(())
        };
        run(&executor)?;
        for action in actions {
            match action {
                Action::Wake(i) => {
                    let waker = wakers.borrow()[i].clone();
                    woken_since_poll.borrow_mut()[i] = true;
                    waker.expect("polled").wake();
                }
                Action::WakeFromThread(i) => {
                    let waker = wakers.borrow()[i].clone().expect("polled");
                    woken_since_poll.borrow_mut()[i] = true;
                    std::thread::spawn(move || waker.wake()).join().unwrap();
                }
                Action::Spawn => drop(executor.spawn_local(async {})),
                Action::SpawnFromThread => {
                    let spawner = executor.spawner();
                    std::thread::spawn(move || drop(spawner.spawn(async {}).unwrap())).join().unwrap();
                }
                Action::WakeDuringPoll(i, j) => {
                    wakes_on_poll.borrow_mut()[i] = Some(j);
                    woken_since_poll.borrow_mut()[i] = true;
                    let waker = wakers.borrow()[i].clone();
                    waker.expect("polled").wake();
                }
                Action::Run => run(&executor)?,
            }
        }
        while host_loop.state.requested.load(Ordering::SeqCst) {
            run(&executor)?;
        }
        prop_assert_eq!(*woken_since_poll.borrow(), [false; 8], "a wake was lost");
        prop_assert_eq!(executor.stats().live_tasks, 8);
    }
}

#[test]
fn a_test_host_dropped_with_wakers_and_spawners_out_frees_everything() {
    let host = TestHost::new(Duration::from_millis(1));
    let spawner = host.executor().spawner();
    let probe = Rc::new(Pending::default());
    let mut host = host;
    drop(host.spawn_local(pending_until_second_poll(&probe)));
    host.run_pending();
    let waker = probe.waker.borrow_mut().take().expect("polled");
    drop(host);
    assert_eq!(probe.drops.get(), 1);
    waker.wake();
    assert_eq!(
        std::thread::spawn(move || spawner.spawn(async {}).map(drop))
            .join()
            .unwrap(),
        Err(ExecutorDestroyed)
    );
}
