// The primes window: what is counted, a progress bar and the running figures, Start and Cancel.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtQuick.Window
import org.guestloop.demos

Window {
    title: "guestloop: primes"
    visible: true
    width: 560; height: 270
    color: "white"

    PrimesDemo {
        id: demo
        onAskStop: stopDialog.open()
    }

    // Opened with open(), not exec(): no nested event loop. A guest task awaits the answer.
    Dialog {
        id: stopDialog
        objectName: "stopDialog"
        title: "Stop counting?"
        modal: true
        anchors.centerIn: parent
        Label { text: "The segments counted so far are lost." }
        footer: DialogButtonBox {
            Button {
                objectName: "stopButton"
                text: "Stop"
                DialogButtonBox.buttonRole: DialogButtonBox.AcceptRole
            }
            Button {
                objectName: "keepButton"
                text: "Keep counting"
                DialogButtonBox.buttonRole: DialogButtonBox.RejectRole
            }
        }
        onAccepted: demo.stopAnswered(true)
        onRejected: demo.stopAnswered(false)
    }

    // Whole numbers with thousands separators, the same whatever the system's locale.
    function grouped(n) { return Number(n).toLocaleString(Qt.locale("en_US"), "f", 0) }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 20
        spacing: 14

        Label {
            objectName: "limit"
            font.pointSize: 13
            text: "Count the primes up to " + grouped(demo.limit) + " on " + demo.workers
                  + (demo.workers === 1 ? " worker" : " workers")
        }
        ProgressBar {
            objectName: "progressBar"
            Layout.fillWidth: true
            from: 0; to: 1
            value: demo.progress
        }
        GridLayout {
            columns: 2
            columnSpacing: 16; rowSpacing: 4
            Label { text: "Done" }
            Label { objectName: "percent"; text: (demo.progress * 100).toFixed(1) + " %" }
            Label { text: "Primes so far" }
            Label { objectName: "primesSoFar"; text: grouped(demo.primesSoFar) }
            Label { text: "Elapsed" }
            Label { objectName: "elapsed"; text: demo.elapsed.toFixed(2) + " s" }
        }
        Label {
            objectName: "status"
            font.pointSize: 14
            font.bold: true
            text: demo.status
        }
        RowLayout {
            spacing: 12
            Button {
                objectName: "startButton"
                text: "Start"
                enabled: !demo.running
                onClicked: demo.start()
            }
            Button {
                objectName: "cancelButton"
                text: "Cancel"
                enabled: demo.running
                onClicked: demo.cancel()
            }
        }
        Item { Layout.fillHeight: true }
    }
}
