//! Prints the sieve's trace, computed on the virtual-time test host.
//!
//! ```text
//! cargo run -p guestloop --example trace -- --rows 10 --cols 10 [--tick 0.1] [--seed 42]
//! ```
//!
//! Bad values get one error line on stderr and exit code 2.

use guestloop::sieve::{SieveConfig, TraceWriter, parse_tick, run_sieve};
use guestloop::testing::TestHost;
use std::cell::RefCell;
use std::io::{BufWriter, Write};
use std::process::ExitCode;
use std::rc::Rc;

const USAGE: &str = "usage: trace [--rows R] [--cols C] [--tick SECONDS] [--seed N]";

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<SieveConfig, String> {
    let default = SieveConfig::default();
    let (mut rows, mut cols, mut tick, mut seed) = (
        default.rows(),
        default.cols(),
        default.tick(),
        default.seed(),
    );
    while let Some(flag) = args.next() {
        if flag == "--help" || flag == "-h" {
            return Err(USAGE.to_owned());
        }
        let value = args
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        let number = |what: &str| {
            value
                .parse::<u64>()
                .map_err(|_| format!("{what} must be a whole number, got {value:?}"))
        };
        let size = |what: &str| {
            number(what)
                .and_then(|n| u32::try_from(n).map_err(|_| format!("{what} is too large: {n}")))
        };
        match flag.as_str() {
            "--rows" => rows = size("--rows")?,
            "--cols" => cols = size("--cols")?,
            "--tick" => tick = parse_tick(&value).map_err(|e| format!("--tick: {e}"))?,
            "--seed" => seed = number("--seed")?,
            other => return Err(format!("unknown flag {other:?}\n{USAGE}")),
        }
    }
    let config = SieveConfig::new(rows, cols).map_err(|e| e.to_string())?;
    let config = config.with_tick(tick).map_err(|e| format!("--tick: {e}"))?;
    Ok(config.with_seed(seed))
}

fn main() -> ExitCode {
    let config = match parse_args(std::env::args().skip(1)) {
        Ok(config) => config,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let stdout = BufWriter::new(std::io::stdout().lock());
    let trace = Rc::new(RefCell::new(TraceWriter::new(stdout)));
    let mut host = TestHost::new(config.tick());
    host.block_on(run_sieve(config, trace.clone()));
    let writer = Rc::try_unwrap(trace).map(RefCell::into_inner);
    match writer.map(TraceWriter::finish) {
        Ok(Ok(mut out)) => {
            let _ = out.flush();
            ExitCode::SUCCESS
        }
        Ok(Err(error)) => {
            eprintln!("error: writing the trace: {error}");
            ExitCode::FAILURE
        }
        Err(_) => unreachable!("the run is over: nothing else holds the trace"),
    }
}
