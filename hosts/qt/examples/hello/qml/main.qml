// The example's window: a name, a button, and the greeting the async method writes back.
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
            TextField { id: name; text: "World"; Layout.preferredWidth: 200 }
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
