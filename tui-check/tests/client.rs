//! The demos' keys and drawing on the terminal host's loop, with ratatui's `TestBackend` and
//! keys sent into the loop's channel: no terminal involved.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use guestloop::blocking_loop::LoopClient;
use guestloop::minimal::{ANSWER, QUESTION, run_minimal};
use guestloop::primes::{MAX_LIMIT, PrimesConfig};
use guestloop::sieve::{SieveConfig, run_sieve};
use guestloop::{Executor, Handle};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::cell::RefCell;
use std::ops::ControlFlow;
use std::rc::Rc;
use std::time::{Duration, Instant};
use tui_check::clock::{HostClock, Pace};
use tui_check::minimal::MinimalClient;
use tui_check::minimal_screen::MinimalScreen;
use tui_check::palette::ColourMode;
use tui_check::primes::PrimesClient;
use tui_check::primes_screen::PrimesScreen;
use tui_check::sieve::SieveClient;
use tui_check::sieve_screen::SieveScreen;
use tui_check::term_loop;

fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
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
    keys: Vec<Event>,
    later: Vec<Event>,
) -> (String, bool, i32, i32) {
    let config = SieveConfig::new(10, 10).unwrap();
    let term_loop = term_loop::new(pace);
    let executor = term_loop::executor(&term_loop);
    let screen = Rc::new(RefCell::new(SieveScreen::new(
        &config,
        ColourMode::Indexed256,
    )));
    let run = executor.spawn_local({
        let screen = screen.clone();
        async move { Ok(run_sieve(config, screen).await) }
    });
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
    let ctrl_c = Event::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
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
    let term_loop = term_loop::new(Pace::RealTime);
    let executor = term_loop::executor(&term_loop);
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

/// A frame the primes client drew, with the executor's live tasks right after it.
#[derive(Debug)]
struct Drawn {
    text: String,
    live_tasks: usize,
}

/// Wraps a [`PrimesClient`], recording every new frame; quits when the client does or when
/// `done(client)`.
struct Recorder {
    client: PrimesClient<TestBackend>,
    executor: Handle,
    frames: Vec<Drawn>,
    done: fn(&PrimesClient<TestBackend>) -> bool,
}

impl LoopClient<Event, HostClock> for Recorder {
    fn message(&mut self, event: Event, clock: &HostClock) -> ControlFlow<()> {
        self.client.message(event, clock)
    }

    fn turn_done(&mut self, clock: &HostClock) -> ControlFlow<()> {
        let control = self.client.turn_done(clock);
        let text = text(self.client.terminal());
        if self.frames.last().is_none_or(|last| last.text != text) {
            let live_tasks = self.executor.stats().live_tasks;
            self.frames.push(Drawn { text, live_tasks });
        }
        if (self.done)(&self.client) {
            return ControlFlow::Break(());
        }
        control
    }
}

/// Runs a primes client counting to `limit` on 2 workers until it quits or `done`, with `script`
/// sent into the loop from another thread (each message after its delay in ms). If the run is
/// not over 30 s after the script, a q ends it: a broken client fails its test, never hangs it.
fn primes_run(
    limit: u64,
    quit_when_done: bool,
    script: Vec<(u64, Event)>,
    done: fn(&PrimesClient<TestBackend>) -> bool,
) -> (Recorder, Executor) {
    let config = PrimesConfig::new(limit).unwrap().with_workers(2).unwrap();
    let term_loop = term_loop::new(Pace::RealTime);
    let executor = term_loop::executor(&term_loop);
    let screen = Rc::new(RefCell::new(PrimesScreen::new(&config)));
    let terminal = Terminal::new(TestBackend::new(80, 20)).unwrap();
    let client = PrimesClient::new(terminal, screen, executor.handle(), config, quit_when_done);
    let (finished, over) = std::sync::mpsc::channel::<()>();
    let sender = term_loop.sender();
    std::thread::spawn(move || {
        for (delay, message) in script {
            std::thread::sleep(Duration::from_millis(delay));
            let _ = sender.send(message);
        }
        if over.recv_timeout(Duration::from_secs(30)).is_err() {
            let _ = sender.send(key(KeyCode::Char('q')));
        }
    });
    let mut recorder = Recorder {
        client,
        executor: executor.handle(),
        frames: Vec::new(),
        done,
    };
    term_loop.run(&executor, &mut recorder);
    let _ = finished.send(());
    (recorder, executor)
}

/// The state lines of `frames`, in order, each once per stretch.
fn states(frames: &[Drawn]) -> Vec<&'static str> {
    let mut states: Vec<&'static str> = Vec::new();
    for frame in frames {
        let state = [
            "press Enter to start",
            "counting...",
            "cancelled",
            "primes <= ",
        ]
        .into_iter()
        .find(|state| frame.text.contains(state))
        .unwrap_or("?");
        if states.last() != Some(&state) {
            states.push(state);
        }
    }
    states
}

