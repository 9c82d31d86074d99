package encode

import (
	"context"
	"errors"
	"testing"
	"time"

	"golive/media/capture"
)

// TestVideoSetBitrateFollows: libx264's output follows SetBitrate from
// one second to the next (down, then back up), measured on what it
// produces for a moving test pattern; libx265 says it cannot.
func TestVideoSetBitrateFollows(t *testing.T) {
	src, err := capture.NewTestVideo(640, 360, 30)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if err := src.Start(time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	v := &Video{Width: 640, Height: 360, FPS: 30, Bitrate: 1_600_000, Preset: "ultrafast"}
	if err := v.Initialize(); err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if !v.LiveBitrate() {
		t.Fatal("libx264 does not report a live bitrate")
	}
	var index int64
	// kbps encodes n frames and returns the bitrate of the last m.
	kbps := func(n, m int) float64 {
		bytes := 0
		for i := range n {
			f, err := src.Read(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			pkts, err := v.Encode(f.Frame, index, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			index++
			for _, p := range pkts {
				if i >= n-m {
					bytes += len(p.Data)
				}
			}
		}
		return float64(bytes) * 8 / (float64(m) / 30) / 1000
	}
	high := kbps(90, 60)
	if err := v.SetBitrate(500_000); err != nil {
		t.Fatal(err)
	}
	low := kbps(75, 60)
	if err := v.SetBitrate(1_600_000); err != nil {
		t.Fatal(err)
	}
	back1 := kbps(30, 30)
	back2 := kbps(30, 30)
	back := kbps(60, 60)
	t.Logf("1600 kb/s target: %.0f kb/s; 500: %.0f kb/s; 1600 again: %.0f, %.0f, %.0f kb/s", high, low, back1, back2, back)
	if low < 350 || low > 650 {
		t.Errorf("after SetBitrate(500k) the encoder made %.0f kb/s, want 350-650", low)
	}
	// Up again: x264's rate control forgets the cheap frames gradually
	// (seen: 0.8, 1.1, 1.3 Mb/s in the three seconds after the change).
	if high < 1000 || back < 0.6*high || back1 > back {
		t.Errorf("at 1600k the encoder made %.0f kb/s, then %.0f kb/s after going back up", high, back)
	}
	x265 := &Video{Encoder: "libx265", Width: 320, Height: 180, FPS: 30, Bitrate: 500_000}
	if err := x265.Initialize(); err != nil {
		t.Skipf("libx265: %v", err)
	}
	defer x265.Close()
	if err := x265.SetBitrate(300_000); x265.LiveBitrate() || !errors.Is(err, ErrUnsupported) {
		t.Errorf("libx265: live %v, SetBitrate error %v, want ErrUnsupported", x265.LiveBitrate(), err)
	}
}
