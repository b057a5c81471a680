//! The demo binary on the X server, driven as a person (and a window manager) would: xdotool
//! for keys, a `WM_DELETE_WINDOW` message for the close button.

use guestloop::sieve::{SieveConfig, trace_on_test_host};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use x11rb::protocol::xproto::{ClientMessageEvent, ConnectionExt, EventMask};
use x11rb::wrapper::ConnectionExt as _;

type CheckResult = Result<(), String>;

const BINARY: &str = env!("CARGO_BIN_EXE_winit-frontend");

/// Runs xdotool with `args`.
pub fn xdotool(args: &[&str]) -> CheckResult {
    let output = Command::new("xdotool")
        .args(args)
        .output()
        .map_err(|e| format!("xdotool: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "xdotool {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// The id of the visible window called `title`, once there is one (xdotool waits for it).
pub fn find_window(title: &str) -> Result<String, String> {
    let output = Command::new("timeout")
        .args([
            "20",
            "xdotool",
            "search",
            "--sync",
            "--onlyvisible",
            "--name",
            title,
        ])
        .output()
        .map_err(|e| format!("xdotool: {e}"))?;
    let id = String::from_utf8_lossy(&output.stdout);
    id.lines()
        .next()
        .map(str::to_owned)
        .ok_or_else(|| format!("no window called {title:?} appeared within 20 s"))
}

/// Waits for `child` to exit, for `limit` at most (then kills it); returns its exit code.
fn exit_code(mut child: Child, limit: Duration) -> Result<i32, String> {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            return status.code().ok_or_else(|| format!("killed: {status}"));
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("still running after {limit:?}"));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn start(args: &[&str]) -> Result<Child, String> {
    Command::new(BINARY)
        .args(args)
        .stdin(Stdio::null())
        .spawn()
        .map_err(|e| format!("{BINARY}: {e}"))
}

pub fn binary_trace_is_the_test_hosts() -> CheckResult {
    let path = std::env::temp_dir().join(format!("winit-trace-{}.txt", std::process::id()));
    let path_text = path.to_string_lossy().into_owned();
    let args = [
        "--rows",
        "40",
        "--cols",
        "40",
        "--tick",
        "0.001",
        "--quit-when-done",
    ];
    let child = start(&[&args[..], &["--trace", &path_text]].concat())?;
    let code = exit_code(child, Duration::from_secs(60))?;
    let trace = std::fs::read_to_string(&path).map_err(|e| format!("{path_text}: {e}"));
    let _ = std::fs::remove_file(&path);
    if code != 0 {
        return Err(format!("--quit-when-done exited with {code}"));
    }
    let config = SieveConfig::new(40, 40)
        .and_then(|c| c.with_tick(Duration::from_millis(1)))
        .map_err(|e| e.to_string())?;
    if trace? != trace_on_test_host(&config) {
        return Err("the binary's trace differs from the test host's".into());
    }
    Ok(())
}

pub fn escape_quits() -> CheckResult {
    let child = start(&["minimal"])?;
    let window = find_window("guestloop: minimal");
    let pressed = window.and_then(|id| xdotool(&["windowfocus", "--sync", &id, "key", "Escape"]));
    let code = exit_code(child, Duration::from_secs(20))?;
    pressed?;
    if code != 0 {
        return Err(format!("exited with {code}"));
    }
    Ok(())
}

pub fn closing_quits() -> CheckResult {
    let child = start(&["--tick", "0.01"])?;
    let window = find_window("guestloop: eratosthenes");
    let closed = window.and_then(|id| ask_to_close(&id));
    let code = exit_code(child, Duration::from_secs(20))?;
    closed?;
    if code != 0 {
        return Err(format!("exited with {code}"));
    }
    Ok(())
}

/// Sends `window` the `WM_DELETE_WINDOW` message, as a window manager's close button does.
fn ask_to_close(window: &str) -> CheckResult {
    let window: u32 = window
        .parse()
        .map_err(|_| format!("window id {window:?}"))?;
    let (connection, _) = x11rb::connect(None).map_err(|e| e.to_string())?;
    let atom = |name: &str| -> Result<u32, String> {
        let reply = connection
            .intern_atom(false, name.as_bytes())
            .map_err(|e| e.to_string())?
            .reply()
            .map_err(|e| e.to_string())?;
        Ok(reply.atom)
    };
    let (protocols, delete) = (atom("WM_PROTOCOLS")?, atom("WM_DELETE_WINDOW")?);
    let message = ClientMessageEvent::new(32, window, protocols, [delete, 0, 0, 0, 0]);
    connection
        .send_event(false, window, EventMask::NO_EVENT, message)
        .map_err(|e| e.to_string())?;
    connection.sync().map_err(|e| e.to_string())?;
    Ok(())
}
