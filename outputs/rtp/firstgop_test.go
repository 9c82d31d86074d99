package rtp

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golive/media/stream"
	"golive/media/testpeer"
	"golive/media/unit"
	"golive/outputs/dest"
	"golive/outputs/internal/peertest"
	"golive/outputs/rtptarget"
)

// shownFrame is one decoded frame as ffmpeg's showinfo filter prints it.
type shownFrame struct {
	pts float64 // seconds, on the stream's own clock (-copyts)
	key bool
}

// showinfoRun is what a receiver decoded, in the order ffmpeg printed it:
// the error lines before its first frame and those after.
type showinfoRun struct {
	frames                []shownFrame
	errsBefore, errsAfter []string
}

var showinfoFrame = regexp.MustCompile(`\] \[info\] n:\s*\d+ pts:\s*-?\d+ pts_time:(\S+) .* iskey:(\d)`)

// parseShowinfo splits a `-loglevel level+info -vf showinfo` log into
// decoded frames and the error lines ([error] and worse) around them.
func parseShowinfo(log string) showinfoRun {
	var r showinfoRun
	for _, l := range strings.Split(log, "\n") {
		if m := showinfoFrame.FindStringSubmatch(l); m != nil {
			pts, _ := strconv.ParseFloat(m[1], 64)
			r.frames = append(r.frames, shownFrame{pts: pts, key: m[2] == "1"})
			continue
		}
		if !strings.Contains(l, "[error]") && !strings.Contains(l, "[fatal]") && !strings.Contains(l, "[panic]") {
			continue
		}
		if len(r.frames) == 0 {
			r.errsBefore = append(r.errsBefore, l)
		} else {
			r.errsAfter = append(r.errsAfter, l)
		}
	}
	return r
}

// startRTPURLReceiver decodes rtp://127.0.0.1:port with ffmpeg and no SDP
// (as `ffplay rtp://…` does), one decoder thread so that its errors and
// frames are printed in decode order; it ends at the target's BYE.
func startRTPURLReceiver(ctx context.Context, t *testing.T, port int) *ffmpegReceiver {
	t.Helper()
	args := []string{"-nostats", "-loglevel", "level+info", "-protocol_whitelist", "udp,rtp", "-copyts",
		"-threads", "1", "-i", fmt.Sprintf("rtp://127.0.0.1:%d?timeout=20000000", port),
		"-map", "0:v", "-vf", "showinfo", "-f", "null", "-"}
	rx, err := startFFmpeg(ctx, args, "", port, port+1)
	if err != nil {
		t.Fatal(err)
	}
	return rx
}

// TestMPEGTSFirstKeyFrameDecoded: ffmpeg reading rtp:// without an SDP
// spends the first datagram on learning the payload type and reopens its
// socket. A receiver started before the stream must still decode from the
// first key frame sent, every frame, with no decode error (the stream's
// tables lead alone, mpegtsLeadIn ahead). A receiver that joins mid-GOP
// decodes from the next key frame, and prints no error after it (SPS/PPS
// and PAT/PMT come again with every key frame).
func TestMPEGTSFirstKeyFrameDecoded(t *testing.T) {
	testpeer.RequireBinaries(t, "ffmpeg")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	e := peertest.NewEngine(t, time.Second, unit.CodecAAC)
	defer e.Stop(t)
	first, late := freePorts(t, 2), freePorts(t, 2)
	var hs []*dest.Handler
	for _, port := range []int{first, late} {
		tg := &Target{Config: rtptarget.Config{Host: "127.0.0.1", Port: port, Mode: ModeMPEGTS}}
		h := e.Handler(t, fmt.Sprintf("rtp-%d", port), "rtp", tg, tg.ReaderConfig())
		defer h.Close()
		hs = append(hs, h)
	}
	ref := e.Stream().Subscribe(stream.ReaderConfig{Name: "first", MaxQueue: time.Minute, Codecs: []unit.Codec{unit.CodecH264}})
	defer ref.Close()
	rxFirst := startRTPURLReceiver(ctx, t, first)
	e.Start()
	firstPTS := firstVideoPTS(ctx, t, ref)
	time.Sleep(1500 * time.Millisecond) // mid-GOP (1 s GOP at 30 fps)
	rxLate := startRTPURLReceiver(ctx, t, late)
	time.Sleep(3 * time.Second)
	e.Stop(t)
	sent := make([]uint64, len(hs))
	for i, h := range hs {
		h.Close() // BYE: the receivers end
		sent[i] = h.Status().FramesSent
	}
	for _, rx := range []*ffmpegReceiver{rxFirst, rxLate} {
		if err := <-rx.done; err != nil {
			t.Fatalf("receiver: %v: %s", err, rx.stderr.String())
		}
	}
	a, b := parseShowinfo(rxFirst.stderr.String()), parseShowinfo(rxLate.stderr.String())
	checkFromStart(t, a, sent[0], firstPTS)
	checkLateJoiner(t, a, b, sent[1])
}

