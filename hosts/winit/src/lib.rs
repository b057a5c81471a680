//! `guestloop-winit`: guestloop's [`Host`] over winit 0.30's event loop, and the two calls an
//! application handler makes to run the guest.
//!
//! Owns the loop side of the `Host` contract for a loop that blocks until a deadline or a poke.
//! Depends on winit's event loop types and guestloop's public API only: no window, no drawing.
//! Add a [`Guest`] to your `ApplicationHandler`, forward two callbacks to it, and async code runs
//! on winit's thread. It is also the guide's worked example of a loop of that shape.
//!
//! - **Clock**: a monotonic `std::time::Instant` read when the [`Guest`] is made; `now` is the
//!   time since then, in integer nanoseconds.
//! - **Timer**: the one deadline, kept in a cell. After every turn of the loop,
//!   [`Guest::about_to_wait`] sets `ControlFlow::WaitUntil(deadline)`, or `ControlFlow::Wait` when
//!   none is armed: `WaitUntil` is level, not one-shot, so a deadline left behind would wake the
//!   loop again and again.
//! - **Run soon**: an [`EventLoopProxy`] sends one [`RunGuest`] user event per request. The
//!   executor asks at most once between two runs, so the event queue never floods; once the loop
//!   is gone the send fails, and the request is dropped, as the contract asks.
//!
//! The guest runs in `about_to_wait`, winit's last callback of a turn of the loop: after the turn's
//! input and user events, never from inside the proxy's call, and never from inside a run.
//!
//! ```no_run
//! use winit::application::ApplicationHandler;
//! use winit::event::WindowEvent;
//! use winit::event_loop::{ActiveEventLoop, EventLoop};
//! use winit::window::WindowId;
//! use guestloop_winit::{Guest, RunGuest};
//!
//! struct App {
//!     guest: Guest,
//! }
//!
//! impl ApplicationHandler<RunGuest> for App {
//!     fn resumed(&mut self, _: &ActiveEventLoop) {} // create windows here
//!     fn window_event(&mut self, _: &ActiveEventLoop, _: WindowId, _: WindowEvent) {}
//!     fn user_event(&mut self, _: &ActiveEventLoop, _: RunGuest) {
//!         self.guest.request_run();
//!     }
//!     fn about_to_wait(&mut self, event_loop: &ActiveEventLoop) {
//!         self.guest.about_to_wait(event_loop);
//!     }
//! }
//!
//! let event_loop = EventLoop::<RunGuest>::with_user_event().build()?;
//! let guest = Guest::new(event_loop.create_proxy());
//! drop(guest.executor().spawn_local(async {
//!     guestloop::sleep(std::time::Duration::from_secs(1)).await;
//!     println!("a second later, on winit's thread");
//! }));
//! event_loop.run_app(&mut App { guest })?;
//! # Ok::<(), winit::error::EventLoopError>(())
//! ```

use guestloop::{Builder, Executor, Host, Instant, RunSoon};
use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;
use winit::event_loop::{ActiveEventLoop, ControlFlow, EventLoopProxy};

/// The user event that asks the loop to run the guest. Build the loop with
/// `EventLoop::<RunGuest>::with_user_event()`, and pass each one to [`Guest::request_run`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunGuest;

/// The clock and the one timer, shared by the [`WinitHost`] (which the executor owns) and the
/// [`Guest`] (which the application handler owns).
#[derive(Debug)]
struct Timer {
    started: std::time::Instant,
    deadline: Cell<Option<Instant>>,
}

impl Timer {
    fn now(&self) -> Instant {
        Instant::from_nanos(self.started.elapsed().as_nanos() as u64)
    }

    /// The deadline as winit's `std::time::Instant`: exactly the instant at which `now` reaches
    /// it, so a wake at `WaitUntil` finds it due (never a nanosecond early). `None` if it is too
    /// far away to represent: then there is nothing to wait for.
    fn wall_deadline(&self, deadline: Instant) -> Option<std::time::Instant> {
        self.started
            .checked_add(Duration::from_nanos(deadline.as_nanos()))
    }
}

/// guestloop's [`Host`] on winit: the clock, the one timer and the proxy. Made by [`Guest`].
#[derive(Debug)]
pub struct WinitHost {
    timer: Rc<Timer>,
    proxy: EventLoopProxy<RunGuest>,
}

impl Host for WinitHost {
    fn now(&self) -> Instant {
        self.timer.now()
    }

    fn set_timer(&self, deadline: Option<Instant>) {
        // Only recorded: `Guest::about_to_wait` hands it to winit at the end of the turn.
        self.timer.deadline.set(deadline);
    }

    fn run_soon_handle(&self) -> RunSoon {
        let proxy = self.proxy.clone();
        Arc::new(move || {
            // Fails once the event loop is gone: then there is no guest to run either.
            let _ = proxy.send_event(RunGuest);
        })
    }
}

/// A guest executor on a winit event loop, and what the application handler calls to run it.
#[derive(Debug)]
pub struct Guest {
    executor: Executor,
    timer: Rc<Timer>,
    run_requested: bool,
}

impl Guest {
    /// A guest whose run-soon requests go through `proxy`, with the default [`Builder`].
    pub fn new(proxy: EventLoopProxy<RunGuest>) -> Guest {
        Guest::with_builder(Builder::default(), proxy)
    }

    /// A guest built by `builder` (a poll budget, a catch-up bound, a panic hook).
    pub fn with_builder(builder: Builder, proxy: EventLoopProxy<RunGuest>) -> Guest {
        let timer = Rc::new(Timer {
            started: std::time::Instant::now(),
            deadline: Cell::new(None),
        });
        let host = WinitHost {
            timer: timer.clone(),
            proxy,
        };
        Guest {
            executor: builder.build(host),
            timer,
            run_requested: false,
        }
    }

    /// The executor: spawn on it from the loop's thread, or get a `Spawner` for other threads.
    pub fn executor(&self) -> &Executor {
        &self.executor
    }

    /// Call from `ApplicationHandler::user_event` for every [`RunGuest`]: the guest runs at the
    /// end of this turn of the loop (several requests in one turn share that run).
    pub fn request_run(&mut self) {
        self.run_requested = true;
    }

    /// Call from `ApplicationHandler::about_to_wait`: runs the guest if a run was requested or
    /// the timer's deadline has passed, then sets the loop's control flow to wait for the next
    /// deadline (or for an event). Returns whether the guest ran.
    ///
    /// This owns the loop's control flow: an application that also wants to wake at a time of
    /// its own sets the earlier of the two after this call.
    pub fn about_to_wait(&mut self, event_loop: &ActiveEventLoop) -> bool {
        let due = self
            .timer
            .deadline
            .get()
            .is_some_and(|deadline| self.timer.now() >= deadline);
        let run = self.run_requested || due;
        if run {
            self.run_requested = false;
            if due {
                self.timer.deadline.set(None); // fired: the run sets the next one
            }
            self.executor.run();
        }
        let wake_at = self
            .timer
            .deadline
            .get()
            .and_then(|d| self.timer.wall_deadline(d));
        event_loop.set_control_flow(match wake_at {
            Some(instant) => ControlFlow::WaitUntil(instant),
            None => ControlFlow::Wait,
        });
        run
    }
}
