package rtp

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"syscall"
)

// dial opens the stream's sockets towards host:port and applies the TTL.
// The RTP socket is connected to the target, so the kernel reports an ICMP
// port unreachable and drops datagrams from anyone else. Without rtcp-mux
// the RTCP socket is bound to the RTP socket's local port + 1 (the usual
// pairing, RFC 3550 section 11), sends to the target's port+1 and accepts
// reports from the target's address only: receivers such as GStreamer send
// their reports from a socket of their own, not from port+1.
func (s *rtpStream) dial(host string, port, ttl int, mux bool) error {
	raddr, err := net.ResolveUDPAddr("udp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("resolve %s: %w", host, err)
	}
	s.rtcpAddr = &net.UDPAddr{IP: raddr.IP, Port: port + 1, Zone: raddr.Zone}
	if mux {
		s.rtcpAddr.Port = port
		s.conn, err = dialUDP(raddr, nil, ttl)
		s.rtcpConn = s.conn
		return err
	}
	for try := 0; try < 50; try++ {
		conn, err := dialUDP(raddr, nil, ttl)
		if err != nil {
			return err
		}
		local := conn.LocalAddr().(*net.UDPAddr)
		if local.Port%2 == 0 && local.Port < 65535 {
			rc, err := net.ListenUDP("udp", &net.UDPAddr{IP: local.IP, Port: local.Port + 1, Zone: local.Zone})
			if err == nil {
				if err := setTTL(rc, raddr.IP, ttl); err != nil {
					rc.Close()
					conn.Close()
					return fmt.Errorf("set ttl %d: %w", ttl, err)
				}
				s.conn, s.rtcpConn = conn, rc
				return nil
			}
		}
		conn.Close()
	}
	return errors.New("no free local UDP port pair for RTP and RTCP")
}

func dialUDP(raddr, laddr *net.UDPAddr, ttl int) (*net.UDPConn, error) {
	conn, err := net.DialUDP("udp", laddr, raddr)
	if err != nil {
		return nil, fmt.Errorf("open udp socket to %s: %w", raddr, err)
	}
	// A key frame is a burst of packets: leave the kernel room for it.
	_ = conn.SetWriteBuffer(1 << 20)
	if err := setTTL(conn, raddr.IP, ttl); err != nil {
		conn.Close()
		return nil, fmt.Errorf("set ttl %d on %s: %w", ttl, raddr, err)
	}
	return conn, nil
}

// muxed tells whether RTCP shares the RTP socket.
func (s *rtpStream) muxed() bool { return s.rtcpConn == s.conn }

// close closes the stream's sockets.
func (s *rtpStream) close() {
	if s.conn != nil {
		s.conn.Close()
	}
	if s.rtcpConn != nil && !s.muxed() {
		s.rtcpConn.Close()
	}
}

// localRTCPPort is where the stream expects Receiver Reports.
func (s *rtpStream) localRTCPPort() int {
	return s.rtcpConn.LocalAddr().(*net.UDPAddr).Port
}

// write sends one RTP datagram. An ICMP port unreachable (ECONNREFUSED on
// the connected socket) means nobody listens yet: it is recorded and the
// packet sent again once (the failed send carried nothing), never returned
// as an error, so a preview target without a player keeps streaming.
func (s *rtpStream) write(pkt []byte) error {
	s.wireBytes.Add(uint64(len(pkt)))
	_, err := s.conn.Write(pkt)
	if err == nil {
		return nil
	}
	if isRefused(err) {
		s.target.noReceiver()
		_, err = s.conn.Write(pkt)
		if err == nil || isRefused(err) {
			return nil
		}
	}
	return fmt.Errorf("send %s: %w", s.kind, err)
}

// writeRTCP sends one compound RTCP packet.
func (s *rtpStream) writeRTCP(pkt []byte) error {
	if s.muxed() {
		return s.write(pkt)
	}
	s.wireBytes.Add(uint64(len(pkt)))
	if _, err := s.rtcpConn.WriteToUDP(pkt, s.rtcpAddr); err != nil && !isRefused(err) {
		return fmt.Errorf("send %s rtcp: %w", s.kind, err)
	}
	return nil
}

// readRTCPFrom reads the next datagram and returns where it came from
// (nil for nothing to handle); an error once the socket is closed. With
// rtcp-mux the socket is connected: the kernel only delivers datagrams
// from the target's address and port.
func (s *rtpStream) readRTCPFrom(buf []byte) (int, *net.UDPAddr, error) {
	if s.muxed() {
		n, err := s.conn.Read(buf)
		if err != nil && isRefused(err) {
			s.target.noReceiver()
			return 0, nil, nil
		}
		return n, s.rtcpAddr, err
	}
	n, from, err := s.rtcpConn.ReadFromUDP(buf)
	if err != nil {
		if isRefused(err) {
			return 0, nil, nil
		}
		return 0, nil, err
	}
	return n, from, nil
}

func isRefused(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED)
}
