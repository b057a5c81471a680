//! The winit host on a real winit loop, on an X server of its own (Xvfb): the conformance kit,
//! sieve traces equal to the test host's, the minimal window answering a real click exactly one
//! second later, and the demo binary quitting on Esc, on the window manager's close and when
//! done.
//!
//! `harness = false`: winit wants its event loop on the main thread, and makes one per process;
//! every check runs on that one loop with `run_app_on_demand`. The test starts itself again
//! under `xvfb-run` (never on the developer's display: it moves the pointer). Without `xvfb-run`
//! or `xdotool` it says it skipped, and fails instead when `GUESTLOOP_REQUIRE_XVFB=1` (as
//! `scripts/test.sh` sets) or `CI` is set.

use futures_lite::StreamExt;
use guestloop::conformance::{self, Harness, Report, Watchdog};
use guestloop::minimal::{ANSWER, DELAY, MinimalView, QUESTION, run_minimal};
use guestloop::sieve::{SieveConfig, TraceWriter, run_sieve, trace_on_test_host};
use guestloop::{Builder, Handle, Instant, MissedTicks, TickClock};
use guestloop_winit::{Guest, RunGuest};
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::process::{Command, ExitCode};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use winit::application::ApplicationHandler;
use winit::event::WindowEvent;
use winit::event_loop::{ActiveEventLoop, EventLoop, EventLoopProxy};
use winit::platform::run_on_demand::EventLoopExtRunOnDemand;
use winit::platform::x11::EventLoopBuilderExtX11;
use winit::window::WindowId;
use winit_frontend::app::{Demo, DemoApp, Next};
use winit_frontend::canvas::Canvas;
use winit_frontend::minimal::MinimalDemo;

mod x11;

const INSIDE_XVFB: &str = "GUESTLOOP_WINIT_TEST_IN_XVFB";

fn main() -> ExitCode {
    if std::env::var_os(INSIDE_XVFB).is_none() {
        return run_under_xvfb();
    }
    let mut event_loop = EventLoop::<RunGuest>::with_user_event()
        .with_x11()
        .build()
        .expect("winit's event loop on the Xvfb display");
    let mut report: Report = conformance::run_all(&mut WinitHarness(&mut event_loop));
    let real_time = conformance::run_real_time(&mut WinitHarness(&mut event_loop));
    report.results.extend(real_time.results);
    for (name, check) in LOOP_CHECKS {
        report.results.push((name, check(&mut event_loop)));
    }
    for (name, check) in BINARY_CHECKS {
        report.results.push((name, check()));
    }
    print!("{report}");
    let failed = report.failures().len();
    println!("{} passed, {failed} failed", report.results.len() - failed);
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Starts this test again inside `xvfb-run`, and returns its verdict.
fn run_under_xvfb() -> ExitCode {
    let missing: Vec<&str> = ["xvfb-run", "xdotool"]
        .into_iter()
        .filter(|tool| !on_path(tool))
        .collect();
    if !missing.is_empty() {
        let required = std::env::var_os("GUESTLOOP_REQUIRE_XVFB").is_some_and(|v| v == "1")
            || std::env::var_os("CI").is_some_and(|v| !v.is_empty());
        let verdict = if required { "FAILED" } else { "SKIPPED" };
        eprintln!(
            "winit X tests {verdict}: {} not found (scripts/deps.sh installs them)",
            missing.join(", ")
        );
        return if required {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        };
    }
    let status = Command::new("xvfb-run")
        .args(["-a", "-s", "-screen 0 1280x1024x24 -nolisten tcp"])
        .arg(std::env::current_exe().expect("the test's own path"))
        .args(std::env::args_os().skip(1))
        .env(INSIDE_XVFB, "1")
        .env_remove("WAYLAND_DISPLAY")
        .status()
        .expect("xvfb-run could start");
    ExitCode::from(status.code().unwrap_or(1) as u8)
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()))
}

type CheckResult = Result<(), String>;

macro_rules! ensure {
    ($condition:expr, $($message:tt)+) => {
        if !$condition {
            return Err(format!($($message)+));
        }
    };
}

thread_local! {
    /// How many turns the loop has made (calls of `about_to_wait`) in [`Until`] applications.
    static TURNS: Cell<u64> = const { Cell::new(0) };
}

/// An application with no window: runs the guest until `done` says so.
struct Until<F: FnMut() -> bool> {
    guest: Guest,
    done: F,
}

impl<F: FnMut() -> bool> ApplicationHandler<RunGuest> for Until<F> {
    fn resumed(&mut self, _: &ActiveEventLoop) {}

    fn window_event(&mut self, _: &ActiveEventLoop, _: WindowId, _: WindowEvent) {}

