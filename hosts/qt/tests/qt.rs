//! The Qt host on a real `QGuiApplication` event loop: the conformance kit (every check, the
//! real-time ones too), then the promises of this crate: streams that end with their object,
//! `run_in_host`, and nested event loops.
//!
//! `harness = false`: Qt wants its application on the main thread. Each check gets a fresh guest
//! and runs inside `exec()`, which its main task ends.

use cxx::UniquePtr;
use cxx_qt_lib::QGuiApplication;
use guestloop::conformance::{self, Harness, Report, Watchdog};
use guestloop::sieve::{SieveConfig, TraceWriter, parse_tick, run_sieve, trace_on_test_host};
use guestloop::{Builder, JoinError, TickClock, sleep, spawn_local};
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::process::ExitCode;
use std::rc::Rc;
use std::time::Duration;

/// Runs each check as the main task of a fresh guest, inside Qt's event loop.
struct QtHarness {
    app: UniquePtr<QGuiApplication>,
}

impl Harness for QtHarness {
    fn run(&mut self, builder: Builder, main: Pin<Box<dyn Future<Output = ()>>>) {
        let guest = guestloop_qt::install_with(builder);
        drop(guest.spawn_local(async move {
            main.await;
            guestloop_qt::exit_event_loop(0);
        }));
        // A host that never runs its guest fails the test instead of hanging it.
        let _watchdog = Watchdog::start(conformance::CHECK_LIMIT + Duration::from_secs(5), || {
            eprintln!("a check never finished: the Qt host did not run its guest");
            std::process::exit(3);
        });
        self.app.pin_mut().exec();
        guestloop_qt::uninstall();
    }
}

type CheckResult = Result<(), String>;

/// Runs `body` as the main task of a fresh guest; returns what it concluded.
fn check(
    harness: &mut QtHarness,
    body: impl Future<Output = CheckResult> + 'static,
) -> CheckResult {
    let outcome = Rc::new(RefCell::new(None));
    let slot = outcome.clone();
    harness.run(
        Builder::default(),
        Box::pin(async move { *slot.borrow_mut() = Some(body.await) }),
    );
    let result = outcome.borrow_mut().take();
    result.unwrap_or_else(|| Err("the check's task never finished".to_owned()))
}

macro_rules! ensure {
    ($condition:expr, $($message:tt)+) => {
        if !$condition {
            return Err(format!($($message)+));
        }
    };
}

const MS: Duration = Duration::from_millis(1);

/// A signal stream ends (`None`) when its object is destroyed.
fn a_stream_ends_with_its_object(harness: &mut QtHarness) -> CheckResult {
    check(harness, async {
        let mut timer = guestloop_qt::precise_single_shot_timer();
        let mut fired =
            guestloop_qt::signal_stream(|send| timer.pin_mut().on_timeout(move |_| send.send(())));
        timer.pin_mut().start(1);
        ensure!(
            fired.next().await == Some(()),
            "the timer's timeout never came"
        );
        let next =
            guestloop_qt::next_emission(|send| timer.pin_mut().on_timeout(move |_| send.send(())));
        drop(timer); // destroys the QObject
        ensure!(
            fired.next().await.is_none(),
            "the stream outlived its object"
        );
        ensure!(
            next.await.is_none(),
            "a pending next_emission outlived its object"
        );
        Ok(())
    })
}

/// `run_in_host` runs its function outside any guest run and gives back its value, or its panic.
fn run_in_host_gives_back_values_and_panics(harness: &mut QtHarness) -> CheckResult {
    check(harness, async {
        let outside = guestloop_qt::run_in_host(|| {
            // `now()` panics outside a task: here it must.
            std::panic::catch_unwind(guestloop::now).is_err()
        })
        .await;
        ensure!(
            matches!(outside, Ok(true)),
            "the function ran inside a guest run: {outside:?}"
        );
        let value = guestloop_qt::run_in_host(|| 6 * 7).await;
        ensure!(matches!(value, Ok(42)), "run_in_host gave {value:?}");
        let panicked = guestloop_qt::run_in_host(|| -> u32 { panic!("in the host: {}", 7) }).await;
        let described = format!("{panicked:?}");
        let payload = panicked.map_err(JoinError::into_panic);
        ensure!(
            matches!(&payload, Err(payload) if guestloop_tests::joined::string_payload(&**payload) == Some("in the host: 7")),
            "a panic in the host gave {described}, not the panic's payload"
        );
        // Dropped before its event came: the function never runs.
        let ran = Rc::new(Cell::new(false));
        let flag = ran.clone();
        drop(guestloop_qt::run_in_host(move || flag.set(true)));
        sleep(5 * MS).await;
        ensure!(!ran.get(), "a dropped run_in_host ran anyway");
        Ok(())
    })
}

/// How many ticks a 1 ms ticking task made while a 500 ms nested loop ran, run `through_host`
/// (by `run_in_host`) or directly inside a task, and how many milliseconds of guest time that
/// took.
async fn ticks_during_a_nested_loop(through_host: bool) -> Result<(u64, u128), String> {
    let ticks = Rc::new(Cell::new(0u64));
    let counter = ticks.clone();
    let ticker = spawn_local(async move {
        let clock = TickClock::starting_now(MS);
        loop {
            clock.next_tick().await;
            counter.set(counter.get() + 1);
        }
    });
    sleep(10 * MS).await;
    let before = ticks.get();
    let started = guestloop::Handle::current().now();
    if through_host {
        guestloop_qt::run_in_host(|| guestloop_qt::exec_nested_event_loop(500 * MS))
            .await
            .map_err(|e| e.to_string())?;
    } else {
        guestloop_qt::exec_nested_event_loop(500 * MS);
    }
    let during = ticks.get() - before;
    let elapsed = (guestloop::Handle::current().now() - started).as_millis();
    ticker.abort();
    Ok((during, elapsed))
}

