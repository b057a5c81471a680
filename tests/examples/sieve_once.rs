//! One sieve to completion, on the executor, in the simulation or on tokio: the program the benchmark's
//! instruction counts are taken from (`valgrind --tool=callgrind`), since instruction counts do
//! not depend on what else the machine is doing.
//!
//! ```sh
//! cargo build --release -p guestloop-tests --example sieve_once
//! valgrind --tool=callgrind target/release/examples/sieve_once executor 1000
//! valgrind --tool=callgrind target/release/examples/sieve_once simulation 1000
//! valgrind --tool=callgrind target/release/examples/sieve_once tokio 500
//! ```
//!
//! The executor runs `run_sieve` on a fresh `TestHost` with a view that only counts events, as
//! the benchmark does; the simulation is `guestloop_tests::simulation::simulate`. Both print
//! the done tick and the marks, so a run can be checked against the other.

// The benchmark's tokio sieve, the same file: its instructions beside the executor's.
#[path = "../benches/sieve/tokio_sieve.rs"]
mod tokio_sieve;

use guestloop::sieve::{SieveConfig, SieveEvent, run_sieve};
use guestloop::testing::TestHost;
use guestloop_tests::simulation::simulate;
use std::cell::Cell;
use std::hint::black_box;
use std::rc::Rc;

fn main() {
    let mut args = std::env::args().skip(1);
    let usage = "usage: sieve_once executor|simulation|tokio SIDE";
    let what = args.next().expect(usage);
    let side: u32 = args.next().and_then(|s| s.parse().ok()).expect(usage);
    let config = SieveConfig::new(side, side).expect("a valid grid");
    let (done_tick, marked) = match what.as_str() {
        "executor" => {
            let mut host = TestHost::new(config.tick());
            let events = Rc::new(Cell::new(0u64));
            let counter = events.clone();
            let view = move |_: &SieveEvent| counter.set(counter.get() + 1);
            let summary = host.block_on(run_sieve(config, view));
            println!(
                "events {}, polls {}",
                events.get(),
                host.executor().stats().polls
            );
            (summary.done_tick, summary.marked)
        }
        "simulation" => {
            let simulation = black_box(simulate(config.numbers()));
            (simulation.done_tick, simulation.marked())
        }
        "tokio" => {
            let summary = tokio_sieve::run_on_tokio(config, |_: &SieveEvent| {});
            (summary.done_tick, summary.marked)
        }
        _ => panic!("{usage}"),
    };
    println!("done tick {done_tick}, marked {marked}");
}
