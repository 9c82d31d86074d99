package faults

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"golive/app/profile"
	"golive/app/session"
	"golive/media/testpeer"
)

// soakSample is one row of soak.csv.
type soakSample struct {
	ElapsedS    float64
	RSSMB       float64
	HeapMB      float64
	Goroutines  int
	Encoded     uint64
	Skipped     uint64
	FPS         float64
	Dropped     uint64 // video + audio, every output
	Reconnects  uint64
	AVOffsetMs  float64
	RxRTMP      int // frames decoded by the RTMP receiver
	RxRTP       int // frames decoded by the RTP receiver
	RxErrors    int // decode error lines of both receivers
	NotLive     int // outputs not in state "live"
	SentRTMPOne uint64
}

// TestSoak streams the test source to 3 RTMP destinations on nginx, one
// RTP target and a recording for GOLIVE_SOAK (e.g. 1h; skipped when
// unset), sampling every GOLIVE_SOAK_INTERVAL (10 s) the process RSS, Go
// heap, goroutines, drops and the engine's A/V offset into
// GOLIVE_SOAK_DIR/soak.csv, and writes summary.md and soak.svg. It fails
// on any drop, decode error, memory growth or A/V offset beyond 20 ms.
// Run it with `make soak DURATION=1h`.
func TestSoak(t *testing.T) {
	durEnv := os.Getenv("GOLIVE_SOAK")
	if durEnv == "" {
		t.Skip("set GOLIVE_SOAK=DURATION (make soak DURATION=1h)")
	}
	dur, err := time.ParseDuration(durEnv)
	if err != nil || dur < 30*time.Second {
		t.Fatalf("GOLIVE_SOAK=%q: want a duration of at least 30s", durEnv)
	}
	interval := 10 * time.Second
	if v := os.Getenv("GOLIVE_SOAK_INTERVAL"); v != "" {
		if interval, err = time.ParseDuration(v); err != nil || interval <= 0 {
			t.Fatalf("GOLIVE_SOAK_INTERVAL=%q: want a positive duration", v)
		}
	}
	dir := os.Getenv("GOLIVE_SOAK_DIR")
	if dir == "" {
		dir = "soak"
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	testpeer.RequireBinaries(t, "nginx", "ffmpeg", "ffprobe")

	ng := testpeer.StartNginxRTMP(t)
	rtpPort := freeUDPPair(t)
	recPath := filepath.Join(t.TempDir(), "soak.mkv")
	p := profile.DefaultProfile()
	p.Name = "soak"
	p.Capture.Source, p.Capture.Audio = profile.SourceTest, profile.AudioTest
	p.Destinations = nil
	for i := 1; i <= 3; i++ {
		d, err := profile.ParseRTMPFlag(ng.RTMPURL("live", "soak"+strconv.Itoa(i)), "")
		if err != nil {
			t.Fatal(err)
		}
		d.Name = "rtmp" + strconv.Itoa(i)
		p.Destinations = append(p.Destinations, d)
	}
	rtpDest, err := profile.ParseRTPFlag(fmt.Sprintf("127.0.0.1:%d", rtpPort))
	if err != nil {
		t.Fatal(err)
	}
	rtpDest.Name = "rtp"
	rec, err := profile.ParseRecordFlag(recPath)
	if err != nil {
		t.Fatal(err)
	}
	p.Destinations = append(p.Destinations, rtpDest, rec)
	cfg, err := session.FromProfile(p)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

	rxRTMP := startRTMPReceiver(t, ng, "live", "soak1")
	rxRTP := startReceiver(t, "rtp", fmt.Sprintf("rtp://127.0.0.1:%d?buffer_size=8388608&timeout=60000000", rtpPort),
		"-protocol_whitelist", "udp,rtp")
	// The sender starts once the RTP receiver's socket is bound: it then
	// decodes every frame from the first key frame, with no error (ffmpeg
	// spends the first datagram, the stream's tables alone, on learning the
	// payload type); one that is not listening yet starts at a later one.
	for deadline := time.Now().Add(15 * time.Second); !testpeer.UDPPortBound(rtpPort); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the RTP receiver (ffmpeg) did not bind udp port %d in 15 s", rtpPort)
		}
	}

	s := &session.Session{Config: cfg}
	if err := s.Initialize(); err != nil {
		t.Fatal(err)
	}
	csvFile, err := os.Create(filepath.Join(dir, "soak.csv"))
	if err != nil {
		s.Close()
		t.Fatal(err)
	}
	defer csvFile.Close()
	w := bufio.NewWriter(csvFile)
	fmt.Fprintln(w, soakCSVHeader)
	var samples []soakSample
	start := time.Now()
	tick := time.NewTicker(interval)