/// Through `run_in_host`, the guest goes on during a nested loop; directly in a task, it waits.
fn a_nested_loop_stalls_the_guest_only_when_run_in_a_task(harness: &mut QtHarness) -> CheckResult {
    check(harness, async {
        // The ticker keeps to its deadlines (a late tick is caught up), so it counts about one
        // tick per millisecond the nested loop took, never more.
        let (through_host, elapsed) = ticks_during_a_nested_loop(true).await?;
        ensure!(
            (450..=elapsed + 1).contains(&u128::from(through_host)),
            "{through_host} ticks of 1 ms during a nested loop of {elapsed} ms run through \
             run_in_host: expected about 500, at most one a millisecond"
        );
        let (direct, _) = ticks_during_a_nested_loop(false).await?;
        ensure!(
            direct == 0,
            "{direct} ticks during a nested loop run directly in a task: the run re-entered itself"
        );
        Ok(())
    })
}

/// A nested loop directly in a task loses nothing: the sieve's trace is unchanged, and a spawn and
/// a wake from another thread during the loop run right after it.
fn a_nested_loop_in_a_task_loses_nothing(harness: &mut QtHarness) -> CheckResult {
    check(harness, async {
        let config = SieveConfig::new(10, 10)
            .map_err(|e| e.to_string())?
            .with_tick(parse_tick("0.001").map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
        let trace = Rc::new(RefCell::new(TraceWriter::new(Vec::new())));
        let sieve = spawn_local(run_sieve(config, trace.clone()));
        sleep(10 * MS).await;
        let spawner = guestloop::Handle::current().spawner();
        let (wake, woken) = async_channel::bounded::<()>(1);
        let waiter = spawn_local(async move { woken.recv().await.is_ok() });
        sleep(MS).await;
        let outside = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100)); // while the nested loop runs
            let spawned = spawner.spawn(async {});
            let _ = wake.send_blocking(());
            spawned
        });
        guestloop_qt::exec_nested_event_loop(500 * MS);
        let spawned = outside
            .join()
            .map_err(|_| "the other thread panicked")?
            .map_err(|e| e.to_string())?;
        // Both came during the nested loop; had either been lost, this would never finish.
        spawned.await.map_err(|e| e.to_string())?;
        ensure!(
            matches!(waiter.await, Ok(true)),
            "the wake from another thread was lost"
        );
        sieve.await.map_err(|e| e.to_string())?;
        let trace = Rc::try_unwrap(trace)
            .map_err(|_| "the trace is still shared")?
            .into_inner()
            .finish()
            .map_err(|e| e.to_string())?;
        ensure!(
            String::from_utf8_lossy(&trace) == trace_on_test_host(&config),
            "a 500 ms nested loop changed the sieve's trace"
        );
        Ok(())
    })
}

/// `exit_event_loop` from another thread ends `exec()` with its code (queued to the Qt thread).
fn exit_from_another_thread_ends_exec(harness: &mut QtHarness) -> CheckResult {
    let guest = guestloop_qt::install();
    drop(guest.spawn_local(async {
        // The main task never ends on its own: only the other thread's exit ends exec().
        std::thread::spawn(|| guestloop_qt::exit_event_loop(7));
        std::future::pending::<()>().await;
    }));
    let _watchdog = Watchdog::start(Duration::from_secs(10), || {
        eprintln!("exit_event_loop from another thread did not end exec()");
        std::process::exit(3);
    });
    let code = harness.app.pin_mut().exec();
    guestloop_qt::uninstall();
    ensure!(
        code == 7,
        "exec() returned {code}, not the 7 given to exit_event_loop"
    );
    Ok(())
}

/// A check of this crate's own promises.
type QtCheck = fn(&mut QtHarness) -> CheckResult;

const QT_CHECKS: &[(&str, QtCheck)] = &[
    (
        "a signal stream ends when its object is destroyed",
        a_stream_ends_with_its_object,
    ),
    (
        "run_in_host runs outside any guest run and gives back values and panics",
        run_in_host_gives_back_values_and_panics,
    ),
    (
        "a nested loop stalls the guest only when run directly in a task",
        a_nested_loop_stalls_the_guest_only_when_run_in_a_task,
    ),
    (
        "a nested loop in a task loses no wake, spawn or tick",
        a_nested_loop_in_a_task_loses_nothing,
    ),
    (
        "exit_event_loop from another thread ends exec() with its code",
        exit_from_another_thread_ends_exec,
    ),
];

fn main() -> ExitCode {
    // Headless: start again on Qt's offscreen platform.
    if let Some(code) = guestloop_tests::rerun::unless_set("QT_QPA_PLATFORM", "offscreen") {
        return code;
    }
    let mut harness = QtHarness {
        app: QGuiApplication::new(),
    };
    let mut report: Report = conformance::run_all(&mut harness);
    report
        .results
        .extend(conformance::run_real_time(&mut harness).results);
    for (name, run) in QT_CHECKS {
        report.results.push((name, run(&mut harness)));
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
