package rtp

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"golive/media/stream"
	"golive/media/unit"
	"golive/outputs/dest"
	"golive/outputs/interleave"
)

// Run implements dest.Worker: it writes the SDP, opens the sockets, reports
// live and sends until ctx ends or the stream closes. A missing receiver is
// not an error (see Detail); configuration errors are fatal.
func (t *Target) Run(ctx context.Context, s *dest.Session) (err error) {
	defer func() {
		if ctx.Err() != nil || errors.Is(err, stream.ErrClosed) {
			t.removeKeySDP() // the stream ends: its SRTP key goes with it
		}
	}()
	if err := t.init(); err != nil {
		return dest.Fatal(err)
	}
	if err := checkVideo(s.Tracks.Video); err != nil {
		return dest.Fatal(err)
	}
	t.stats.resetStreams()
	if _, err := t.WriteSDP(s.Tracks); err != nil {
		return dest.Fatal(err)
	}
	t.stats.mu.Lock()
	t.stats.url = t.VLCURL()
	t.stats.mu.Unlock()
	if t.Mode == ModeNative {
		return t.runNative(ctx, s)
	}
	return t.runMPEGTS(ctx, s)
}

// session is one Run's set of RTP streams and their RTCP goroutines.
type session struct {
	t       *Target
	streams []*rtpStream
	cname   string
	base    time.Time // wall-clock time of stream time zero
	stop    chan struct{}
	wg      sync.WaitGroup
	tracks  unit.Tracks
	// rocChanged wakes sdpLoop when an SRTP sequence number wraps.
	rocChanged chan struct{}
}

// openSession creates and connects one RTP stream per spec, the RTP port
// of each being Port + 2*index.
func (t *Target) openSession(s *dest.Session, specs ...streamSpec) (*session, error) {
	ss := &session{t: t, cname: fmt.Sprintf("golive-%08x@%s", rand.Uint32(), t.Name), stop: make(chan struct{}),
		tracks: s.Tracks, rocChanged: make(chan struct{}, 1)}
	for i, spec := range specs {
		st, err := newRTPStream(spec.kind, spec.pt, spec.clockRate, t.mtu(), t.key, t.SRTPRCC, &t.stats)
		if err != nil {
			ss.closeSockets()
			return nil, err
		}
		st.wireBytes = &s.Counters.Bytes
		st.rocChanged = ss.rocChanged
		if err := st.dial(t.Host, t.Port+2*i, t.TTL, t.RTCPMux); err != nil {
			ss.closeSockets()
			return nil, err
		}
		t.stats.update(st.stats, func(x *StreamStats) { x.LocalRTCPPort = st.localRTCPPort() })
		ss.streams = append(ss.streams, st)
	}
	return ss, nil
}

type streamSpec struct {
	kind      string
	pt        uint8
	clockRate int
}

// start runs a Receiver Report reader per stream (not for multicast: the
// reports come from unknown hosts there) and the Sender Report ticker.
func (ss *session) start() {
	if !ss.t.isMulticast() {
		for _, st := range ss.streams {
			ss.wg.Go(st.readRTCP)
		}
	}
	ss.wg.Go(ss.reportLoop)
	if ss.t.SRTP {
		ss.t.stats.mu.Lock()
		ss.t.stats.cname = ss.cname
		ss.t.stats.mu.Unlock()
		ss.writeSDP()
		ss.wg.Go(ss.sdpLoop)
	}
	ss.t.stats.setSending(true)
}

// sdpLoop rewrites the SDP whenever an SRTP sequence number wraps, so that
// its a=x-srtp-roc lines give a receiver joining now the rollover counter
// it must start from (RFC 3711 section 3.3.1: SDES cannot carry it).
func (ss *session) sdpLoop() {
	for {
		select {
		case <-ss.stop:
			return
		case <-ss.rocChanged:
			ss.writeSDP()
		}
	}
}

