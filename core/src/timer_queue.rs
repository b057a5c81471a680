//! The executor's own timer queue: every pending sleep of one executor, by deadline.
//!
//! Owns ordering of timers, and nothing else: what a timer wakes (`W`) is the caller's business.
//! The host only ever sees the earliest deadline (its one timer). Timers sharing a deadline share a
//! bucket and fire in the order they were armed. The bucket of the latest deadline is kept out of
//! the map: a tick clock arms every waiting task for the same, newest instant, so arming is a push
//! and firing a take, with no map operation at all.

use crate::Instant;
use std::collections::BTreeMap;

/// The most timers one instant can hold: slot numbers above it are free for a `Sleep`'s own use.
pub(crate) const MAX_SLOTS: u32 = u32::MAX - 1;

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

struct Bucket<W> {
    /// In arming order; `None` for a cancelled timer (its slot keeps the others' keys valid).
    wakeups: Vec<Option<W>>,
    live: usize,
    /// Once the bucket was compacted, the slot of each entry of `wakeups` (ascending): a key's
    /// slot then no longer is its index. `None` while every slot is its index.
    slots: Option<Vec<u32>>,
}

/// Compacting a bucket pays off once it is at least this long and half of it is cancelled.
const COMPACT_AT: usize = 64;

impl<W> Bucket<W> {
    fn new(wakeups: Vec<Option<W>>) -> Bucket<W> {
        Bucket {
            wakeups,
            live: 0,
            slots: None,
        }
    }

    /// The slot the next timer armed here gets.
    fn next_slot(&self) -> u32 {
        let next = match &self.slots {
            None => self.wakeups.len(),
            Some(slots) => slots.last().map_or(0, |&last| last as usize + 1),
        };
        u32::try_from(next)
            .ok()
            .filter(|&slot| slot < MAX_SLOTS)
            .expect("more than 2^32 - 2 timers at one instant")
    }

    /// Where the timer in `slot` is in `wakeups`.
    fn index_of(&self, slot: u32) -> Option<usize> {
        match &self.slots {
            None => Some(slot as usize).filter(|&index| index < self.wakeups.len()),
            Some(slots) => slots.binary_search(&slot).ok(),
        }
    }

    /// After a cancel: drops the cancelled timers at the end (their slots are free again: no key
    /// names them), and compacts the bucket once most of it is cancelled, so that a task that
    /// arms and cancels a timer at one instant again and again (a `select` of a message and a
    /// tick, in a loop) keeps neither memory nor work at the tick.
    fn tidy(&mut self) {
        while let Some(None) = self.wakeups.last() {
            self.wakeups.pop();
            if let Some(slots) = &mut self.slots {
                slots.pop();
            }
        }
        let len = self.wakeups.len();
        if len >= COMPACT_AT && len > 2 * self.live {
            let mut slots = self
                .slots
                .take()
                .unwrap_or_else(|| (0..len as u32).collect());
            let mut kept = 0;
            for index in 0..len {
                if self.wakeups[index].is_some() {
                    self.wakeups.swap(kept, index);
                    slots[kept] = slots[index];
                    kept += 1;
                }
            }
            self.wakeups.truncate(kept);
            slots.truncate(kept);
            self.slots = Some(slots);
        }
    }
}

/// Pending timers by deadline, then by arming order; each wakes a `W` when it fires.
///
/// A timer's [`TimerKey`] stays valid until it fires or is cancelled: a bucket is removed only
/// when it fires or when its last live timer is cancelled.
pub(crate) struct TimerQueue<W> {
    /// Every bucket but the latest.
    earlier: BTreeMap<Instant, Bucket<W>>,
    /// The bucket with the latest deadline: `None` only when `earlier` is empty too.
    latest: Option<(Instant, Bucket<W>)>,
    live: usize,
    /// Emptied vectors kept for reuse: a ticking program would otherwise allocate one per tick.
    spare: Vec<Vec<Option<W>>>,
}

