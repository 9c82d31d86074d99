package engine

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/gen2brain/malgo"

	"golive/media/capture"
)

// MicMonitor measures the level of the selected audio source without
// encoding or sending anything: the level meter before going live, as
// OBS's mixer shows it. Initialize opens the source and starts measuring;
// Close stops it (before going live, so the stream can open the device).
type MicMonitor struct {
	// Audio is the source to monitor (KindNone: nothing, silence).
	Audio  AudioSourceConfig
	Logger *slog.Logger
	// backends overrides the audio backends (tests).
	backends []malgo.Backend

	src    capture.AudioSource
	cancel context.CancelFunc
	done   chan struct{}

	mu        sync.Mutex
	peak, rms float64
}

// Initialize opens the source and starts measuring in its own goroutine.
// A missing microphone is not an error: the note says so (Levels).
func (m *MicMonitor) Initialize() error {
	if m.Logger == nil {
		m.Logger = slog.Default()
	}
	m.peak, m.rms = MinDB, MinDB
	switch m.Audio.Kind {
	case KindMic, "":
		m.src = openMicrophone(m.Audio.Device, m.backends, m.Logger)
	case KindTest:
		src, err := capture.NewTestAudio()
		if err != nil {
			return fmt.Errorf("level monitor: %w", err)
		}
		m.src = src
	case KindNone:
		m.src = capture.NewSilence("")
	default:
		return fmt.Errorf("level monitor: audio source kind %q", m.Audio.Kind)
	}
	if err := m.src.Start(time.Now()); err != nil {
		m.src.Close()
		return fmt.Errorf("level monitor: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel, m.done = cancel, make(chan struct{})
	go m.run(ctx)
	return nil
}

func (m *MicMonitor) run(ctx context.Context) {
	defer close(m.done)
	var me meter
	for {
		c, err := m.src.Read(ctx)
		if err != nil {
			if ctx.Err() == nil {
				m.Logger.Warn("level monitor stopped", "err", err)
			}
			return
		}
		if peak, rms, ok := me.add(c.Samples); ok {
			m.mu.Lock()
			m.peak, m.rms = peak, rms
			m.mu.Unlock()
		}
	}
}

// Levels returns the peak and RMS level of the last ~100 ms in dBFS
// (MinDB for silence) and a note on a degraded source ("no microphone
// found: ...").
func (m *MicMonitor) Levels() (peakDB, rmsDB float64, note string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.src != nil {
		note = m.src.Note()
	}
	return m.peak, m.rms, note
}

// Close stops measuring, waits for the goroutine and frees the source.
func (m *MicMonitor) Close() {
	if m.cancel == nil {
		return
	}
	m.cancel()
	<-m.done
	m.src.Close()
	m.cancel = nil
}
