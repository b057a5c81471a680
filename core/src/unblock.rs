//! [`unblock`]: run blocking or CPU-heavy work on a pool of worker threads and await its result
//! from a guest task, so the host's thread (the UI thread) stays free.
//!
//! Owns the worker pool (it grows for waiting work and shrinks when idle) and the one-shot that
//! carries a result back. The result's wake reaches the host through its run-soon, like any wake
//! from another thread.

use crate::JoinHandle;
use crate::local::current;
use crate::task::drop_panic_payload;
use std::collections::VecDeque;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

/// Runs `work` on a worker thread and returns a handle that awaits its result from a guest task.
///
/// Awaiting the handle gives `Ok(value)`, or a [`JoinError`](crate::JoinError) with the
/// panic's payload if `work` panicked (the process and every other task go on). The host thread
/// never waits for the pool: the result wakes the awaiting task through the host's run-soon.
///
/// # Cancellation
/// `work` cannot be interrupted. [`abort`](JoinHandle::abort) resolves the handle to a
/// cancelled [`JoinError`](crate::JoinError) at once; `work` still finishes on its thread, and
/// its result is dropped there. Dropping the handle detaches: the result is dropped when it comes.
/// To stop long work early, let it check a flag (see the crate docs, "Work off the host thread").
///
/// # The pool
/// Worker threads are named `guestloop-unblock-N`. The pool starts a thread whenever work waits
/// and no thread is idle, up to 512 threads (so 64 jobs waiting for one another all run at
/// once), and a thread that has been idle for 5 s exits. A panic after the work, on the worker
/// (the result's destructor, when the handle was aborted or dropped; or the host's run-soon,
/// reached through the wake), is printed by Rust's panic hook and the worker goes on; a worker
/// that dies all the same leaves the pool's count, and the jobs it leaves queued get a thread.
///
/// ```
/// use guestloop::testing::TestHost;
///
/// let mut host = TestHost::default();
/// host.set_patience(std::time::Duration::from_secs(10)); // for the worker thread's wake
/// let sum = host.block_on(async {
///     // Runs on a worker thread; the guest task awaits it without blocking the host.
///     guestloop::unblock(|| (1..=1_000_000u64).sum::<u64>()).await
/// });
/// assert_eq!(sum.unwrap(), 500_000_500_000);
/// ```
///
/// # Panics
/// Outside a task running on a guestloop executor.
#[track_caller]
pub fn unblock<T, F>(work: F) -> JoinHandle<T>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let handle = current("unblock");
    let (sender, receiver) = oneshot();
    pool().execute(Box::new(move || {
        sender.send(catch_unwind(AssertUnwindSafe(work)));
    }));
    handle.spawn_local(async move {
        match receiver.await {
            Ok(value) => value,
            // Re-raised in the task (the panic hook does not run again): its handle yields the
            // payload, the executor's hook hears the message.
            Err(payload) => std::panic::resume_unwind(payload),
        }
    })
}

type Job = Box<dyn FnOnce() + Send>;

/// How many threads the pool may run at once.
const MAX_THREADS: usize = 512;
/// How long a thread waits for work before it exits.
const IDLE_TIMEOUT: Duration = Duration::from_secs(5);

/// The process's pool of worker threads.
fn pool() -> &'static Pool {
    static POOL: Pool = Pool::new(MAX_THREADS, IDLE_TIMEOUT);
    &POOL
}

/// A pool of threads that run jobs in the order they come.
pub(crate) struct Pool {
    state: Mutex<PoolState>,
    work: Condvar,
    max_threads: usize,
    idle_timeout: Duration,
}

#[derive(Default)]
struct PoolState {
    queue: VecDeque<Job>,
    threads: usize,
    idle: usize,
    started: u64,
}

/// What [`unblock`]'s pool of worker threads holds now (see [`unblock_stats`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct UnblockStats {
    /// Worker threads alive.
    pub threads: usize,
    /// Worker threads waiting for work (the others are running a job).
    pub idle: usize,
    /// Jobs waiting for a thread.
    pub queued: usize,
}

/// What [`unblock`]'s pool of worker threads holds now: for diagnostics, and for tests that
/// check no work is left running.
pub fn unblock_stats() -> UnblockStats {
    pool().stats()
}

impl Pool {
    pub(crate) const fn new(max_threads: usize, idle_timeout: Duration) -> Pool {
        Pool {
            state: Mutex::new(PoolState {
                queue: VecDeque::new(),
                threads: 0,
                idle: 0,
                started: 0,
            }),
            work: Condvar::new(),
            max_threads,
            idle_timeout,
        }
    }

