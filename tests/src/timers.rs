//! Timers belong to their executor, and a host that stalls longer than the catch-up bound makes
//! the guest clock jump instead of replaying every missed deadline.

use crate::faulty_host::{Faults, FaultyLoop};
use crate::joined::panic_message;
use guestloop::testing::TestHost;
use guestloop::{Builder, Executor, Instant, MissedTicks, Sleep, TickClock, sleep, sleep_until};
use std::cell::{Cell, RefCell};
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::rc::Rc;
use std::task::Poll;
use std::time::Duration;

const MS: Duration = Duration::from_millis(1);

type SharedSleep = Rc<RefCell<Option<Pin<Box<Sleep>>>>>;

/// Spawns a task on `host` that polls the shared sleep once (registering its timer there), then
/// waits forever.
fn register_on(host: &TestHost, shared: &SharedSleep) {
    let shared = shared.clone();
    drop(host.spawn_local(poll_fn(move |cx| {
        if let Some(sleep) = shared.borrow_mut().as_mut() {
            let _ = sleep.as_mut().poll(cx);
        }
        Poll::<()>::Pending
    })));
}

/// A task on `host` that awaits the shared sleep.
fn await_on(host: &TestHost, shared: &SharedSleep) -> guestloop::JoinHandle<()> {
    let shared = shared.clone();
    host.spawn_local(poll_fn(move |cx| {
        let mut sleep = shared.borrow_mut();
        sleep.as_mut().expect("there").as_mut().poll(cx)
    }))
}

#[test]
fn a_sleep_polled_by_another_executor_panics_and_leaves_that_executors_timers_alone() {
    let deadline = Instant::ZERO + 10 * MS;
    let mut a = TestHost::new(MS);
    let mut b = TestHost::new(MS);
    // B has a sleeper of its own at the same deadline, in the same slot as A's sleep.
    let b_sleeper = b.spawn_local(async move {
        sleep_until(deadline).await;
        guestloop::now()
    });
    b.run_pending();
    let shared: SharedSleep = Rc::new(RefCell::new(Some(Box::pin(sleep_until(deadline)))));
    register_on(&a, &shared);
    a.run_pending();
    assert_eq!(a.executor().stats().pending_timers, 1);

    let thief = await_on(&b, &shared);
    b.run_pending();
    let message = panic_message(b.block_on(thief));
    assert!(
        message.contains("polled by a task of another executor"),
        "{message}"
    );
    assert_eq!(
        b.block_on(b_sleeper).unwrap(),
        deadline,
        "B's own timer still fires"
    );
    assert_eq!(a.executor().stats().pending_timers, 1, "A's timer is A's");
    shared.borrow_mut().take(); // dropped outside any run: cancels its timer on A
    assert_eq!(a.executor().stats().pending_timers, 0);
    assert_eq!(a.timer(), None, "and A's host timer is disarmed");
}

#[test]
fn a_fired_sleep_polled_on_an_executor_whose_clock_is_ahead_does_not_complete_there() {
    let deadline = Instant::ZERO + 100 * MS;
    let mut a = TestHost::new(MS);
    let mut b = TestHost::new(MS);
    b.advance(Duration::from_secs(1)); // B's clock is far ahead of A's
    let shared: SharedSleep = Rc::new(RefCell::new(Some(Box::pin(sleep_until(deadline)))));
    register_on(&a, &shared);
    a.run_pending();
    let early = await_on(&b, &shared);
    assert!(
        b.block_on(early).is_err_and(|error| error.is_panic()),
        "a sleep never completes by another executor's clock"
    );
    a.advance(50 * MS);
    assert_eq!(a.executor().stats().pending_timers, 1, "still pending on A");
}

