// The minimal window: a label Rust writes, and a button whose clicks an async task awaits.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtQuick.Window
import org.guestloop.demos

Window {
    title: "guestloop: minimal"
    visible: true
    width: 460; height: 160

    MinimalDemo { id: demo }

    ColumnLayout {
        anchors.centerIn: parent
        spacing: 16
        Label {
            objectName: "answer"
            Layout.alignment: Qt.AlignHCenter
            font.pointSize: 14
            text: demo.label
        }
        Button {
            objectName: "questionButton"
            Layout.alignment: Qt.AlignHCenter
            text: "What is the question?"
            onClicked: demo.asked()
        }
    }
}
