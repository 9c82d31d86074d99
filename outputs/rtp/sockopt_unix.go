//go:build unix

package rtp

import (
	"net"
	"syscall"
)

// setTTL sets the multicast TTL (or the unicast hop limit) of a socket;
// ttl 0 keeps the system default.
func setTTL(conn *net.UDPConn, ip net.IP, ttl int) error {
	if ttl == 0 {
		return nil
	}
	level, opt := syscall.IPPROTO_IP, syscall.IP_TTL
	switch {
	case ip.To4() != nil && ip.IsMulticast():
		opt = syscall.IP_MULTICAST_TTL
	case ip.To4() == nil && ip.IsMulticast():
		level, opt = syscall.IPPROTO_IPV6, syscall.IPV6_MULTICAST_HOPS
	case ip.To4() == nil:
		level, opt = syscall.IPPROTO_IPV6, syscall.IPV6_UNICAST_HOPS
	}
	raw, err := conn.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := raw.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), level, opt, ttl)
	}); err != nil {
		return err
	}
	return serr
}