#[test]
fn a_sleep_made_in_a_task_of_one_executor_panics_on_another() {
    let mut a = TestHost::new(MS);
    let mut b = TestHost::new(MS);
    let made = a.block_on(async { Some(sleep(5 * MS)) });
    let slot = Rc::new(RefCell::new(made));
    let task = b.spawn_local(async move {
        let sleep = slot.borrow_mut().take().unwrap();
        sleep.await
    });
    assert!(b.block_on(task).is_err_and(|error| error.is_panic()));
}

#[test]
fn a_sleep_dropped_outside_a_run_cancels_its_timer_and_the_host_timer_follows() {
    let mut host = TestHost::new(MS);
    let shared: SharedSleep = Rc::new(RefCell::new(Some(Box::pin(sleep(Duration::from_secs(5))))));
    let long = host.spawn_local(sleep(Duration::from_secs(9)));
    register_on(&host, &shared);
    host.run_pending();
    assert_eq!(host.executor().stats().pending_timers, 2);
    assert_eq!(host.timer(), Some(Instant::ZERO + Duration::from_secs(5)));
    shared.borrow_mut().take();
    assert_eq!(host.executor().stats().pending_timers, 1);
    assert_eq!(host.timer(), Some(Instant::ZERO + Duration::from_secs(9)));
    long.abort();
    assert_eq!(host.timer(), None);
}

#[test]
fn a_sleep_dropped_during_another_executors_run_cancels_on_its_own() {
    let mut a = TestHost::new(MS);
    let mut b = TestHost::new(MS);
    let b_sleeper = b.spawn_local(sleep_until(Instant::ZERO + 10 * MS));
    b.run_pending();
    let shared: SharedSleep = Rc::new(RefCell::new(Some(Box::pin(sleep_until(
        Instant::ZERO + 10 * MS,
    )))));
    register_on(&a, &shared);
    a.run_pending();
    let dropper = b.spawn_local(async move { drop(shared.borrow_mut().take()) });
    b.block_on(dropper).unwrap();
    assert_eq!(a.executor().stats().pending_timers, 0, "cancelled on A");
    assert_eq!(
        b.executor().stats().pending_timers,
        1,
        "B's timer untouched"
    );
    b.block_on(b_sleeper).unwrap();
}

/// What a task ticking on a 100 ms clock saw, and when.
#[derive(Debug, Default)]
struct Ticks {
    catch_up: Vec<(u64, Instant)>,
    skip: Vec<(u64, Instant)>,
}

fn ticking(host: &TestHost, until_tick: u64) -> Rc<RefCell<Ticks>> {
    let ticks = Rc::new(RefCell::new(Ticks::default()));
    for missed in [MissedTicks::CatchUp, MissedTicks::Skip] {
        let ticks = ticks.clone();
        drop(host.spawn_local(async move {
            let clock = TickClock::starting_now(100 * MS);
            let mut interval = clock.interval(missed);
            loop {
                let tick = interval.tick().await;
                let mut ticks = ticks.borrow_mut();
                let log = match missed {
                    MissedTicks::CatchUp => &mut ticks.catch_up,
                    MissedTicks::Skip => &mut ticks.skip,
                    _ => unreachable!("only the two policies above are spawned"),
                };
                log.push((tick, guestloop::now()));
                if tick >= until_tick {
                    break;
                }
            }
        }));
    }
    ticks
}

#[test]
fn a_stall_within_the_catch_up_bound_replays_every_deadline_exactly() {
    let mut host = TestHost::new(MS);
    let ticks = ticking(&host, 12);
    host.run_pending();
    host.advance(Duration::from_millis(950)); // under the default bound of 1 s
    host.run_until_idle();
    let t = |tick: u64| Instant::from_nanos(tick * 100_000_000);
    let exact: Vec<_> = (1..=12).map(|tick| (tick, t(tick))).collect();
    assert_eq!(ticks.borrow().catch_up, exact);
    assert_eq!(ticks.borrow().skip, exact);
    assert_eq!(host.executor().stats().clock_jumps, 0);
}

