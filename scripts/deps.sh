# Sourced by the other scripts: installs missing Debian/Ubuntu packages, or says what to install.
#
# usage: ensure_packages PACKAGE...

# Building and running the Qt demos (Qt 6 from Debian; the qml6-module-* packages do not depend
# on each other, so all are listed). lld: the Qt build links twice as fast with it.
QT_PACKAGES=(g++ lld qt6-base-dev qt6-declarative-dev
    qml6-module-qtquick qml6-module-qtquick-window qml6-module-qtquick-layouts
    qml6-module-qtquick-controls qml6-module-qtquick-templates qml6-module-qtqml-workerscript
    fonts-noto-color-emoji)
# Running the winit demos: no -dev packages, winit and softbuffer load these X11 and xkbcommon
# libraries at run time (libX11-xcb is one of them, though not in every list).
WINIT_PACKAGES=(libx11-6 libx11-xcb1 libxcursor1 libxrandr2 libxi6 libxkbcommon-x11-0)
# Building and testing guestloop-glib and its GTK 4 example (GLib and GTK from Debian).
GTK_PACKAGES=(libgtk-4-dev)
# Testing the demos as a person would: a real X server, screenshots, clicks and keys, a real terminal;
# and the executor's unsafe task cell under memcheck.
TEST_PACKAGES=(xvfb xauth imagemagick xdotool tmux valgrind)

ensure_packages() {
    local missing=()
    local package
    for package in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$package")
        fi
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "error: this is not a Debian/Ubuntu system; install the equivalents of:" >&2
        echo "    ${missing[*]}" >&2
        return 1
    fi
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        if ! command -v sudo >/dev/null 2>&1; then
            echo "error: not root and no sudo; as root, run:" >&2
            echo "    apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
            return 1
        fi
        sudo="sudo"
    fi
    echo "Installing: ${missing[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_rust() {
    if ! command -v cargo >/dev/null 2>&1; then
        echo "error: cargo not found; install Rust (https://rustup.rs), then run this again" >&2
        return 1
    fi
}
