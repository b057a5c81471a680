//! [`FrameDriver`]: runs a guest from a loop that owns its frame rate (a game loop, a render
//! loop), called once a frame.
//!
//! Owns the rule such a loop must follow: run the guest only when it asked or its timer is
//! due, and again within the same frame while it keeps asking, up to a slice of the frame.

use crate::{Clock, Executor, Host, Instant, RunSoon};
use std::cell::Cell;
use std::fmt;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How much of a frame [`FrameDriver::frame`] may give the guest, by default.
pub const DEFAULT_SLICE: Duration = Duration::from_millis(4);

/// The guest's side of a frame loop: build an [`Executor`] on [`host`](Self::host), then call
/// [`frame`](Self::frame) once a frame.
///
/// # The rule
///
/// A frame runs the guest if its run-soon was called since the last run, or the clock has
/// reached the deadline of its timer; otherwise not at all (a loop that runs the guest on every
/// frame although nothing is due fails the conformance kit). After a run it runs the guest
/// again while the run asked for another (a batch bigger than the poll budget, a task that
/// keeps yielding, due deadlines to catch up on), until the guest is done or the frame's
/// [slice](Self::with_slice) of the clock is spent. Running only once a frame would cap the
/// guest at one poll budget a frame: a busy guest would fall behind the clock until its clock
/// jumps.
///
/// # What it costs
///
/// The guest runs only inside `frame`, so a timer fires up to a frame late (the executor still
/// replays each deadline at its exact instant, so the sequence of events does not change), and
/// a wake from another thread waits for the next frame: at 60 fps, up to 16.7 ms. A guest that
/// is busy takes up to the slice of each frame, then waits for the next.
///
/// ```
/// use guestloop::frame_loop::FrameDriver;
/// use guestloop::{Executor, Instant};
/// use std::time::Duration;
///
/// let started = std::time::Instant::now();
/// let driver = FrameDriver::new(move || Instant::from_nanos(started.elapsed().as_nanos() as u64));
/// let executor = Executor::new(driver.host());
/// let answer = executor.spawn_local(async {
///     guestloop::sleep(Duration::from_millis(30)).await;
///     42
/// });
///
/// // The game loop: update, draw, and give the guest its turn once a frame.
/// while !answer.is_finished() {
///     driver.frame(&executor);
///     std::thread::sleep(Duration::from_millis(16)); // the rest of the frame
/// }
/// assert!(started.elapsed() >= Duration::from_millis(30));
/// ```
pub struct FrameDriver<C: Clock> {
    state: Rc<State<C>>,
    asked: Arc<AtomicBool>,
    slice: Duration,
}

/// What the driver shares with its host.
struct State<C> {
    clock: C,
    deadline: Cell<Option<Instant>>,
}

impl<C: Clock> FrameDriver<C> {
    /// A driver on `clock` with the [`DEFAULT_SLICE`] of 4 ms a frame.
    pub fn new(clock: C) -> FrameDriver<C> {
        FrameDriver {
            state: Rc::new(State {
                clock,
                deadline: Cell::new(None),
            }),
            // A new executor asks for nothing until a task is spawned, which asks.
            asked: Arc::new(AtomicBool::new(false)),
            slice: DEFAULT_SLICE,
        }
    }

    /// How much of the clock one [`frame`](Self::frame) may spend running the guest again
    /// while it asks. The first run of a frame is always made; `Duration::ZERO` means one run a
    /// frame, which also suits a clock that stands still within a frame (a frame counter).
    #[must_use]
    pub fn with_slice(mut self, slice: Duration) -> FrameDriver<C> {
        self.slice = slice;
        self
    }

    /// The [`Host`] of this driver, for [`Executor::new`] or
    /// [`Builder::build`](crate::Builder::build).
    pub fn host(&self) -> FrameHost<C> {
        FrameHost {
            state: self.state.clone(),
            asked: self.asked.clone(),
        }
    }

    /// The driver's clock.
    pub fn clock(&self) -> &C {
        &self.state.clock
    }

    /// Whether the guest needs a run now: it asked for one, or its timer is due. A loop that
    /// sleeps while nothing happens can sleep until [`deadline`](Self::deadline) when not.
    pub fn wants_to_run(&self) -> bool {
        self.asked.load(Ordering::Acquire) || self.timer_due()
    }

    /// The deadline of the guest's timer, if armed.
    pub fn deadline(&self) -> Option<Instant> {
        self.state.deadline.get()
    }

    /// Gives the guest its turn in this frame, as [the rule](Self#the-rule) says, and returns
    /// how many runs it made (0 when nothing was asked or due).
    ///
    /// `executor` must have been built on this driver's [`host`](Self::host).
    pub fn frame(&self, executor: &Executor) -> usize {
        let clock = &self.state.clock;
        let start = clock.now();
        let mut runs = 0;
        loop {
            let asked = self.asked.swap(false, Ordering::AcqRel);
            let due = self.timer_due();
            if !asked && !due {
                return runs;
            }
            if due {
                self.state.deadline.set(None); // the timer is one-shot: it fired
            }
            executor.run();
            runs += 1;
            if clock.now().saturating_duration_since(start) >= self.slice {
                return runs;
            }
        }
    }

    fn timer_due(&self) -> bool {
        let State { clock, deadline } = &*self.state;
        deadline
            .get()
            .is_some_and(|deadline| clock.now() >= deadline)
    }
}

impl<C: Clock> fmt::Debug for FrameDriver<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FrameDriver")
            .field("deadline", &self.state.deadline.get())
            .field("asked", &self.asked.load(Ordering::Relaxed))
            .field("slice", &self.slice)
            .finish_non_exhaustive()
    }
}

/// The [`Host`] of a [`FrameDriver`].
///
/// - `now`: the driver's [`Clock`].
/// - `set_timer`: records the one deadline; the frame that finds it passed runs the guest.
/// - `run_soon_handle`: sets a flag the next frame reads (from any thread; a no-op once the
///   driver is gone, as nothing reads it).
pub struct FrameHost<C: Clock> {
    state: Rc<State<C>>,
    asked: Arc<AtomicBool>,
}

impl<C: Clock> Host for FrameHost<C> {
    fn now(&self) -> Instant {
        self.state.clock.now()
    }

    fn set_timer(&self, deadline: Option<Instant>) {
        self.state.deadline.set(deadline);
    }

    fn run_soon_handle(&self) -> RunSoon {
        let asked = self.asked.clone();
        Arc::new(move || asked.store(true, Ordering::Release))
    }
}

impl<C: Clock> fmt::Debug for FrameHost<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FrameHost")
            .field("deadline", &self.state.deadline.get())
            .finish_non_exhaustive()
    }
}
