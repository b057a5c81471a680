//! Properties of the sieve over random grids, ticks, seeds and host timings (proptest).
//!
//! Each case runs the real model on a [`TestHost`] whose steps are unrelated to the tick (shorter,
//! longer, with late jumps), and checks the run against the independent simulation and against
//! what must hold of any run.

use crate::simulation::{composites, simulate};
use guestloop::sieve::{Rgb, SieveConfig, SieveEvent, TraceWriter, run_sieve};
use guestloop::testing::TestHost;
use guestloop::{Builder, Instant, now};
use proptest::prelude::*;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::time::Duration;

/// One run as observed through its events, each with the guest time it happened at.
#[derive(Default)]
struct Observed {
    events: Vec<(Instant, SieveEvent)>,
}

/// Runs `config` on a host that steps `step` at a time and, every `stall.0` steps, stalls for
/// `stall.1` ticks (a late host that then catches up in one jump). The executor replays however
/// late the host is (`max_catch_up(Duration::MAX)`): what a bounded catch-up changes is checked
/// by its own property below.
fn run(config: SieveConfig, step: Duration, stall: (u32, u32)) -> (Observed, String) {
    run_on(
        Builder::default().max_catch_up(Duration::MAX),
        config,
        step,
        stall,
    )
}

fn run_on(
    builder: Builder,
    config: SieveConfig,
    step: Duration,
    stall: (u32, u32),
) -> (Observed, String) {
    let mut host = TestHost::with_builder(builder, step);
    let observed = Rc::new(RefCell::new(Observed::default()));
    let trace = Rc::new(RefCell::new(TraceWriter::new(Vec::new())));
    let log = observed.clone();
    let view = (trace.clone(), move |event: &SieveEvent| {
        log.borrow_mut().events.push((now(), *event));
    });
    let task = host.spawn_local(run_sieve(config, view));
    // Terminates: the last marker (for 2) is done within N/2 ticks of the start.
    let limit = Instant::ZERO + config.tick() * (config.numbers() / 2 + 3) + host.step_size();
    let (every, stall_ticks) = stall;
    let mut steps = 0u32;
    while !task.is_finished() {
        assert!(
            host.now() <= limit,
            "the run did not finish within N/2 + 3 ticks"
        );
        steps += 1;
        if every > 0 && steps % every == 0 {
            host.advance(config.tick() * stall_ticks);
        } else {
            host.step();
        }
    }
    let trace = Rc::try_unwrap(trace)
        .ok()
        .unwrap()
        .into_inner()
        .finish()
        .unwrap();
    let observed = Rc::try_unwrap(observed).ok().unwrap().into_inner();
    (observed, String::from_utf8(trace).unwrap())
}

