//! `guestloop-glib`: guestloop's [`Host`] over a GLib [`MainContext`], the loop GTK 3 and 4,
//! GStreamer and every GLib program share.
//!
//! Owns the host side of the `Host` contract for a toolkit with sources and callbacks. Depends on
//! `glib` and guestloop's public API only: no GTK, no window.
//!
//! - **Clock**: a monotonic `std::time::Instant` read when the [`Guest`] is made; `now` is the
//!   time since then, in integer nanoseconds.
//! - **Timer**: one timeout source on the context, replaced (destroyed, then a new one attached)
//!   whenever the deadline changes. GLib's timeouts count whole milliseconds, so the wait is
//!   rounded *up* (glib-rs truncates a `Duration` to milliseconds and casts it to `u32`: a wait
//!   of 2³² + 5 ms would fire after 5 ms) and clamped to `u32::MAX` ms (49 days; the executor
//!   arms it again when it fires). A timeout that fires before the clock has reached the
//!   deadline (GLib measures from the time its loop iteration started) waits out the rest
//!   without running the guest.
//! - **Run soon**: an idle source attached to the context, at [`DEFAULT_RUN_SOON_PRIORITY`]
//!   (`Priority::DEFAULT_IDLE`, settable). Never `MainContext::invoke`: on the loop's own thread
//!   it calls the function at once, so the guest would run inside the run that asked, and GTK
//!   would get no turn while a task keeps yielding. At `Priority::DEFAULT` a long batch of the
//!   guest still starves GTK's redraws (priority 120): after each run GLib dispatches the
//!   highest-priority source that is ready, and the next run-soon is always ready.
//! - **Callbacks to the executor**: an idle source's or timeout's function must be `Send`, and
//!   the executor is not. The functions carry only the guest's id; a thread-local table on the
//!   guest's thread maps it to the guest. So the context must be iterated on the thread that
//!   made the [`Guest`] ([`Guest::new`] checks that no other thread owns it); after the guest is
//!   dropped, a source still in flight finds nothing and does nothing.
//!
//! ```
//! use glib::MainContext;
//! use std::time::Duration;
//!
//! let context = MainContext::new();
//! let guest = guestloop_glib::Guest::new(&context)?;
//! let answer = guest.executor().spawn_local(async {
//!     guestloop::sleep(Duration::from_millis(20)).await;
//!     42
//! });
//! while !answer.is_finished() {
//!     context.iteration(true); // a GTK application runs its loop instead
//! }
//! drop(guest); // the guest before the toolkit: its tasks may hold the toolkit's objects
//! # Ok::<(), guestloop_glib::ContextOwnedElsewhere>(())
//! ```

// The README's example, compiled and run with the doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctest;

use glib::{ControlFlow, MainContext, Priority, Source};
use guestloop::{Builder, Executor, Host, Instant, RunSoon};
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::rc::{Rc, Weak};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The priority of the idle source that runs the guest when it asked, by default: GLib's
/// `DEFAULT_IDLE` (200), below GTK's redraws (120) and input (`DEFAULT`, 0).
pub const DEFAULT_RUN_SOON_PRIORITY: Priority = Priority::DEFAULT_IDLE;

/// The priority of the guest's timer, by default: `DEFAULT`, that of `g_timeout_add`.
pub const DEFAULT_TIMER_PRIORITY: Priority = Priority::DEFAULT;

thread_local! {
    /// The guests of this thread, by id: what a source's `Send` function reaches them through.
    static GUESTS: RefCell<HashMap<u64, Weak<Shared>>> = RefCell::new(HashMap::new());
}

/// A guest executor on a GLib main context. Keep it on the thread that iterates the context;
/// drop it before the toolkit.
pub struct Guest {
    executor: Rc<Executor>,
    shared: Rc<Shared>,
}

/// [`Guest::new`] was called on a thread other than the one that owns the context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextOwnedElsewhere;

impl fmt::Display for ContextOwnedElsewhere {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "the MainContext is owned by another thread: make the guest on the thread that runs it",
        )
    }
}

impl std::error::Error for ContextOwnedElsewhere {}

impl Guest {
    /// A guest on `context` with the default [`Builder`] and priorities.
    ///
    /// # Errors
    /// If another thread owns `context` (is iterating it): the guest's sources would be
    /// dispatched there, where it cannot run.
    pub fn new(context: &MainContext) -> Result<Guest, ContextOwnedElsewhere> {
        GuestBuilder::new(context).build()
    }

