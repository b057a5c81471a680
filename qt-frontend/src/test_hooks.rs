//! Environment-driven test hooks, each run as a guest task (so they also exercise the host).
//!
//! Owns how tests and scripts drive a running window without synthesising mouse input:
//! - `GUESTLOOP_QT_LOG=1`: log clicks, label and status changes to stderr:
//!   `t=<µs since start>us guest=<guest clock in µs>us <message>`.
//! - `GUESTLOOP_QT_CLICK_AFTER_MS=300[:startButton][,800[:cancelButton],…]`: emit `clicked()` on
//!   the button with that `objectName` (`questionButton` if none is given), from another thread
//!   through a [`Spawner`](guestloop::Spawner), as an outside event arrives.
//! - `GUESTLOOP_QT_CLOSE_AFTER_MS=1000`: close every window, as the window manager's button does.
//! - `GUESTLOOP_QT_GRAB=900:/tmp/shot.png[,…]`: save the window's pixels (works offscreen too).

use crate::app_control;
use guestloop::Handle;
use std::sync::OnceLock;
use std::time::Duration;

static STARTED: OnceLock<std::time::Instant> = OnceLock::new();

/// Notes when the application started (the zero of logged times).
pub fn mark_start() {
    let _ = STARTED.set(std::time::Instant::now());
}

fn logging() -> bool {
    std::env::var_os("GUESTLOOP_QT_LOG").is_some_and(|value| value == "1")
}

/// With `GUESTLOOP_QT_LOG=1`, prints `t=<µs since start>us guest=<µs>us <message>` to stderr.
/// Call it on the Qt thread: from a guest task or from a Qt callback such as a QML invokable
/// (`guest` is then the instant of the guest's last run; 0 if no guest is installed).
pub fn log(message: std::fmt::Arguments<'_>) {
    if logging() {
        let elapsed = STARTED
            .get()
            .map_or(0, |started| started.elapsed().as_micros());
        let guest = guestloop_qt::guest_now().map_or(0, |now| now.as_nanos() / 1000);
        eprintln!("t={elapsed}us guest={guest}us {message}");
    }
}

fn millis_list(var: &str) -> Vec<u64> {
    std::env::var(var)
        .unwrap_or_default()
        .split(',')
        .filter_map(|ms| ms.trim().parse().ok())
        .collect()
}

/// The `ms[:objectName]` entries of `GUESTLOOP_QT_CLICK_AFTER_MS`, the name `questionButton`
/// (the minimal window's) when none is given; malformed entries are skipped.
fn clicks(spec: &str) -> Vec<(u64, String)> {
    spec.split(',')
        .filter_map(|entry| {
            let (ms, name) = entry.split_once(':').unwrap_or((entry, "questionButton"));
            let (ms, name) = (ms.trim().parse().ok()?, name.trim());
            (!name.is_empty()).then(|| (ms, name.to_owned()))
        })
        .collect()
}

fn after(guest: &Handle, ms: u64, action: impl FnOnce() + 'static) {
    drop(guest.spawn_local(async move {
        guestloop::sleep(Duration::from_millis(ms)).await;
        action();
    }));
}

/// Spawns the hooks the environment asks for.
pub fn spawn(guest: &Handle) {
    let click_spec = std::env::var("GUESTLOOP_QT_CLICK_AFTER_MS").unwrap_or_default();
    for (ms, name) in clicks(&click_spec) {
        let spawner = guest.spawner();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(ms));
            // A `Send` future; the executor runs it on the Qt thread (or is gone: then nothing).
            let _ = spawner.spawn(async move {
                let clicked = app_control::click(&name);
                log(format_args!("clicked {name}: {clicked}"));
            });
        });
    }
    for ms in millis_list("GUESTLOOP_QT_CLOSE_AFTER_MS") {
        after(guest, ms, || {
            log(format_args!("closing all windows"));
            app_control::close_all_windows();
        });
    }
    for spec in std::env::var("GUESTLOOP_QT_GRAB")
        .unwrap_or_default()
        .split(',')
    {
        let Some((ms, path)) = spec.split_once(':') else {
            continue;
        };
        let (ms, path) = (ms.parse().unwrap_or(0), path.to_owned());
        after(guest, ms, move || {
            let saved = app_control::grab(&path);
            log(format_args!("grab {path}: {saved}"));
            if !saved {
                eprintln!("error: could not save a screenshot to {path}");
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::clicks;

    #[test]
    fn a_click_names_its_button_or_clicks_the_question() {
        assert_eq!(
            clicks("300, 800:cancelButton,x,900:,1000:startButton"),
            [
                (300, "questionButton".to_owned()),
                (800, "cancelButton".to_owned()),
                (1000, "startButton".to_owned())
            ]
        );
        assert_eq!(clicks(""), []);
    }
}
