//! The host conformance kit on the terminal host's loop, driven without a terminal.

use guestloop::conformance::{self, Harness, Watchdog};
use guestloop::{Builder, Executor};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tui_check::clock::Pace;
use tui_check::term_loop;

/// Each check gets a fresh loop and executor; the loop runs until the check's task is done.
struct TermHarness;

impl Harness for TermHarness {
    fn run(&mut self, builder: Builder, main: Pin<Box<dyn Future<Output = ()>>>) {
        let term_loop = term_loop::new(Pace::RealTime);
        let executor: Executor = builder.build(term_loop.host());
        let main = executor.spawn_local(main);
        // A host that never runs its guest fails the check instead of hanging the test.
        let gave_up = Arc::new(AtomicBool::new(false));
        let _watchdog = {
            let (gave_up, sender) = (gave_up.clone(), term_loop.sender());
            Watchdog::start(
                conformance::CHECK_LIMIT + Duration::from_secs(5),
                move || {
                    gave_up.store(true, Ordering::SeqCst);
                    sender.wake();
                },
            )
        };
        term_loop.run_until(&executor, || {
            main.is_finished() || gave_up.load(Ordering::SeqCst)
        });
        drop(executor);
    }
}

#[test]
fn the_terminal_host_passes_the_conformance_kit() {
    let report = conformance::run_all(&mut TermHarness);
    print!("{report}");
    report.assert_all_passed();
}

#[test]
fn the_terminal_host_passes_the_real_time_checks() {
    let report = conformance::run_real_time(&mut TermHarness);
    print!("{report}");
    report.assert_all_passed();
}
