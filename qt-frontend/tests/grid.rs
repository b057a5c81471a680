//! The eratosthenes grid as a person sees it: grabs of the window checked cell by cell against
//! the model's `Frame` (as blocks of colour, and as numbers), zoom, pan and hover driven by
//! synthetic mouse input, and the trace of a 1,000 × 1,000 run on a 50 µs tick.
//!
//! Where cells should be is restated here from the rules `viewport.rs` documents (a notch zooms
//! by 1.25 about the pointer, a drag moves the grid with the pointer, the fit, the clamping),
//! not computed by the app's own code.

#[cfg(not(feature = "test-hooks"))]
compile_error!(
    "these drive the app through its GUESTLOOP_QT_* hooks: run them with `--features test-hooks` \
     (scripts/test.sh does)"
);

mod common;

use common::{app, logged, scratch};
use guestloop::sieve::{Frame, Rgb, SieveConfig, parse_tick, run_sieve, trace_on_test_host};
use guestloop::testing::TestHost;
use std::cell::RefCell;
use std::path::Path;
use std::rc::Rc;

// Link the library: cxx-qt's initialisers, linked into every target of this package, need it.
use qt_frontend as _;

/// A grid that fits its window as blocks of about 7 pixels, with 5-digit numbers.
const ROWS: u32 = 60;
const COLS: u32 = 180;
const TICK: &str = "0.0001"; // 5,401 ticks: done in about 0.55 s
const SEED: &str = "3";
/// A cell's width at 22 pixels high, for 5-digit numbers: 5 × 6 + 7.
const NUMBER_CELL_WIDTH: f64 = 37.0;
const WHITE: [u8; 3] = [255, 255, 255];

fn config() -> SieveConfig {
    SieveConfig::new(ROWS, COLS)
        .unwrap()
        .with_tick(parse_tick(TICK).unwrap())
        .unwrap()
        .with_seed(SEED.parse().unwrap())
}

/// The grid when the sieve is done, from the test host.
fn final_frame() -> Frame {
    let config = config();
    let frame = Rc::new(RefCell::new(Frame::new(&config)));
    TestHost::new(config.tick()).block_on(run_sieve(config, frame.clone()));
    let frame = frame.borrow().clone();
    assert!(frame.is_done());
    frame
}

/// What a cell should show: its marker's colour, or the text colour (black) if unmarked.
fn colour_of(frame: &Frame, number: u32) -> [u8; 3] {
    frame
        .colour_of(number)
        .map_or([0, 0, 0], |Rgb { r, g, b }| [r, g, b])
}

/// A grab of the window, read from the PPM file the grab hook wrote.
struct Grab {
    width: usize,
    height: usize,
    rgb: Vec<u8>,
}

impl Grab {
    fn read(path: &Path) -> Grab {
        let bytes = std::fs::read(path).unwrap();
        // "P6 <width> <height> 255" and one whitespace byte, then the pixels.
        let mut fields = Vec::new();
        let mut start = None;
        let mut at = 0;
        while fields.len() < 4 {
            match (bytes[at].is_ascii_whitespace(), start) {
                (false, None) => start = Some(at),
                (true, Some(from)) => {
                    fields.push(std::str::from_utf8(&bytes[from..at]).unwrap().to_owned());
                    start = None;
                }
                _ => {}
            }
            at += 1;
        }
        assert_eq!((fields[0].as_str(), fields[3].as_str()), ("P6", "255"));
        let (width, height) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
        let rgb = bytes[at..].to_vec();
        assert_eq!(rgb.len(), width * height * 3, "{}", path.display());
        Grab { width, height, rgb }
    }

    fn pixel(&self, x: usize, y: usize) -> [u8; 3] {
        assert!(
            x < self.width && y < self.height,
            "({x}, {y}) is outside the grab"
        );
        let at = (y * self.width + x) * 3;
        [self.rgb[at], self.rgb[at + 1], self.rgb[at + 2]]
    }
}

