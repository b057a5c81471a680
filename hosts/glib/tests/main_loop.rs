//! The GLib host on a real GLib main loop: the conformance kit, traces, an idle loop, priorities,
//! far deadlines, teardown; and the host the guide once described (run-soon as
//! `MainContext::invoke`), which the kit must fail.

use glib::{ControlFlow, MainContext, MainLoop, Priority};
use guestloop::conformance::{self, Harness, Report, Watchdog};
use guestloop::sieve::{SieveConfig, TraceWriter, run_sieve, trace_on_test_host};
use guestloop::{Builder, Executor, Host, Instant, RunSoon, sleep, yield_now};
use guestloop_glib::Guest;
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

/// Iterates `context` until `done()`, or until a little after the kit would give up.
fn iterate_until(context: &MainContext, mut done: impl FnMut() -> bool) {
    let gave_up = Arc::new(AtomicBool::new(false));
    let _watchdog = {
        let (gave_up, context) = (gave_up.clone(), context.clone());
        Watchdog::start(
            conformance::CHECK_LIMIT + Duration::from_secs(5),
            move || {
                gave_up.store(true, Ordering::SeqCst);
                context.wakeup();
            },
        )
    };
    while !done() && !gave_up.load(Ordering::SeqCst) {
        context.iteration(true);
    }
}

/// Each check on a fresh guest on a fresh context, run by a `MainLoop` as an application runs
/// it; the check's task quits the loop (from inside it: a quit before `run` would be lost).
struct GlibHarness;

impl Harness for GlibHarness {
    fn run(&mut self, builder: Builder, main: Pin<Box<dyn Future<Output = ()>>>) {
        let context = MainContext::new();
        let main_loop = MainLoop::new(Some(&context), false);
        let guard = context.acquire().unwrap();
        let guest = Guest::builder(&context).executor(builder).build().unwrap();
        let quit = main_loop.clone();
        drop(guest.executor().spawn_local(async move {
            main.await;
            quit.quit();
        }));
        let _watchdog = {
            let main_loop = main_loop.clone();
            Watchdog::start(
                conformance::CHECK_LIMIT + Duration::from_secs(5),
                move || main_loop.quit(),
            )
        };
        drop(guard);
        main_loop.run();
        drop(guest);
    }
}

fn assert_passes(report: &Report) {
    print!("{report}");
    report.assert_all_passed();
}

#[test]
fn the_glib_host_passes_the_conformance_kit() {
    assert_passes(&conformance::run_all(&mut GlibHarness));
    assert_passes(&conformance::run_real_time(&mut GlibHarness));
}

#[test]
fn sieve_traces_at_a_millisecond_tick_are_the_test_hosts() {
    for (rows, cols) in [(1, 1), (10, 10), (7, 13), (40, 40), (60, 60)] {
        let config = SieveConfig::new(rows, cols)
            .and_then(|config| config.with_tick(Duration::from_millis(1)))
            .unwrap();
        let context = MainContext::new();
        let guest = Guest::new(&context).unwrap();
        let writer = Rc::new(RefCell::new(TraceWriter::new(Vec::new())));
        let run = guest
            .executor()
            .spawn_local(run_sieve(config, writer.clone()));
        iterate_until(&context, || run.is_finished());
        assert_eq!(guest.executor().stats().clock_jumps, 0);
        drop(guest);
        let trace = Rc::into_inner(writer)
            .unwrap()
            .into_inner()
            .finish()
            .unwrap();
        assert!(
            String::from_utf8(trace).unwrap() == trace_on_test_host(&config),
            "{rows}×{cols}: the trace on GLib differs from the test host's"
        );
    }
}

#[test]
fn an_idle_guest_leaves_the_loop_asleep() {
    let context = MainContext::new();
    let guest = Guest::new(&context).unwrap();
    let task = guest
        .executor()
        .spawn_local(sleep(Duration::from_millis(5)));
    iterate_until(&context, || task.is_finished());
    // Nothing pending: 300 ms, then a spawn from another thread. Each iteration blocks until a
    // source is ready, so an idle loop turns once or twice in that time.
    let spawner = guest.executor().spawner();
    let arrived = Arc::new(AtomicBool::new(false));
    let flag = arrived.clone();
    let waker = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        drop(spawner.spawn(async move { flag.store(true, Ordering::SeqCst) }));
    });
    let cpu_before = thread_cpu_time();
    let mut turns = 0;
    iterate_until(&context, || {
        turns += 1;
        arrived.load(Ordering::SeqCst)
    });
    let cpu = thread_cpu_time() - cpu_before;
    waker.join().unwrap();
    assert!(turns <= 4, "the idle loop turned {turns} times in 300 ms");
    assert!(cpu < Duration::from_millis(20), "{cpu:?} of CPU while idle");
}