    /// Settings beyond the defaults: the executor's [`Builder`], the priorities.
    pub fn builder(context: &MainContext) -> GuestBuilder {
        GuestBuilder::new(context)
    }

    /// The executor: spawn on it from the context's thread, or get a `Spawner` for other threads.
    pub fn executor(&self) -> &Executor {
        &self.executor
    }

    /// The context the guest runs on.
    pub fn context(&self) -> &MainContext {
        &self.shared.context
    }
}

impl Drop for Guest {
    fn drop(&mut self) {
        // Sources in flight find no guest from here on. The executor goes when the last
        // reference does (at once, or when a run that is dropping the guest returns); it
        // disarms the timer as it goes.
        let id = self.shared.id;
        let _ = GUESTS.try_with(|guests| guests.borrow_mut().remove(&id));
    }
}

impl fmt::Debug for Guest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Guest")
            .field("id", &self.shared.id)
            .field("executor", &self.executor)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Guest`] with non-default settings.
///
/// ```
/// use glib::{MainContext, Priority};
///
/// let context = MainContext::new();
/// let guest = guestloop_glib::Guest::builder(&context)
///     .executor(guestloop::Builder::default().poll_budget(256))
///     .run_soon_priority(Priority::LOW)
///     .build()?;
/// # drop(guest);
/// # Ok::<(), guestloop_glib::ContextOwnedElsewhere>(())
/// ```
#[must_use]
pub struct GuestBuilder {
    context: MainContext,
    executor: Builder,
    run_soon_priority: Priority,
    timer_priority: Priority,
}

impl GuestBuilder {
    fn new(context: &MainContext) -> GuestBuilder {
        GuestBuilder {
            context: context.clone(),
            executor: Builder::default(),
            run_soon_priority: DEFAULT_RUN_SOON_PRIORITY,
            timer_priority: DEFAULT_TIMER_PRIORITY,
        }
    }

    /// The executor's settings (poll budget, catch-up bound, panic hook).
    pub fn executor(mut self, builder: Builder) -> GuestBuilder {
        self.executor = builder;
        self
    }

    /// The priority at which the guest runs when it asked (a wake, a spawn, a batch that went
    /// on past its budget). Above GTK's redraw priority (a number below 120), a guest that keeps
    /// working delays redraws until it is done.
    pub fn run_soon_priority(mut self, priority: Priority) -> GuestBuilder {
        self.run_soon_priority = priority;
        self
    }

    /// The priority of the guest's timer.
    pub fn timer_priority(mut self, priority: Priority) -> GuestBuilder {
        self.timer_priority = priority;
        self
    }

    /// The guest.
    ///
    /// # Errors
    /// If another thread owns the context.
    pub fn build(self) -> Result<Guest, ContextOwnedElsewhere> {
        // Owned by this thread (running it, or an acquire of the application's) or by none.
        if !self.context.is_owner() && self.context.acquire().is_err() {
            return Err(ContextOwnedElsewhere);
        }
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        let shared = Rc::new(Shared {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            context: self.context,
            started: std::time::Instant::now(),
            timer: RefCell::new(None),
            timer_priority: self.timer_priority,
            run_soon_priority: self.run_soon_priority,
            executor: RefCell::new(Weak::new()),
        });
        let executor = Rc::new(self.executor.build(GlibHost(shared.clone())));
        *shared.executor.borrow_mut() = Rc::downgrade(&executor);
        GUESTS.with_borrow_mut(|guests| guests.insert(shared.id, Rc::downgrade(&shared)));
        Ok(Guest { executor, shared })
    }
}

impl fmt::Debug for GuestBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GuestBuilder")
            .field("run_soon_priority", &self.run_soon_priority)
            .field("timer_priority", &self.timer_priority)
            .finish_non_exhaustive()
    }
}

/// What the host, the guest and the sources' functions share, on the guest's thread.
struct Shared {
    id: u64,
    context: MainContext,
    started: std::time::Instant,
    /// The timeout source now attached, and the deadline it is for.
    timer: RefCell<Option<(Source, Instant)>>,
    timer_priority: Priority,
    run_soon_priority: Priority,
    executor: RefCell<Weak<Executor>>,
}

