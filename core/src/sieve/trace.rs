//! The trace: a sieve run's marks, tick by tick, in the fixed text format every host must match.
//!
//! Owns that format:
//!
//! ```text
//! tick 1: 4
//! tick 2: 6
//! tick 3: 8 9 10
//! done: tick=51 marked=74
//! ```
//!
//! One line per tick that marked at least one number, numbers in the order they were marked;
//! then the tick at which the sieve was declared done and the number of marked cells.

use super::{SieveConfig, SieveEvent, SieveView, run_sieve};
use crate::testing::TestHost;
use std::cell::RefCell;
use std::io::{self, Write};
use std::rc::Rc;

/// A [`SieveView`] that writes the trace to `out` as the run goes.
///
/// Write errors are kept, not panicked on: [`finish`](Self::finish) returns the first one.
#[derive(Debug)]
pub struct TraceWriter<W: Write> {
    out: W,
    open_tick: Option<u64>,
    error: Option<io::Error>,
}

impl<W: Write> TraceWriter<W> {
    /// A trace writer into `out` (wrap files in a `BufWriter`).
    pub fn new(out: W) -> TraceWriter<W> {
        TraceWriter {
            out,
            open_tick: None,
            error: None,
        }
    }

    fn write(&mut self, event: &SieveEvent) -> io::Result<()> {
        match *event {
            SieveEvent::Marked { tick, number, .. } => {
                if self.open_tick != Some(tick) {
                    if self.open_tick.is_some() {
                        writeln!(self.out)?;
                    }
                    write!(self.out, "tick {tick}:")?;
                    self.open_tick = Some(tick);
                }
                write!(self.out, " {number}")
            }
            SieveEvent::Status { .. } => Ok(()),
            SieveEvent::Done { tick, marked } => {
                if self.open_tick.take().is_some() {
                    writeln!(self.out)?;
                }
                writeln!(self.out, "done: tick={tick} marked={marked}")
            }
        }
    }

    /// Flushes and returns the writer, or the first write error.
    ///
    /// # Errors
    /// The first error met while writing or flushing.
    pub fn finish(mut self) -> io::Result<W> {
        if let Some(error) = self.error.take() {
            return Err(error);
        }
        self.out.flush()?;
        Ok(self.out)
    }
}

impl<W: Write> SieveView for TraceWriter<W> {
    fn show(&mut self, event: &SieveEvent) {
        if self.error.is_none() {
            if let Err(error) = self.write(event) {
                self.error = Some(error);
            }
        }
    }
}

/// The reference trace of `config`: the run on a [`TestHost`] stepping one tick at a time.
///
/// ```
/// use guestloop::sieve::{SieveConfig, trace_on_test_host};
///
/// let trace = trace_on_test_host(&SieveConfig::new(10, 10)?);
/// assert!(trace.starts_with("tick 1: 4\ntick 2: 6\ntick 3: 8 9 10\n"));
/// assert!(trace.ends_with("done: tick=51 marked=74\n"));
/// # Ok::<(), guestloop::sieve::ConfigError>(())
/// ```
pub fn trace_on_test_host(config: &SieveConfig) -> String {
    let writer = Rc::new(RefCell::new(TraceWriter::new(Vec::new())));
    let mut host = TestHost::new(config.tick());
    host.block_on(run_sieve(*config, writer.clone()));
    let writer = Rc::try_unwrap(writer)
        .map_err(|_| ())
        .expect("the run is over: nothing else holds the trace")
        .into_inner();
    let bytes = writer.finish().expect("writing to memory cannot fail");
    String::from_utf8(bytes).expect("the trace is ASCII")
}
