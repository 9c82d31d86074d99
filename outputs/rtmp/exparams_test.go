package rtmp

import (
	"bytes"
	"context"
	"os/exec"
	"testing"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/av1"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h265"

	"golive/media/testpeer"
	"golive/media/unit"
)

// encodeOneFrame encodes one frame of ffmpeg's test pattern at size (WxH)
// with encoder into the raw format (hevc: Annex B; obu: AV1 low-overhead
// temporal units).
func encodeOneFrame(t testing.TB, size, encoder, format string) []byte {
	t.Helper()
	testpeer.RequireBinaries(t, "ffmpeg")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	args := []string{"-v", "error", "-f", "lavfi", "-i", "testsrc2=size=" + size + ":rate=30", "-frames:v", "1", "-c:v", encoder}
	switch encoder {
	case "libx265":
		args = append(args, "-x265-params", "log-level=error")
	case "libsvtav1":
		args = append(args, "-preset", "12")
	}
	out, err := exec.CommandContext(ctx, "ffmpeg", append(args, "-f", format, "-")...).Output()
	if err != nil {
		t.Fatalf("ffmpeg %s %s: %v", encoder, size, err)
	}
	return out
}

// hevcKeyFrame returns a key frame of libx265 at size, with its VPS, SPS
// and PPS in band, as the engine gives it.
func hevcKeyFrame(t testing.TB, size string) *unit.Packet {
	t.Helper()
	data := encodeOneFrame(t, size, "libx265", "hevc")
	p := &unit.Packet{Codec: unit.CodecHEVC, Key: true, Data: data, NALUs: unit.SplitAnnexB(nil, data)}
	if _, ok := exParams(p); !ok {
		t.Fatalf("libx265 %s: no VPS/SPS/PPS in band", size)
	}
	return p
}

// av1KeyFrame returns the first temporal unit of libsvtav1 at size (a
// temporal delimiter, the sequence header, the frame).
func av1KeyFrame(t testing.TB, size string) *unit.Packet {
	t.Helper()
	p := &unit.Packet{Codec: unit.CodecAV1, Key: true, Data: encodeOneFrame(t, size, "libsvtav1", "obu")}
	if _, ok := exParams(p); !ok {
		t.Fatalf("libsvtav1 %s: no sequence header in band", size)
	}
	return p
}

// seqStartSize decodes the picture size from an Enhanced RTMP sequence
// start body (0 when body is not one).
func seqStartSize(t *testing.T, body []byte) (w, h int) {
	t.Helper()
	if len(body) < 5 || body[0] != exHeader|frameKey<<4|exSequenceStart {
		return 0, 0
	}
	rec := body[5:]
	switch string(body[1:5]) {
	case "av01":
		var s av1.SequenceHeader
		if len(rec) < 5 || s.Unmarshal(rec[4:]) != nil {
			t.Fatalf("sequence start with a bad AV1CodecConfigurationRecord %x", rec)
		}
		return s.Width(), s.Height()
	case "hvc1":
		// The record's arrays: VPS, SPS, PPS (type, count 1, length, NALU).
		pos := 23
		for range 3 {
			if len(rec) < pos+5 {
				t.Fatalf("short HEVCDecoderConfigurationRecord %x", rec)
			}
			n := int(rec[pos+3])<<8 | int(rec[pos+4])
			if rec[pos]&0x3f == hevcSPS {
				var s h265.SPS
				if err := s.Unmarshal(rec[pos+5 : pos+5+n]); err != nil {
					t.Fatalf("record's SPS: %v", err)
				}
				return s.Width(), s.Height()
			}
			pos += 5 + n
		}
	}
	t.Fatalf("sequence start %x without a size", body[:min(len(body), 16)])
	return 0, 0
}

