//! The ready-made hosts in `guestloop` (the blocking loop, the frame driver) against the
//! conformance kit and the test host's traces, and two hosts written the wrong way, which the kit
//! must fail with a message that names the mistake. On real time, at a real frame rate: not
//! part of the memcheck run (valgrind's slowdown would make every guest fall behind).

use guestloop::blocking_loop::BlockingLoop;
use guestloop::conformance::{self, Harness, Report};
use guestloop::frame_loop::FrameDriver;
use guestloop::sieve::{SieveConfig, TraceWriter, run_sieve, trace_on_test_host};
use guestloop::{Builder, Executor, Host, Instant, RunSoon};
use guestloop_tests::loop_host::{WallClock, wall_clock};
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Gives up on a host that never finishes a check, a little after the kit would: sets the flag
/// it returns, then calls `wake` to make the loop look at it.
fn give_up_after_the_kit(
    wake: impl FnOnce() + Send + 'static,
) -> (Arc<AtomicBool>, conformance::Watchdog) {
    let gave_up = Arc::new(AtomicBool::new(false));
    let flag = gave_up.clone();
    let limit = conformance::CHECK_LIMIT + Duration::from_secs(5);
    let watchdog = conformance::Watchdog::start(limit, move || {
        flag.store(true, Ordering::SeqCst);
        wake();
    });
    (gave_up, watchdog)
}

fn assert_passes(report: &Report) {
    print!("{report}");
    report.assert_all_passed();
}

// The blocking loop.

struct BlockingHarness;

impl Harness for BlockingHarness {
    fn run(&mut self, builder: Builder, main: Pin<Box<dyn Future<Output = ()>>>) {
        let event_loop = BlockingLoop::<(), WallClock>::new(wall_clock());
        let executor = builder.build(event_loop.host());
        let main = executor.spawn_local(main);
        let sender = event_loop.sender();
        let (gave_up, _watchdog) = give_up_after_the_kit(move || sender.wake());
        event_loop.run_until(&executor, || {
            main.is_finished() || gave_up.load(Ordering::SeqCst)
        });
    }
}

#[test]
fn the_blocking_loop_passes_the_conformance_kit() {
    assert_passes(&conformance::run_all(&mut BlockingHarness));
    assert_passes(&conformance::run_real_time(&mut BlockingHarness));
}

#[test]
fn the_blocking_loop_hands_messages_to_its_client_and_sleeps_between_them() {
    use guestloop::blocking_loop::LoopClient;
    use std::ops::ControlFlow;

    struct Collect {
        received: Vec<u32>,
        turns: u32,
    }
    impl<C> LoopClient<u32, C> for Collect {
        fn message(&mut self, message: u32, _: &C) -> ControlFlow<()> {
            self.received.push(message);
            if message == 99 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        }
        fn turn_done(&mut self, _: &C) -> ControlFlow<()> {
            self.turns += 1;
            ControlFlow::Continue(())
        }
    }

    let event_loop = BlockingLoop::<u32, WallClock>::new(wall_clock());
    let executor = Executor::new(event_loop.host());
    let sender = event_loop.sender();
    let feeder = std::thread::spawn(move || {
        for message in [1, 2, 3, 99] {
            std::thread::sleep(Duration::from_millis(30));
            sender.send(message).expect("the loop is running");
        }
        sender
    });
    let mut client = Collect {
        received: Vec::new(),
        turns: 0,
    };
    event_loop.run(&executor, &mut client);
    assert_eq!(client.received, [1, 2, 3, 99]);
    assert!(client.turns <= 4, "{} turns for 3 messages", client.turns);
    let sender = feeder.join().unwrap();
    drop(executor);
    drop(event_loop);
    assert_eq!(
        sender.send(7),
        Err(7),
        "a send to a loop that is gone gives the message back"
    );
    sender.wake(); // harmless
}

// The frame driver.

const FRAME: Duration = Duration::from_micros(16_667); // 60 fps

/// A 60 fps game loop: each frame gives the guest its turn, then sleeps until the next frame.
/// `every_frame` makes it the loop the guide once advised: `executor.run()` on every frame.
struct FrameHarness {
    slice: Duration,
    every_frame: bool,
}

impl Harness for FrameHarness {
    fn run(&mut self, builder: Builder, main: Pin<Box<dyn Future<Output = ()>>>) {
        let driver = FrameDriver::new(wall_clock()).with_slice(self.slice);
        let executor = builder.build(driver.host());
        let main = executor.spawn_local(main);
        let (gave_up, _watchdog) = give_up_after_the_kit(|| {}); // a frame loop never sleeps long
        run_frames(&driver, &executor, self.every_frame, || {
            main.is_finished() || gave_up.load(Ordering::SeqCst)
        });
    }
}

