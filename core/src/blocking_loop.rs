//! [`BlockingLoop`]: a host for a thread that sleeps until a deadline or a poke.
//!
//! Owns the plainest shape of event loop (a terminal program, a worker with a message queue, a test
//! that needs real time): one channel, one wait. The clock is the caller's ([`Clock`]): this module
//! reads no clock of its own.

use crate::{Clock, Executor, Host, Instant, RunSoon};
use std::cell::Cell;
use std::fmt;
use std::ops::ControlFlow;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};

/// What a [`BlockingLoop`] calls back: the messages sent to it, and the end of each turn.
pub trait LoopClient<M, C> {
    /// A message sent with [`LoopSender::send`] arrived. `Break` leaves the loop.
    fn message(&mut self, message: M, clock: &C) -> ControlFlow<()>;

    /// The guest has run and the messages that had arrived are handled: draw what changed (once
    /// a turn, however many messages came), or `Break` to leave the loop.
    fn turn_done(&mut self, clock: &C) -> ControlFlow<()>;
}

/// What arrives on the loop's channel.
enum Message<M> {
    RunSoon,
    User(M),
}

/// The loop's state its host shares: the clock and the one timer.
struct State<C> {
    clock: C,
    deadline: Cell<Option<Instant>>,
}

/// An event loop that sleeps until its timer's deadline or a message, on the thread that runs it.
///
/// Build an [`Executor`] on [`host`](Self::host), feed [`sender`](Self::sender) from other
/// threads (input, network, workers), then [`run`](Self::run). Each turn runs the guest once
/// (runs the host did not need are cheap), handles every message already queued, and calls
/// [`LoopClient::turn_done`] once. With nothing to do it sleeps in the channel's `recv` and
/// uses no CPU. Messages of type `M` are the application's own; the guest's run-soon requests
/// travel on the same channel, so one wait serves both.
///
/// ```
/// use guestloop::blocking_loop::BlockingLoop;
/// use guestloop::{Executor, Instant};
/// use std::time::Duration;
///
/// let started = std::time::Instant::now();
/// let event_loop: BlockingLoop<(), _> =
///     BlockingLoop::new(move || Instant::from_nanos(started.elapsed().as_nanos() as u64));
/// let executor = Executor::new(event_loop.host());
///
/// let answer = executor.spawn_local(async {
///     guestloop::sleep(Duration::from_millis(20)).await;
///     42
/// });
/// event_loop.run_until(&executor, || answer.is_finished());
/// assert!(started.elapsed() >= Duration::from_millis(20));
/// # // Idle: nothing pending for 100 ms, then a spawn from another thread. The loop must sleep
/// # // through it (a host whose fired deadline stayed set would turn millions of times).
/// # let spawner = executor.spawner();
/// # let arrived = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
/// # let flag = arrived.clone();
/// # std::thread::spawn(move || {
/// #     std::thread::sleep(Duration::from_millis(100));
/// #     drop(spawner.spawn(async move { flag.store(true, std::sync::atomic::Ordering::SeqCst) }));
/// # });
/// # let turns = event_loop.run_until(&executor, || arrived.load(std::sync::atomic::Ordering::SeqCst));
/// # assert!(turns <= 3, "the idle loop turned {turns} times in 100 ms");
/// ```
pub struct BlockingLoop<M: Send + 'static, C: Clock> {
    state: Rc<State<C>>,
    sender: Sender<Message<M>>,
    messages: Receiver<Message<M>>,
}

