//! `winit-frontend [eratosthenes|minimal] [--rows R --cols C --tick S --seed N --trace FILE]
//! [--quit-when-done]`
//!
//! Opens the eratosthenes grid (default) or the minimal window on winit's event loop. Bad flags,
//! an unwritable trace file or the `primes` demo (not shown here) get one error line and exit
//! code 2 before any window opens. Esc or closing the window quits with 0.

use clap::{CommandFactory, Parser};
use guestloop::sieve::MAX_NUMBERS;
use guestloop_demo_cli::{Demo, DemoArgs};
use guestloop_winit::{Guest, RunGuest};
use winit::event_loop::EventLoop;
use winit_frontend::app::{self, DemoApp};
use winit_frontend::minimal::MinimalDemo;
use winit_frontend::sieve::SieveDemo;

/// The demos' shared flags (those of the Qt and terminal front-ends).
#[derive(Debug, Parser)]
#[command(
    name = "winit-frontend",
    version,
    about = "guestloop on winit's event loop: the eratosthenes and minimal demos, drawn with softbuffer."
)]
struct Cli {
    #[command(flatten)]
    demo: DemoArgs,
}

fn main() {
    let plan = Cli::parse()
        .demo
        .plan(MAX_NUMBERS)
        .unwrap_or_else(|error| error.exit());
    if plan.demo == Demo::Primes {
        Cli::command()
            .error(
                clap::error::ErrorKind::InvalidValue,
                "the winit front-end shows eratosthenes and minimal (primes: qt-frontend, tui-check)",
            )
            .exit();
    }
    let event_loop = match EventLoop::<RunGuest>::with_user_event().build() {
        Ok(event_loop) => event_loop,
        Err(error) => {
            eprintln!("error: cannot start winit's event loop (is there a display?): {error}");
            std::process::exit(1);
        }
    };
    let guest = Guest::new(event_loop.create_proxy());
    let code = match plan.demo {
        Demo::Minimal => {
            let demo = MinimalDemo::start(guest.executor());
            run(event_loop, DemoApp::new(guest, demo))
        }
        Demo::Eratosthenes | Demo::Primes => {
            let demo = SieveDemo::start(
                guest.executor(),
                plan.sieve,
                plan.trace,
                plan.quit_when_done,
            );
            run(event_loop, DemoApp::new(guest, demo))
        }
    };
    std::process::exit(code);
}

/// Runs `app` until it quits; returns the exit code.
fn run(event_loop: EventLoop<RunGuest>, mut app: DemoApp<impl app::Demo>) -> i32 {
    match event_loop.run_app(&mut app) {
        Ok(()) => app.exit_code(),
        Err(error) => {
            eprintln!("error: winit's event loop failed: {error}");
            1
        }
    }
}
