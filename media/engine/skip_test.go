package engine

import (
	"testing"
	"time"

	"golive/media/unit"
)

// TestSlowEncoderSkips slows the encoder to a third of the frame rate:
// capture must keep its pace, skip what the encoder has no room for,
// never queue more than the hand-off holds, keep timestamps on the
// capture clock and still place key frames on GOP boundaries.
func TestSlowEncoderSkips(t *testing.T) {
	e := &Engine{Config: Config{
		Video:            VideoSourceConfig{Kind: KindTest},
		Audio:            AudioSourceConfig{Kind: KindTest},
		Width:            320,
		Height:           180,
		KeyframeInterval: time.Second,
		AudioCodecs:      []unit.Codec{unit.CodecAAC},
		Handoff:          2,
	}}
	e.beforeEncode = func() { time.Sleep(100 * time.Millisecond) }
	if err := e.Initialize(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	video, audio := split(collect(t, e, 2300*time.Millisecond))
	st := e.Stats()
	t.Logf("stats %+v, %d video packets, max queued %d", st, len(video), e.handoff.maxQueued.Load())
	if st.Skipped == 0 {
		t.Fatal("no frame skipped although the encoder is 3x too slow")
	}
	if q := e.handoff.maxQueued.Load(); q > 2 || q < 1 {
		t.Errorf("hand-off queue peaked at %d, bound is 2", q)
	}
	if inFlight := int64(st.Captured) - int64(st.Encoded+st.Skipped); inFlight < 0 || inFlight > 3 {
		t.Errorf("captured %d = encoded %d + skipped %d + %d?", st.Captured, st.Encoded, st.Skipped, inFlight)
	}
	if uint64(len(video)) != st.Encoded || len(video) < 5 {
		t.Fatalf("%d packets for %d encoded frames", len(video), st.Encoded)
	}
	// Timestamps follow capture: the last PTS is far beyond what the
	// number of encoded frames alone would give.
	const frame = time.Second / 30
	if last := video[len(video)-1].PTS; last < time.Duration(len(video)+len(video)/2)*frame {
		t.Errorf("last PTS %v for %d frames: timestamps do not follow the capture clock", last, len(video))
	}
	nextKey := time.Duration(0)
	for i, p := range video {
		wantKey := p.PTS >= nextKey
		if wantKey {
			nextKey = (p.PTS/time.Second + 1) * time.Second
		}
		if p.Key != wantKey {
			t.Errorf("packet %d PTS %v key=%v, want %v (GOP by time)", i, p.PTS, p.Key, wantKey)
		}
	}
	// The reader starts audio with the (delayed) first key frame.
	checkAudioSteps(t, audio[unit.CodecAAC], 1024)
}
