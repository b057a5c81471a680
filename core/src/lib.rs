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
//! assert_eq!(host.block_on(answer), Ok(42));
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
//!   run; the batch goes on there.
//! - **Coalesced wake-ups.** Any number of wakes between two runs, from any threads, cause one
//!   "run soon" request; the host is asked at most once between two runs.
//! - **The host is told the truth.** At the end of every run the host's timer is set to the
//!   earliest deadline, or disarmed when none is pending; a timer cancelled outside a run updates
//!   it at once. A timer that fires early costs a run, nothing else. A panic in a [`Host`]
//!   callback unwinds out of [`Executor::run`] and leaves the executor usable: the next wake asks
//!   the host again.
//! - **Timers belong to their executor.** A [`Sleep`] is on its executor's clock: polled by
//!   another executor's task it panics with a message; dropped anywhere on its executor's
//!   thread, in a task or not, it cancels its timer.
//! - **Panics stay in their task.** The task's [`JoinHandle`] yields [`JoinError::Panicked`], the
//!   executor's hook ([`Builder::on_task_panic`]) hears of it, every other task goes on. A panic
//!   in a task's destructor or in a foreign waker is reported the same way.
//! - **Cancellation is prompt.** [`JoinHandle::abort`] drops the future at once (on the host
//!   thread); dropping a [`JoinHandle`] detaches; a [`TaskGroup`] aborts its children when dropped.
//! - **Clean shutdown.** Dropping the [`Executor`] drops every task and timer and disarms the
//!   host's timer; later wakes are no-ops and [`Spawner::spawn`] returns [`ExecutorDestroyed`].
//!
//! # Modules
//!
//! - [`sieve`] and [`minimal`]: the two demo models (eratosthenes and minimal), written once as
//!   async code and drawn by any renderer.
//! - [`testing`]: the virtual-time [`TestHost`](testing::TestHost).
//! - [`conformance`]: checks any [`Host`] implementation can run against itself.
//!
//! `guestloop` depends on no UI toolkit and no terminal, and its executor never reads a wall
//! clock: all time comes from [`Host::now`]. (The [`conformance`] kit waits in real time: it tests
//! hosts whose clocks are real.)

mod batch;
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

pub mod conformance;
pub mod minimal;
pub mod primes;
pub mod sieve;
pub mod testing;

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
