//! The real terminal: entering and leaving raw mode and the alternate screen, the panic hook that
//! restores it, and the input thread that feeds crossterm's events to a [`TermLoop`].
//!
//! Owns every side effect on the user's terminal. It knows nothing of the guest or the demos.
//!
//! [`TermLoop`]: crate::term_loop::TermLoop

use crossterm::event::Event;
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use guestloop::blocking_loop::LoopSender;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::io::{self, Stdout};
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

/// The terminal while a demo shows: dropping it restores the terminal.
#[derive(Debug)]
pub struct TerminalGuard(());

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Enters raw mode and the alternate screen, and makes sure they are left again: on drop of the
/// guard, and on any panic (a hook restores the terminal before the panic message prints).
///
/// # Errors
/// If the terminal cannot be set up (for example, stdout is not a terminal); it is restored then.
pub fn enter() -> io::Result<(TerminalGuard, Terminal<CrosstermBackend<Stdout>>)> {
    install_panic_hook();
    let guard = TerminalGuard(());
    ENTERED.store(true, Ordering::SeqCst);
    enable_raw_mode()?;
    execute!(io::stdout(), EnterAlternateScreen)?;
    let mut terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    terminal.hide_cursor()?;
    terminal.clear()?;
    Ok((guard, terminal))
}

/// Whether the terminal is (possibly) in raw mode and the alternate screen.
static ENTERED: AtomicBool = AtomicBool::new(false);

/// Leaves the alternate screen and raw mode, shows the cursor. Does it once: a panic restores
/// from the hook, then again as the guard drops while unwinding, and leaving the alternate screen
/// twice would put the cursor back over the panic message.
pub fn restore() {
    if ENTERED.swap(false, Ordering::SeqCst) {
        let _ = execute!(io::stdout(), LeaveAlternateScreen, crossterm::cursor::Show);
        let _ = disable_raw_mode();
    }
}

fn install_panic_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
    });
}

/// Starts a thread that blocks in `crossterm::event::read` and forwards every event to `loop_`;
/// it ends when the loop is gone or the terminal fails. Blocking, not polling: no CPU while idle.
///
/// # Errors
/// If the thread cannot be started.
pub fn spawn_input_thread(loop_: LoopSender<Event>) -> io::Result<()> {
    std::thread::Builder::new()
        .name("tui-check input".into())
        .spawn(move || {
            while let Ok(event) = crossterm::event::read() {
                if loop_.send(event).is_err() {
                    return;
                }
            }
        })
        .map(drop)
}
