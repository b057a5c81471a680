//! Run async Rust as a **guest** inside somebody else's event loop.
//!
//! A GUI toolkit (Qt, GTK), a terminal loop or a game loop owns the thread and its event loop.
//! `guestloop` runs futures there anyway, the way trio's guest mode does for Python: the host
//! implements a three-method [`Host`] trait (a clock, one timer, a thread-safe "run soon"), and
//! calls [`Executor::run`] when its timer fires or a run was requested. Everything else, the
//! ready queue, the timer queue, time itself, lives in the guest.
//!
//! ```
//! use guestloop::testing::TestHost;
//! use std::time::Duration;
//!
//! // A host with virtual time; a real one would be Qt's event loop or a terminal's.
//! let mut host = TestHost::new(Duration::from_millis(10));
//! let answer = host.spawn_local(async {
//!     // `!Send` futures are fine: everything runs on the host's thread.
//!     let shared = std::rc::Rc::new(6);
//!     let helper = guestloop::spawn_local({
//!         let shared = shared.clone();
//!         async move { *shared * 7 }
//!     });
//!     guestloop::sleep(Duration::from_secs(1)).await;
//!     helper.await.unwrap()
//! });
//! assert_eq!(host.block_on(answer).unwrap(), 42);
//! assert_eq!(host.now().since_start(), Duration::from_secs(1));
//! ```
//!
//! # What the executor promises
//!
//! - **Deterministic order.** Timers due at the same instant fire in the order they were armed;
//!   a task spawned or woken during a batch runs after the tasks already woken in it, in the same
//!   batch. A late host gets the due deadlines processed one by one, in order, each at its exact
//!   instant, so the sequence of events is the same on every host, as long as the host is late
//!   by less than the catch-up bound ([`Builder::max_catch_up`], default 1 s).
//! - **Bounded catch-up.** Past that bound (a suspend, a debugger, a long blocking call on the
//!   host thread) the guest clock jumps to the host's time: every due timer fires at once, in
//!   deadline order, each task sees the host's time, and [`ExecutorStats::clock_jumps`] counts
//!   the jump. An [`Interval`] then delivers the ticks it skipped as its [`MissedTicks`] says.
//! - **Timers are never starved.** A task that wakes itself while being polled ([`yield_now`],
//!   a self-waking future) is polled again only after every other task woken in the batch has
//!   run and the executor has looked at the host's clock; tasks woken during a batch make the
//!   executor look after every poll budget of them. If a timer is due at a look, the batch ends
//!   there: the due timers fire and their tasks run first, then the tasks the batch had left.
//!   So no task, and no group of tasks that keep waking one another, holds a due timer back for
//!   more than one poll budget of polls. A batch that stays under the budget (the sieve's
//!   batches do) is never cut, so its order does not depend on the host's timing.
//! - **Drift-free ticks.** Tasks read the *guest clock* ([`now`]), which stands still during a batch
//!   and jumps to each deadline exactly; a [`TickClock`] puts tick `k` at `origin + k·period`.
//!   Time is integer nanoseconds everywhere.
//! - **Bounded runs.** One run polls at most a budget of tasks and takes in at most a budget of
//!   fired timers and tasks from other threads, then yields to the host, asking it for another
//!   run; the batch goes on there. No future gets around it: an [`Interval`] that catches up
//!   costs a poll per tick (see [`MissedTicks`]), and timers that were armed and cancelled cost
//!   nothing when their instant comes.
//! - **Coalesced wake-ups.** Any number of wakes between two runs, from any threads, cause one
//!   "run soon" request; the host is asked at most once between two runs.
//! - **The host is told the truth.** At the end of every run the host's timer is set to the
//!   earliest deadline, or disarmed when none is pending; a timer cancelled outside a run updates
//!   it at once. A timer that fires early costs a run, nothing else. A panic in a [`Host`]
//!   callback unwinds out of [`Executor::run`] and leaves the executor usable: before it does, the
//!   executor asks the host for another run if anything is left that no wake would bring back
//!   (tasks queued, work from other threads, a timer the host may not hold), and any later wake
//!   asks again.
//! - **Timers belong to their executor.** A [`Sleep`] is on its executor's clock: polled by
//!   another executor's task it panics with a message; dropped anywhere on its executor's
//!   thread, in a task or not, it cancels its timer.
//! - **Panics stay in their task.** The task's [`JoinHandle`] yields a [`JoinError`] that keeps
//!   the panic's payload, the executor's hook ([`Builder::on_task_panic`]) hears of it, every
//!   other task goes on. A panic in a task's destructor or in a foreign waker (one a timer was
//!   given, or one awaiting a [`JoinHandle`]) is reported the same way, and the task's slot is
//!   freed; one in the destructor of a panic's payload is caught wherever the payload is
//!   dropped: nothing but the host's own callbacks unwinds out of a run.
//! - **Cancellation is prompt.** Once [`JoinHandle::abort`] has returned, the future is never
//!   polled again, from whatever thread it was called: on the host thread it is dropped before
//!   `abort` returns, from another thread at the executor's next run (also if the task was
//!   already queued). Dropping a [`JoinHandle`] detaches; a [`TaskGroup`] aborts its children
//!   when dropped. A handle never reaches another task than its own, however many tasks come
//!   and go after it.
//! - **Clean shutdown.** Dropping the [`Executor`] drops every task and timer and disarms the
//!   host's timer; later wakes are no-ops and [`Spawner::spawn`] returns [`ExecutorDestroyed`].
//!
//! # Work off the host thread
//!
//! Every task runs on the host's thread, usually the UI thread: a task that blocks (a file
//! read, a blocking library call, a long computation) freezes the window. [`unblock`](fn@crate::unblock) runs such
//! work on a pool of worker threads and gives a [`JoinHandle`] to await; the result comes back
//! to the task, on the host's thread, through the host's run-soon.
//!
//! ```
//! use guestloop::testing::TestHost;
//! use std::time::Duration;
//!
//! let mut host = TestHost::default();
//! host.set_patience(Duration::from_secs(10)); // the worker's wake comes from another thread
//! let lines = host.block_on(async {
//!     // Blocking I/O, off the host's thread; the task awaits it without blocking anything.
//!     guestloop::unblock(|| std::fs::read_to_string("Cargo.toml").map(|text| text.lines().count()))
//!         .await
//! });
//! assert!(lines.unwrap().unwrap() > 5);
//! ```
//!
//! **Progress** from long work comes back through a channel whose sending side does not block,
//! such as `async-channel`'s: the worker sends, a task on the host's thread receives and draws.
//!
//! ```
//! use guestloop::testing::TestHost;
//! use std::time::Duration;
//!
//! let mut host = TestHost::default();
//! host.set_patience(Duration::from_secs(10));
//! let seen = host.block_on(async {
//!     let (progress, updates) = async_channel::unbounded();
//!     let work = guestloop::unblock(move || {
//!         for step in 1..=4 {
//!             // ... a quarter of the work ...
//!             let _ = progress.send_blocking(step); // the UI may be gone: then nobody listens
//!         }
//!     });
//!     let mut seen = Vec::new();
//!     while let Ok(step) = updates.recv().await {
//!         seen.push(step); // show it: this runs on the host's thread
//!     }
//!     work.await.unwrap();
//!     seen
//! });
//! assert_eq!(seen, [1, 2, 3, 4]);
//! ```
//!
//! **Cancellation** cannot interrupt a closure that runs: [`JoinHandle::abort`] resolves the
//! handle at once, but the work finishes on its thread. Work that should stop early checks a
//! [`CancelToken`], and a guard in the task sets it when the task is aborted or dropped:
//!
//! ```
//! use guestloop::CancelToken;
//! use guestloop::testing::TestHost;
//! use std::time::Duration;
//!
//! let mut host = TestHost::default();
//! let token = CancelToken::new();
//! let worker = token.clone();
//! // Made before the task is spawned: a task aborted before its first poll sets it too.
//! let stop = worker.clone().cancel_on_drop();
//! let search = host.spawn_local(async move {
//!     let _stop = stop;
//!     guestloop::unblock(move || {
//!         let mut rounds = 0u64;
//!         while !worker.is_cancelled() {
//!             rounds += 1; // a slice of a search that could go on for hours
//!             std::thread::sleep(Duration::from_millis(1));
//!         }
//!         rounds
//!     })
//!     .await
//! });
//! host.run_pending(); // the search starts
//! search.abort(); // the task is dropped, the guard sets the token, the work stops
//! assert!(token.is_cancelled());
//! ```
//!
//! **Split long work into jobs** of a few milliseconds to a few tens of milliseconds each: a
//! cancelled count then stops within one job, progress can be shown between jobs, and several
//! jobs in flight use several cores. Handing a job over and its result back costs tens of
//! microseconds, so jobs much shorter than that are better batched. The primes demo counts
//! a segment of 2²⁴ numbers per job, a few milliseconds each, at most one per core at a time.
//!
//! # Using tokio-based crates
//!
//! guestloop has no reactor, so tokio's timers and sockets do not work in a guest task: they
//! panic ("there is no reactor running"). Crates built on tokio (reqwest, sqlx, tonic) run on a
//! tokio runtime beside the host's thread, and a guest task awaits their work through the
//! runtime's `JoinHandle`. guestloop's wakers are `Send`, so tokio's threads wake the task, and
//! the result arrives on the host's thread, where the UI can use it.
//!
//! ```
//! use guestloop::testing::TestHost;
//! use std::time::Duration;
//!
//! let runtime = tokio::runtime::Runtime::new().unwrap(); // for the app's whole life
//! let tokio = runtime.handle().clone();
//! let mut host = TestHost::default();
//! host.set_patience(Duration::from_secs(10));
//! let body = host.block_on(async move {
//!     // reqwest::get(url).await?.text().await would go here: on the runtime, not the guest.
//!     let request = tokio.spawn(async {
//!         tokio::time::sleep(Duration::from_millis(5)).await;
//!         "the response body"
//!     });
//!     request.await.unwrap() // back on the host's thread
//! });
//! assert_eq!(body, "the response body");
//! ```
//!
//! The example `core/examples/tokio_echo.rs` does this with a TCP echo server on the runtime.
//!
//! # Modules
//!
//! - [`blocking_loop`] and [`frame_loop`]: ready-made hosts for the two plainest loops, a
//!   thread that sleeps until a deadline or a message ([`BlockingLoop`](blocking_loop::BlockingLoop))
//!   and a loop that owns its frame rate ([`FrameDriver`](frame_loop::FrameDriver)), on a
//!   [`Clock`] the application gives them.
//! - [`testing`]: the virtual-time [`TestHost`](testing::TestHost).
//!
//! # Features
//!
//! None is on by default: a plain `guestloop` is the executor and nothing else.
//!
//! - `conformance`: the `conformance` module, checks any [`Host`] implementation runs against
//!   itself (for a host's own tests, as tokio's `test-util` is; it waits in real time, since it
//!   tests hosts whose clocks are real).
//! - `demos`: the `sieve`, `minimal` and `primes` modules, the models of this project's demo
//!   applications, written once as async code and drawn by any renderer.
//!
//! # Hosts
//!
//! Hosts for real event loops are crates of their own, each with a guide on its front page:
//! [`guestloop-qt`](https://docs.rs/guestloop-qt) (a cxx-qt application's Qt thread),
//! [`guestloop-glib`](https://docs.rs/guestloop-glib) (GLib's main loop: GTK, GStreamer) and
//! [`guestloop-winit`](https://docs.rs/guestloop-winit) (winit 0.30). To write one for another
//! loop, read the host guide, [`guide`].
//!
//! `guestloop` depends on no UI toolkit and no terminal, and never reads a wall clock: all time
//! comes from [`Host::now`] (the ready-made loops get theirs from a [`Clock`] the application
//! gives them).

