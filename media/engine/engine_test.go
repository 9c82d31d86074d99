package engine

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"go.uber.org/goleak"

	"golive/media/stream"
	"golive/media/testpeer"
	"golive/media/unit"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// collect runs e for d and returns every packet a reader subscribed
// before Run received.
func collect(t *testing.T, e *Engine, d time.Duration) []*unit.Packet {
	t.Helper()
	r := e.Stream().Subscribe(stream.ReaderConfig{Name: "test", MaxQueue: time.Minute, MaxPackets: 1 << 16})
	defer r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	runErr := make(chan error, 1)
	go func() { runErr <- e.Run(ctx) }()
	var pkts []*unit.Packet
	for {
		p, err := r.Read(context.Background())
		if errors.Is(err, stream.ErrClosed) {
			break
		}
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		pkts = append(pkts, p)
	}
	if err := <-runErr; err != nil {
		t.Fatalf("Run: %v", err)
	}
	return pkts
}

func split(pkts []*unit.Packet) (video []*unit.Packet, audio map[unit.Codec][]*unit.Packet) {
	audio = map[unit.Codec][]*unit.Packet{}
	for _, p := range pkts {
		if p.Kind() == unit.KindVideo {
			video = append(video, p)
		} else {
			audio[p.Codec] = append(audio[p.Codec], p)
		}
	}
	return video, audio
}

func hasType(nalus [][]byte, typ int) bool {
	for _, n := range nalus {
		if unit.NALUType(n) == typ {
			return true
		}
	}
	return false
}

func newTestEngine(t *testing.T, codecs ...unit.Codec) *Engine {
	t.Helper()
	e := &Engine{Config: Config{
		Video:       VideoSourceConfig{Kind: KindTest},
		Audio:       AudioSourceConfig{Kind: KindTest},
		Width:       640,
		Height:      360,
		AudioCodecs: codecs,
	}}
	if err := e.Initialize(); err != nil {
		t.Fatalf("Initialize: %v", err)
	}
	t.Cleanup(e.Close)
	return e
}

func TestTestSourceTracks(t *testing.T) {
	e := newTestEngine(t, unit.CodecAAC)
	tr := e.Stream().Tracks()
	v := tr.Video
	if v == nil || v.Codec != unit.CodecH264 || v.Width != 640 || v.Height != 360 || v.FPS != 30 || v.Encoder != "libx264" {
		t.Fatalf("video track %+v", v)
	}
	if unit.NALUType(v.SPS) != unit.NALUTypeSPS || unit.NALUType(v.PPS) != unit.NALUTypePPS {
		t.Fatalf("SPS %x / PPS %x have wrong NAL types", v.SPS, v.PPS)
	}
	if v.SPS[1] != 100 { // profile_idc 100 = High
		t.Errorf("profile_idc %d, want 100 (High)", v.SPS[1])
	}
	a := tr.AudioFor(unit.CodecAAC)
	if a == nil || a.SampleRate != 48000 || a.Channels != 2 || a.FrameSize != 1024 {
		t.Fatalf("aac track %+v", a)
	}
	// AudioSpecificConfig: AAC-LC (2), 48 kHz (index 3), 2 channels
	// (FFmpeg may append a sync extension).
	if len(a.Config) < 2 || a.Config[0] != 0x11 || a.Config[1] != 0x90 {
		t.Errorf("AudioSpecificConfig %x, want 1190...", a.Config)
	}
	if tr.AudioFor(unit.CodecOpus) != nil {
		t.Error("opus track present although not requested")
	}
}

func TestTestSourcePackets(t *testing.T) {
	e := newTestEngine(t, unit.CodecAAC)
	pkts := collect(t, e, 4300*time.Millisecond)
	video, audio := split(pkts)
	st := e.Stats()
	t.Logf("stats %+v, %d video, %d aac packets", st, len(video), len(audio[unit.CodecAAC]))
	if uint64(len(video)) != st.Encoded {
		t.Errorf("%d video packets, %d frames encoded", len(video), st.Encoded)
	}
	if len(video) < 60 {
		t.Fatalf("only %d video packets in 4.3 s at 30 fps", len(video))
	}
	checkVideo(t, video, !testpeer.RelaxForSkips(t, "engine", st.Skipped, st.Captured))
	checkAudio(t, audio[unit.CodecAAC], 1024)
	checkSync(t, video, audio[unit.CodecAAC])
	checkDecodes(t, video, audio[unit.CodecAAC], 640, 360)
}

