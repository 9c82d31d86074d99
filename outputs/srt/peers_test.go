package srt

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golive/media/testpeer"
	"golive/outputs/dest"
	"golive/outputs/internal/peertest"
)

const testPassphrase = "correct-horse-battery"

// TestSRTToFFmpegListener publishes to `ffmpeg -i 'srt://...?mode=listener'`
// with a passphrase: ffmpeg decodes at least 95 % of the frames sent with
// no error and the flash/beep offset within 40 ms; libsrt's RTT shows in
// the stats.
func TestSRTToFFmpegListener(t *testing.T) {
	testpeer.RequireBinaries(t, "ffmpeg", "ffprobe")
	port := testpeer.FreeUDPPort(t)
	out := filepath.Join(t.TempDir(), "got.ts")
	l := startListener(t, port, testPassphrase, out)
	e := newEngine(t)
	defer e.Stop(t)
	p := &Publisher{URL: fmt.Sprintf("srt://127.0.0.1:%d?latency=200000", port), Passphrase: testPassphrase}
	h := handler(t, e, "ffmpeg", p)
	e.Start()
	waitState(t, h, dest.StateLive, 10*time.Second)
	time.Sleep(8 * time.Second)
	st := h.Status()
	h.Close()
	t.Logf("status %+v", st)
	if st.State != dest.StateLive || st.Reconnects != 0 || st.Dropped != 0 {
		t.Errorf("status %+v: want live, no reconnect, nothing dropped", st)
	}
	if rtt, ok := st.Detail["rtt_ms"].(float64); !ok || rtt < 0 || rtt > 100 {
		t.Errorf("detail %v: want rtt_ms on loopback", st.Detail)
	}
	l.wait(t, 10*time.Second)
	peertest.CheckRecording(t, out, int(st.FramesSent))
}

// TestSRTWrongPassphrase: the listener refuses the key; the destination
// says so and waits in failed (no retry loop); no passphrase at all and
// an unreachable listener get their own messages.
func TestSRTWrongPassphrase(t *testing.T) {
	testpeer.RequireBinaries(t, "ffmpeg")
	port := testpeer.FreeUDPPort(t)
	startListener(t, port, testPassphrase, filepath.Join(t.TempDir(), "x.ts"))
	e := newEngine(t)
	defer e.Stop(t)
	url := fmt.Sprintf("srt://127.0.0.1:%d", port)
	wrong := handler(t, e, "wrong", &Publisher{URL: url, Passphrase: "not-the-right-one"})
	defer wrong.Close()
	st := waitState(t, wrong, dest.StateFailed, 10*time.Second)
	if !strings.Contains(st.LastError, "wrong passphrase") || strings.Contains(st.LastError, "not-the-right-one") {
		t.Errorf("error %q: want the wrong passphrase message, without the passphrase", st.LastError)
	}
	none := handler(t, e, "none", &Publisher{URL: url})
	defer none.Close()
	st = waitState(t, none, dest.StateFailed, 10*time.Second)
	if !strings.Contains(st.LastError, "requires a passphrase") {
		t.Errorf("error %q: want the missing passphrase message", st.LastError)
	}
	away := handler(t, e, "away", &Publisher{URL: fmt.Sprintf("srt://127.0.0.1:%d", testpeer.FreeUDPPort(t)),
		ConnectTimeout: 500 * time.Millisecond})
	defer away.Close()
	st = waitState(t, away, dest.StateReconnecting, 10*time.Second)
	if !strings.Contains(st.LastError, "no SRT listener answered") {
		t.Errorf("error %q: want the unreachable message", st.LastError)
	}
	time.Sleep(time.Second)
	if st := wrong.Status(); st.Reconnects != 0 || st.State != dest.StateFailed {
		t.Errorf("wrong passphrase retried: %+v", st)
	}
}

