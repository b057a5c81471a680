//! Opt-in measurements of the running application, for the benchmarks (`benches/qt_host.rs`).
//!
//! Owns what the Qt benchmarks need from inside the process; it is idle unless asked for:
//! - `GUESTLOOP_QT_MEASURE_LOOP=1`: while the sieve runs, a 0 ms `QTimer` that re-arms itself
//!   fires once per event-loop iteration; the longest gap between two fires is the longest time
//!   the loop was kept from drawing and input, over the whole run and after the first frame.
//!   (It keeps the loop busy, so use it only when measuring.)
//! - `GUESTLOOP_QT_WAKE_BENCH=1`: wakes a task from another thread (latency, p50/p99), then wakes
//!   1,000 tasks as fast as possible (coalesced polls per second), then posts no-op events to the
//!   same loop as fast as possible (the loop's raw rate); prints the figures and quits.
//! - At exit, with `GUESTLOOP_QT_LOG=1`: when the grid's first frame was drawn (the first after it
//!   was sized), how many frames were drawn until when, how many times the grid canvas painted and how many pixels, and the peak
//!   resident memory (`VmHWM`).

use crate::app_control;
use crate::test_hooks::elapsed_us;
use guestloop::Handle;
use guestloop_qt as qt_host;
use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

static LOOP_LAST_US: AtomicU64 = AtomicU64::new(0);
static LOOP_MAX_GAP_US: AtomicU64 = AtomicU64::new(0);
static LOOP_TICKS: AtomicU64 = AtomicU64::new(0);
/// The longest gap that began after the first frame was drawn.
static LOOP_MAX_GAP_AFTER_FIRST_FRAME_US: AtomicU64 = AtomicU64::new(0);
/// When the grid was sized (µs since start; 0: not yet): its first frame is the first after.
static GRID_SIZED_US: AtomicU64 = AtomicU64::new(0);
/// When the grid's first frame was drawn (µs since start; 0: not yet), and the latest frame.
static FIRST_FRAME_US: AtomicU64 = AtomicU64::new(0);
static LAST_FRAME_US: AtomicU64 = AtomicU64::new(0);
static FRAMES: AtomicU64 = AtomicU64::new(0);
static PAINTS: AtomicU64 = AtomicU64::new(0);
static PAINTED_PIXELS: AtomicU64 = AtomicU64::new(0);

thread_local! {
    static LOOP_TIMER: RefCell<Option<cxx::UniquePtr<qt_host::QTimer>>> = const { RefCell::new(None) };
}

static PAINT_NANOS: AtomicU64 = AtomicU64::new(0);

/// One paint of the grid canvas, counted (its area, and its time when dropped). Made in the
/// canvas's paint, on the render thread.
#[derive(Debug)]
pub struct Paint(Instant);

impl Paint {
    /// Counts a paint of `area` pixels, and starts timing it.
    pub fn start(area: f64) -> Paint {
        PAINTS.fetch_add(1, Ordering::Relaxed);
        PAINTED_PIXELS.fetch_add(area.max(0.0) as u64, Ordering::Relaxed);
        Paint(Instant::now())
    }
}

impl Drop for Paint {
    fn drop(&mut self) {
        let nanos = self.0.elapsed().as_nanos() as u64;
        PAINT_NANOS.fetch_add(nanos, Ordering::Relaxed);
    }
}

/// Notes that the grid was sized: the next frame is its first.
pub fn grid_sized() {
    let _ = GRID_SIZED_US.compare_exchange(
        0,
        elapsed_us().max(1),
        Ordering::Relaxed,
        Ordering::Relaxed,
    );
}

/// Starts counting the window's frames (call once its QML is loaded).
pub fn watch_frames() {
    app_control::connect_frame_swapped(frame_swapped);
}

/// On the render thread: atomics only. Frames before the grid was sized show an empty window,
/// and are not counted.
fn frame_swapped() {
    let now = elapsed_us().max(1);
    if GRID_SIZED_US.load(Ordering::Relaxed) == 0 {
        return;
    }
    let _ = FIRST_FRAME_US.compare_exchange(0, now, Ordering::Relaxed, Ordering::Relaxed);
    LAST_FRAME_US.store(now, Ordering::Relaxed);
    FRAMES.fetch_add(1, Ordering::Relaxed);
}

