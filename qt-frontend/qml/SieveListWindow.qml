// The eratosthenes window as it was before GridCanvas (one Text delegate a cell): the benchmarks' baseline.
import QtQuick
import QtQuick.Window
import org.guestloop.demos

Window {
    id: window
    title: "guestloop: eratosthenes"
    visible: true
    // Wide enough for the largest number in bold; the window scrolls past about 1260×960.
    readonly property int digits: String(cells.rows * cells.columns).length
    readonly property int cellWidth: Math.max(20, digits * 6 + 7)
    readonly property int cellHeight: 22
    width: Math.min(cells.columns * cellWidth + 16, 1260)
    height: Math.min(status.height + cells.rows * cellHeight + 24, 960)
    color: "white"

    CellGrid { id: cells }

    Text {
        id: status
        objectName: "status"
        x: 8; y: 6
        width: parent.width - 16
        horizontalAlignment: Text.AlignHCenter
        font.pointSize: 14
        text: cells.status
    }

    GridView {
        id: grid
        objectName: "grid"
        anchors { left: parent.left; right: parent.right; bottom: parent.bottom; top: status.bottom }
        anchors.margins: 8
        clip: true
        cellWidth: window.cellWidth; cellHeight: window.cellHeight
        contentWidth: cells.columns * cellWidth
        flickableDirection: Flickable.AutoFlickIfNeeded
        model: cells
        delegate: Text {
            required property int number
            required property bool marked
            required property color markColor
            width: grid.cellWidth; height: grid.cellHeight
            horizontalAlignment: Text.AlignHCenter
            verticalAlignment: Text.AlignVCenter
            text: number
            font.pixelSize: 9
            font.bold: marked
            color: markColor
        }
    }
}
