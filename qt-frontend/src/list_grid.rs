//! [`CellGrid`]: the eratosthenes grid as it was drawn before [`GridCanvas`]: a
//! `QAbstractListModel` whose cells a QML `GridView` draws as one `Text` delegate each
//! (`qml/SieveListWindow.qml`). Kept, with the `test-hooks` feature only, as the benchmarks'
//! baseline (`GUESTLOOP_QT_GRID=list`).
//!
//! Owns the model: a cell's `number`, `marked` and `markColor` roles and the `status` and
//! `columns` properties; a batch of changes is one `dataChanged`.
//!
//! [`GridCanvas`]: crate::grid_canvas::GridCanvas

use crate::grid_changes::{GridChanges, GridTarget, cell_index};
use cxx_qt::CxxQtType;
use cxx_qt_lib::{
    QByteArray, QColor, QHash, QHashPair_i32_QByteArray, QModelIndex, QString, QVariant, QVector,
};
use guestloop::sieve::Rgb;
use std::pin::Pin;

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
}

impl GridTarget for qobject::CellGrid {
    fn resize(mut self: Pin<&mut Self>, rows: u32, cols: u32) {
        self.as_mut().begin_reset_model();
        self.as_mut().rust_mut().get_mut().marks = vec![None; rows as usize * cols as usize];
        self.as_mut().end_reset_model();
        self.as_mut().set_rows(rows as i32);
        self.as_mut().set_columns(cols as i32);
        crate::measure::grid_sized();
    }

    /// The status, then one `dataChanged` over the span of changed rows.
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

impl cxx_qt::Initialize for qobject::CellGrid {
    fn initialize(self: Pin<&mut Self>) {
        crate::sieve::start(self);
    }
}