loop:
	for {
		select {
		case now := <-tick.C:
			smp := sampleSoak(s.Stats(), now.Sub(start), rxRTMP, rxRTP)
			samples = append(samples, smp)
			fmt.Fprintln(w, smp.csv())
			_ = w.Flush()
			if now.Sub(start) >= dur {
				break loop
			}
		case <-s.Done():
			t.Errorf("stream ended early: %v", s.Err())
			break loop
		}
	}
	tick.Stop()
	s.Close()
	final := s.Stats()
	rxRTMP.finishRTMP(ng, "live", "soak1")
	rxRTP.stop(2 * time.Second)

	rep := soakReport{Duration: dur, Interval: interval, Samples: samples, Final: final,
		RxRTMPFrames: rxRTMP.Frames(), RxRTPFrames: rxRTP.Frames(),
		RxRTMPErrors: rxRTMP.Errors(), RxRTPErrors: rxRTP.Errors()}
	rep.measureRecording(recPath)
	if err := rep.write(dir); err != nil {
		t.Fatal(err)
	}
	t.Logf("soak results in %s:\n%s", dir, rep.summary())
	for _, problem := range rep.problems() {
		t.Error(problem)
	}
}

const soakCSVHeader = "elapsed_s,rss_mb,heap_mb,goroutines,encoded,skipped,fps,dropped,reconnects," +
	"av_offset_ms,rx_rtmp_frames,rx_rtp_frames,rx_errors,outputs_not_live,sent_rtmp1"

func (s soakSample) csv() string {
	return fmt.Sprintf("%.0f,%.1f,%.1f,%d,%d,%d,%.1f,%d,%d,%.2f,%d,%d,%d,%d,%d",
		s.ElapsedS, s.RSSMB, s.HeapMB, s.Goroutines, s.Encoded, s.Skipped, s.FPS, s.Dropped,
		s.Reconnects, s.AVOffsetMs, s.RxRTMP, s.RxRTP, s.RxErrors, s.NotLive, s.SentRTMPOne)
}

func sampleSoak(st session.Stats, elapsed time.Duration, rxRTMP, rxRTP *receiver) soakSample {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	smp := soakSample{
		ElapsedS: elapsed.Seconds(), RSSMB: rssMB(), HeapMB: float64(ms.HeapInuse) / (1 << 20),
		Goroutines: runtime.NumGoroutine(), Encoded: st.Frames.Encoded, Skipped: st.Frames.Skipped,
		FPS: st.FPS, AVOffsetMs: st.AVOffsetMs,
		RxRTMP: rxRTMP.Frames(), RxRTP: rxRTP.Frames(), RxErrors: len(rxRTMP.Errors()) + len(rxRTP.Errors()),
	}
	for _, o := range st.Outputs {
		smp.Dropped += o.Dropped + o.DroppedAudio
		smp.Reconnects += o.Reconnects
		if o.State != "live" {
			smp.NotLive++
		}
		if o.Name == "rtmp1" {
			smp.SentRTMPOne = o.FramesSent
		}
	}
	return smp
}

// rssMB is this process's resident set size (VmRSS) in MiB.
func rssMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// measureRecording times the test pattern's flash and beep in the first
// and the last minute of the recording.
func (r *soakReport) measureRecording(path string) {
	span := min(60*time.Second, r.Duration/2)
	// -t as an input option: AVSync's own duration limits only its first
	// output, and the whole recording would be decoded.
	secs := strconv.Itoa(int(span.Seconds()))
	for _, m := range []struct {
		name string
		args []string
		into **testpeer.SyncReport
	}{
		{"first", []string{"-t", secs}, &r.SyncStart},
		{"last", []string{"-sseof", "-" + secs}, &r.SyncEnd},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		rep, err := testpeer.AVSync(ctx, path, m.args, 0)
		cancel()
		if err != nil {
			r.SyncErrors = append(r.SyncErrors, fmt.Sprintf("a/v sync of the %s %s s: %v", m.name, secs, err))
			continue
		}
		*m.into = rep
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if errs, err := testpeer.DecodeErrors(ctx, path, []string{"-sseof", "-" + secs}, nil); err == nil {
		r.RecordTailErrors = errs
	}
	if fi, err := os.Stat(path); err == nil {
		r.RecordBytes = fi.Size()
	}
}
