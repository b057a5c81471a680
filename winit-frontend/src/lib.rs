//! guestloop on winit's event loop: the eratosthenes and minimal demos in a window drawn with
//! softbuffer (plain pixels, no GPU).
//!
//! winit has no executor of its own, so this is a host written from outside, by following
//! `docs/implementing-a-host.md`; [`host`] is that guide's worked example, the module a winit
//! application copies. The rest is the demos' window.
//!
//! - [`host`]: [`Guest`](host::Guest), the executor on winit's loop (a proxy as run-soon,
//!   `ControlFlow::WaitUntil` as the timer, a monotonic clock); depends on winit and guestloop.
//! - [`app`]: [`DemoApp`](app::DemoApp), one window, its pixels, Esc and closing, the exit code.
//! - [`sieve_demo`], [`minimal_demo`]: the two demos as pixels, on `guestloop`'s models.
//! - [`canvas`], [`digits`]: rectangles and bitmap text.
//!
//! Only `host` and `app` know winit (and only `app` softbuffer): the demos draw into a
//! [`Canvas`](canvas::Canvas) and can be tested without a window. Nothing here reimplements a
//! model: the window runs `run_sieve` and `run_minimal`, so its trace is the test host's.

pub mod app;
pub mod canvas;
pub mod digits;
pub mod host;
pub mod minimal_demo;
pub mod sieve_demo;
