//! The minimal demo in a GTK 4 window, on `guestloop-glib`: a button "What is the question?"
//! whose click starts a task that sleeps 1 s and then changes the label.
//!
//! The whole integration is three lines: make a [`Guest`] on GLib's default context, spawn on
//! it, drop it before GTK's objects go. The model is guestloop's `run_minimal`, the same the Qt,
//! terminal and winit windows run.
//!
//! `--log` prints each click the model takes in and each label it sets, with the guest clock in
//! nanoseconds (the Xvfb test reads them); `--quit-when-answered` closes the window half a
//! second after the answer shows.

use futures_lite::StreamExt;
use gtk4::glib;
use gtk4::prelude::*;
use guestloop::minimal::{BUTTON, QUESTION, run_minimal};
use guestloop_glib::Guest;
use std::cell::Cell;
use std::process::ExitCode;
use std::rc::Rc;
use std::time::Duration;

/// The window's title, which the test finds it by.
const TITLE: &str = "guestloop GTK: minimal";

struct Flags {
    log: bool,
    quit_when_answered: bool,
}

fn parse_flags() -> Result<Flags, String> {
    let mut flags = Flags {
        log: false,
        quit_when_answered: false,
    };
    for argument in std::env::args().skip(1) {
        match argument.as_str() {
            "--log" => flags.log = true,
            "--quit-when-answered" => flags.quit_when_answered = true,
            other => return Err(format!("unexpected argument {other:?}")),
        }
    }
    Ok(flags)
}

fn main() -> ExitCode {
    let flags = match parse_flags() {
        Ok(flags) => flags,
        Err(error) => {
            eprintln!("error: {error}\nusage: gtk-minimal [--log] [--quit-when-answered]");
            return ExitCode::from(2);
        }
    };
    if let Err(error) = gtk4::init() {
        eprintln!("error: cannot start GTK: {error}");
        return ExitCode::FAILURE;
    }
    let context = glib::MainContext::default();
    let guest = match Guest::new(&context) {
        Ok(guest) => guest,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let main_loop = glib::MainLoop::new(Some(&context), false);

    let label = gtk4::Label::new(None);
    let button = gtk4::Button::with_label(BUTTON);
    button.set_vexpand(true);
    let column = gtk4::Box::new(gtk4::Orientation::Vertical, 12);
    column.set_margin_top(12);
    column.set_margin_bottom(12);
    column.set_margin_start(12);
    column.set_margin_end(12);
    column.append(&label);
    column.append(&button);
    let window = gtk4::Window::builder()
        .title(TITLE)
        .default_width(480)
        .default_height(160)
        .child(&column)
        .build();
    window.connect_close_request({
        let main_loop = main_loop.clone();
        move |_| {
            main_loop.quit();
            glib::Propagation::Proceed
        }
    });

    // Clicks into the model as a stream; the label out as its view.
    let (click, clicks) = async_channel::unbounded();
    button.connect_clicked(move |_| {
        let _ = click.try_send(()); // unbounded: fails only once the demo is gone
    });
    let log = flags.log;
    let clicks = clicks.map(move |()| {
        if log {
            println!("click taken at {}", guestloop::now().as_nanos());
        }
    });
    let answered = Rc::new(Cell::new(false));
    let view = {
        let (label, window, answered) = (label.clone(), window.clone(), answered.clone());
        let quit = flags.quit_when_answered;
        move |text: &'static str| {
            label.set_text(text);
            if log {
                println!("label {text:?} at {}", guestloop::now().as_nanos());
            }
            if text == QUESTION {
                answered.set(true);
                if quit {
                    // Half a second on screen first (the test takes its screenshot then).
                    let window = window.clone();
                    drop(guestloop::spawn_local(async move {
                        guestloop::sleep(Duration::from_millis(500)).await;
                        window.close();
                    }));
                }
            }
        }
    };
    drop(guest.executor().spawn_local(run_minimal(clicks, view)));

    window.present();
    main_loop.run();
    drop(guest); // the guest, and its tasks holding GTK widgets, before GTK's objects
    if flags.quit_when_answered && !answered.get() {
        eprintln!("error: the window closed before the answer showed");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
