package rtmp

import (
	"net"

	"golang.org/x/sys/unix"
)

// tcpState returns the bytes tc's peer acknowledged since it opened
// (TCP_INFO tcpi_bytes_acked) and those it has not acknowledged yet
// (SIOCOUTQ, tcp(7)).
func tcpState(tc *net.TCPConn) (acked, unacked uint64, ok bool) {
	rc, err := tc.SyscallConn()
	if err != nil {
		return 0, 0, false
	}
	var info *unix.TCPInfo
	var q int
	var ierr, qerr error
	err = rc.Control(func(fd uintptr) {
		info, ierr = unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO)
		q, qerr = unix.IoctlGetInt(int(fd), unix.SIOCOUTQ)
	})
	if err != nil || ierr != nil || qerr != nil || q < 0 {
		return 0, 0, false
	}
	return info.Bytes_acked, uint64(q), true
}