// TestSRTListenerReturns: the listener goes away for 5 s; the destination
// reconnects within 3 s of its return and the new listener decodes
// cleanly, while an RTMP destination beside it loses no frame.
func TestSRTListenerReturns(t *testing.T) {
	testpeer.RequireBinaries(t, "ffmpeg", "ffprobe", "nginx")
	port := testpeer.FreeUDPPort(t)
	dir := t.TempDir()
	l := startListener(t, port, "", filepath.Join(dir, "first.ts"))
	e := newEngine(t)
	defer e.Stop(t)
	rtmpH := peertest.BesideRTMP(t, e)
	h := handler(t, e, "srt", &Publisher{URL: fmt.Sprintf("srt://127.0.0.1:%d", port)})
	e.Start()
	waitState(t, h, dest.StateLive, 10*time.Second)
	time.Sleep(3 * time.Second)
	_ = l.cmd.Process.Signal(syscall.SIGTERM)
	l.wait(t, 5*time.Second)
	waitNotLive(t, h, 8*time.Second)
	time.Sleep(5 * time.Second)
	out := filepath.Join(dir, "second.ts")
	spawned := time.Now()
	l2 := startListener(t, port, "", out)
	back := time.Now() // the listener has returned: its port is bound
	st := waitState(t, h, dest.StateLive, 10*time.Second)
	took := time.Since(back)
	t.Logf("live again %v after the listener returned (ffmpeg took %v to bind its port); %+v",
		took.Round(time.Millisecond), back.Sub(spawned).Round(time.Millisecond), st)
	if took > 3*time.Second {
		t.Errorf("reconnected %v after the listener returned: want within 3 s", took)
	}
	sentBefore := h.Status().FramesSent
	time.Sleep(4 * time.Second)
	sent := h.Status().FramesSent - sentBefore
	h.Close()
	l2.wait(t, 10*time.Second)
	peertest.CheckRecording(t, out, int(sent))
	peertest.CheckBeside(t, rtmpH, e)
}

func waitNotLive(t *testing.T, h *dest.Handler, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for h.Status().State == dest.StateLive {
		if time.Now().After(deadline) {
			t.Fatalf("still live %v after the listener went away", d)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := h.Status().LastError; !strings.Contains(err, "connection lost") && !strings.Contains(err, "no SRT listener") {
		t.Errorf("error %q: want the connection lost message", err)
	}
}

// TestSRTToMediaMTX publishes to MediaMTX's SRT ingest (stream id
// publish:PATH) and reads the path back over RTSP: at least 95 % of the
// frames of the span read, no decode error, A/V within 40 ms.
func TestSRTToMediaMTX(t *testing.T) {
	testpeer.RequireBinaries(t, "ffmpeg", "ffprobe")
	m := testpeer.StartMediaMTX(t)
	e := newEngine(t)
	defer e.Stop(t)
	h := handler(t, e, "mediamtx", &Publisher{URL: m.SRTURL("cam")})
	defer h.Close()
	e.Start()
	waitState(t, h, dest.StateLive, 10*time.Second)
	if !m.WaitLog("is publishing to path 'cam'", 10*time.Second) {
		t.Fatalf("MediaMTX did not take the stream: %s", m.Log.String())
	}
	out := filepath.Join(t.TempDir(), "rtsp.ts")
	readRTSP(t, m.RTSPURL("cam"), out, 8*time.Second)
	if st := h.Status(); st.State != dest.StateLive || st.Reconnects != 0 {
		t.Errorf("status %+v", st)
	}
	peertest.CheckRecording(t, out, 0)
}

// readRTSP records an RTSP URL (stream copy) for d.
func readRTSP(t *testing.T, url, out string, d time.Duration) {
	t.Helper()
	cmd := exec.Command("ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-y", "-rtsp_transport", "tcp",
		"-i", url, "-map", "0", "-c", "copy", "-t", fmt.Sprint(d.Seconds()), "-f", "mpegts", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg reading %s: %v: %s", url, err, b)
	}
}

// TestSRTStreamIDRefused: MediaMTX, which wants a publish user, refuses a
// stream id with the wrong password: the destination waits in failed with
// the stream id message of its own (not the passphrase, unreachable or a
// generic rejection one), and does not retry.
func TestSRTStreamIDRefused(t *testing.T) {
	const user, pass = "golive", "right-pass-2468"
	m := testpeer.StartMediaMTX(t, testpeer.MediaMTXUser{User: user, Pass: pass, Actions: []string{"publish"}})
	e := newEngine(t)
	defer e.Stop(t)
	url := fmt.Sprintf("srt://127.0.0.1:%d?streamid=publish:cam:%s:wrong-pass-1357", m.SRTPort, user)
	h := handler(t, e, "refused", &Publisher{URL: url})
	defer h.Close()
	st := waitState(t, h, dest.StateFailed, 15*time.Second)
	t.Logf("refused: %q", st.LastError)
	for _, want := range []string{"stream id refused", "check the stream id"} {
		if !strings.Contains(st.LastError, want) {
			t.Errorf("error %q: want %q", st.LastError, want)
		}
	}
	for _, other := range []string{"wrong passphrase", "no SRT listener", "connection rejected"} {
		if strings.Contains(st.LastError, other) {
			t.Errorf("error %q: another failure's message (%q)", st.LastError, other)
		}
	}
	time.Sleep(3 * time.Second)
	if st := h.Status(); st.Reconnects != 0 || st.State != dest.StateFailed {
		t.Errorf("refused stream id retried: %+v", st)
	}
}
