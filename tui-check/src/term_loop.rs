//! The terminal host: [`TermLoop`], an event loop over one channel, and [`TermHost`], the
//! `guestloop::Host` it gives the executor.
//!
//! Owns the loop's one wait and the host side of the `Host` contract. Depends on `std`, the
//! [`HostClock`] and crossterm's `Event` *type* only: the loop never touches a terminal, so tests
//! drive it with no terminal at all, and a real run feeds it from an input thread.
//!
//! # Design: one channel, one wait
//!
//! crossterm cannot be woken from another thread, so the loop does not wait in crossterm. It
//! waits on an `mpsc` channel, with `recv_timeout` until the host timer's deadline (converted to
//! real time by the clock), or with a plain `recv` when no timer is armed or the clock is paused.
//! Two kinds of message arrive there:
//!
//! - [`Message::RunSoon`], sent by the executor's "run soon" handle, from any thread;
//! - [`Message::Input`], sent by an input thread blocked in `crossterm::event::read`.
//!
//! Nothing polls: an idle screen sleeps in `recv` and uses no CPU. Each loop iteration runs the
//! guest once (a spurious run is cheap, per the contract), handles every message already
//! queued, then lets the client draw once: rendering is coalesced per iteration, not per event.

use crate::clock::{HostClock, Pace, SPEEDS};
use crossterm::event::Event;
use guestloop::{Builder, DEFAULT_MAX_CATCH_UP, Executor, Host, Instant, RunSoon};
use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};

/// What wakes the loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// The guest asked to run soon.
    RunSoon,
    /// A terminal event (key, resize) from an input source.
    Input(Event),
}

/// Whether the loop goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// Keep looping.
    Continue,
    /// Leave the loop.
    Quit,
}

/// What a front-end plugs into a [`TermLoop`]: input handling and drawing.
pub trait LoopClient {
    /// A terminal event arrived.
    fn input(&mut self, event: Event, clock: &HostClock) -> Control;

    /// The guest has run and queued input is handled: draw what changed (once per iteration),
    /// or decide that the loop is over.
    fn iteration_done(&mut self, clock: &HostClock) -> Control;
}

/// The loop's state the host shares: its clock and its one timer.
#[derive(Debug)]
struct LoopState {
    clock: HostClock,
    deadline: Cell<Option<Instant>>,
}

/// The terminal's event loop. Make one, give [`host`](Self::host) to an `Executor`, feed
/// [`sender`](Self::sender) from an input source, then [`run`](Self::run).
#[derive(Debug)]
pub struct TermLoop {
    state: Rc<LoopState>,
    sender: Sender<Message>,
    messages: Receiver<Message>,
}

impl TermLoop {
    /// A loop whose clock keeps `pace`.
    pub fn new(pace: Pace) -> TermLoop {
        let (sender, messages) = mpsc::channel();
        TermLoop {
            state: Rc::new(LoopState {
                clock: HostClock::new(pace),
                deadline: Cell::new(None),
            }),
            sender,
            messages,
        }
    }

    /// The `guestloop::Host` of this loop, for `Executor::new` or `Builder::build`.
    pub fn host(&self) -> TermHost {
        TermHost {
            state: self.state.clone(),
            sender: self.sender.clone(),
        }
    }

    /// An executor on this loop's [`host`](Self::host), with a catch-up bound that scales with
    /// the clock: the bound is on host time, which runs up to 2^10 × real time here, so that a
    /// hiccup of a millisecond at top speed is not mistaken for a stall. Past the default's
    /// one second of real time, the guest clock still jumps.
    pub fn executor(&self) -> Executor {
        let fastest = 1u32 << SPEEDS.end();
        Builder::default()
            .max_catch_up(DEFAULT_MAX_CATCH_UP * fastest)
            .build(self.host())
    }

    /// Where input sources send [`Message::Input`]; usable from any thread.
    pub fn sender(&self) -> Sender<Message> {
        self.sender.clone()
    }

    /// The host's clock.
    pub fn clock(&self) -> &HostClock {
        &self.state.clock
    }

    /// Runs `executor` and `client` until the client says [`Control::Quit`].
    ///
    /// `executor` must have been built on this loop's [`host`](Self::host).
    pub fn run(&self, executor: &Executor, client: &mut impl LoopClient) {
        let clock = &self.state.clock;
        loop {
            self.fire_due_timer();
            executor.run();
            if client.iteration_done(clock) == Control::Quit {
                return;
            }
            let first = match self.wait() {
                Some(message) => message,
                None => continue, // the timer's deadline came
            };
            let mut next = Some(first);
            while let Some(message) = next {
                if let Message::Input(event) = message
                    && client.input(event, clock) == Control::Quit
                {
                    return;
                }
                next = self.messages.try_recv().ok();
            }
        }
    }

    /// The timer is one-shot: once host time reached its deadline, it fired and is forgotten.
    fn fire_due_timer(&self) {
        if let Some(deadline) = self.state.deadline.get()
            && self.state.clock.now() >= deadline
        {
            self.state.deadline.set(None);
        }
    }

    /// Sleeps until a message comes (returned) or the timer's deadline passes (`None`).
    fn wait(&self) -> Option<Message> {
        let clock = &self.state.clock;
        let Some(deadline) = self.state.deadline.get() else {
            return self.recv_forever();
        };
        if clock.pace() == Pace::FastForward && !clock.is_paused() {
            return match self.messages.try_recv() {
                Ok(message) => Some(message),
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => {
                    clock.skip_to(deadline);
                    None
                }
            };
        }
        match clock.real_wait_until(deadline) {
            None => self.recv_forever(),
            // A timeout; never a disconnection, as the loop holds a sender.
            Some(wait) => self.messages.recv_timeout(wait).ok(),
        }
    }

    fn recv_forever(&self) -> Option<Message> {
        // The loop holds a sender, so this returns a message.
        self.messages.recv().ok()
    }
}

/// The `guestloop::Host` of a [`TermLoop`].
///
/// - `now`: the loop's [`HostClock`].
/// - `set_timer`: records the one deadline; the loop's next wait ends there.
/// - `run_soon_handle`: sends [`Message::RunSoon`] into the loop's channel; once the loop is gone
///   the send fails and the request is dropped, as the contract asks.
#[derive(Debug)]
pub struct TermHost {
    state: Rc<LoopState>,
    sender: Sender<Message>,
}

impl Host for TermHost {
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

/// A [`LoopClient`] without a screen: ignores input, quits once `done()` says so (say, once a
/// task has finished: `Until(|| task.is_finished())`).
#[derive(Debug)]
pub struct Until<F: FnMut() -> bool>(pub F);

impl<F: FnMut() -> bool> LoopClient for Until<F> {
    fn input(&mut self, _event: Event, _clock: &HostClock) -> Control {
        Control::Continue
    }

    fn iteration_done(&mut self, _clock: &HostClock) -> Control {
        if (self.0)() {
            Control::Quit
        } else {
            Control::Continue
        }
    }
}