#[test]
fn a_stall_past_the_catch_up_bound_jumps_the_guest_clock_to_the_host() {
    let mut host = TestHost::new(MS);
    let ticks = ticking(&host, 40);
    host.run_pending();
    host.advance(Duration::from_millis(2_550)); // a 2.55 s stall: ticks 1..=25 are due
    let jumped_to = Instant::ZERO + Duration::from_millis(2_550);
    {
        let ticks = ticks.borrow();
        // CatchUp delivers the missed ticks of the last second (the catch-up bound), a poll
        // each, at the host's time; Skip only the latest.
        let burst: Vec<_> = (16..=25).map(|tick| (tick, jumped_to)).collect();
        assert_eq!(ticks.catch_up, burst);
        assert_eq!(ticks.skip, [(25, jumped_to)]);
    }
    assert_eq!(host.executor().stats().clock_jumps, 1);
    host.run_until_idle();
    let ticks = ticks.borrow();
    let t = |tick: u64| Instant::from_nanos(tick * 100_000_000);
    assert_eq!(
        ticks.catch_up[10..],
        (26..=40).map(|k| (k, t(k))).collect::<Vec<_>>()
    );
    assert_eq!(
        ticks.skip[1..],
        (26..=40).map(|k| (k, t(k))).collect::<Vec<_>>()
    );
    assert_eq!(
        host.executor().stats().clock_jumps,
        1,
        "back on schedule: no more jumps"
    );
}

#[test]
fn work_started_from_outside_after_a_long_stall_counts_from_the_hosts_time() {
    let host_loop = FaultyLoop::new(Faults::default());
    let executor = Executor::new(host_loop.host());
    drop(executor.spawn_local(async {
        loop {
            sleep(10 * MS).await; // a ticking task: during the stall, its deadlines fall due
        }
    }));
    host_loop.run_until(&executor, 10, || false).unwrap_err();
    // The host stalls for 5 s; a click (a spawn from outside) arrives before it runs the guest.
    host_loop
        .state
        .advance_to(Instant::ZERO + Duration::from_secs(5));
    let clicked = Rc::new(Cell::new(None));
    let record = clicked.clone();
    let handle = executor.handle();
    drop(executor.spawn_local(async move {
        let start = guestloop::now();
        sleep(Duration::from_secs(1)).await;
        record.set(Some((start, handle.host_now())));
    }));
    host_loop
        .run_until(&executor, 1000, || clicked.get().is_some())
        .unwrap();
    let (start, ended_on_host) = clicked.get().unwrap();
    assert_eq!(
        start,
        Instant::ZERO + Duration::from_secs(5),
        "the host's time"
    );
    assert!(
        ended_on_host >= Instant::ZERO + Duration::from_secs(6),
        "a whole second later on the host's clock, not at once: {ended_on_host}"
    );
    assert_eq!(executor.stats().clock_jumps, 1);
}

#[test]
fn a_catch_up_bound_of_zero_jumps_whenever_the_host_is_late() {
    let builder = Builder::default().max_catch_up(Duration::ZERO);
    let mut host = TestHost::with_builder(builder, 7 * MS);
    let task = host.spawn_local(async {
        let start = guestloop::now();
        sleep(5 * MS).await;
        guestloop::now() - start
    });
    assert_eq!(
        host.block_on(task).unwrap(),
        7 * MS,
        "woke at the host's 7 ms step"
    );
    assert_eq!(host.executor().stats().clock_jumps, 1);
}

#[test]
fn an_unbounded_catch_up_replays_a_long_stall_exactly() {
    let builder = Builder::default().max_catch_up(Duration::MAX);
    let mut host = TestHost::with_builder(builder, MS);
    let ticks = ticking(&host, 30);
    host.run_pending();
    host.advance(Duration::from_secs(60));
    let t = |tick: u64| Instant::from_nanos(tick * 100_000_000);
    let exact: Vec<_> = (1..=30).map(|tick| (tick, t(tick))).collect();
    assert_eq!(ticks.borrow().catch_up, exact);
    assert_eq!(host.executor().stats().clock_jumps, 0);
}

