//! The sieve on tokio, for the benchmark's third column: the rules of `guestloop::sieve::run_sieve`
//! restated on tokio's current-thread runtime with a paused clock, doing the same work.
//!
//! Same shape as the guest sieve: a `LocalSet`, one `!Send` task per prime (spawned with
//! `JoinSet::spawn_local`, finished ones reaped as the guest's `TaskGroup` reaps them, so that
//! neither keeps the cells of 41,000 finished tasks), a status task, state shared through an `Rc`; every wait is
//! `tokio::time::sleep_until` on the instant of the next tick, `origin + k·period`, the instants
//! the guest's `TickClock` uses; the same events (marks with the marker's colour, the status line
//! every tick, done) go to a `SieveView`. With the clock paused, tokio jumps to the next deadline
//! whenever every task waits, so the run is all CPU work, as on the test host.
//!
//! It depends on tokio firing the timers of one instant in the order they were armed and running
//! woken and spawned local tasks in that order, as guestloop promises; the benchmark checks its
//! result against the simulation, and its trace too at the smallest size.

use guestloop::sieve::{Rgb, SieveConfig, SieveEvent, SieveSummary, SieveView, Status};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;
use tokio::time::{Instant, sleep_until};

/// The state the tasks share, as in the guest sieve.
struct Sieve<V> {
    numbers: u32,
    origin: Instant,
    period: Duration,
    marked: RefCell<Vec<bool>>,
    marked_count: Cell<u32>,
    active_markers: Cell<u32>,
    done: Cell<bool>,
    colours: RefCell<u64>,
    view: RefCell<V>,
}

impl<V: SieveView> Sieve<V> {
    fn instant_of(&self, tick: u64) -> Instant {
        self.origin + Duration::from_nanos(self.period.as_nanos() as u64 * tick)
    }

    fn show(&self, event: SieveEvent) {
        self.view.borrow_mut().show(&event);
    }

    fn first_unmarked_after(&self, base: u32) -> Option<u32> {
        let marked = self.marked.borrow();
        (base + 1..=self.numbers).find(|&n| !marked[n as usize])
    }

    fn mark(&self, tick: u64, number: u32, colour: Rgb) {
        let newly = !std::mem::replace(&mut self.marked.borrow_mut()[number as usize], true);
        if newly {
            self.marked_count.set(self.marked_count.get() + 1);
            self.show(SieveEvent::Marked {
                tick,
                number,
                colour,
            });
        }
    }

    /// The guest's colour generator (SplitMix64, channels in `64..=192`).
    fn next_colour(&self) -> Rgb {
        let mut state = self.colours.borrow_mut();
        let mut channel = || {
            *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = *state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            64 + ((z ^ (z >> 31)) % 129) as u8
        };
        Rgb {
            r: channel(),
            g: channel(),
            b: channel(),
        }
    }
}

/// One task's stream of ticks (the guest's `Interval` with `MissedTicks::CatchUp`).
struct Ticks {
    next: u64,
}

impl Ticks {
    async fn tick<V: SieveView>(&mut self, sieve: &Sieve<V>) -> u64 {
        sleep_until(sieve.instant_of(self.next)).await;
        self.next += 1;
        self.next - 1
    }
}

/// Runs the sieve of `config` on a fresh current-thread runtime with a paused clock.
pub fn run_on_tokio(config: SieveConfig, view: impl SieveView + 'static) -> SieveSummary {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("a tokio runtime");
    let local = tokio::task::LocalSet::new();
    local.block_on(&runtime, sieve(config, view))
}

async fn sieve<V: SieveView + 'static>(config: SieveConfig, view: V) -> SieveSummary {
    let numbers = config.numbers();
    let sieve = Rc::new(Sieve {
        numbers,
        origin: Instant::now(),
        period: config.tick(),
        marked: RefCell::new(vec![false; numbers as usize + 1]),
        marked_count: Cell::new(0),
        active_markers: Cell::new(0),
        done: Cell::new(false),
        colours: RefCell::new(config.seed()),
        view: RefCell::new(view),
    });
    let mut tasks = tokio::task::JoinSet::new();
    tasks.spawn_local(show_status(sieve.clone()));
    let mut ticks = Ticks { next: 1 };
    let mut tick = 0;
    let mut base = 1;
    while 2 * u64::from(base) <= u64::from(numbers) {
        tick = ticks.tick(&sieve).await;
        let Some(next) = sieve.first_unmarked_after(base) else {
            break;
        };
        base = next;
        sieve.active_markers.set(sieve.active_markers.get() + 1);
        while let Some(finished) = tasks.try_join_next() {
            finished.expect("a sieve task failed");
        }
        tasks.spawn_local(cross_out_multiples(sieve.clone(), base, tick));
    }
    while sieve.active_markers.get() > 0 {
        tick = ticks.tick(&sieve).await;
    }
    sieve.done.set(true);
    while let Some(finished) = tasks.join_next().await {
        finished.expect("a sieve task failed");
    }
    let marked = sieve.marked_count.get();
    sieve.show(SieveEvent::Done { tick, marked });
    SieveSummary {
        done_tick: tick,
        marked,
    }
}

async fn cross_out_multiples<V: SieveView>(sieve: Rc<Sieve<V>>, base: u32, mut tick: u64) {
    let colour = sieve.next_colour();
    let mut ticks = Ticks { next: tick + 1 };
    let last = u64::from(sieve.numbers);
    let mut multiple = 2 * u64::from(base);
    while multiple <= last {
        sieve.mark(tick, multiple as u32, colour);
        tick = ticks.tick(&sieve).await;
        multiple += u64::from(base);
    }
    sieve.active_markers.set(sieve.active_markers.get() - 1);
}

async fn show_status<V: SieveView>(sieve: Rc<Sieve<V>>) {
    let period = sieve.period.as_nanos();
    let mut ticks = Ticks { next: 1 };
    let mut tick = 0;
    while !sieve.done.get() {
        tick = ticks.tick(&sieve).await;
        if sieve.done.get() {
            break;
        }
        let seconds = (u128::from(tick) + 1) * period / 1_000_000_000;
        let status = if seconds % 2 == 1 {
            Status::Calculating
        } else {
            Status::Hacking
        };
        sieve.show(SieveEvent::Status { tick, status });
    }
    sieve.show(SieveEvent::Status {
        tick,
        status: Status::Congratulations,
    });
}
