package whip

import (
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golive/media/testpeer"
	"golive/outputs/dest"
	"golive/outputs/internal/peertest"
)

// lossyPath puts a UDP relay between a publisher and MediaMTX's ICE port
// (testpeer.WHIPVia: the publisher reaches MediaMTX only through it).
type lossyPath struct {
	relay *testpeer.UDPRelay
	url   string
}

func newLossyPath(t *testing.T, m *testpeer.MediaMTX, loss float64, seed uint64) *lossyPath {
	t.Helper()
	relay := testpeer.StartUDPRelay(t, "127.0.0.1:"+strconv.Itoa(m.UDPPort), loss, seed)
	return &lossyPath{relay: relay, url: testpeer.WHIPVia(t, m, relay)}
}

func (l *lossyPath) whipURL(path string) string { return l.url + "/" + path + "/whip" }

// checkRelayed fails the test when the relay did not carry the stream
// (the publisher found another path: then only ICE checks pass, tens of
// datagrams, against ~150 a second of media) or, with loss, dropped
// nothing.
func (l *lossyPath) checkRelayed(t *testing.T, what string, lossy bool) {
	t.Helper()
	passed, dropped := l.relay.Passed.Load(), l.relay.Dropped.Load()
	t.Logf("%s: the relay passed %d datagrams and dropped %d", what, passed, dropped)
	if passed < 300 || lossy && dropped == 0 {
		t.Fatalf("%s: the relay passed %d datagrams and dropped %d: the stream did not go through it", what, passed, dropped)
	}
}

// TestWHIPLossNACK publishes the same stream twice through a path losing
// 3 % of the datagrams, once with the NACK responder and once without:
// the retransmissions are counted in the stats and the RTSP reader of the
// first shows less damage (decode errors and missing frames, over 15 s)
// than the reader of the second. A healthy RTMP destination beside them
// loses no frame.
func TestWHIPLossNACK(t *testing.T) {
	testpeer.RequireBinaries(t, "ffmpeg", "ffprobe", "nginx")
	m := startMediaMTX(t)
	e := newEngine(t, 0)
	defer e.Stop(t)
	beside := peertest.BesideRTMP(t, e)
	pathWith, pathWithout := newLossyPath(t, m, 0.03, 1), newLossyPath(t, m, 0.03, 2)
	with := handler(t, e, "nack", &Publisher{URL: pathWith.whipURL("nack"), Token: pubToken})
	without := handler(t, e, "nonack", &Publisher{URL: pathWithout.whipURL("nonack"), Token: pubToken, noNACK: true})
	e.Start()
	waitState(t, with, dest.StateLive, 30*time.Second)
	waitState(t, without, dest.StateLive, 30*time.Second)
	dir := t.TempDir()
	skippedBefore := e.Stats().Skipped
	var wg sync.WaitGroup
	for _, p := range []string{"nack", "nonack"} {
		// Video only: with two streams ffmpeg stamps the frames it reads
		// before the video's first RTCP sender report by RTP time and the
		// later ones by the reports' clock, which MediaMTX takes from each
		// track's arrival: the recording's first frame then sits up to
		// 0.7 s off the others, a gap (or overlap) that no loss made.
		wg.Go(func() {
			readRTSP(t, m.RTSPURL(p), filepath.Join(dir, p+".mkv"), 15*time.Second, "-allowed_media_types", "video")
		})
	}
	wg.Wait()
	skipped := int(e.Stats().Skipped - skippedBefore)
	sw, so := with.Status(), without.Status()
	with.Close()
	without.Close()
	t.Logf("with NACK: %v", sw.Detail)
	t.Logf("without NACK: %v", so.Detail)
	pathWith.checkRelayed(t, "with NACK", true)
	pathWithout.checkRelayed(t, "without NACK", true)
	if n, _ := sw.Detail["retransmitted"].(uint64); n == 0 {
		t.Errorf("with NACK: no retransmission counted: %v", sw.Detail)
	}
	if n, _ := sw.Detail["nacks"].(uint64); n == 0 {
		t.Errorf("with NACK: no NACK counted: %v", sw.Detail)
	}
	if n, _ := so.Detail["retransmitted"].(uint64); n != 0 {
		t.Errorf("without NACK: %d retransmissions", n)
	}
	// Frames the encoder skipped under load are missing from both
	// recordings alike (up to the few at the edges of their windows).
	t.Logf("encoder skipped %d frames while the readers recorded", skipped)
	damageWith := readerDamage(t, filepath.Join(dir, "nack.mkv"))
	damageWithout := readerDamage(t, filepath.Join(dir, "nonack.mkv"))
	if damageWith >= damageWithout {
		t.Errorf("reader damage (decode errors + missing frames) with NACK %d, without %d: want less with retransmission",
			damageWith, damageWithout)
	}
	peertest.CheckBeside(t, beside, e)
}

