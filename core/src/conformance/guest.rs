//! Checks of what the executor promises, run on the host under test: timer order, batches,
//! sleeps, timeouts, ticks, cross-thread spawns and wakes, panics, cancellation, coalescing,
//! shutdown.

use super::{
    CheckResult, Harness, MS, PATIENCE, all_within, ensure, fire, run_check, signal, within,
};
use crate::{
    Builder, Elapsed, ExecutorDestroyed, Handle, JoinError, MissedTicks, Spawner, TaskGroup,
    TickClock, now, sleep, sleep_until, spawn_local, timeout, yield_now,
};
use std::cell::{Cell, RefCell};
use std::future::poll_fn;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};
use std::time::Duration;

pub(super) fn timers_fire_in_order(harness: &mut dyn Harness) -> CheckResult {
    run_check(harness, Builder::default(), async {
        let start = now();
        let log = Rc::new(RefCell::new(Vec::new()));
        let mut tasks = Vec::new();
        for (name, delay) in [("a", 20), ("b", 10), ("c", 10), ("d", 20), ("e", 5)] {
            let log = log.clone();
            tasks.push(spawn_local(async move {
                sleep(delay * MS).await;
                log.borrow_mut().push((name, now() - start));
            }));
        }
        for task in tasks {
            task.await.map_err(|e| e.to_string())?;
        }
        let expected =
            [("e", 5), ("b", 10), ("c", 10), ("a", 20), ("d", 20)].map(|(n, d)| (n, d * MS));
        ensure!(
            *log.borrow() == expected,
            "fired {:?}, expected {expected:?}",
            log.borrow()
        );
        Ok(())
    })
}

pub(super) fn spawned_tasks_queue_behind_woken_ones(harness: &mut dyn Harness) -> CheckResult {
    run_check(harness, Builder::default(), async {
        let deadline = now() + 3 * MS;
        let log = Rc::new(RefCell::new(Vec::new()));
        let mut tasks = Vec::new();
        for name in ["x", "y"] {
            let log = log.clone();
            tasks.push(spawn_local(async move {
                sleep_until(deadline).await;
                log.borrow_mut().push((name, now()));
                if name == "x" {
                    let z_log = log.clone();
                    let spawned = spawn_local(async move { z_log.borrow_mut().push(("z", now())) });
                    spawned.await.expect("z runs");
                    log.borrow_mut().push(("x again", now()));
                }
            }));
        }
        for task in tasks {
            task.await.map_err(|e| e.to_string())?;
        }
        let expected = [
            ("x", deadline),
            ("y", deadline),
            ("z", deadline),
            ("x again", deadline),
        ];
        ensure!(
            *log.borrow() == expected,
            "ran {:?}, expected {expected:?}",
            log.borrow()
        );
        Ok(())
    })
}

pub(super) fn sleeps_are_never_early(harness: &mut dyn Harness) -> CheckResult {
    run_check(harness, Builder::default(), async {
        let handle = Handle::current();
        for delay in [1, 2, 7, 15] {
            let deadline = now() + delay * MS;
            sleep(delay * MS).await;
            ensure!(
                now() == deadline,
                "guest clock {} after sleeping to {deadline}",
                now()
            );
            let host_now = handle.host_now();
            ensure!(
                host_now >= deadline,
                "woke at host time {host_now}, before {deadline}"
            );
        }
        let before = now();
        let runs = handle.stats().runs;
        sleep_until(before).await;
        sleep(Duration::ZERO).await;
        yield_now().await;
        ensure!(now() == before, "completing at once moved the guest clock");
        ensure!(
            handle.stats().runs <= runs + 1,
            "a past deadline waited for host runs"
        );
        Ok(())
    })
}