#[test]
fn enter_starts_a_count_that_shows_its_result() {
    let (recorder, executor) = primes_run(
        1_000_000,
        false,
        vec![(100, key(KeyCode::Enter))],
        |client| client.result().is_some(),
    );
    let frames = &recorder.frames;
    assert!(
        frames[0].text.contains("press Enter to start"),
        "{frames:?}"
    );
    assert_eq!(frames[0].live_tasks, 0, "nothing runs before Enter");
    let last = &frames.last().unwrap().text;
    assert!(last.contains("primes <= 1000000: 78498 in "), "{last}");
    assert!(last.contains("1/1 segments (100%)"), "{last}");
    assert_eq!(recorder.client.result(), Some(78_498));
    assert!(!recorder.client.is_counting());
    assert_eq!(recorder.client.exit_code(), 0);
    assert_eq!(executor.stats().live_tasks, 0);
}

#[test]
fn esc_cancels_a_count_at_once_enter_starts_again_and_esc_then_quits() {
    let script = vec![
        (100, key(KeyCode::Enter)),
        (300, key(KeyCode::Esc)),
        (200, key(KeyCode::Enter)),
        (300, key(KeyCode::Esc)),
        (200, key(KeyCode::Esc)),
    ];
    let (recorder, executor) = primes_run(MAX_LIMIT, false, script, |_| false);
    let frames = &recorder.frames;
    assert_eq!(
        states(frames),
        [
            "press Enter to start",
            "counting...",
            "cancelled",
            "counting...",
            "cancelled"
        ],
        "{frames:?}"
    );
    for frame in frames {
        if frame.text.contains("counting...") {
            assert!(frame.live_tasks > 0, "a count runs:\n{}", frame.text);
        }
        if frame.text.contains("cancelled") {
            assert_eq!(frame.live_tasks, 0, "aborted at once:\n{}", frame.text);
        }
    }
    assert_eq!(recorder.client.result(), None);
    assert_eq!(recorder.client.exit_code(), 0);
    assert_eq!(executor.stats().live_tasks, 0);
}

#[test]
fn q_and_ctrl_c_quit_during_a_count() {
    let ctrl_c = Event::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    for quit in [key(KeyCode::Char('q')), ctrl_c] {
        let script = vec![(50, key(KeyCode::Enter)), (200, quit)];
        let (recorder, _executor) = primes_run(MAX_LIMIT, false, script, |_| false);
        assert!(recorder.client.is_counting(), "{:?}", recorder.frames);
        assert_eq!(recorder.client.exit_code(), 0);
    }
}

#[test]
fn quit_when_done_counts_at_once_and_quits_with_the_result() {
    let (recorder, executor) = primes_run(1_000_000, true, vec![], |_| false);
    assert_eq!(recorder.client.result(), Some(78_498));
    let last = &recorder.frames.last().unwrap().text;
    assert!(last.contains("primes <= 1000000: 78498 in "), "{last}");
    assert!(
        recorder
            .frames
            .iter()
            .all(|frame| !frame.text.contains("press Enter")),
        "{:?}",
        recorder.frames
    );
    assert_eq!(executor.stats().live_tasks, 0);
}
