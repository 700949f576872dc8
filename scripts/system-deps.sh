#!/bin/sh
# System packages haechi needs besides Python: a C++ toolchain, cmake, pkg-config and the libav*
# headers to build the `vpdq` package (video hashing), and ffmpeg (its ffprobe checks every video
# against the limits before it is decoded). Installs what is missing when run as root on a
# Debian-like system; otherwise prints what to install and fails.
set -eu

missing=""
command -v g++ >/dev/null 2>&1 || missing="$missing build-essential"
command -v cmake >/dev/null 2>&1 || missing="$missing cmake"
command -v pkg-config >/dev/null 2>&1 || missing="$missing pkg-config"
command -v ffprobe >/dev/null 2>&1 || missing="$missing ffmpeg"
for lib in libavcodec libavformat libavdevice libavutil libavfilter libswscale libswresample; do
  pkg-config --exists "$lib" 2>/dev/null || missing="$missing $lib-dev"
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing system packages:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
  exit 0
fi

echo "haechi needs these system packages (Debian/Ubuntu names):$missing" >&2
echo "install them, e.g.: sudo apt-get install$missing" >&2
exit 1
