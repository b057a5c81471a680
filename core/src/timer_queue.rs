//! The executor's own timer queue: every pending sleep of one executor, by deadline.
//!
//! Owns ordering of timers. The host only ever sees the earliest deadline (its one timer).
//! Timers sharing a deadline share a bucket and fire in the order they were armed; a tick clock
//! puts every waiting task in one bucket, so arming is a short map lookup and a push.

use crate::Instant;
use std::collections::BTreeMap;
use std::task::Waker;

/// Where a pending timer sits: its deadline's bucket and its place in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TimerKey {
    deadline: Instant,
    slot: u32,
}

#[derive(Default)]
struct Bucket {
    /// In arming order; `None` where a timer was cancelled.
    wakers: Vec<Option<Waker>>,
    live: usize,
}

/// Pending timers by deadline, then by arming order.
#[derive(Default)]
pub(crate) struct TimerQueue {
    buckets: BTreeMap<Instant, Bucket>,
    live: usize,
    /// Emptied bucket vectors kept for reuse: a ticking program would otherwise allocate one per tick.
    spare: Vec<Vec<Option<Waker>>>,
}

impl TimerQueue {
    pub(crate) fn insert(&mut self, deadline: Instant, waker: &Waker) -> TimerKey {
        let spare = &mut self.spare;
        let bucket = self.buckets.entry(deadline).or_insert_with(|| Bucket {
            wakers: spare.pop().unwrap_or_default(),
            live: 0,
        });
        let slot =
            u32::try_from(bucket.wakers.len()).expect("more than 2^32 timers at one instant");
        bucket.wakers.push(Some(waker.clone()));
        bucket.live += 1;
        self.live += 1;
        TimerKey { deadline, slot }
    }

    /// Points a pending timer at a new waker (a task polled with a different waker than before).
    pub(crate) fn update(&mut self, key: TimerKey, waker: &Waker) {
        if let Some(Some(old)) = self
            .buckets
            .get_mut(&key.deadline)
            .and_then(|bucket| bucket.wakers.get_mut(key.slot as usize))
        {
            if !old.will_wake(waker) {
                *old = waker.clone();
            }
        }
    }

    /// Removes a pending timer; returns its waker so the caller drops it outside any borrow.
    pub(crate) fn cancel(&mut self, key: TimerKey) -> Option<Waker> {
        let bucket = self.buckets.get_mut(&key.deadline)?;
        let waker = bucket.wakers.get_mut(key.slot as usize)?.take()?;
        bucket.live -= 1;
        self.live -= 1;
        if bucket.live == 0 {
            let bucket = self
                .buckets
                .remove(&key.deadline)
                .expect("bucket just seen");
            self.recycle(bucket.wakers);
        }
        Some(waker)
    }

    pub(crate) fn earliest(&self) -> Option<Instant> {
        self.buckets
            .first_key_value()
            .map(|(deadline, _)| *deadline)
    }

    /// Removes the earliest bucket: its wakers in arming order, cancelled ones as `None`.
    pub(crate) fn pop_earliest(&mut self) -> Option<(Instant, Vec<Option<Waker>>)> {
        let (deadline, bucket) = self.buckets.pop_first()?;
        self.live -= bucket.live;
        Some((deadline, bucket.wakers))
    }

    /// Gives back a vector from [`pop_earliest`](Self::pop_earliest) once its wakers are used.
    pub(crate) fn recycle(&mut self, mut wakers: Vec<Option<Waker>>) {
        if self.spare.len() < 8 {
            wakers.clear();
            self.spare.push(wakers);
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.live
    }

    /// Takes every pending timer out, for shutdown.
    pub(crate) fn take_all(&mut self) -> Vec<Waker> {
        self.live = 0;
        std::mem::take(&mut self.buckets)
            .into_values()
            .flat_map(|bucket| bucket.wakers.into_iter().flatten())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::Wake;

    struct Tagged(usize, Arc<std::sync::Mutex<Vec<usize>>>);
    impl Wake for Tagged {
        fn wake(self: Arc<Self>) {
            self.1.lock().unwrap().push(self.0);
        }
    }

    #[test]
    fn fires_by_deadline_then_arming_order_and_skips_cancelled() {
        let log = Arc::new(std::sync::Mutex::new(Vec::new()));
        let waker = |tag| Waker::from(Arc::new(Tagged(tag, log.clone())));
        let mut queue = TimerQueue::default();
        let t = Instant::from_nanos;
        queue.insert(t(20), &waker(1));
        let cancelled = queue.insert(t(10), &waker(2));
        queue.insert(t(10), &waker(3));
        queue.insert(t(20), &waker(4));
        assert_eq!(queue.len(), 4);
        assert!(queue.cancel(cancelled).is_some());
        assert!(
            queue.cancel(cancelled).is_none(),
            "cancelling twice is a no-op"
        );
        while let Some((_, wakers)) = queue.pop_earliest() {
            wakers.into_iter().flatten().for_each(Waker::wake);
        }
        assert_eq!(*log.lock().unwrap(), [3, 1, 4]);
        assert_eq!(queue.len(), 0);
    }

    #[test]
    fn a_bucket_whose_timers_are_all_cancelled_disappears() {
        let count = Arc::new(AtomicUsize::new(0));
        struct Count(Arc<AtomicUsize>);
        impl Wake for Count {
            fn wake(self: Arc<Self>) {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }
        let waker = Waker::from(Arc::new(Count(count.clone())));
        let mut queue = TimerQueue::default();
        let key = queue.insert(Instant::from_nanos(5), &waker);
        queue.cancel(key);
        assert_eq!(queue.earliest(), None);
        assert_eq!(count.load(Ordering::SeqCst), 0);
    }
}
