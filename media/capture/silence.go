package capture

import (
	"context"
	"time"
)

// silence is an AudioSource of zeros, paced in real time, standing in for
// a missing or disabled microphone.
type silence struct {
	note  string
	epoch time.Time
	pos   int64
	pace  pacer
}

// NewSilence returns a silent audio source whose Note explains why.
func NewSilence(note string) AudioSource { return &silence{note: note} }

func (s *silence) Start(epoch time.Time) error {
	s.epoch = epoch
	return nil
}

func (s *silence) Read(ctx context.Context) (AudioChunk, error) {
	const frames = SampleRate / 100 // 10 ms
	start := s.epoch.Add(samplesToDuration(s.pos))
	s.pos += frames
	if err := s.pace.sleepUntil(ctx, s.epoch.Add(samplesToDuration(s.pos))); err != nil {
		return AudioChunk{}, err
	}
	return AudioChunk{Samples: make([]float32, frames*Channels), Time: start}, nil
}

func (s *silence) Note() string { return s.note }

func (s *silence) Close() {}
