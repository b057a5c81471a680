//! The virtual-time test host, and the conformance kit run on it.

use crate::faulty_host::{Faults, FaultyLoop};
use guestloop::conformance::{self, Harness};
use guestloop::testing::{Stalled, TestHost};
use guestloop::{Builder, Instant, sleep};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// The kit's harness for [`TestHost`]: a fresh host per check, stepping `step` at a time.
struct TestHarness {
    step: Duration,
}

impl Harness for TestHarness {
    fn run(&mut self, builder: Builder, main: Pin<Box<dyn Future<Output = ()>>>) {
        let mut host = TestHost::with_builder(builder, self.step);
        // Virtual time stands still while a check waits for another thread: wait for real.
        host.set_patience(conformance::CHECK_LIMIT);
        let main = host.spawn_local(main);
        let _ = host.run_until(|| main.is_finished());
    }
}

#[test]
fn the_test_host_passes_the_conformance_kit_at_any_step() {
    for step in [
        Duration::from_micros(300),
        Duration::from_millis(1),
        Duration::from_millis(7),
    ] {
        let report = conformance::run_all(&mut TestHarness { step });
        assert_eq!(report.results.len(), conformance::CHECKS.len());
        report.assert_all_passed();
    }
}

#[test]
fn a_check_that_cannot_finish_is_reported_not_hung() {
    /// A broken host: it never runs the guest at all.
    struct Broken;
    impl Harness for Broken {
        fn run(&mut self, builder: Builder, main: Pin<Box<dyn Future<Output = ()>>>) {
            let host = TestHost::with_builder(builder, Duration::from_millis(1));
            drop(host.spawn_local(main));
        }
    }
    let report = conformance::run_all(&mut Broken);
    assert_eq!(report.failures().len(), conformance::CHECKS.len());
    assert!(report.to_string().contains("FAIL"));
}

/// The kit's harness for a [`FaultyLoop`]: a fresh host per check, misbehaving as told.
struct FaultyHarness(Faults);

impl Harness for FaultyHarness {
    fn run(&mut self, builder: Builder, main: Pin<Box<dyn Future<Output = ()>>>) {
        let host_loop = FaultyLoop::new(self.0);
        let executor = builder.build(host_loop.host());
        let main = executor.spawn_local(main);
        let started = std::time::Instant::now();
        while host_loop
            .run_until(&executor, usize::MAX, || main.is_finished())
            .is_err()
            && started.elapsed() < conformance::CHECK_LIMIT
        {
            std::thread::sleep(Duration::from_millis(1)); // idle: wait for another thread
        }
    }
}

#[test]
fn the_kit_catches_each_host_fault_it_names() {
    conformance::run_all(&mut FaultyHarness(Faults::default())).assert_all_passed();
    // A host that never forgets a fired deadline by itself is fine: the executor disarms it.
    let keeps = Faults {
        keeps_fired_deadline: true,
        ..Faults::default()
    };
    conformance::run_all(&mut FaultyHarness(keeps)).assert_all_passed();
    let cases = [
        (
            Faults {
                keeps_fired_deadline: true,
                ignores_disarm: true,
                ..Faults::default()
            },
            "once nothing is pending the host stops running the guest",
        ),
        (
            Faults {
                keeps_later_deadline: true,
                ..Faults::default()
            },
            "a new, earlier deadline replaces",
        ),
        (
            Faults {
                run_soon_fails_once_gone: true,
                ..Faults::default()
            },
            "the run-soon handle, called after the guest is gone",
        ),
        (
            Faults {
                fires_early: Duration::from_micros(500),
                clock_step: Duration::from_micros(20),
                ..Faults::default()
            },
            "a lone sleep costs a run or two",
        ),
    ];
    for (faults, check) in cases {
        let report = conformance::run_all(&mut FaultyHarness(faults));
        let failed: Vec<&str> = report.failures().iter().map(|(name, _)| *name).collect();
        assert!(
            failed.iter().any(|name| name.starts_with(check)),
            "{faults:?} should fail \"{check}…\":\n{report}"
        );
    }
}

#[test]
fn an_early_timer_is_caught_by_the_kit_but_never_ends_a_sleep_early() {
    let faults = Faults {
        fires_early: Duration::from_micros(500),
        clock_step: Duration::from_micros(20),
        ..Faults::default()
    };
    let report = conformance::run_all(&mut FaultyHarness(faults));
    let never_early = conformance::CHECKS
        .iter()
        .find(|check| check.name.starts_with("sleeps never end early"))
        .unwrap();
    assert!(
        !report
            .failures()
            .iter()
            .any(|(name, _)| *name == never_early.name),
        "{report}"
    );
}

#[test]
fn steps_advance_virtual_time_exactly() {
    let mut host = TestHost::new(Duration::from_millis(100));
    for _ in 0..1000 {
        host.step();
    }
    assert_eq!(host.now(), Instant::from_nanos(100_000_000_000));
    host.advance(Duration::from_nanos(1));
    assert_eq!(host.now().as_nanos(), 100_000_000_001);
}

#[test]
fn run_until_skips_idle_steps_and_reports_a_stall() {
    let mut host = TestHost::new(Duration::from_millis(10));
    let task = host.spawn_local(sleep(Duration::from_secs(3600)));
    host.run_until(|| task.is_finished()).unwrap();
    assert_eq!(host.now().since_start(), Duration::from_secs(3600));
    assert!(
        host.stats().guest_runs <= 3,
        "idle steps cost no guest runs"
    );
    let stuck = host.spawn_local(std::future::pending::<()>());
    assert_eq!(host.run_until(|| stuck.is_finished()), Err(Stalled));
}

#[test]
fn block_on_names_a_deadlock() {
    let panic = std::panic::catch_unwind(|| {
        TestHost::default().block_on(std::future::pending::<()>());
    })
    .unwrap_err();
    let message = panic
        .downcast_ref::<&str>()
        .map(|text| text.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    assert!(message.contains("can never finish"), "{message}");
}

#[test]
fn a_timer_between_steps_runs_at_the_next_step_and_sees_its_own_deadline() {
    let mut host = TestHost::new(Duration::from_millis(10));
    let seen = host.spawn_local(async {
        sleep(Duration::from_millis(35)).await;
        guestloop::now()
    });
    for _ in 0..3 {
        host.step();
    }
    assert!(!seen.is_finished(), "30 ms: not yet");
    host.step();
    assert_eq!(host.now().since_start(), Duration::from_millis(40));
    assert_eq!(
        host.block_on(seen).unwrap(),
        Instant::from_nanos(35_000_000)
    );
}
