package rtmp

import (
	"net"

	"golang.org/x/sys/unix"
)

// unsentBytes returns how many bytes written to tc its peer has not
// acknowledged yet (SIOCOUTQ, tcp(7)).
func unsentBytes(tc *net.TCPConn) (uint64, bool) {
	rc, err := tc.SyscallConn()
	if err != nil {
		return 0, false
	}
	var n int
	var ierr error
	if err := rc.Control(func(fd uintptr) { n, ierr = unix.IoctlGetInt(int(fd), unix.SIOCOUTQ) }); err != nil || ierr != nil || n < 0 {
		return 0, false
	}
	return uint64(n), true
}
