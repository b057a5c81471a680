//! The [`Host`] trait: what an event loop must give a guest executor, and nothing more.
//!
//! Owns the seam between [`Executor`](crate::Executor) and a toolkit's loop (Qt, a terminal, a game
//! loop, the virtual-time [`TestHost`](crate::testing::TestHost)).

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
///   The executor sets the timer at the end of every run that leaves one pending, and disarms it
///   once none is, so a host need not forget a fired deadline by itself (it may). The timer
///   should not fire before `now()` reaches `d`: a host whose timer fires early costs an extra
///   run each time (the executor finds nothing due and sets the timer again), which a timer that
///   rounds down to whole milliseconds turns into a busy loop. Firing late is fine: the executor
///   catches up deadline by deadline, in order, so a late host produces the same sequence of
///   events as a punctual one (up to [`Builder::max_catch_up`](crate::Builder::max_catch_up)).
/// - **Run soon.** The [`RunSoon`] handle asks for a run *later*: it must not call `run` itself;
///   post an event to the loop instead. The executor calls it at most once between two runs,
///   however many tasks were woken, so a host may post one event per call without flooding its
///   queue. A run-soon that runs the guest at once (GLib's `MainContext::invoke` on the loop's
///   own thread does) loses no work and does not overflow the stack: a run it starts from inside
///   the executor's request at the end of a run returns at once, and the executor makes that run
///   itself as soon as the request returns, again and again while work is left. What it costs
///   is the host's loop: it gets no turn (its own timers, input, redraws) until the guest has
///   nothing left to do, so a task that keeps yielding freezes the toolkit.
///   [`ExecutorStats::runs_inside_run_soon`](crate::ExecutorStats::runs_inside_run_soon) counts
///   such runs: a host that is right keeps it at 0.
/// - **Re-entrancy.** Never call `run` from inside `run` (for example from a nested event loop
///   started by a task); such a call returns at once and does nothing.
/// - **Spurious calls** to `run` are harmless and cheap: the executor checks what is due.
/// - **Panics.** A panic in `now` or `set_timer` unwinds out of `run` to the host; the executor
///   stays usable. Before the panic leaves `run`, the executor calls the [`RunSoon`] handle if
///   work is left that no wake would bring back (queued tasks, or a timer `set_timer` failed to
///   set), so a host that catches the panic and goes on loses nothing; a host whose callback
///   panics every time is then asked for a run every time. Any later wake calls the handle again.
/// - **After the guest is dropped** the executor makes no further calls, but a [`RunSoon`] handle
///   in flight on another thread may still be called: the host must treat it as a no-op once it no
///   longer has a guest.
///
/// The conformance kit (`guestloop::conformance`, with the `conformance` feature) checks a host
/// against this contract. The [host guide](crate::guide) walks through writing a host for a new
/// toolkit (loops that block, toolkits with timer callbacks, frame loops), the mistakes to avoid
/// and how to test and measure the result; `guestloop-glib` and `guestloop-winit` are its worked
/// examples.
///
/// # Ready-made hosts
///
/// Two loop shapes need no host of your own: a thread that sleeps until a deadline or a message
/// ([`BlockingLoop`](crate::blocking_loop::BlockingLoop), about 60 lines of `Host` and loop, a
/// complete example to read in its source), and a loop that owns its frame rate
/// ([`FrameDriver`](crate::frame_loop::FrameDriver)). Toolkits have their own crates:
/// `guestloop-qt`, `guestloop-glib`, `guestloop-winit`; the [guide](crate::guide) has the rules
/// for the rest.
///
/// ```
/// use guestloop::blocking_loop::BlockingLoop;
/// use guestloop::{Executor, Instant};
/// use std::time::Duration;
///
/// let started = std::time::Instant::now();
/// let clock = move || Instant::from_nanos(started.elapsed().as_nanos() as u64);
/// let event_loop = BlockingLoop::<(), _>::new(clock);
/// let executor = Executor::new(event_loop.host());
/// let mut answer = executor.spawn_local(async {
///     guestloop::sleep(Duration::from_millis(20)).await;
///     42
/// });
/// event_loop.run_until(&executor, || answer.is_finished());
/// assert_eq!(answer.try_take().unwrap().unwrap(), 42);
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
