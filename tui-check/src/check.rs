//! `--check`: the sieve run to completion on the terminal host at full speed, compared with a
//! plain sieve of Eratosthenes.
//!
//! Owns the check and its one-line [`Verdict`]. It draws nothing and needs no terminal: the loop
//! runs on a fast-forward clock.

use crate::clock::Pace;
use crate::term_loop;
use guestloop::sieve::{SieveConfig, SieveEvent};
use guestloop_demo_cli::run_traced_sieve;
use std::cell::RefCell;
use std::fmt;
use std::io::{self, Write};
use std::rc::Rc;

/// What the check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// Grid rows.
    pub rows: u32,
    /// Grid columns.
    pub cols: u32,
    /// How many numbers the run marked.
    pub marked: u32,
    /// The tick at which the run declared the sieve done.
    pub done_tick: u64,
    /// Numbers whose mark differs from the plain sieve's (marked primes, unmarked composites).
    pub mismatches: Vec<u32>,
}

impl Verdict {
    /// Whether the grid is exactly the plain sieve's.
    pub fn passed(&self) -> bool {
        self.mismatches.is_empty()
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let run = format!(
            "{}x{} sieve on the terminal host: {} marked, done at tick {}",
            self.rows, self.cols, self.marked, self.done_tick
        );
        if self.passed() {
            return write!(f, "ok: {run}; the grid matches a plain sieve");
        }
        let shown: Vec<String> = self
            .mismatches
            .iter()
            .take(10)
            .map(u32::to_string)
            .collect();
        write!(
            f,
            "MISMATCH: {run}; {} numbers differ from a plain sieve: {}{}",
            self.mismatches.len(),
            shown.join(" "),
            if self.mismatches.len() > 10 {
                " …"
            } else {
                ""
            }
        )
    }
}

/// Which of `0..=n` are composite, by the textbook sieve.
pub fn plain_sieve(n: u32) -> Vec<bool> {
    let n = n as usize;
    let mut composite = vec![false; n + 1];
    let mut p = 2;
    while p * p <= n {
        if !composite[p] {
            for multiple in (p * p..=n).step_by(p) {
                composite[multiple] = true;
            }
        }
        p += 1;
    }
    composite
}

/// Runs `config`'s sieve on a fast-forwarding [`TermLoop`](term_loop::TermLoop), writing its trace to `trace` if
/// given, and compares the final grid with [`plain_sieve`].
///
/// # Errors
/// If writing the trace fails, or the sieve's task panicked.
pub fn check<W: Write + 'static>(config: SieveConfig, trace: Option<W>) -> io::Result<Verdict> {
    let numbers = config.numbers();
    let marks = Rc::new(RefCell::new(vec![false; numbers as usize + 1]));
    let view = {
        let marks = marks.clone();
        move |event: &SieveEvent| {
            if let SieveEvent::Marked { number, .. } = *event {
                marks.borrow_mut()[number as usize] = true;
            }
        }
    };
    let term_loop = term_loop::new(Pace::FastForward);
    let executor = term_loop::executor(&term_loop);
    let mut run = executor.spawn_local(run_traced_sieve(config, view, trace));
    term_loop.run_until(&executor, || run.is_finished());
    let summary = run
        .try_take()
        .expect("the loop ran until the sieve finished")
        .map_err(|error| io::Error::other(format!("the sieve failed: {error}")))?
        .map_err(io::Error::other)?;
    let expected = plain_sieve(numbers);
    let marks = marks.borrow();
    let mismatches = (1..=numbers)
        .filter(|&n| marks[n as usize] != expected[n as usize])
        .collect();
    Ok(Verdict {
        rows: config.rows(),
        cols: config.cols(),
        marked: summary.marked,
        done_tick: summary.done_tick,
        mismatches,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plain_sieve_knows_small_primes() {
        let composite = plain_sieve(30);
        let primes: Vec<usize> = (2..=30).filter(|&n| !composite[n]).collect();
        assert_eq!(primes, [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]);
    }

    #[test]
    fn a_10x10_run_matches_and_says_so_in_one_line() {
        let verdict = check::<Vec<u8>>(SieveConfig::new(10, 10).unwrap(), None).unwrap();
        assert_eq!(
            verdict.to_string(),
            "ok: 10x10 sieve on the terminal host: 74 marked, done at tick 51; \
             the grid matches a plain sieve"
        );
    }

    #[test]
    fn a_wrong_grid_is_a_mismatch() {
        let verdict = Verdict {
            rows: 1,
            cols: 10,
            marked: 3,
            done_tick: 4,
            mismatches: vec![7],
        };
        assert!(!verdict.passed());
        assert!(verdict.to_string().starts_with("MISMATCH: "));
    }
}
