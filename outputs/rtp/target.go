// Package rtp sends the encoded stream as RTP to preview targets (VLC,
// ffplay, GStreamer), in one of two payload modes:
//
//   - "mpegts": MPEG-TS (H.264 or HEVC + AAC) as RTP payload type 33, RFC 2250 and
//     RFC 3551 (https://www.rfc-editor.org/rfc/rfc2250,
//     https://www.rfc-editor.org/rfc/rfc3551). VLC opens it everywhere.
//   - "native": H.264 per RFC 6184 (https://www.rfc-editor.org/rfc/rfc6184)
//     or HEVC per RFC 7798 (https://www.rfc-editor.org/rfc/rfc7798), and
//     Opus per RFC 7587 (https://www.rfc-editor.org/rfc/rfc7587) on two
//     ports, described by an SDP file.
//
// AV1 is not carried (no receiver here depacketizes AV1 over RTP).
//
// Every stream gets RTCP per RFC 3550 (https://www.rfc-editor.org/rfc/rfc3550):
// Sender Reports about once a second, Receiver Reports parsed into per-target
// statistics, BYE on stop. SRTP (RFC 3711, keyed by an SDP a=crypto line per
// RFC 4568) is optional.
package rtp

import (
	"log/slog"
	"math/rand/v2"
	"net"
	"strconv"
	"sync"
	"time"

	"golive/media/stream"
	"golive/media/unit"
	"golive/outputs/internal/tssend"
	"golive/outputs/rtptarget"
)

// Payload modes (rtptarget's).
const (
	ModeMPEGTS = rtptarget.ModeMPEGTS
	ModeNative = rtptarget.ModeNative
)

// Limits and defaults.
const (
	DefaultMTU = rtptarget.DefaultMTU
	MinMTU     = rtptarget.MinMTU
	MaxMTU     = rtptarget.MaxMTU
	// tsPacketsPerRTP is how many 188-byte TS packets an RTP packet carries
	// in mpegts mode when the MTU allows it (7 x 188 = 1316 bytes, what
	// VLC and ffmpeg send).
	tsPacketsPerRTP = 7
	tsPacketSize    = tssend.PacketSize
	rtpHeaderSize   = 12
	srtpTagSize     = 10 // AES_CM_128_HMAC_SHA1_80 authentication tag
	srtcpTrailer    = 4 + srtpTagSize
	ptMP2T          = 33
	ptH264          = 96
	ptH265          = 97
	ptOpus          = 111
	videoClockRate  = 90000
	opusClockRate   = 48000
	srInterval      = time.Second
	// noReceiverHold is how long an ICMP port unreachable keeps the target
	// marked "no receiver".
	noReceiverHold = 3 * time.Second
)

// Target is one RTP destination. Fill Config (or use ParseTarget or
// NewTarget), then hand it to a dest.Handler as its Worker.
type Target struct {
	// Config holds the settings (outputs/rtptarget, shared with the
	// profile store). In mpegts mode an unset MTU sends the usual 7 TS
	// packets per RTP packet (1328 bytes); SRTPRCC is the variant VLC 3.0
	// decrypts with --srtp-key/--srtp-salt (VLCArgs), ffmpeg and other
	// RFC 4568 receivers need it off.
	rtptarget.Config
	// Logger receives the target's log lines (default slog.Default()).
	Logger *slog.Logger

	initOnce sync.Once
	initErr  error
	key      []byte // SRTP master key (16) + salt (14)
	sdpID    uint64 // SDP o= session id
	sdpOwned bool   // SDPPath was chosen here, not given by the user
	stats    targetStats
}

// init validates the configuration, fills defaults and makes the SRTP key.
// It runs once per Target; the key stays the same across reconnects so that
// a written SDP stays valid.
func (t *Target) init() error {
	t.initOnce.Do(func() { t.initErr = t.setup() })
	return t.initErr
}

func (t *Target) setup() error {
	if err := t.validate(); err != nil {
		return err
	}
	if t.Mode == "" {
		t.Mode = ModeMPEGTS
	}
	if t.Name == "" {
		t.Name = net.JoinHostPort(t.Host, strconv.Itoa(t.Port))
	}
	if t.Logger == nil {
		t.Logger = slog.Default()
	}
	t.Logger = t.Logger.With("rtp", t.Name)
	if t.SDPPath == "" {
		path, err := t.defaultSDP()
		if err != nil {
			return err
		}
		t.SDPPath, t.sdpOwned = path, true
	}
	t.sdpID = rand.Uint64() >> 1
	if t.SRTP {
		key, err := newSRTPKey()
		if err != nil {
			return err
		}
		t.key = key
	}
	return nil
}

// validate checks the fields without changing them.
func (t *Target) validate() error { return t.Validate() }

// mtu returns the largest UDP payload to send.
func (t *Target) mtu() int {
	switch {
	case t.MTU != 0:
		return t.MTU
	case t.Mode == ModeMPEGTS:
		return rtpHeaderSize + tsPacketsPerRTP*tsPacketSize + t.tagSize()
	default:
		return DefaultMTU
	}
}

// tagSize is the SRTP authentication tag added to every RTP packet.
func (t *Target) tagSize() int {
	if t.SRTP {
		return srtpTagSize
	}
	return 0
}

// maxPayload is the largest RTP payload that fits the MTU.
func (t *Target) maxPayload() int {
	return t.mtu() - rtpHeaderSize - t.tagSize()
}

// tsPerPacket is how many TS packets go in one RTP packet (mpegts mode).
func (t *Target) tsPerPacket() int {
	return max(1, min(tsPacketsPerRTP, t.maxPayload()/tsPacketSize))
}

// AudioCodec is the audio codec the target sends: AAC inside MPEG-TS,
// Opus in native mode.
func (t *Target) AudioCodec() unit.Codec {
	if t.Mode == ModeNative {
		return unit.CodecOpus
	}
	return unit.CodecAAC
}

// ReaderConfig is the stream subscription the target needs: its video
// (H.264 or HEVC: a stream carries one) and its audio codec, with a short
// queue (a preview is about low latency).
func (t *Target) ReaderConfig() stream.ReaderConfig {
	return stream.ReaderConfig{
		Name:     t.Name,
		MaxQueue: time.Second,
		Codecs:   []unit.Codec{unit.CodecH264, unit.CodecHEVC, t.AudioCodec()},
	}
}

// isMulticast reports whether Host is a multicast address literal.
func (t *Target) isMulticast() bool {
	ip := net.ParseIP(t.Host)
	return ip != nil && ip.IsMulticast()
}

// MaxAudioPacket is the largest audio packet the target can carry: in
// native mode one Opus packet per RTP packet (RFC 7587 section 4.2) within
// the MTU, less the RTP header and SRTP tag; 0 in mpegts mode (TS packets
// split anything).
func (t *Target) MaxAudioPacket() int {
	if t.Mode != ModeNative {
		return 0
	}
	return t.maxPayload()
}
