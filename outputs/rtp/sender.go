package rtp

import (
	"fmt"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
)

// rtpStream is one RTP session (RFC 3550 section 3): its sockets, SSRC,
// sequence numbers and timestamp offset, and its RTCP counters. RTP packets
// are built in one reused buffer; only the sending goroutine touches the
// header, the RTCP goroutine reads the atomic counters.
type rtpStream struct {
	kind      string // "video", "audio" or "mpegts"
	clockRate int
	conn      *net.UDPConn // RTP, connected to the target
	rtcpConn  *net.UDPConn // RTCP (the same socket with rtcp-mux)
	rtcpAddr  *net.UDPAddr // where RTCP goes: the target's port+1
	stats     *StreamStats
	target    *targetStats

	hdr      rtp.Header
	ssrc     uint32 // = hdr.SSRC, read by the RTCP goroutines
	tsOffset uint32
	buf      []byte // RTP header + payload, MTU sized minus the SRTP tag
	out      []byte // SRTP output

	// srtpMu serializes the SRTP context between RTP and RTCP senders.
	srtpMu sync.Mutex
	srtp   *srtp.Context
	// rocChanged (SRTP) is signalled when the sequence number wraps, for
	// the SDP to show the new rollover counter.
	rocChanged chan<- struct{}

	// clockBase is the wall-clock time of stream time zero (unix ns), set
	// with the first packet; Sender Reports wait for it.
	clockBase atomic.Int64
	packets   atomic.Uint32
	octets    atomic.Uint32
	// wireBytes counts every byte sent (the destination's bitrate).
	wireBytes *atomic.Uint64
	// gate decides which RTCP reports to believe (rtcp.go).
	gate rtcpGate
}

func newRTPStream(kind string, pt uint8, clockRate, mtu int, key []byte, rcc bool, target *targetStats) (*rtpStream, error) {
	s := &rtpStream{
		kind:      kind,
		clockRate: clockRate,
		target:    target,
		stats:     target.stream(kind),
		hdr: rtp.Header{
			Version:        2,
			PayloadType:    pt,
			SequenceNumber: uint16(rand.Uint32()),
			SSRC:           rand.Uint32(),
		},
		tsOffset:  rand.Uint32(),
		wireBytes: new(atomic.Uint64),
	}
	switch {
	case rcc:
		// VLC's SRTP receiver starts its replay window at sequence 0 and
		// rejects, as replays, every packet whose sequence number is
		// "behind" it (0x8040-0xffff): start within the first quarter.
		s.hdr.SequenceNumber &= 0x3fff
	case key != nil:
		// SDES keying (RFC 4568) cannot carry the rollover counter: a
		// receiver assumes ROC 0 from the first packet it sees. Starting
		// below 2^15, as libSRTP advises, leaves at least 32768 packets
		// before the first wrap (RFC 3711 section 3.3.1).
		s.hdr.SequenceNumber &= 0x7fff
	}
	tag := 0
	if key != nil {
		ctx, err := newSRTPContext(key, rcc)
		if err != nil {
			return nil, err
		}
		s.srtp = ctx
		tag = srtpTagSize
		s.out = make([]byte, mtu+srtcpTrailer)
	}
	s.buf = make([]byte, mtu-tag)
	s.ssrc = s.hdr.SSRC
	target.update(s.stats, func(st *StreamStats) { st.SSRC = s.ssrc })
	return s, nil
}

// setClockBase pairs stream time zero with a wall-clock time, once.
func (s *rtpStream) setClockBase(base time.Time) {
	s.clockBase.CompareAndSwap(0, base.UnixNano())
}

// timestamp converts a stream time to this stream's RTP timestamp.
func (s *rtpStream) timestamp(d time.Duration) uint32 {
	return s.tsOffset + uint32(d.Seconds()*float64(s.clockRate)+0.5)
}

// payloadBuffer implements payloadSink.
func (s *rtpStream) payloadBuffer() []byte { return s.buf[rtpHeaderSize:] }

// sendPayload implements payloadSink with the timestamp in s.hdr.
func (s *rtpStream) sendPayload(n int, marker bool) error {
	s.hdr.Marker = marker
	if _, err := s.hdr.MarshalTo(s.buf); err != nil {
		return fmt.Errorf("rtp header: %w", err)
	}
	pkt := s.buf[:rtpHeaderSize+n]
	if s.srtp != nil {
		var err error
		s.srtpMu.Lock()
		pkt, err = s.srtp.EncryptRTP(s.out[:0], pkt, nil)
		s.srtpMu.Unlock()
		if err != nil {
			return fmt.Errorf("srtp encrypt: %w", err)
		}
	}
	s.hdr.SequenceNumber++
	if s.hdr.SequenceNumber == 0 && s.srtp != nil {
		s.wrapped()
	}
	s.packets.Add(1)
	s.octets.Add(uint32(n))
	return s.write(pkt)
}

// wrapped counts a wrap of the sequence number in the SRTP rollover
// counter (RFC 3711 section 3.3.1) and asks for the SDP to be rewritten.
func (s *rtpStream) wrapped() {
	s.target.update(s.stats, func(st *StreamStats) { st.ROC++ })
	select {
	case s.rocChanged <- struct{}{}:
	default: // a rewrite is pending: it will read the new counter
	}
}
