package benchmark

import (
	"math"
	"testing"

	"golive/media/encode"
	"golive/media/unit"
)

// BenchmarkAudioConvertAAC is the audio hot path after capture: 10 ms of
// interleaved float stereo (what every audio source delivers) converted
// into the encoder's planar frame and encoded to AAC, as the engine does
// a hundred times a second. Allocations per op are the packets' (a
// unit.Packet and its data copy for each AAC frame produced).
func BenchmarkAudioConvertAAC(b *testing.B) {
	a := &encode.Audio{Codec: unit.CodecAAC, Bitrate: 128000}
	if err := a.Initialize(); err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	chunk := make([]float32, encode.SampleRate/100*encode.Channels)
	for i := range chunk {
		chunk[i] = float32(0.1 * math.Sin(2*math.Pi*880*float64(i/2)/encode.SampleRate))
	}
	packets := 0
	b.ReportAllocs()
	for b.Loop() {
		pkts, err := a.Write(chunk)
		if err != nil {
			b.Fatal(err)
		}
		packets += len(pkts)
	}
	if packets == 0 && b.N > 10 {
		b.Fatal("no AAC packet produced")
	}
}
