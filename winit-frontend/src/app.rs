//! [`DemoApp`]: one window on winit's loop, its pixels shown with softbuffer, a [`Demo`] inside
//! and the [`Guest`] running beside it.
//!
//! Owns the window's life (created in `resumed`, drawn on `RedrawRequested`, resized, closed), the
//! keys and mouse buttons it hands on, and the exit code. What is drawn is the demo's business.

use crate::canvas::Canvas;
use guestloop_winit::{Guest, RunGuest};
use std::num::NonZeroU32;
use std::rc::Rc;
use winit::application::ApplicationHandler;
use winit::dpi::PhysicalSize;
use winit::event::{ElementState, KeyEvent, MouseButton, WindowEvent};
use winit::event_loop::ActiveEventLoop;
use winit::keyboard::{Key, NamedKey};
use winit::window::{Window, WindowId};

/// The window's background: what a new canvas is filled with.
pub const BACKGROUND: u32 = 0x00ff_ffff;

/// What the window does after a turn of the loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Nothing changed.
    Wait,
    /// Draw again.
    Redraw,
    /// Close the window and leave the loop with this exit code.
    Quit(i32),
}

/// What a window shows: a demo drawn into a [`Canvas`], fed by the mouse.
pub trait Demo {
    /// The window's title.
    fn title(&self) -> String;

    /// The window's first inner size in pixels, at most `max` (about the screen's size).
    fn initial_size(&self, max: (u32, u32)) -> (u32, u32);

    /// Draws what changed into `canvas`; everything if `full` (a new canvas: the first draw, or
    /// after a resize).
    fn draw(&mut self, canvas: &mut Canvas, full: bool);

    /// The left mouse button went down (`pressed`) or up at `at`, in the pixels of a canvas
    /// of `size`. Returns whether to draw again.
    fn mouse(&mut self, pressed: bool, at: (f64, f64), size: (u32, u32)) -> bool;

    /// Called at the end of every turn of the loop, after the guest's run if there was one.
    fn update(&mut self) -> Next;
}

/// The window's pixels: the canvas the demo draws into, and the surface it is copied to.
struct Screen {
    window: Rc<Window>,
    surface: softbuffer::Surface<Rc<Window>, Rc<Window>>,
    canvas: Canvas,
    /// The canvas was just made: the next draw is a full one.
    fresh: bool,
}

/// A winit application showing `demo` in one window, with `guest` run in its loop.
///
/// Esc or closing the window leaves the loop with exit code 0; so does the demo's
/// [`Next::Quit`], with its code. Give it to `EventLoop::run_app` (or `run_app_on_demand`).
pub struct DemoApp<D: Demo> {
    guest: Guest,
    demo: D,
    screen: Option<Screen>,
    cursor: (f64, f64),
    exit_code: Option<i32>,
}

impl<D: Demo> std::fmt::Debug for DemoApp<D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoApp")
            .field("guest", &self.guest)
            .field("exit_code", &self.exit_code)
            .finish_non_exhaustive()
    }
}

impl<D: Demo> DemoApp<D> {
    /// The application; its window opens once the loop runs.
    pub fn new(guest: Guest, demo: D) -> DemoApp<D> {
        DemoApp {
            guest,
            demo,
            screen: None,
            cursor: (0.0, 0.0),
            exit_code: None,
        }
    }

    /// The exit code the loop ended with (0 until it ends).
    pub fn exit_code(&self) -> i32 {
        self.exit_code.unwrap_or(0)
    }

    /// The guest.
    pub fn guest(&self) -> &Guest {
        &self.guest
    }

    /// The demo.
    pub fn demo(&self) -> &D {
        &self.demo
    }

    /// The window, once the loop has opened it.
    pub fn window(&self) -> Option<&Window> {
        self.screen.as_ref().map(|screen| &*screen.window)
    }

    fn quit(&mut self, event_loop: &ActiveEventLoop, code: i32) {
        self.exit_code.get_or_insert(code);
        self.screen = None; // the window closes now, not when the application is dropped
        event_loop.exit();
    }