/// Where the canvas is in the window and its size: `canvas: at X,Y size WxH`, logged last.
fn canvas_placement(stderr: &str) -> ((f64, f64), (f64, f64)) {
    let line = stderr
        .lines()
        .filter_map(|line| line.split_once("canvas: at ").map(|(_, rest)| rest))
        .next_back()
        .expect(stderr);
    let (at, size) = line.split_once(" size ").unwrap();
    let pair = |text: &str, separator| {
        let (a, b) = text.split_once(separator).unwrap();
        (a.parse().unwrap(), b.parse().unwrap())
    };
    (pair(at, ','), pair(size, 'x'))
}

/// The grid's geometry in canvas pixels, per the documented rules.
#[derive(Debug, Clone, Copy)]
struct Geometry {
    canvas: (f64, f64),
    cell_height: f64,
    origin: (f64, f64),
}

impl Geometry {
    /// Fitted: square blocks as large as fit the canvas (numbers would not fit here).
    fn fitted(canvas: (f64, f64)) -> Geometry {
        let cell_height = (canvas.0 / f64::from(COLS)).min(canvas.1 / f64::from(ROWS));
        assert!(cell_height < 14.0, "this grid is meant to fit as blocks");
        Geometry {
            canvas,
            cell_height,
            origin: (0.0, 0.0),
        }
    }

    fn cell(&self) -> (f64, f64) {
        if self.cell_height >= 14.0 {
            (
                NUMBER_CELL_WIDTH * self.cell_height / 22.0,
                self.cell_height,
            )
        } else {
            (self.cell_height, self.cell_height)
        }
    }

    fn shows_numbers(&self) -> bool {
        self.cell_height >= 14.0
    }

    fn clamped(mut self) -> Geometry {
        let (width, height) = self.cell();
        let max_x = (width * f64::from(COLS) - self.canvas.0).max(0.0);
        let max_y = (height * f64::from(ROWS) - self.canvas.1).max(0.0);
        self.origin = (
            self.origin.0.clamp(0.0, max_x),
            self.origin.1.clamp(0.0, max_y),
        );
        self
    }

    /// After `notches` of the wheel at `at`: 1.25 a notch, the point under `at` kept.
    fn zoomed(self, at: (f64, f64), notches: i32) -> Geometry {
        let (width, height) = self.cell();
        let col = (self.origin.0 + at.0) / width;
        let row = (self.origin.1 + at.1) / height;
        let mut zoomed = self;
        zoomed.cell_height = self.cell_height * 1.25f64.powi(notches);
        let (width, height) = zoomed.cell();
        zoomed.origin = (col * width - at.0, row * height - at.1);
        zoomed.clamped()
    }

    /// After a drag from `from` to `to`: the grid moves with the pointer.
    fn dragged(mut self, from: (f64, f64), to: (f64, f64)) -> Geometry {
        self.origin = (self.origin.0 + from.0 - to.0, self.origin.1 + from.1 - to.1);
        self.clamped()
    }

    /// The number under the canvas point `at`.
    fn number_at(&self, at: (f64, f64)) -> u32 {
        let (width, height) = self.cell();
        let col = ((self.origin.0 + at.0) / width).floor() as u32;
        let row = ((self.origin.1 + at.1) / height).floor() as u32;
        row * COLS + col + 1
    }

    /// Every cell wholly inside the canvas: `(number, left, top, width, height)` in canvas
    /// pixels.
    fn whole_cells(&self) -> Vec<(u32, f64, f64, f64, f64)> {
        let (width, height) = self.cell();
        let mut cells = Vec::new();
        for row in 0..ROWS {
            for col in 0..COLS {
                let left = f64::from(col) * width - self.origin.0;
                let top = f64::from(row) * height - self.origin.1;
                let inside = left >= 0.0
                    && top >= 0.0
                    && left + width <= self.canvas.0
                    && top + height <= self.canvas.1;
                if inside {
                    cells.push((row * COLS + col + 1, left, top, width, height));
                }
            }
        }
        cells
    }
}