/// Runs frames at 60 fps until `done()`.
fn run_frames(
    driver: &FrameDriver<WallClock>,
    executor: &Executor,
    every_frame: bool,
    mut done: impl FnMut() -> bool,
) {
    let mut next_frame = std::time::Instant::now();
    while !done() {
        if every_frame {
            executor.run();
        } else {
            driver.frame(executor);
        }
        next_frame += FRAME;
        std::thread::sleep(next_frame.saturating_duration_since(std::time::Instant::now()));
    }
}

#[test]
fn the_frame_driver_passes_the_conformance_kit_at_60_fps() {
    let mut harness = FrameHarness {
        slice: guestloop::frame_loop::DEFAULT_SLICE,
        every_frame: false,
    };
    assert_passes(&conformance::run_all(&mut harness));
    assert_passes(&conformance::run_real_time(&mut harness));
}

#[test]
fn a_300_by_300_sieve_at_a_tenth_of_a_millisecond_under_a_60_fps_loop_keeps_its_trace() {
    // 0.1 ms ticks are 167 ticks a frame: one poll budget a frame could not keep up, and the
    // guest clock would jump (another trace). The driver runs again while the guest asks.
    let config = SieveConfig::new(300, 300)
        .and_then(|config| config.with_tick(Duration::from_micros(100)))
        .unwrap();
    let driver = FrameDriver::new(wall_clock());
    let executor = Executor::new(driver.host());
    let writer = Rc::new(RefCell::new(TraceWriter::new(Vec::new())));
    let run = executor.spawn_local(run_sieve(config, writer.clone()));
    run_frames(&driver, &executor, false, || run.is_finished());
    assert_eq!(executor.stats().clock_jumps, 0, "the guest fell behind");
    drop(executor);
    let trace = Rc::into_inner(writer)
        .unwrap()
        .into_inner()
        .finish()
        .unwrap();
    assert!(
        String::from_utf8(trace).unwrap() == trace_on_test_host(&config),
        "the trace under the frame driver differs from the test host's"
    );
}

#[test]
fn a_frame_loop_that_runs_the_guest_on_every_frame_fails_the_kit_saying_so() {
    let report = conformance::run_all(&mut FrameHarness {
        slice: guestloop::frame_loop::DEFAULT_SLICE,
        every_frame: true,
    });
    print!("{report}");
    let failures = report.failures();
    let idle = failures
        .iter()
        .find(|(name, _)| name.starts_with("once nothing is pending"))
        .expect("the idle check fails");
    assert!(idle.1.contains("on every frame"), "{}", idle.1);
}

// A run-soon that runs the guest at once.

thread_local! {
    /// The executor of the invoking host on this thread: its run-soon reaches the `!Send`
    /// executor through it, as a GLib host's callback would.
    static INVOKED_GUEST: RefCell<Option<Rc<Executor>>> = const { RefCell::new(None) };
}

/// A host written the way the guide's GTK row once said: run-soon is GLib's
/// `MainContext::invoke`, which runs the function at once when called on the loop's own thread
/// and posts it otherwise. Here the post is a blocking loop's.
struct InvokingHost {
    inner: guestloop::blocking_loop::BlockingHost<(), WallClock>,
    loop_thread: std::thread::ThreadId,
}

impl Host for InvokingHost {
    fn now(&self) -> Instant {
        self.inner.now()
    }
    fn set_timer(&self, deadline: Option<Instant>) {
        self.inner.set_timer(deadline);
    }
    fn run_soon_handle(&self) -> RunSoon {
        let post = self.inner.run_soon_handle();
        let loop_thread = self.loop_thread;
        Arc::new(move || {
            if std::thread::current().id() == loop_thread {
                let guest = INVOKED_GUEST.with_borrow(Clone::clone);
                if let Some(guest) = guest {
                    guest.run();
                }
            } else {
                post();
            }
        })
    }
}

struct InvokingHarness;

impl Harness for InvokingHarness {
    fn run(&mut self, builder: Builder, main: Pin<Box<dyn Future<Output = ()>>>) {
        let event_loop = BlockingLoop::<(), WallClock>::new(wall_clock());
        let executor = Rc::new(builder.build(InvokingHost {
            inner: event_loop.host(),
            loop_thread: std::thread::current().id(),
        }));
        INVOKED_GUEST.set(Some(executor.clone()));
        let main = executor.spawn_local(main);
        let sender = event_loop.sender();
        let (gave_up, _watchdog) = give_up_after_the_kit(move || sender.wake());
        event_loop.run_until(&executor, || {
            main.is_finished() || gave_up.load(Ordering::SeqCst)
        });
        INVOKED_GUEST.set(None);
    }
}

#[test]
fn a_host_whose_run_soon_runs_the_guest_at_once_fails_the_kit_saying_so() {
    let report = conformance::run_all(&mut InvokingHarness);
    print!("{report}");
    let failures = report.failures();
    assert_eq!(failures.len(), 1, "{report}");
    let (name, why) = failures[0];
    assert!(
        name.starts_with("run-soon asks for a run on a later turn"),
        "{name}"
    );
    assert!(why.contains("inside the call"), "{why}");
}
