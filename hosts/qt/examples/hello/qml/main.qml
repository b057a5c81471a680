// The example's window: a name, a button, and the greeting the async method writes back (also
// once typing in the name pauses).
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtQuick.Window
import org.guestloop.hello

Window {
    title: "guestloop-qt: hello"
    visible: true
    width: 420; height: 180

    Greeter { id: greeter }

    ColumnLayout {
        anchors.centerIn: parent
        spacing: 12
        RowLayout {
            TextField {
                id: name
                objectName: "nameField"
                text: "World"
                Layout.preferredWidth: 200
                // A QML item's signal, awaited by a task: the greeter relays it.
                onTextEdited: greeter.name_edited(text)
            }
            Button {
                objectName: "greetButton"
                text: greeter.busy ? "Thinking…" : "Greet"
                enabled: !greeter.busy
                onClicked: greeter.greet(name.text)
            }
        }
        Label {
            Layout.alignment: Qt.AlignHCenter
            font.pointSize: 13
            text: greeter.greeting
        }
    }
}
