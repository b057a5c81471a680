//! Environment-driven test hooks, each run as a guest task (so they also exercise the host).
//!
//! Owns how tests and scripts drive a running window without synthesising mouse input:
//! - `GUESTLOOP_QT_LOG=1`: log clicks, label and status changes to stderr:
//!   `t=<µs since start>us guest=<guest clock in µs>us <message>`.
//! - `GUESTLOOP_QT_CLICK_AFTER_MS=300[:startButton][,800[:cancelButton],…]`: emit `clicked()` on
//!   the button with that `objectName` (`questionButton` if none is given), from another thread
//!   through a [`Spawner`](guestloop::Spawner), as an outside event arrives.
//! - `GUESTLOOP_QT_CLOSE_AFTER_MS=1000`: close every window, as the window manager's button does.
//! - `GUESTLOOP_QT_GRAB=900:/tmp/shot.png[,…]`: save the window's pixels (works offscreen too;
//!   `.ppm` for a format a test reads without a decoder).
//! - `GUESTLOOP_QT_INPUT=900:wheel:X:Y:DELTA,1000:drag:X1:Y1:X2:Y2,1100:move:X:Y`: synthetic mouse
//!   input at points in the eratosthenes grid's coordinates (a wheel turn of DELTA eighths of a
//!   degree, a left-button drag, a move with no button held), sent to the window as the
//!   platform's would be; each is logged with the hover label's text afterwards.

use crate::app_control::{self, Input};
use guestloop::Handle;
use std::sync::OnceLock;
use std::time::Duration;

static STARTED: OnceLock<std::time::Instant> = OnceLock::new();

/// Notes when the application started (the zero of logged times).
pub fn mark_start() {
    let _ = STARTED.set(std::time::Instant::now());
}

/// Microseconds since the application started (see [`mark_start`]).
pub fn elapsed_us() -> u64 {
    STARTED
        .get()
        .map_or(0, |started| started.elapsed().as_micros() as u64)
}

fn logging() -> bool {
    std::env::var_os("GUESTLOOP_QT_LOG").is_some_and(|value| value == "1")
}

/// With `GUESTLOOP_QT_LOG=1`, prints `t=<µs since start>us guest=<µs>us <message>` to stderr.
/// Call it on the Qt thread: from a guest task or from a Qt callback such as a QML invokable
/// (`guest` is then the instant of the guest's last run; 0 if no guest is installed).
pub fn log(message: std::fmt::Arguments<'_>) {
    if logging() {
        let elapsed = elapsed_us();
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

/// The `ms:kind:numbers…` entries of `GUESTLOOP_QT_INPUT`; malformed entries are skipped.
fn inputs(spec: &str) -> Vec<(u64, Input)> {
    spec.split(',')
        .filter_map(|entry| {
            let mut fields = entry.trim().split(':');
            let ms = fields.next()?.parse().ok()?;
            let kind = fields.next()?;
            let numbers: Vec<f64> = fields.map(str::parse).collect::<Result<_, _>>().ok()?;
            let input = match (kind, numbers.as_slice()) {
                ("wheel", &[x, y, delta]) => Input::Wheel {
                    at: (x, y),
                    delta: delta as i32,
                },
                ("drag", &[x1, y1, x2, y2]) => Input::Drag {
                    from: (x1, y1),
                    to: (x2, y2),
                },
                ("move", &[x, y]) => Input::Move { to: (x, y) },
                _ => return None,
            };
            Some((ms, input))
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
    let input_spec = std::env::var("GUESTLOOP_QT_INPUT").unwrap_or_default();
    for (ms, input) in inputs(&input_spec) {
        after(guest, ms, move || {
            let sent = app_control::send("grid", input);
            let hover = app_control::text_of("hoverLabel");
            log(format_args!("input {input:?}: sent={sent} hover={hover:?}"));
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
    use super::{Input, clicks, inputs};

    #[test]
    fn inputs_are_wheel_turns_drags_and_moves() {
        assert_eq!(
            inputs(
                "900:wheel:10:20:-120, 1000:drag:1:2:3.5:4,1100:move:5:6,x,1:wheel:1:2,2:jump:1:1"
            ),
            [
                (
                    900,
                    Input::Wheel {
                        at: (10.0, 20.0),
                        delta: -120
                    }
                ),
                (
                    1000,
                    Input::Drag {
                        from: (1.0, 2.0),
                        to: (3.5, 4.0)
                    }
                ),
                (1100, Input::Move { to: (5.0, 6.0) }),
            ]
        );
        assert_eq!(inputs(""), []);
    }

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
