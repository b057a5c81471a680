// The example's window: Load with a progress bar and Cancel; a search field whose latest
// keystroke wins. Closing the window while either runs ends their tasks with the Lookup.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtQuick.Window
import org.guestloop.lookup

Window {
    title: "guestloop-qt: lookup"
    visible: true
    width: 460; height: 220
    // Closed while tasks run: cancel them, give them half a second, then quit.
    onClosing: (close) => {
        close.accepted = false
        lookup.quit_gracefully()
    }

    Lookup { id: lookup; objectName: "lookup" }

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
