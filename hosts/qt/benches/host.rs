//! Drift, lateness and wake latency of the Qt host on a real `QGuiApplication`, measured as
//! every host's are (`guestloop_tests::host_figures`).
//!
//! `cargo bench -p guestloop-qt --bench host` prints the figures (about 12 s; without a
//! `QT_QPA_PLATFORM` it starts itself again on Qt's offscreen platform);
//! `scripts/bench-hosts.sh` runs it beside the other hosts' benches. Without `--bench` (as
//! `cargo test --all-targets` runs it) it only says how to run it.

use cxx_qt_lib::QGuiApplication;
use guestloop_tests::host_figures::{self, measure};
use std::cell::RefCell;
use std::process::ExitCode;
use std::rc::Rc;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if !args.iter().any(|arg| arg == "--bench") {
        println!("host bench: run `cargo bench -p guestloop-qt --bench host` for figures");
        return ExitCode::SUCCESS;
    }
    // Headless: start again on Qt's offscreen platform.
    if let Some(code) = guestloop_tests::rerun::unless_set("QT_QPA_PLATFORM", "offscreen") {
        return code;
    }
    if !args.iter().any(|arg| arg == "--no-header") {
        println!("## Hosts ({})\n", host_figures::cpu_name());
        host_figures::print_header();
    }
    let mut app = QGuiApplication::new();
    let guest = guestloop_qt::install();
    let figures = Rc::new(RefCell::new(None));
    let slot = figures.clone();
    drop(guest.spawn_local(async move {
        *slot.borrow_mut() = Some(measure().await);
        guestloop_qt::exit_event_loop(0);
    }));
    app.pin_mut().exec();
    guestloop_qt::uninstall();
    drop(app);
    let figures = figures
        .take()
        .expect("the measuring task ended the event loop");
    println!("{}", figures.row("Qt"));
    ExitCode::SUCCESS
}