#[test]
fn a_run_takes_in_at_most_a_budget_of_tasks_from_other_threads() {
    const BUDGET: usize = 16;
    let host = TestHost::with_builder(Builder::default().poll_budget(BUDGET), MS);
    let spawner = host.executor().spawner();
    std::thread::spawn(move || {
        for _ in 0..10_000 {
            drop(spawner.spawn(async {}).unwrap());
        }
    })
    .join()
    .unwrap();
    let executor: &Executor = host.executor();
    while executor.stats().spawned < 10_000 || executor.stats().live_tasks > 0 {
        let before = executor.stats();
        executor.run();
        let after = executor.stats();
        assert!(
            after.spawned - before.spawned <= BUDGET as u64,
            "{before:?} → {after:?}"
        );
        assert!(after.polls - before.polls <= BUDGET as u64);
    }
}

/// The ticks a task has seen: how many, and which.
type Seen = (Rc<Cell<u64>>, Rc<RefCell<Vec<u64>>>);

/// A task that counts the ticks of a 16 ms interval forever, on a host driven by hand; it
/// awaits something else for `busy` first.
fn counting_ticks(builder: Builder, busy: Duration) -> (FaultyLoop, Executor, Seen) {
    let host_loop = FaultyLoop::new(Faults::default());
    let executor = builder.build(host_loop.host());
    let (count, seen) = (Rc::new(Cell::new(0)), Rc::new(RefCell::new(Vec::new())));
    {
        let (count, seen) = (count.clone(), seen.clone());
        drop(executor.spawn_local(async move {
            let mut interval = TickClock::starting_now(16 * MS).interval(MissedTicks::CatchUp);
            sleep(busy).await;
            loop {
                let tick = interval.tick().await;
                count.set(count.get() + 1);
                seen.borrow_mut().push(tick);
            }
        }));
    }
    executor.run();
    (host_loop, executor, (count, seen))
}

#[test]
fn an_interval_catching_up_after_a_suspend_never_holds_a_run_for_more_than_a_budget() {
    let budget = 16;
    let (host_loop, executor, (count, seen)) =
        counting_ticks(Executor::builder().poll_budget(budget), Duration::ZERO);
    // A laptop suspended for 8 hours: the guest clock jumps past 1,800,000 ticks.
    let eight_hours = Duration::from_secs(8 * 3600);
    host_loop.state.advance_to(Instant::ZERO + eight_hours);
    let mut runs = 0;
    while host_loop
        .state
        .requested
        .swap(false, std::sync::atomic::Ordering::SeqCst)
        || runs == 0
    {
        let before = count.get();
        executor.run();
        runs += 1;
        let delivered = count.get() - before;
        assert!(
            delivered <= budget as u64,
            "one run delivered {delivered} ticks (budget {budget})"
        );
    }
    // Only the ticks of the last second (the catch-up bound) are replayed, one poll each.
    let last = (eight_hours.as_nanos() / (16 * MS).as_nanos()) as u64;
    let first = last - (Duration::from_secs(1).as_nanos() / (16 * MS).as_nanos()) as u64;
    assert_eq!(*seen.borrow(), (first..=last).collect::<Vec<_>>());
    assert!(runs >= seen.borrow().len() / budget, "{runs} runs");
}

