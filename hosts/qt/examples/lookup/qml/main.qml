// The example's window: Load with a progress bar and Cancel; a search field whose latest
// keystroke wins. Closing the window while either runs ends their tasks with the Lookup.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtQuick.Window
import org.guestloop.lookup

Window {
    id: window
    title: "guestloop-qt: lookup"
    visible: true
    width: 460; height: 220
    // Closed while tasks run: cancel them, give them half a second, then quit.
    onClosing: (close) => {
        close.accepted = false
        lookup.quit_gracefully()
    }

    Lookup { id: lookup; objectName: "lookup" }

    // `--load-and-close MS` (the binary's test drive): load at once, close the window MS
    // milliseconds later, as its close button would, and say whether `onClosing` kept it open.
    readonly property int closeAfter: {
        const flag = Qt.application.arguments.indexOf("--load-and-close")
        return flag < 0 ? 0 : Number(Qt.application.arguments[flag + 1])
    }
    Component.onCompleted: if (closeAfter > 0) lookup.load()
    Timer {
        interval: window.closeAfter
        running: window.closeAfter > 0
        onTriggered: {
            window.close()
            console.info("asked to close; still open while quitting:", window.visible)
        }
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 16
        spacing: 10
        RowLayout {
            Button { text: "Load"; enabled: !lookup.loading; onClicked: lookup.load() }
            Button { text: "Cancel"; enabled: lookup.loading; onClicked: lookup.cancel() }
            ProgressBar { value: lookup.progress; Layout.fillWidth: true }
        }
        Label { text: lookup.status }
        TextField {
            placeholderText: "Search words…"
            Layout.fillWidth: true
            onTextEdited: lookup.search(text)
        }
        Label { text: lookup.results; Layout.fillWidth: true; wrapMode: Text.Wrap }
    }
}