/// This thread's CPU time (user and system), from `/proc`.
fn thread_cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap();
    // Fields 14 and 15 (utime, stime) in clock ticks; the name (field 2) may hold spaces.
    let after_name = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<u64> = after_name
        .split(' ')
        .skip(11)
        .take(2)
        .map(|field| field.parse().unwrap())
        .collect();
    Duration::from_millis((fields[0] + fields[1]) * 10) // USER_HZ is 100 on Linux
}

/// While a task keeps yielding for 200 ms: how often did a source at GTK's redraw priority
/// (120) run?
fn redraws_while_the_guest_is_busy(run_soon_priority: Priority) -> usize {
    let context = MainContext::new();
    let _owner = context.acquire().unwrap();
    let guest = Guest::builder(&context)
        .run_soon_priority(run_soon_priority)
        .build()
        .unwrap();
    let redraws = Arc::new(AtomicUsize::new(0));
    let counter = redraws.clone();
    let redraw = glib::idle_source_new(None, Priority::from(120), move || {
        counter.fetch_add(1, Ordering::SeqCst);
        ControlFlow::Continue
    });
    redraw.attach(Some(&context));
    let busy = guest.executor().spawn_local(async {
        let started = std::time::Instant::now();
        while started.elapsed() < Duration::from_millis(200) {
            yield_now().await;
        }
    });
    iterate_until(&context, || busy.is_finished());
    redraw.destroy();
    redraws.load(Ordering::SeqCst)
}

#[test]
fn a_busy_guest_leaves_gtk_its_redraws_at_the_default_priority() {
    let redraws = redraws_while_the_guest_is_busy(guestloop_glib::DEFAULT_RUN_SOON_PRIORITY);
    assert!(redraws >= 100, "{redraws} redraws in 200 ms");
}

#[test]
fn at_glibs_default_priority_a_busy_guest_starves_the_redraws() {
    // Why the default is `DEFAULT_IDLE`: what the crate's docs say happens otherwise.
    assert_eq!(redraws_while_the_guest_is_busy(Priority::DEFAULT), 0);
}

#[test]
fn a_deadline_past_what_glib_can_hold_does_not_fire_early() {
    let context = MainContext::new();
    let guest = Guest::new(&context).unwrap();
    let far = guest.executor().spawn_local(async {
        sleep(Duration::from_millis((1 << 32) + 100)).await;
    });
    let forever = guest.executor().spawn_local(sleep(Duration::MAX));
    let near = guest
        .executor()
        .spawn_local(sleep(Duration::from_millis(20)));
    iterate_until(&context, || near.is_finished());
    // Only the far deadlines are left: the host's timer holds the earlier, 2^32 + 80 ms away. A
    // timeout cast to `u32` milliseconds would fire after 80 ms, and then again and again.
    let runs = guest.executor().stats().runs;
    let over = Arc::new(AtomicBool::new(false));
    let waker = {
        let (over, context) = (over.clone(), context.clone());
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(200));
            over.store(true, Ordering::SeqCst);
            context.wakeup();
        })
    };
    let mut turns = 0;
    iterate_until(&context, || {
        turns += 1;
        over.load(Ordering::SeqCst)
    });
    waker.join().unwrap();
    assert!(!far.is_finished() && !forever.is_finished());
    let extra = guest.executor().stats().runs - runs;
    assert!(
        extra == 0,
        "{extra} runs in 200 ms with only far deadlines pending"
    );
    assert!(turns <= 3, "the loop turned {turns} times in 200 ms");
}

