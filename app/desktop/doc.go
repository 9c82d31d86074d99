// Package desktop holds GoLive's end-to-end tests on a Linux desktop:
// screen capture on a real headless Wayland session through the desktop
// portal and PipeWire (started by ../shared/wayland/env.sh), the window
// going live there, and the Debian package (make package, apt-get install).
package desktop