fn config_strategy() -> impl Strategy<Value = (SieveConfig, Duration, (u32, u32))> {
    (
        1u32..=80,
        1u32..=80,
        prop_oneof![Just(100_000_000u64), 1_000u64..=2_000_000_000],
        any::<u64>(),
        // Host step as a fraction of the tick: far shorter, equal, a little longer, much longer.
        prop_oneof![
            Just((1u64, 1u64)),
            Just((1, 3)),
            Just((7, 4)),
            Just((5, 1)),
            (1u64..=9, 1u64..=9)
        ],
        // Stalls: none, or every few steps for a few ticks.
        prop_oneof![Just((0u32, 0u32)), (1u32..=50, 1u32..=12)],
    )
        .prop_map(|(rows, cols, tick_nanos, seed, (num, den), stall)| {
            let tick = Duration::from_nanos(tick_nanos);
            let config = SieveConfig::new(rows, cols)
                .unwrap()
                .with_tick(tick)
                .unwrap()
                .with_seed(seed);
            let step = Duration::from_nanos((tick_nanos * num / den).max(1));
            (config, step, stall)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn any_run_matches_the_simulation_and_the_rules((config, step, stall) in config_strategy()) {
        let numbers = config.numbers();
        let tick = config.tick();
        let (observed, trace) = run(config, step, stall);
        let expected = simulate(numbers);

        // The trace equals the independent simulation, whatever the host's timing.
        prop_assert_eq!(&trace, &expected.trace());

        let mut colours: HashMap<u32, Rgb> = HashMap::new();
        let is_composite: Vec<u32> = composites(numbers);
        let mut last_tick = 0;
        let mut done = None;
        for &(at, event) in &observed.events {
            // Every event lands exactly on a tick boundary (the sieve started at time zero).
            prop_assert_eq!(at.as_nanos() % tick.as_nanos() as u64, 0, "event at {} with tick {:?}", at, tick);
            prop_assert_eq!(at.as_nanos() / tick.as_nanos() as u64, event.tick());
            prop_assert!(event.tick() >= last_tick, "events go back in time");
            last_tick = event.tick();
            prop_assert!(done.is_none(), "an event after Done: {:?}", event);
            match event {
                SieveEvent::Marked { number, colour, .. } => {
                    // A mark never changes colour or disappears: each number is marked once.
                    prop_assert!(colours.insert(number, colour).is_none(), "{} marked twice", number);
                    // Primes are never marked.
                    prop_assert!(is_composite.binary_search(&number).is_ok(), "{} is not composite", number);
                    for channel in [colour.r, colour.g, colour.b] {
                        prop_assert!((64..=192).contains(&channel));
                    }
                }
                SieveEvent::Status { .. } => {}
                SieveEvent::Done { tick, marked } => done = Some((tick, marked)),
            }
        }
        // At the end the marked set is exactly the composites of 4..=N.
        let mut marked: Vec<u32> = colours.keys().copied().collect();
        marked.sort_unstable();
        prop_assert_eq!(&marked, &is_composite);
        prop_assert_eq!(done, Some((expected.done_tick, expected.marked())));
        // The run terminates promptly: marker 2 is the last and needs N/2 ticks.
        let (done_tick, _) = done.expect("checked above");
        prop_assert!(done_tick <= u64::from(numbers) / 2 + 2, "done at tick {}", done_tick);
    }

    /// With the default catch-up bound, a host that is late by less than the bound (a slow step,
    /// a stall of a few ticks) still gives the simulation's trace: the bound only matters past it.
    #[test]
    fn a_host_late_by_less_than_the_catch_up_bound_gives_the_same_trace(
        (config, step, stall) in config_strategy(),
    ) {
        let lateness = step.max(config.tick() * stall.1);
        prop_assume!(lateness < guestloop::DEFAULT_MAX_CATCH_UP);
        let (_, trace) = run_on(Builder::default(), config, step, stall);
        prop_assert_eq!(trace, simulate(config.numbers()).trace());
    }

    #[test]
    fn the_same_seed_gives_the_same_colours_on_any_host_timing(
        (config, step, stall) in config_strategy(),
    ) {
        let colours = |step, stall| {
            let (observed, _) = run(config, step, stall);
            observed.events.iter().filter_map(|(_, e)| match e {
                SieveEvent::Marked { number, colour, .. } => Some((*number, *colour)),
                _ => None,
            }).collect::<Vec<_>>()
        };
        prop_assert_eq!(colours(step, stall), colours(config.tick(), (0, 0)));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Timers under random arming and cancelling: every surviving sleep ends at exactly its
    /// deadline, in deadline order (arming order among equals), and nothing is left pending.
    #[test]
    fn sleeps_and_cancellations_in_any_order_keep_timers_exact(
        // (armed at, sleeps for, cancelled?, cancelled at), in milliseconds
        plan in prop::collection::vec((0u64..=40, 1u64..=60, any::<bool>(), 0u64..=100), 1..40),
        step in 1u64..=7,
    ) {
        let ms = Duration::from_millis;
        let mut host = TestHost::new(ms(step));
        let woke = Rc::new(RefCell::new(Vec::new()));
        // Arm and cancel in time order; at one instant, arming first, in plan order.
        let mut events: Vec<(u64, bool, usize)> = Vec::new();
        for (index, &(armed_at, _, cancelled, cancel_at)) in plan.iter().enumerate() {
            events.push((armed_at, false, index));
            if cancelled {
                events.push((armed_at.max(cancel_at), true, index));
            }
        }
        events.sort();
        let mut tasks: Vec<Option<guestloop::JoinHandle<()>>> = (0..plan.len()).map(|_| None).collect();
        let mut clock = 0;
        for (at, cancel, index) in events {
            host.advance(ms(at - clock));
            clock = at;
            if cancel {
                tasks[index].as_ref().expect("armed before cancelled").abort();
            } else {
                let woke = woke.clone();
                let delay = plan[index].1;
                tasks[index] = Some(host.spawn_local(async move {
                    guestloop::sleep(ms(delay)).await;
                    woke.borrow_mut().push((index, now()));
                }));
                host.run_pending(); // arms its timer now
            }
        }
        host.run_until_idle();
        prop_assert_eq!(host.executor().stats().pending_timers, 0);
        let mut expected: Vec<(usize, Instant)> = plan
            .iter()
            .enumerate()
            .filter(|&(_, &(armed_at, delay, cancelled, cancel_at))| {
                !cancelled || armed_at.max(cancel_at) >= armed_at + delay
            })
            .map(|(index, &(armed_at, delay, _, _))| (index, Instant::ZERO + ms(armed_at + delay)))
            .collect();
        expected.sort_by_key(|&(index, at)| (at, plan[index].0, index)); // then arming order
        prop_assert_eq!(&*woke.borrow(), &expected);
    }
}
