package stream

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"golive/media/unit"
)

const frame = time.Second / 30

func tracks() unit.Tracks {
	return unit.Tracks{
		Video: &unit.VideoParams{Codec: unit.CodecH264, Width: 1280, Height: 720, FPS: 30},
		Audio: []*unit.AudioParams{{Codec: unit.CodecAAC, SampleRate: 48000, Channels: 2}},
	}
}

// feed writes n video frames (a key frame every gop) with an AAC packet
// after each, starting at frame index first.
func feed(s *Stream, first, n, gop int) {
	for i := first; i < first+n; i++ {
		t := time.Duration(i) * frame
		s.Write(&unit.Packet{Codec: unit.CodecH264, PTS: t, DTS: t, Key: i%gop == 0})
		s.Write(&unit.Packet{Codec: unit.CodecAAC, PTS: t, DTS: t, Key: true})
	}
}

func drain(t *testing.T, r *Reader) []*unit.Packet {
	t.Helper()
	var out []*unit.Packet
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		p, err := r.Read(ctx)
		cancel()
		if err != nil {
			return out
		}
		out = append(out, p)
	}
}

func TestLateReaderStartsAtKeyframe(t *testing.T) {
	s := New(tracks())
	feed(s, 0, 10, 60)
	r := s.Subscribe(ReaderConfig{Name: "late"})
	feed(s, 10, 80, 60)
	got := drain(t, r)
	if len(got) == 0 || got[0].Codec != unit.CodecH264 || !got[0].Key {
		t.Fatalf("first packet of a late reader must be a video key frame, got %+v", got[0])
	}
	if got[0].PTS != 60*frame {
		t.Fatalf("late reader started at %v, want %v", got[0].PTS, 60*frame)
	}
	if n := len(got); n != 2*30 {
		t.Fatalf("late reader got %d packets, want 60", n)
	}
}

func TestStalledReaderDropsAndNeverBlocks(t *testing.T) {
	defer goleak.VerifyNone(t)
	s := New(tracks())
	stalled := s.Subscribe(ReaderConfig{Name: "stalled", MaxQueue: 500 * time.Millisecond})
	healthy := s.Subscribe(ReaderConfig{Name: "healthy", MaxQueue: time.Hour, MaxPackets: 100000})

	var got []*unit.Packet
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			p, err := healthy.Read(context.Background())
			if err != nil {
				return
			}
			got = append(got, p)
		}
	}()
	const frames = 3000
	feed(s, 0, frames, 60) // returns only because Write never blocks
	s.Close()
	wg.Wait()

	if len(got) != 2*frames {
		t.Fatalf("healthy reader got %d packets, want %d", len(got), 2*frames)
	}
	st := stalled.Stats()
	if st.QueuedPackets > DefaultMaxPackets || st.Queued > time.Second {
		t.Fatalf("stalled queue unbounded: %d packets, %v", st.QueuedPackets, st.Queued)
	}
	if st.DroppedVideo < frames-60 {
		t.Fatalf("stalled reader dropped %d video frames, want nearly all of %d", st.DroppedVideo, frames)
	}
	// What is left starts with a key frame, so decoding can resume.
	rest := drain(t, stalled)
	for _, p := range rest {
		if p.Codec == unit.CodecH264 {
			if !p.Key {
				t.Fatalf("after overflow the first video packet must be a key frame")
			}
			break
		}
	}
}

func TestOverflowKeepsAudio(t *testing.T) {
	s := New(tracks())
	r := s.Subscribe(ReaderConfig{MaxQueue: 900 * time.Millisecond})
	feed(s, 0, 40, 60) // 1.33 s of media: overflows once after 0.9 s
	got := drain(t, r)
	audio := 0
	for _, p := range got {
		if p.Codec == unit.CodecAAC {
			audio++
		}
	}
	if audio != 40 {
		t.Fatalf("audio packets delivered = %d, want all 40", audio)
	}
	st := r.Stats()
	if st.Overflows == 0 || st.DroppedVideo == 0 || st.DroppedAudio != 0 {
		t.Fatalf("unexpected stats %+v", st)
	}
}

func TestSkipToKeyframe(t *testing.T) {
	s := New(tracks())
	r := s.Subscribe(ReaderConfig{})
	feed(s, 0, 10, 5)
	r.SkipToKeyframe()
	feed(s, 10, 3, 5) // frames 10 (key), 11, 12
	got := drain(t, r)
	if len(got) != 6 || !got[0].Key || got[0].PTS != 10*frame {
		t.Fatalf("after SkipToKeyframe got %d packets starting %+v", len(got), got[0])
	}
}

