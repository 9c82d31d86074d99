package rtp

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"golive/media/engine"
	"golive/media/testpeer"
	"golive/media/unit"
	"golive/outputs/dest"
	"golive/outputs/internal/peertest"
	"golive/outputs/rtptarget"
)

// hevcRun is one target of TestHEVCToRealReceivers and its receiver.
type hevcRun struct {
	name   string
	target *Target
	ffmpeg *ffmpegReceiver
	gst    *gstReceiver
	status dest.Status
}

// TestHEVCToRealReceivers publishes an HEVC rendition (libx265 320x180@30
// at 1 Mb/s, beside the main H.264 encode, as a session runs a
// destination's own rendition) to three RTP targets for 6 s: native
// (RFC 7798 + Opus) received by ffmpeg from the SDP file and by GStreamer
// (rtph265depay ! h265parse ! avdec_h265, its caps from the SDP's fmtp),
// and mpegts (HEVC + AAC in MPEG-TS, PT 33) received by ffmpeg. The
// receivers start first; ffmpeg ends at the targets' RTCP BYE, GStreamer
// at an interrupt. Each must have decoded HEVC 320x180 with 0 errors and
// every frame its target sent (within 2: UDP, and a receiver that ends at
// the BYE); ffmpeg's copies have their frames on the 30 fps grid and
// carry the audio codec of their mode.
func TestHEVCToRealReceivers(t *testing.T) {
	testpeer.RequireBinaries(t, "ffmpeg", "ffprobe", "gst-launch-1.0")
	e := peertest.NewRenditionEngine(t, engine.Rendition{ID: "hevc", Encoder: "libx265", Width: 320, Height: 180}, unit.CodecAAC, unit.CodecOpus)
	defer e.Stop(t)
	st := e.RenditionStream("hevc")
	tracks := st.Tracks()
	if tracks.Video == nil || tracks.Video.Codec != unit.CodecHEVC {
		t.Fatalf("rendition video %+v", tracks.Video)
	}
	dir := t.TempDir()
	runs := []*hevcRun{
		{name: "native-ffmpeg", target: &Target{Config: rtptarget.Config{Host: "127.0.0.1", Port: freePorts(t, 4), Mode: ModeNative}}},
		{name: "native-gst", target: &Target{Config: rtptarget.Config{Host: "127.0.0.1", Port: freePorts(t, 4), Mode: ModeNative}}},
		{name: "mpegts-ffmpeg", target: &Target{Config: rtptarget.Config{Host: "127.0.0.1", Port: freePorts(t, 2), Mode: ModeMPEGTS}}},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, r := range runs {
		r.start(ctx, t, dir, tracks)
	}
	hs := publish(t, st, []*peerRun{{name: runs[0].name, target: runs[0].target},
		{name: runs[1].name, target: runs[1].target}, {name: runs[2].name, target: runs[2].target}})
	e.Start()
	time.Sleep(6 * time.Second)
	for i, r := range runs {
		hs[i].Close() // RTCP BYE
		r.status = hs[i].Status()
	}
	for _, es := range e.Encoders() {
		testpeer.RelaxForSkips(t, "encoder "+es.ID, es.Skipped, es.Encoded+es.Skipped)
	}
	for _, r := range runs {
		t.Run(r.name, func(t *testing.T) { r.check(t) })
	}
}

// start writes the SDP and starts the receiver.
func (r *hevcRun) start(ctx context.Context, t *testing.T, dir string, tracks unit.Tracks) {
	t.Helper()
	r.target.SDPPath = filepath.Join(dir, r.name+".sdp")
	if _, err := r.target.WriteSDP(tracks); err != nil {
		t.Fatal(err)
	}
	if r.name == "native-gst" {
		g, err := startGstH265(ctx, r.target, tracks)
		if err != nil {
			t.Fatal(err)
		}
		r.gst = g
		return
	}
	ports, ext := []int{r.target.Port, r.target.Port + 1}, ".ts"
	if r.target.Mode == ModeNative {
		ports, ext = append(ports, r.target.Port+2, r.target.Port+3), ".mkv"
	}
	in, err := r.target.FFmpegReceiveArgs()
	if err != nil {
		t.Fatal(err)
	}
	rec, err := startFFmpegUntilBye(ctx, in, filepath.Join(dir, r.name+ext), ports...)
	if err != nil {
		t.Fatal(err)
	}
	r.ffmpeg = rec
}

func (r *hevcRun) check(t *testing.T) {
	st := r.status
	t.Logf("%s: %s, %d frames sent, %d dropped", r.name, st.State, st.FramesSent, st.Dropped)
	if st.State != dest.StateStopped || st.LastError != "" || st.Reconnects != 0 || st.FramesSent < 150 {
		t.Errorf("destination %+v: want stopped after 6 s live (about 180 frames), no error", st)
	}
	if r.gst != nil {
		r.gst.check(t, int(st.FramesSent))
		return
	}
	select {
	case err := <-r.ffmpeg.done:
		if err != nil {
			t.Fatalf("ffmpeg: %v: %s", err, r.ffmpeg.stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("ffmpeg did not end at the RTCP BYE: %s", r.ffmpeg.stderr.String())
	}
	if lines := receiverErrors(r.ffmpeg.stderr.String()); len(lines) > 0 {
		t.Errorf("receiver reported errors:\n%s", lines)
	}
	wantAudio := "aac"
	if r.target.Mode == ModeNative {
		wantAudio = "opus"
	}
	peertest.CheckDecoded(t, r.ffmpeg.out, peertest.Want{Codec: "hevc", Width: 320, Height: 180, FPS: 30,
		Audio: wantAudio, Sent: int(st.FramesSent), Tolerance: 2})
}

// startFFmpegUntilBye records what arrives (stream copy) until the
// sender's RTCP BYE ends ffmpeg's input.
func startFFmpegUntilBye(ctx context.Context, in []string, out string, ports ...int) (*ffmpegReceiver, error) {
	return startFFmpeg(ctx, slices.Concat(in, []string{"-map", "0", "-c", "copy", out}), out, ports...)
}
