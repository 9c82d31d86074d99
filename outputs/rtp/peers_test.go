package rtp

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golive/media/engine"
	"golive/media/mux"
	"golive/media/stream"
	"golive/media/testpeer"
	"golive/media/unit"
	"golive/outputs/dest"
	"golive/outputs/rtptarget"
)

// receiveSeconds is how much media every real receiver records.
const receiveSeconds = 10

// ffmpegReceiver records an RTP target described by an SDP file with the
// ffmpeg program (stream copy, so what is checked afterwards is exactly
// what arrived). -sdp_flags rtcp_to_source sends its Receiver Reports back
// to where our Sender Reports came from.
type ffmpegReceiver struct {
	out    string
	stderr bytes.Buffer
	done   chan error
}

func startFFmpegReceiver(ctx context.Context, in []string, out string, ports ...int) (*ffmpegReceiver, error) {
	return startFFmpeg(ctx, slices.Concat([]string{"-sdp_flags", "rtcp_to_source"}, in,
		[]string{"-map", "0", "-c", "copy", "-t", fmt.Sprint(receiveSeconds), out}), out, ports...)
}

// startFFmpeg runs ffmpeg with args (after the common quiet flags),
// recording to out, and returns once it listens on every port.
func startFFmpeg(ctx context.Context, args []string, out string, ports ...int) (*ffmpegReceiver, error) {
	r := &ffmpegReceiver{out: out, done: make(chan error, 1)}
	cmd := exec.CommandContext(ctx, "ffmpeg", slices.Concat([]string{"-hide_banner", "-nostdin", "-v", "error", "-y"}, args)...)
	cmd.Stderr = &r.stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go func() { r.done <- cmd.Wait() }()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		bound := true
		for _, p := range ports {
			bound = bound && testpeer.UDPPortBound(p)
		}
		if bound {
			return r, nil
		}
		if time.Now().After(deadline) {
			return r, fmt.Errorf("ffmpeg not listening on %v", ports)
		}
	}
}

// peerRun is one target and what its receiver recorded.
type peerRun struct {
	name   string
	target *Target
	file   string
	log    string
	err    error
	stats  map[string]StreamStats
	status dest.Status
}

