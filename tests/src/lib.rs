//! Cross-crate tests of guestloop, and the independent simulation they check it against.
//!
//! Owns: [`simulation`] (a plain synchronous statement of the sieve's rules, also the benchmark's
//! baseline), [`snapshots`] (where every crate's insta snapshots live), [`host_figures`] (what
//! every host's benchmark measures), [`joined`] (a `JoinError` read down to its payload),
//! [`rerun`] (the Qt tests' start on the offscreen platform), [`xvfb`] (windows driven on an X
//! server of their own) and the test modules: executor behaviour, the test host and the
//! conformance kit, snapshots of every frame, properties over random grids. It uses only
//! guestloop's public API, never its internals.

pub mod counting_alloc;
pub mod faulty_host;
pub mod host_figures;
pub mod joined;
pub mod loop_host;
pub mod rerun;
pub mod simulation;
pub mod snapshots;
pub mod xvfb;

#[cfg(test)]
mod combinations;
#[cfg(test)]
mod executor;
#[cfg(test)]
mod fairness;
#[cfg(test)]
mod frames;
#[cfg(test)]
mod host_faults;
#[cfg(test)]
mod join_errors;
#[cfg(test)]
mod lifetimes;
#[cfg(test)]
mod primes;
#[cfg(test)]
mod properties;
#[cfg(test)]
mod reentrancy;
#[cfg(test)]
mod scheduling;
#[cfg(test)]
mod test_host;
#[cfg(test)]
mod timers;
#[cfg(test)]
mod tokio_interop;
#[cfg(test)]
mod unblock;
