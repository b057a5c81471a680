//! What the terminal demos share: which keys are presses and which quit, and entering the
//! terminal with its input feeding the loop. The demos themselves are in [`sieve`](crate::sieve),
//! [`minimal`](crate::minimal) and [`primes`](crate::primes).

use crate::term_loop::TermLoop;
use crate::terminal;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::Terminal;
use std::io;

/// A key press (releases and repeats of other kinds are ignored), if `event` is one.
pub(crate) fn pressed(event: &Event) -> Option<&KeyEvent> {
    match event {
        Event::Key(key) if key.kind == KeyEventKind::Press => Some(key),
        _ => None,
    }
}

/// q, Esc and Ctrl-C quit.
pub(crate) fn is_quit(key: &KeyEvent) -> bool {
    match key.code {
        KeyCode::Char('q') | KeyCode::Esc => true,
        KeyCode::Char('c') => key.modifiers.contains(KeyModifiers::CONTROL),
        _ => false,
    }
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