// TestRealPeers publishes one engine's stream (test pattern with the
// flash/beep sync markers, H.264 + AAC + Opus) to three targets at once:
// mpegts and native received by ffmpeg through their SDP files, and mpegts
// received by VLC itself. It then checks codecs, size, frame counts, decode
// errors, lip sync and the Receiver Reports that came back.
func TestRealPeers(t *testing.T) {
	testpeer.RequireBinaries(t, "ffmpeg", "ffprobe", "cvlc", "timeout")
	e := &engine.Engine{Config: engine.Config{
		Video: engine.VideoSourceConfig{Kind: engine.KindTest}, Audio: engine.AudioSourceConfig{Kind: engine.KindTest},
		Width: 1280, Height: 720, FPS: 30, AudioCodecs: []unit.Codec{unit.CodecAAC, unit.CodecOpus},
	}}
	if err := e.Initialize(); err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	tracks := e.Stream().Tracks()
	dir := t.TempDir()
	runs := []*peerRun{
		{name: "mpegts-ffmpeg", target: &Target{Config: rtptarget.Config{Host: "127.0.0.1", Port: freePorts(t, 2), Mode: ModeMPEGTS}}},
		{name: "native-ffmpeg", target: &Target{Config: rtptarget.Config{Host: "127.0.0.1", Port: freePorts(t, 4), Mode: ModeNative}}},
		{name: "mpegts-vlc", target: &Target{Config: rtptarget.Config{Host: "127.0.0.1", Port: freePorts(t, 2), Mode: ModeMPEGTS}}},
		// ffmpeg 5.1 cannot receive SRTP MPEG-TS (its SDP demuxer keeps
		// a=crypto only for streams it creates itself, not for MP2T),
		// VLC can, with --srtp-key/--srtp-salt.
		{name: "mpegts-srtp-vlc", target: &Target{Config: rtptarget.Config{Host: "127.0.0.1", Port: freePorts(t, 2), Mode: ModeMPEGTS,
			SRTP: true, SRTPRCC: true}}},
		{name: "native-srtp-mux-ffmpeg", target: &Target{Config: rtptarget.Config{Host: "127.0.0.1", Port: freePorts(t, 4), Mode: ModeNative,
			SRTP: true, RTCPMux: true}}},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	receive := startReceivers(ctx, t, dir, tracks, runs)

	handlers := publish(t, e.Stream(), runs)
	ref := recordReference(e.Stream(), filepath.Join(dir, "reference.mkv"))
	engineDone := make(chan error, 1)
	go func() { engineDone <- e.Run(ctx) }()
	receive.Wait()
	for i, r := range runs {
		r.stats, r.status = r.target.Stats(), handlers[i].Status()
		handlers[i].Close()
	}
	cancel()
	if err := <-engineDone; err != nil {
		t.Errorf("engine: %v", err)
	}
	// A loaded machine makes the engine skip frames: what the receivers
	// must have is every frame of the first 10 s the engine produced, in
	// the sync the engine produced.
	rec := <-ref
	if rec.err != nil {
		t.Fatalf("reference recording: %v", rec.err)
	}
	expected := framesIn(rec.pts, rec.start, receiveSeconds*time.Second)
	refSync := lipSync(t, rec.path)
	t.Logf("engine: %+v; %d frames in the first %d s; reference offsets %v", e.Stats(), expected, receiveSeconds, refSync.Offsets)
	es := e.Stats()
	testpeer.RelaxForSkips(t, "engine", es.Skipped, es.Captured)
	for _, r := range runs {
		t.Run(r.name, func(t *testing.T) { checkPeerRun(t, r, expected, refSync) })
	}
}

type reference struct {
	path string
	pts  []time.Duration // of every video packet
	// start is the earliest PTS delivered (audio encoded before the
	// first key frame but delivered after it may start earlier).
	start time.Duration
	err   error
}

// recordReference writes the engine's own output (H.264 + AAC) to a
// Matroska file with media/mux, until the stream closes: the A/V sync
// the receivers are compared with.
func recordReference(s *stream.Stream, path string) <-chan reference {
	r := s.Subscribe(stream.ReaderConfig{Name: "reference", MaxQueue: time.Hour, MaxPackets: 1 << 16,
		Codecs: []unit.Codec{unit.CodecH264, unit.CodecAAC}})
	out := make(chan reference, 1)
	go func() {
		defer r.Close()
		ref := reference{path: path}
		started := false
		m := &mux.Muxer{Format: "matroska", Path: path, Tracks: s.Tracks(), AudioCodec: unit.CodecAAC}
		if ref.err = m.Initialize(); ref.err != nil {
			out <- ref
			return
		}
		for {
			p, err := r.Read(context.Background())
			if err != nil {
				break
			}
			if !started || p.PTS < ref.start {
				ref.start, started = p.PTS, true
			}
			if p.Codec == unit.CodecH264 {
				ref.pts = append(ref.pts, p.PTS)
			}
			if err := m.WritePacket(p); err != nil && ref.err == nil {
				ref.err = err
			}
		}
		if err := m.Close(); err != nil && ref.err == nil {
			ref.err = err
		}
		out <- ref
	}()
	return out
}

// framesIn counts the frames within d of start: what ffmpeg's -t keeps,
// counting from the earliest packet of any stream.
func framesIn(pts []time.Duration, start, d time.Duration) int {
	n := 0
	for _, p := range pts {
		if p-start < d {
			n++
		}
	}
	return n
}

// startReceivers writes the SDPs and starts every receiver; the returned
// group ends when all have recorded.
func startReceivers(ctx context.Context, t *testing.T, dir string, tracks unit.Tracks, runs []*peerRun) *sync.WaitGroup {
	t.Helper()
	var wg sync.WaitGroup
	for _, r := range runs {
		r.target.SDPPath = filepath.Join(dir, r.name+".sdp")
		if _, err := r.target.WriteSDP(tracks); err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(r.name, "vlc") {
			args := r.target.VLCArgs()
			v := &testpeer.VLCRecorder{URL: args[0], Args: args[1:], Duration: (receiveSeconds + 6) * time.Second}
			if err := v.Start(ctx); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(v.Cleanup)
			wg.Go(func() { r.file, r.log, r.err = v.Wait() })
			continue
		}
		ports := []int{r.target.Port, r.target.Port + 1}
		ext := ".ts"
		if r.target.Mode == ModeNative {
			ports, ext = append(ports, r.target.Port+2, r.target.Port+3), ".mkv"
		}
		in, err := r.target.FFmpegReceiveArgs()
		if err != nil {
			t.Fatal(err)
		}
		rec, err := startFFmpegReceiver(ctx, in, filepath.Join(dir, r.name+ext), ports...)
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			r.err = <-rec.done
			r.file, r.log = rec.out, rec.stderr.String()
		})
	}
	return &wg
}

