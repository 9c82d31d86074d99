package capture

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gen2brain/malgo"
)

var nullBackend = []malgo.Backend{BackendNull}

func TestListMicrophonesNullBackend(t *testing.T) {
	mics, err := ListMicrophones(nullBackend)
	if err != nil {
		t.Fatal(err)
	}
	if len(mics) != 1 || mics[0].Name != "NULL Capture Device" || mics[0].ID == "" {
		t.Fatalf("null backend microphones %+v", mics)
	}
}

func TestMicrophoneNotFound(t *testing.T) {
	_, err := NewMicrophone(MicConfig{Device: "no such microphone", Backends: nullBackend})
	if !errors.Is(err, ErrNoMicrophone) {
		t.Fatalf("err = %v, want ErrNoMicrophone", err)
	}
}

// TestMicrophoneCapture captures through malgo's real null backend (a
// device that records silence in real time), selected by name.
func TestMicrophoneCapture(t *testing.T) {
	src, err := NewMicrophone(MicConfig{Device: "null capture", Backends: nullBackend})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if err := src.Start(time.Now()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var frames int
	var last time.Time
	for frames < SampleRate/4 {
		c, err := src.Read(ctx)
		if err != nil {
			t.Fatalf("after %d frames: %v", frames, err)
		}
		if len(c.Samples)%Channels != 0 || c.Frames() == 0 {
			t.Fatalf("chunk of %d samples", len(c.Samples))
		}
		for _, v := range c.Samples {
			if v != 0 {
				t.Fatalf("null device produced %v", v)
			}
		}
		if c.Time.Before(last) {
			t.Errorf("chunk time %v before previous %v", c.Time, last)
		}
		last = c.Time
		frames += c.Frames()
	}
	if n := src.Note(); n != "" {
		t.Errorf("note %q", n)
	}
}