    fn user_event(&mut self, _: &ActiveEventLoop, RunGuest: RunGuest) {
        self.guest.request_run();
    }

    fn about_to_wait(&mut self, event_loop: &ActiveEventLoop) {
        TURNS.set(TURNS.get() + 1);
        self.guest.about_to_wait(event_loop);
        if (self.done)() {
            event_loop.exit();
        }
    }
}

/// A watchdog that, once `limit` has passed, sets the returned flag and wakes the loop, so
/// that a loop that stopped running its guest ends anyway.
fn give_up_after(limit: Duration, proxy: EventLoopProxy<RunGuest>) -> (Watchdog, Arc<AtomicBool>) {
    let gave_up = Arc::new(AtomicBool::new(false));
    let flag = gave_up.clone();
    let watchdog = Watchdog::start(limit, move || {
        flag.store(true, Ordering::SeqCst);
        let _ = proxy.send_event(RunGuest);
    });
    (watchdog, gave_up)
}

/// Runs `main` on a fresh guest on `event_loop` until it finishes (or a watchdog gives up);
/// drops the guest before returning.
fn run_on_loop(
    event_loop: &mut EventLoop<RunGuest>,
    builder: Builder,
    main: impl Future<Output = ()> + 'static,
    limit: Duration,
) {
    let guest = Guest::with_builder(builder, event_loop.create_proxy());
    let main = guest.executor().spawn_local(main);
    let (_watchdog, gave_up) = give_up_after(limit, event_loop.create_proxy());
    let mut app = Until {
        guest,
        done: || main.is_finished() || gave_up.load(Ordering::SeqCst),
    };
    event_loop
        .run_app_on_demand(&mut app)
        .expect("winit's loop ran");
}

/// The conformance kit's harness: each check on a fresh [`Guest`] on the one event loop.
struct WinitHarness<'a>(&'a mut EventLoop<RunGuest>);

impl Harness for WinitHarness<'_> {
    fn run(&mut self, builder: Builder, main: Pin<Box<dyn Future<Output = ()>>>) {
        let limit = conformance::CHECK_LIMIT + Duration::from_secs(5);
        run_on_loop(self.0, builder, main, limit);
    }
}

/// A check that needs the event loop.
type LoopCheck = fn(&mut EventLoop<RunGuest>) -> CheckResult;

const LOOP_CHECKS: &[(&str, LoopCheck)] = &[
    (
        "once its deadline has fired, an idle guest lets the loop sleep (no spinning WaitUntil)",
        an_idle_loop_sleeps,
    ),
    (
        "sieve traces at 1 ms ticks equal the test host's",
        traces_equal_the_test_hosts,
    ),
    (
        "a 1 ms tick clock: ticks land on their deadlines, never before the host's clock",
        ticks_are_never_early,
    ),
    (
        "futures spawned from another thread all arrive (wake latency printed)",
        wakes_from_another_thread_arrive,
    ),
    (
        "a real click changes the minimal label exactly 1 s later on the guest clock, never \
         earlier on the wall clock, and the window shows it",
        a_click_answers_one_second_later,
    ),
];

/// The conformance kit counts the guest's runs; a loop can also spin without running the guest
/// (a `WaitUntil` left behind with a past deadline wakes winit again at once). Count the turns.
fn an_idle_loop_sleeps(event_loop: &mut EventLoop<RunGuest>) -> CheckResult {
    let outcome = Rc::new(RefCell::new(Err("the check never finished".to_owned())));
    let slot = outcome.clone();
    let run = async move {
        guestloop::sleep(Duration::from_millis(20)).await; // a deadline set, fired and gone
        let (wake, woken) = async_channel::bounded(1);
        let before = TURNS.get();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            let _ = wake.send_blocking(());
        });
        let _ = woken.recv().await;
        let turns = TURNS.get() - before;
        *slot.borrow_mut() = if turns <= 10 {
            Ok(())
        } else {
            Err(format!(
                "the loop turned {turns} times in 300 ms with nothing to do"
            ))
        };
    };
    run_on_loop(event_loop, Builder::default(), run, Duration::from_secs(30));
    outcome.replace(Ok(()))
}

