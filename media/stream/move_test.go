package stream

import (
	"testing"
	"time"

	"golive/media/unit"
)

// feedBoth writes frames first..first+n-1 to a and b as two encoders of
// one capture would: each its own video (a key frame every gopA / gopB;
// Data names the stream), then the same audio packet to a, then to b.
func feedBoth(a, b *Stream, first, n, gopA, gopB int) {
	for i := first; i < first+n; i++ {
		t := time.Duration(i) * frame
		a.Write(&unit.Packet{Codec: unit.CodecH264, PTS: t, DTS: t, Key: i%gopA == 0, Data: []byte("a")})
		b.Write(&unit.Packet{Codec: unit.CodecH264, PTS: t, DTS: t, Key: i%gopB == 0, Data: []byte("b")})
		au := &unit.Packet{Codec: unit.CodecAAC, PTS: t, DTS: t, Key: true}
		a.Write(au)
		b.Write(au)
	}
}

// TestMoveToSwitchesAtKeyFrame: a reader that keeps up takes a's video
// until b's key frame, then b's; every audio packet once, in order.
func TestMoveToSwitchesAtKeyFrame(t *testing.T) {
	a, b := New(tracks()), New(tracks())
	r := a.Subscribe(ReaderConfig{Name: "x"})
	feedBoth(a, b, 0, 10, 60, 15)
	got := drain(t, r)
	if !r.MoveTo(b) {
		t.Fatal("MoveTo refused an open stream")
	}
	if p, _ := r.Moving(); !p || b.Readers() != 1 {
		t.Fatalf("pending %v, b readers %d: want a pending move subscribed to b", p, b.Readers())
	}
	for i := 10; i < 30; i++ {
		feedBoth(a, b, i, 1, 60, 15)
		for p := r.TryRead(); p != nil; p = r.TryRead() {
			got = append(got, p)
		}
	}
	var audio []time.Duration
	lastVideo := time.Duration(-1)
	for _, p := range got {
		if p.Kind() == unit.KindAudio {
			audio = append(audio, p.DTS)
			continue
		}
		want := "a"
		if p.DTS >= 15*frame {
			want = "b"
		}
		if string(p.Data) != want || p.DTS <= lastVideo {
			t.Fatalf("video at %v from %q (after %v): want %q, in order", p.DTS, p.Data, lastVideo, want)
		}
		if p.DTS == 15*frame && !p.Key {
			t.Fatal("first frame of b is not its key frame")
		}
		lastVideo = p.DTS
	}
	if lastVideo != 29*frame {
		t.Errorf("last video at %v, want %v", lastVideo, 29*frame)
	}
	if len(audio) != 30 {
		t.Fatalf("%d audio packets, want 30 (each once)", len(audio))
	}
	for i, d := range audio {
		if d != time.Duration(i)*frame {
			t.Fatalf("audio %d at %v, want %v: a packet lost, repeated or out of order", i, d, time.Duration(i)*frame)
		}
	}
	if pending, moves := r.Moving(); pending || moves != 1 {
		t.Errorf("pending %v, moves %d: want one move done", pending, moves)
	}
	if a.Readers() != 0 || b.Readers() != 1 || r.Tracks().Video == nil {
		t.Errorf("readers a %d, b %d after the move: want 0 and 1", a.Readers(), b.Readers())
	}
	// a's frame of the switch's instant came first, queued: dropped.
	if st := r.Stats(); st.DroppedVideo != 1 || st.DroppedAudio != 0 {
		t.Errorf("drops %+v: want only a's frame at the switch", st)
	}
	r.Close()
	if b.Readers() != 0 {
		t.Error("Close left the reader on its new stream")
	}
}

// TestMoveDropsQueuedVideo: the old stream's video still queued at the
// switch is dropped and counted; its audio stays.
func TestMoveDropsQueuedVideo(t *testing.T) {
	a, b := New(tracks()), New(tracks())
	r := a.Subscribe(ReaderConfig{Name: "x"})
	feed(a, 0, 15, 60) // queued, not read
	r.MoveTo(b)
	feedBoth(a, b, 15, 5, 60, 15) // b's key frame at 15 (after a's frame 15)
	got := drain(t, r)
	video, audio := 0, 0
	for _, p := range got {
		if p.Kind() == unit.KindVideo {
			if string(p.Data) != "b" {
				t.Fatalf("video of a at %v delivered after the switch", p.DTS)
			}
			video++
		} else {
			audio++
		}
	}
	if st := r.Stats(); video != 5 || audio != 20 || st.DroppedVideo != 16 {
		t.Errorf("%d video (want b's 5), %d audio (want 20), %d dropped (want a's 16)", video, audio, st.DroppedVideo)
	}
}

func TestMoveCancelAndClosedTarget(t *testing.T) {
	a, b := New(tracks()), New(tracks())
	r := a.Subscribe(ReaderConfig{Name: "x"})
	r.MoveTo(b)
	r.MoveTo(a) // cancels
	if p, _ := r.Moving(); p || b.Readers() != 0 {
		t.Fatalf("pending %v, b readers %d after cancelling", p, b.Readers())
	}
	r.MoveTo(b)
	b.Close() // the target ends: the move is dropped, the reader lives on
	feedBoth(a, New(tracks()), 0, 5, 60, 60)
	if got := drain(t, r); len(got) != 10 {
		t.Fatalf("%d packets after the target closed, want 10 from a", len(got))
	}
	if p, _ := r.Moving(); p {
		t.Error("move still pending to a closed stream")
	}
	if r.MoveTo(b) {
		t.Error("MoveTo a closed stream succeeded")
	}
	r.Close()
	if r.MoveTo(a) || a.Readers() != 0 {
		t.Error("a closed reader moved or stayed subscribed")
	}
}

func TestMoveWhileNotStartedWaitsForKey(t *testing.T) {
	a, b := New(tracks()), New(tracks())
	r := a.Subscribe(ReaderConfig{Name: "x"})
	r.MoveTo(b) // before a's first key frame
	feedBoth(a, b, 1, 10, 60, 4)
	got := drain(t, r)
	if len(got) == 0 || got[0].DTS != 4*frame || string(got[0].Data) != "b" || !got[0].Key {
		t.Fatalf("first packet %+v, want b's key frame at frame 4", got)
	}
}
