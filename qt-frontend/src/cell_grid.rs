//! [`CellGrid`]: the eratosthenes grid as a `QAbstractListModel`, plus the status line.
//!
//! Owns what QML draws: QML's `GridView` reads a cell's `number`, `marked` and `markColor`
//! roles and the `status` and `columns` properties. The sieve never touches it directly: a
//! [`GridHandle`] applies a whole batch of changes in one queued closure, with one `dataChanged`.

use cxx_qt::{CxxQtThread, CxxQtType, Threading};
use cxx_qt_lib::{
    QByteArray, QColor, QHash, QHashPair_i32_QByteArray, QModelIndex, QString, QVariant, QVector,
};
use guestloop::sieve::Rgb;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The `CellGrid` QObject and the Qt methods it inherits.
#[cxx_qt::bridge]
pub mod qobject {
    unsafe extern "C++Qt" {
        include!(<QtCore/QAbstractListModel>);
        /// Qt's list model base class.
        #[qobject]
        type QAbstractListModel;
    }

    unsafe extern "C++" {
        include!("cxx-qt-lib/qhash.h");
        /// Role numbers to role names.
        type QHash_i32_QByteArray = cxx_qt_lib::QHash<cxx_qt_lib::QHashPair_i32_QByteArray>;
        include!("cxx-qt-lib/qvariant.h");
        /// A QVariant.
        type QVariant = cxx_qt_lib::QVariant;
        include!("cxx-qt-lib/qmodelindex.h");
        /// A QModelIndex.
        type QModelIndex = cxx_qt_lib::QModelIndex;
        include!("cxx-qt-lib/qvector.h");
        /// A list of roles.
        type QVector_i32 = cxx_qt_lib::QVector<i32>;
        include!("cxx-qt-lib/qstring.h");
        /// A QString.
        type QString = cxx_qt_lib::QString;
    }

    extern "RustQt" {
        /// A grid of numbered cells, `columns` wide, and a status line.
        #[qobject]
        #[base = QAbstractListModel]
        #[qml_element]
        #[qproperty(QString, status)]
        #[qproperty(i32, columns)]
        #[qproperty(i32, rows)]
        type CellGrid = super::CellGridRust;
    }

    impl cxx_qt::Threading for CellGrid {}
    impl cxx_qt::Initialize for CellGrid {}

    unsafe extern "RustQt" {
        /// `QAbstractItemModel::dataChanged`.
        #[inherit]
        #[qsignal]
        #[cxx_name = "dataChanged"]
        fn data_changed(
            self: Pin<&mut CellGrid>,
            top_left: &QModelIndex,
            bottom_right: &QModelIndex,
            roles: &QVector_i32,
        );

        /// `QAbstractListModel::index`.
        #[inherit]
        fn index(self: &CellGrid, row: i32, column: i32, parent: &QModelIndex) -> QModelIndex;

        /// `QAbstractItemModel::beginResetModel`.
        #[inherit]
        #[cxx_name = "beginResetModel"]
        fn begin_reset_model(self: Pin<&mut CellGrid>);

        /// `QAbstractItemModel::endResetModel`.
        #[inherit]
        #[cxx_name = "endResetModel"]
        fn end_reset_model(self: Pin<&mut CellGrid>);
    }

    extern "RustQt" {
        #[qinvokable]
        #[cxx_override]
        fn data(self: &CellGrid, index: &QModelIndex, role: i32) -> QVariant;

        #[qinvokable]
        #[cxx_override]
        #[cxx_name = "roleNames"]
        fn role_names(self: &CellGrid) -> QHash_i32_QByteArray;

        #[qinvokable]
        #[cxx_override]
        #[cxx_name = "rowCount"]
        fn row_count(self: &CellGrid, parent: &QModelIndex) -> i32;
    }
}

pub use qobject::CellGrid;

/// A batch of changes, applied at once.
#[derive(Debug, Clone, Default)]
pub struct GridChanges {
    /// A new status text, if it changed.
    pub status: Option<&'static str>,
    /// Cells to mark: `(number, colour)`; numbers start at 1.
    pub marks: Vec<(u32, Rgb)>,
}

impl GridChanges {
    /// Whether there is nothing to apply.
    pub fn is_empty(&self) -> bool {
        self.status.is_none() && self.marks.is_empty()
    }
}

/// The Rust side of [`CellGrid`].
#[derive(Debug, Default)]
pub struct CellGridRust {
    status: QString,
    columns: i32,
    rows: i32,
    /// The colour each number is marked in; index 0 is the number 1.
    marks: Vec<Option<Rgb>>,
}

const NUMBER_ROLE: i32 = 256; // Qt::UserRole
const MARKED_ROLE: i32 = 257;
const COLOUR_ROLE: i32 = 258;

impl qobject::CellGrid {
    fn data(&self, index: &QModelIndex, role: i32) -> QVariant {
        let row = index.row();
        let Some(mark) = usize::try_from(row)
            .ok()
            .and_then(|row| self.marks.get(row))
        else {
            return QVariant::default();
        };
        match role {
            NUMBER_ROLE => QVariant::from(&(row + 1)),
            MARKED_ROLE => QVariant::from(&mark.is_some()),
            COLOUR_ROLE => {
                let Rgb { r, g, b } = mark.unwrap_or(Rgb { r: 0, g: 0, b: 0 });
                QVariant::from(&QColor::from_rgb(r.into(), g.into(), b.into()))
            }
            _ => QVariant::default(),
        }
    }