/// Checks every whole cell of `grab` against `frame`: a block's centre pixel is exactly its
/// colour; a number's pixels all lie between white and its colour (anti-aliasing), and a few
/// are at least halfway to it (small unbolded digits are thin and grey). Returns how many cells
/// were checked.
fn check_cells(grab: &Grab, canvas_at: (f64, f64), geometry: &Geometry, frame: &Frame) -> usize {
    let cells = geometry.whole_cells();
    for &(number, left, top, width, height) in &cells {
        let expected = colour_of(frame, number);
        let (left, top) = (canvas_at.0 + left, canvas_at.1 + top);
        if !geometry.shows_numbers() {
            let centre = grab.pixel((left + width / 2.0) as usize, (top + height / 2.0) as usize);
            assert_eq!(centre, expected, "block of {number} at ({left}, {top})");
            continue;
        }
        let mut inked = 0;
        // One pixel in from each edge: edge pixels may blend with the neighbour's.
        for y in (top.ceil() as usize + 1)..((top + height).floor() as usize - 1) {
            for x in (left.ceil() as usize + 1)..((left + width).floor() as usize - 1) {
                let pixel = grab.pixel(x, y);
                let (along, off) = towards(pixel, expected);
                assert!(
                    off <= 48.0,
                    "number {number}: pixel {pixel:?} at ({x}, {y}) is not between white and \
                     {expected:?}"
                );
                if along >= 0.5 {
                    inked += 1;
                }
            }
        }
        assert!(
            inked >= 3,
            "number {number} at ({left}, {top}) is not drawn in {expected:?}"
        );
    }
    cells.len()
}

/// How far `pixel` lies along the line from white to `colour` (0: white, 1: the colour), and
/// how far off that segment it is.
fn towards(pixel: [u8; 3], colour: [u8; 3]) -> (f64, f64) {
    let [p, c, w] = [pixel, colour, WHITE].map(|v| v.map(f64::from));
    let line: Vec<f64> = (0..3).map(|i| c[i] - w[i]).collect();
    let from_white: Vec<f64> = (0..3).map(|i| p[i] - w[i]).collect();
    let length = line.iter().map(|v| v * v).sum::<f64>();
    let along = (0..3).map(|i| line[i] * from_white[i]).sum::<f64>() / length;
    let nearest: Vec<f64> = (0..3)
        .map(|i| w[i] + line[i] * along.clamp(0.0, 1.0))
        .collect();
    let off = (0..3)
        .map(|i| (p[i] - nearest[i]).powi(2))
        .sum::<f64>()
        .sqrt();
    (along, off)
}

