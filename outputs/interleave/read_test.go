package interleave

import (
	"context"
	"errors"
	"testing"
	"time"

	"golive/media/stream"
	"golive/media/unit"
)

// TestNextWakesAtTheDeadline: a video frame held for audio that never
// comes is let go when VideoHold passes: Next returns nil then, not only
// when the next packet arrives; the stream's end is an error.
func TestNextWakesAtTheDeadline(t *testing.T) {
	s := stream.New(unit.Tracks{})
	r := s.Subscribe(stream.ReaderConfig{Name: "t"})
	m := Merger{Audio: true, Video: true, VideoHold: 50 * time.Millisecond}
	defer m.Stop()
	s.Write(&unit.Packet{Codec: unit.CodecH264, Key: true, DTS: 0, Duration: frame})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	p, err := m.Next(ctx, r)
	if err != nil || p == nil {
		t.Fatalf("first Next = %v, %v; want the frame", p, err)
	}
	start := time.Now()
	m.Push(p, start)
	if m.Pop(start) != nil {
		t.Fatal("the frame went out at once: want it held for audio")
	}
	if p, err = m.Next(ctx, r); p != nil || err != nil {
		t.Fatalf("Next = %v, %v; want a wake with nothing read", p, err)
	}
	if d := time.Since(start); d < 40*time.Millisecond || d > 2*time.Second {
		t.Errorf("woke after %v, want about VideoHold (50 ms)", d)
	}
	if m.Pop(time.Now()) == nil {
		t.Error("the held frame is not due after the wake")
	}
	s.Close()
	if _, err := m.Next(ctx, r); !errors.Is(err, stream.ErrClosed) {
		t.Errorf("Next after Close = %v, want stream.ErrClosed", err)
	}
}
