//! The eratosthenes demo as async code: one task per prime crosses out its multiples, tick by tick.
//!
//! Owns the model only: which number is marked when, in which colour, and the status line. It tells
//! a [`SieveView`] what happened through [`SieveEvent`]s; renderers (Qt, a terminal, the snapshot
//! tests) draw those and never see a task.
//!
//! # The rules (those of the PySide6 example, made deterministic)
//!
//! On a [`TickClock`] with the configured tick, starting when [`run_sieve`] is first polled:
//! - The **main task** starts the status task; then, while `2·base ≤ N`: it waits one tick, makes
//!   the first unmarked number after `base` the new base (stopping if there is none) and spawns a
//!   marker for it. Then, checking at once and after each tick, it waits until no marker is
//!   active, and declares the sieve done.
//! - A **marker** for `b` picks a colour, then for each multiple `m = 2b, 3b, … ≤ N` marks `m` if it
//!   is unmarked and waits one tick (every step, marked or not). It is active from its spawn.
//! - The **status task** shows, each tick, "Calculating…" in odd seconds of `t + tick` and
//!   "Hacking…" in even ones; once the sieve is done it shows the congratulation.
//!
//! Every wait is "until the next tick" of the one shared clock, counted from the tick being
//! processed, so the trace is the same on every host, however late it runs.

mod colour;
mod config;
mod frame;
mod trace;

pub use colour::Rgb;
pub use config::{
    ConfigError, DEFAULT_SEED, DEFAULT_SIZE, DEFAULT_TICK, MAX_NUMBERS, MAX_TICK, MIN_TICK,
    SieveConfig, parse_tick,
};
pub use frame::Frame;
pub use trace::{TraceWriter, trace_on_test_host};

use crate::{MissedTicks, TaskGroup, TickClock};
use colour::ColourSource;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// The status line's three texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// Shown in odd seconds.
    Calculating,
    /// Shown in even seconds.
    Hacking,
    /// Shown once every marker has finished.
    Congratulations,
}

impl Status {
    /// The text to show, as in the PySide6 example.
    pub fn text(self) -> &'static str {
        match self {
            Status::Calculating => "⚙️ ...Calculating prime numbers... ⚙️",
            Status::Hacking => "👩‍💻 ...Hacking the universe... 👩‍💻",
            Status::Congratulations => {
                "🥳 Congratulations! You found all the prime numbers and solved mathematics. 🥳"
            }
        }
    }
}

/// Something that happened in the sieve, at a tick (tick 1 ends the first wait).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SieveEvent {
    /// A marker crossed out `number`, drawn in the marker's `colour`.
    Marked {
        /// When.
        tick: u64,
        /// The number crossed out (a composite in `4..=N`).
        number: u32,
        /// Its marker's colour.
        colour: Rgb,
    },
    /// The status line changed (it is re-sent every tick).
    Status {
        /// When.
        tick: u64,
        /// What it shows now.
        status: Status,
    },
    /// Every marker has finished: the grid is final. The last event of a run.
    Done {
        /// The tick at which the main task declared the sieve done.
        tick: u64,
        /// How many numbers are marked.
        marked: u32,
    },
}

impl SieveEvent {
    /// The tick the event happened at.
    pub fn tick(&self) -> u64 {
        match *self {
            SieveEvent::Marked { tick, .. }
            | SieveEvent::Status { tick, .. }
            | SieveEvent::Done { tick, .. } => tick,
        }
    }
}

/// Where a sieve run reports what happens; a renderer, a recorder, a trace writer.
///
/// Closures taking `&SieveEvent` are views; so are `Rc<RefCell<V>>` (to read a view the run
/// writes to) and pairs `(A, B)` (to feed two views).
pub trait SieveView {
    /// Called on the host thread, from inside the task that caused the event.
    fn show(&mut self, event: &SieveEvent);
}

impl<F: FnMut(&SieveEvent)> SieveView for F {
    fn show(&mut self, event: &SieveEvent) {
        self(event);
    }
}

impl<V: SieveView> SieveView for Rc<RefCell<V>> {
    fn show(&mut self, event: &SieveEvent) {
        self.borrow_mut().show(event);
    }
}

impl<A: SieveView, B: SieveView> SieveView for (A, B) {
    fn show(&mut self, event: &SieveEvent) {
        self.0.show(event);
        self.1.show(event);
    }
}

/// How a sieve run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SieveSummary {
    /// The tick at which the sieve was declared done.
    pub done_tick: u64,
    /// How many numbers were marked.
    pub marked: u32,
}

/// The state the sieve's tasks share.
struct Sieve<V> {
    numbers: u32,
    clock: TickClock,
    marked: RefCell<Vec<bool>>,
    marked_count: Cell<u32>,
    active_markers: Cell<u32>,
    done: Cell<bool>,
    colours: RefCell<ColourSource>,
    view: RefCell<V>,
}

impl<V: SieveView> Sieve<V> {
    fn show(&self, event: SieveEvent) {
        self.view.borrow_mut().show(&event);
    }

