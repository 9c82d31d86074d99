package rtp

import (
	"fmt"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/pion/rtcp"
)

// ntpEpochOffset is the number of seconds from 1900 (NTP) to 1970 (Unix).
const ntpEpochOffset = 2208988800

// ntpTime converts a wall-clock time to the 64-bit NTP timestamp format of
// RFC 3550 section 4.
func ntpTime(t time.Time) uint64 {
	secs := uint64(t.Unix()) + ntpEpochOffset
	frac := (uint64(t.Nanosecond()) << 32) / uint64(time.Second)
	return secs<<32 | frac
}

// senderReport builds the Sender Report of RFC 3550 section 6.4.1: the NTP
// time of now paired with the RTP timestamp the stream's clock has at that
// instant, and the packet and octet counts. It returns false before the
// first packet, when the stream clock is not anchored yet.
func (s *rtpStream) senderReport(now time.Time) (*rtcp.SenderReport, bool) {
	base := s.clockBase.Load()
	if base == 0 {
		return nil, false
	}
	elapsed := now.Sub(time.Unix(0, base))
	return &rtcp.SenderReport{
		SSRC:        s.ssrc,
		NTPTime:     ntpTime(now),
		RTPTime:     s.tsOffset + uint32(int64(elapsed.Seconds()*float64(s.clockRate))),
		PacketCount: s.packets.Load(),
		OctetCount:  s.octets.Load(),
	}, true
}

// sendSR sends a compound RTCP packet: SR, SDES CNAME and, when bye, BYE
// (RFC 3550 section 6.1 wants every compound packet to start with a report
// and carry a CNAME).
func (s *rtpStream) sendSR(now time.Time, cname string, bye bool) error {
	sr, ok := s.senderReport(now)
	if !ok {
		return nil
	}
	pkts := []rtcp.Packet{sr, &rtcp.SourceDescription{Chunks: []rtcp.SourceDescriptionChunk{{
		Source: s.ssrc,
		Items:  []rtcp.SourceDescriptionItem{{Type: rtcp.SDESCNAME, Text: cname}},
	}}}}
	if bye {
		pkts = append(pkts, &rtcp.Goodbye{Sources: []uint32{s.ssrc}, Reason: "stream stopped"})
	}
	b, err := rtcp.Marshal(pkts)
	if err != nil {
		return fmt.Errorf("rtcp marshal: %w", err)
	}
	if s.srtp != nil {
		s.srtpMu.Lock()
		b, err = s.srtp.EncryptRTCP(nil, b, nil)
		s.srtpMu.Unlock()
		if err != nil {
			return fmt.Errorf("srtcp encrypt: %w", err)
		}
	}
	s.gate.sentSR(sr.NTPTime)
	s.target.update(s.stats, func(st *StreamStats) {
		st.SRSent++
		st.Packets = sr.PacketCount
		st.Octets = sr.OctetCount
	})
	return s.writeRTCP(b)
}

// readRTCP reads what comes back on the RTCP socket until it is closed.
func (s *rtpStream) readRTCP() {
	buf := make([]byte, 1500)
	for {
		n, from, err := s.readRTCPFrom(buf)
		if err != nil {
			return
		}
		if from != nil {
			s.handleRTCP(buf[:n], from, time.Now())
		}
	}
}

// isRTCP tells RTCP from RTP on a muxed port (RFC 5761 section 4): RTCP
// packet types 192-223 sit where RTP has marker + payload type.
func isRTCP(b []byte) bool {
	return len(b) >= 8 && b[1] >= 192 && b[1] <= 223
}

// handleRTCP checks where a compound packet comes from, authenticates it
// (SRTCP, RFC 3711 section 3.4) and keeps the plausible reception reports
// about this stream. Anything else is ignored and counted: RTCP arrives
// over UDP from anyone who knows the port (RFC 3550 section 9.1 on
// spoofed reports), and the figures it carries are shown to the user.
func (s *rtpStream) handleRTCP(b []byte, from *net.UDPAddr, now time.Time) {
	if !isRTCP(b) || !from.IP.Equal(s.rtcpAddr.IP) {
		s.target.ignoreReport()
		return
	}
	known := from.Port == s.rtcpAddr.Port || s.gate.isLearned(from.Port)
	if s.srtp != nil {
		s.srtpMu.Lock()
		plain, err := s.srtp.DecryptRTCP(nil, b, nil)
		s.srtpMu.Unlock()
		if err != nil {
			s.target.ignoreReport() // plain or forged RTCP to an SRTP target
			return
		}
		b, known = plain, true // only the key holder can authenticate
	}
	pkts, err := rtcp.Unmarshal(b)
	if err != nil {
		s.target.ignoreReport()
		return
	}
	reports := s.reportsAboutUs(pkts)
	if !known {
		// Another port of the target's host: believe it once a report
		// echoes one of our recent Sender Reports (LSR), which only a
		// host that receives our RTCP can know; GStreamer reports from a
		// socket of its own.
		if !s.gate.echoesOurSR(reports) {
			s.target.ignoreReport()
			return
		}
		s.gate.learn(from.Port)
	}
	for _, r := range reports {
		if !s.plausible(r) {
			s.target.ignoreReport()
			continue
		}
		s.applyReport(r, now)
	}
}