pub(super) fn timeouts(harness: &mut dyn Harness) -> CheckResult {
    run_check(harness, Builder::default(), async {
        yield_now().await; // tasks the harness spawned arm their timers first
        let timers_before = Handle::current().stats().pending_timers;
        let start = now();
        let slow = timeout(5 * MS, sleep(Duration::from_secs(3600))).await;
        ensure!(slow == Err(Elapsed), "a 1 h sleep beat a 5 ms timeout");
        ensure!(
            now() - start == 5 * MS,
            "the timeout fired at +{:?}",
            now() - start
        );
        let ready = timeout(Duration::ZERO, async { 7 }).await;
        ensure!(
            ready == Ok(7),
            "a ready future lost to a zero timeout: {ready:?}"
        );
        let order = Rc::new(RefCell::new(Vec::new()));
        let other = {
            let order = order.clone();
            spawn_local(async move { order.borrow_mut().push("other") })
        };
        yield_now().await;
        order.borrow_mut().push("yielder");
        other.await.map_err(|e| e.to_string())?;
        ensure!(
            *order.borrow() == ["other", "yielder"],
            "yield_now did not yield: {:?}",
            order.borrow()
        );
        ensure!(
            Handle::current().stats().pending_timers == timers_before,
            "a finished timeout left a timer behind"
        );
        Ok(())
    })
}

pub(super) fn tick_clock_does_not_drift(harness: &mut dyn Harness) -> CheckResult {
    run_check(harness, Builder::default(), async {
        let clock = TickClock::starting_now(2 * MS);
        let mut interval = clock.interval(MissedTicks::CatchUp);
        for expected in 1..=50u64 {
            clock.next_tick().await;
            ensure!(
                clock.current_tick() == expected,
                "tick {} instead of {expected}",
                clock.current_tick()
            );
            ensure!(
                now() == clock.instant_of(expected),
                "tick {expected} at {}",
                now()
            );
            let tick = interval.tick().await;
            ensure!(
                tick == expected,
                "the interval gave tick {tick} at tick {expected}"
            );
        }
        ensure!(
            clock.elapsed() == 100 * MS,
            "50 ticks of 2 ms took {:?}",
            clock.elapsed()
        );
        Ok(())
    })
}

pub(super) fn cross_thread_spawn_and_wake(harness: &mut dyn Harness) -> CheckResult {
    run_check(harness, Builder::default(), async {
        let spawner = Handle::current().spawner();
        let host_thread = std::thread::current().id();
        let threads: Vec<_> = (0..4u64)
            .map(|t| {
                let spawner = spawner.clone();
                std::thread::spawn(move || {
                    (0..25u64)
                        .map(|i| {
                            let value = t * 100 + i;
                            spawner.spawn(async move { (value, std::thread::current().id()) })
                        })
                        .collect::<Result<Vec<_>, ExecutorDestroyed>>()
                })
            })
            .collect();
        let mut handles = Vec::new();
        for thread in threads {
            handles.extend(
                thread
                    .join()
                    .map_err(|_| "a spawning thread panicked")?
                    .map_err(|e| e.to_string())?,
            );
        }
        let outputs = all_within(PATIENCE, handles)
            .await
            .map_err(|_| "a future spawned from another thread never ran")?;
        let mut values = Vec::new();
        for output in outputs {
            let (value, thread) = output.map_err(|e| e.to_string())?;
            ensure!(
                thread == host_thread,
                "a remote future ran off the host thread"
            );
            values.push(value);
        }
        values.sort_unstable();
        let expected: Vec<u64> = (0..4)
            .flat_map(|t| (0..25).map(move |i| t * 100 + i))
            .collect();
        ensure!(values == expected, "remote spawns returned {values:?}");

        // A task waits for a wake that another thread delivers; joining that thread first keeps
        // the check deterministic on hosts whose time is virtual.
        let (flag, woken) = signal();
        let waiter = spawn_local(woken);
        yield_now().await; // the waiter is now pending, its waker registered
        let waker_thread = std::thread::spawn(move || fire(&flag));
        waker_thread
            .join()
            .map_err(|_| "the waking thread panicked")?;
        let result = within(PATIENCE, waiter).await;
        ensure!(
            matches!(result, Ok(Ok(()))),
            "a wake from another thread never reached the task: {result:?}"
        );
        Ok(())
    })
}

