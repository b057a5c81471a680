//! The host conformance kit on the terminal host's loop, driven without a terminal.

use guestloop::conformance::{self, Harness};
use guestloop::{Builder, Executor};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;
use tui_check::clock::Pace;
use tui_check::term_loop::{TermLoop, Until};

/// Each check gets a fresh loop and executor; the loop runs until the check's task is done.
struct TermHarness;

impl Harness for TermHarness {
    fn run(&mut self, builder: Builder, main: Pin<Box<dyn Future<Output = ()>>>) {
        let term_loop = TermLoop::new(Pace::RealTime);
        let executor: Executor = builder.build(term_loop.host());
        // A check that never finishes fails instead of hanging the test.
        let watchdog = executor.spawn_local(guestloop::sleep(Duration::from_secs(30)));
        let main = executor.spawn_local(main);
        term_loop.run(
            &executor,
            &mut Until(|| main.is_finished() || watchdog.is_finished()),
        );
        watchdog.abort();
        drop(executor);
    }
}

#[test]
fn the_terminal_host_passes_the_conformance_kit() {
    let report = conformance::run_all(&mut TermHarness);
    print!("{report}");
    report.assert_all_passed();
}