    fn role_names(&self) -> QHash<QHashPair_i32_QByteArray> {
        let mut roles = QHash::<QHashPair_i32_QByteArray>::default();
        roles.insert(NUMBER_ROLE, QByteArray::from("number"));
        roles.insert(MARKED_ROLE, QByteArray::from("marked"));
        roles.insert(COLOUR_ROLE, QByteArray::from("markColor"));
        roles
    }

    fn row_count(&self, _parent: &QModelIndex) -> i32 {
        self.marks.len() as i32
    }

    /// Sizes the grid (all cells unmarked).
    fn resize(mut self: Pin<&mut Self>, rows: u32, cols: u32) {
        self.as_mut().begin_reset_model();
        self.as_mut().rust_mut().get_mut().marks = vec![None; rows as usize * cols as usize];
        self.as_mut().end_reset_model();
        self.as_mut().set_rows(rows as i32);
        self.as_mut().set_columns(cols as i32);
    }

    /// Applies a batch: the status, then one `dataChanged` over the span of changed rows.
    fn apply(mut self: Pin<&mut Self>, changes: GridChanges) {
        if let Some(status) = changes.status {
            self.as_mut().set_status(QString::from(status));
        }
        let mut span: Option<(usize, usize)> = None;
        for (number, colour) in changes.marks {
            // This runs inside a queued Qt closure, where a panic would abort the process:
            // numbers outside the grid (0 among them) are ignored, never indexed.
            let cells = &mut self.as_mut().rust_mut().get_mut().marks;
            let Some(index) = cell_index(number, cells.len()) else {
                continue;
            };
            cells[index] = Some(colour);
            span = Some(span.map_or((index, index), |(lo, hi)| (lo.min(index), hi.max(index))));
        }
        if let Some((first, last)) = span {
            let root = QModelIndex::default();
            let top_left = self.index(first as i32, 0, &root);
            let bottom_right = self.index(last as i32, 0, &root);
            let mut roles = QVector::<i32>::default();
            roles.append(MARKED_ROLE);
            roles.append(COLOUR_ROLE);
            self.as_mut().data_changed(&top_left, &bottom_right, &roles);
        }
    }
}

/// The index of the cell showing `number` (numbers start at 1) in a grid of `cells` cells.
fn cell_index(number: u32, cells: usize) -> Option<usize> {
    let index = usize::try_from(number).ok()?.checked_sub(1)?;
    (index < cells).then_some(index)
}

impl cxx_qt::Initialize for qobject::CellGrid {
    fn initialize(self: Pin<&mut Self>) {
        let grid = GridHandle(self.qt_thread());
        crate::sieve_window::start(grid);
    }
}

/// Changes waiting to be applied, and whether an apply is already queued: any number of
/// [`GridHandle::batch`] calls between two Qt event-loop turns become one apply.
#[derive(Debug, Default)]
pub struct PendingChanges {
    changes: Mutex<GridChanges>,
    apply_queued: AtomicBool,
}

/// A `Send + Clone` handle through which a [`CellGrid`] is sized and changed from Rust.
#[derive(Clone)]
pub struct GridHandle(CxxQtThread<CellGrid>);

/// The grid's QML object has been destroyed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GridGone;

impl GridHandle {
    /// Sizes the grid (on the Qt thread's next event-loop turn).
    pub fn resize(&self, rows: u32, cols: u32) -> Result<(), GridGone> {
        self.0
            .queue(move |grid| grid.resize(rows, cols))
            .map_err(|_| GridGone)
    }

    /// Adds changes to `pending`, queueing one apply for all of them unless one is queued.
    pub fn batch(
        &self,
        pending: &Arc<PendingChanges>,
        change: impl FnOnce(&mut GridChanges),
    ) -> Result<(), GridGone> {
        change(&mut lock(&pending.changes));
        if pending.apply_queued.swap(true, Ordering::AcqRel) {
            return Ok(());
        }
        let pending = pending.clone();
        self.0
            .queue(move |grid| {
                pending.apply_queued.store(false, Ordering::Release);
                let changes = std::mem::take(&mut *lock(&pending.changes));
                grid.apply(changes);
            })
            .map_err(|_| GridGone)
    }
}

impl std::fmt::Debug for GridHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GridHandle")
    }
}

#[cfg(test)]
mod tests {
    use super::cell_index;

    #[test]
    fn numbers_outside_the_grid_have_no_cell() {
        assert_eq!(
            cell_index(0, 100),
            None,
            "0 has no cell (it used to underflow)"
        );
        assert_eq!(cell_index(1, 100), Some(0));
        assert_eq!(cell_index(100, 100), Some(99));
        assert_eq!(cell_index(101, 100), None);
        assert_eq!(cell_index(u32::MAX, 100), None);
        assert_eq!(cell_index(1, 0), None);
    }
}
