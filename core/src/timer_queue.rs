//! The executor's own timer queue: every pending sleep of one executor, by deadline.
//!
//! Owns ordering of timers. The host only ever sees the earliest deadline (its one timer).
//! Timers sharing a deadline share a bucket and fire in the order they were armed. The bucket of
//! the latest deadline is kept out of the map: a tick clock arms every waiting task for the same,
//! newest instant, so arming is a push and firing a take, with no map operation at all.

use crate::Instant;
use crate::task::TaskId;
use std::collections::BTreeMap;
use std::task::Waker;

/// Where a pending timer sits: its deadline's bucket and its place in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TimerKey {
    deadline: Instant,
    slot: u32,
}

impl TimerKey {
    pub(crate) fn new(deadline: Instant, slot: u32) -> TimerKey {
        TimerKey { deadline, slot }
    }

    pub(crate) fn slot(self) -> u32 {
        self.slot
    }
}

/// What to wake when a timer fires.
#[derive(Debug)]
pub(crate) enum Wakeup {
    /// A task of this executor, armed while it was being polled: no waker to clone or drop.
    Task(TaskId),
    /// Anything else (a combinator's own waker, say).
    Waker(Waker),
    /// A cancelled timer.
    Cancelled,
}

#[derive(Default)]
struct Bucket {
    /// In arming order.
    wakeups: Vec<Wakeup>,
    live: usize,
}

/// Pending timers by deadline, then by arming order.
#[derive(Default)]
pub(crate) struct TimerQueue {
    /// Every bucket but the latest.
    earlier: BTreeMap<Instant, Bucket>,
    /// The bucket with the latest deadline: `None` only when `earlier` is empty too.
    latest: Option<(Instant, Bucket)>,
    live: usize,
    /// Emptied vectors kept for reuse: a ticking program would otherwise allocate one per tick.
    spare: Vec<Vec<Wakeup>>,
}

impl TimerQueue {
    #[inline]
    pub(crate) fn insert(&mut self, deadline: Instant, wakeup: Wakeup) -> TimerKey {
        // The common case, inline: every task of a tick clock waits for the same, latest tick.
        match &mut self.latest {
            Some((at, bucket)) if *at == deadline => {
                let slot = Self::push(bucket, wakeup);
                self.live += 1;
                TimerKey { deadline, slot }
            }
            _ => self.insert_elsewhere(deadline, wakeup),
        }
    }

    #[inline(never)]
    fn insert_elsewhere(&mut self, deadline: Instant, wakeup: Wakeup) -> TimerKey {
        let slot = Self::push(self.bucket_for(deadline), wakeup);
        self.live += 1;
        TimerKey { deadline, slot }
    }

    /// Adds `wakeup` to `bucket`; returns its place there.
    #[inline]
    fn push(bucket: &mut Bucket, wakeup: Wakeup) -> u32 {
        let slot = u32::try_from(bucket.wakeups.len())
            .ok()
            .filter(|&slot| slot != u32::MAX)
            .expect("more than 2^32 - 1 timers at one instant");
        bucket.wakeups.push(wakeup);
        bucket.live += 1;
        slot
    }

    fn bucket_for(&mut self, deadline: Instant) -> &mut Bucket {
        let latest = self.latest.as_ref().map(|(at, _)| *at);
        if latest.is_none_or(|latest| deadline > latest) {
            let wakeups = self.spare.pop().unwrap_or_default();
            if let Some((at, bucket)) = self.latest.replace((deadline, Bucket { wakeups, live: 0 }))
            {
                self.earlier.insert(at, bucket);
            }
        }
        match &mut self.latest {
            Some((at, bucket)) if *at == deadline => bucket,
            _ => {
                let spare = &mut self.spare;
                self.earlier.entry(deadline).or_insert_with(|| Bucket {
                    wakeups: spare.pop().unwrap_or_default(),
                    live: 0,
                })
            }
        }
    }

    fn bucket(&mut self, deadline: Instant) -> Option<&mut Bucket> {
        match &mut self.latest {
            Some((at, bucket)) if *at == deadline => Some(bucket),
            _ => self.earlier.get_mut(&deadline),
        }
    }

    /// The wakeup of a pending timer, to point it elsewhere (a task polled by another waker).
    pub(crate) fn wakeup_mut(&mut self, key: TimerKey) -> Option<&mut Wakeup> {
        let wakeup = self
            .bucket(key.deadline)?
            .wakeups
            .get_mut(key.slot as usize)?;
        (!matches!(wakeup, Wakeup::Cancelled)).then_some(wakeup)
    }

