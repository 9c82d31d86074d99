package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golive/app/profile"
	"golive/app/session"
	"golive/media/encode"
	"golive/media/testpeer"
)

// copyPull records one nginx-rtmp stream to a file with ffmpeg -c copy.
type copyPull struct {
	key, file string
	done      chan error
}

func startCopyPull(t *testing.T, ng *testpeer.Nginx, dir, key string) *copyPull {
	t.Helper()
	p := &copyPull{key: key, file: filepath.Join(dir, key+".mkv"), done: make(chan error, 1)}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	cmd := exec.CommandContext(ctx, "ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-rw_timeout", "30000000",
		"-i", ng.RTMPURL("live", key), "-c", "copy", "-f", "matroska", p.file)
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	go func() { p.done <- cmd.Wait(); cancel() }()
	t.Cleanup(cancel)
	if err := testpeer.WaitForPlayer(ng, "live", key, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	return p
}

func (p *copyPull) wait(t *testing.T, ng *testpeer.Nginx) {
	t.Helper()
	if err := testpeer.WaitUnpublished(ng, "live", p.key, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if _, err := ng.DropSubscribers("live", p.key); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.done:
		t.Logf("ffmpeg pull of %s ended: %v", p.key, err)
	case <-time.After(30 * time.Second):
		t.Fatalf("ffmpeg pulling %s did not end", p.key)
	}
}

// videoKbps is the bitrate of the video packets of file whose time lies in
// [from, to) seconds.
func videoKbps(t *testing.T, file string, from, to float64) float64 {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
		"packet=pts_time,size", "-of", "csv=p=0", file).Output()
	if err != nil {
		t.Fatalf("ffprobe packets of %s: %v", file, err)
	}
	bytes := 0
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		pts, size, _ := strings.Cut(sc.Text(), ",")
		ts, err1 := strconv.ParseFloat(pts, 64)
		n, err2 := strconv.Atoi(strings.TrimRight(size, ","))
		if err1 == nil && err2 == nil && ts >= from && ts < to {
			bytes += n
		}
	}
	return float64(bytes) * 8 / 1000 / (to - from)
}

// grayFrame decodes the frame at second at of file through vf into 8-bit
// luma.
func grayFrame(t *testing.T, file string, at float64, vf string) []byte {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-v", "error", "-i", file, "-ss", fmt.Sprint(at), "-frames:v", "1",
		"-vf", vf+",format=gray", "-f", "rawvideo", "-").Output()
	if err != nil || len(out) == 0 {
		t.Fatalf("ffmpeg frame of %s: %v", file, err)
	}
	return out
}

func meanAbsDiff(a, b []byte) float64 {
	if len(a) != len(b) {
		return 255
	}
	sum := 0
	for i := range a {
		d := int(a[i]) - int(b[i])
		sum += max(d, -d)
	}
	return float64(sum) / float64(len(a))
}

type renditionWant struct {
	key, encoder  string
	w, h, fps, br int
}

// TestRenditionsFourDestinationsThreeEncoders is issue 18's first check:
// four nginx-rtmp destinations, two on the main rendition, one at
// 854x480@30 1000k, one vertical 720x1280@30 2000k: three encoders in
// --stats json, each pulled stream with its size, frame rate, bitrate
// within ±15 % of its target over 10 s and no decode error, and the
// vertical picture equal to ffmpeg's own centre crop of the main one.
func TestRenditionsFourDestinationsThreeEncoders(t *testing.T) {
	if testing.Short() {
		t.Skip("real-time encode of three renditions")
	}
	testpeer.RequireBinaries(t, "nginx", "ffmpeg", "ffprobe")
	ng := testpeer.StartNginxRTMP(t)
	h := newProfileHarness(t, profile.NoKeyring{Reason: "test"})
	base := fmt.Sprintf("rtmp://127.0.0.1:%d/live#", ng.RTMPPort)
	h.ok("", "add", "R", "size=1280x720", "fps=30", "bitrate=2500k", "source=test", "audio=test", "encoder.preset=ultrafast")
	for _, d := range []string{"A", "B", "SD", "V"} {
		h.ok("", "add-dest", "R", "--rtmp", base+"k"+d, "--name", d)
	}
	h.ok("", "set", "R", "dest.SD.size=854x480", "dest.SD.fps=30", "dest.SD.video_bitrate=1000k",
		"dest.V.layout=vertical", "dest.V.size=720x1280", "dest.V.video_bitrate=2000k")
	if show := h.ok("", "show", "R"); !strings.Contains(show, "vertical 720x1280 · 30 fps · 2.0 Mb/s · H.264") ||
		!strings.Contains(show, "854x480@30 · 1.0 Mb/s · H.264") {
		t.Fatalf("profile show lacks the renditions:\n%s", show)
	}
	dir := t.TempDir()
	pulls := map[string]*copyPull{}
	for _, d := range []string{"A", "B", "SD", "V"} {
		pulls[d] = startCopyPull(t, ng, dir, "k"+d)
	}
	var out, errb bytes.Buffer
	code := Main(context.Background(), []string{"live", "--profile", "R", "--duration", "12s", "--stats", "json"},
		Env{Stdout: &out, Stderr: &errb, ConfigDir: h.dir, Keyring: h.kr})
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, p := range pulls {
		p.wait(t, ng)
	}
	last := lastStats(t, out.Bytes())
	checkEncoders(t, last)
	wants := []renditionWant{
		{"A", "main", 1280, 720, 30, 2500}, {"B", "main", 1280, 720, 30, 2500},
		{"SD", "r1", 854, 480, 30, 1000}, {"V", "r2", 720, 1280, 30, 2000},
	}
	for _, w := range wants {
		checkPulled(t, pulls[w.key].file, w, last)
	}
	checkVerticalCrop(t, pulls["A"].file, pulls["V"].file)
}

