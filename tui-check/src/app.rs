//! The eratosthenes and minimal demos on the terminal: [`SieveClient`] and [`MinimalClient`]
//! (keys and drawing, for any ratatui backend), and [`run_sieve_demo`] / [`run_minimal_demo`],
//! which wire them to the real terminal. (The primes demo, which also owns a task's life, is in
//! `primes_app`; it shares `pressed` and `enter_terminal` from here.)
//!
//! Owns the keys and the order of setup and teardown. Depends on the loop, the screens, the
//! terminal module and `guestloop`'s models; the models never see any of it.

use crate::clock::{HostClock, Pace};
use crate::minimal_screen::MinimalScreen;
use crate::palette::ColourMode;
use crate::sieve_screen::{FooterState, SieveScreen};
use crate::term_loop::{self, TermLoop};
use crate::terminal;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use guestloop::blocking_loop::LoopClient;
use guestloop::minimal::run_minimal;
use guestloop::sieve::{SieveConfig, SieveEvent, SieveSummary, SieveView, TraceWriter, run_sieve};
use guestloop::{JoinError, JoinHandle};
use ratatui::Terminal;
use ratatui::backend::Backend;
use std::cell::RefCell;
use std::fs::File;
use std::io::{self, BufWriter};
use std::ops::ControlFlow;
use std::path::Path;
use std::rc::Rc;
use std::time::Duration;

/// A key press (releases and repeats of other kinds are ignored), if `event` is one.
pub(crate) fn pressed(event: &Event) -> Option<&KeyEvent> {
    match event {
        Event::Key(key) if key.kind == KeyEventKind::Press => Some(key),
        _ => None,
    }
}

/// q, Esc and Ctrl-C quit.
fn is_quit(key: &KeyEvent) -> bool {
    match key.code {
        KeyCode::Char('q') | KeyCode::Esc => true,
        KeyCode::Char('c') => key.modifiers.contains(KeyModifiers::CONTROL),
        _ => false,
    }
}

/// Test hook: with `TUI_CHECK_PANIC_AFTER_MS=N`, the loop panics N ms after it first draws, so
/// a test can check that a panic leaves the terminal restored. (A panic inside a guest task would
/// not do: the executor catches those.)
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

/// The eratosthenes demo's keys and drawing.
///
/// Space pauses and resumes, `+` / `-` halve and double the tick: both act on the host's
/// [`HostClock`], not on the model, so the run's events and trace stay those of the configured
/// tick (see `clock.rs`).
#[derive(Debug)]
pub struct SieveClient<B: Backend> {
    terminal: Terminal<B>,
    screen: Rc<RefCell<SieveScreen>>,
    run: JoinHandle<SieveSummary>,
    outcome: Option<Result<SieveSummary, JoinError>>,
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
        run: JoinHandle<SieveSummary>,
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