// reportsAboutUs returns the reception reports of a compound packet whose
// source is this stream's SSRC.
func (s *rtpStream) reportsAboutUs(pkts []rtcp.Packet) []rtcp.ReceptionReport {
	var out []rtcp.ReceptionReport
	for _, p := range pkts {
		var reports []rtcp.ReceptionReport
		switch p := p.(type) {
		case *rtcp.ReceiverReport:
			reports = p.Reports
		case *rtcp.SenderReport:
			reports = p.Reports
		}
		for _, r := range reports {
			if r.SSRC == s.ssrc {
				out = append(out, r)
			}
		}
	}
	return out
}

// maxReportJitter is the largest interarrival jitter believed: a receiver
// whose packets wander by more than this is not playing a live stream.
const maxReportJitter = 10 * time.Second

// plausible rejects reception reports that cannot describe this stream:
// more packets lost (or duplicated) than were ever sent, or a jitter of
// more than maxReportJitter (RFC 3550 section 6.4.1 fields).
func (s *rtpStream) plausible(r rtcp.ReceptionReport) bool {
	sent := int64(s.packets.Load())
	lost := int64(signed24(r.TotalLost))
	if lost > sent || -lost > sent {
		return false
	}
	if r.FractionLost > 0 && sent == 0 {
		return false
	}
	jitter := time.Duration(float64(r.Jitter) / float64(s.clockRate) * float64(time.Second))
	return jitter <= maxReportJitter
}

// rtcpGate remembers the middle 32 bits of the NTP time of the last Sender
// Reports sent (what a receiver echoes as LSR) and the receiver ports that
// proved they get them.
type rtcpGate struct {
	mu      sync.Mutex
	sent    [16]uint32
	next    int
	learned int // 0 until learned
}

// sentSR records the LSR value of a Sender Report just sent.
func (g *rtcpGate) sentSR(ntp uint64) {
	g.mu.Lock()
	g.sent[g.next%len(g.sent)] = uint32(ntp >> 16)
	g.next++
	g.mu.Unlock()
}

func (g *rtcpGate) echoesOurSR(reports []rtcp.ReceptionReport) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, r := range reports {
		if r.LastSenderReport != 0 && slices.Contains(g.sent[:], r.LastSenderReport) {
			return true
		}
	}
	return false
}

func (g *rtcpGate) learn(port int) {
	g.mu.Lock()
	g.learned = port
	g.mu.Unlock()
}

func (g *rtcpGate) isLearned(port int) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.learned != 0 && g.learned == port
}

// applyReport turns a reception report into statistics. The round-trip
// time is the arrival time minus LSR minus DLSR (RFC 3550 section 6.4.1),
// all in 1/65536 s.
func (s *rtpStream) applyReport(r rtcp.ReceptionReport, now time.Time) {
	rtt := -1.0
	if r.LastSenderReport != 0 {
		arrival := uint32(ntpTime(now) >> 16)
		if d := int32(arrival - r.LastSenderReport - r.Delay); d >= 0 {
			rtt = float64(d) * 1000 / 65536
		}
	}
	s.target.update(s.stats, func(st *StreamStats) {
		st.RRReceived++
		st.LastRR = now
		st.FractionLost = float64(r.FractionLost) / 256
		st.TotalLost = signed24(r.TotalLost)
		st.JitterMs = float64(r.Jitter) * 1000 / float64(s.clockRate)
		st.RTTMs = rtt
	})
}

// signed24 sign-extends the 24-bit cumulative loss of a reception report
// (RFC 3550 section 6.4.1: it goes negative when duplicates arrive).
func signed24(v uint32) int32 {
	v &= 0xffffff
	if v&0x800000 != 0 {
		return int32(v) - 0x1000000
	}
	return int32(v)
}
