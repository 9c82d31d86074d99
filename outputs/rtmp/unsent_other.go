//go:build !linux

package rtmp

import "net"

// unsentBytes is not known on this system.
func unsentBytes(*net.TCPConn) (uint64, bool) { return 0, false }
