package engine

import (
	"context"
	"testing"
	"time"

	"golive/media/stream"
	"golive/media/unit"
)

// TestOnDemandRenditionEncodesOnlyWhileRead: an on-demand rendition
// encodes nothing (and shows idle) until a reader subscribes; its first
// packet then is a key frame, and it stops again once the reader leaves.
func TestOnDemandRenditionEncodesOnlyWhileRead(t *testing.T) {
	e := &Engine{Config: Config{Video: VideoSourceConfig{Kind: KindTest}, Audio: AudioSourceConfig{Kind: KindNone},
		Width: 320, Height: 180, FPS: 30, Preset: "ultrafast",
		Renditions: []Rendition{{ID: "fb", Width: 160, Height: 90, VideoBitrate: 200_000, OnDemand: true}}}}
	if err := e.Initialize(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- e.Run(context.Background()) }()
	defer func() {
		e.Close()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	fb := func() EncoderStats { return e.Encoders()[1] }
	time.Sleep(time.Second)
	if s := fb(); s.Encoded != 0 || !s.Idle || !s.OnDemand {
		t.Fatalf("unread on-demand encoder: %+v, want idle with 0 frames", s)
	}
	r := e.RenditionStream("fb").Subscribe(stream.ReaderConfig{Name: "t", Codecs: []unit.Codec{unit.CodecH264}})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	p, err := r.Read(ctx)
	if err != nil || !p.Key {
		t.Fatalf("first packet %v, %v: want a key frame", p, err)
	}
	for range 10 {
		if _, err := r.Read(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if s := fb(); s.Idle || s.Encoded < 10 {
		t.Fatalf("read on-demand encoder: %+v, want busy", s)
	}
	r.Close()
	time.Sleep(200 * time.Millisecond)
	n := fb().Encoded
	time.Sleep(500 * time.Millisecond)
	if s := fb(); !s.Idle || s.Encoded > n+2 {
		t.Errorf("after its reader left: %+v (was %d frames), want idle", s, n)
	}
}