// checkVideo checks the frame grid, the GOP and in-band parameter sets.
func checkVideo(t *testing.T, video []*unit.Packet, noSkips bool) {
	t.Helper()
	const frame = time.Second / 30
	if video[0].PTS > 2*frame || !video[0].Key {
		t.Errorf("first video packet at %v key=%v, want a key frame near 0", video[0].PTS, video[0].Key)
	}
	for i, p := range video {
		if p.PTS%frame != 0 && (p.PTS+1)%frame != 0 && p.PTS%frame > time.Microsecond {
			t.Errorf("packet %d PTS %v off the 1/30 s grid", i, p.PTS)
		}
		if i > 0 && p.DTS <= video[i-1].DTS {
			t.Errorf("packet %d DTS %v not after %v", i, p.DTS, video[i-1].DTS)
		}
		if noSkips && p.Key != (i%60 == 0) {
			t.Errorf("packet %d key=%v, want key frames exactly every 60", i, p.Key)
		}
		if p.Key && (!hasType(p.NALUs, unit.NALUTypeSPS) || !hasType(p.NALUs, unit.NALUTypePPS) || !hasType(p.NALUs, unit.NALUTypeIDR)) {
			t.Errorf("key packet %d lacks SPS/PPS/IDR in band", i)
		}
		if !p.Key && hasType(p.NALUs, unit.NALUTypeIDR) {
			t.Errorf("non-key packet %d carries an IDR", i)
		}
		if len(p.NALUs) == 0 || p.CaptureTime.IsZero() {
			t.Errorf("packet %d: %d NALUs, capture time %v", i, len(p.NALUs), p.CaptureTime)
		}
	}
}

// checkAudio checks that audio starts near zero and is continuous.
func checkAudio(t *testing.T, audio []*unit.Packet, frameSize int) {
	t.Helper()
	if audio[0].PTS > 50*time.Millisecond {
		t.Errorf("first audio PTS %v, want near 0", audio[0].PTS)
	}
	checkAudioSteps(t, audio, frameSize)
}

// checkAudioSteps checks that audio packets are contiguous.
func checkAudioSteps(t *testing.T, audio []*unit.Packet, frameSize int) {
	t.Helper()
	if len(audio) < 50 {
		t.Fatalf("only %d audio packets", len(audio))
	}
	samples := func(d time.Duration) int64 { return int64(math.Round(d.Seconds() * 48000)) }
	for i := 1; i < len(audio); i++ {
		if d := samples(audio[i].PTS) - samples(audio[i-1].PTS); d != int64(frameSize) {
			t.Errorf("audio packet %d: PTS step %d samples, want %d", i, d, frameSize)
			break
		}
	}
}

// checkSync compares the clock each track implies: CaptureTime - PTS is
// the stream's zero as each track sees it.
func checkSync(t *testing.T, video, audio []*unit.Packet) {
	t.Helper()
	zero := video[0].CaptureTime.Add(-video[0].PTS)
	for _, set := range [][]*unit.Packet{video, audio} {
		for i, p := range set {
			if d := p.CaptureTime.Add(-p.PTS).Sub(zero); d > 20*time.Millisecond || d < -20*time.Millisecond {
				t.Errorf("%s packet %d (PTS %v): clock off by %v", p.Codec, i, p.PTS, d)
				return
			}
		}
	}
}

// TestSyncPattern decodes what the engine sent and checks that the white
// flash and the beep of the test pattern start together, every second,
// on both audio codecs.
func TestSyncPattern(t *testing.T) {
	e := newTestEngine(t, unit.CodecAAC, unit.CodecOpus)
	pkts := collect(t, e, 3300*time.Millisecond)
	video, audio := split(pkts)
	tr := e.Stream().Tracks()
	op := tr.AudioFor(unit.CodecOpus)
	if op == nil || op.FrameSize != 960 || op.Channels != 2 || len(op.Config) < 19 ||
		string(op.Config[:8]) != "OpusHead" || op.Config[9] != 2 {
		t.Fatalf("opus track %+v", op)
	}
	checkAudio(t, audio[unit.CodecOpus], 960)
	checkAudio(t, audio[unit.CodecAAC], 1024)
	pts, luma := decodeLuma(t, video)
	flashes := flashOnsets(pts, luma)
	t.Logf("flashes at %v (luma %.0f..%.0f)", flashes, minOf(luma), maxOf(luma))
	if len(flashes) < 2 {
		t.Fatalf("found %d flashes in %d pictures", len(flashes), len(luma))
	}
	for i, f := range flashes {
		if f != time.Duration(i+1)*time.Second {
			t.Errorf("flash %d at %v, want %v", i, f, time.Duration(i+1)*time.Second)
		}
	}
	for _, codec := range []unit.Codec{unit.CodecAAC, unit.CodecOpus} {
		samples, start := decodeAudio(t, tr.AudioFor(codec), audio[codec])
		beeps := beepOnsets(samples, start, 0.03)
		t.Logf("%s: first packet at %v, %d samples decoded from %v, beeps at %v", codec, audio[codec][0].PTS, len(samples), start, beeps)
		// The reader drops audio written before the first key frame, so
		// Opus (13.5 ms first packet) may start one packet later.
		if first := audio[codec][0].PTS; first > 40*time.Millisecond || start > 40*time.Millisecond {
			t.Errorf("%s starts at %v (decoded from %v), want near 0", codec, first, start)
		}
		if len(beeps) < len(flashes) {
			t.Fatalf("%s: %d beeps for %d flashes", codec, len(beeps), len(flashes))
		}
		for i, f := range flashes {
			if d := beeps[i] - f; absDur(d) > 20*time.Millisecond {
				t.Errorf("%s: beep %d at %v, flash at %v: A/V offset %v", codec, i, beeps[i], f, d)
			}
		}
	}
}

func minOf(v []float64) float64 {
	m := v[0]
	for _, x := range v {
		m = min(m, x)
	}
	return m
}

func maxOf(v []float64) float64 {
	m := v[0]
	for _, x := range v {
		m = max(m, x)
	}
	return m
}