/// Starts the loop-gap meter if asked for.
pub fn start_loop_meter() {
    if std::env::var_os("GUESTLOOP_QT_MEASURE_LOOP").is_none() {
        return;
    }
    let mut timer = qt_host::precise_single_shot_timer();
    LOOP_LAST_US.store(elapsed_us(), Ordering::Relaxed);
    let _ = timer
        .pin_mut()
        .on_timeout(|timer| {
            let now = elapsed_us();
            let began = LOOP_LAST_US.swap(now, Ordering::Relaxed);
            let gap = now - began;
            LOOP_MAX_GAP_US.fetch_max(gap, Ordering::Relaxed);
            let first_frame = FIRST_FRAME_US.load(Ordering::Relaxed);
            if first_frame != 0 && began >= first_frame {
                LOOP_MAX_GAP_AFTER_FIRST_FRAME_US.fetch_max(gap, Ordering::Relaxed);
            }
            LOOP_TICKS.fetch_add(1, Ordering::Relaxed);
            timer.start(0);
        })
        .release();
    timer.pin_mut().start(0);
    LOOP_TIMER.set(Some(timer));
}

/// Calls [`report`] when dropped: the application keeps one beside its QML engine.
#[derive(Debug)]
pub struct ReportOnDrop;

impl Drop for ReportOnDrop {
    fn drop(&mut self) {
        report();
    }
}

/// Prints what was measured (stderr), and stops the meter.
pub fn report() {
    if LOOP_TIMER.take().is_some() {
        eprintln!(
            "measure: loop iterations={} longest gap={}us after the first frame={}us",
            LOOP_TICKS.load(Ordering::Relaxed),
            LOOP_MAX_GAP_US.load(Ordering::Relaxed),
            LOOP_MAX_GAP_AFTER_FIRST_FRAME_US.load(Ordering::Relaxed)
        );
    }
    if std::env::var_os("GUESTLOOP_QT_LOG").is_some() {
        let (first, last) = (
            FIRST_FRAME_US.load(Ordering::Relaxed),
            LAST_FRAME_US.load(Ordering::Relaxed),
        );
        eprintln!(
            "measure: first frame={first}us frames={} until={last}us paints={} painted pixels={} \
             painting={}us",
            FRAMES.load(Ordering::Relaxed),
            PAINTS.load(Ordering::Relaxed),
            PAINTED_PIXELS.load(Ordering::Relaxed),
            PAINT_NANOS.load(Ordering::Relaxed) / 1000,
        );
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        if let Some(line) = status.lines().find(|line| line.starts_with("VmHWM:")) {
            eprintln!(
                "measure: peak resident memory {}",
                line["VmHWM:".len()..].trim()
            );
        }
    }
}

/// A future that completes once another thread has moved `sequence` past `seen`.
fn advanced(
    sequence: Arc<AtomicU64>,
    seen: u64,
    waker: Arc<Mutex<Option<Waker>>>,
) -> impl Future<Output = u64> {
    std::future::poll_fn(move |cx| {
        *waker.lock().expect("no panic under this lock") = Some(cx.waker().clone());
        let now = sequence.load(Ordering::Acquire);
        if now > seen {
            Poll::Ready(now)
        } else {
            Poll::Pending
        }
    })
}