// TestMuxerSendsNewSequenceStart (issue 18, HEVC/AV1 fallbacks): for HEVC
// and AV1, once the reader moved (to its fallback's encoder), the first
// key frame whose in-band parameter sets differ from the last sequence
// start's is preceded by a new Enhanced RTMP SequenceStart carrying the
// new rendition's decoder configuration record (its size is the new
// one); a key frame with the same sets, a delta frame, or other sets
// without a move send none. Real
// libx265 and libsvtav1 frames at 1280x720 and 854x480.
func TestMuxerSendsNewSequenceStart(t *testing.T) {
	for _, tc := range []struct {
		name string
		key  func(testing.TB, string) *unit.Packet
	}{{"hevc", hevcKeyFrame}, {"av1", av1KeyFrame}} {
		t.Run(tc.name, func(t *testing.T) {
			big, small := tc.key(t, "1280x720"), tc.key(t, "854x480")
			delta := &unit.Packet{Codec: big.Codec, NALUs: [][]byte{{1 << 1, 1, 0xaa}}, Data: []byte{0x32, 1, 0}}
			moves := uint64(0)
			m := &muxer{p: &Publisher{}, movesOf: func() uint64 { return moves }}
			params, _ := exParams(big)
			if err := m.addExSequenceStart(0, &params); err != nil { // as sendHeaders does from the tracks
				t.Fatal(err)
			}
			for i, step := range []struct {
				pkt   *unit.Packet
				moved bool // the reader moved before pkt
				want  int  // the size of the sequence start sent first; 0: none
			}{
				{big, false, 0}, {delta, false, 0},
				{small, false, 0}, // other sets without a move: none
				{big, true, 0},    // a key frame of the old stream after the move
				{small, false, 854}, {delta, false, 0}, {small, false, 0},
				{big, true, 1280}, {small, false, 0},
			} {
				if step.moved {
					moves++
				}
				m.msgs, m.ends, m.buf = m.msgs[:0], m.ends[:0], m.buf[:0]
				if err := m.add(step.pkt); err != nil {
					t.Fatal(err)
				}
				var widths []int
				start, last := 0, []byte(nil)
				for _, end := range m.ends {
					if w, _ := seqStartSize(t, m.buf[start:end]); w != 0 {
						widths = append(widths, w)
					}
					start, last = end, m.buf[start:end]
				}
				switch {
				case step.want == 0 && (len(widths) != 0 || len(m.msgs) != 1):
					t.Errorf("step %d: %d messages, sequence starts of widths %v; want the frame alone", i, len(m.msgs), widths)
				case step.want != 0 && (len(m.msgs) != 2 || len(widths) != 1 || widths[0] != step.want):
					t.Errorf("step %d: %d messages, sequence starts of widths %v; want one of width %d, then the frame", i, len(m.msgs), widths, step.want)
				case step.want != 0 && (last[0]&0x0f != exCodedFrames && last[0]&0x0f != exCodedFramesX || last[0]>>4&7 != frameKey):
					t.Errorf("step %d: the message after the sequence start is %x, want the key frame", i, last[:5])
				}
			}
		})
	}
}

// FuzzExParams: any key frame payload gives parameter sets that lie
// within it (an AV1 sequence header OBU whole, with its size field) or
// none; building a sequence start from them returns an error or a body,
// never panics.
func FuzzExParams(f *testing.F) {
	f.Add([]byte{0x12, 0, 0x0a, 0x0b, 0, 0, 0, 0x24, 0xc4, 0x38, 0x6b, 0xa8, 0x40}, true)
	f.Add([]byte{0x0a, 0x80}, true)
	f.Add([]byte{0, 0, 0, 1, 0x40, 1, 0x0c, 0, 0, 0, 1, 0x42, 1, 1, 0, 0, 0, 1, 0x44, 1, 0xc0}, false)
	f.Fuzz(func(t *testing.T, data []byte, isAV1 bool) {
		p := &unit.Packet{Codec: unit.CodecHEVC, Key: true, Data: data, NALUs: unit.SplitAnnexB(nil, data)}
		if isAV1 {
			p.Codec, p.NALUs = unit.CodecAV1, nil
		}
		v, ok := exParams(p)
		if !ok {
			return
		}
		for _, ps := range [][]byte{v.VPS, v.SPS, v.PPS, v.SequenceHeader} {
			if len(ps) > 0 && !bytes.Contains(data, ps) {
				t.Fatalf("parameter set %x not from the frame %x", ps, data)
			}
		}
		if isAV1 && (len(v.SequenceHeader) < 2 || (v.SequenceHeader[0]>>3)&0x0f != obuSequenceHeaderOBU) {
			t.Fatalf("sequence header %x", v.SequenceHeader)
		}
		_, _ = exSequenceStartBody(&v)
	})
}
