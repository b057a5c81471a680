//! The part of an executor other threads reach: the queues they hand work to, and the
//! "run requested" handshake that turns any number of wakes into one call of the host's run-soon.
//!
//! Owns every cross-thread atomic of the executor (through [`crate::sync`], so that a loom model
//! checks it). It knows nothing of batches or timers.
//!
//! # The handshake
//!
//! One atomic word holds three bits: `RUN_REQUESTED`, and a "pending" bit per inbox. Every
//! change to it is a read-modify-write, so all of them are ordered, and no rule relies on a
//! store and a later load of two different places.
//!
//! - A waker on another thread (or outside a run) pushes the task's id into an [`Inbox`] and, under
//!   the inbox's lock, sets that inbox's pending bit and `RUN_REQUESTED` in one `fetch_or`. If
//!   `RUN_REQUESTED` was clear, it asks the host; otherwise a run is already requested or in
//!   progress, and that run will see the work.
//! - A run sets `RUN_REQUESTED` for its whole duration ([`Shared::begin_run`]). At its end,
//!   [`Shared::end_run`] clears it only if no pending bit is set (one compare-and-swap); if one
//!   is, the flag stays set and the run asks the host for the next run itself.
//! - A task's [`RemoteWakeFlag`] keeps its id in the inbox at most once; the executor releases
//!   the flag *before* polling the task, so a wake after that poll started queues it again.

use crate::RunSoon;
use crate::sync::{AtomicBool, AtomicU64, AtomicUsize, Mutex, Ordering, lock};
use crate::task::{RemoteTask, TaskId};
use std::collections::VecDeque;

/// Set while a run is requested *or in progress*: wakes then need not ask the host again.
const RUN_REQUESTED: usize = 1;
/// Set while the ready inbox may hold ids.
const READY_PENDING: usize = 2;
/// Set while the remote inbox may hold futures.
const REMOTE_PENDING: usize = 4;

/// A queue other threads push into and the host thread takes from, in bounded slices.
pub(crate) struct Inbox<T> {
    /// `None` once closed: pushes then fail.
    items: Mutex<Option<VecDeque<T>>>,
    /// This inbox's pending bit in [`Shared`]'s state.
    pending: usize,
}

impl<T> Inbox<T> {
    fn new(pending: usize) -> Inbox<T> {
        Inbox {
            items: Mutex::new(Some(VecDeque::new())),
            pending,
        }
    }

    /// Appends `item` and marks the inbox pending and a run requested; returns whether the
    /// caller must ask the host (no run was requested yet). Gives the item back once closed.
    fn push(&self, state: &AtomicUsize, item: T) -> Result<bool, T> {
        let mut items = lock(&self.items);
        let Some(queue) = items.as_mut() else {
            return Err(item);
        };
        queue.push_back(item);
        let before = state.fetch_or(self.pending | RUN_REQUESTED, Ordering::AcqRel);
        Ok(before & RUN_REQUESTED == 0)
    }

    /// Takes at most `limit` items, oldest first, handing each to `f`; returns how many.
    fn take(&self, state: &AtomicUsize, limit: usize, mut f: impl FnMut(T)) -> usize {
        // A push this misses sets the bit again, and the end of the run sees it.
        if state.load(Ordering::Acquire) & self.pending == 0 || limit == 0 {
            return 0;
        }
        let taken: Vec<T> = {
            let mut items = lock(&self.items);
            let Some(queue) = items.as_mut() else {
                return 0;
            };
            let count = limit.min(queue.len());
            let taken = queue.drain(..count).collect();
            if queue.is_empty() {
                state.fetch_and(!self.pending, Ordering::AcqRel);
            }
            taken
        };
        let count = taken.len();
        // Outside the lock: `f` may drop a task, and a destructor may wake or spawn.
        taken.into_iter().for_each(&mut f);
        count
    }

    /// Closes the inbox and returns what was in it.
    fn close(&self, state: &AtomicUsize) -> VecDeque<T> {
        let items = lock(&self.items).take().unwrap_or_default();
        state.fetch_and(!self.pending, Ordering::AcqRel);
        items
    }
}

