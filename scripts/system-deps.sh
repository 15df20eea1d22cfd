#!/bin/sh
# Installs the Debian/Ubuntu libraries Qt needs, only those missing.
#   scripts/system-deps.sh test   libraries for offscreen Qt (tests, CI)
#   scripts/system-deps.sh run    the same plus the X11/xcb libraries for a real window
# Libraries are found by soname (ldconfig), so Debian 12 and Ubuntu 24.04 (t64 names) both work.
set -eu
mode=${1:-test}
command -v apt-get >/dev/null 2>&1 || exit 0      # not Debian-like: nothing we can do here

# soname:package[|fallback package]
offscreen="libglib-2.0.so.0:libglib2.0-0t64|libglib2.0-0 libEGL.so.1:libegl1 libGL.so.1:libgl1
libfontconfig.so.1:libfontconfig1 libxkbcommon.so.0:libxkbcommon0 libdbus-1.so.3:libdbus-1-3"
window="libX11-xcb.so.1:libx11-xcb1 libxkbcommon-x11.so.0:libxkbcommon-x11-0 libxcb-cursor.so.0:libxcb-cursor0
libxcb-icccm.so.4:libxcb-icccm4 libxcb-image.so.0:libxcb-image0 libxcb-keysyms.so.1:libxcb-keysyms1
libxcb-randr.so.0:libxcb-randr0 libxcb-render-util.so.0:libxcb-render-util0 libxcb-shape.so.0:libxcb-shape0
libxcb-xfixes.so.0:libxcb-xfixes0 libxcb-xkb.so.1:libxcb-xkb1"
wanted=$offscreen
[ "$mode" = run ] && wanted="$offscreen $window"

known=$(ldconfig -p 2>/dev/null || true)
missing=""
for entry in $wanted; do
    soname=${entry%%:*}
    pkgs=${entry#*:}
    printf '%s\n' "$known" | grep -q "$soname" && continue
    missing="$missing $pkgs"
done
# venv needs ensurepip (Debian ships it separately as python3-venv)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing="$missing python3-venv"
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ]; then sudo=""
elif command -v sudo >/dev/null 2>&1; then sudo="sudo"
else
    echo "缺少系统库：$missing" >&2
    echo "请以 root 身份运行：apt-get install -y $(echo "$missing" | sed 's/|[^ ]*//g')" >&2
    exit 1
fi
echo "安装 Qt 所需的系统库：$missing"
$sudo apt-get update -qq
for alternatives in $missing; do
    done_one=""
    for pkg in $(echo "$alternatives" | tr '|' ' '); do
        if $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null 2>&1; then
            done_one=yes; break
        fi
    done
    [ -n "$done_one" ] || { echo "无法安装 $alternatives" >&2; exit 1; }
done
