//! Every frame of a 10×10 run as ratatui's `TestBackend` shows it, snapshotted into the
//! workspace's `snapshots/` as `tui_10x10_tick_NNN`.

use guestloop::sieve::{SieveConfig, run_sieve};
use guestloop::testing::TestHost;
use guestloop_tests::snapshots::in_snapshot_dir;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::{Color, Modifier};
use std::cell::RefCell;
use std::rc::Rc;
use tui_check::palette::ColourMode;
use tui_check::sieve_screen::{FooterState, SieveScreen};

#[test]
fn every_frame_of_a_10x10_run() {
    let config = SieveConfig::new(10, 10).unwrap();
    let mut host = TestHost::new(config.tick());
    let screen = Rc::new(RefCell::new(SieveScreen::new(
        &config,
        ColourMode::TrueColor,
    )));
    let run = host.spawn_local(run_sieve(config, screen.clone()));
    let mut terminal = Terminal::new(TestBackend::new(80, 20)).unwrap();
    let footer = FooterState {
        tick: config.tick(),
        paused: false,
    };
    host.run_pending();
    let mut tick = 0u64;
    in_snapshot_dir(|| {
        loop {
            let screen = screen.borrow();
            terminal
                .draw(|frame| screen.render(footer, frame.area(), frame.buffer_mut()))
                .unwrap();
            let buffer = terminal.backend().buffer();
            // Every marked number, and only those, is bold in its marker's colour.
            for number in 1..=100u32 {
                let (row, col) = ((number - 1) / 10, (number - 1) % 10);
                let cell = &buffer[(col as u16 * 4 + 2, row as u16 + 2)];
                match screen.grid().colour_of(number) {
                    Some(rgb) => {
                        assert_eq!(cell.fg, Color::Rgb(rgb.r, rgb.g, rgb.b), "{number}");
                        assert!(cell.modifier.contains(Modifier::BOLD), "{number}");
                    }
                    None => assert_eq!(cell.fg, Color::Reset, "{number}"),
                }
            }
            insta::assert_snapshot!(format!("tui_10x10_tick_{tick:03}"), format!("{buffer:?}"));
            if run.is_finished() {
                break;
            }
            drop(screen);
            host.step();
            tick += 1;
        }
    });
    assert_eq!(tick, 51);
}