fn traces_equal_the_test_hosts(event_loop: &mut EventLoop<RunGuest>) -> CheckResult {
    for (rows, cols) in [(1, 1), (10, 10), (7, 13), (40, 40), (30, 60)] {
        let config = SieveConfig::new(rows, cols)
            .and_then(|c| c.with_tick(Duration::from_millis(1)))
            .map_err(|e| e.to_string())?;
        let writer = Rc::new(RefCell::new(TraceWriter::new(Vec::new())));
        let run = {
            let writer = writer.clone();
            async move {
                run_sieve(config, writer).await;
            }
        };
        run_on_loop(event_loop, Builder::default(), run, Duration::from_secs(60));
        let writer = Rc::into_inner(writer).ok_or("the sieve never finished")?;
        let trace = writer.into_inner().finish().map_err(|e| e.to_string())?;
        ensure!(
            String::from_utf8_lossy(&trace) == trace_on_test_host(&config),
            "{rows}×{cols}: the trace on winit differs from the test host's"
        );
    }
    Ok(())
}

/// Drift and lateness, measured the guide's way: each tick's guest instant against its
/// deadline (drift: must be none) and the host's clock when the tick runs (lateness: printed;
/// never negative, or the timer fired early and the executor ran a tick before its time).
fn ticks_are_never_early(event_loop: &mut EventLoop<RunGuest>) -> CheckResult {
    let outcome = Rc::new(RefCell::new(Err("the ticks never finished".to_owned())));
    let slot = outcome.clone();
    let run = async move {
        let handle = Handle::current();
        let clock = TickClock::starting_now(Duration::from_millis(1));
        let mut ticks = clock.interval(MissedTicks::CatchUp);
        let mut lateness = Vec::new();
        let mut result = Ok(());
        for _ in 0..1000 {
            let tick = ticks.tick().await;
            let due = clock.instant_of(tick);
            if guestloop::now() != due {
                result = Err(format!(
                    "tick {tick} ran at {}, not at {due}",
                    guestloop::now()
                ));
                break;
            }
            let host_now = handle.host_now();
            if host_now < due {
                result = Err(format!(
                    "tick {tick} ran at host time {host_now}, before {due}"
                ));
                break;
            }
            lateness.push(host_now - due);
        }
        lateness.sort();
        let at = |q: usize| lateness[(lateness.len() - 1) * q / 100];
        println!(
            "     1000 ticks of 1 ms on winit: lateness p50 {:?}, p99 {:?}, max {:?}",
            at(50),
            at(99),
            at(100)
        );
        *slot.borrow_mut() = result;
    };
    run_on_loop(event_loop, Builder::default(), run, Duration::from_secs(60));
    outcome.replace(Ok(()))
}

/// Wake latency, measured the guide's way: the time from a spawn on another thread to the
/// future running on winit's thread, one at a time, 200 times.
fn wakes_from_another_thread_arrive(event_loop: &mut EventLoop<RunGuest>) -> CheckResult {
    let outcome = Rc::new(RefCell::new(Err("the check never finished".to_owned())));
    let slot = outcome.clone();
    let run = async move {
        let spawner = Handle::current().spawner();
        let (latencies, arrived) = async_channel::unbounded();
        let sender = std::thread::spawn(move || {
            for _ in 0..200 {
                let sent = std::time::Instant::now();
                let latencies = latencies.clone();
                let arrival = async move {
                    let _ = latencies.send_blocking(sent.elapsed());
                };
                if spawner.spawn(arrival).is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_micros(500));
            }
        });
        let mut latency = Vec::new();
        while latency.len() < 200 {
            match arrived.recv().await {
                Ok(elapsed) => latency.push(elapsed),
                Err(_) => break,
            }
        }
        let _ = sender.join();
        *slot.borrow_mut() = if latency.len() == 200 {
            latency.sort();
            let at = |q: usize| latency[(latency.len() - 1) * q / 100];
            println!(
                "     200 spawns from another thread: latency p50 {:?}, p99 {:?}, max {:?}",
                at(50),
                at(99),
                at(100)
            );
            Ok(())
        } else {
            Err(format!("{} of 200 spawned futures ran", latency.len()))
        };
    };
    run_on_loop(event_loop, Builder::default(), run, Duration::from_secs(30));
    outcome.replace(Ok(()))
}

/// What the instrumented minimal model saw: the guest clock when each click was taken in, and
/// each label with the guest and wall clocks when it was set.
#[derive(Default)]
struct MinimalLog {
    clicks_taken: Vec<Instant>,
    labels: Vec<(&'static str, Instant, std::time::Instant)>,
}

/// The minimal window as the test watches it: notes when a click arrives from X, hands the
/// button's centre to the clicking thread once drawn, and quits once the answer is on screen.
struct WatchedMinimal {
    demo: MinimalDemo,
    clicks_arrived: Vec<std::time::Instant>,
    button_to_click: Option<std::sync::mpsc::Sender<(u32, u32)>>,
    shown: Vec<&'static str>,
    gave_up: Arc<AtomicBool>,
}

impl Demo for WatchedMinimal {
    fn title(&self) -> String {
        "guestloop winit test: minimal".to_owned()
    }

