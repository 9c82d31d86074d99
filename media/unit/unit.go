// Package unit defines the Go-owned encoded media units that flow from the
// encoder to every output, and the codec parameters outputs need to describe
// them (SPS/PPS, AudioSpecificConfig, Opus head). It has no cgo dependency.
package unit

import (
	"fmt"
	"time"
)

// Kind tells whether a packet carries video or audio.
type Kind uint8

// Packet kinds.
const (
	KindVideo Kind = iota + 1
	KindAudio
)

func (k Kind) String() string {
	switch k {
	case KindVideo:
		return "video"
	case KindAudio:
		return "audio"
	default:
		return fmt.Sprintf("kind(%d)", uint8(k))
	}
}

// Codec identifies the codec of an encoded packet.
type Codec uint8

// Codecs produced by the encoder.
const (
	CodecH264 Codec = iota + 1
	CodecAAC
	CodecOpus
	// CodecHEVC and CodecAV1 are video codecs of renditions (carried by
	// Enhanced RTMP and recordings).
	CodecHEVC
	CodecAV1
)

func (c Codec) String() string {
	switch c {
	case CodecH264:
		return "h264"
	case CodecAAC:
		return "aac"
	case CodecOpus:
		return "opus"
	case CodecHEVC:
		return "hevc"
	case CodecAV1:
		return "av1"
	default:
		return fmt.Sprintf("codec(%d)", uint8(c))
	}
}

// Kind returns the media kind of the codec.
func (c Codec) Kind() Kind {
	if c == CodecH264 || c == CodecHEVC || c == CodecAV1 {
		return KindVideo
	}
	return KindAudio
}

// Packet is one encoded access unit. It is immutable once published to a
// stream: outputs share it and must not modify Data or NALUs.
type Packet struct {
	Codec Codec
	// PTS and DTS are measured from the start of the stream's clock (the
	// first captured sample of any kind is at zero).
	PTS time.Duration
	DTS time.Duration
	// Duration of the access unit (frame interval or audio frame length).
	Duration time.Duration
	// Key marks an H.264 IDR access unit (always true for audio).
	Key bool
	// Data is the payload: an H.264 or HEVC access unit in Annex B form
	// (start codes; a key frame carries SPS and PPS, and HEVC's VPS, in
	// band), an AV1 temporal unit of OBUs in the low-overhead format (a key
	// frame carries the sequence header), or one raw AAC or Opus frame.
	Data []byte
	// NALUs are the H.264 or HEVC NAL units of Data without start codes,
	// sub-slices of Data (nil for AV1 and audio).
	NALUs [][]byte
	// CaptureTime is the wall-clock time at which the source frame was
	// captured, for latency measurements.
	CaptureTime time.Time
}

// Kind returns the packet's media kind.
func (p *Packet) Kind() Kind { return p.Codec.Kind() }

// VideoParams describes the encoded video track.
type VideoParams struct {
	Codec   Codec
	Width   int
	Height  int
	FPS     int
	Bitrate int // bits per second
	// Encoder is the libavcodec encoder name (e.g. libx264).
	Encoder string
	// SPS and PPS without start codes (H.264's, or HEVC's).
	SPS []byte
	PPS []byte
	// VPS is HEVC's video parameter set, without start code.
	VPS []byte
	// SequenceHeader is AV1's sequence header OBU (low-overhead format,
	// with its size field).
	SequenceHeader []byte
}

// AudioParams describes one encoded audio track.
type AudioParams struct {
	Codec      Codec
	SampleRate int
	Channels   int
	Bitrate    int // bits per second
	// FrameSize is the number of samples per channel in one packet.
	FrameSize int
	// Config is the codec's out-of-band configuration: the MPEG-4
	// AudioSpecificConfig for AAC, the OpusHead for Opus.
	Config []byte
}

// Tracks lists the codec parameters of everything a stream carries.
type Tracks struct {
	Video *VideoParams
	// Audio holds one entry per audio codec being encoded.
	Audio []*AudioParams
}

// AudioFor returns the parameters of the audio track with the given codec,
// or nil when that codec is not being encoded.
func (t Tracks) AudioFor(c Codec) *AudioParams {
	for _, a := range t.Audio {
		if a.Codec == c {
			return a
		}
	}
	return nil
}