#[test]
fn wakes_after_the_guest_is_gone_and_a_guest_dropped_by_its_own_task_are_harmless() {
    let context = MainContext::new();
    let guest = Rc::new(RefCell::new(Some(Guest::new(&context).unwrap())));
    let executor_stats = || guest.borrow().as_ref().map(|g| g.executor().stats());
    let spawner = guest.borrow().as_ref().unwrap().executor().spawner();
    // A task drops the guest (and so its own executor) from inside a run.
    let dropper = {
        let guest = guest.clone();
        async move {
            sleep(Duration::from_millis(5)).await;
            drop(guest.borrow_mut().take());
        }
    };
    drop(
        guest
            .borrow()
            .as_ref()
            .unwrap()
            .executor()
            .spawn_local(dropper),
    );
    assert!(executor_stats().is_some());
    iterate_until(&context, || guest.borrow().is_none());
    assert!(
        std::thread::spawn(move || spawner.spawn(async {}).is_err())
            .join()
            .unwrap()
    );
    // A request in flight when the guest goes: its idle source finds no guest.
    let guest = Guest::new(&context).unwrap();
    let spawner = guest.executor().spawner();
    std::thread::spawn(move || drop(spawner.spawn(async {})))
        .join()
        .unwrap();
    drop(guest);
    let deadline = std::time::Instant::now() + Duration::from_millis(50);
    while std::time::Instant::now() < deadline {
        context.iteration(false);
    }
}

#[test]
fn a_guest_cannot_be_made_on_a_context_another_thread_runs() {
    let context = MainContext::new();
    let (owned, release) = std::sync::mpsc::channel();
    let (done, wait) = std::sync::mpsc::channel::<()>();
    let owner = {
        let context = context.clone();
        std::thread::spawn(move || {
            let _guard = context.acquire().unwrap();
            owned.send(()).unwrap();
            let _ = wait.recv();
        })
    };
    release.recv().unwrap();
    let error = Guest::new(&context).unwrap_err();
    assert!(error.to_string().contains("another thread"), "{error}");
    done.send(()).unwrap();
    owner.join().unwrap();
    assert!(Guest::new(&context).is_ok(), "free again once released");
}

// The host the guide's GTK row once described.

thread_local! {
    static INVOKED: RefCell<Option<Rc<Executor>>> = const { RefCell::new(None) };
}

/// Run-soon as `MainContext::invoke`: on the loop's own thread GLib calls the function at once.
struct InvokeHost {
    context: MainContext,
    started: std::time::Instant,
    timer: RefCell<Option<glib::Source>>,
}

impl Host for InvokeHost {
    fn now(&self) -> Instant {
        Instant::from_nanos(self.started.elapsed().as_nanos() as u64)
    }
    fn set_timer(&self, deadline: Option<Instant>) {
        if let Some(source) = self.timer.borrow_mut().take() {
            source.destroy();
        }
        if let Some(deadline) = deadline {
            let wait = deadline.saturating_duration_since(self.now());
            let millis = wait
                .as_nanos()
                .div_ceil(1_000_000)
                .min(u128::from(u32::MAX)) as u64;
            let source = glib::timeout_source_new(
                Duration::from_millis(millis),
                None,
                Priority::DEFAULT,
                || {
                    run_invoked();
                    ControlFlow::Break
                },
            );
            source.attach(Some(&self.context));
            *self.timer.borrow_mut() = Some(source);
        }
    }
    fn run_soon_handle(&self) -> RunSoon {
        let context = self.context.clone();
        Arc::new(move || context.invoke(run_invoked))
    }
}

fn run_invoked() {
    let executor = INVOKED.with_borrow(Clone::clone);
    if let Some(executor) = executor {
        executor.run();
    }
}

struct InvokeHarness;

impl Harness for InvokeHarness {
    fn run(&mut self, builder: Builder, main: Pin<Box<dyn Future<Output = ()>>>) {
        let context = MainContext::new();
        let _owner = context.acquire().unwrap();
        let executor = Rc::new(builder.build(InvokeHost {
            context: context.clone(),
            started: std::time::Instant::now(),
            timer: RefCell::new(None),
        }));
        INVOKED.set(Some(executor.clone()));
        let main = executor.spawn_local(main);
        iterate_until(&context, || main.is_finished());
        INVOKED.set(None);
    }
}

#[test]
fn a_host_whose_run_soon_is_invoke_fails_the_kit_saying_so() {
    let report = conformance::run_all(&mut InvokeHarness);
    print!("{report}");
    let failures = report.failures();
    assert_eq!(failures.len(), 1, "{report}");
    assert!(failures[0].1.contains("MainContext::invoke"), "{report}");
}
