//! Every frame of a 10×10 run as ratatui's `TestBackend` shows it, snapshotted into the
//! workspace's `snapshots/` as `tui_10x10_tick_NNN`; and the primes screen in each of its states,
//! as `tui_primes_*`.

use guestloop::primes::{PrimesConfig, PrimesEvent, PrimesView};
use guestloop::sieve::{SieveConfig, run_sieve};
use guestloop::testing::TestHost;
use guestloop_tests::snapshots::in_snapshot_dir;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::{Color, Modifier};
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;
use tui_check::palette::ColourMode;
use tui_check::primes_screen::PrimesScreen;
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

/// The primes screen of a count of 10⁹ on 4 workers, drawn on an 80×20 `TestBackend`.
fn primes_frame(screen: &PrimesScreen) -> String {
    let mut terminal = Terminal::new(TestBackend::new(80, 20)).unwrap();
    terminal
        .draw(|frame| screen.render(frame.area(), frame.buffer_mut()))
        .unwrap();
    format!("{:?}", terminal.backend().buffer())
}

#[test]
fn the_primes_screen_before_during_cancelled_and_done() {
    let config = PrimesConfig::new(1_000_000_000)
        .unwrap()
        .with_workers(4)
        .unwrap();
    let progress = |segments_done, primes_so_far, millis| PrimesEvent::Progress {
        segments_done,
        segments_total: config.segments(),
        primes_so_far,
        elapsed: Duration::from_millis(millis),
    };
    let mut screen = PrimesScreen::new(&config);
    in_snapshot_dir(|| {
        let before = primes_frame(&screen);
        assert!(before.contains("press Enter to start"), "{before}");
        insta::assert_snapshot!("tui_primes_before_start", before);

        screen.start();
        screen.show(&progress(0, 0, 0));
        screen.show(&progress(15, 13_600_000, 412));
        screen.show(&progress(30, 26_500_000, 1_234));
        let mid_run = primes_frame(&screen);
        assert!(mid_run.contains("30/60 segments (50%)"), "{mid_run}");
        insta::assert_snapshot!("tui_primes_mid_run", mid_run);

        screen.cancel();
        let cancelled = primes_frame(&screen);
        assert!(cancelled.contains("cancelled"), "{cancelled}");
        insta::assert_snapshot!("tui_primes_cancelled", cancelled);

        screen.start();
        screen.show(&progress(0, 0, 0));
        screen.show(&progress(59, 50_300_000, 2_950));
        screen.show(&PrimesEvent::Done {
            count: 50_847_534,
            elapsed: Duration::from_millis(3_017),
        });
        let done = primes_frame(&screen);
        assert!(
            done.contains("primes <= 1000000000: 50847534 in 3.017 s"),
            "{done}"
        );
        insta::assert_snapshot!("tui_primes_done", done);
    });
}
