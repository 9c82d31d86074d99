package peertest

import (
	"context"
	"math"
	"testing"
	"time"

	"golive/media/testpeer"
)

// Want is what a receiver must have decoded from a file it wrote.
type Want struct {
	Codec         string // video codec name as ffprobe says it ("hevc")
	Width, Height int
	FPS           float64
	Audio         string // audio codec name
	// Sent is how many video frames the destination sent; Tolerance how
	// many of them may be missing (UDP, a receiver ending at a BYE).
	Sent, Tolerance int
}

// CheckDecoded decodes file with ffprobe: the video codec and size and
// the audio codec, 0 decode errors, between Sent-Tolerance and Sent video
// frames, on the 1/FPS grid (CheckFrameGrid).
func CheckDecoded(t *testing.T, file string, w Want) *testpeer.Analysis {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, err := testpeer.Analyze(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Errors) > 0 {
		t.Errorf("%d decode errors: %q", len(a.Errors), a.Errors[:min(5, len(a.Errors))])
	}
	v, au := a.Stream("video"), a.Stream("audio")
	if v == nil || v.CodecName != w.Codec || v.Width != w.Width || v.Height != w.Height {
		t.Fatalf("video %+v, want %s %dx%d", v, w.Codec, w.Width, w.Height)
	}
	if au == nil || au.CodecName != w.Audio {
		t.Errorf("audio %+v, want %s", au, w.Audio)
	}
	var times []float64
	for _, f := range a.Frames {
		if f.MediaType == "video" && f.Time() >= 0 {
			times = append(times, f.Time())
		}
	}
	n := len(times)
	t.Logf("%s: %d video frames decoded of %d sent", file, n, w.Sent)
	if n < w.Sent-w.Tolerance || n > w.Sent {
		t.Errorf("%d frames decoded, %d sent (tolerance %d)", n, w.Sent, w.Tolerance)
	}
	CheckFrameGrid(t, times, w.FPS)
	return a
}

// CheckFrameGrid checks that frame times lie on a 1/fps grid: every
// interval a whole number of frames (a frame the encoder skipped under
// load leaves a gap of two) within 3 ms, and at least 90 % of them exactly
// one frame. The first GridSettle frames are left out: an RTP receiver
// stamps the packets it reads before the stream's first Sender Report by
// RTP time alone and the later ones by the Sender Reports' clock (ffmpeg
// shifts its first frame by the audio/video start difference).
func CheckFrameGrid(t *testing.T, times []float64, fps float64) {
	t.Helper()
	if len(times) > GridSettle {
		times = times[GridSettle:]
	}
	ones := 0
	for i := 1; i < len(times); i++ {
		d := (times[i] - times[i-1]) * fps
		k := math.Round(d)
		if k < 1 || math.Abs(d-k) > 0.003*fps {
			t.Errorf("frame %d at %.4f s, %.4f s after the previous: not on the %g fps grid",
				i+GridSettle, times[i], times[i]-times[i-1], fps)
			return
		}
		if k == 1 {
			ones++
		}
	}
	if len(times) > 1 && ones*10 < (len(times)-1)*9 {
		t.Errorf("%d of %d frame intervals are one frame at %g fps", ones, len(times)-1, fps)
	}
}

// GridSettle is how many first frames CheckFrameGrid leaves out.
const GridSettle = 2
