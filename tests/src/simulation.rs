//! A plain synchronous simulation of the sieve: no executor, no futures, no timers.
//!
//! Owns the *independent* statement of the sieve's rules, written from the spec rather than from
//! `guestloop::sieve`, so the two can check each other: the trace and marks of every run must be
//! identical. It uses nothing of guestloop.
//!
//! Within one tick the order is the executor's documented order: the main task first (it was
//! the first to wait), then the markers in the order they were spawned, the one spawned in
//! this tick last.

use std::fmt::Write;

/// What a run of the sieve over `1..=numbers` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Simulation {
    /// Every mark: `(tick, number)`, in order.
    pub marks: Vec<(u64, u32)>,
    /// The tick at which the main task declared the sieve done.
    pub done_tick: u64,
}

impl Simulation {
    /// How many numbers were marked.
    pub fn marked(&self) -> u32 {
        self.marks.len() as u32
    }

    /// The run in the trace format of `guestloop::sieve`.
    pub fn trace(&self) -> String {
        let mut trace = String::new();
        let mut open_tick = None;
        for &(tick, number) in &self.marks {
            if open_tick != Some(tick) {
                if open_tick.is_some() {
                    trace.push('\n');
                }
                let _ = write!(trace, "tick {tick}:");
                open_tick = Some(tick);
            }
            let _ = write!(trace, " {number}");
        }
        if open_tick.is_some() {
            trace.push('\n');
        }
        let _ = writeln!(
            trace,
            "done: tick={} marked={}",
            self.done_tick,
            self.marked()
        );
        trace
    }
}

struct Marker {
    step: u32,
    next_multiple: u64,
}

/// Runs the sieve's rules over `1..=numbers`, tick by tick.
pub fn simulate(numbers: u32) -> Simulation {
    let last = u64::from(numbers);
    let mut marked = vec![false; numbers as usize + 1];
    let mut marks = Vec::new();
    // Active markers, in spawn order.
    let mut markers: Vec<Marker> = Vec::new();
    let mut base = 1u32;
    // Tick 0: the main task's loop condition, then (if it fails) its check at once.
    let mut spawning = 2 * u64::from(base) <= last;
    let mut tick = 0u64;
    loop {
        if !spawning && markers.is_empty() {
            return Simulation {
                marks,
                done_tick: tick,
            };
        }
        tick += 1;
        // The main task's turn comes first in every tick.
        if spawning {
            match (base + 1..=numbers).find(|&n| !marked[n as usize]) {
                Some(next) => {
                    base = next;
                    markers.push(Marker {
                        step: next,
                        next_multiple: 2 * u64::from(next),
                    });
                    spawning = 2 * u64::from(base) <= last;
                }
                None => spawning = false,
            }
            // Leaving the loop, it checks at once, before any marker's turn in this tick.
            if !spawning && markers.is_empty() {
                return Simulation {
                    marks,
                    done_tick: tick,
                };
            }
        }
        // Then every marker, in spawn order (the one spawned just now last). A marker that
        // finishes now is seen as inactive by the main task's check at the next tick.
        step_markers(&mut markers, &mut marked, &mut marks, tick, last);
        if !spawning && markers.is_empty() {
            return Simulation {
                marks,
                done_tick: tick + 1,
            };
        }
    }
}

/// Every marker's turn in one tick: a marker whose next multiple is past the end finishes (and
/// stops counting as active); the others mark it if unmarked and advance.
fn step_markers(
    markers: &mut Vec<Marker>,
    marked: &mut [bool],
    marks: &mut Vec<(u64, u32)>,
    tick: u64,
    last: u64,
) {
    markers.retain_mut(|marker| {
        if marker.next_multiple > last {
            return false;
        }
        let number = marker.next_multiple as usize;
        if !marked[number] {
            marked[number] = true;
            marks.push((tick, number as u32));
        }
        marker.next_multiple += u64::from(marker.step);
        true
    });
}

/// The composites of `4..=numbers`, by a plain sieve: what every finished run must have marked.
pub fn composites(numbers: u32) -> Vec<u32> {
    let mut composite = vec![false; numbers as usize + 1];
    let mut p = 2usize;
    while p * p <= numbers as usize {
        if !composite[p] {
            for multiple in (p * p..=numbers as usize).step_by(p) {
                composite[multiple] = true;
            }
        }
        p += 1;
    }
    (4..=numbers).filter(|&n| composite[n as usize]).collect()
}
