//! Drift, lateness and wake latency of the winit host on a real winit event loop (no window),
//! measured as every host's are (`guestloop_tests::host_figures`).
//!
//! `cargo bench -p guestloop-winit --bench host` prints the figures (about 12 s; winit needs a
//! display: `xvfb-run -a cargo bench …` on a machine without one); `scripts/bench-hosts.sh` runs
//! it beside the other hosts' benches. Without `--bench` (as `cargo test --all-targets` runs it)
//! it only says how to run it.

use guestloop::JoinHandle;
use guestloop_tests::host_figures::{self, HostFigures, measure};
use guestloop_winit::{Guest, RunGuest};
use std::process::ExitCode;
use winit::application::ApplicationHandler;
use winit::event::WindowEvent;
use winit::event_loop::{ActiveEventLoop, EventLoop};
use winit::window::WindowId;

/// An application with no window: only the guest, measuring, then the loop's exit.
struct Bench {
    guest: Guest,
    task: JoinHandle<HostFigures>,
    figures: Option<HostFigures>,
}

impl ApplicationHandler<RunGuest> for Bench {
    fn resumed(&mut self, _: &ActiveEventLoop) {}

    fn window_event(&mut self, _: &ActiveEventLoop, _: WindowId, _: WindowEvent) {}

    fn user_event(&mut self, _: &ActiveEventLoop, _: RunGuest) {
        self.guest.request_run();
    }

    fn about_to_wait(&mut self, event_loop: &ActiveEventLoop) {
        self.guest.about_to_wait(event_loop);
        if self.figures.is_none()
            && let Some(figures) = self.task.try_take()
        {
            self.figures = Some(figures.expect("the measuring task does not panic"));
            event_loop.exit();
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if !args.iter().any(|arg| arg == "--bench") {
        println!("host bench: run `cargo bench -p guestloop-winit --bench host` for figures");
        return ExitCode::SUCCESS;
    }
    let event_loop = match EventLoop::<RunGuest>::with_user_event().build() {
        Ok(event_loop) => event_loop,
        Err(error) => {
            eprintln!("error: no winit event loop (no display? try xvfb-run -a): {error}");
            return ExitCode::FAILURE;
        }
    };
    if !args.iter().any(|arg| arg == "--no-header") {
        println!("## Hosts ({})\n", host_figures::cpu_name());
        host_figures::print_header();
    }
    let guest = Guest::new(event_loop.create_proxy());
    let task = guest.executor().spawn_local(measure());
    let mut bench = Bench {
        guest,
        task,
        figures: None,
    };
    event_loop
        .run_app(&mut bench)
        .expect("winit's event loop runs");
    let figures = bench
        .figures
        .expect("the loop exits once the figures are in");
    println!("{}", figures.row("winit"));
    ExitCode::SUCCESS
}
