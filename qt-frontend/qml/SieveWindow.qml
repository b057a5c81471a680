// The eratosthenes window: the status line on top (14 pt), the grid below, drawn by one item.
// The mouse wheel zooms, dragging pans, and the number under the pointer shows beside it.
import QtQuick
import QtQuick.Window
import org.guestloop.demos

Window {
    id: window
    title: "guestloop: eratosthenes"
    visible: true
    width: cells.preferredWidth + 16
    height: status.height + cells.preferredHeight + 24
    color: "white"

    Text {
        id: status
        objectName: "status"
        x: 8; y: 6
        width: parent.width - 16
        horizontalAlignment: Text.AlignHCenter
        font.pointSize: 14
        text: cells.status
        z: 1 // above the grid, whatever it draws
    }

    GridCanvas {
        id: cells
        objectName: "grid"
        anchors { left: parent.left; right: parent.right; bottom: parent.bottom; top: status.bottom }
        anchors.margins: 8
        fillColor: "white"

        MouseArea {
            id: pointer
            anchors.fill: parent
            hoverEnabled: true
            cursorShape: pressed ? Qt.ClosedHandCursor : Qt.ArrowCursor
            property point last
            onPressed: (mouse) => last = Qt.point(mouse.x, mouse.y)
            onPositionChanged: (mouse) => {
                if (pressed) {
                    cells.panBy(last.x - mouse.x, last.y - mouse.y)
                    last = Qt.point(mouse.x, mouse.y)
                }
                cells.hoverAt(mouse.x, mouse.y)
            }
            onEntered: cells.hoverAt(mouseX, mouseY) // entering is not a move
            onExited: cells.hoverEnd()
            onWheel: (wheel) => cells.zoomAt(wheel.x, wheel.y, wheel.angleDelta.y / 120)
        }

        // The number under the pointer, beside it (kept inside the grid's area).
        Rectangle {
            objectName: "hover"
            visible: cells.hoverText !== "" && pointer.containsMouse
            x: Math.min(pointer.mouseX + 14, cells.width - width)
            y: Math.min(pointer.mouseY + 14, cells.height - height)
            width: hoverLabel.implicitWidth + 10
            height: hoverLabel.implicitHeight + 6
            color: "#fffbe6"
            border.color: "#888"
            radius: 3
            Text {
                id: hoverLabel
                objectName: "hoverLabel"
                anchors.centerIn: parent
                font.pixelSize: 12
                text: cells.hoverText
            }
        }
    }
}
