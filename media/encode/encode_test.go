package encode

import (
	"testing"
	"time"

	"github.com/asticode/go-astiav"

	"golive/media/unit"
)

func TestAudioFramingAndTimestamps(t *testing.T) {
	for _, tc := range []struct {
		codec unit.Codec
		size  int
	}{{unit.CodecAAC, 1024}, {unit.CodecOpus, 960}} {
		a := &Audio{Codec: tc.codec}
		if err := a.Initialize(); err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		if a.FrameSize() != tc.size {
			t.Fatalf("%s frame size %d", tc.codec, a.FrameSize())
		}
		var pkts []*unit.Packet
		chunk := make([]float32, 2*441) // odd sizes: the encoder buffers
		for i := range 200 {
			for j := range chunk {
				chunk[j] = float32((i*len(chunk)+j)%100) / 200
			}
			p, err := a.Write(chunk)
			if err != nil {
				t.Fatal(err)
			}
			pkts = append(pkts, p...)
		}
		fed := 200 * 441 / tc.size
		if len(pkts) < fed-3 || len(pkts) > fed {
			t.Errorf("%s: %d packets for %d full frames", tc.codec, len(pkts), fed)
		}
		for i, p := range pkts {
			if p.PTS < 0 || p.Codec != tc.codec || !p.Key || len(p.Data) == 0 {
				t.Fatalf("%s packet %d: %+v", tc.codec, i, p)
			}
			if i > 0 && p.PTS-pkts[i-1].PTS != time.Duration(tc.size)*time.Second/48000 &&
				p.PTS-pkts[i-1].PTS != time.Duration(tc.size)*time.Second/48000+1 {
				t.Fatalf("%s packet %d: PTS %v after %v", tc.codec, i, p.PTS, pkts[i-1].PTS)
			}
		}
	}
}

func TestOpusHeadPreSkipCleared(t *testing.T) {
	a := &Audio{Codec: unit.CodecOpus}
	if err := a.Initialize(); err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	c := a.Params().Config
	if string(c[:8]) != "OpusHead" || c[9] != 2 || c[10] != 0 || c[11] != 0 {
		t.Errorf("OpusHead %x: want 2 channels, pre-skip 0", c)
	}
}

// TestVideoForcedKeyFrames feeds frames with gaps in their indexes: key
// frames land on the first frame of each GOP by time, and carry SPS/PPS.
func TestVideoForcedKeyFrames(t *testing.T) {
	v := &Video{Width: 160, Height: 90, FPS: 10, KeyframeInterval: time.Second}
	f := openWithBlackFrame(t, v)
	indexes := []int64{0, 1, 2, 5, 9, 11, 12, 19, 23, 29, 30, 31}
	wantKey := map[int64]bool{0: true, 11: true, 23: true, 30: true}
	for _, i := range indexes {
		pkts, err := v.Encode(f, i, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if len(pkts) != 1 {
			t.Fatalf("frame %d: %d packets (zerolatency must not delay)", i, len(pkts))
		}
		p := pkts[0]
		if p.PTS != time.Duration(i)*100*time.Millisecond || p.Key != wantKey[i] {
			t.Errorf("frame %d: PTS %v key %v, want key %v", i, p.PTS, p.Key, wantKey[i])
		}
		if p.Key && (unit.NALUType(p.NALUs[0]) != unit.NALUTypeSPS && !hasNALU(p.NALUs, unit.NALUTypeSPS)) {
			t.Errorf("key frame %d without SPS", i)
		}
	}
	if _, err := v.Encode(f, 31, time.Now()); err == nil {
		t.Error("repeated index accepted")
	}
}

// TestVideoRequestedKeyFrames: a requested key frame comes on the next
// frame once KeyFrameGap has passed since the last one, requests in
// between are merged into one, and the GOP grid is kept.
func TestVideoRequestedKeyFrames(t *testing.T) {
	v := &Video{Width: 160, Height: 90, FPS: 10, KeyframeInterval: 4 * time.Second}
	f := openWithBlackFrame(t, v)
	// Requests before frames 3 (too soon after key 0: honoured at 10),
	// 22 (at once), 23-31 (every frame: merged, honoured at 32), and
	// none after: the next key is the GOP boundary 40.
	request := map[int64]bool{3: true, 22: true}
	for i := int64(23); i <= 31; i++ {
		request[i] = true
	}
	wantKey := map[int64]bool{0: true, 10: true, 22: true, 32: true, 40: true}
	for i := int64(0); i <= 41; i++ {
		if request[i] {
			v.RequestKeyFrame()
		}
		pkts, err := v.Encode(f, i, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if len(pkts) != 1 || pkts[0].Key != wantKey[i] {
			t.Fatalf("frame %d: %d packets, key %v; want key %v", i, len(pkts), len(pkts) > 0 && pkts[0].Key, wantKey[i])
		}
	}
}

// openWithBlackFrame initializes v and returns a black frame of its size;
// both are freed when the test ends.
func openWithBlackFrame(t *testing.T, v *Video) *astiav.Frame {
	t.Helper()
	if err := v.Initialize(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(v.Close)
	f := blackFrame(t, v.Width, v.Height)
	t.Cleanup(f.Free)
	return f
}