    fn open_window(&mut self, event_loop: &ActiveEventLoop) -> Result<Screen, String> {
        let max = event_loop.primary_monitor().map_or((1280, 960), |monitor| {
            let size = monitor.size();
            (size.width * 9 / 10, size.height * 9 / 10)
        });
        let (width, height) = self.demo.initial_size(max);
        let attributes = Window::default_attributes()
            .with_title(self.demo.title())
            .with_inner_size(PhysicalSize::new(width, height));
        let window = Rc::new(
            event_loop
                .create_window(attributes)
                .map_err(|e| format!("cannot open a window: {e}"))?,
        );
        let context = softbuffer::Context::new(window.clone())
            .map_err(|e| format!("cannot draw in the window: {e}"))?;
        let surface = softbuffer::Surface::new(&context, window.clone())
            .map_err(|e| format!("cannot draw in the window: {e}"))?;
        Ok(Screen {
            window,
            surface,
            canvas: Canvas::default(),
            fresh: true,
        })
    }

    /// Draws the demo into the canvas (made anew at the window's size if that changed) and
    /// shows it.
    fn redraw(&mut self) -> Result<(), softbuffer::SoftBufferError> {
        let Some(screen) = &mut self.screen else {
            return Ok(());
        };
        let size = screen.window.inner_size();
        let (Some(width), Some(height)) =
            (NonZeroU32::new(size.width), NonZeroU32::new(size.height))
        else {
            return Ok(()); // minimised: nothing to show
        };
        if (screen.canvas.width(), screen.canvas.height()) != (size.width, size.height) {
            screen.canvas = Canvas::new(size.width, size.height, BACKGROUND);
            screen.fresh = true;
        }
        self.demo.draw(&mut screen.canvas, screen.fresh);
        screen.fresh = false;
        screen.surface.resize(width, height)?;
        let mut buffer = screen.surface.buffer_mut()?;
        buffer.copy_from_slice(screen.canvas.pixels());
        buffer.present()
    }
}

impl<D: Demo> ApplicationHandler<RunGuest> for DemoApp<D> {
    fn resumed(&mut self, event_loop: &ActiveEventLoop) {
        if self.screen.is_some() {
            return;
        }
        match self.open_window(event_loop) {
            Ok(screen) => {
                screen.window.request_redraw();
                self.screen = Some(screen);
            }
            Err(message) => {
                eprintln!("error: {message}");
                self.quit(event_loop, 1);
            }
        }
    }

    fn user_event(&mut self, _: &ActiveEventLoop, RunGuest: RunGuest) {
        self.guest.request_run();
    }

    fn window_event(&mut self, event_loop: &ActiveEventLoop, _: WindowId, event: WindowEvent) {
        match event {
            WindowEvent::CloseRequested => self.quit(event_loop, 0),
            WindowEvent::KeyboardInput {
                event:
                    KeyEvent {
                        logical_key: Key::Named(NamedKey::Escape),
                        state: ElementState::Pressed,
                        ..
                    },
                ..
            } => self.quit(event_loop, 0),
            WindowEvent::Resized(_) => {
                if let Some(screen) = &self.screen {
                    screen.window.request_redraw();
                }
            }
            WindowEvent::CursorMoved { position, .. } => self.cursor = (position.x, position.y),
            WindowEvent::MouseInput {
                state,
                button: MouseButton::Left,
                ..
            } => {
                if let Some(screen) = &self.screen {
                    let size = screen.window.inner_size();
                    let pressed = state == ElementState::Pressed;
                    if self
                        .demo
                        .mouse(pressed, self.cursor, (size.width, size.height))
                    {
                        screen.window.request_redraw();
                    }
                }
            }
            WindowEvent::RedrawRequested => {
                if let Err(error) = self.redraw() {
                    eprintln!("error: cannot show the window's pixels: {error}");
                    self.quit(event_loop, 1);
                }
            }
            _ => {}
        }
    }

    fn about_to_wait(&mut self, event_loop: &ActiveEventLoop) {
        self.guest.about_to_wait(event_loop);
        match self.demo.update() {
            Next::Wait => {}
            Next::Redraw => {
                if let Some(screen) = &self.screen {
                    screen.window.request_redraw();
                }
            }
            Next::Quit(code) => self.quit(event_loop, code),
        }
    }
}
