//! [`LoopHost`]: guestloop's [`BlockingLoop`] on the wall clock, with its executor, for benchmarks
//! and tests that need the host's clock to be real time (the virtual-time `TestHost` stands still
//! while it waits).

use guestloop::blocking_loop::BlockingLoop;
use guestloop::{Builder, Executor, Instant};

/// The wall clock: real time since the loop was made.
pub type WallClock = Box<dyn Fn() -> Instant>;

/// A wall clock that starts now.
pub fn wall_clock() -> WallClock {
    let started = std::time::Instant::now();
    Box::new(move || Instant::from_nanos(started.elapsed().as_nanos() as u64))
}

/// A blocking loop on the wall clock with its executor.
#[derive(Debug)]
pub struct LoopHost {
    event_loop: BlockingLoop<(), WallClock>,
    /// The executor the loop runs.
    pub executor: Executor,
}

impl LoopHost {
    /// A loop and an executor built on it by `builder`.
    pub fn new(builder: Builder) -> LoopHost {
        let event_loop = BlockingLoop::new(wall_clock());
        let executor = builder.build(event_loop.host());
        LoopHost {
            event_loop,
            executor,
        }
    }

    /// Runs the loop until `done` holds (checked after each turn), sleeping in between.
    pub fn run_until(&self, done: impl FnMut() -> bool) {
        self.event_loop.run_until(&self.executor, done);
    }
}