pub(super) fn panics_are_contained(harness: &mut dyn Harness) -> CheckResult {
    let heard = Rc::new(RefCell::new(Vec::new()));
    let hook_log = heard.clone();
    let builder = Builder::default().on_task_panic(move |panic| {
        hook_log.borrow_mut().push(panic.message().to_owned());
    });
    let result = run_check(harness, builder, async {
        let bystander = spawn_local(async {
            sleep(3 * MS).await;
            "still here"
        });
        let doomed = spawn_local(async {
            sleep(MS).await;
            panic!("conformance check: an intentional panic");
        });
        let outcome: Result<(), JoinError> = doomed.await;
        let described = format!("{outcome:?}");
        let payload = outcome.map_err(JoinError::try_into_panic);
        ensure!(
            matches!(&payload, Err(Ok(payload))
                if payload.downcast_ref() == Some(&"conformance check: an intentional panic")),
            "the panicking task's handle gave {described}, not the panic's payload"
        );
        let survived = bystander.await;
        ensure!(
            matches!(survived, Ok("still here")),
            "a bystander task gave {survived:?}"
        );
        Ok(())
    });
    result?;
    ensure!(
        *heard.borrow() == ["conformance check: an intentional panic"],
        "the panic hook heard {:?}",
        heard.borrow()
    );
    Ok(())
}

/// Sets its flag when dropped.
struct DropFlag(Rc<Cell<bool>>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.set(true);
    }
}

pub(super) fn cancellation(harness: &mut dyn Harness) -> CheckResult {
    run_check(harness, Builder::default(), async {
        // The harness may keep timers of its own (a watchdog, say): count only ours.
        yield_now().await;
        let timers_before = Handle::current().stats().pending_timers;
        let dropped = Rc::new(Cell::new(false));
        let guard = DropFlag(dropped.clone());
        let victim = spawn_local(async move {
            let _guard = guard;
            sleep(Duration::from_secs(3600)).await;
        });
        yield_now().await; // let it start sleeping
        victim.abort();
        ensure!(
            dropped.get(),
            "abort() returned before the future was dropped"
        );
        ensure!(
            victim.await.is_err_and(|error| error.is_cancelled()),
            "an aborted task did not report Cancelled"
        );

        let finished = Rc::new(Cell::new(false));
        let detached = {
            let finished = finished.clone();
            spawn_local(async move {
                sleep(2 * MS).await;
                finished.set(true);
            })
        };
        drop(detached);
        sleep(3 * MS).await;
        ensure!(finished.get(), "dropping a JoinHandle stopped its task");

        let child_dropped = Rc::new(Cell::new(false));
        let mut group = TaskGroup::new();
        let guard = DropFlag(child_dropped.clone());
        group.spawn_local(async move {
            let _guard = guard;
            sleep(Duration::from_secs(3600)).await;
        });
        yield_now().await;
        drop(group);
        ensure!(
            child_dropped.get(),
            "dropping a TaskGroup left its child running"
        );
        ensure!(
            Handle::current().stats().pending_timers == timers_before,
            "cancelled sleeps left timers behind"
        );
        Ok(())
    })
}

