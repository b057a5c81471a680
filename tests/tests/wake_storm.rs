//! A wake storm: 8 threads × 100,000 wakes (and a spawn every 1,000th) while the host thread
//! runs the guest. No wake is lost, run-soon is asked at most once per run, and memory does not
//! grow with the number of wakes.
//!
//! Its own test binary: it installs a counting global allocator.

use guestloop::{Executor, Host, Instant, RunSoon};
use guestloop_tests::counting_alloc::{Counting, measure_peak};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const THREADS: usize = 8;
const WAKES: usize = 100_000;
const SPAWN_EVERY: usize = 1_000;
const TASKS: usize = 64;

/// A host with no timer: its run-soon sets a flag the test's loop polls.
struct StormHost {
    requested: Arc<AtomicBool>,
    calls: Arc<AtomicU64>,
}

impl Host for StormHost {
    fn now(&self) -> Instant {
        Instant::ZERO
    }
    fn set_timer(&self, _: Option<Instant>) {}
    fn run_soon_handle(&self) -> RunSoon {
        let (requested, calls) = (self.requested.clone(), self.calls.clone());
        Arc::new(move || {
            calls.fetch_add(1, Ordering::SeqCst);
            requested.store(true, Ordering::SeqCst);
        })
    }
}

/// One task's shared state: the last value a waker wrote, the last value a poll saw, its waker.
#[derive(Default)]
struct Slot {
    written: AtomicU64,
    seen: AtomicU64,
    waker: Mutex<Option<Waker>>,
}

#[test]
fn eight_threads_of_wakes_and_spawns_lose_nothing_and_cost_bounded_memory() {
    let requested = Arc::new(AtomicBool::new(false));
    let calls = Arc::new(AtomicU64::new(0));
    let executor = Executor::new(StormHost {
        requested: requested.clone(),
        calls: calls.clone(),
    });
    let slots: Arc<Vec<Slot>> = Arc::new((0..TASKS).map(|_| Slot::default()).collect());
    let stop = Arc::new(AtomicBool::new(false));
    for i in 0..TASKS {
        let (slots, stop) = (slots.clone(), stop.clone());
        drop(executor.spawn_local(std::future::poll_fn(move |cx| {
            let slot = &slots[i];
            *slot.waker.lock().unwrap() = Some(cx.waker().clone());
            slot.seen
                .store(slot.written.load(Ordering::Acquire), Ordering::Relaxed);
            if stop.load(Ordering::Acquire) {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })));
    }
    executor.run();
    requested.store(false, Ordering::SeqCst);

    let spawned_ran = Arc::new(AtomicUsize::new(0));
    let ((runs, asked), peak) = measure_peak(|| {
        let threads: Vec<_> = (0..THREADS)
            .map(|t| {
                let (slots, spawner, ran) =
                    (slots.clone(), executor.spawner(), spawned_ran.clone());
                std::thread::spawn(move || {
                    for op in 0..WAKES {
                        let slot = &slots[(t * 7 + op) % TASKS];
                        slot.written.fetch_add(1, Ordering::AcqRel);
                        let waker = slot.waker.lock().unwrap().clone();
                        waker.expect("polled once").wake();
                        if op % SPAWN_EVERY == 0 {
                            let ran = ran.clone();
                            let task = spawner.spawn(async move {
                                ran.fetch_add(1, Ordering::SeqCst);
                            });
                            drop(task.expect("the executor lives"));
                        }
                    }
                })
            })
            .collect();
        let before = calls.load(Ordering::SeqCst);
        let mut runs = 0u64;
        let mut run_if_asked = || {
            if requested.swap(false, Ordering::SeqCst) {
                executor.run();
                runs += 1;
                true
            } else {
                false
            }
        };
        while !threads.iter().all(|thread| thread.is_finished()) {
            if !run_if_asked() {
                std::thread::yield_now();
            }
        }
        for thread in threads {
            thread.join().expect("a waking thread panicked");
        }
        while run_if_asked() {}
        (runs, calls.load(Ordering::SeqCst) - before)
    });

    for (i, slot) in slots.iter().enumerate() {
        assert_eq!(
            slot.seen.load(Ordering::Relaxed),
            slot.written.load(Ordering::Relaxed),
            "task {i} never saw its last wake"
        );
    }
    let total_written: u64 = slots
        .iter()
        .map(|s| s.written.load(Ordering::Relaxed))
        .sum();
    assert_eq!(total_written, (THREADS * WAKES) as u64);
    assert_eq!(
        spawned_ran.load(Ordering::SeqCst),
        THREADS * WAKES / SPAWN_EVERY
    );
    assert!(
        asked <= runs + 1,
        "{asked} run-soon requests for {runs} runs"
    );
    // 800,000 wakes of 64 tasks: the ready inbox holds each task at most once. A queue of
    // every wake would take 6.4 MB or more.
    assert!(
        peak < 2 << 20,
        "the storm took {peak} bytes of heap at its peak"
    );
    eprintln!(
        "{runs} runs, {asked} run-soon requests, peak heap {} KiB",
        peak / 1024
    );

    stop.store(true, Ordering::Release);
    for slot in slots.iter() {
        slot.waker.lock().unwrap().take().unwrap().wake();
    }
    while requested.swap(false, Ordering::SeqCst) {
        executor.run();
    }
    assert_eq!(executor.stats().live_tasks, 0);
}
