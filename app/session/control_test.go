package session

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"golive/media/encode"
	"golive/media/testpeer"
	"golive/media/unit"
	"golive/outputs/dest"
)

// got is one packet a recordingWorker received.
type got struct {
	pts  time.Duration
	key  bool
	when time.Time
}

// recordingWorker goes live at once and records the video it reads.
type recordingWorker struct {
	mu    sync.Mutex
	video []got
	runs  int
	ended int
}

func (w *recordingWorker) Run(ctx context.Context, s *dest.Session) error {
	w.mu.Lock()
	w.runs++
	w.mu.Unlock()
	defer func() { w.mu.Lock(); w.ended++; w.mu.Unlock() }()
	s.Live()
	for {
		p, err := s.Reader.Read(ctx)
		if err != nil {
			return err
		}
		if p.Codec == unit.CodecH264 {
			w.mu.Lock()
			w.video = append(w.video, got{pts: p.PTS, key: p.Key, when: time.Now()})
			w.mu.Unlock()
		}
	}
}

func (w *recordingWorker) packets() []got {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]got(nil), w.video...)
}

func (w *recordingWorker) counts() (runs, ended int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.runs, w.ended
}

// waitVideo waits until w has n more video packets than from, and
// returns them; the first must be a key frame.
func waitVideo(t *testing.T, name string, w *recordingWorker, from, n int, within time.Duration) []got {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if p := w.packets(); len(p) >= from+n {
			if !p[from].key {
				t.Fatalf("%s: first packet after (re)start at %v is not a key frame", name, p[from].pts)
			}
			return p[from:]
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s: %d video packets after %v, want %d", name, len(w.packets())-from, within, n)
	return nil
}

func output(name string, w dest.Worker) Output {
	return Output{Name: name, Kind: "rtmp", Worker: w, AudioCodec: unit.CodecAAC}
}

// TestLiveControl starts, stops, adds, updates and removes destinations
// of a running stream with a 10 s GOP: every (re)started destination gets
// a key frame within about a second (the requested one), and the
// destination that is never touched receives every frame without a gap.
func TestLiveControl(t *testing.T) {
	if testing.Short() {
		t.Skip("real-time encode")
	}
	defer goleak.VerifyNone(t)
	steady, b, c, b2 := &recordingWorker{}, &recordingWorker{}, &recordingWorker{}, &recordingWorker{}
	cfg, err := FromProfile(testProfile(t, t.TempDir()+"/rec.mkv"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Engine.KeyframeInterval = 10 * time.Second
	cfg.Outputs = []Output{output("steady", steady), output("b", b)}
	s := &Session{Config: cfg}
	if err := s.StartOutput("b"); !errors.Is(err, ErrNotLive) {
		t.Fatalf("StartOutput before Initialize = %v, want ErrNotLive", err)
	}
	if err := s.Initialize(); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !s.Live() || len(s.OutputNames()) != 2 || s.OutputList()[1].Kind != "rtmp" {
		t.Fatalf("live %v, outputs %v", s.Live(), s.OutputList())
	}
	waitVideo(t, "b", b, 0, 30, 5*time.Second)

	if err := s.StopOutput("b"); err != nil {
		t.Fatal(err)
	}
	if info, _ := s.Output("b"); info.Active || info.Status.State != dest.StateStopped {
		t.Fatalf("after StopOutput: %+v", info)
	}
	stoppedAt := len(b.packets())
	time.Sleep(1500 * time.Millisecond) // past the key frame gap
	if n := len(b.packets()); n != stoppedAt {
		t.Fatalf("stopped destination still received %d packets", n-stoppedAt)
	}
	if err := s.StartOutput("b"); err != nil {
		t.Fatal(err)
	}
	waitVideo(t, "b restarted", b, stoppedAt, 5, keyWithin)

	if err := s.AddOutput(output("c", c)); err != nil {
		t.Fatal(err)
	}
	if err := s.AddOutput(output("c", &recordingWorker{})); !errors.Is(err, ErrOutputExists) {
		t.Fatalf("AddOutput of a used name = %v", err)
	}
	opus := output("opus", &recordingWorker{})
	opus.AudioCodec = unit.CodecOpus
	if err := s.AddOutput(opus); !errors.Is(err, ErrNeedsRestart) {
		t.Fatalf("AddOutput needing Opus on an AAC-only stream = %v, want ErrNeedsRestart", err)
	}
	waitVideo(t, "c added", c, 0, 5, keyWithin)

	if err := s.UpdateOutput(output("b", b2)); err != nil {
		t.Fatal(err)
	}
	if runs, ended := b.counts(); runs != 2 || ended != 2 {
		t.Fatalf("old worker of b: %d runs, %d ended after UpdateOutput", runs, ended)
	}
	waitVideo(t, "b updated", b2, 0, 5, keyWithin)

	if err := s.RemoveOutput("c"); err != nil {
		t.Fatal(err)
	}
	if names := s.OutputNames(); len(names) != 2 || names[1] != "b" {
		t.Fatalf("after RemoveOutput: %v", names)
	}
	if err := s.StopOutput("c"); !errors.Is(err, ErrNoOutput) {
		t.Fatalf("StopOutput of a removed destination = %v", err)
	}
	checkNoGap(t, steady.packets())
	s.Close()
	if err := s.AddOutput(output("late", &recordingWorker{})); !errors.Is(err, ErrNotLive) {
		t.Fatalf("AddOutput after Close = %v", err)
	}
}

// keyWithin is how long TestLiveControl lets a (re)started destination
// wait for its first 5 frames from a key frame: the requested key frame
// may wait out the encoder's KeyFrameGap (1 s) after the previous one,
// then 4 frames and the pipeline's latency; 1.5 s more of margin for a
// busy machine, and still far from the next GOP key frame (10 s).
const keyWithin = encode.KeyFrameGap + 1500*time.Millisecond

// checkNoGap checks that video PTS advance one frame (1/30 s) at a time,
// allowing for frames the encoder skipped under load (logged, up to
// testpeer.MaxSkippedPercent) but not for a gap longer than 200 ms.
func checkNoGap(t *testing.T, pkts []got) {
	t.Helper()
	frame := time.Second / 30
	skipped := 0
	for i := 1; i < len(pkts); i++ {
		d := pkts[i].pts - pkts[i-1].pts
		if d > 200*time.Millisecond || d <= 0 {
			t.Fatalf("untouched destination: PTS %v after %v", pkts[i].pts, pkts[i-1].pts)
		}
		if d > frame+time.Millisecond {
			skipped++
		}
	}
	testpeer.RelaxForSkips(t, "untouched destination", uint64(skipped), uint64(len(pkts)+skipped))
}