fn percentile(sorted: &[u64], p: usize) -> u64 {
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

/// Runs the wake benchmark if asked for (it quits the application when done).
pub fn spawn_wake_bench(guest: &Handle) {
    if std::env::var_os("GUESTLOOP_QT_WAKE_BENCH").is_none() {
        return;
    }
    drop(guest.spawn_local(wake_bench()));
}

async fn wake_bench() {
    // 1. Latency: one task, woken from another thread every 2 ms on an idle loop.
    const SAMPLES: u64 = 1000;
    let sequence = Arc::new(AtomicU64::new(0));
    let waker: Arc<Mutex<Option<Waker>>> = Arc::default();
    let sent_at = Arc::new(Mutex::new(Instant::now()));
    let mut latencies = Vec::with_capacity(SAMPLES as usize);
    let waking = {
        let (sequence, waker, sent_at) = (sequence.clone(), waker.clone(), sent_at.clone());
        std::thread::spawn(move || {
            for _ in 0..SAMPLES {
                std::thread::sleep(Duration::from_millis(2));
                *sent_at.lock().expect("no panic under this lock") = Instant::now();
                sequence.fetch_add(1, Ordering::AcqRel);
                if let Some(waker) = waker.lock().expect("no panic under this lock").clone() {
                    waker.wake();
                }
            }
        })
    };
    let mut seen = 0;
    while seen < SAMPLES {
        seen = advanced(sequence.clone(), seen, waker.clone()).await;
        let latency = sent_at.lock().expect("no panic under this lock").elapsed();
        latencies.push(latency.as_micros() as u64);
    }
    let _ = waking.join();
    latencies.sort_unstable();

    // 2. Throughput: 1,000 tasks, each woken again and again by another thread for 1 s.
    const TASKS: usize = 1000;
    let polls = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let wakers: Arc<Mutex<Vec<Waker>>> = Arc::default();
    let mut tasks = Vec::new();
    for _ in 0..TASKS {
        let (polls, stop, wakers) = (polls.clone(), stop.clone(), wakers.clone());
        tasks.push(guestloop::spawn_local(std::future::poll_fn(move |cx| {
            polls.fetch_add(1, Ordering::Relaxed);
            if stop.load(Ordering::Acquire) {
                return Poll::Ready(());
            }
            wakers
                .lock()
                .expect("no panic under this lock")
                .push(cx.waker().clone());
            Poll::Pending
        })));
    }
    guestloop::yield_now().await;
    let started = Instant::now();
    let polls_before = polls.load(Ordering::Relaxed);
    let hammering = {
        let (stop, wakers) = (stop.clone(), wakers.clone());
        std::thread::spawn(move || {
            let until = Instant::now() + Duration::from_secs(1);
            while Instant::now() < until {
                let batch: Vec<Waker> = std::mem::take(&mut *wakers.lock().expect("no panic"));
                batch.into_iter().for_each(Waker::wake);
            }
            stop.store(true, Ordering::Release);
            let last: Vec<Waker> = std::mem::take(&mut *wakers.lock().expect("no panic"));
            last.into_iter().for_each(Waker::wake);
        })
    };
    for task in tasks {
        let _ = task.await;
    }
    let _ = hammering.join();
    let poll_rate =
        (polls.load(Ordering::Relaxed) - polls_before) as f64 / started.elapsed().as_secs_f64();

    // 3. The loop's raw rate: no-op events posted to the same loop as fast as it takes them.
    let handled = Arc::new(AtomicUsize::new(0));
    let poster = qt_host::poster().expect("the guest is installed");
    let started = Instant::now();
    let posting = {
        let handled = handled.clone();
        std::thread::spawn(move || {
            let until = Instant::now() + Duration::from_secs(1);
            let mut posted = 0usize;
            while Instant::now() < until {
                // Keep at most a few thousand in flight, so the queue measures throughput.
                if posted - handled.load(Ordering::Relaxed) < 4096 {
                    let handled = handled.clone();
                    poster.post(move || {
                        handled.fetch_add(1, Ordering::Relaxed);
                    });
                    posted += 1;
                } else {
                    std::thread::yield_now();
                }
            }
        })
    };
    while !posting.is_finished() {
        guestloop::sleep(Duration::from_millis(50)).await;
    }
    let _ = posting.join();
    let post_rate = handled.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64();

    eprintln!(
        "measure: wake latency p50={}us p99={}us max={}us ({} wakes)",
        percentile(&latencies, 50),
        percentile(&latencies, 99),
        latencies[latencies.len() - 1],
        latencies.len()
    );
    eprintln!(
        "measure: coalesced polls per second={poll_rate:.0} ({TASKS} tasks woken from a thread)"
    );
    eprintln!("measure: raw posted no-op events per second={post_rate:.0}");
    guestloop_qt::exit_event_loop(0);
}