// writeSDP rewrites the SDP with the session's SSRCs and rollover
// counters; a failure leaves the previous file and is logged.
func (ss *session) writeSDP() {
	if _, err := ss.t.WriteSDP(ss.tracks); err != nil {
		ss.t.Logger.Warn("cannot update the SDP with the SRTP rollover counter", "path", ss.t.SDPPath, "err", err)
	}
}

// reportLoop sends a Sender Report per stream about every second, spread
// over 0.75-1.25 s as RFC 3550 section 6.2 asks for randomized intervals.
func (ss *session) reportLoop() {
	for {
		d := srInterval*3/4 + rand.N(srInterval/2)
		select {
		case <-ss.stop:
			return
		case <-time.After(d):
		}
		now := time.Now()
		for _, st := range ss.streams {
			if err := st.sendSR(now, ss.cname, false); err != nil {
				ss.t.Logger.Debug("rtcp sender report", "err", err)
			}
		}
	}
}

// anchor pairs stream time zero with the wall clock on the first packet:
// CaptureTime - PTS when the packet knows its capture time, otherwise now -
// PTS. Every stream of the session shares it, so receivers line audio and
// video up through the Sender Reports.
func (ss *session) anchor(p *unit.Packet) {
	if !ss.base.IsZero() {
		return
	}
	now := time.Now()
	ss.base = now.Add(-p.PTS)
	if !p.CaptureTime.IsZero() && now.Sub(p.CaptureTime).Abs() < 10*time.Second {
		ss.base = p.CaptureTime.Add(-p.PTS)
	}
}

// begin anchors a stream's clock on its first packet and sends a Sender
// Report before any media, so that a receiver can map timestamps from the
// first packet on.
func (ss *session) begin(st *rtpStream, p *unit.Packet) {
	if st.clockBase.Load() != 0 {
		return
	}
	ss.anchor(p)
	st.setClockBase(ss.base)
	if err := st.sendSR(time.Now(), ss.cname, false); err != nil {
		ss.t.Logger.Debug("rtcp sender report", "err", err)
	}
}

// byeDelay separates the last media packet from the BYE: a receiver that
// ends at the BYE (ffmpeg) drops the media it has not read yet, and a
// stream's end is a burst (the MPEG-TS muxer's last packets).
const byeDelay = 100 * time.Millisecond

// close sends BYE on every stream (RFC 3550 section 6.6), stops the RTCP
// goroutines, closes the sockets and waits.
func (ss *session) close() {
	time.Sleep(byeDelay)
	now := time.Now()
	for _, st := range ss.streams {
		if err := st.sendSR(now, ss.cname, true); err != nil {
			ss.t.Logger.Debug("rtcp bye", "err", err)
		}
	}
	close(ss.stop)
	ss.closeSockets()
	ss.wg.Wait()
	ss.t.stats.setSending(false)
}

func (ss *session) closeSockets() {
	for _, st := range ss.streams {
		st.close()
	}
}

// runNative sends H.264 (RFC 6184) or HEVC (RFC 7798) on Port and Opus
// (RFC 7587) on Port+2.
func (t *Target) runNative(ctx context.Context, s *dest.Session) error {
	v := s.Tracks.Video
	pt := uint8(ptH264)
	if v.Codec == unit.CodecHEVC {
		pt = ptH265
	}
	specs := []streamSpec{{kind: "video", pt: pt, clockRate: videoClockRate}}
	hasOpus := s.Tracks.AudioFor(unit.CodecOpus) != nil
	if hasOpus {
		specs = append(specs, streamSpec{kind: "audio", pt: ptOpus, clockRate: opusClockRate})
	} else {
		t.Logger.Warn("native mode: the stream has no Opus track, sending video only")
	}
	ss, err := t.openSession(s, specs...)
	if err != nil {
		return err
	}
	defer ss.close()
	ss.start()
	s.Live()
	n := &nativeSender{ss: ss, s: s, video: ss.streams[0], codec: v.Codec, vps: v.VPS, sps: v.SPS, pps: v.PPS}
	if hasOpus {
		n.audio = ss.streams[1]
	}
	// RFC 3550 leaves the order of two sessions' packets free, but a
	// receiver that stamps by arrival needs the audio and the video of
	// one instant to arrive together: merge them by timestamp. Receivers
	// of native RTP map each track to the clock by our sender reports, so
	// video may lead audio by as much as issue 16 allows (MaxLead).
	n.merge = interleave.Merger{Video: true, Audio: hasOpus, AudioHold: interleave.FrameInterval(s.Tracks.Video),
		VideoLead: interleave.MaxLead(s.Tracks.Video)}
	return n.run(ctx)
}