impl Shared {
    fn now(&self) -> Instant {
        Instant::from_nanos(u64::try_from(self.started.elapsed().as_nanos()).unwrap_or(u64::MAX))
    }

    fn disarm(&self) {
        if let Some((source, _)) = self.timer.borrow_mut().take() {
            // Holding the `Source` (a reference) keeps this safe even if it already fired:
            // destroying a destroyed source does nothing. A `SourceId` would panic here.
            source.destroy();
        }
    }

    fn arm(&self, deadline: Instant) {
        self.disarm();
        let wait = deadline.saturating_duration_since(self.now());
        let id = self.id;
        let source = glib::timeout_source_new(
            timeout_for(wait),
            Some("guestloop timer"),
            self.timer_priority,
            move || {
                timer_fired(id);
                ControlFlow::Break // one-shot: a new deadline attaches a new source
            },
        );
        source.attach(Some(&self.context));
        *self.timer.borrow_mut() = Some((source, deadline));
    }

    /// Runs the guest, unless it is gone. No borrow is held across the run: it calls back.
    fn run_guest(&self) {
        let executor = self.executor.borrow().upgrade();
        if let Some(executor) = executor {
            executor.run();
        }
    }
}

/// GLib's timeout for a wait: whole milliseconds, rounded up so that it never fires before the
/// deadline, and at most `u32::MAX` ms (glib-rs casts the milliseconds to `u32`).
fn timeout_for(wait: Duration) -> Duration {
    let millis = wait.as_nanos().div_ceil(1_000_000);
    Duration::from_millis(u64::try_from(millis.min(u128::from(u32::MAX))).unwrap_or(u64::MAX))
}

/// The guest `id` on this thread, if it is still there.
fn guest(id: u64) -> Option<Rc<Shared>> {
    GUESTS
        .try_with(|guests| guests.borrow().get(&id).and_then(Weak::upgrade))
        .ok()
        .flatten()
}

fn timer_fired(id: u64) {
    let Some(shared) = guest(id) else { return };
    let Some((_, deadline)) = shared.timer.borrow_mut().take() else {
        return;
    };
    // Taken out above: a `set_timer` from inside this run attaches a new source and leaves the
    // one dispatching now alone (it ends when this function returns `Break`).
    if shared.now() < deadline {
        shared.arm(deadline); // GLib's clock said yes a little early: wait out the rest
        return;
    }
    shared.run_guest();
}

/// guestloop's [`Host`] on a GLib main context. Made by [`Guest`].
struct GlibHost(Rc<Shared>);

impl Host for GlibHost {
    fn now(&self) -> Instant {
        self.0.now()
    }

    fn set_timer(&self, deadline: Option<Instant>) {
        match deadline {
            Some(deadline) => self.0.arm(deadline),
            None => self.0.disarm(),
        }
    }

    fn run_soon_handle(&self) -> RunSoon {
        let (id, context, priority) = (self.0.id, self.0.context.clone(), self.0.run_soon_priority);
        Arc::new(move || {
            // From any thread: attaching a source wakes the context. Once the guest is gone the
            // function finds nothing; once the context is gone nobody dispatches it.
            let source = glib::idle_source_new(Some("guestloop run"), priority, move || {
                if let Some(shared) = guest(id) {
                    shared.run_guest();
                }
                ControlFlow::Break
            });
            source.attach(Some(&context));
        })
    }
}

#[cfg(test)]
mod tests {
    use super::timeout_for;
    use std::time::Duration;

    #[test]
    fn timeouts_round_up_to_whole_milliseconds_and_clamp() {
        assert_eq!(timeout_for(Duration::ZERO), Duration::ZERO);
        assert_eq!(
            timeout_for(Duration::from_nanos(1)),
            Duration::from_millis(1)
        );
        assert_eq!(
            timeout_for(Duration::from_micros(1500)),
            Duration::from_millis(2)
        );
        assert_eq!(
            timeout_for(Duration::from_millis(7)),
            Duration::from_millis(7)
        );
        let far = Duration::from_millis(u64::from(u32::MAX) + 5);
        assert_eq!(timeout_for(far), Duration::from_millis(u64::from(u32::MAX)));
        assert_eq!(
            timeout_for(Duration::MAX),
            Duration::from_millis(u64::from(u32::MAX))
        );
    }
}
