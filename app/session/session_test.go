package session

import (
	"context"
	"errors"
	"image"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"golive/app/profile"
	"golive/media/stream"
	"golive/media/testpeer"
	"golive/outputs/dest"
)

// stalledWorker accepts the stream and never reads it: the slowest
// possible destination.
type stalledWorker struct{}

func (stalledWorker) Run(ctx context.Context, s *dest.Session) error {
	s.Live()
	<-ctx.Done()
	return ctx.Err()
}

// testSourceProfile is the default profile on the test source and tone.
func testSourceProfile() profile.Profile {
	p := profile.DefaultProfile()
	p.Capture.Source, p.Capture.Audio = profile.SourceTest, profile.AudioTest
	return p
}

func testProfile(t *testing.T, recordPath string) profile.Profile {
	t.Helper()
	p := testSourceProfile()
	rec, err := profile.ParseRecordFlag(recordPath)
	if err != nil {
		t.Fatal(err)
	}
	p.Destinations = []profile.Destination{rec}
	return p
}

// TestStalledSubscriberLosesNothingElsewhere: a subscriber that never
// reads does not cost the encoder or the recording a single frame; its
// queue stays bounded and its drops are counted.
func TestStalledSubscriberLosesNothingElsewhere(t *testing.T) {
	if testing.Short() {
		t.Skip("real-time encode")
	}
	defer goleak.VerifyNone(t)
	out := filepath.Join(t.TempDir(), "rec.mkv")
	cfg, err := FromProfile(testProfile(t, out))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Outputs = append(cfg.Outputs, Output{Name: "stalled", Kind: "rtmp", Worker: stalledWorker{},
		Reader: stream.ReaderConfig{MaxQueue: 900 * time.Millisecond}})
	s := &Session{Config: cfg}
	if err := s.Initialize(); err != nil {
		t.Fatal(err)
	}
	var heapMid uint64
	time.Sleep(4 * time.Second)
	heapMid = heapInUse()
	time.Sleep(4 * time.Second)
	heapEnd := heapInUse()
	st := s.Stats()
	s.Close()

	stalled := st.Outputs[1]
	if stalled.Dropped < 100 || stalled.QueueMs > 2000 {
		t.Fatalf("stalled output: dropped %d, queue %.0f ms; want drops counted and a bounded queue", stalled.Dropped, stalled.QueueMs)
	}
	if heapEnd > heapMid+32<<20 {
		t.Fatalf("heap grew from %d to %d bytes while one output was stalled", heapMid, heapEnd)
	}
	final := s.Stats()
	a, err := testpeer.Analyze(context.Background(), out)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Errors) > 0 {
		t.Fatalf("recording decode errors: %v", a.Errors)
	}
	if got := uint64(a.Count("video")); got != final.Frames.Encoded {
		t.Fatalf("recording has %d frames, the encoder produced %d: the stalled output cost frames", got, final.Frames.Encoded)
	}
	if final.Outputs[0].Dropped != 0 {
		t.Fatalf("recording dropped %d frames", final.Outputs[0].Dropped)
	}
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

func TestFromProfileRejectsInvalid(t *testing.T) {
	p := profile.DefaultProfile()
	p.Destinations = nil
	if _, err := FromProfile(p); err == nil {
		t.Fatal("a profile without destinations must not go live")
	}
	p = profile.DefaultProfile()
	p.Encoder.FPS = 0
	if _, err := FromProfile(p); err == nil {
		t.Fatal("fps 0 accepted")
	}
	p = profile.DefaultProfile()
	p.Destinations[0].Enabled = false
	if _, err := FromProfile(p); err == nil {
		t.Fatal("a profile with every destination disabled must not go live")
	}
}