// nativeSender is one runNative's send loop.
type nativeSender struct {
	ss           *session
	s            *dest.Session
	video, audio *rtpStream
	codec        unit.Codec // of the video: H.264 or HEVC
	h264         h264Packetizer
	h265         h265Packetizer
	vps, sps     []byte
	pps          []byte
	merge        interleave.Merger
}

func (n *nativeSender) run(ctx context.Context) error {
	defer n.merge.Stop()
	for {
		p, err := n.merge.Next(ctx, n.s.Reader)
		if errors.Is(err, stream.ErrClosed) {
			for p := n.merge.Drain(); p != nil; p = n.merge.Drain() {
				if err := n.send(p); err != nil {
					return err
				}
			}
		}
		if err != nil {
			return err
		}
		now := time.Now()
		for p != nil {
			n.merge.Push(p, now)
			p = n.s.Reader.TryRead()
		}
		for p := n.merge.Pop(now); p != nil; p = n.merge.Pop(now) {
			if err := n.send(p); err != nil {
				return err
			}
		}
		n.merge.WakeForAudio(n.s.Reader)
	}
}

// send packetizes one packet: H.264 per RFC 6184, HEVC per RFC 7798, Opus
// per RFC 7587.
func (n *nativeSender) send(p *unit.Packet) error {
	switch {
	case p.Codec == n.codec:
		n.ss.begin(n.video, p)
		n.video.hdr.Timestamp = n.video.timestamp(p.PTS)
		var err error
		if n.codec == unit.CodecHEVC {
			err = n.h265.packetize(n.video, naluList(p), p.Key, n.vps, n.sps, n.pps)
		} else {
			err = n.h264.packetize(n.video, naluList(p), p.Key, n.sps, n.pps)
		}
		if err != nil {
			if errors.Is(err, errPayloadTooSmall) {
				return dest.FatalLocal(fmt.Errorf("rtp %s: %w", n.codec, err))
			}
			return fmt.Errorf("rtp %s: %w", n.codec, err)
		}
		n.s.Counters.FramesSent.Add(1)
	case p.Codec == unit.CodecOpus && n.audio != nil:
		n.ss.begin(n.audio, p)
		n.audio.hdr.Timestamp = n.audio.timestamp(p.PTS)
		// RFC 7587 section 4.2: one Opus packet per RTP packet.
		size := copy(n.audio.payloadBuffer(), p.Data)
		if size < len(p.Data) {
			return dest.FatalLocal(fmt.Errorf("rtp opus: a %d-byte packet does not fit the %d bytes of payload the mtu leaves",
				len(p.Data), len(n.audio.payloadBuffer())))
		}
		return n.audio.sendPayload(size, false)
	}
	return nil
}

// checkVideo refuses, with a message for people, a stream whose video the
// target cannot carry: H.264 and HEVC go in both modes, AV1 in neither.
func checkVideo(v *unit.VideoParams) error {
	switch {
	case v == nil:
		return errors.New("rtp: the stream has no video")
	case v.Codec == unit.CodecAV1:
		return fmt.Errorf("rtp: %w", errAV1OverRTP)
	case v.Codec != unit.CodecH264 && v.Codec != unit.CodecHEVC:
		return fmt.Errorf("rtp: %s video is not supported: use H.264 or HEVC", v.Codec)
	}
	return nil
}

// naluList returns the packet's NAL units, splitting Data when the
// producer did not.
func naluList(p *unit.Packet) [][]byte {
	if p.NALUs != nil {
		return p.NALUs
	}
	return unit.SplitAnnexB(nil, p.Data)
}
