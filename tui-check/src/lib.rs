//! `tui-check`: guestloop's second real host, a terminal event loop, and the demos (eratosthenes,
//! minimal, primes) drawn with ratatui on crossterm.
//!
//! The point is the seam: the same `run_sieve`, `run_minimal` and `count_primes` the Qt window
//! runs, on a completely different loop, through the same three-method `guestloop::Host`.
//!
//! - [`term_loop`]: the host, guestloop's blocking loop on the terminal's events and the
//!   [`clock`] — one channel, one wait, no polling; drivable without a terminal.
//! - [`clock`]: the host's time source, which pauses and changes speed.
//! - [`sieve_screen`], [`minimal_screen`], [`primes_screen`], [`palette`]: what the demos look
//!   like in cells.
//! - [`sieve`], [`minimal`], [`primes`]: each demo's keys and drawing (a `LoopClient` for any
//!   ratatui backend) and its `run`, wired to the real terminal; [`app`]: what they share.
//! - [`terminal`]: raw mode, the alternate screen, the restoring panic hook, the input thread.
//! - [`check`]: `--check`, the sieve at full speed against a plain sieve.
//!
//! ```
//! use std::time::Duration;
//! use tui_check::clock::Pace;
//! use tui_check::term_loop;
//!
//! // No terminal needed: the loop waits on its channel and its timer only.
//! let term_loop = term_loop::new(Pace::RealTime);
//! let executor = term_loop::executor(&term_loop);
//! let task = executor.spawn_local(async {
//!     guestloop::sleep(Duration::from_millis(5)).await;
//!     guestloop::now()
//! });
//! term_loop.run_until(&executor, || task.is_finished());
//! assert!(task.is_finished());
//! ```
//!
//! `tui-check` depends on `guestloop`'s public API; `guestloop` knows nothing of it.

pub mod app;
pub mod check;
pub mod clock;
pub mod minimal;
pub mod minimal_screen;
pub mod palette;
pub mod primes;
pub mod primes_screen;
pub mod sieve;
pub mod sieve_screen;
pub mod term_loop;
pub mod terminal;