mod batch;
mod cancel;
mod clock;
mod context;
mod executor;
mod group;
mod host;
mod instant;
mod local;
mod shared;
mod spawner;
mod sync;
mod task;
mod tick;
mod time;
mod timer_queue;
mod unblock;
mod waker_slab;

pub mod blocking_loop;
#[cfg(feature = "conformance")]
pub mod conformance;
// The README's example, compiled and run with the doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctest;
// Rendered by rustdoc only, and not doctested here: its snippets need hosts this crate does not
// depend on, and `docs/guide/` (a crate of the workspace) compiles and runs them as doctests.
#[cfg(all(doc, not(doctest)))]
#[doc = include_str!("../docs/implementing-a-host.md")]
pub mod guide {}
pub mod frame_loop;
#[cfg(feature = "demos")]
pub mod minimal;
#[cfg(feature = "demos")]
pub mod primes;
#[cfg(feature = "demos")]
pub mod sieve;
pub mod testing;

pub use cancel::{CancelOnDrop, CancelToken, Cancelled};
pub use clock::Clock;
pub use executor::{
    Builder, DEFAULT_MAX_CATCH_UP, DEFAULT_POLL_BUDGET, Executor, ExecutorStats, Handle,
};
pub use group::TaskGroup;
pub use host::{Host, RunSoon};
pub use instant::Instant;
pub use spawner::{ExecutorDestroyed, Spawner};
pub use task::{JoinError, JoinHandle, TaskPanic};
pub use tick::{Interval, MissedTicks, NextTick, TickClock};
pub use time::{Elapsed, Sleep, Timeout, YieldNow, now, sleep, sleep_until, timeout, yield_now};
pub use unblock::{UnblockStats, unblock, unblock_stats};

use std::future::Future;

/// Spawns a future on the executor running the current task. See [`Handle::spawn_local`].
///
/// # Panics
/// Outside a task running on a guestloop executor.
#[track_caller]
pub fn spawn_local<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    Handle::current().spawn_local(future)
}