    /// Removes a pending timer; returns its wakeup so the caller drops it outside any borrow.
    pub(crate) fn cancel(&mut self, key: TimerKey) -> Option<Wakeup> {
        let bucket = self.bucket(key.deadline)?;
        let slot = bucket.wakeups.get_mut(key.slot as usize)?;
        if matches!(slot, Wakeup::Cancelled) {
            return None;
        }
        let wakeup = std::mem::replace(slot, Wakeup::Cancelled);
        bucket.live -= 1;
        let emptied = bucket.live == 0;
        self.live -= 1;
        if emptied {
            let wakeups = match &self.latest {
                Some((at, _)) if *at == key.deadline => {
                    // The greatest earlier bucket is the latest now.
                    let emptied = std::mem::replace(&mut self.latest, self.earlier.pop_last());
                    emptied.map(|(_, bucket)| bucket.wakeups)
                }
                _ => self.earlier.remove(&key.deadline).map(|b| b.wakeups),
            };
            if let Some(wakeups) = wakeups {
                self.recycle(wakeups);
            }
        }
        Some(wakeup)
    }

    pub(crate) fn earliest(&self) -> Option<Instant> {
        let earlier = self.earlier.first_key_value().map(|(at, _)| *at);
        earlier.or(self.latest.as_ref().map(|(at, _)| *at))
    }

    /// Removes the earliest bucket: its wakeups in arming order, cancelled ones included.
    pub(crate) fn pop_earliest(&mut self) -> Option<(Instant, Vec<Wakeup>)> {
        let (deadline, bucket) = match self.earlier.pop_first() {
            Some(first) => first,
            None => self.latest.take()?,
        };
        self.live -= bucket.live;
        Some((deadline, bucket.wakeups))
    }

    /// Gives back a vector from [`pop_earliest`](Self::pop_earliest) once its wakeups are used.
    pub(crate) fn recycle(&mut self, mut wakeups: Vec<Wakeup>) {
        if self.spare.len() < 8 {
            wakeups.clear();
            self.spare.push(wakeups);
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.live
    }

    /// Takes every pending timer out, for shutdown.
    pub(crate) fn take_all(&mut self) -> Vec<Wakeup> {
        self.live = 0;
        let latest = self.latest.take().map(|(_, bucket)| bucket);
        std::mem::take(&mut self.earlier)
            .into_values()
            .chain(latest)
            .flat_map(|bucket| bucket.wakeups)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::task::Wake;

    struct Tagged(usize, Arc<std::sync::Mutex<Vec<usize>>>);
    impl Wake for Tagged {
        fn wake(self: Arc<Self>) {
            self.1.lock().unwrap().push(self.0);
        }
    }

    fn fire_all(queue: &mut TimerQueue) -> Vec<Instant> {
        let mut deadlines = Vec::new();
        while let Some((deadline, wakeups)) = queue.pop_earliest() {
            deadlines.push(deadline);
            for wakeup in wakeups {
                if let Wakeup::Waker(waker) = wakeup {
                    waker.wake();
                }
            }
        }
        deadlines
    }

    #[test]
    fn fires_by_deadline_then_arming_order_and_skips_cancelled() {
        let log = Arc::new(std::sync::Mutex::new(Vec::new()));
        let waker = |tag| Wakeup::Waker(Waker::from(Arc::new(Tagged(tag, log.clone()))));
        let mut queue = TimerQueue::default();
        let t = Instant::from_nanos;
        queue.insert(t(20), waker(1));
        let cancelled = queue.insert(t(10), waker(2));
        queue.insert(t(10), waker(3));
        queue.insert(t(30), waker(5));
        queue.insert(t(20), waker(4));
        queue.insert(t(5), waker(6));
        assert_eq!(queue.len(), 6);
        assert_eq!(queue.earliest(), Some(t(5)));
        assert!(queue.cancel(cancelled).is_some());
        assert!(
            queue.cancel(cancelled).is_none(),
            "cancelling twice is a no-op"
        );
        assert_eq!(fire_all(&mut queue), [t(5), t(10), t(20), t(30)]);
        assert_eq!(*log.lock().unwrap(), [6, 3, 1, 4, 5]);
        assert_eq!(queue.len(), 0);
    }

    #[test]
    fn cancelling_the_latest_bucket_keeps_the_order_of_the_rest() {
        let mut queue = TimerQueue::default();
        let t = Instant::from_nanos;
        let task = |n| Wakeup::Task(TaskId::for_tests(n));
        queue.insert(t(30), task(1));
        let far = queue.insert(t(3600), task(2));
        queue.cancel(far); // empties the latest bucket while an earlier one remains
        queue.insert(t(2), task(3));
        queue.insert(t(3), task(4));
        assert_eq!(queue.earliest(), Some(t(2)));
        assert_eq!(fire_all(&mut queue), [t(2), t(3), t(30)]);
    }

    #[test]
    fn a_bucket_whose_timers_are_all_cancelled_disappears() {
        let mut queue = TimerQueue::default();
        let t = Instant::from_nanos;
        let early = queue.insert(t(5), Wakeup::Task(TaskId::for_tests(1)));
        let late = queue.insert(t(9), Wakeup::Task(TaskId::for_tests(2)));
        queue.cancel(late);
        assert_eq!(queue.earliest(), Some(t(5)));
        queue.cancel(early);
        assert_eq!(queue.earliest(), None);
        assert_eq!(fire_all(&mut queue), []);
    }
}
