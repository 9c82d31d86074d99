#!/usr/bin/env bash
# Builds dist/golive_<version>_amd64.deb from a golive binary: /usr/bin/golive,
# the desktop entry, hicolor icons, AppStream metainfo; Depends computed by
# dpkg-shlibdeps from the libraries the binary links (FFmpeg, GL, X11, ...).
# Usage: bash assets/packaging/build-deb.sh BIN VERSION [OUTDIR]
set -euo pipefail
bin=$1 version=$2 out=${3:-dist}
here=$(cd "$(dirname "$0")" && pwd)
id=io.golive.app
arch=$(dpkg --print-architecture)
for tool in dpkg-deb dpkg-shlibdeps convert; do
  command -v "$tool" >/dev/null || { echo "build-deb: $tool is missing (make deps installs it)" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
install -D -m 0755 "$bin" "$root/usr/bin/golive"
strip --strip-unneeded "$root/usr/bin/golive"
install -D -m 0644 "$here/$id.desktop" "$root/usr/share/applications/$id.desktop"
mkdir -p "$root/usr/share/metainfo"
sed -e "s/@VERSION@/$version/" -e "s/@DATE@/$(date -u +%F)/" "$here/$id.metainfo.xml" \
  >"$root/usr/share/metainfo/$id.metainfo.xml"
for size in 32 48 64 128 256 512; do
  d=$root/usr/share/icons/hicolor/${size}x${size}/apps
  mkdir -p "$d"
  convert "$here/../icon.png" -resize "${size}x${size}" -strip "PNG32:$d/$id.png"
done
install -D -m 0644 "$here/copyright" "$root/usr/share/doc/golive/copyright"

# dpkg-shlibdeps wants a debian/control in the working directory.
mkdir -p "$work/src/debian"
printf 'Source: golive\n\nPackage: golive\nArchitecture: any\n' >"$work/src/debian/control"
depends=$(cd "$work/src" && dpkg-shlibdeps -O "$root/usr/bin/golive" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { echo "build-deb: dpkg-shlibdeps found no dependencies" >&2; exit 1; }

mkdir -p "$root/DEBIAN"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<CONTROL
Package: golive
Version: $version
Architecture: $arch
Maintainer: The GoLive developers <golive@golive.io>
Installed-Size: $size
Depends: $depends
Suggests: pipewire, xdg-desktop-portal
Section: video
Priority: optional
Homepage: https://golive.io/
Description: stream the screen and microphone to many destinations at once
 GoLive captures the screen (X11, or Wayland through xdg-desktop-portal and
 PipeWire) and the microphone, encodes them once with FFmpeg and publishes
 the stream to every enabled destination at the same time: RTMP/RTMPS
 services, RTP previews and recordings.
CONTROL
mkdir -p "$out"
deb=$out/golive_${version}_${arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
