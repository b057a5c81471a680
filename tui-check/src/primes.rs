//! The primes demo on the terminal: [`PrimesClient`] (keys, the count's task, drawing, for any
//! ratatui backend) and [`run`], which wires it to the real terminal.
//!
//! Owns the count's life: Enter spawns `count_primes` on the guest executor and keeps its
//! [`JoinHandle`]; Esc aborts it, which drops the count's future and with it the segments in
//! flight. The model never sees the loop or the terminal.

use crate::app::{enter_terminal, pressed};
use crate::clock::{HostClock, Pace};
use crate::primes_screen::PrimesScreen;
use crate::term_loop;
use crossterm::event::{Event, KeyCode, KeyModifiers};
use guestloop::blocking_loop::LoopClient;
use guestloop::primes::{PrimesConfig, count_primes};
use guestloop::{Handle, JoinError, JoinHandle};
use guestloop_demo_cli::primes_line;
use ratatui::Terminal;
use ratatui::backend::Backend;
use std::cell::RefCell;
use std::io;
use std::ops::ControlFlow;
use std::rc::Rc;

/// The primes demo's keys, its count's task and its drawing.
///
/// - Enter starts a count, unless one is running.
/// - Esc cancels a running count (the screen says so at once); with nothing running, it quits.
/// - q and Ctrl-C quit, running or not (the count's task goes with the executor).
///
/// With `quit_when_done`, a count starts at once and the loop ends when it is final.
#[derive(Debug)]
pub struct PrimesClient<B: Backend> {
    terminal: Terminal<B>,
    screen: Rc<RefCell<PrimesScreen>>,
    executor: Handle,
    config: PrimesConfig,
    count: Option<JoinHandle<u64>>,
    result: Option<u64>,
    quit_when_done: bool,
    failure: Option<JoinError>,
    error: Option<io::Error>,
}

impl<B: Backend> PrimesClient<B> {
    /// A client drawing `screen` on `terminal`, counting `config` on `executor` when asked (at
    /// once, if `quit_when_done`).
    pub fn new(
        terminal: Terminal<B>,
        screen: Rc<RefCell<PrimesScreen>>,
        executor: Handle,
        config: PrimesConfig,
        quit_when_done: bool,
    ) -> PrimesClient<B> {
        let mut client = PrimesClient {
            terminal,
            screen,
            executor,
            config,
            count: None,
            result: None,
            quit_when_done,
            failure: None,
            error: None,
        };
        if quit_when_done {
            client.start();
        }
        client
    }

    /// The terminal (a `TestBackend`'s buffer, in tests).
    pub fn terminal(&self) -> &Terminal<B> {
        &self.terminal
    }

    /// The result of the last count, once it is final (`None` again when a count starts or is
    /// cancelled).
    pub fn result(&self) -> Option<u64> {
        self.result
    }

    /// Whether a count is running.
    pub fn is_counting(&self) -> bool {
        self.count.is_some()
    }

    /// The process's exit code: 0, or 1 if drawing failed or the count's task panicked.
    pub fn exit_code(&self) -> i32 {
        if let Some(error) = &self.error {
            eprintln!("error: drawing failed: {error}");
            return 1;
        }
        match &self.failure {
            Some(error) => {
                eprintln!("error: the count failed: {error}");
                1
            }
            None => 0,
        }
    }

    /// Spawns a count, unless one is running. Its first poll is in the loop's next run.
    fn start(&mut self) {
        if self.count.is_some() {
            return;
        }
        self.result = None;
        self.screen.borrow_mut().start();
        let count = count_primes(self.config, self.screen.clone());
        self.count = Some(self.executor.spawn_local(count));
    }

    /// Aborts the running count; `false` if none was running.
    fn cancel(&mut self) -> bool {
        let Some(count) = self.count.take() else {
            return false;
        };
        // On the host thread, outside a run: the future (and its segments' tasks) is dropped
        // before `abort` returns, so nothing of this count reaches the screen after this.
        count.abort();
        self.screen.borrow_mut().cancel();
        true
    }

    /// Takes the count's outcome if its task has finished.
    fn collect(&mut self) {
        let Some(outcome) = self.count.as_mut().and_then(JoinHandle::try_take) else {
            return;
        };
        self.count = None;
        match outcome {
            Ok(count) => self.result = Some(count),
            Err(error) => self.failure = Some(error),
        }
    }
}

impl<B: Backend> LoopClient<Event, HostClock> for PrimesClient<B> {
    fn message(&mut self, event: Event, _clock: &HostClock) -> ControlFlow<()> {
        let Some(key) = pressed(&event) else {
            // A resize: draw again.
            self.screen.borrow_mut().mark_dirty();
            return ControlFlow::Continue(());
        };
        match key.code {
            KeyCode::Char('q') => ControlFlow::Break(()),
            KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                ControlFlow::Break(())
            }
            KeyCode::Esc => {
                if self.cancel() {
                    ControlFlow::Continue(())
                } else {
                    ControlFlow::Break(())
                }
            }
            KeyCode::Enter => {
                self.start();
                ControlFlow::Continue(())
            }
            _ => ControlFlow::Continue(()),
        }
    }

    fn turn_done(&mut self, _clock: &HostClock) -> ControlFlow<()> {
        self.collect();
        if self.failure.is_some() {
            return ControlFlow::Break(());
        }
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
        if self.quit_when_done && self.result.is_some() {
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    }
}

/// Shows the primes demo in this terminal until q; with `quit_when_done`, counts at once and,
/// once the count is final, restores the terminal and prints `primes <= N: COUNT` on stdout.
/// Returns the exit code.
pub fn run(config: PrimesConfig, quit_when_done: bool) -> i32 {
    let term_loop = term_loop::new(Pace::RealTime);
    let executor = term_loop::executor(&term_loop);
    let screen = Rc::new(RefCell::new(PrimesScreen::new(&config)));
    let (guard, terminal) = match enter_terminal(&term_loop) {
        Ok(entered) => entered,
        Err(code) => return code,
    };
    let mut client = PrimesClient::new(terminal, screen, executor.handle(), config, quit_when_done);
    term_loop.run(&executor, &mut client);
    drop(guard); // restore the terminal before anything is printed
    let code = client.exit_code();
    if quit_when_done && let Some(count) = client.result() {
        println!("{}", primes_line(config.limit(), count));
    }
    code
}