func TestCodecFilterAndClose(t *testing.T) {
	defer goleak.VerifyNone(t)
	s := New(tracks())
	r := s.Subscribe(ReaderConfig{Codecs: []unit.Codec{unit.CodecH264}})
	feed(s, 0, 5, 5)
	done := make(chan error)
	go func() {
		n := 0
		for {
			p, err := r.Read(context.Background())
			if err != nil {
				if n != 5 {
					err = errors.New("wrong packet count")
				}
				done <- err
				return
			}
			if p.Codec != unit.CodecH264 {
				done <- errors.New("filtered codec delivered")
				return
			}
			n++
		}
	}()
	s.Close()
	if err := <-done; !errors.Is(err, ErrClosed) {
		t.Fatalf("read after close: %v", err)
	}
	if late := s.Subscribe(ReaderConfig{}); late != nil {
		if _, err := late.Read(context.Background()); !errors.Is(err, ErrClosed) {
			t.Fatalf("subscribe after close: %v", err)
		}
	}
}

func BenchmarkFanOut(b *testing.B) {
	s := New(tracks())
	readers := make([]*Reader, 8)
	for i := range readers {
		readers[i] = s.Subscribe(ReaderConfig{})
	}
	p := &unit.Packet{Codec: unit.CodecH264, Key: true}
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		p.DTS = time.Duration(i) * frame
		s.Write(p)
		for _, r := range readers {
			if _, err := r.Read(ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// TestFirstKeyFrameKeepsEarlierAudio: the encoder delivers the first key
// frame after some audio of the same instant; a new reader gets the key
// frame first, then that audio, so both tracks start together.
func TestFirstKeyFrameKeepsEarlierAudio(t *testing.T) {
	s := New(tracks())
	r := s.Subscribe(ReaderConfig{})
	for _, ms := range []int{-20, 0, 20, 40} {
		d := time.Duration(ms) * time.Millisecond
		s.Write(&unit.Packet{Codec: unit.CodecAAC, PTS: d, DTS: d, Key: true})
	}
	s.Write(&unit.Packet{Codec: unit.CodecH264, Key: true})
	s.Write(&unit.Packet{Codec: unit.CodecH264, PTS: frame, DTS: frame})
	got := drain(t, r)
	want := []string{"h264 0s", "aac 0s", "aac 20ms", "aac 40ms", "h264 33.333333ms"}
	if len(got) != len(want) {
		t.Fatalf("got %d packets, want %v", len(got), want)
	}
	for i, p := range got {
		if desc := p.Codec.String() + " " + p.DTS.String(); desc != want[i] {
			t.Fatalf("packet %d is %q, want %q", i, desc, want[i])
		}
	}
	if st := r.Stats(); st.DroppedAudio != 0 || st.DroppedVideo != 0 {
		t.Fatalf("nothing was due to the reader before its first key frame: %+v", st)
	}
}

// woken reports (and consumes) a pending wake-up of r.
func woken(r *Reader) bool {
	select {
	case <-r.notify:
		return true
	default:
		return false
	}
}

func TestAudioWakesReaderOfVideoLazily(t *testing.T) {
	s := New(tracks())
	r := s.Subscribe(ReaderConfig{Name: "rtmp"})
	audioOnly := s.Subscribe(ReaderConfig{Name: "audio", Codecs: []unit.Codec{unit.CodecAAC}})
	aac := func(at time.Duration) { s.Write(&unit.Packet{Codec: unit.CodecAAC, PTS: at, DTS: at, Key: true}) }
	s.Write(&unit.Packet{Codec: unit.CodecH264, Key: true})
	if !woken(r) {
		t.Fatal("a video frame must wake the reader at once")
	}
	if r.TryRead() == nil || r.TryRead() != nil {
		t.Fatal("TryRead: want the key frame, then nothing")
	}
	step := 21 * time.Millisecond // one AAC frame
	aac(step)
	if woken(r) {
		t.Fatal("one audio packet woke the reader that takes video")
	}
	if !woken(audioOnly) {
		t.Fatal("an audio-only reader must be woken by every audio packet")
	}
	aac(2 * step)
	if woken(r) {
		t.Fatalf("%v of audio woke the reader (threshold %v)", step, AudioWakeSpan)
	}
	aac(3 * step)
	if !woken(r) {
		t.Fatalf("%v of waiting audio did not wake the reader", 2*step)
	}
	aac(4 * step)
	s.Write(&unit.Packet{Codec: unit.CodecH264, PTS: 4 * step, DTS: 4 * step})
	if !woken(r) {
		t.Fatal("a video frame did not wake the reader")
	}
	var got []unit.Codec
	for p := r.TryRead(); p != nil; p = r.TryRead() {
		got = append(got, p.Codec)
	}
	want := []unit.Codec{unit.CodecAAC, unit.CodecAAC, unit.CodecAAC, unit.CodecAAC, unit.CodecH264}
	if len(got) != len(want) {
		t.Fatalf("TryRead after the wake-ups: got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("TryRead after the wake-ups: got %v, want %v", got, want)
		}
	}
	// The queue was emptied: the next audio packet starts a new span.
	aac(5 * step)
	if woken(r) {
		t.Fatal("audio after an emptied queue woke the reader at once")
	}
	s.Close()
	if !woken(r) {
		t.Fatal("closing the stream must wake the reader")
	}
}