impl<W> Default for TimerQueue<W> {
    fn default() -> Self {
        TimerQueue {
            earlier: BTreeMap::new(),
            latest: None,
            live: 0,
            spare: Vec::new(),
        }
    }
}

impl<W> TimerQueue<W> {
    #[inline]
    pub(crate) fn insert(&mut self, deadline: Instant, wakeup: W) -> TimerKey {
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

    /// Inserts `wakeup` if `deadline` is the latest bucket's and the bucket has room (no call,
    /// no allocation); `None` otherwise, and then nothing was inserted.
    #[inline]
    pub(crate) fn try_insert_latest(&mut self, deadline: Instant, wakeup: W) -> Option<u32> {
        if self.latest.is_none() {
            // No timer at all (a tick's bucket was just taken to fire): a spare vector, if one
            // has room, becomes the latest bucket.
            if self.spare.last().is_none_or(|spare| spare.capacity() == 0) {
                return None;
            }
            let wakeups = self.spare.pop().unwrap_or_default();
            self.latest = Some((deadline, Bucket::new(wakeups)));
        }
        match &mut self.latest {
            Some((at, bucket))
                if *at == deadline
                    && bucket.wakeups.len() < bucket.wakeups.capacity()
                    && bucket.slots.is_none() =>
            {
                let slot = u32::try_from(bucket.wakeups.len())
                    .ok()
                    .filter(|&slot| slot < MAX_SLOTS)?;
                bucket.wakeups.push(Some(wakeup));
                bucket.live += 1;
                self.live += 1;
                Some(slot)
            }
            _ => None,
        }
    }

    #[inline(never)]
    fn insert_elsewhere(&mut self, deadline: Instant, wakeup: W) -> TimerKey {
        let slot = Self::push(self.bucket_for(deadline), wakeup);
        self.live += 1;
        TimerKey { deadline, slot }
    }

    /// Adds `wakeup` to `bucket`; returns its place there.
    #[inline]
    fn push(bucket: &mut Bucket<W>, wakeup: W) -> u32 {
        let slot = bucket.next_slot();
        bucket.wakeups.push(Some(wakeup));
        if let Some(slots) = &mut bucket.slots {
            slots.push(slot);
        }
        bucket.live += 1;
        slot
    }

    fn bucket_for(&mut self, deadline: Instant) -> &mut Bucket<W> {
        let latest = self.latest.as_ref().map(|(at, _)| *at);
        if latest.is_none_or(|latest| deadline > latest) {
            let wakeups = self.spare.pop().unwrap_or_default();
            if let Some((at, bucket)) = self.latest.replace((deadline, Bucket::new(wakeups))) {
                self.earlier.insert(at, bucket);
            }
        }
        match &mut self.latest {
            Some((at, bucket)) if *at == deadline => bucket,
            _ => {
                let spare = &mut self.spare;
                self.earlier
                    .entry(deadline)
                    .or_insert_with(|| Bucket::new(spare.pop().unwrap_or_default()))
            }
        }
    }

    fn bucket(&mut self, deadline: Instant) -> Option<&mut Bucket<W>> {
        match &mut self.latest {
            Some((at, bucket)) if *at == deadline => Some(bucket),
            _ => self.earlier.get_mut(&deadline),
        }
    }

    /// The wakeup of a pending timer, to point it elsewhere (a task polled by another waker).
    pub(crate) fn wakeup_mut(&mut self, key: TimerKey) -> Option<&mut W> {
        let bucket = self.bucket(key.deadline)?;
        let index = bucket.index_of(key.slot)?;
        bucket.wakeups[index].as_mut()
    }

    /// Removes a pending timer; returns its wakeup so the caller drops it outside any borrow.
    pub(crate) fn cancel(&mut self, key: TimerKey) -> Option<W> {
        let bucket = self.bucket(key.deadline)?;
        let index = bucket.index_of(key.slot)?;
        let wakeup = bucket.wakeups[index].take()?;
        bucket.live -= 1;
        let emptied = bucket.live == 0;
        if !emptied {
            bucket.tidy();
        }
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

    /// Removes the earliest bucket: its wakeups in arming order, `None` for cancelled ones.
    pub(crate) fn pop_earliest(&mut self) -> Option<(Instant, Vec<Option<W>>)> {
        let (deadline, bucket) = match self.earlier.pop_first() {
            Some(first) => first,
            None => self.latest.take()?,
        };
        self.live -= bucket.live;
        Some((deadline, bucket.wakeups))
    }

    /// Gives back a vector from [`pop_earliest`](Self::pop_earliest) once its wakeups are used.
    pub(crate) fn recycle(&mut self, mut wakeups: Vec<Option<W>>) {
        if self.spare.len() < 8 {
            wakeups.clear();
            self.spare.push(wakeups);
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.live
    }

    /// Takes every pending timer out, for shutdown.
    pub(crate) fn take_all(&mut self) -> Vec<W> {
        self.live = 0;
        let latest = self.latest.take().map(|(_, bucket)| bucket);
        std::mem::take(&mut self.earlier)
            .into_values()
            .chain(latest)
            .flat_map(|bucket| bucket.wakeups.into_iter().flatten())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fires every timer in order; returns the deadlines and, in firing order, the live tags.
    fn fire_all(queue: &mut TimerQueue<usize>) -> (Vec<Instant>, Vec<usize>) {
        let (mut deadlines, mut fired) = (Vec::new(), Vec::new());
        while let Some((deadline, wakeups)) = queue.pop_earliest() {
            deadlines.push(deadline);
            fired.extend(wakeups.into_iter().flatten());
        }
        (deadlines, fired)
    }

    const fn t(nanos: u64) -> Instant {
        Instant::from_nanos(nanos)
    }

    #[test]
    fn fires_by_deadline_then_arming_order_and_skips_cancelled() {
        let mut queue = TimerQueue::default();
        queue.insert(t(20), 1);
        let cancelled = queue.insert(t(10), 2);
        queue.insert(t(10), 3);
        queue.insert(t(30), 5);
        queue.insert(t(20), 4);
        queue.insert(t(5), 6);
        assert_eq!(queue.len(), 6);
        assert_eq!(queue.earliest(), Some(t(5)));
        assert_eq!(queue.cancel(cancelled), Some(2));
        assert_eq!(queue.cancel(cancelled), None, "cancelling twice is a no-op");
        assert_eq!(queue.wakeup_mut(cancelled), None);
        assert_eq!(
            fire_all(&mut queue),
            (vec![t(5), t(10), t(20), t(30)], vec![6, 3, 1, 4, 5])
        );
        assert_eq!(queue.len(), 0);
    }

    #[test]
    fn cancelling_the_latest_bucket_keeps_the_order_of_the_rest() {
        let mut queue = TimerQueue::default();
        queue.insert(t(30), 1);
        let far = queue.insert(t(3600), 2);
        queue.cancel(far); // empties the latest bucket while an earlier one remains
        queue.insert(t(2), 3);
        queue.insert(t(3), 4);
        assert_eq!(queue.earliest(), Some(t(2)));
        assert_eq!(fire_all(&mut queue).0, [t(2), t(3), t(30)]);
    }

    #[test]
    fn a_bucket_whose_timers_are_all_cancelled_disappears() {
        let mut queue = TimerQueue::default();
        let early = queue.insert(t(5), 1);
        let late = queue.insert(t(9), 2);
        queue.cancel(late);
        assert_eq!(queue.earliest(), Some(t(5)));
        queue.cancel(early);
        assert_eq!(queue.earliest(), None);
        assert_eq!(fire_all(&mut queue), (vec![], vec![]));
    }

    #[test]
    fn the_allocation_free_insert_takes_only_the_latest_deadline_with_room_and_agrees_with_insert()
    {
        let mut queue = TimerQueue::default();
        let no_spare = queue.try_insert_latest(t(10), 1);
        assert_eq!(
            no_spare, None,
            "an empty queue with no spare vector has no room"
        );
        assert_eq!(queue.len(), 0);
        let first = queue.insert(t(10), 1);
        let (_, fired) = queue.pop_earliest().expect("one bucket");
        queue.recycle(fired);
        // The spare becomes the bucket, and takes timers until its room runs out.
        let room = queue.spare.last().expect("recycled").capacity();
        assert!(room >= 1);
        for tag in 0..room {
            assert_eq!(queue.try_insert_latest(t(20), tag), Some(tag as u32));
        }
        let full = queue.try_insert_latest(t(20), room);
        assert_eq!(full, None, "the bucket is full");
        let next = queue.insert(t(20), room).slot();
        assert_eq!(
            next, room as u32,
            "the allocating insert goes on from there"
        );
        let earlier = queue.try_insert_latest(t(15), 90);
        assert_eq!(earlier, None, "not the latest deadline");
        let later = queue.try_insert_latest(t(30), 91);
        assert_eq!(later, None, "a later deadline needs a new bucket");
        assert_eq!((queue.len(), queue.earliest()), (room + 1, Some(t(20))));
        assert_eq!(first.slot(), 0);
        let tags: Vec<usize> = (0..=room).collect();
        assert_eq!(fire_all(&mut queue), (vec![t(20)], tags));
    }

    #[test]
    fn a_key_stays_valid_while_its_bucket_lives_and_points_at_its_own_timer() {
        let mut queue = TimerQueue::default();
        let first = queue.insert(t(7), 1);
        let second = queue.insert(t(7), 2);
        queue.cancel(first);
        *queue.wakeup_mut(second).expect("still pending") = 20;
        assert_eq!(fire_all(&mut queue), (vec![t(7)], vec![20]));
        assert_eq!(
            queue.wakeup_mut(second),
            None,
            "a fired timer's key finds nothing"
        );
    }

    /// How many entries the bucket of `deadline` holds, cancelled ones included.
    fn entries(queue: &mut TimerQueue<usize>, deadline: Instant) -> usize {
        queue
            .bucket(deadline)
            .map_or(0, |bucket| bucket.wakeups.len())
    }

    #[test]
    fn arming_and_cancelling_again_and_again_keeps_no_dead_entries_and_every_key_valid() {
        let mut queue = TimerQueue::default();
        let first = queue.insert(t(10), 0); // another task waits on the same instant
        // One task re-arms at the end of the bucket and cancels (a `select` loop): the cancelled
        // entry is the last, and goes at once.
        for _ in 0..100_000 {
            let key = queue.insert(t(10), 1);
            queue.cancel(key);
        }
        assert_eq!(entries(&mut queue, t(10)), 1);
        // Two tasks doing so in turn leave dead entries behind each other's live one: the bucket
        // is compacted instead, and the keys of the timers it keeps still find them.
        let mut a = queue.insert(t(10), 2);
        let mut b = queue.insert(t(10), 3);
        for round in 0..100_000 {
            if round % 2 == 0 {
                queue.cancel(a);
                a = queue.insert(t(10), 2);
            } else {
                queue.cancel(b);
                b = queue.insert(t(10), 3);
            }
            assert!(
                entries(&mut queue, t(10)) <= 2 * COMPACT_AT,
                "round {round}"
            );
        }
        assert_eq!(queue.len(), 3);
        *queue.wakeup_mut(b).expect("b is pending") = 30;
        *queue.wakeup_mut(first).expect("the first timer is pending") = 10;
        let later = queue.insert(t(10), 4);
        assert_eq!(queue.cancel(a), Some(2), "a's key finds a");
        let a = queue.insert(t(10), 20);
        assert!(queue.wakeup_mut(later).is_some());
        // Fired in arming order: the first, then b's, later, a's newest.
        let (deadlines, fired) = fire_all(&mut queue);
        assert_eq!(deadlines, [t(10)]);
        let order = |key: TimerKey| key.slot();
        assert!(order(b) < order(later) && order(later) < order(a));
        assert_eq!(fired, [10, 30, 4, 20]);
    }
}