impl<M: Send + 'static, C: Clock> BlockingLoop<M, C> {
    /// A loop on `clock`, its timer disarmed.
    pub fn new(clock: C) -> BlockingLoop<M, C> {
        let (sender, messages) = mpsc::channel();
        BlockingLoop {
            state: Rc::new(State {
                clock,
                deadline: Cell::new(None),
            }),
            sender,
            messages,
        }
    }

    /// The [`Host`] of this loop, for [`Executor::new`] or [`Builder::build`](crate::Builder::build).
    pub fn host(&self) -> BlockingHost<M, C> {
        BlockingHost {
            state: self.state.clone(),
            sender: self.sender.clone(),
        }
    }

    /// Where other threads send the loop messages; clone it for each.
    pub fn sender(&self) -> LoopSender<M> {
        LoopSender(self.sender.clone())
    }

    /// The loop's clock.
    pub fn clock(&self) -> &C {
        &self.state.clock
    }

    /// Runs turns of the loop until `client` breaks out of it.
    ///
    /// `executor` must have been built on this loop's [`host`](Self::host).
    pub fn run(&self, executor: &Executor, client: &mut impl LoopClient<M, C>) {
        let clock = &self.state.clock;
        loop {
            self.forget_fired_timer();
            executor.run();
            if client.turn_done(clock).is_break() {
                return;
            }
            let mut next = self.wait();
            while let Some(message) = next {
                // Not a let chain: the crate builds with Rust 1.85.
                if let Message::User(message) = message {
                    if client.message(message, clock).is_break() {
                        return;
                    }
                }
                next = self.messages.try_recv().ok();
            }
        }
    }

    /// Runs turns of the loop until `done()` holds (checked after each), dropping any messages,
    /// and returns how many turns it took.
    pub fn run_until(&self, executor: &Executor, done: impl FnMut() -> bool) -> u64 {
        let mut until = Until { done, turns: 0 };
        self.run(executor, &mut until);
        until.turns
    }

    /// The timer is one-shot: once the clock has reached its deadline it has fired.
    fn forget_fired_timer(&self) {
        let State { clock, deadline } = &*self.state;
        if deadline
            .get()
            .is_some_and(|deadline| clock.now() >= deadline)
        {
            deadline.set(None);
        }
    }

    /// Sleeps until a message arrives (returned) or the timer's deadline comes (`None`).
    fn wait(&self) -> Option<Message<M>> {
        let State { clock, deadline } = &*self.state;
        let wait = deadline
            .get()
            .and_then(|deadline| Some((deadline, clock.real_time_until(deadline)?)));
        let Some((deadline, wait)) = wait else {
            // The loop holds a sender, so the channel never disconnects.
            return self.messages.recv().ok();
        };
        match self.messages.recv_timeout(wait) {
            Ok(message) => Some(message),
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {
                clock.waited_until(deadline);
                None
            }
        }
    }
}

impl<M: Send + 'static, C: Clock> fmt::Debug for BlockingLoop<M, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlockingLoop")
            .field("deadline", &self.state.deadline.get())
            .finish_non_exhaustive()
    }
}

/// A [`LoopClient`] that ignores messages and leaves once `done()` holds.
struct Until<F> {
    done: F,
    turns: u64,
}

impl<M, C, F: FnMut() -> bool> LoopClient<M, C> for Until<F> {
    fn message(&mut self, _message: M, _clock: &C) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }

    fn turn_done(&mut self, _clock: &C) -> ControlFlow<()> {
        self.turns += 1;
        if (self.done)() {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }
}

/// Sends a [`BlockingLoop`] messages from any thread.
pub struct LoopSender<M>(Sender<Message<M>>);

impl<M: Send> LoopSender<M> {
    /// Sends `message`; gives it back if the loop is gone.
    ///
    /// # Errors
    /// The message, if the loop has been dropped.
    pub fn send(&self, message: M) -> Result<(), M> {
        self.0
            .send(Message::User(message))
            .map_err(|error| match error.0 {
                Message::User(message) => message,
                Message::RunSoon => unreachable!("sent a user message"),
            })
    }

    /// Ends the loop's wait for one turn without a message, as the guest's run-soon does (a
    /// watchdog that must make the loop look at a flag). A no-op once the loop is gone.
    pub fn wake(&self) {
        let _ = self.0.send(Message::RunSoon);
    }
}

impl<M> Clone for LoopSender<M> {
    fn clone(&self) -> Self {
        LoopSender(self.0.clone())
    }
}

impl<M> fmt::Debug for LoopSender<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LoopSender")
    }
}

/// The [`Host`] of a [`BlockingLoop`].
///
/// - `now`: the loop's [`Clock`].
/// - `set_timer`: records the one deadline; the loop's next wait ends there.
/// - `run_soon_handle`: sends a request into the loop's channel, which ends its wait; once the
///   loop is gone the send fails and the request is dropped, as the contract asks.
pub struct BlockingHost<M: Send + 'static, C: Clock> {
    state: Rc<State<C>>,
    sender: Sender<Message<M>>,
}

impl<M: Send + 'static, C: Clock> Host for BlockingHost<M, C> {
    fn now(&self) -> Instant {
        self.state.clock.now()
    }

    fn set_timer(&self, deadline: Option<Instant>) {
        self.state.deadline.set(deadline);
    }

    fn run_soon_handle(&self) -> RunSoon {
        let sender = self.sender.clone();
        Arc::new(move || {
            let _ = sender.send(Message::RunSoon);
        })
    }
}

impl<M: Send + 'static, C: Clock> fmt::Debug for BlockingHost<M, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlockingHost")
            .field("deadline", &self.state.deadline.get())
            .finish_non_exhaustive()
    }
}