func lastStats(t *testing.T, b []byte) session.Stats {
	t.Helper()
	var last session.Stats
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if err := json.Unmarshal(sc.Bytes(), &last); err != nil {
			t.Fatalf("stats line %q: %v", sc.Text(), err)
		}
	}
	return last
}

func checkEncoders(t *testing.T, st session.Stats) {
	t.Helper()
	t.Logf("encoders: %+v", st.Encoders)
	if len(st.Encoders) != 3 {
		t.Fatalf("%d encoders in --stats json, want 3: %+v", len(st.Encoders), st.Encoders)
	}
	want := map[string][]string{"main": {"A", "B"}, "r1": {"SD"}, "r2": {"V"}}
	for _, e := range st.Encoders {
		slices.Sort(e.Destinations)
		if !slices.Equal(e.Destinations, want[e.ID]) {
			t.Errorf("encoder %s serves %v, want %v", e.ID, e.Destinations, want[e.ID])
		}
		if e.BitrateKbps <= 0 || e.CPU <= 0 || e.Codec != "h264" {
			t.Errorf("encoder %s: bitrate %.0f kb/s, cpu %.2f, codec %q", e.ID, e.BitrateKbps, e.CPU, e.Codec)
		}
	}
	for _, o := range st.Outputs {
		if w := map[string]string{"A": "main", "B": "main", "SD": "r1", "V": "r2"}[o.Name]; o.Encoder != w {
			t.Errorf("output %s reads encoder %q, want %q", o.Name, o.Encoder, w)
		}
	}
}

// checkPulled checks one pulled stream: size, frame rate, bitrate over
// seconds 1-11 within ±15 % of the target, no decode error, no drop.
func checkPulled(t *testing.T, file string, w renditionWant, st session.Stats) {
	t.Helper()
	a, err := testpeer.Analyze(context.Background(), file)
	if err != nil {
		t.Fatal(err)
	}
	v := a.Stream("video")
	if len(a.Errors) > 0 || v == nil || v.CodecName != "h264" || v.Width != w.w || v.Height != w.h {
		t.Fatalf("%s: stream %+v, decode errors %v", w.key, v, a.Errors)
	}
	skipped := uint64(0)
	for _, e := range st.Encoders {
		if e.ID == w.encoder {
			skipped = e.Skipped
		}
	}
	frames := a.Count("video")
	minFrames := 11 * w.fps
	if testpeer.RelaxForSkips(t, w.key, skipped, uint64(12*w.fps)) {
		minFrames -= int(skipped)
	}
	if frames < minFrames || frames > 13*w.fps {
		t.Errorf("%s: %d frames in 12 s at %d fps (%d skipped)", w.key, frames, w.fps, skipped)
	}
	kbps := videoKbps(t, file, 1, 11)
	t.Logf("%s (%s): %dx%d, %d frames, %.0f kb/s over 10 s (target %d)", w.key, w.encoder, v.Width, v.Height, frames, kbps, w.br)
	if kbps < 0.85*float64(w.br) || kbps > 1.15*float64(w.br) {
		t.Errorf("%s: %.0f kb/s over 10 s, want %d ±15 %%", w.key, kbps, w.br)
	}
}

// checkVerticalCrop compares the vertical stream's picture with ffmpeg's
// own centre crop + scale of the main stream's picture at the same time:
// the mean absolute luma difference must stay under 8 (of 255; both are
// lossy encodes), and be under half that of the whole picture squeezed
// into 720x1280 (what a wrong crop would give).
func checkVerticalCrop(t *testing.T, mainFile, vFile string) {
	t.Helper()
	for _, at := range []float64{4.2, 7.7} {
		vert := grayFrame(t, vFile, at, "null")
		crop := grayFrame(t, mainFile, at, encode.VerticalCrop+",scale=720:1280:flags=bilinear")
		squeeze := grayFrame(t, mainFile, at, "scale=720:1280:flags=bilinear")
		dc, ds := meanAbsDiff(vert, crop), meanAbsDiff(vert, squeeze)
		t.Logf("at %.1f s: mean abs luma diff %.2f against ffmpeg's crop, %.2f against a squeeze", at, dc, ds)
		if dc > 8 || dc*2 > ds {
			t.Errorf("at %.1f s the vertical picture is not the centre crop: diff %.2f (crop) vs %.2f (squeeze)", at, dc, ds)
		}
	}
}