    fn initial_size(&self, max: (u32, u32)) -> (u32, u32) {
        self.demo.initial_size(max)
    }

    fn draw(&mut self, canvas: &mut Canvas, full: bool) {
        self.demo.draw(canvas, full);
        self.shown.push(self.demo.label());
        if let Some(clicker) = self.button_to_click.take() {
            let _ = clicker.send(MinimalDemo::button((canvas.width(), canvas.height())).centre());
        }
    }

    fn mouse(&mut self, pressed: bool, at: (f64, f64), size: (u32, u32)) -> bool {
        let before = self.demo.clicks().len();
        let redraw = self.demo.mouse(pressed, at, size);
        if self.demo.clicks().len() > before {
            self.clicks_arrived.push(std::time::Instant::now());
        }
        redraw
    }

    fn update(&mut self) -> Next {
        if self.gave_up.load(Ordering::SeqCst) {
            return Next::Quit(1);
        }
        if self.shown.last() == Some(&QUESTION) {
            return Next::Quit(0);
        }
        self.demo.update()
    }
}

fn a_click_answers_one_second_later(event_loop: &mut EventLoop<RunGuest>) -> CheckResult {
    let guest = Guest::new(event_loop.create_proxy());
    let demo = MinimalDemo::new();
    let log = Rc::new(RefCell::new(MinimalLog::default()));
    // The model as the binary runs it, its input and view wrapped to note the clocks.
    let clicks = demo.clicks().map({
        let log = log.clone();
        move |()| log.borrow_mut().clicks_taken.push(guestloop::now())
    });
    let view = {
        let (log, mut label) = (log.clone(), demo.label_view());
        move |text: &'static str| {
            let when = (guestloop::now(), std::time::Instant::now());
            log.borrow_mut().labels.push((text, when.0, when.1));
            label.set_label(text);
        }
    };
    drop(guest.executor().spawn_local(run_minimal(clicks, view)));

    let (button_to_click, button) = std::sync::mpsc::channel();
    let (_watchdog, gave_up) = give_up_after(Duration::from_secs(30), event_loop.create_proxy());
    let watched = WatchedMinimal {
        demo,
        clicks_arrived: Vec::new(),
        button_to_click: Some(button_to_click),
        shown: Vec::new(),
        gave_up,
    };
    let clicker = std::thread::spawn(move || -> CheckResult {
        let (x, y) = button.recv().map_err(|_| "the window was never drawn")?;
        let window = x11::find_window("guestloop winit test: minimal")?;
        x11::xdotool(&[
            "mousemove",
            "--window",
            &window,
            &x.to_string(),
            &y.to_string(),
        ])?;
        x11::xdotool(&["click", "1"])
    });
    let mut app = DemoApp::new(guest, watched);
    event_loop
        .run_app_on_demand(&mut app)
        .map_err(|e| e.to_string())?;
    clicker
        .join()
        .map_err(|_| "the clicking thread panicked")??;
    ensure!(
        app.exit_code() == 0,
        "the answer never showed (gave up after 30 s)"
    );

    let log = log.borrow();
    let arrived = &app.demo().clicks_arrived;
    ensure!(
        arrived.len() == 1 && log.clicks_taken.len() == 1,
        "one click made: {} arrived from X, {} taken in by the model",
        arrived.len(),
        log.clicks_taken.len()
    );
    let labels: Vec<&str> = log.labels.iter().map(|(text, ..)| *text).collect();
    ensure!(labels == [ANSWER, QUESTION], "labels set: {labels:?}");
    let (_, answered, answered_wall) = log.labels[1];
    let guest_delay = answered - log.clicks_taken[0];
    ensure!(
        guest_delay == DELAY,
        "the label changed {guest_delay:?} after the click on the guest clock"
    );
    let wall_delay = answered_wall - arrived[0];
    ensure!(
        wall_delay >= DELAY,
        "the label changed {wall_delay:?} after the click arrived, on the wall clock"
    );
    println!("     the answer came {wall_delay:?} after the click, on the wall clock");
    Ok(())
}

/// A check of the demo binary, run as a person would.
type BinaryCheck = fn() -> CheckResult;

const BINARY_CHECKS: &[(&str, BinaryCheck)] = &[
    (
        "the binary's --trace at 1 ms ticks, drawn in a window, is the test host's; \
         --quit-when-done exits with 0",
        x11::binary_trace_is_the_test_hosts,
    ),
    ("Esc quits the binary with 0", x11::escape_quits),
    (
        "closing the window (the window manager's WM_DELETE_WINDOW) quits the binary with 0",
        x11::closing_quits,
    ),
];
