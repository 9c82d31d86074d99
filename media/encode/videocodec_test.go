package encode

import (
	"testing"
	"time"

	"github.com/asticode/go-astiav"

	"golive/media/unit"
)

// TestVideoHEVCAndAV1 opens libx265 and libsvtav1 with the live settings:
// the global header gives VPS/SPS/PPS or the AV1 sequence header, every
// frame comes out at once (no B-frames, no lookahead), key frames land on
// the GOP grid and carry their parameter sets in band.
func TestVideoHEVCAndAV1(t *testing.T) {
	for _, tc := range []struct {
		enc   string
		codec unit.Codec
	}{{"libx265", unit.CodecHEVC}, {"libsvtav1", unit.CodecAV1}} {
		v := &Video{Encoder: tc.enc, Width: 320, Height: 180, FPS: 10, Bitrate: 300_000, KeyframeInterval: time.Second}
		if err := v.Initialize(); err != nil {
			t.Fatalf("%s: %v", tc.enc, err)
		}
		p := v.Params()
		if p.Codec != tc.codec || (tc.codec == unit.CodecHEVC && (p.VPS == nil || p.SPS == nil || p.PPS == nil)) ||
			(tc.codec == unit.CodecAV1 && obuType(p.SequenceHeader) != obuSequenceHeader) {
			t.Fatalf("%s: params %+v", tc.enc, p)
		}
		f := blackFrame(t, 320, 180)
		var got []*unit.Packet
		for i := int64(0); i < 25; i++ {
			pkts, err := v.Encode(f, i, time.Now())
			if err != nil {
				t.Fatalf("%s: %v", tc.enc, err)
			}
			got = append(got, pkts...)
		}
		f.Free()
		v.Close()
		if len(got) < 20 {
			t.Fatalf("%s: %d packets for 25 frames: the encoder delays", tc.enc, len(got))
		}
		for _, pk := range got {
			i := int64(pk.PTS / (100 * time.Millisecond))
			if pk.Codec != tc.codec || pk.Key != (i%10 == 0) || pk.DTS > pk.PTS {
				t.Errorf("%s frame %d: codec %v key %v dts %v", tc.enc, i, pk.Codec, pk.Key, pk.DTS)
			}
			if pk.Key && tc.codec == unit.CodecHEVC && hevcType(pk.NALUs[0]) != hevcVPS {
				t.Errorf("%s key frame %d does not start with the VPS", tc.enc, i)
			}
			if pk.Key && tc.codec == unit.CodecAV1 && !startsWithSequenceHeader(pk.Data) {
				t.Errorf("%s key frame %d lacks the sequence header", tc.enc, i)
			}
		}
	}
}

func blackFrame(t *testing.T, w, h int) *astiav.Frame {
	f := astiav.AllocFrame()
	f.SetWidth(w)
	f.SetHeight(h)
	f.SetPixelFormat(astiav.PixelFormatYuv420P)
	if err := f.AllocBuffer(0); err != nil {
		t.Fatal(err)
	}
	if err := f.ImageFillBlack(); err != nil {
		t.Fatal(err)
	}
	return f
}
