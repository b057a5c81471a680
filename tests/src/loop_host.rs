//! [`LoopHost`]: a real-time host for a plain loop, for benchmarks and tests that need the
//! host's clock to be the wall clock (the virtual-time `TestHost` stands still while it waits).
//!
//! The loop of `guestloop::Host`'s own docs: it sleeps until its timer's deadline or a poke
//! from another thread, then runs the guest. Depends on `std` and guestloop's public API.

use guestloop::{Builder, Executor, Host, Instant, RunSoon};
use std::cell::Cell;
use std::rc::Rc;
use std::sync::{Arc, mpsc};
use std::time::Duration;

/// The host the executor sees.
#[derive(Debug)]
struct LoopSide {
    started: std::time::Instant,
    deadline: Rc<Cell<Option<Instant>>>,
    poke: mpsc::Sender<()>,
}

impl Host for LoopSide {
    fn now(&self) -> Instant {
        Instant::from_nanos(self.started.elapsed().as_nanos() as u64)
    }
    fn set_timer(&self, deadline: Option<Instant>) {
        self.deadline.set(deadline);
    }
    fn run_soon_handle(&self) -> RunSoon {
        let poke = self.poke.clone();
        Arc::new(move || {
            let _ = poke.send(()); // the loop may be gone: then this is a no-op
        })
    }
}

/// A plain loop with its executor.
#[derive(Debug)]
pub struct LoopHost {
    started: std::time::Instant,
    deadline: Rc<Cell<Option<Instant>>>,
    pokes: mpsc::Receiver<()>,
    /// The executor the loop runs.
    pub executor: Executor,
}

impl LoopHost {
    /// A loop and an executor built on it by `builder`.
    pub fn new(builder: Builder) -> LoopHost {
        let (poke, pokes) = mpsc::channel();
        let deadline = Rc::new(Cell::new(None));
        let started = std::time::Instant::now();
        let executor = builder.build(LoopSide {
            started,
            deadline: deadline.clone(),
            poke,
        });
        LoopHost {
            started,
            deadline,
            pokes,
            executor,
        }
    }

    /// Runs the loop until `done` holds (checked after each turn), sleeping in between.
    pub fn run_until(&self, mut done: impl FnMut() -> bool) {
        self.executor.run();
        while !done() {
            let now = Instant::from_nanos(self.started.elapsed().as_nanos() as u64);
            let wait = self
                .deadline
                .get()
                .map_or(Duration::MAX, |d| d.saturating_duration_since(now));
            let _ = self.pokes.recv_timeout(wait);
            self.executor.run();
        }
    }
}