func TestAudioCodecsFollowOutputs(t *testing.T) {
	p := profile.DefaultProfile()
	native, err := profile.ParseRTPFlag("127.0.0.1:5010?mode=native")
	if err != nil {
		t.Fatal(err)
	}
	native.Name = "native"
	p.Destinations = append(p.Destinations, native)
	cfg, err := FromProfile(p)
	if err != nil {
		t.Fatal(err)
	}
	s := &Session{Config: cfg}
	got := s.audioCodecs()
	if len(got) != 2 {
		t.Fatalf("mpegts + native RTP need AAC and Opus, got %v", got)
	}
	s.Outputs = s.Outputs[:1]
	if got := s.audioCodecs(); len(got) != 1 {
		t.Fatalf("mpegts RTP needs only AAC, got %v", got)
	}
}

// failingWorker never connects: its handler waits to retry.
type failingWorker struct{}

func (failingWorker) Run(context.Context, *dest.Session) error {
	return errors.New("connection refused")
}

// TestCloseWithManyStuckOutputs: outputs that ignore the end of the
// stream (stalled) or wait to retry (failing) cannot keep Close from
// returning: the drain deadline is shared by every output. Before the fix
// the second stalled output waited on an already fired timer for ever.
func TestCloseWithManyStuckOutputs(t *testing.T) {
	if testing.Short() {
		t.Skip("real-time encode")
	}
	defer goleak.VerifyNone(t)
	cfg, err := FromProfile(testProfile(t, filepath.Join(t.TempDir(), "rec.mkv")))
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range []dest.Worker{stalledWorker{}, stalledWorker{}, failingWorker{}, failingWorker{}} {
		cfg.Outputs = append(cfg.Outputs, Output{Name: "stuck" + strconv.Itoa(i), Kind: "rtmp", Worker: w,
			Reader: stream.ReaderConfig{MaxQueue: 900 * time.Millisecond}})
	}
	cfg.DrainTimeout = 300 * time.Millisecond
	s := &Session{Config: cfg}
	if err := s.Initialize(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	closed := make(chan struct{})
	go func() { s.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(30 * time.Second):
		t.Fatal("Close did not return with two stalled and two failing outputs")
	}
	for _, o := range s.Stats().Outputs {
		if o.State != dest.StateStopped {
			t.Errorf("%s: state %s after Close", o.Name, o.State)
		}
	}
}

// TestInitializeChecksDestinations: a destination that can never work (a
// recording folder that does not exist, an RTMPS CA file that is missing)
// stops Initialize with a clear error before anything starts.
func TestInitializeChecksDestinations(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]profile.Destination{
		"does not exist": {Name: "rec", Kind: profile.KindRecord, Enabled: true,
			Record: &profile.Record{Path: filepath.Join(dir, "missing", "a.mkv")}},
		"rtmps ca file": {Name: "tls", Kind: profile.KindRTMP, Enabled: true,
			RTMP: &profile.RTMP{URL: "rtmps://127.0.0.1:1/live", Key: "k", CAFile: filepath.Join(dir, "ca.pem")}},
	}
	for want, d := range cases {
		p := testSourceProfile()
		p.Destinations = []profile.Destination{d}
		cfg, err := FromProfile(p)
		if err != nil {
			t.Fatalf("%s: FromProfile: %v", want, err)
		}
		s := &Session{Config: cfg}
		err = s.Initialize()
		if err == nil {
			s.Close()
			t.Fatalf("%s: Initialize accepted a destination that cannot work", want)
		}
		if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), d.Name) {
			t.Errorf("Initialize = %v, want the destination and %q", err, want)
		}
	}
}

func TestEngineConfigRegion(t *testing.T) {
	p := profile.DefaultProfile()
	p.Capture.Region = "10,20,640,480"
	if got := EngineConfig(p).Video.Region; got != image.Rect(10, 20, 650, 500) {
		t.Fatalf("region %v, want (10,20)-(650,500)", got)
	}
	p.Capture.Region = ""
	if got := EngineConfig(p).Video.Region; !got.Empty() {
		t.Fatalf("no region gave %v, want the whole screen (empty rectangle)", got)
	}
}
