package capture

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/asticode/go-astiav"

	"golive/media/testpattern"
)

// The test pattern (media/testpattern) marks every second with a 100 ms
// full-frame white flash and, starting at the same instant, a 100 ms beep
// 20 dB louder than the continuous tone: an A/V sync check for the whole
// chain.
const (
	SyncPeriod    = testpattern.SyncPeriod
	SyncLength    = testpattern.SyncLength
	ToneGain      = testpattern.ToneGain
	BeepGain      = testpattern.BeepGain
	ToneFrequency = testpattern.ToneFrequency
)

// TestVideoGraph returns the lavfi graph of the synthetic picture
// (testpattern.VideoGraph).
func TestVideoGraph(width, height, fps int) string { return testpattern.VideoGraph(width, height, fps) }

// TestAudioGraph returns the lavfi graph of the synthetic sound
// (testpattern.AudioGraph).
func TestAudioGraph() string { return testpattern.AudioGraph() }

// NewTestVideo opens the synthetic picture source, paced in real time.
func NewTestVideo(width, height, fps int) (VideoSource, error) {
	v, err := openVideoInput("lavfi", TestVideoGraph(width, height, fps), nil, true)
	if err != nil {
		return nil, fmt.Errorf("test video source: %w", err)
	}
	return v, nil
}

// testAudio is the synthetic sound source, paced in real time: each
// chunk is released when its last sample would have been captured.
type testAudio struct {
	fc     *astiav.FormatContext
	stream *astiav.Stream
	pkt    *astiav.Packet
	buf    []float32 // the samples of the last chunk, reused by each Read
	epoch  time.Time
	pos    int64 // sample frames delivered
	pace   pacer
}

// NewTestAudio opens the synthetic sound source.
func NewTestAudio() (AudioSource, error) {
	fc, err := openInput("lavfi", TestAudioGraph(), nil)
	if err != nil {
		return nil, fmt.Errorf("test audio source: %w", err)
	}
	a := &testAudio{fc: fc, pkt: astiav.AllocPacket()}
	a.stream = findStream(fc, astiav.MediaTypeAudio)
	if a.stream == nil {
		a.Close()
		return nil, errors.New("test audio source: lavfi graph has no audio stream")
	}
	par := a.stream.CodecParameters()
	if par.CodecID() != astiav.CodecIDPcmF32Le || par.SampleRate() != SampleRate {
		a.Close()
		return nil, fmt.Errorf("test audio source: got %s at %d Hz, want pcm_f32le at %d Hz",
			par.CodecID(), par.SampleRate(), SampleRate)
	}
	return a, nil
}

func (a *testAudio) Start(epoch time.Time) error {
	a.epoch = epoch
	return nil
}

// TestAudioChunk is how much of the tone Read returns at a time: two of
// the graph's 10 ms frames, released together when the last sample would
// have been captured, as a microphone with a 20 ms period delivers sound.
// It halves the wake-ups of a 10 ms period for no audible latency (the
// AAC frames are 21.3 ms long).
const TestAudioChunk = 20 * time.Millisecond

// Read returns the next 20 ms of the tone in a buffer that the next Read
// reuses (see AudioSource).
func (a *testAudio) Read(ctx context.Context) (AudioChunk, error) {
	want := int(durationToFrames(TestAudioChunk)) * Channels
	samples := a.buf[:0]
	for len(samples) < want {
		var err error
		if samples, err = a.readFrame(samples); err != nil {
			return AudioChunk{}, err
		}
	}
	a.buf = samples
	start := a.epoch.Add(samplesToDuration(a.pos))
	a.pos += int64(len(samples) / Channels)
	if err := a.pace.sleepUntil(ctx, a.epoch.Add(samplesToDuration(a.pos))); err != nil {
		return AudioChunk{}, err
	}
	return AudioChunk{Samples: samples, Time: start}, nil
}

// readFrame appends the samples of the graph's next audio frame to dst.
func (a *testAudio) readFrame(dst []float32) ([]float32, error) {
	for {
		a.pkt.Unref()
		if err := a.fc.ReadFrame(a.pkt); err != nil {
			return dst, fmt.Errorf("read test audio: %w", err)
		}
		if a.pkt.StreamIndex() == a.stream.Index() {
			return appendF32LE(dst, a.pkt.Data()), nil
		}
	}
}

func (a *testAudio) Note() string { return "" }

func (a *testAudio) Close() {
	if a.pkt != nil {
		a.pkt.Free()
		a.pkt = nil
	}
	if a.fc != nil {
		a.fc.CloseInput()
		a.fc.Free()
		a.fc = nil
	}
}

// appendF32LE appends the little-endian float32 samples of b to dst.
func appendF32LE(dst []float32, b []byte) []float32 {
	for i := 0; i+4 <= len(b); i += 4 {
		dst = append(dst, math.Float32frombits(binary.LittleEndian.Uint32(b[i:])))
	}
	return dst
}

func durationToFrames(d time.Duration) int64 {
	return int64(d) * SampleRate / int64(time.Second)
}

func samplesToDuration(n int64) time.Duration {
	return time.Duration(n * int64(time.Second) / SampleRate)
}
