//! The terminal host in real time (not fast-forward) writes the test host's trace: a late or
//! early-waking loop changes nothing in the sequence of events.

use guestloop::sieve::{SieveConfig, TraceWriter, run_sieve, trace_on_test_host};
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;
use tui_check::clock::Pace;
use tui_check::term_loop;

fn trace_on_terminal_host(config: SieveConfig) -> String {
    let writer = Rc::new(RefCell::new(TraceWriter::new(Vec::new())));
    let term_loop = term_loop::new(Pace::RealTime);
    let executor = term_loop::executor(&term_loop);
    let run = executor.spawn_local(run_sieve(config, writer.clone()));
    term_loop.run_until(&executor, || run.is_finished());
    drop(executor);
    let writer = Rc::try_unwrap(writer).ok().unwrap().into_inner();
    String::from_utf8(writer.finish().unwrap()).unwrap()
}

#[test]
fn real_time_traces_match_the_test_host() {
    for (rows, cols, tick_us) in [(1, 1, 100), (10, 10, 200), (7, 13, 50), (30, 30, 1)] {
        let config = SieveConfig::new(rows, cols)
            .unwrap()
            .with_tick(Duration::from_micros(tick_us))
            .unwrap();
        assert_eq!(
            trace_on_terminal_host(config),
            trace_on_test_host(&config),
            "{rows}x{cols}"
        );
    }
}