/// Whether a task's id is in the ready inbox; it is put there at most once.
pub(crate) struct RemoteWakeFlag(AtomicBool);

impl RemoteWakeFlag {
    pub(crate) fn new() -> RemoteWakeFlag {
        RemoteWakeFlag(AtomicBool::new(false))
    }

    /// Claims the right to queue the task; `false` if its id is queued already (or it is gone).
    /// The swap pairs with [`release`](Self::release): whatever the waking thread wrote before
    /// waking is visible to the poll that follows.
    #[inline]
    pub(crate) fn claim(&self) -> bool {
        !self.0.swap(true, Ordering::AcqRel)
    }

    /// The executor has taken the id out of the inbox: the next wake queues it again.
    pub(crate) fn release(&self) {
        self.0.swap(false, Ordering::AcqRel);
    }

    /// The task is gone: every later wake does nothing.
    pub(crate) fn retire(&self) {
        self.0.store(true, Ordering::Release);
    }
}

/// The cross-thread state of one executor.
pub(crate) struct Shared {
    /// `RUN_REQUESTED` and the inboxes' pending bits.
    state: AtomicUsize,
    /// Ids of tasks woken off the host thread, or outside a run.
    ready: Inbox<TaskId>,
    /// Futures spawned from other threads, not yet adopted.
    remote: Inbox<RemoteTask>,
    run_soon: RunSoon,
    run_soon_requests: AtomicU64,
}

impl Shared {
    pub(crate) fn new(run_soon: RunSoon) -> Shared {
        Shared {
            state: AtomicUsize::new(0),
            ready: Inbox::new(READY_PENDING),
            remote: Inbox::new(REMOTE_PENDING),
            run_soon,
            run_soon_requests: AtomicU64::new(0),
        }
    }

    /// Queues a task woken outside a run, and asks the host for a run unless one is coming.
    /// Does nothing once the executor is shut down.
    pub(crate) fn push_ready(&self, id: TaskId) {
        if let Ok(true) = self.ready.push(&self.state, id) {
            self.ask_host();
        }
    }

    /// Hands a future from another thread to the executor; gives it back if the executor is gone.
    pub(crate) fn push_remote(&self, task: RemoteTask) -> Result<(), RemoteTask> {
        if self.remote.push(&self.state, task)? {
            self.ask_host();
        }
        Ok(())
    }

    /// Takes at most `limit` woken tasks' ids, oldest first.
    pub(crate) fn take_ready(&self, limit: usize, f: impl FnMut(TaskId)) -> usize {
        self.ready.take(&self.state, limit, f)
    }

    /// Takes at most `limit` futures spawned from other threads, oldest first.
    pub(crate) fn take_remote(&self, limit: usize, f: impl FnMut(RemoteTask)) -> usize {
        self.remote.take(&self.state, limit, f)
    }

    fn ask_host(&self) {
        /// Should the host's run-soon panic, the request was not made: let the next wake try.
        struct Unrequest<'a>(&'a AtomicUsize);
        impl Drop for Unrequest<'_> {
            fn drop(&mut self) {
                self.0.fetch_and(!RUN_REQUESTED, Ordering::AcqRel);
            }
        }
        self.run_soon_requests.fetch_add(1, Ordering::Relaxed);
        let unrequest = Unrequest(&self.state);
        (self.run_soon)();
        std::mem::forget(unrequest);
    }

    /// A run starts: until it ends, wakes need not ask the host.
    pub(crate) fn begin_run(&self) {
        self.state.fetch_or(RUN_REQUESTED, Ordering::AcqRel);
    }

    /// A run ends. With `more`, it stopped with work left and asks the host for the next run
    /// (the flag stays set: this is that request). Otherwise it clears the flag, unless work came
    /// in meanwhile: then it asks for the next run all the same.
    pub(crate) fn end_run(&self, more: bool) {
        if more
            || self
                .state
                .compare_exchange(RUN_REQUESTED, 0, Ordering::AcqRel, Ordering::Acquire)
                .is_err()
        {
            self.ask_host();
        }
    }

    /// Whether anything waits in an inbox.
    #[inline]
    pub(crate) fn has_work(&self) -> bool {
        self.state.load(Ordering::Acquire) & (READY_PENDING | REMOTE_PENDING) != 0
    }

    /// Closes both inboxes: later wakes do nothing, later spawns fail. Returns the futures that
    /// were never adopted, for the executor to drop on its thread.
    pub(crate) fn close(&self) -> VecDeque<RemoteTask> {
        self.ready.close(&self.state);
        self.remote.close(&self.state)
    }

    /// The host's run-soon handle itself (for the conformance kit).
    #[cfg(feature = "conformance")]
    pub(crate) fn run_soon(&self) -> RunSoon {
        self.run_soon.clone()
    }

    /// How often the host's run-soon was called.
    pub(crate) fn run_soon_requests(&self) -> u64 {
        self.run_soon_requests.load(Ordering::Relaxed)
    }

    #[cfg(all(test, guestloop_loom))]
    fn run_requested(&self) -> bool {
        self.state.load(Ordering::Acquire) & RUN_REQUESTED != 0
    }
}

