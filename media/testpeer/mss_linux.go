package testpeer

import "golang.org/x/sys/unix"

// setMSS sets a listening socket's maximum segment size (TCP_MAXSEG),
// which its accepted connections advertise.
func setMSS(fd uintptr, mss int) error {
	return unix.SetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_MAXSEG, mss)
}