    fn lock(&self) -> MutexGuard<'_, PoolState> {
        // Jobs run outside the lock and catch their own panics: a poisoned lock is consistent.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues `job`; starts a thread for it unless an idle one will take it.
    pub(crate) fn execute(&'static self, job: Job) {
        self.lock().queue.push_back(job);
        self.start_thread_if_needed();
    }

    /// Starts a thread if work waits that no idle thread will take, below the limit; else wakes
    /// an idle one.
    fn start_thread_if_needed(&'static self) {
        let mut state = self.lock();
        if state.idle >= state.queue.len() || state.threads >= self.max_threads {
            self.work.notify_one();
            return;
        }
        state.threads += 1;
        state.started += 1;
        let name = format!("guestloop-unblock-{}", state.started);
        drop(state);
        let spawned = std::thread::Builder::new()
            .name(name)
            .spawn(move || self.work_until_idle());
        if spawned.is_err() {
            // The system refused a thread: the threads the pool has will get to the job.
            let mut state = self.lock();
            state.threads -= 1;
            assert!(
                state.threads > 0,
                "guestloop::unblock: the system refused to start a worker thread"
            );
        }
    }

    /// A worker's life: run jobs until none has come for `idle_timeout`.
    fn work_until_idle(&'static self) {
        /// Takes a worker that dies out of the count (one that exits does so itself, under the
        /// lock that saw the queue empty); the jobs it leaves queued get a thread of their own.
        struct Leave(&'static Pool);
        impl Drop for Leave {
            fn drop(&mut self) {
                if std::thread::panicking() {
                    self.0.lock().threads -= 1;
                    self.0.start_thread_if_needed();
                }
            }
        }
        let _leave = Leave(self);
        let mut state = self.lock();
        loop {
            if let Some(job) = state.queue.pop_front() {
                drop(state);
                // A job catches its work's panic, but what runs after the work may panic too:
                // the result's destructor when nobody awaits it, or a waker, that is the host's
                // run-soon. The panic was printed; the worker goes on.
                if let Err(payload) = catch_unwind(AssertUnwindSafe(job)) {
                    drop_panic_payload(payload);
                }
                state = self.lock();
                continue;
            }
            state.idle += 1;
            let (next, waited) = self
                .work
                .wait_timeout(state, self.idle_timeout)
                .unwrap_or_else(PoisonError::into_inner);
            state = next;
            state.idle -= 1;
            if waited.timed_out() && state.queue.is_empty() {
                state.threads -= 1;
                return;
            }
        }
    }

    fn stats(&self) -> UnblockStats {
        let state = self.lock();
        UnblockStats {
            threads: state.threads,
            idle: state.idle,
            queued: state.queue.len(),
        }
    }
}

/// The sending half of a one-shot: the worker's side.
struct Sender<T>(Arc<Mutex<Shot<T>>>);

/// The receiving half: a future in the guest task.
struct Receiver<T>(Arc<Mutex<Shot<T>>>);

/// A job's outcome: its value, or its panic's payload.
type Outcome<T> = std::thread::Result<T>;

enum Shot<T> {
    Waiting(Option<Waker>),
    Sent(Outcome<T>),
    /// Taken by the receiver, or the receiver is gone.
    Closed,
}

/// Drops an outcome nobody takes; a payload whose destructor panics is caught there (a value's
/// is the caller's to report).
fn drop_outcome<T>(outcome: Outcome<T>) {
    match outcome {
        Ok(value) => drop(value),
        Err(payload) => drop_panic_payload(payload),
    }
}

fn oneshot<T>() -> (Sender<T>, Receiver<T>) {
    let shot = Arc::new(Mutex::new(Shot::Waiting(None)));
    (Sender(shot.clone()), Receiver(shot))
}

fn lock<T>(shot: &Mutex<Shot<T>>) -> MutexGuard<'_, Shot<T>> {
    shot.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<T> Sender<T> {
    /// Hands the outcome over and wakes the receiver; if the receiver is gone (its task was
    /// aborted), the value is dropped here, on the worker's thread.
    fn send(self, outcome: Outcome<T>) {
        let mut shot = lock(&self.0);
        let Shot::Waiting(waker) = &mut *shot else {
            drop(shot);
            return drop_outcome(outcome); // outside the lock
        };
        let waker = waker.take();
        *shot = Shot::Sent(outcome);
        drop(shot);
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl<T> Future for Receiver<T> {
    type Output = Outcome<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Outcome<T>> {
        let mut shot = lock(&self.0);
        match &mut *shot {
            Shot::Waiting(waker) => {
                if !waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                    *waker = Some(cx.waker().clone());
                }
                Poll::Pending
            }
            Shot::Sent(_) => match std::mem::replace(&mut *shot, Shot::Closed) {
                Shot::Sent(outcome) => Poll::Ready(outcome),
                _ => unreachable!("matched above"),
            },
            Shot::Closed => panic!("an unblock result was awaited after it was taken"),
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        // From now on the sender drops the value itself, on its thread.
        let gone = std::mem::replace(&mut *lock(&self.0), Shot::Closed);
        if let Shot::Sent(outcome) = gone {
            drop_outcome(outcome); // outside the lock: a value that came just before
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Barrier;

    /// A pool that outlives its threads, which may outlive the test. Kept in a static so that
    /// valgrind's leak check (`.ci/run`) sees it as still reachable, not lost.
    fn leaked_pool(max_threads: usize, idle_timeout: Duration) -> &'static Pool {
        static POOLS: Mutex<Vec<&'static Pool>> = Mutex::new(Vec::new());
        let pool = Box::leak(Box::new(Pool::new(max_threads, idle_timeout)));
        POOLS.lock().unwrap().push(pool);
        pool
    }

    #[test]
    fn the_pool_grows_to_run_64_jobs_that_wait_for_one_another() {
        let pool = leaked_pool(512, Duration::from_secs(5));
        let barrier = Arc::new(Barrier::new(64 + 1));
        for _ in 0..64 {
            let barrier = barrier.clone();
            pool.execute(Box::new(move || {
                barrier.wait(); // only returns once all 64 run at the same time
            }));
        }
        barrier.wait();
        assert!(pool.stats().threads >= 64, "{:?}", pool.stats());
    }

    #[test]
    fn idle_threads_exit_after_the_idle_timeout() {
        let pool = leaked_pool(8, Duration::from_millis(50));
        let (done, finished) = std::sync::mpsc::channel();
        for _ in 0..4 {
            let done = done.clone();
            pool.execute(Box::new(move || done.send(()).unwrap()));
        }
        for _ in 0..4 {
            finished.recv().unwrap();
        }
        assert!(pool.stats().threads >= 1);
        for _ in 0..1000 {
            if pool.stats().threads == 0 {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(pool.stats().threads, 0, "idle threads exited");
        assert_eq!(pool.stats().queued, 0);
    }

    #[test]
    fn a_job_that_panics_after_its_work_leaves_the_pool_counting_and_serving() {
        // What runs after a job's work (its result's destructor, the waker, the host's run-soon)
        // may panic on the worker. Two threads at most: a worker lost per panic would stop the
        // pool after two.
        let pool = leaked_pool(2, Duration::from_secs(5));
        for _ in 0..5 {
            pool.execute(Box::new(|| panic!("a result's destructor panicked")));
        }
        let (done, finished) = std::sync::mpsc::channel();
        pool.execute(Box::new(move || done.send(()).unwrap()));
        finished
            .recv_timeout(Duration::from_secs(10))
            .expect("the pool still runs jobs");
        let stats = pool.stats();
        assert!(stats.threads <= 2, "{stats:?}");
        assert_eq!(stats.queued, 0);
    }

    #[test]
    fn an_idle_thread_takes_new_work_instead_of_a_new_thread() {
        let pool = leaked_pool(8, Duration::from_secs(5));
        let (done, finished) = std::sync::mpsc::channel();
        for _ in 0..20 {
            let done = done.clone();
            pool.execute(Box::new(move || done.send(()).unwrap()));
            finished.recv().unwrap(); // one at a time: one thread suffices
            while pool.stats().idle == 0 {
                std::thread::yield_now(); // wait until the worker is back waiting
            }
        }
        assert_eq!(pool.stats().threads, 1);
    }

    #[test]
    fn a_result_sent_after_the_receiver_is_gone_is_dropped_on_the_sending_thread() {
        struct NoteDrop(Arc<Mutex<Option<std::thread::ThreadId>>>);
        impl Drop for NoteDrop {
            fn drop(&mut self) {
                *self.0.lock().unwrap() = Some(std::thread::current().id());
            }
        }
        let dropped_on = Arc::new(Mutex::new(None));
        let (sender, receiver) = oneshot();
        drop(receiver);
        let note = NoteDrop(dropped_on.clone());
        let sender_thread = std::thread::spawn(move || {
            sender.send(Ok(note));
            std::thread::current().id()
        })
        .join()
        .unwrap();
        assert_eq!(*dropped_on.lock().unwrap(), Some(sender_thread));
    }
}
