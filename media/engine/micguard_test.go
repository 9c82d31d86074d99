package engine

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golive/media/capture"
	"golive/media/stream"
	"golive/media/unit"
)

// Modes of flakyMic.
const (
	micDelivers = iota
	micStalls
	micFails
)

// flakyMic is a microphone that delivers a loud tone in 10 ms chunks,
// stops delivering (unplugged: Read blocks) or fails (Read errors), as
// the test says.
type flakyMic struct {
	mode atomic.Int32
	next time.Time // capture time of the next chunk: a steady device clock
}

func (m *flakyMic) Start(time.Time) error { return nil }
func (m *flakyMic) Note() string          { return "" }
func (m *flakyMic) Close()                {}

func (m *flakyMic) Read(ctx context.Context) (capture.AudioChunk, error) {
	switch m.mode.Load() {
	case micStalls:
		<-ctx.Done()
		return capture.AudioChunk{}, ctx.Err()
	case micFails:
		return capture.AudioChunk{}, errors.New("device unplugged")
	}
	const chunk = 10 * time.Millisecond
	if now := time.Now(); m.next.Before(now.Add(-chunk)) { // (re)started
		m.next = now
	}
	at := m.next
	m.next = m.next.Add(chunk)
	if err := sleepCtx(ctx, time.Until(m.next)); err != nil {
		return capture.AudioChunk{}, err
	}
	s := make([]float32, capture.SampleRate/100*capture.Channels)
	for i := range s {
		s[i] = 0.5
	}
	return capture.AudioChunk{Samples: s, Time: at}, nil
}

// TestMicrophoneLostMidStream: when the microphone stops delivering, then
// fails, the stream goes on (video and an audio track of silence, no gap
// longer than the stall timeout), the audio note says so, and the sound
// comes back with the device.
func TestMicrophoneLostMidStream(t *testing.T) {
	e := newTestEngine(t, unit.CodecAAC)
	mic := &flakyMic{}
	e.audioSrc.Close()
	e.audioSrc, e.guardMic = mic, true

	r := e.Stream().Subscribe(stream.ReaderConfig{Name: "test", MaxQueue: time.Minute, MaxPackets: 1 << 16})
	defer r.Close()
	ctx, cancel := context.WithCancel(context.Background())
	runErr := make(chan error, 1)
	go func() { runErr <- e.Run(ctx) }()
	var (
		mu      sync.Mutex
		arrived []time.Time
		video   int
	)
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		for {
			p, err := r.Read(context.Background())
			if err != nil {
				return
			}
			mu.Lock()
			if p.Codec == unit.CodecAAC {
				arrived = append(arrived, time.Now())
			} else {
				video++
			}
			mu.Unlock()
		}
	}()
	phase := func(mode int32, d time.Duration) Stats {
		mic.mode.Store(mode)
		time.Sleep(d)
		return e.Stats()
	}
	start := time.Now()
	first := phase(micDelivers, time.Second)
	stalled := phase(micStalls, 1200*time.Millisecond)
	failed := phase(micFails, 1200*time.Millisecond)
	back := phase(micDelivers, time.Second)
	total := time.Since(start)
	cancel()
	if err := <-runErr; err != nil {
		t.Fatalf("Run ended with %v: a lost microphone must not end the stream", err)
	}
	<-readDone

	if first.AudioNote != "" || first.AudioPeakDB < -10 {
		t.Errorf("delivering: note %q, peak %.1f dB", first.AudioNote, first.AudioPeakDB)
	}
	if !strings.Contains(stalled.AudioNote, "microphone stopped") || !strings.Contains(stalled.AudioNote, "silence") ||
		stalled.AudioPeakDB != MinDB {
		t.Errorf("stalled: note %q, peak %.1f dB; want the silence noted", stalled.AudioNote, stalled.AudioPeakDB)
	}
	if !strings.Contains(failed.AudioNote, "device unplugged") || failed.AudioPeakDB != MinDB {
		t.Errorf("failing: note %q, peak %.1f dB", failed.AudioNote, failed.AudioPeakDB)
	}
	if back.AudioNote != "" || back.AudioPeakDB < -10 {
		t.Errorf("back: note %q, peak %.1f dB; want the tone again", back.AudioNote, back.AudioPeakDB)
	}
	if absDur(back.AVOffset) > 20*time.Millisecond {
		t.Errorf("A/V offset %v after the microphone came back", back.AVOffset)
	}
	mu.Lock()
	defer mu.Unlock()
	want := int(total.Seconds() * capture.SampleRate / 1024)
	if len(arrived) < want*8/10 || video < int(total.Seconds()*30*8/10) {
		t.Errorf("%d AAC packets (want ~%d), %d video frames in %v", len(arrived), want, video, total)
	}
	var gap time.Duration
	for i := 1; i < len(arrived); i++ {
		gap = max(gap, arrived[i].Sub(arrived[i-1]))
	}
	if gap > 900*time.Millisecond {
		t.Errorf("audio packets stopped for %v", gap)
	}
}