/// Every interleaving of a waking thread and the host thread's runs (`--cfg guestloop_loom`; see
/// `.ci/run`): no wake is lost, and a task's poll sees what was written before its last wake.
#[cfg(all(test, guestloop_loom))]
mod loom_tests {
    use super::*;
    use loom::sync::Arc;
    use loom::sync::atomic::AtomicUsize;

    /// The host's side: runs while a run is requested, as the executor does (begin, take every
    /// queued id, release its flag, "poll" it, end). Returns the values the polls saw.
    fn host_runs(
        shared: &Shared,
        flag: &RemoteWakeFlag,
        data: &AtomicUsize,
        runs: usize,
    ) -> Vec<usize> {
        let mut seen = Vec::new();
        for _ in 0..runs {
            shared.begin_run();
            shared.take_ready(usize::MAX, |_| {
                flag.release();
                seen.push(data.load(Ordering::SeqCst));
            });
            shared.end_run(false);
            if !shared.run_requested() {
                break;
            }
        }
        seen
    }

    #[test]
    fn a_wake_racing_a_run_is_never_lost() {
        loom::model(|| {
            let asks = Arc::new(AtomicUsize::new(0));
            let counted = asks.clone();
            let shared = Arc::new(Shared::new(std::sync::Arc::new(move || {
                counted.fetch_add(1, Ordering::SeqCst);
            })));
            let flag = Arc::new(RemoteWakeFlag::new());
            let data = Arc::new(AtomicUsize::new(0));
            let waker = {
                let (shared, flag, data) = (shared.clone(), flag.clone(), data.clone());
                loom::thread::spawn(move || {
                    for value in 1..=2 {
                        data.store(value, Ordering::SeqCst);
                        if flag.claim() {
                            shared.push_ready(TaskId::for_tests(7));
                        }
                    }
                })
            };
            let mut seen = host_runs(&shared, &flag, &data, 1);
            waker.join().unwrap();
            // The host runs again whenever it was asked to (asks it has not answered yet).
            if shared.run_requested() {
                assert!(
                    asks.load(Ordering::SeqCst) > 0,
                    "a run is requested but nobody asked"
                );
                seen.extend(host_runs(&shared, &flag, &data, 3));
            }
            assert_eq!(
                seen.last(),
                Some(&2),
                "the last wake was lost: polls saw {seen:?}"
            );
            assert!(!shared.has_work(), "an id was left queued");
        });
    }

    #[test]
    fn a_run_that_stops_with_work_left_asks_again_exactly_once() {
        loom::model(|| {
            let asks = Arc::new(AtomicUsize::new(0));
            let counted = asks.clone();
            let shared = Arc::new(Shared::new(std::sync::Arc::new(move || {
                counted.fetch_add(1, Ordering::SeqCst);
            })));
            shared.begin_run();
            let waker = {
                let shared = shared.clone();
                loom::thread::spawn(move || shared.push_ready(TaskId::for_tests(1)))
            };
            shared.end_run(true);
            waker.join().unwrap();
            assert_eq!(
                asks.load(Ordering::SeqCst),
                1,
                "one request between two runs"
            );
            assert!(shared.run_requested());
        });
    }
}
