package encode

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"golive/media/unit"
)

// TestOpusPacketsWithinLimit encodes one second of white noise (the
// hardest input for a VBR encoder) at every audio bitrate GoLive offers
// against the payload limits of mtu 256, 576 and 1200 (with and without
// the SRTP tag): every packet must fit.
func TestOpusPacketsWithinLimit(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	noise := make([]float32, 2*SampleRate)
	for i := range noise {
		noise[i] = float32(rng.Float64()*1.6 - 0.8)
	}
	for _, limit := range []int{256 - 12, 256 - 22, 576 - 12, 1200 - 12, 1200 - 22, 1500 - 12} {
		for _, br := range []int{64_000, 128_000, 192_000, 256_000, 320_000, 448_000, 510_000} {
			a := &Audio{Codec: unit.CodecOpus, Bitrate: br, MaxPacket: limit}
			if err := a.Initialize(); err != nil {
				t.Fatalf("limit %d, %d bps: %v", limit, br, err)
			}
			var largest, n int
			for off := 0; off < len(noise); off += 2 * 480 {
				pkts, err := a.Write(noise[off : off+2*480])
				if err != nil {
					t.Fatal(err)
				}
				for _, p := range pkts {
					largest = max(largest, len(p.Data))
					n++
				}
			}
			fit, _ := OpusFit(br, limit)
			a.Close()
			if largest > limit || n == 0 {
				t.Errorf("limit %d bytes, %d kbit/s (%v frames, cbr %v): largest of %d packets is %d bytes",
					limit, br/1000, fit.FrameDuration, fit.CBR, n, largest)
			}
			if fit.CBR && time.Duration(a.FrameSize())*time.Second/SampleRate != fit.FrameDuration {
				t.Errorf("limit %d, %d kbit/s: frame size %d samples, want %v", limit, br/1000, a.FrameSize(), fit.FrameDuration)
			}
		}
	}
}

func TestOpusFitRefusesWithNumbers(t *testing.T) {
	if s, err := OpusFit(128_000, 0); err != nil || s.CBR || s.FrameDuration != 20*time.Millisecond {
		t.Errorf("no limit: %+v, %v", s, err)
	}
	if s, err := OpusFit(510_000, 244); err != nil || !s.CBR || s.PacketBytes > 244 {
		t.Errorf("510k in 244 bytes: %+v, %v", s, err)
	}
	_, err := OpusFit(510_000, 100)
	if err == nil {
		t.Fatal("510 kbit/s in 100-byte packets accepted")
	}
	for _, want := range []string{"510 kbit/s", "159-byte", "100 bytes", "320 kbit/s"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}
}
