package rtp

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golive/media/encode"
	"golive/media/stream"
	"golive/media/testpeer"
	"golive/media/unit"
	"golive/outputs/dest"
	"golive/outputs/rtptarget"
)

// mtuRun is one native target behind a wire capture that forwards to an
// ffmpeg receiver.
type mtuRun struct {
	mtu     int
	target  *Target
	capture *wireCapture
	out     string
	stderr  bytes.Buffer
	done    chan error
}

// startMTURun starts the capture, writes the receiver's SDP and starts
// ffmpeg recording secs seconds of what the capture forwards. The
// receiver's ports are found free and released for ffmpeg to bind, so
// another socket can take one first: ffmpeg then fails to bind, and the
// run starts again on other ports (at most 3 tries, each logged).
func startMTURun(ctx context.Context, t *testing.T, dir string, mtu int, sdpOf func(*Target) string, secs int) *mtuRun {
	t.Helper()
	for try := 1; ; try++ {
		r, err := tryMTURun(ctx, t, dir, mtu, sdpOf, secs)
		if err == nil {
			return r
		}
		if try == 3 {
			t.Fatalf("mtu %d: %v (3 tries)", mtu, err)
		}
		t.Logf("mtu %d, try %d: %v; again on other ports", mtu, try, err)
	}
}

