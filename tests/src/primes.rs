//! The primes model: exact counts, progress as promised, against an independent count.

use crate::faulty_host::{Faults, FaultyLoop, Gave};
use guestloop::primes::{PrimesConfig, PrimesEvent, count_primes, parse_limit};
use guestloop::testing::TestHost;
use guestloop::{Executor, Instant};
use proptest::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::time::Duration;

fn count_on_test_host(limit: u64, workers: usize) -> u64 {
    let mut host = TestHost::default();
    host.set_patience(Duration::from_secs(60));
    let config = PrimesConfig::new(limit)
        .unwrap()
        .with_workers(workers)
        .unwrap();
    host.block_on(count_primes(config, |_: &PrimesEvent| {}))
}

/// The primes up to `limit`, by the plainest sieve there is.
fn plain_count(limit: u64) -> u64 {
    let limit = limit as usize;
    let mut composite = vec![false; limit + 1];
    let mut count = 0;
    for n in 2..=limit {
        if !composite[n] {
            count += 1;
            for multiple in (n * n..=limit).step_by(n) {
                composite[multiple] = true;
            }
        }
    }
    count
}

#[test]
fn the_counts_of_the_tables() {
    // π(x) as every table gives it.
    for (limit, count) in [
        (2, 1),
        (3, 2),
        (10, 4),
        (100, 25),
        (1_000_000, 78_498),
        (10_000_000, 664_579),
    ] {
        assert_eq!(count_on_test_host(limit, 2), count, "π({limit})");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn any_limit_and_any_number_of_workers_give_the_plain_count(
        limit in 2u64..=3_000_000,
        workers in 1usize..=4,
    ) {
        prop_assert_eq!(count_on_test_host(limit, workers), plain_count(limit));
    }
}

#[test]
fn limits_are_read_strictly() {
    assert_eq!(parse_limit("1_000_000_000"), Ok(1_000_000_000));
    assert_eq!(parse_limit("2"), Ok(2));
    assert_eq!(parse_limit("100000000000"), Ok(100_000_000_000));
    for bad in [
        "0",
        "1",
        "-5",
        "1e9",
        "1.5",
        "",
        "ten",
        "100000000001",
        "99999999999999999999999",
        "1__0",
    ] {
        assert!(parse_limit(bad).is_err(), "{bad:?} was accepted");
    }
}

/// Runs a count on a host whose clock moves 10 ms whenever it is read, so that guest time passes
/// as segments come back; returns every event with the guest time it came at.
fn events_of_a_count(limit: u64) -> Vec<(Instant, PrimesEvent)> {
    let host_loop = FaultyLoop::new(Faults {
        clock_step: Duration::from_millis(10),
        ..Faults::default()
    });
    let executor = Executor::new(host_loop.host());
    let events = Rc::new(RefCell::new(Vec::new()));
    let log = events.clone();
    let config = PrimesConfig::new(limit).unwrap().with_workers(2).unwrap();
    let count = executor.spawn_local(count_primes(config, move |event: &PrimesEvent| {
        log.borrow_mut().push((guestloop::now(), *event));
    }));
    loop {
        match host_loop.run_until(&executor, usize::MAX, || count.is_finished()) {
            Ok(()) => break,
            Err(Gave::Idle) => {
                // Waiting for a worker's wake: it comes from another thread, in real time.
                while !host_loop.state.requested.load(Ordering::SeqCst) {
                    std::thread::sleep(Duration::from_millis(1));
                }
            }
            Err(Gave::TooManyRuns) => unreachable!(),
        }
    }
    Rc::try_unwrap(events).unwrap().into_inner()
}

#[test]
fn progress_comes_at_once_then_at_most_once_a_tick_and_done_comes_last() {
    let events = events_of_a_count(200_000_000);
    let total = PrimesConfig::new(200_000_000).unwrap().segments();
    let (start, first) = events[0];
    assert_eq!(
        first,
        PrimesEvent::Progress {
            segments_done: 0,
            segments_total: total,
            primes_so_far: 0,
            elapsed: Duration::ZERO
        }
    );
    let tick = guestloop::primes::DEFAULT_PROGRESS_TICK;
    let mut last_tick = 0;
    let mut last = (0, 0);
    for (at, event) in &events[1..events.len() - 1] {
        let PrimesEvent::Progress {
            segments_done,
            segments_total,
            primes_so_far,
            elapsed,
        } = *event
        else {
            panic!("only progress before the end: {event:?}");
        };
        assert_eq!(segments_total, total);
        assert_eq!(elapsed, *at - start);
        let this_tick = (elapsed.as_nanos() / tick.as_nanos()) as u64;
        assert!(
            this_tick > last_tick,
            "two progress events in tick {this_tick}"
        );
        assert!(
            (segments_done, primes_so_far) > last,
            "progress goes forward"
        );
        (last_tick, last) = (this_tick, (segments_done, primes_so_far));
    }
    assert!(events.len() > 3, "the count took several ticks: {events:?}");
    let (at, done) = events[events.len() - 1];
    assert_eq!(
        done,
        PrimesEvent::Done {
            count: 11_078_937,
            elapsed: at - start
        }
    ); // π(2·10⁸)
}
