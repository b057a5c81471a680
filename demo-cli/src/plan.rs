//! The flags turned into a run: a [`Plan`] with every configuration validated and the trace file
//! open, [`run_traced_sieve`] to run the sieve with that trace, and [`primes_line`], the primes
//! demo's result as every front-end prints it.
//!
//! Owns the messages of those steps ("cannot write the trace to PATH: …", "writing the trace
//! failed: …"), so that the front-ends say the same thing.

use crate::{Demo, DemoArgs};
use clap::Parser;
use guestloop::primes::PrimesConfig;
use guestloop::sieve::{SieveConfig, SieveSummary, SieveView, TraceWriter, run_sieve};
use std::cell::RefCell;
use std::fmt;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::rc::Rc;

/// An open `--trace` file.
pub type TraceFile = BufWriter<File>;

/// What a front-end runs: the demo, its validated configuration, and the trace file, open.
#[derive(Debug)]
pub struct Plan {
    /// Which demo to show.
    pub demo: Demo,
    /// The eratosthenes demo's grid, tick and seed.
    pub sieve: SieveConfig,
    /// The primes demo's limit and workers.
    pub primes: PrimesConfig,
    /// The `--trace` file, created and open; only ever `Some` for the eratosthenes demo.
    pub trace: Option<TraceFile>,
    /// Exit with 0 once the sieve is done or the primes are counted.
    pub quit_when_done: bool,
}

impl DemoArgs {
    /// Validates the flags and opens the trace file; `max_numbers` is the largest grid the
    /// front-end shows. Nothing is left to check once this returns `Ok`.
    ///
    /// # Errors
    /// A clap error (exit code 2) saying what is wrong: a bad value (see
    /// [`sieve_config`](Self::sieve_config)), or a trace file that cannot be created.
    pub fn plan(&self, max_numbers: u64) -> Result<Plan, clap::Error> {
        let sieve = self.sieve_config(max_numbers)?;
        let trace = match &self.sieve.trace {
            None => None,
            Some(path) => Some(File::create(path).map(BufWriter::new).map_err(|error| {
                clap::Error::raw(
                    clap::error::ErrorKind::Io,
                    format!("cannot write the trace to {}: {error}\n", path.display()),
                )
            })?),
        };
        Ok(Plan {
            demo: self.demo,
            sieve,
            primes: self.primes.config(),
            trace,
            quit_when_done: self.quit_when_done,
        })
    }

    /// Parses the process's arguments into a [`Plan`]; on bad input prints one clear error and
    /// exits with 2, before the caller has opened anything.
    pub fn plan_or_exit(max_numbers: u64) -> Plan {
        DemoArgs::parse()
            .plan(max_numbers)
            .unwrap_or_else(|error| error.exit())
    }
}

/// Writing the trace failed; the run itself went on.
#[derive(Debug)]
pub struct TraceFailed(pub io::Error);

impl fmt::Display for TraceFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "writing the trace failed: {}", self.0)
    }
}

impl std::error::Error for TraceFailed {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

/// Runs the sieve of `config`, showing it on `view` and, if given, writing its trace to
/// `trace`, which is flushed when the sieve is done.
///
/// # Errors
/// [`TraceFailed`] if a write or the final flush failed (the sieve still ran to the end).
///
/// ```
/// use guestloop::sieve::{SieveConfig, SieveEvent};
/// use guestloop::testing::TestHost;
/// use guestloop_demo_cli::run_traced_sieve;
/// use std::io::{self, Write};
///
/// let mut host = TestHost::default();
/// let config = SieveConfig::new(3, 3).unwrap();
/// let no_view = |_: &SieveEvent| {};
/// let summary = host.block_on(run_traced_sieve(config, no_view, Some(Vec::new())));
/// assert_eq!(summary.unwrap().marked, 4); // 4, 6, 8 and 9
///
/// struct DiskFull;
/// impl Write for DiskFull {
///     fn write(&mut self, _: &[u8]) -> io::Result<usize> {
///         Err(io::Error::other("no space left"))
///     }
///     fn flush(&mut self) -> io::Result<()> {
///         Ok(())
///     }
/// }
/// let failed = host.block_on(run_traced_sieve(config, no_view, Some(DiskFull)));
/// assert_eq!(failed.unwrap_err().to_string(), "writing the trace failed: no space left");
/// ```
pub async fn run_traced_sieve<W: Write + 'static>(
    config: SieveConfig,
    view: impl SieveView + 'static,
    trace: Option<W>,
) -> Result<SieveSummary, TraceFailed> {
    let Some(out) = trace else {
        return Ok(run_sieve(config, view).await);
    };
    let trace = Rc::new(RefCell::new(TraceWriter::new(out)));
    let summary = run_sieve(config, (view, trace.clone())).await;
    let writer = Rc::into_inner(trace).expect("the sieve is done: nothing else holds the trace");
    match writer.into_inner().finish() {
        Ok(_) => Ok(summary),
        Err(error) => Err(TraceFailed(error)),
    }
}

/// The primes demo's result as one line, on screen and on stdout: `primes <= N: COUNT`.
pub fn primes_line(limit: u64, count: u64) -> String {
    format!("primes <= {limit}: {count}")
}
