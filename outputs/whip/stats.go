package whip

import (
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/interceptor/pkg/cc"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"

	"golive/outputs/dest"
)

// counters are a WHIP destination's protocol figures, kept over every
// connection of the destination.
type counters struct {
	retransmitted atomic.Uint64 // RTP packets sent again (NACK answers)
	nacks         atomic.Uint64 // NACK feedback packets received
	nackedPackets atomic.Uint64 // packets they asked for
	plis          atomic.Uint64 // PLI and FIR received
	keyRequests   atomic.Uint64 // key frames asked of the encoder
	lost          atomic.Int64  // cumulative loss the receiver reports (video)
	rttMicros     atomic.Int64  // from receiver reports, -1 unknown
	pliToKeyMs    atomic.Int64  // last PLI to the next key frame sent, -1 unknown
	pliToKeyMax   atomic.Int64  // the longest of those

	mu  sync.Mutex
	bwe cc.BandwidthEstimator // of the current connection
}

func newCounters() *counters {
	c := &counters{}
	c.rttMicros.Store(-1)
	c.pliToKeyMs.Store(-1)
	return c
}

func (c *counters) setEstimator(e cc.BandwidthEstimator) {
	c.mu.Lock()
	c.bwe = e
	c.mu.Unlock()
}

func (c *counters) estimateKbps() (float64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.bwe == nil {
		return 0, false
	}
	return float64(c.bwe.GetTargetBitrate()) / 1000, true
}

// pathFigures gives the adaptive controller the congestion controller's
// estimate (dest.Counters.SetPath): it drives the bitrate of an encoder
// this destination has of its own.
func (p *Publisher) pathFigures() (dest.PathFigures, bool) {
	e, ok := p.counters().estimateKbps()
	if !ok || e <= 0 {
		return dest.PathFigures{}, false
	}
	return dest.PathFigures{Estimate: uint64(e * 1000)}, true
}

func (c *counters) keyFrameSent(afterPLI time.Duration) {
	ms := afterPLI.Milliseconds()
	c.pliToKeyMs.Store(ms)
	for {
		m := c.pliToKeyMax.Load()
		if ms <= m || c.pliToKeyMax.CompareAndSwap(m, ms) {
			return
		}
	}
}

// detail is the map of dest.DetailReporter.
func (c *counters) detail() map[string]any {
	d := map[string]any{
		"retransmitted":  c.retransmitted.Load(),
		"nacks":          c.nacks.Load(),
		"nacked_packets": c.nackedPackets.Load(),
		"plis":           c.plis.Load(),
		"key_requests":   c.keyRequests.Load(),
		"lost":           c.lost.Load(),
	}
	if e, ok := c.estimateKbps(); ok {
		d["estimate_kbps"] = e
	}
	if r := c.rttMicros.Load(); r >= 0 {
		d["rtt_ms"] = float64(r) / 1000
	}
	if k := c.pliToKeyMs.Load(); k >= 0 {
		d["pli_to_key_ms"] = k
		d["pli_to_key_max_ms"] = c.pliToKeyMax.Load()
	}
	return d
}

// feedback reads the RTCP a receiver sent about our streams.
func (c *counters) feedback(pkts []rtcp.Packet, videoSSRC uint32, now time.Time) (keyFrame bool) {
	for _, p := range pkts {
		switch p := p.(type) {
		case *rtcp.TransportLayerNack:
			c.nacks.Add(1)
			for _, n := range p.Nacks {
				c.nackedPackets.Add(uint64(len(n.PacketList())))
			}
		case *rtcp.PictureLossIndication:
			c.plis.Add(1)
			keyFrame = true
		case *rtcp.FullIntraRequest:
			c.plis.Add(1)
			keyFrame = true
		case *rtcp.ReceiverReport:
			c.receptionReports(p.Reports, videoSSRC, now)
		case *rtcp.SenderReport:
			c.receptionReports(p.Reports, videoSSRC, now)
		}
	}
	return keyFrame
}

// receptionReports takes the receiver's loss count and the round trip
// (RFC 3550 section 6.4.1: A - LSR - DLSR, in 1/65536 s).
func (c *counters) receptionReports(reports []rtcp.ReceptionReport, videoSSRC uint32, now time.Time) {
	for _, r := range reports {
		if r.SSRC != videoSSRC {
			continue
		}
		c.lost.Store(int64(r.TotalLost))
		if r.LastSenderReport == 0 {
			continue
		}
		rtt := int64(compactNTP(now)) - int64(r.LastSenderReport) - int64(r.Delay)
		if rtt < 0 {
			rtt += 1 << 32
		}
		if us := rtt * 1_000_000 >> 16; us >= 0 && us < 60_000_000 {
			c.rttMicros.Store(us)
		}
	}
}

// compactNTP is the middle 32 bits of the NTP timestamp of t.
func compactNTP(t time.Time) uint32 {
	const ntpEpochOffset = 2208988800
	secs := uint64(t.Unix()) + ntpEpochOffset
	frac := uint64(float64(t.Nanosecond()) * math.Exp2(32) / 1e9)
	return uint32(secs<<16 | frac>>16)
}

// retransmitCounter is an interceptor placed under the NACK responder
// (nearest the network): it sees every RTP packet sent, and counts those
// whose sequence number was already sent, which are the retransmissions.
type retransmitCounter struct {
	interceptor.NoOp
	c *counters
}

type retransmitFactory struct{ c *counters }

func (f *retransmitFactory) NewInterceptor(string) (interceptor.Interceptor, error) {
	return &retransmitCounter{c: f.c}, nil
}

// BindLocalStream wraps each outgoing stream's writer.
func (r *retransmitCounter) BindLocalStream(_ *interceptor.StreamInfo, w interceptor.RTPWriter) interceptor.RTPWriter {
	var mu sync.Mutex
	var sent [1 << 16 / 64]uint64 // one bit per sequence number
	return interceptor.RTPWriterFunc(func(h *rtp.Header, payload []byte, a interceptor.Attributes) (int, error) {
		mu.Lock()
		s := h.SequenceNumber
		if sent[s/64]&(1<<(s%64)) != 0 {
			r.c.retransmitted.Add(1)
		} else {
			sent[s/64] |= 1 << (s % 64)
			o := s + 1<<15 // forget numbers half a cycle away
			sent[o/64] &^= 1 << (o % 64)
		}
		mu.Unlock()
		return w.Write(h, payload, a)
	})
}
