//! Cancelling a count: no task is left alive at once, and the workers stop within a window of
//! their segment (the count's `CancelToken`), not at its end (tens of milliseconds).
//!
//! Its own test binary, so that `unblock_stats` sees this count's workers only.

use guestloop::primes::{PrimesConfig, PrimesEvent, count_primes};
use guestloop::testing::TestHost;
use guestloop::unblock_stats;
use std::time::{Duration, Instant};

#[test]
fn cancelling_leaves_no_task_alive_and_no_worker_running() {
    let mut host = TestHost::default();
    host.set_patience(Duration::from_secs(30));
    let config = PrimesConfig::new(guestloop::primes::MAX_LIMIT)
        .unwrap()
        .with_workers(2)
        .unwrap();
    let count = host.spawn_local(count_primes(config, |_: &PrimesEvent| {}));
    // Let the count run for a while (its guest clock stands still on this host: only real
    // time tells), so that segments are in flight and some have come back.
    let started = Instant::now();
    while started.elapsed() < Duration::from_millis(200) {
        host.wait_for_wake(Duration::from_millis(10));
        host.run_pending();
    }
    assert!(unblock_stats().threads >= 2, "{:?}", unblock_stats());
    assert!(!count.is_finished());
    count.abort();
    assert_eq!(
        host.executor().stats().live_tasks,
        0,
        "no task alive once cancelled"
    );
    let cancelled = Instant::now();
    loop {
        let stats = unblock_stats();
        if stats.queued == 0 && stats.idle == stats.threads {
            break;
        }
        // Tens of milliseconds if the workers finished their segments; one window if they
        // saw the token. (Generous for a loaded machine; the figure is printed below.)
        assert!(
            cancelled.elapsed() < Duration::from_millis(100),
            "workers still busy {:?} after a cancel: {stats:?}",
            cancelled.elapsed()
        );
        std::thread::sleep(Duration::from_micros(100));
    }
    eprintln!(
        "the workers were idle {:?} after the cancel",
        cancelled.elapsed()
    );
    host.run_until_idle();
    assert_eq!(host.executor().stats().live_tasks, 0);
}
