package encode

import (
	"fmt"
	"strconv"
	"time"
)

// OpusMaxVBRPacket is the largest packet libopus produces for one frame
// (a 1275-byte frame and its TOC byte, RFC 6716 section 3.2.1): a limit
// at least this large needs no special encoder settings.
const OpusMaxVBRPacket = 1276

// opusFrameDurations are the frame durations tried, longest first (RFC
// 6716 section 2.1.4; below 10 ms the encoder is CELT only).
var opusFrameDurations = []time.Duration{
	20 * time.Millisecond, 10 * time.Millisecond, 5 * time.Millisecond, 2500 * time.Microsecond,
}

// OpusSettings is how the Opus encoder is set up to keep every packet
// within a size limit.
type OpusSettings struct {
	// FrameDuration is the frame length (20 ms unless the limit is tight).
	FrameDuration time.Duration
	// CBR makes every packet exactly bitrate*duration/8 bytes (libopus
	// hard CBR); variable bit rate may reach OpusMaxVBRPacket.
	CBR bool
	// PacketBytes is the packet size with CBR.
	PacketBytes int
}

// OpusFit returns the Opus settings whose packets never exceed maxPacket
// bytes at bitrate bits per second (maxPacket 0: no limit), or an error
// with the numbers when even the shortest frame is too large.
func OpusFit(bitrate, maxPacket int) (OpusSettings, error) {
	if maxPacket <= 0 || maxPacket >= OpusMaxVBRPacket {
		return OpusSettings{FrameDuration: 20 * time.Millisecond}, nil
	}
	for _, d := range opusFrameDurations {
		size := cbrPacketBytes(bitrate, d)
		if size <= maxPacket {
			return OpusSettings{FrameDuration: d, CBR: true, PacketBytes: size}, nil
		}
	}
	shortest := opusFrameDurations[len(opusFrameDurations)-1]
	best := maxPacket * 8 * int(time.Second/shortest)
	return OpusSettings{}, fmt.Errorf("opus at %d kbit/s does not fit: even %v frames make %d-byte packets, "+
		"and only %d bytes fit (lower the audio bitrate to %d kbit/s or less, or raise the mtu)",
		bitrate/1000, shortest, cbrPacketBytes(bitrate, shortest), maxPacket, best/1000)
}

// cbrPacketBytes is the size of a hard-CBR Opus packet (at most 1275).
func cbrPacketBytes(bitrate int, d time.Duration) int {
	return min(1275, int(int64(bitrate)*int64(d)/int64(8*time.Second)))
}

// opusOptions are the libopus encoder options for s.
func (s OpusSettings) opusOptions() map[string]string {
	if !s.CBR {
		return nil
	}
	ms := strconv.FormatFloat(float64(s.FrameDuration)/float64(time.Millisecond), 'f', -1, 64)
	return map[string]string{"vbr": "off", "frame_duration": ms}
}
