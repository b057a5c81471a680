//! [`WakerSlab`]: wakers stored by a small integer key, for the executor's timers armed with a
//! waker other than their task's own, and for the waiters of a [`CancelToken`](crate::CancelToken).
//!
//! Owns those wakers, out of line, so that a timer bucket holds plain data (a task id, or a key
//! here) and emptying one costs nothing per timer. Most timers never need it: a task's own waker is
//! stored as the task's id.

use std::task::Waker;

/// Wakers by key; freed keys are reused.
#[derive(Default)]
pub(crate) struct WakerSlab {
    slots: Vec<Option<Waker>>,
    free: Vec<u32>,
}

impl WakerSlab {
    /// Stores `waker`; returns its key.
    pub(crate) fn insert(&mut self, waker: Waker) -> u32 {
        match self.free.pop() {
            Some(key) => {
                self.slots[key as usize] = Some(waker);
                key
            }
            None => {
                self.slots.push(Some(waker));
                // Below `u32::MAX`, as a packed `Wakeup` needs.
                u32::try_from(self.slots.len() - 1)
                    .ok()
                    .filter(|&key| key != u32::MAX)
                    .expect("more than 2^32 - 1 foreign wakers")
            }
        }
    }

    /// The waker under `key`.
    pub(crate) fn get_mut(&mut self, key: u32) -> &mut Waker {
        self.slots[key as usize]
            .as_mut()
            .expect("a waker key is live")
    }

    /// The waker under `key`.
    pub(crate) fn get(&self, key: u32) -> &Waker {
        self.slots[key as usize]
            .as_ref()
            .expect("a waker key is live")
    }

    /// Gives the slab's memory back if it holds no waker.
    pub(crate) fn shrink_if_empty(&mut self) {
        if self.free.len() == self.slots.len() {
            *self = WakerSlab::default();
        }
    }

    /// Takes the waker under `key` out, freeing the key.
    pub(crate) fn remove(&mut self, key: u32) -> Waker {
        let waker = self.slots[key as usize]
            .take()
            .expect("a waker key is live");
        self.free.push(key);
        waker
    }

    /// Room for how many wakers the slab holds now.
    #[cfg(test)]
    pub(crate) fn capacity(&self) -> usize {
        self.slots.capacity()
    }

    /// Takes every waker out (shutdown).
    pub(crate) fn take_all(&mut self) -> Vec<Waker> {
        self.free.clear();
        std::mem::take(&mut self.slots)
            .into_iter()
            .flatten()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_reused_and_each_waker_comes_back_once() {
        let mut slab = WakerSlab::default();
        let a = slab.insert(Waker::noop().clone());
        let b = slab.insert(Waker::noop().clone());
        assert_ne!(a, b);
        slab.remove(a);
        assert_eq!(
            slab.insert(Waker::noop().clone()),
            a,
            "a freed key is reused"
        );
        *slab.get_mut(b) = Waker::noop().clone();
        assert_eq!(slab.take_all().len(), 2);
    }
}
