//go:build !unix

package rtp

import (
	"errors"
	"net"
)

// setTTL is not implemented off Unix: a non-zero TTL is an error there.
func setTTL(_ *net.UDPConn, _ net.IP, ttl int) error {
	if ttl == 0 {
		return nil
	}
	return errors.New("setting the TTL is not supported on this platform")
}
