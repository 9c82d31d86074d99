package testpeer

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
)

// The ports tests pick for a peer to bind after them come from below
// Linux's ephemeral range (net.ipv4.ip_local_port_range, 32768-60999 by
// default), which the kernel never hands out on its own: a port checked
// free and released is then not taken, before the peer binds it, by the
// local end of some connection or unbound socket (the test's own
// senders, ffmpeg's RTCP sockets, another program's resolver).
const (
	pickLow  = 20000
	pickHigh = 32000 // exclusive
	// pickTries bounds the search (each try checks a random port).
	pickTries = 500
)

// PickPort returns the first of n consecutive ports (the first even when
// even is set, as RTP wants) that are free on 127.0.0.1 for network
// ("tcp" or "udp") right now, released again: for a peer that binds them
// itself.
func PickPort(network string, n int, even bool) (int, error) {
	if n < 1 || n > 16 {
		return 0, fmt.Errorf("pick port: %d ports", n)
	}
	for range pickTries {
		base := pickLow + rand.IntN(pickHigh-pickLow-n)
		if even {
			base &^= 1
		}
		if err := tryPorts(network, base, n); err == nil {
			return base, nil
		}
	}
	return 0, fmt.Errorf("pick port: no %d free %s ports in %d-%d after %d tries", n, network, pickLow, pickHigh, pickTries)
}

// tryPorts binds ports base..base+n-1 and releases them.
func tryPorts(network string, base, n int) error {
	var closers []func() error
	defer func() {
		for _, c := range closers {
			_ = c()
		}
	}()
	for p := base; p < base+n; p++ {
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(p))
		switch network {
		case "tcp":
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return err
			}
			closers = append(closers, ln.Close)
		case "udp":
			c, err := net.ListenPacket("udp", addr)
			if err != nil {
				return err
			}
			closers = append(closers, c.Close)
		default:
			return errors.New("pick port: network must be tcp or udp")
		}
	}
	return nil
}
