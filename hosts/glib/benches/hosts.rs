//! Drift, lateness and wake latency of the GLib host beside guestloop's ready-made loops (the
//! blocking loop, the frame driver at 60 fps), measured the guide's way (`host_figures`, as the
//! Qt and winit hosts' benches do), in one run.
//!
//! `cargo bench -p guestloop-glib --bench hosts` prints the figures (about 35 s);
//! `scripts/bench-hosts.sh` runs it with the Qt and winit hosts' benches, for one table. Without
//! `--bench` (as `cargo test --all-targets` runs it) it only says how to run it.

use glib::MainContext;
use guestloop::blocking_loop::BlockingLoop;
use guestloop::frame_loop::FrameDriver;
use guestloop::{Executor, Instant};
use guestloop_tests::host_figures::{self, HostFigures, measure};
use std::time::Duration;

fn wall_clock() -> impl Fn() -> Instant + 'static {
    let started = std::time::Instant::now();
    move || Instant::from_nanos(started.elapsed().as_nanos() as u64)
}

fn on_glib() -> HostFigures {
    let context = MainContext::new();
    let guest = guestloop_glib::Guest::new(&context).unwrap();
    let mut task = guest.executor().spawn_local(measure());
    while !task.is_finished() {
        context.iteration(true);
    }
    task.try_take().unwrap().unwrap()
}

fn on_blocking_loop() -> HostFigures {
    let event_loop: BlockingLoop<(), _> = BlockingLoop::new(wall_clock());
    let executor = Executor::new(event_loop.host());
    let mut task = executor.spawn_local(measure());
    event_loop.run_until(&executor, || task.is_finished());
    task.try_take().unwrap().unwrap()
}

fn on_frame_driver() -> HostFigures {
    let driver = FrameDriver::new(wall_clock());
    let executor = Executor::new(driver.host());
    let mut task = executor.spawn_local(measure());
    let mut next_frame = std::time::Instant::now();
    while !task.is_finished() {
        driver.frame(&executor);
        next_frame += Duration::from_micros(16_667);
        std::thread::sleep(next_frame.saturating_duration_since(std::time::Instant::now()));
    }
    task.try_take().unwrap().unwrap()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if !args.iter().any(|arg| arg == "--bench") {
        println!("hosts bench: run `cargo bench -p guestloop-glib --bench hosts` for figures");
        return;
    }
    if !args.iter().any(|arg| arg == "--no-header") {
        println!("## Hosts ({})\n", host_figures::cpu_name());
        host_figures::print_header();
    }
    println!("{}", on_glib().row("GLib"));
    println!("{}", on_blocking_loop().row("blocking loop"));
    println!("{}", on_frame_driver().row("frame driver, 60 fps"));
}