/// Runs the grid with `inputs` and grabs at the given milliseconds; the sieve must be done
/// before the first grab.
fn run_grid(inputs: &str, grabs: &[(u64, &Path)], close_at: u64) -> String {
    let grab_spec: Vec<String> = grabs
        .iter()
        .map(|(ms, path)| format!("{ms}:{}", path.display()))
        .collect();
    let close_at = close_at.to_string();
    let (output, stderr, _) = app(
        &[
            "--rows",
            &ROWS.to_string(),
            "--cols",
            &COLS.to_string(),
            "--tick",
            TICK,
            "--seed",
            SEED,
        ],
        &[
            ("GUESTLOOP_QT_LOG", "1"),
            ("GUESTLOOP_QT_INPUT", inputs),
            ("GUESTLOOP_QT_GRAB", &grab_spec.join(",")),
            ("GUESTLOOP_QT_CLOSE_AFTER_MS", &close_at),
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let done = logged(&stderr, "sieve done at tick 5401");
    let first_grab = format!("grab {}: true", grabs[0].1.display());
    let grabbed = logged(&stderr, &first_grab);
    assert!(
        done.len() == 1 && grabbed.len() == 1 && done[0].1 < grabbed[0].1,
        "the sieve was not done before the first grab:\n{stderr}"
    );
    for (_, path) in grabs {
        assert_eq!(
            logged(&stderr, &format!("grab {}: true", path.display())).len(),
            1,
            "{stderr}"
        );
    }
    assert!(!stderr.contains("sent=false"), "an input missed:\n{stderr}");
    stderr
}

#[test]
fn every_cell_is_drawn_in_its_colour_as_a_block_and_as_a_number() {
    let (fitted, zoomed) = (scratch("grid-fitted.ppm"), scratch("grid-numbers.ppm"));
    let stderr = run_grid(
        "1700:wheel:300:200:480",
        &[(1500, &fitted), (2000, &zoomed)],
        2200,
    );
    let (canvas_at, canvas) = canvas_placement(&stderr);
    let frame = final_frame();

    let geometry = Geometry::fitted(canvas);
    let checked = check_cells(&Grab::read(&fitted), canvas_at, &geometry, &frame);
    assert_eq!(
        checked,
        (ROWS * COLS) as usize,
        "the fitted grid shows every cell"
    );

    let geometry = geometry.zoomed((300.0, 200.0), 4);
    assert!(geometry.shows_numbers(), "{geometry:?}");
    let checked = check_cells(&Grab::read(&zoomed), canvas_at, &geometry, &frame);
    assert!(checked > 500, "only {checked} whole cells with numbers");
}

#[test]
fn zoom_pan_and_hover_follow_the_mouse() {
    let (moved, hovered) = (scratch("grid-moved.ppm"), scratch("grid-hover.ppm"));
    let pointer = (412.0, 233.0);
    let stderr = run_grid(
        &format!(
            // The pointer leaves after the drag, so no label covers the grid at the first grab.
            "1700:wheel:300:200:120,1800:drag:600:300:500:250,1900:move:-4:-4,2100:move:{}:{}",
            pointer.0, pointer.1
        ),
        &[(2000, &moved), (2300, &hovered)],
        2500,
    );
    let (canvas_at, canvas) = canvas_placement(&stderr);
    let frame = final_frame();

    // One notch in about (300, 200), then the grid dragged 100 left and 50 up with the pointer.
    let geometry = Geometry::fitted(canvas)
        .zoomed((300.0, 200.0), 1)
        .dragged((600.0, 300.0), (500.0, 250.0));
    assert!(
        geometry.origin.0 > 0.0 && geometry.origin.1 > 0.0,
        "{geometry:?}"
    );
    let checked = check_cells(&Grab::read(&moved), canvas_at, &geometry, &frame);
    assert!(checked > 5_000, "only {checked} whole cells");

    // Hovering names the number under the pointer, in a label beside it.
    let number = geometry.number_at(pointer);
    let expected = match frame.colour_of(number) {
        Some(_) => format!("{number} · crossed out"),
        None => number.to_string(),
    };
    let hover_line = format!(
        "input Move {{ to: ({:?}, {:?}) }}: sent=true hover={expected:?}",
        pointer.0, pointer.1
    );
    assert_eq!(logged(&stderr, &hover_line).len(), 1, "{stderr}");
    let label = Grab::read(&hovered).pixel(
        (canvas_at.0 + pointer.0 + 17.0) as usize,
        (canvas_at.1 + pointer.1 + 17.0) as usize,
    );
    assert_eq!(
        label,
        [0xff, 0xfb, 0xe6],
        "the hover label is not beside the pointer"
    );
}

#[test]
fn the_trace_of_a_1000_by_1000_grid_on_a_50_us_tick_equals_the_test_host_trace() {
    let path = scratch("trace-1000x1000.txt");
    let (output, stderr, _) = app(
        &[
            "--rows",
            "1000",
            "--cols",
            "1000",
            "--tick",
            "0.00005",
            "--quit-when-done",
            "--trace",
            path.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let config = SieveConfig::new(1000, 1000)
        .unwrap()
        .with_tick(parse_tick("0.00005").unwrap())
        .unwrap();
    let actual = std::fs::read_to_string(&path).unwrap();
    // Not assert_eq!: a mismatch would print tens of megabytes.
    let expected = trace_on_test_host(&config);
    assert!(
        actual == expected,
        "the traces differ ({} vs {} bytes)",
        actual.len(),
        expected.len()
    );
}