// checkFromStart: the receiver listening before the stream started decoded
// from the first key frame sent, every frame, with no error.
func checkFromStart(t *testing.T, a showinfoRun, sent uint64, firstPTS time.Duration) {
	t.Helper()
	t.Logf("receiver from the start: %d frames of %d sent, first at %.3f s (first sent %.3f s), %d error lines",
		len(a.frames), sent, ptsOf(a, 0), firstPTS.Seconds(), len(a.errsBefore)+len(a.errsAfter))
	if len(a.frames) == 0 || !a.frames[0].key || math.Abs(a.frames[0].pts-firstPTS.Seconds()) > 0.002 {
		t.Errorf("first decoded frame %+v, want the first key frame sent (pts %.3f s)", a.frames[:min(1, len(a.frames))], firstPTS.Seconds())
	}
	if errs := slices.Concat(a.errsBefore, a.errsAfter); len(errs) > 0 {
		t.Errorf("%d decode error lines, want none: %q", len(errs), errs[:min(5, len(errs))])
	}
	// The last frame may stay in the receiver: an MPEG-TS video PES has no
	// length, and its end is only known when the next one starts.
	if n := len(a.frames); n > int(sent) || n < int(sent)-1 {
		t.Errorf("decoded %d frames, the target sent %d", n, sent)
	}
}

// checkLateJoiner: the receiver that joined mid-GOP (b) decoded from the
// next key frame what the first receiver (a) did, with no error after it.
func checkLateJoiner(t *testing.T, a, b showinfoRun, sent uint64) {
	t.Helper()
	t.Logf("receiver joining mid-GOP: %d frames of %d sent, first at %.3f s, %d error lines before it, %d after",
		len(b.frames), sent, ptsOf(b, 0), len(b.errsBefore), len(b.errsAfter))
	if len(b.frames) < 30 || !b.frames[0].key {
		t.Fatalf("late receiver decoded %d frames, the first %+v: want a key frame, then at least a second",
			len(b.frames), b.frames[:min(1, len(b.frames))])
	}
	if len(b.errsAfter) > 0 {
		t.Errorf("late receiver: %d error lines after its first key frame: %q", len(b.errsAfter), b.errsAfter[:min(5, len(b.errsAfter))])
	}
	// From its first key frame on, the late receiver decodes what the
	// first one did (the engine may skip frames under load: both see it).
	var want []float64
	for _, f := range a.frames {
		if f.pts > ptsOf(b, 0)-0.001 {
			want = append(want, f.pts)
		}
	}
	missing := 0
	for i, j := 0, 0; i < len(want); i++ {
		if j < len(b.frames) && math.Abs(b.frames[j].pts-want[i]) < 0.001 {
			j++
		} else {
			missing++
		}
	}
	if missing > 1 || len(b.frames) > len(want)+1 {
		t.Errorf("late receiver decoded %d frames, the first one %d over the same span: %d missing (gaps %v)",
			len(b.frames), len(want), missing, gaps(b))
	}
}

// firstVideoPTS is the PTS of the first frame the engine encoded.
func firstVideoPTS(ctx context.Context, t *testing.T, r *stream.Reader) time.Duration {
	t.Helper()
	defer r.Close()
	p, err := r.Read(ctx)
	if err != nil {
		t.Fatalf("engine's first frame: %v", err)
	}
	if !p.Key {
		t.Fatalf("engine's first frame is not a key frame")
	}
	return p.PTS
}

func ptsOf(r showinfoRun, i int) float64 {
	if i < 0 || i >= len(r.frames) {
		return math.NaN()
	}
	return r.frames[i].pts
}

// gaps lists where decoded frames are further apart than one frame.
func gaps(r showinfoRun) []string {
	var g []string
	for i := 1; i < len(r.frames); i++ {
		if d := r.frames[i].pts - r.frames[i-1].pts; d > 1.5/peertest.FPS {
			g = append(g, fmt.Sprintf("%.3f+%.3f", r.frames[i-1].pts, d))
		}
	}
	return g
}
