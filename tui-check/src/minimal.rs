//! The minimal demo on the terminal: [`MinimalClient`] (keys and drawing, for any ratatui
//! backend) and [`run`], which wires it to the real terminal.
//!
//! The model never sees the loop or the terminal.

use crate::app::{enter_terminal, is_quit, pressed};
use crate::clock::{HostClock, Pace};
use crate::minimal_screen::MinimalScreen;
use crate::term_loop;
use crossterm::event::{Event, KeyCode};
use guestloop::blocking_loop::LoopClient;
use guestloop::minimal::run_minimal;
use ratatui::Terminal;
use ratatui::backend::Backend;
use std::cell::RefCell;
use std::io;
use std::ops::ControlFlow;
use std::rc::Rc;

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
/// Shows the minimal demo in this terminal until q; returns the exit code.
pub fn run() -> i32 {
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
