package whip

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/interceptor/pkg/cc"
	"github.com/pion/interceptor/pkg/gcc"
	"github.com/pion/interceptor/pkg/nack"
	"github.com/pion/interceptor/pkg/report"
	"github.com/pion/interceptor/pkg/twcc"
	"github.com/pion/logging"
	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"

	"golive/media/unit"
)

// Payload types and clock rates of the offer.
const (
	ptH264      = 96
	ptOpus      = 111
	videoClock  = 90000
	opusClock   = 48000
	rtpMTU      = 1200
	nackHistory = 1024 // packets kept for retransmission (about 3 s at 2.5 Mb/s)
	minEstimate = 100_000
	maxEstimate = 20_000_000
	// DefaultICEFailAfter is how long a connection may hear nothing
	// from the server before it counts as lost.
	DefaultICEFailAfter = 10 * time.Second
)

var videoFeedback = []webrtc.RTCPFeedback{
	{Type: "nack"}, {Type: "nack", Parameter: "pli"}, {Type: "ccm", Parameter: "fir"},
	{Type: webrtc.TypeRTCPFBTransportCC},
}

// h264Codec is H.264 packetization-mode 1 (RFC 6184), with the profile
// and level of the encoder's SPS.
func h264Codec(v *unit.VideoParams) webrtc.RTPCodecCapability {
	profile := "42e01f"
	if v != nil && len(v.SPS) >= 4 {
		profile = fmt.Sprintf("%02x%02x%02x", v.SPS[1], v.SPS[2], v.SPS[3])
	}
	return webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeH264, ClockRate: videoClock,
		SDPFmtpLine:  "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=" + profile,
		RTCPFeedback: videoFeedback}
}

func opusCodec() webrtc.RTPCodecCapability {
	return webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: opusClock, Channels: 2,
		SDPFmtpLine:  "minptime=10;useinbandfec=1;stereo=1;sprop-stereo=1",
		RTCPFeedback: []webrtc.RTCPFeedback{{Type: webrtc.TypeRTCPFBTransportCC}}}
}

// apiOptions say how the WebRTC stack of one connection is built.
type apiOptions struct {
	tracks   unit.Tracks
	loopback bool // gather loopback candidates (the server is on this machine)
	noNACK   bool // tests: no retransmissions
	noICE    bool // tests: gather no candidates (no sockets)
	bitrate  int  // initial congestion-control estimate
	iceFail  time.Duration
	counters *counters
}

// newAPI builds the MediaEngine (H.264 + Opus, NACK/PLI/FIR/TWCC
// feedback), the interceptors and the SettingEngine. Interceptors nearest
// the network come first: the retransmission counter, congestion control
// (which must see the transport-wide sequence numbers), the TWCC header
// extension, the NACK responder (so retransmissions get new transport-wide
// numbers), the sender reports.
func newAPI(o apiOptions) (*webrtc.API, error) {
	me := &webrtc.MediaEngine{}
	if err := me.RegisterCodec(webrtc.RTPCodecParameters{RTPCodecCapability: h264Codec(o.tracks.Video),
		PayloadType: ptH264}, webrtc.RTPCodecTypeVideo); err != nil {
		return nil, err
	}
	if err := me.RegisterCodec(webrtc.RTPCodecParameters{RTPCodecCapability: opusCodec(),
		PayloadType: ptOpus}, webrtc.RTPCodecTypeAudio); err != nil {
		return nil, err
	}
	for _, k := range []webrtc.RTPCodecType{webrtc.RTPCodecTypeVideo, webrtc.RTPCodecTypeAudio} {
		if err := me.RegisterHeaderExtension(webrtc.RTPHeaderExtensionCapability{URI: sdp.TransportCCURI}, k); err != nil {
			return nil, err
		}
	}
	reg := &interceptor.Registry{}
	reg.Add(&retransmitFactory{c: o.counters})
	ccf, err := cc.NewInterceptor(func() (cc.BandwidthEstimator, error) {
		return gcc.NewSendSideBWE(gcc.SendSideBWEInitialBitrate(o.bitrate), gcc.SendSideBWEMinBitrate(minEstimate),
			gcc.SendSideBWEMaxBitrate(maxEstimate), gcc.SendSideBWEPacer(gcc.NewNoOpPacer()),
			gcc.WithLoggerFactory(quietLogs()))
	})
	if err != nil {
		return nil, err
	}
	ccf.OnNewPeerConnection(func(_ string, e cc.BandwidthEstimator) { o.counters.setEstimator(e) })
	reg.Add(ccf)
	tw, err := twcc.NewHeaderExtensionInterceptor()
	if err != nil {
		return nil, err
	}
	reg.Add(tw)
	if !o.noNACK {
		resp, err := nack.NewResponderInterceptor(nack.ResponderSize(nackHistory),
			nack.WithResponderLoggerFactory(quietLogs()))
		if err != nil {
			return nil, err
		}
		reg.Add(resp)
	}
	sr, err := report.NewSenderInterceptor(report.SenderInterval(time.Second))
	if err != nil {
		return nil, err
	}
	reg.Add(sr)
	se := webrtc.SettingEngine{LoggerFactory: quietLogs()}
	se.SetIncludeLoopbackCandidate(o.loopback)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4, webrtc.NetworkTypeUDP6})
	se.SetICETimeouts(o.iceFail/2, o.iceFail, time.Second)
	if o.noICE {
		se.SetInterfaceFilter(func(string) bool { return false })
	}
	return webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithInterceptorRegistry(reg),
		webrtc.WithSettingEngine(se)), nil
}

// quietLogs keeps pion's own logging to errors (its warnings about
// candidates and retransmission buffers are normal on real networks).
func quietLogs() logging.LoggerFactory {
	f := logging.NewDefaultLoggerFactory()
	f.DefaultLogLevel = logging.LogLevelError
	return f
}

// rtpTrack packetizes one codec onto a TrackLocalStaticRTP: sequence
// numbers from a random start, timestamps from the packets' PTS on the
// shared stream clock (so both tracks keep the encoder's A/V alignment).
type rtpTrack struct {
	track *webrtc.TrackLocalStaticRTP
	clock int64
	seq   uint16
	base  uint32
	h264  codecs.H264Payloader
	video bool
}

func newRTPTrack(c webrtc.RTPCodecCapability, id string, video bool) (*rtpTrack, error) {
	tr, err := webrtc.NewTrackLocalStaticRTP(c, id, "golive")
	if err != nil {
		return nil, err
	}
	var r [6]byte
	_, _ = rand.Read(r[:])
	return &rtpTrack{track: tr, clock: int64(c.ClockRate), video: video,
		seq: binary.BigEndian.Uint16(r[:2]), base: binary.BigEndian.Uint32(r[2:])}, nil
}

// write sends one access unit (H.264, Annex B) or one Opus frame.
func (t *rtpTrack) write(p *unit.Packet) (int, error) {
	ts := t.base + uint32(int64(p.PTS)*t.clock/int64(time.Second))
	payloads := [][]byte{p.Data}
	if t.video {
		payloads = t.h264.Payload(rtpMTU, p.Data)
	}
	n := 0
	for i, pl := range payloads {
		pkt := &rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: t.seq, Timestamp: ts,
			Marker: t.video && i == len(payloads)-1}, Payload: pl}
		t.seq++
		if err := t.track.WriteRTP(pkt); err != nil {
			return n, err
		}
		n += len(pl) + 12
	}
	return n, nil
}