// readerDamage decodes what a reader recorded and counts the damage the
// loss left: decode error lines plus the frames missing from the
// recording's time span (a server that drops a frame it could not
// reassemble leaves a gap, not a decode error).
func readerDamage(t *testing.T, file string) int {
	t.Helper()
	a, err := testpeer.Analyze(t.Context(), file)
	if err != nil {
		t.Fatal(err)
	}
	missing := peertest.MissingFrames(a)
	logGaps(t, file, a)
	t.Logf("%s: %d frames decoded, %d missing, %d decode error lines",
		filepath.Base(file), a.Count("video"), missing, len(a.Errors))
	return len(a.Errors) + missing
}

// logGaps logs where the recording's video skips frames.
func logGaps(t *testing.T, file string, a *testpeer.Analysis) {
	t.Helper()
	prev := -1.0
	for _, f := range a.Frames {
		if f.MediaType != "video" || f.Time() < 0 {
			continue
		}
		if prev < 0 {
			t.Logf("%s: first frame at %.3f s", filepath.Base(file), f.Time())
		}
		if prev >= 0 && f.Time()-prev > 1.5/peertest.FPS {
			t.Logf("%s: %.3f s without a frame after %.3f s", filepath.Base(file), f.Time()-prev, prev)
		}
		prev = f.Time()
	}
}

// TestWHIPPLIKeyFrame: with a 10 s GOP, MediaMTX's PLIs (every 2 s) each
// bring a key frame within 1 s.
func TestWHIPPLIKeyFrame(t *testing.T) {
	m := startMediaMTX(t)
	e := newEngine(t, 10*time.Second)
	defer e.Stop(t)
	h := handler(t, e, "pli", &Publisher{URL: m.WHIPURL("pli"), Token: pubToken})
	defer h.Close()
	e.Start()
	waitState(t, h, dest.StateLive, 20*time.Second)
	time.Sleep(7 * time.Second)
	d := h.Status().Detail
	t.Logf("detail %v", d)
	plis, _ := d["plis"].(uint64)
	maxMs, ok := d["pli_to_key_max_ms"].(int64)
	if plis < 2 || !ok {
		t.Fatalf("detail %v: want PLIs answered by key frames", d)
	}
	if maxMs > 1000 {
		t.Errorf("a key frame came %d ms after a PLI: want within 1 s", maxMs)
	}
}

// TestWHIPPathCutRecovers: the path to the server is cut for 6 s; the
// destination leaves live, retries, and is live again once the path is
// back, while an RTMP destination beside it loses no frame.
func TestWHIPPathCutRecovers(t *testing.T) {
	testpeer.RequireBinaries(t, "nginx")
	m := startMediaMTX(t)
	e := newEngine(t, 0)
	defer e.Stop(t)
	beside := peertest.BesideRTMP(t, e)
	path := newLossyPath(t, m, 0, 3)
	h := handler(t, e, "cut", &Publisher{URL: path.whipURL("cut"), Token: pubToken, ICEFailAfter: 3 * time.Second})
	defer h.Close()
	e.Start()
	waitState(t, h, dest.StateLive, 20*time.Second)
	time.Sleep(2 * time.Second)
	path.relay.SetLoss(1)
	deadline := time.Now().Add(10 * time.Second)
	for h.Status().State == dest.StateLive {
		if time.Now().After(deadline) {
			t.Fatal("still live 10 s after the path was cut")
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("after the cut: %s (%s)", h.Status().State, h.Status().LastError)
	time.Sleep(3 * time.Second)
	// The cut is an ICE/DTLS failure of its own, named as such.
	if err := h.Status().LastError; !strings.Contains(err, "ICE") {
		t.Errorf("error during the cut %q: want the ICE failure named", err)
	}
	path.relay.SetLoss(0)
	st := waitState(t, h, dest.StateLive, 30*time.Second)
	t.Logf("live again: %+v", st)
	time.Sleep(2 * time.Second)
	path.checkRelayed(t, "cut path", false)
	peertest.CheckBeside(t, beside, e)
}
