package faults

import "net"

type udpConn struct{ c *net.UDPConn }

func listenUDP(port int) (*udpConn, error) {
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
	if err != nil {
		return nil, err
	}
	return &udpConn{c: c}, nil
}

func (u *udpConn) port() int { return u.c.LocalAddr().(*net.UDPAddr).Port }
func (u *udpConn) close()    { _ = u.c.Close() }