    fn first_unmarked_after(&self, base: u32) -> Option<u32> {
        let marked = self.marked.borrow();
        (base + 1..=self.numbers).find(|&n| !marked[n as usize])
    }

    /// Marks `number` at `tick` unless it is marked already.
    fn mark(&self, tick: u64, number: u32, colour: Rgb) {
        let newly = !std::mem::replace(&mut self.marked.borrow_mut()[number as usize], true);
        if newly {
            self.marked_count.set(self.marked_count.get() + 1);
            self.show(SieveEvent::Marked {
                tick,
                number,
                colour,
            });
        }
    }
}

/// Runs the sieve described by `config` on the current executor, reporting to `view`, and returns
/// once it is done. Dropping the future stops every task it started.
///
/// ```
/// use guestloop::sieve::{SieveConfig, SieveEvent, run_sieve};
/// use guestloop::testing::TestHost;
/// use std::{cell::RefCell, rc::Rc};
///
/// let config = SieveConfig::new(10, 10)?;
/// let mut host = TestHost::new(config.tick());
/// let early = Rc::new(RefCell::new(Vec::new()));
/// let log = early.clone();
/// let view = move |event: &SieveEvent| {
///     if let SieveEvent::Marked { tick: 1..=3, number, .. } = *event {
///         log.borrow_mut().push(number);
///     }
/// };
/// let summary = host.block_on(run_sieve(config, view));
/// assert_eq!(*early.borrow(), [4, 6, 8, 9, 10]);
/// assert_eq!((summary.done_tick, summary.marked), (51, 74));
/// # Ok::<(), guestloop::sieve::ConfigError>(())
/// ```
///
/// # Panics
/// Outside a task running on a guestloop executor.
pub async fn run_sieve(config: SieveConfig, view: impl SieveView + 'static) -> SieveSummary {
    let numbers = config.numbers();
    let sieve = Rc::new(Sieve {
        numbers,
        clock: TickClock::starting_now(config.tick()),
        marked: RefCell::new(vec![false; numbers as usize + 1]),
        marked_count: Cell::new(0),
        active_markers: Cell::new(0),
        done: Cell::new(false),
        colours: RefCell::new(ColourSource::new(config.seed())),
        view: RefCell::new(view),
    });
    let mut tasks = TaskGroup::new();
    tasks.spawn_local(show_status(sieve.clone()));
    // Each task waits only on its own stream of the shared clock's ticks, so its next tick is
    // always the one after the tick being processed.
    let mut ticks = sieve.clock.interval(MissedTicks::CatchUp);
    let mut tick = 0;
    let mut base = 1;
    while 2 * u64::from(base) <= u64::from(numbers) {
        tick = ticks.tick().await;
        let Some(next) = sieve.first_unmarked_after(base) else {
            break;
        };
        base = next;
        sieve.active_markers.set(sieve.active_markers.get() + 1);
        tasks.spawn_local(cross_out_multiples(sieve.clone(), base));
    }
    while sieve.active_markers.get() > 0 {
        tick = ticks.tick().await;
    }
    sieve.done.set(true);
    // The status task shows the congratulation in this same tick, then ends.
    if let Err(error) = tasks.join().await {
        panic!("a sieve task failed: {error}");
    }
    let marked = sieve.marked_count.get();
    sieve.show(SieveEvent::Done { tick, marked });
    SieveSummary {
        done_tick: tick,
        marked,
    }
}

/// A marker: crosses out the multiples of `base`, one per tick.
async fn cross_out_multiples<V: SieveView>(sieve: Rc<Sieve<V>>, base: u32) {
    let colour = sieve.colours.borrow_mut().next_colour();
    let mut ticks = sieve.clock.interval(MissedTicks::CatchUp);
    let mut tick = sieve.clock.current_tick();
    let last = u64::from(sieve.numbers);
    let mut multiple = 2 * u64::from(base);
    while multiple <= last {
        sieve.mark(tick, multiple as u32, colour);
        tick = ticks.tick().await;
        multiple += u64::from(base);
    }
    sieve.active_markers.set(sieve.active_markers.get() - 1);
}

/// The status task: alternates each second of tick time, congratulates when done.
async fn show_status<V: SieveView>(sieve: Rc<Sieve<V>>) {
    let period = sieve.clock.period().as_nanos();
    let mut ticks = sieve.clock.interval(MissedTicks::CatchUp);
    let mut tick = sieve.clock.current_tick();
    while !sieve.done.get() {
        tick = ticks.tick().await;
        if sieve.done.get() {
            break;
        }
        let seconds = (u128::from(tick) + 1) * period / 1_000_000_000;
        let status = if seconds % 2 == 1 {
            Status::Calculating
        } else {
            Status::Hacking
        };
        sieve.show(SieveEvent::Status { tick, status });
    }
    sieve.show(SieveEvent::Status {
        tick,
        status: Status::Congratulations,
    });
}
