//go:build !linux

package rtmp

import "net"

// tcpState is not known on this system.
func tcpState(*net.TCPConn) (acked, unacked uint64, ok bool) { return 0, 0, false }
