//! `guestloop-qt-lookup [--load-and-close MS]`: the example window. With `--load-and-close MS`
//! it starts a load at once and quits MS milliseconds later, mid-load (for its test).

use cxx_qt_lib::{QGuiApplication, QQmlApplicationEngine, QUrl};
use guestloop_qt::guestloop::sleep;
use std::time::Duration;

fn main() {
    let mut args = std::env::args().skip(1);
    let close_after = match (args.next().as_deref(), args.next(), args.next()) {
        (None, ..) => None,
        (Some("--load-and-close"), Some(ms), None) if ms.parse::<u64>().is_ok() => {
            Some(Duration::from_millis(ms.parse().unwrap_or_default()))
        }
        _ => {
            eprintln!("usage: guestloop-qt-lookup [--load-and-close MS]");
            std::process::exit(2);
        }
    };

    let mut app = QGuiApplication::new();
    let mut engine = QQmlApplicationEngine::new();
    let guest = guestloop_qt::install();
    if close_after.is_some() {
        guestloop_qt_lookup::lookup::load_at_once();
    }
    engine
        .pin_mut()
        .load(&QUrl::from("qrc:/qt/qml/org/guestloop/lookup/qml/main.qml"));
    if let Some(after) = close_after {
        drop(guest.spawn_local(async move {
            sleep(after).await;
            guestloop_qt::exit_event_loop(0);
        }));
    }
    let code = app.pin_mut().exec();
    // The guest (every task), then the engine (the Lookup and its scope), then Qt.
    guestloop_qt::uninstall();
    drop(engine);
    drop(app);
    std::process::exit(code);
}
