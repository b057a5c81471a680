//! The [`Host`] trait: what an event loop must give a guest executor, and nothing more.
//!
//! Owns the seam between [`Executor`](crate::Executor) and a toolkit's loop (Qt, a terminal, a game
//! loop, the virtual-time [`TestHost`](crate::testing::TestHost)). Depends only on [`Instant`].

use crate::Instant;
use std::sync::Arc;

/// A thread-safe "run the guest soon" request, handed out by [`Host::run_soon_handle`].
///
/// Calling it asks the host to call [`Executor::run`](crate::Executor::run) on the host thread soon.
/// It may be called from any thread, any number of times, also after the guest is gone.
pub type RunSoon = Arc<dyn Fn() + Send + Sync>;

/// What an event loop gives a guest: a clock, one timer, and a thread-safe "run soon".
///
/// This is Rust's version of trio's guest mode (`start_guest_run(run_sync_soon_threadsafe=…)`).
/// The executor keeps its own timer queue, its own ready queue and its own idea of time; the host
/// only tells it the time and calls it back.
///
/// # The host's one duty
///
/// Call [`Executor::run`](crate::Executor::run) on the host thread
/// - soon after the [`RunSoon`] handle was called (several calls may share one run), and
/// - once [`now`](Host::now) has reached the deadline last given to [`set_timer`](Host::set_timer).
///
/// # Contract
///
/// - **Threading.** The executor calls `now`, `set_timer` and `run_soon_handle` on the host thread
///   only. The [`RunSoon`] handle may be called from any thread, concurrently.
/// - **Clock.** `now` is monotonic, starts near [`Instant::ZERO`], and never goes backwards.
/// - **One timer.** `set_timer(Some(d))` replaces the previous deadline; `set_timer(None)` disarms.
///   The timer is one-shot: once it fired, the host forgets it. It must not fire before `now()`
///   reaches `d`; firing late is fine (the executor catches up deadline by deadline, in order, so
///   a late host produces the same sequence of events as a punctual one).
/// - **Re-entrancy.** Never call `run` from inside `run` (for example from a nested event loop
///   started by a task); such a call returns at once and does nothing.
/// - **Spurious calls** to `run` are harmless and cheap: the executor checks what is due.
/// - **Coalescing.** The executor calls the [`RunSoon`] handle at most once between two runs, however
///   many tasks were woken, so a host may post one event per call without flooding its queue.
/// - **After the guest is dropped** the executor makes no further calls, but a [`RunSoon`] handle
///   in flight on another thread may still be called: the host must treat it as a no-op once it no
///   longer has a guest.
///
/// # Example: a host for a plain loop in 40 lines
///
/// A game loop or a toolkit without async support looks like this: it sleeps until the next
/// deadline or until another thread pokes it, then runs the guest.
///
/// ```
/// use guestloop::{Executor, Host, Instant, RunSoon};
/// use std::cell::Cell;
/// use std::rc::Rc;
/// use std::sync::{mpsc, Arc};
/// use std::time::Duration;
///
/// struct LoopHost {
///     started: std::time::Instant,
///     deadline: Rc<Cell<Option<Instant>>>,
///     poke: mpsc::Sender<()>,
/// }
///
/// impl Host for LoopHost {
///     fn now(&self) -> Instant {
///         Instant::from_nanos(self.started.elapsed().as_nanos() as u64)
///     }
///     fn set_timer(&self, deadline: Option<Instant>) {
///         self.deadline.set(deadline);
///     }
///     fn run_soon_handle(&self) -> RunSoon {
///         let poke = self.poke.clone();
///         Arc::new(move || {
///             let _ = poke.send(()); // the loop may be gone: then this is a no-op
///         })
///     }
/// }
///
/// let (poke, pokes) = mpsc::channel();
/// let deadline = Rc::new(Cell::new(None));
/// let started = std::time::Instant::now();
/// let executor = Executor::new(LoopHost { started, deadline: deadline.clone(), poke });
///
/// let answer = executor.spawn_local(async {
///     guestloop::sleep(Duration::from_millis(20)).await;
///     42
/// });
///
/// // The host's loop: wait for a poke or the deadline, then run the guest.
/// while !answer.is_finished() {
///     let now = Instant::from_nanos(started.elapsed().as_nanos() as u64);
///     let wait = deadline.get().map_or(Duration::MAX, |d| d.saturating_duration_since(now));
///     let _ = pokes.recv_timeout(wait);
///     executor.run();
/// }
/// assert!(started.elapsed() >= Duration::from_millis(20));
/// ```
pub trait Host: 'static {
    /// Time since the host started, from a monotonic clock.
    fn now(&self) -> Instant;

    /// Arms the host's one timer for `deadline` (replacing any earlier one), or disarms it (`None`).
    fn set_timer(&self, deadline: Option<Instant>);

    /// A handle that asks the host to run the guest soon; callable from any thread.
    ///
    /// The executor asks once, at construction, and keeps the handle.
    fn run_soon_handle(&self) -> RunSoon;
}