    /// The process's exit code: 0, or 1 if drawing failed or the sieve's task panicked.
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
        deliberate_panic_if_due();
        if self.outcome.is_none() {
            self.outcome = self.run.try_take();
        }
        if let Some(Err(_)) = self.outcome {
            return ControlFlow::Break(());
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

/// The minimal demo's keys (Enter presses the button) and drawing.
#[derive(Debug)]
pub struct MinimalClient<B: Backend> {
    terminal: Terminal<B>,
    screen: Rc<RefCell<MinimalScreen>>,
    clicks: async_channel::Sender<()>,
    error: Option<io::Error>,
}

impl<B: Backend> MinimalClient<B> {
    /// A client drawing `screen` on `terminal`, sending a click into `clicks` for every Enter.
    pub fn new(
        terminal: Terminal<B>,
        screen: Rc<RefCell<MinimalScreen>>,
        clicks: async_channel::Sender<()>,
    ) -> MinimalClient<B> {
        MinimalClient {
            terminal,
            screen,
            clicks,
            error: None,
        }
    }

    /// The terminal (a `TestBackend`'s buffer, in tests).
    pub fn terminal(&self) -> &Terminal<B> {
        &self.terminal
    }

    /// The process's exit code: 0, or 1 if drawing failed.
    pub fn exit_code(&self) -> i32 {
        match &self.error {
            Some(error) => {
                eprintln!("error: drawing failed: {error}");
                1
            }
            None => 0,
        }
    }
}

impl<B: Backend> LoopClient<Event, HostClock> for MinimalClient<B> {
    fn message(&mut self, event: Event, _clock: &HostClock) -> ControlFlow<()> {
        if let Some(key) = pressed(&event) {
            if is_quit(key) {
                return ControlFlow::Break(());
            }
            if key.code == KeyCode::Enter {
                // Unbounded: only fails once the demo is gone.
                let _ = self.clicks.try_send(());
            }
            return ControlFlow::Continue(());
        }
        self.screen.borrow_mut().mark_dirty();
        ControlFlow::Continue(())
    }

    fn turn_done(&mut self, _clock: &HostClock) -> ControlFlow<()> {
        if self.screen.borrow_mut().take_dirty() {
            let screen = self.screen.borrow();
            let drawn = self
                .terminal
                .draw(|frame| screen.render(frame.area(), frame.buffer_mut()));
            if let Err(error) = drawn {
                self.error = Some(error);
                return ControlFlow::Break(());
            }
        }
        ControlFlow::Continue(())
    }
}

/// A trace file's writer, shared by the view (which writes) and the demo (which finishes it).
type SharedTrace = Rc<RefCell<Option<TraceWriter<BufWriter<File>>>>>;

/// Opens `path` for the trace, if given.
///
/// # Errors
/// A one-line message naming the file.
pub fn open_trace(path: Option<&Path>) -> Result<Option<BufWriter<File>>, String> {
    path.map(|path| {
        File::create(path)
            .map(BufWriter::new)
            .map_err(|error| format!("cannot write the trace to {}: {error}", path.display()))
    })
    .transpose()
}

/// Shows the sieve in this terminal until q (or until it is done, with `quit_when_done`),
/// writing its trace to `trace`; returns the exit code.
pub fn run_sieve_demo(
    config: SieveConfig,
    trace: Option<BufWriter<File>>,
    quit_when_done: bool,
) -> i32 {
    let term_loop = term_loop::new(Pace::RealTime);
    let executor = term_loop::executor(&term_loop);
    let screen = Rc::new(RefCell::new(SieveScreen::new(
        &config,
        ColourMode::from_env(),
    )));
    let trace: SharedTrace = Rc::new(RefCell::new(trace.map(TraceWriter::new)));
    let trace_view = {
        let trace = trace.clone();
        move |event: &SieveEvent| {
            if let Some(writer) = trace.borrow_mut().as_mut() {
                writer.show(event);
            }
        }
    };
    let run = executor.spawn_local(run_sieve(config, (screen.clone(), trace_view)));
    let (guard, terminal) = match enter_terminal(&term_loop) {
        Ok(entered) => entered,
        Err(code) => return code,
    };
    let mut client = SieveClient::new(terminal, screen, run, config.tick(), quit_when_done);
    term_loop.run(&executor, &mut client);
    drop(guard); // restore the terminal before anything is printed
    let mut code = client.exit_code();
    drop(executor);
    if let Some(writer) = trace.borrow_mut().take()
        && let Err(error) = writer.finish()
    {
        eprintln!("error: writing the trace failed: {error}");
        code = 1;
    }
    code
}

/// Shows the minimal demo in this terminal until q; returns the exit code.
pub fn run_minimal_demo() -> i32 {
    let term_loop = term_loop::new(Pace::RealTime);
    let executor = term_loop::executor(&term_loop);
    let screen = Rc::new(RefCell::new(MinimalScreen::default()));
    let (click, clicks) = async_channel::unbounded();
    let _demo = executor.spawn_local(run_minimal(clicks, screen.clone()));
    let (guard, terminal) = match enter_terminal(&term_loop) {
        Ok(entered) => entered,
        Err(code) => return code,
    };
    let mut client = MinimalClient::new(terminal, screen, click);
    term_loop.run(&executor, &mut client);
    drop(guard);
    client.exit_code()
}

/// Sets the terminal up and starts feeding its input to `term_loop`; an exit code on failure.
pub(crate) fn enter_terminal(
    term_loop: &TermLoop,
) -> Result<
    (
        terminal::TerminalGuard,
        Terminal<ratatui::backend::CrosstermBackend<io::Stdout>>,
    ),
    i32,
> {
    let entered = terminal::enter().and_then(|entered| {
        terminal::spawn_input_thread(term_loop.sender())?;
        Ok(entered)
    });
    entered.map_err(|error| {
        terminal::restore();
        eprintln!("error: cannot use this terminal: {error}");
        1
    })
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