pub(super) fn wakes_are_coalesced(harness: &mut dyn Harness) -> CheckResult {
    const TASKS: usize = 1000;
    const BUDGET: usize = 16;
    run_check(harness, Builder::default().poll_budget(BUDGET), async {
        let handle = Handle::current();
        let gate: Arc<Mutex<Vec<Waker>>> = Arc::new(Mutex::new(Vec::new()));
        let open = Arc::new(AtomicBool::new(false));
        let polls = Rc::new(Cell::new(0usize));
        let mut tasks = Vec::new();
        for _ in 0..TASKS {
            let (gate, open, polls) = (gate.clone(), open.clone(), polls.clone());
            tasks.push(spawn_local(poll_fn(move |cx| {
                polls.set(polls.get() + 1);
                if open.load(Ordering::Acquire) {
                    return Poll::Ready(());
                }
                gate.lock()
                    .expect("no panics under this lock")
                    .push(cx.waker().clone());
                Poll::Pending
            })));
        }
        let before = handle.stats();
        while gate.lock().expect("no panics under this lock").len() < TASKS {
            sleep(MS).await;
        }
        let between = handle.stats();
        ensure!(
            between.runs - before.runs >= (TASKS / BUDGET) as u64,
            "{TASKS} ready tasks with a budget of {BUDGET} took only {} runs",
            between.runs - before.runs
        );
        let waker_thread = {
            let (gate, open) = (gate.clone(), open.clone());
            std::thread::spawn(move || {
                open.store(true, Ordering::Release);
                for waker in gate.lock().expect("no panics under this lock").drain(..) {
                    waker.wake();
                }
            })
        };
        waker_thread
            .join()
            .map_err(|_| "the waking thread panicked")?;
        for output in all_within(PATIENCE, tasks)
            .await
            .map_err(|_| "a woken task never ran")?
        {
            output.map_err(|e| e.to_string())?;
        }
        let after = handle.stats();
        ensure!(
            polls.get() == 2 * TASKS,
            "{} polls for {TASKS} tasks woken once each",
            polls.get()
        );
        let requests = after.run_soon_requests - between.run_soon_requests;
        let runs = after.runs - between.runs;
        ensure!(
            requests <= runs + 1,
            "{requests} run-soon requests for {runs} runs: wakes were not coalesced"
        );
        Ok(())
    })
}

pub(super) fn drop_is_clean(harness: &mut dyn Harness) -> CheckResult {
    let dropped = Rc::new(Cell::new(0));
    type Leftovers = (Spawner, Waker, Arc<crate::shared::Shared>);
    let leftovers: Rc<RefCell<Option<Leftovers>>> = Rc::default();
    let (counter, out) = (dropped.clone(), leftovers.clone());
    run_check(harness, Builder::default(), async move {
        for _ in 0..3 {
            let guard = DropCounter(counter.clone());
            drop(spawn_local(async move {
                let _guard = guard;
                sleep(Duration::from_secs(3600)).await;
            }));
        }
        let guard = DropCounter(counter.clone());
        drop(spawn_local(async move {
            let _guard = guard;
            std::future::pending::<()>().await;
        }));
        yield_now().await;
        let waker = poll_fn(|cx| Poll::Ready(cx.waker().clone())).await;
        let handle = Handle::current();
        *out.borrow_mut() = Some((handle.spawner(), waker, handle.shared()));
        Ok(())
    })?;
    ensure!(
        dropped.get() == 4,
        "{} of 4 pending tasks were dropped with the executor",
        dropped.get()
    );
    let (spawner, waker, shared) = leftovers
        .borrow_mut()
        .take()
        .ok_or("the check kept nothing")?;
    let requests = shared.run_soon_requests();
    waker.wake_by_ref();
    let remote = std::thread::spawn(move || {
        waker.wake();
        spawner.spawn(async {}).map(drop)
    });
    let spawned = remote
        .join()
        .map_err(|_| "waking a dropped executor from a thread panicked")?;
    ensure!(
        spawned == Err(ExecutorDestroyed),
        "spawning on a dropped executor gave {spawned:?}"
    );
    let asked = shared.run_soon_requests() - requests;
    ensure!(
        asked == 0,
        "wakes and a spawn after the executor was dropped asked the host for {asked} runs"
    );
    Ok(())
}

/// Counts drops.
struct DropCounter(Rc<Cell<usize>>);

impl Drop for DropCounter {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

pub(super) fn unblock_comes_back(harness: &mut dyn Harness) -> CheckResult {
    run_check(harness, Builder::default(), async {
        let host_thread = std::thread::current().id();
        let mut jobs = Vec::new();
        for job in 0..16u64 {
            jobs.push(crate::unblock(move || {
                std::thread::sleep(MS);
                (job * job, std::thread::current().id())
            }));
        }
        let outputs = all_within(PATIENCE, jobs)
            .await
            .map_err(|_| "the result of unblock never came back to its task")?;
        for (job, output) in (0..16u64).zip(outputs) {
            let (square, thread) = output.map_err(|e| e.to_string())?;
            ensure!(square == job * job, "job {job} gave {square}");
            ensure!(
                thread != host_thread,
                "unblock ran its work on the host's thread"
            );
        }
        Ok(())
    })
}
