//! Benchmark of the terminal host: the real loop and renderer, writing to a byte counter.
//!
//! Run with `cargo bench -p tui-check --bench terminal`. A 100×100 sieve at a 1 ms tick runs on
//! [`TermLoop`] in real time and draws through ratatui's crossterm backend into a writer that
//! counts bytes and flushes (one flush per drawn frame). It prints frames drawn per second, bytes
//! written per frame against one full repaint, and the tick drift over the run. It asserts
//! nothing about timing.

use guestloop::sieve::{SieveConfig, parse_tick, run_sieve};
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use std::cell::{Cell, RefCell};
use std::io::{self, Write};
use std::rc::Rc;
use std::time::Instant;
use tui_check::clock::Pace;
use tui_check::palette::ColourMode;
use tui_check::sieve::SieveClient;
use tui_check::sieve_screen::{FooterState, SieveScreen};
use tui_check::term_loop;

/// A terminal that only counts what is written to it.
#[derive(Clone, Default)]
struct Counter {
    bytes: Rc<Cell<u64>>,
    flushes: Rc<Cell<u64>>,
}

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.bytes.set(self.bytes.get() + buf.len() as u64);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.flushes.set(self.flushes.get() + 1);
        Ok(())
    }
}

fn main() {
    if !std::env::args().any(|arg| arg == "--bench") {
        // `cargo test --all-targets` runs benches as a smoke test: keep it short.
        println!("terminal bench: run `cargo bench -p tui-check --bench terminal` for figures");
        return;
    }
    let tick = parse_tick("0.001").unwrap();
    let config = SieveConfig::new(100, 100).unwrap().with_tick(tick).unwrap();
    // Room for the whole grid (4-digit numbers), so every cell is drawn.
    let area = Rect::new(0, 0, 640, 110);

    let term_loop = term_loop::new(Pace::RealTime);
    let executor = term_loop::executor(&term_loop);
    let screen = Rc::new(RefCell::new(SieveScreen::new(
        &config,
        ColourMode::TrueColor,
    )));
    let counter = Counter::default();
    let options = TerminalOptions {
        viewport: Viewport::Fixed(area),
    };
    let terminal = Terminal::with_options(CrosstermBackend::new(counter.clone()), options).unwrap();

    // One full repaint, for comparison: the same screen drawn once on a fresh terminal.
    let full = Counter::default();
    let mut fresh = Terminal::with_options(
        CrosstermBackend::new(full.clone()),
        TerminalOptions {
            viewport: Viewport::Fixed(area),
        },
    )
    .unwrap();

    let done_tick = Rc::new(Cell::new(0));
    let run = {
        let done_tick = done_tick.clone();
        let screen = screen.clone();
        executor.spawn_local(async move {
            let summary = run_sieve(config, screen).await;
            done_tick.set(summary.done_tick);
            Ok(summary)
        })
    };
    let mut client = SieveClient::new(terminal, screen.clone(), run, tick, true);
    let started = Instant::now();
    term_loop.run(&executor, &mut client);
    let wall = started.elapsed().as_secs_f64();
    assert_eq!(client.exit_code(), 0);
    assert_eq!(done_tick.get(), 5001, "100×100 ends at tick 5001");

    let footer = FooterState {
        tick,
        paused: false,
    };
    fresh
        .draw(|frame| {
            screen
                .borrow()
                .render(footer, frame.area(), frame.buffer_mut())
        })
        .unwrap();

    assert!(
        full.bytes.get() > 100_000,
        "the grid did not fit: the screen drew its too-small message"
    );
    let frames = counter.flushes.get();
    let expected = tick.as_secs_f64() * done_tick.get() as f64;
    println!(
        "## Terminal host: 100×100 sieve, tick 1 ms, real time, {}×{} terminal\n",
        area.width, area.height
    );
    println!("| figure | value |");
    println!("|---|---:|");
    println!("| frames drawn | {frames} |");
    println!("| frames per second | {:.0} |", frames as f64 / wall);
    println!(
        "| bytes written per frame (diffed) | {:.0} |",
        counter.bytes.get() as f64 / frames as f64
    );
    println!("| bytes of one full repaint | {} |", full.bytes.get());
    println!("| done tick × tick | {expected:.3} s |");
    println!("| wall time of the run | {wall:.3} s |");
    println!(
        "| tick drift | {:+.2} % |",
        (wall - expected) / expected * 100.0
    );
}
