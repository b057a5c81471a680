//! The demos' keys and drawing on the terminal host's loop, with ratatui's `TestBackend` and
//! keys sent into the loop's channel: no terminal involved.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use guestloop::minimal::{ANSWER, QUESTION, run_minimal};
use guestloop::sieve::{SieveConfig, run_sieve};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};
use tui_check::app::{MinimalClient, SieveClient};
use tui_check::clock::Pace;
use tui_check::minimal_screen::MinimalScreen;
use tui_check::palette::ColourMode;
use tui_check::sieve_screen::SieveScreen;
use tui_check::term_loop::{Message, TermLoop};

fn key(code: KeyCode) -> Message {
    Message::Input(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn text(terminal: &Terminal<TestBackend>) -> String {
    let buffer = terminal.backend().buffer();
    let width = usize::from(buffer.area.width);
    let symbols: Vec<&str> = buffer.content().iter().map(|cell| cell.symbol()).collect();
    symbols
        .chunks(width)
        .map(|row| row.concat() + "\n")
        .collect()
}

/// A 10×10 sieve client on a loop; `keys` are queued before the loop starts, `later` keys are
/// sent 100 ms after it started (once it has drawn).
fn sieve_run(
    pace: Pace,
    quit_when_done: bool,
    keys: Vec<Message>,
    later: Vec<Message>,
) -> (String, bool, i32, i32) {
    let config = SieveConfig::new(10, 10).unwrap();
    let term_loop = TermLoop::new(pace);
    let executor = term_loop.executor();
    let screen = Rc::new(RefCell::new(SieveScreen::new(
        &config,
        ColourMode::Indexed256,
    )));
    let run = executor.spawn_local(run_sieve(config, screen.clone()));
    for message in keys {
        term_loop.sender().send(message).unwrap();
    }
    let sender = term_loop.sender();
    let later = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        for message in later {
            sender.send(message).unwrap();
        }
    });
    let terminal = Terminal::new(TestBackend::new(60, 16)).unwrap();
    let mut client = SieveClient::new(terminal, screen, run, config.tick(), quit_when_done);
    term_loop.run(&executor, &mut client);
    later.join().unwrap();
    (
        text(client.terminal()),
        screen_done(&client),
        client.exit_code(),
        term_loop.clock().speed(),
    )
}

fn screen_done(client: &SieveClient<TestBackend>) -> bool {
    text(client.terminal()).contains("Congratulations!")
}

#[test]
fn quit_when_done_draws_the_last_frame_then_quits() {
    let (screen, done, code, _) = sieve_run(Pace::FastForward, true, vec![], vec![]);
    assert!(done, "{screen}");
    assert_eq!(code, 0);
    assert!(screen.contains("tick 51 |"), "{screen}");
}

#[test]
fn q_esc_and_ctrl_c_quit_at_once() {
    let ctrl_c = Message::Input(Event::Key(KeyEvent::new(
        KeyCode::Char('c'),
        KeyModifiers::CONTROL,
    )));
    for quit in [key(KeyCode::Char('q')), key(KeyCode::Esc), ctrl_c] {
        let (screen, done, code, _) = sieve_run(Pace::RealTime, false, vec![quit], vec![]);
        assert!(!done, "{screen}");
        assert_eq!(code, 0);
    }
}

#[test]
fn plus_minus_and_space_act_on_the_host_clock() {
    let keys = vec![
        key(KeyCode::Char('+')),
        key(KeyCode::Char('+')),
        key(KeyCode::Char('-')),
        key(KeyCode::Char(' ')),
    ];
    // Paused, the loop sleeps until a key comes: this one quits.
    let (screen, done, _, speed) =
        sieve_run(Pace::RealTime, false, keys, vec![key(KeyCode::Char('q'))]);
    assert_eq!(speed, 1);
    assert!(!done);
    assert!(screen.contains("PAUSED"), "{screen}");
}

#[test]
fn enter_presses_the_minimal_button() {
    let term_loop = TermLoop::new(Pace::RealTime);
    let executor = term_loop.executor();
    let screen = Rc::new(RefCell::new(MinimalScreen::default()));
    let (click, clicks) = async_channel::unbounded();
    let _demo = executor.spawn_local(run_minimal(clicks, screen.clone()));
    let sender = term_loop.sender();
    let started = Instant::now();
    let keys = std::thread::spawn(move || {
        sender.send(key(KeyCode::Enter)).unwrap();
        std::thread::sleep(Duration::from_millis(1300));
        sender.send(key(KeyCode::Char('q'))).unwrap();
    });
    let terminal = Terminal::new(TestBackend::new(60, 8)).unwrap();
    let mut client = MinimalClient::new(terminal, screen.clone(), click);
    term_loop.run(&executor, &mut client);
    keys.join().unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(screen.borrow().label(), QUESTION);
    let shown = text(client.terminal());
    assert!(
        shown.contains(QUESTION) && !shown.contains(ANSWER),
        "{shown}"
    );
    assert!(shown.contains("[ What is the question? ]"), "{shown}");
}
