//! The primes demo as async code: count the primes up to N on worker threads while the host's
//! loop stays live.
//!
//! Owns the model only: which segments of `[2, N]` are counted when, and what the view is told. A
//! segmented sieve of Eratosthenes: the base primes up to √N, then one
//! [`unblock`](fn@crate::unblock) job per segment of [`SEGMENT_LEN`] numbers, at most `workers` of
//! them in flight. Renderers (Qt, a terminal, tests) draw [`PrimesEvent`]s and never see a task.
//!
//! # Cancellation
//! Dropping the future of [`count_primes`] cancels the count: no new segment starts, the
//! segments in flight are aborted at once, and the count's [`CancelToken`] is set, which each
//! segment's worker looks at between windows of 2¹⁹ numbers: the workers are idle again within
//! one window, about a millisecond in a debug build where a whole segment takes ten
//! (`tests/tests/primes_cancel.rs` prints it).

mod segment;

use crate::{CancelOnDrop, CancelToken, JoinHandle, TickClock, now, unblock};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::num::NonZeroUsize;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

/// The smallest limit: the count of primes up to 2 is 1.
pub const MIN_LIMIT: u64 = 2;
/// The largest limit: 10¹¹ (4,118,054,813 primes; minutes of work on two cores).
pub const MAX_LIMIT: u64 = 100_000_000_000;
/// The limit the demos count to unless told otherwise: 10⁹.
pub const DEFAULT_LIMIT: u64 = 1_000_000_000;
/// The most worker threads one count uses.
pub const MAX_WORKERS: usize = 256;
/// How often the view hears of progress, at most: once per tick of this clock.
pub const DEFAULT_PROGRESS_TICK: Duration = Duration::from_millis(50);
/// How many numbers one segment (one worker job) counts: a few tens of milliseconds of work,
/// so that a cancelled count leaves its workers within about that.
pub const SEGMENT_LEN: u64 = 1 << 24;

/// What is wrong with a primes count's settings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrimesConfigError {
    /// The limit is outside [`MIN_LIMIT`]`..=`[`MAX_LIMIT`].
    #[error("the limit must be between {MIN_LIMIT} and {MAX_LIMIT}, got {0}")]
    Limit(u64),
    /// The limit is not a whole number.
    #[error("{0:?} is not a limit: write a whole number between {MIN_LIMIT} and {MAX_LIMIT}")]
    NotANumber(String),
    /// The number of workers is outside `1..=`[`MAX_WORKERS`].
    #[error("the number of workers must be between 1 and {MAX_WORKERS}, got {0}")]
    Workers(usize),
    /// The progress tick is zero.
    #[error("the progress tick must be longer than zero")]
    ProgressTick,
}

/// What to count and how: the limit, the number of workers, how often to report progress.
///
/// ```
/// use guestloop::primes::{PrimesConfig, parse_limit};
///
/// let config = PrimesConfig::new(parse_limit("1_000_000")?)?.with_workers(2)?;
/// assert_eq!((config.limit(), config.workers()), (1_000_000, 2));
/// assert!(PrimesConfig::new(1).is_err());
/// assert!(parse_limit("-5").is_err());
/// # Ok::<(), guestloop::primes::PrimesConfigError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrimesConfig {
    limit: u64,
    workers: usize,
    progress_tick: Duration,
}

impl PrimesConfig {
    /// Counting the primes up to `limit`, on as many workers as the machine has cores, with
    /// progress every [`DEFAULT_PROGRESS_TICK`] at most.
    ///
    /// # Errors
    /// [`PrimesConfigError::Limit`] outside [`MIN_LIMIT`]`..=`[`MAX_LIMIT`].
    pub fn new(limit: u64) -> Result<PrimesConfig, PrimesConfigError> {
        if !(MIN_LIMIT..=MAX_LIMIT).contains(&limit) {
            return Err(PrimesConfigError::Limit(limit));
        }
        let cores = std::thread::available_parallelism().map_or(1, NonZeroUsize::get);
        Ok(PrimesConfig {
            limit,
            workers: cores.min(MAX_WORKERS),
            progress_tick: DEFAULT_PROGRESS_TICK,
        })
    }

    /// At most `workers` segments in flight at once.
    ///
    /// # Errors
    /// [`PrimesConfigError::Workers`] outside `1..=`[`MAX_WORKERS`].
    pub fn with_workers(mut self, workers: usize) -> Result<PrimesConfig, PrimesConfigError> {
        if !(1..=MAX_WORKERS).contains(&workers) {
            return Err(PrimesConfigError::Workers(workers));
        }
        self.workers = workers;
        Ok(self)
    }

    /// Progress at most once per `tick` of the guest clock.
    ///
    /// # Errors
    /// [`PrimesConfigError::ProgressTick`] for a zero tick.
    pub fn with_progress_tick(mut self, tick: Duration) -> Result<PrimesConfig, PrimesConfigError> {
        if tick.is_zero() || tick.as_nanos() > u128::from(u64::MAX) {
            return Err(PrimesConfigError::ProgressTick);
        }
        self.progress_tick = tick;
        Ok(self)
    }

    /// The primes counted are those up to this.
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// Segments in flight at most.
    pub fn workers(&self) -> usize {
        self.workers
    }

    /// The progress tick.
    pub fn progress_tick(&self) -> Duration {
        self.progress_tick
    }

    /// How many segments `[2, limit]` is split into.
    pub fn segments(&self) -> u64 {
        (self.limit - 1).div_ceil(SEGMENT_LEN)
    }

    /// The numbers `[low, high)` of segment `index`.
    fn segment(&self, index: u64) -> (u64, u64) {
        let low = MIN_LIMIT + index * SEGMENT_LEN;
        (low, (low + SEGMENT_LEN).min(self.limit + 1))
    }
}

