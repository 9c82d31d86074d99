package whip

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pion/webrtc/v4"

	"golive/media/stream"
	"golive/media/unit"
	"golive/outputs/dest"
	"golive/outputs/interleave"
)

// sender is one connection's send loop. Audio and video are merged by
// timestamp before they go out (outputs/interleave): Opus leaves its
// encoder tens of milliseconds after the video of the same instant, and a
// receiver that stamps media by arrival (MediaMTX, then its RTSP readers)
// would turn that into an audio delay.
type sender struct {
	p     *Publisher
	c     *conn
	s     *dest.Session
	keys  <-chan time.Time // PLI/FIR times (key frames asked for)
	merge interleave.Merger
	pliAt time.Time
}

func (x *sender) run(ctx context.Context) error {
	defer x.merge.Stop()
	for {
		if err := x.c.lost(); err != nil {
			return err
		}
		pkt, err := x.merge.Next(ctx, x.s.Reader)
		if errors.Is(err, stream.ErrClosed) {
			for q := x.merge.Drain(); q != nil; q = x.merge.Drain() {
				if err := x.send(q); err != nil {
					return err
				}
			}
		}
		if err != nil {
			return err
		}
		now := time.Now()
		for ; pkt != nil; pkt = x.s.Reader.TryRead() {
			if pkt.Codec == unit.CodecH264 || (pkt.Codec == unit.CodecOpus && x.c.audio != nil) {
				x.merge.Push(pkt, now)
			}
		}
		for q := x.merge.Pop(now); q != nil; q = x.merge.Pop(now) {
			if err := x.send(q); err != nil {
				return err
			}
		}
	}
}

// lost reports a connection that ICE or DTLS gave up on.
func (c *conn) lost() error {
	select {
	case <-c.state:
		// The state now: a queued event may be older than an ICE restart.
		if st := c.pc.ConnectionState(); st == webrtc.PeerConnectionStateFailed || st == webrtc.PeerConnectionStateClosed {
			return fmt.Errorf("whip %s: connection lost (ICE or DTLS %s)", c.client.endpoint.Host, st)
		}
	default:
	}
	return nil
}

func (x *sender) send(pkt *unit.Packet) error {
	select {
	case at := <-x.keys:
		if x.pliAt.IsZero() {
			x.pliAt = at
		}
	default:
	}
	t := x.c.video
	if pkt.Codec == unit.CodecOpus {
		t = x.c.audio
	}
	n, err := t.write(pkt)
	if err != nil {
		return fmt.Errorf("whip %s: send: %w", x.c.client.endpoint.Host, err)
	}
	x.s.Counters.Bytes.Add(uint64(n))
	if pkt.Codec == unit.CodecH264 {
		x.s.Counters.FramesSent.Add(1)
		if pkt.Key && !x.pliAt.IsZero() {
			x.p.counters().keyFrameSent(time.Since(x.pliAt))
			x.pliAt = time.Time{}
		}
	}
	return nil
}
