//! guestloop on winit's event loop: the eratosthenes and minimal demos in a window drawn with
//! softbuffer (plain pixels, no GPU).
//!
//! The host is the library `guestloop-winit` (a [`Guest`](guestloop_winit::Guest) in the
//! application handler); this crate is the demos' window on it.
//!
//! - [`app`]: [`DemoApp`](app::DemoApp), one window, its pixels, Esc and closing, the exit code.
//! - [`sieve`], [`minimal`]: the two demos as pixels, on `guestloop`'s models.
//! - [`canvas`], [`digits`]: rectangles and bitmap text.
//!
//! Only `app` knows winit (and only `app` softbuffer): the demos draw into a
//! [`Canvas`](canvas::Canvas) and can be tested without a window. Nothing here reimplements a
//! model: the window runs `run_sieve` and `run_minimal`, so its trace is the test host's.

pub mod app;
pub mod canvas;
pub mod digits;
pub mod minimal;
pub mod sieve;