// tryMTURun is one try of startMTURun: an error when ffmpeg exits or does
// not bind its ports within 10 s (it is then stopped).
func tryMTURun(ctx context.Context, t *testing.T, dir string, mtu int, sdpOf func(*Target) string, secs int) (*mtuRun, error) {
	t.Helper()
	recv := freePorts(t, 4)
	r := &mtuRun{mtu: mtu, capture: startWireCapture(t, recv), done: make(chan error, 1)}
	r.target = &Target{Config: rtptarget.Config{Host: "127.0.0.1", Port: r.capture.g.base, Mode: ModeNative, MTU: mtu,
		SDPPath: filepath.Join(dir, fmt.Sprintf("mtu%d.sdp", mtu))}}
	text := sdpOf(r.target)
	text = strings.Replace(text, fmt.Sprintf("m=video %d ", r.target.Port), fmt.Sprintf("m=video %d ", recv), 1)
	text = strings.Replace(text, fmt.Sprintf("m=audio %d ", r.target.Port+2), fmt.Sprintf("m=audio %d ", recv+2), 1)
	sdp := filepath.Join(dir, fmt.Sprintf("recv%d.sdp", mtu))
	if err := os.WriteFile(sdp, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	r.out = filepath.Join(dir, fmt.Sprintf("mtu%d.mkv", mtu))
	cmd := exec.CommandContext(ctx, "ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-y",
		"-protocol_whitelist", "file,udp,rtp", "-i", sdp, "-map", "0", "-c", "copy", "-t", fmt.Sprint(secs), r.out)
	cmd.Stderr = &r.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { r.done <- cmd.Wait() }()
	for deadline := time.Now().Add(10 * time.Second); !testpeer.UDPPortBound(recv) || !testpeer.UDPPortBound(recv+2); {
		select {
		case err := <-r.done:
			return nil, fmt.Errorf("ffmpeg exited before listening on %d (%w): %s", recv, err, r.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			killed := <-r.done
			return nil, fmt.Errorf("ffmpeg not listening on %d and %d after 10 s (stopped: %w): %s", recv, recv+2, killed, r.stderr.String())
		}
	}
	return r, nil
}

// check verifies sizes on the wire and what the receiver decoded.
func (r *mtuRun) check(t *testing.T, st dest.Status, secs int, frameDur time.Duration) {
	t.Helper()
	largest := [4]int{}
	for _, d := range r.capture.datagrams() {
		largest[d.port] = max(largest[d.port], len(d.data))
	}
	if largest[0] > r.mtu || largest[2] > r.mtu || largest[2] == 0 {
		t.Errorf("mtu %d: largest video packet %d, audio %d bytes", r.mtu, largest[0], largest[2])
	}
	if st.LastError != "" || st.Reconnects > 0 || st.State != dest.StateLive {
		t.Errorf("mtu %d: destination %s, %d reconnects, error %q", r.mtu, st.State, st.Reconnects, st.LastError)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, err := testpeer.Analyze(ctx, r.out)
	if err != nil {
		t.Fatalf("mtu %d: %v (receiver: %s)", r.mtu, err, r.stderr.String())
	}
	if len(a.Errors) > 0 {
		t.Errorf("mtu %d: %d decode errors: %v", r.mtu, len(a.Errors), a.Errors[:min(5, len(a.Errors))])
	}
	au, v := a.Stream("audio"), a.Stream("video")
	if au == nil || au.CodecName != "opus" || v == nil || v.CodecName != "h264" {
		t.Fatalf("mtu %d: streams %+v", r.mtu, a.Streams)
	}
	// What was decoded: at least 80% of the run.
	got := time.Duration(a.Count("audio")) * frameDur
	t.Logf("mtu %d: largest video %d / audio %d bytes; decoded %d video and %d audio frames",
		r.mtu, largest[0], largest[2], a.Count("video"), a.Count("audio"))
	if a.Count("video") < secs*30*8/10 || got < time.Duration(secs)*time.Second*8/10 {
		t.Errorf("mtu %d: %d video frames, %d audio frames (%v of audio) decoded in %d s",
			r.mtu, a.Count("video"), a.Count("audio"), got, secs)
	}
}

// TestNativeOpusWithinMTU publishes the real encoder in native mode at
// mtu 256, 576 and 1200 and audio bitrates from 64k to 510k: every RTP
// packet on the wire fits the MTU, the destination never errs, and ffmpeg
// decodes what it received (issue 16: 585-byte Opus packets at mtu 576,
// 1276-byte ones at 510k, retried for ever). The encoder serves every
// target of a run, sized for the smallest MTU, as in a session.
func TestNativeOpusWithinMTU(t *testing.T) {
	testpeer.RequireBinaries(t, "ffmpeg", "ffprobe")
	const secs = 3
	for _, c := range []struct {
		bitrate int
		mtus    []int
	}{
		{64_000, []int{256, 576, 1200}},
		{510_000, []int{256, 576, 1200}},
		{320_000, []int{576}},
		{510_000, []int{1200}},
	} {
		t.Run(fmt.Sprintf("%dk-mtu%v", c.bitrate/1000, c.mtus), func(t *testing.T) {
			dir := t.TempDir()
			limit := 0
			for _, mtu := range c.mtus {
				l := (&Target{Config: rtptarget.Config{Mode: ModeNative, MTU: mtu}}).MaxAudioPacket()
				if limit == 0 || l < limit {
					limit = l
				}
			}
			fit, err := encode.OpusFit(c.bitrate, limit)
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			t.Logf("opus for %d-byte packets: %v frames, cbr %v (%d bytes)", limit, fit.FrameDuration, fit.CBR, fit.PacketBytes)
			e := startLiveEngine(t, c.bitrate, limit)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			var runs []*mtuRun
			var hs []*dest.Handler
			for _, mtu := range c.mtus {
				r := startMTURun(ctx, t, dir, mtu, func(tg *Target) string {
					text, err := tg.SDP(e.Stream().Tracks())
					if err != nil {
						t.Fatal(err)
					}
					return text
				}, secs)
				h := &dest.Handler{Name: fmt.Sprint("mtu", mtu), Kind: "rtp", Worker: r.target, Stream: e.Stream(), Reader: r.target.ReaderConfig()}
				if err := h.Initialize(); err != nil {
					t.Fatal(err)
				}
				runs, hs = append(runs, r), append(hs, h)
			}
			stop := runEngine(e)
			for _, r := range runs {
				if err := <-r.done; err != nil {
					t.Errorf("receiver mtu %d: %v: %s", r.mtu, err, r.stderr.String())
				}
			}
			status := make([]dest.Status, len(runs))
			for i, r := range runs {
				status[i] = hs[i].Status()
				hs[i].Close()
				r.capture.stop()
			}
			if err := stop(); err != nil {
				t.Fatalf("engine: %v", err)
			}
			for i, r := range runs {
				r.check(t, status[i], secs, fit.FrameDuration)
			}
		})
	}
}

// TestOversizedOpusFailsOnce: an Opus packet larger than the MTU allows
// (an encoder not sized for the target) fails the destination with the
// sizes in the message, once: it is our own error, not retried in a loop.
func TestOversizedOpusFailsOnce(t *testing.T) {
	g := listenPorts(t, 4)
	tg := &Target{Config: rtptarget.Config{Host: "127.0.0.1", Port: g.base, Mode: ModeNative, MTU: 256, SDPPath: filepath.Join(t.TempDir(), "x.sdp")}}
	s := stream.New(synthTracks())
	defer s.Close()
	h := &dest.Handler{Name: "small", Kind: "rtp", Worker: tg, Stream: s, Reader: tg.ReaderConfig(),
		FirstRetry: 10 * time.Millisecond, FatalRetry: time.Hour}
	if err := h.Initialize(); err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	nalus := [][]byte{testSPS, testPPS, fakeNALU(5, 2000)}
	deadline := time.Now().Add(10 * time.Second)
	for i := 0; h.Status().State != dest.StateFailed; i++ {
		if time.Now().After(deadline) {
			t.Fatalf("state %+v", h.Status())
		}
		d := time.Duration(i) * 20 * time.Millisecond
		s.Write(&unit.Packet{Codec: unit.CodecH264, PTS: d, DTS: d, Key: true, Duration: 20 * time.Millisecond,
			Data: unit.JoinAnnexB(nil, nalus), NALUs: nalus})
		s.Write(&unit.Packet{Codec: unit.CodecOpus, PTS: d, DTS: d, Key: true, Duration: 20 * time.Millisecond,
			Data: make([]byte, 585)})
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // 30 retry intervals
	st := h.Status()
	if st.State != dest.StateFailed || st.Reconnects != 0 {
		t.Errorf("state %s after %d reconnects: want failed, no reconnect", st.State, st.Reconnects)
	}
	if !strings.Contains(st.LastError, "585-byte") || !strings.Contains(st.LastError, "244 bytes") {
		t.Errorf("error %q lacks the sizes", st.LastError)
	}
}