#[test]
fn an_unbounded_catch_up_replays_every_missed_tick_in_budget_sized_runs() {
    // The task awaits something else for a minute, across 3,749 ticks of its interval, which it
    // then catches up with: each of them a poll of its own, a budget of them a run.
    let budget = 64;
    let builder = Executor::builder()
        .poll_budget(budget)
        .max_catch_up(Duration::MAX);
    let minute = Duration::from_secs(60);
    let (host_loop, executor, (count, seen)) = counting_ticks(builder, minute);
    host_loop.state.advance_to(Instant::ZERO + minute);
    let mut runs = 0;
    loop {
        let before = count.get();
        executor.run();
        runs += 1;
        assert!(count.get() - before <= budget as u64);
        if !host_loop
            .state
            .requested
            .swap(false, std::sync::atomic::Ordering::SeqCst)
        {
            break;
        }
    }
    assert_eq!(*seen.borrow(), (1..=3750).collect::<Vec<_>>());
    assert!(runs >= 3750 / budget, "{runs} runs");
}

#[test]
fn a_tick_clock_whose_origin_is_ahead_starts_with_tick_0_at_the_origin() {
    let mut host = TestHost::new(MS);
    let seen = host.block_on(async {
        let origin = guestloop::now() + Duration::from_secs(1);
        let clock = TickClock::new(origin, 100 * MS);
        let mut interval = clock.interval(MissedTicks::CatchUp);
        clock.next_tick().await;
        let first_wait = guestloop::now() - Instant::ZERO;
        let ticks = [interval.tick().await, interval.tick().await];
        (first_wait, ticks, guestloop::now() - origin)
    });
    assert_eq!(seen, (Duration::from_secs(1), [0, 1], 100 * MS));
}

#[test]
fn a_tick_armed_and_cancelled_100_000_times_leaves_no_work_at_the_tick() {
    use std::pin::pin;
    // One task waits on the next tick; another re-creates its tick future for every message
    // (`select(message, interval.tick())`); a third waits on the tick, armed after them all.
    let host_loop = FaultyLoop::new(Faults::default());
    let executor = Executor::new(host_loop.host());
    let clock = TickClock::new(Instant::ZERO, 10 * MS);
    drop(executor.spawn_local(async move { clock.next_tick().await }));
    drop(executor.spawn_local(poll_fn(move |cx| {
        let mut interval = clock.interval(MissedTicks::CatchUp);
        for _ in 0..100_000 {
            let mut tick = pin!(interval.tick());
            assert!(tick.as_mut().poll(cx).is_pending()); // a message came first
        }
        Poll::Ready(())
    })));
    let last = executor.spawn_local(async move { clock.next_tick().await });
    executor.run();
    assert_eq!(executor.stats().pending_timers, 2);
    host_loop.state.advance_to(Instant::ZERO + 10 * MS);
    executor.run();
    assert!(
        last.is_finished(),
        "the task armed last waited for more than one run at its tick"
    );
}

/// The interval as a stream and its `tick()` share one sequence: a wait the stream left pending
/// is not used for a later tick, and a late stream catches up as `tick()` does.
#[test]
fn an_interval_stream_and_its_ticks_share_one_sequence() {
    use futures_lite::StreamExt;
    let mut host = TestHost::default();
    let task = host.spawn_local(async {
        let mut interval = TickClock::starting_now(10 * MS).interval(MissedTicks::CatchUp);
        let mut seen = Vec::new();
        // The stream starts waiting for tick 1, and is dropped unfinished by the timeout.
        let stale = guestloop::timeout(5 * MS, interval.next()).await;
        assert!(stale.is_err());
        seen.push((interval.tick().await, guestloop::now().since_start()));
        // Its pending wait was for tick 1: now it must wait for tick 2.
        let next = interval.next().await;
        seen.push((next.unwrap(), guestloop::now().since_start()));
        sleep(35 * MS).await; // late for ticks 3, 4 and 5
        for _ in 0..3 {
            let tick = interval.next().await.unwrap();
            seen.push((tick, guestloop::now().since_start()));
        }
        seen
    });
    assert_eq!(
        host.block_on(task).unwrap(),
        [
            (1, 10 * MS),
            (2, 20 * MS),
            (3, 55 * MS),
            (4, 55 * MS),
            (5, 55 * MS)
        ]
    );
}
