//! The eratosthenes demo on the terminal: [`SieveClient`] (keys and drawing, for any ratatui
//! backend) and [`run`], which wires it to the real terminal and writes the trace.
//!
//! Owns the sieve's keys and the order of setup and teardown. The model never sees the loop or the
//! terminal.

use crate::app::{enter_terminal, is_quit, pressed};
use crate::clock::{HostClock, Pace};
use crate::palette::ColourMode;
use crate::sieve_screen::{FooterState, SieveScreen};
use crate::term_loop;
use crossterm::event::{Event, KeyCode};
use guestloop::blocking_loop::LoopClient;
use guestloop::sieve::{SieveConfig, SieveSummary};
use guestloop::{JoinError, JoinHandle};
use guestloop_demo_cli::{TraceFailed, TraceFile, run_traced_sieve};
use ratatui::Terminal;
use ratatui::backend::Backend;
use std::cell::RefCell;
use std::io;
use std::ops::ControlFlow;
use std::rc::Rc;
use std::time::Duration;

/// Test hook (feature `test-hooks`): with `TUI_CHECK_PANIC_AFTER_MS=N`, the loop panics N ms
/// after it first draws, so a test can check that a panic leaves the terminal restored. (A panic
/// inside a guest task would not do: the executor catches those.)
#[cfg(feature = "test-hooks")]
fn deliberate_panic_if_due() {
    static DUE: std::sync::OnceLock<Option<std::time::Instant>> = std::sync::OnceLock::new();
    let due = DUE.get_or_init(|| {
        let ms: u64 = std::env::var("TUI_CHECK_PANIC_AFTER_MS")
            .ok()?
            .parse()
            .ok()?;
        Some(std::time::Instant::now() + Duration::from_millis(ms))
    });
    if due.is_some_and(|due| std::time::Instant::now() >= due) {
        panic!("TUI_CHECK_PANIC_AFTER_MS: a deliberate panic, for testing");
    }
}
/// What the sieve's task returns: how it ended, or that its trace could not be written.
pub type SieveRun = Result<SieveSummary, TraceFailed>;

/// The eratosthenes demo's keys and drawing.
///
/// Space pauses and resumes, `+` / `-` halve and double the tick: both act on the host's
/// [`HostClock`], not on the model, so the run's events and trace stay those of the configured
/// tick (see `clock.rs`).
#[derive(Debug)]
pub struct SieveClient<B: Backend> {
    terminal: Terminal<B>,
    screen: Rc<RefCell<SieveScreen>>,
    run: JoinHandle<SieveRun>,
    outcome: Option<Result<SieveRun, JoinError>>,
    tick: Duration,
    quit_when_done: bool,
    error: Option<io::Error>,
}

impl<B: Backend> SieveClient<B> {
    /// A client drawing `screen` on `terminal` while `run` goes; quits when it is done if
    /// `quit_when_done`.
    pub fn new(
        terminal: Terminal<B>,
        screen: Rc<RefCell<SieveScreen>>,
        run: JoinHandle<SieveRun>,
        tick: Duration,
        quit_when_done: bool,
    ) -> SieveClient<B> {
        SieveClient {
            terminal,
            screen,
            run,
            outcome: None,
            tick,
            quit_when_done,
            error: None,
        }
    }

    /// The terminal (a `TestBackend`'s buffer, in tests).
    pub fn terminal(&self) -> &Terminal<B> {
        &self.terminal
    }

    /// The process's exit code: 0, or 1 (with a message on stderr) if drawing failed, the
    /// sieve's task panicked or its trace could not be written.
    pub fn exit_code(&self) -> i32 {
        if let Some(error) = &self.error {
            eprintln!("error: drawing failed: {error}");
            return 1;
        }
        match &self.outcome {
            Some(Err(error)) => {
                eprintln!("error: the sieve failed: {error}");
                1
            }
            Some(Ok(Err(error))) => {
                eprintln!("error: {error}");
                1
            }
            _ => 0,
        }
    }

    fn draw(&mut self, clock: &HostClock) -> io::Result<()> {
        let footer = FooterState {
            tick: tick_at_speed(self.tick, clock.speed()),
            paused: clock.is_paused(),
        };
        let screen = self.screen.borrow();
        self.terminal
            .draw(|frame| screen.render(footer, frame.area(), frame.buffer_mut()))?;
        Ok(())
    }
}

/// The tick as it runs at `speed`: `tick / 2^speed`.
fn tick_at_speed(tick: Duration, speed: i32) -> Duration {
    let nanos = tick.as_nanos();
    let scaled = if speed >= 0 {
        nanos >> speed
    } else {
        nanos << -speed
    };
    Duration::from_nanos(scaled as u64)
}

impl<B: Backend> LoopClient<Event, HostClock> for SieveClient<B> {
    fn message(&mut self, event: Event, clock: &HostClock) -> ControlFlow<()> {
        if let Some(key) = pressed(&event) {
            if is_quit(key) {
                return ControlFlow::Break(());
            }
            match key.code {
                KeyCode::Char(' ') => clock.set_paused(!clock.is_paused()),
                KeyCode::Char('+' | '=') => clock.change_speed(1),
                KeyCode::Char('-' | '_') => clock.change_speed(-1),
                _ => return ControlFlow::Continue(()),
            }
        }
        // A key that changed the footer, or a resize: draw again.
        self.screen.borrow_mut().mark_dirty();
        ControlFlow::Continue(())
    }

    fn turn_done(&mut self, clock: &HostClock) -> ControlFlow<()> {
        #[cfg(feature = "test-hooks")]
        deliberate_panic_if_due();
        if self.outcome.is_none() {
            self.outcome = self.run.try_take();
        }
        if matches!(self.outcome, Some(Err(_) | Ok(Err(_)))) {
            return ControlFlow::Break(()); // a panic or a failed trace: end with exit code 1
        }
        if self.screen.borrow_mut().take_dirty()
            && let Err(error) = self.draw(clock)
        {
            self.error = Some(error);
            return ControlFlow::Break(());
        }
        if self.outcome.is_some() && self.quit_when_done {
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    }
}
/// Shows the sieve in this terminal until q (or until it is done, with `quit_when_done`),
/// writing its trace to `trace`; returns the exit code.
pub fn run(config: SieveConfig, trace: Option<TraceFile>, quit_when_done: bool) -> i32 {
    let term_loop = term_loop::new(Pace::RealTime);
    let executor = term_loop::executor(&term_loop);
    let screen = Rc::new(RefCell::new(SieveScreen::new(
        &config,
        ColourMode::from_env(),
    )));
    let run = executor.spawn_local(run_traced_sieve(config, screen.clone(), trace));
    let (guard, terminal) = match enter_terminal(&term_loop) {
        Ok(entered) => entered,
        Err(code) => return code,
    };
    let mut client = SieveClient::new(terminal, screen, run, config.tick(), quit_when_done);
    term_loop.run(&executor, &mut client);
    drop(guard); // restore the terminal before anything is printed
    client.exit_code()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_footer_tick_follows_the_speed() {
        let tick = Duration::from_millis(100);
        assert_eq!(tick_at_speed(tick, 0), tick);
        assert_eq!(tick_at_speed(tick, 1), Duration::from_millis(50));
        assert_eq!(tick_at_speed(tick, -2), Duration::from_millis(400));
    }
}