func publish(t *testing.T, s *stream.Stream, runs []*peerRun) []*dest.Handler {
	t.Helper()
	var hs []*dest.Handler
	for _, r := range runs {
		h := &dest.Handler{Name: r.name, Kind: "rtp", Worker: r.target, Stream: s, Reader: r.target.ReaderConfig()}
		if err := h.Initialize(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(h.Close)
		hs = append(hs, h)
	}
	return hs
}

func checkPeerRun(t *testing.T, r *peerRun, expected int, ref *testpeer.SyncReport) {
	vlc := strings.HasSuffix(r.name, "vlc")
	if r.err != nil {
		t.Fatalf("receiver: %v: %s", r.err, r.log)
	}
	// VLC's log is chatty (no sound card, no D-Bus): only ffmpeg's is
	// checked line by line.
	if lines := receiverErrors(r.log); len(lines) > 0 && !vlc {
		t.Errorf("receiver reported errors:\n%s", strings.Join(lines, "\n"))
	}
	if r.status.State != dest.StateLive || r.status.LastError != "" {
		t.Errorf("destination %s %q", r.status.State, r.status.LastError)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, err := testpeer.Analyze(ctx, r.file)
	if err != nil {
		t.Fatal(err)
	}
	// VLC's own receive and remux are not ours to judge (under load it
	// drops); what it wrote must still be H.264 + AAC of the right size.
	if len(a.Errors) > 0 && !vlc {
		t.Errorf("%d decode errors: %v", len(a.Errors), a.Errors[:min(5, len(a.Errors))])
	}
	wantAudio := "aac"
	if r.target.Mode == ModeNative {
		wantAudio = "opus"
	}
	v, au := a.Stream("video"), a.Stream("audio")
	if v == nil || v.CodecName != "h264" || v.Width != 1280 || v.Height != 720 {
		t.Errorf("video stream %+v, want h264 1280x720", v)
	}
	if au == nil || au.CodecName != wantAudio || au.SampleRate != "48000" || au.Channels != 2 {
		t.Errorf("audio stream %+v, want %s 48 kHz stereo", au, wantAudio)
	}
	// ffmpeg stops after 10 s of media (give or take a few frames: its
	// -t counts from the earliest stream); VLC records for longer.
	frames := a.Count("video")
	if frames < expected-2 || (!vlc && frames > expected+5) {
		t.Errorf("%d video frames decoded, want the engine's %d", frames, expected)
	}
	t.Logf("%s: %d video / %d audio frames, stats %+v", r.name, frames, a.Count("audio"), r.stats)
	checkLipSync(t, r.file, ref, !vlc)
	checkSenderReports(t, r)
}

// receiverErrors drops ffmpeg's harmless start-up notes.
func receiverErrors(log string) []string {
	var out []string
	for _, l := range strings.Split(log, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.Contains(l, "no packets received yet") {
			continue
		}
		out = append(out, l)
	}
	return out
}

// lipSync times the flash/beep markers of a recording.
func lipSync(t *testing.T, file string) *testpeer.SyncReport {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rep, err := testpeer.AVSync(ctx, file, nil, receiveSeconds*time.Second)
	if err != nil {
		t.Fatalf("lip sync of %s: %v", file, err)
	}
	return rep
}

// checkLipSync measures the flash/beep offsets in what the receiver got:
// within 40 ms, or within 10 ms of the engine's own output when a loaded
// machine made the engine skip a marker frame. VLC's remuxing re-stamps
// packets by its own clock and adds tens of ms of jitter of its own, so
// for VLC the offsets are only logged; ffmpeg's stream copy keeps the
// timestamps we sent.
func checkLipSync(t *testing.T, file string, ref *testpeer.SyncReport, strict bool) {
	t.Helper()
	rep := lipSync(t, file)
	t.Logf("lip sync offsets %v (max %v)", rep.Offsets, rep.MaxAbsOffset)
	if len(rep.Offsets) < receiveSeconds-3 {
		t.Errorf("only %d flash/beep pairs found", len(rep.Offsets))
	}
	allowed := max(40*time.Millisecond, ref.MaxAbsOffset+10*time.Millisecond)
	if strict && rep.MaxAbsOffset > allowed {
		t.Errorf("audio/video offset up to %v, want within %v (engine's own: %v)", rep.MaxAbsOffset, allowed, ref.MaxAbsOffset)
	}
}

// checkSenderReports checks the RTCP figures of the run. FFmpeg 5.1 sends
// no Receiver Reports for SDP input (its RTP handle is opened read-only and
// its RR write fails with EIO, visible with -v trace) and VLC 3.0 sends
// none at all, so Receiver Report parsing is checked against GStreamer in
// TestGStreamerReceiverReports.
func checkSenderReports(t *testing.T, r *peerRun) {
	t.Helper()
	kinds := []string{"mpegts"}
	if r.target.Mode == ModeNative {
		kinds = []string{"audio", "video"}
	}
	if got := slices.Sorted(maps.Keys(r.stats)); !slices.Equal(got, kinds) {
		t.Errorf("streams %v, want %v", got, kinds)
	}
	for _, k := range kinds {
		if st := r.stats[k]; st.SRSent < receiveSeconds-2 || st.Packets == 0 || st.Octets == 0 {
			t.Errorf("%s: %+v, want a sender report about every second", k, st)
		}
	}
}