/// Reads a limit as given on a command line: a whole number, `_` allowed between digits, in
/// [`MIN_LIMIT`]`..=`[`MAX_LIMIT`].
///
/// # Errors
/// [`PrimesConfigError::NotANumber`] or [`PrimesConfigError::Limit`], which say what was wrong.
pub fn parse_limit(text: &str) -> Result<u64, PrimesConfigError> {
    let digits: String = text.trim().chars().filter(|&c| c != '_').collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) || text.contains("__") {
        return Err(PrimesConfigError::NotANumber(text.to_owned()));
    }
    let limit = digits.parse::<u64>().unwrap_or(u64::MAX); // all digits: only too big can fail
    PrimesConfig::new(limit).map(|config| config.limit)
}

/// Something that happened in a count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrimesEvent {
    /// How far the count is. The first comes at once; then at most one per progress tick.
    Progress {
        /// Segments counted.
        segments_done: u64,
        /// Segments in all.
        segments_total: u64,
        /// Primes in the segments counted.
        primes_so_far: u64,
        /// Guest time since the count started.
        elapsed: Duration,
    },
    /// The count is final. The last event of a count.
    Done {
        /// The primes up to the limit.
        count: u64,
        /// Guest time the count took.
        elapsed: Duration,
    },
}

/// Where a count reports what happens: a renderer, a recorder.
///
/// Closures taking `&PrimesEvent` are views, and so is `Rc<RefCell<V>>`.
pub trait PrimesView {
    /// Called on the host thread, from the count's task.
    fn show(&mut self, event: &PrimesEvent);
}

impl<F: FnMut(&PrimesEvent)> PrimesView for F {
    fn show(&mut self, event: &PrimesEvent) {
        self(event);
    }
}

impl<V: PrimesView> PrimesView for Rc<RefCell<V>> {
    fn show(&mut self, event: &PrimesEvent) {
        self.borrow_mut().show(event);
    }
}

/// Segments in flight, in the order they started; aborted, and their workers told to stop, if
/// the count is dropped.
struct InFlight {
    segments: VecDeque<JoinHandle<Option<u64>>>,
    stop: CancelToken,
    _stop_on_drop: CancelOnDrop,
}

impl InFlight {
    fn new() -> InFlight {
        let stop = CancelToken::new();
        InFlight {
            segments: VecDeque::new(),
            _stop_on_drop: stop.clone().cancel_on_drop(),
            stop,
        }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        for segment in &self.segments {
            segment.abort();
        }
    }
}

/// Counts the primes up to `config.limit()` on worker threads, telling `view` how it goes, and
/// returns the count. The host's thread only starts segments and adds up their counts.
///
/// ```
/// use guestloop::primes::{PrimesConfig, PrimesEvent, count_primes};
/// use guestloop::testing::TestHost;
/// use std::time::Duration;
///
/// let mut host = TestHost::default();
/// host.set_patience(Duration::from_secs(30)); // the workers' wakes come from other threads
/// let config = PrimesConfig::new(1_000_000)?;
/// let events = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
/// let log = events.clone();
/// let count = host.block_on(count_primes(config, move |event: &PrimesEvent| {
///     log.borrow_mut().push(*event);
/// }));
/// assert_eq!(count, 78_498);
/// assert!(matches!(events.borrow().last(), Some(PrimesEvent::Done { count: 78_498, .. })));
/// # Ok::<(), guestloop::primes::PrimesConfigError>(())
/// ```
///
/// # Panics
/// Outside a task running on a guestloop executor.
pub async fn count_primes(config: PrimesConfig, mut view: impl PrimesView + 'static) -> u64 {
    let clock = TickClock::starting_now(config.progress_tick);
    let total = config.segments();
    view.show(&PrimesEvent::Progress {
        segments_done: 0,
        segments_total: total,
        primes_so_far: 0,
        elapsed: Duration::ZERO,
    });
    // Made first: a count dropped while the base primes are sieved stops that worker too.
    let mut in_flight = InFlight::new();
    let (limit, stop) = (config.limit, in_flight.stop.clone());
    let base = match unblock(move || segment::base_primes(limit, &stop)).await {
        Ok(Some(base)) => Arc::new(base),
        Ok(None) => unreachable!("the token is set only once this count is dropped"),
        Err(error) => panic!("computing the base primes failed: {error}"),
    };
    let (mut started, mut done, mut primes) = (0, 0, 0);
    let mut reported_tick = 0;
    while done < total {
        while in_flight.segments.len() < config.workers && started < total {
            let (low, high) = config.segment(started);
            let (base, stop) = (base.clone(), in_flight.stop.clone());
            let job = unblock(move || segment::count_primes_in(low, high, &base, &stop));
            in_flight.segments.push_back(job);
            started += 1;
        }
        let oldest = in_flight
            .segments
            .front_mut()
            .expect("a segment is in flight");
        primes += match oldest.await {
            Ok(Some(count)) => count,
            Ok(None) => unreachable!("the token is set only once this count is dropped"),
            Err(error) => panic!("counting a segment failed: {error}"),
        };
        in_flight.segments.pop_front();
        done += 1;
        let tick = clock.current_tick();
        if tick > reported_tick && done < total {
            reported_tick = tick;
            view.show(&PrimesEvent::Progress {
                segments_done: done,
                segments_total: total,
                primes_so_far: primes,
                elapsed: clock.elapsed(),
            });
        }
    }
    view.show(&PrimesEvent::Done {
        count: primes,
        elapsed: now() - clock.origin(),
    });
    primes
}
