package whip

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golive/media/testpeer"
	"golive/outputs/dest"
	"golive/outputs/internal/peertest"
)

// TestWHIPToMediaMTX publishes to MediaMTX's WHIP endpoint with a bearer
// token and reads the path back over RTSP: decoded with no error, A/V
// within 40 ms; the DELETE at stop closes the session on the server.
func TestWHIPToMediaMTX(t *testing.T) {
	testpeer.RequireBinaries(t, "ffmpeg", "ffprobe")
	m := startMediaMTX(t)
	e := newEngine(t, 0)
	defer e.Stop(t)
	h := handler(t, e, "mediamtx", &Publisher{URL: m.WHIPURL("cam"), Token: pubToken})
	e.Start()
	waitState(t, h, dest.StateLive, 20*time.Second)
	if !m.WaitLog("is publishing to path 'cam'", 10*time.Second) {
		h.Close()
		t.Fatalf("MediaMTX did not take the stream: %s", m.Log.String())
	}
	out := filepath.Join(t.TempDir(), "rtsp.mkv")
	readRTSP(t, m.RTSPURL("cam"), out, 8*time.Second)
	st := h.Status()
	h.Close()
	t.Logf("status %+v", st)
	if st.State != dest.StateLive || st.Reconnects != 0 {
		t.Errorf("status %+v: want live without reconnects", st)
	}
	if _, ok := st.Detail["estimate_kbps"].(float64); !ok {
		t.Errorf("detail %v: want estimate_kbps", st.Detail)
	}
	if !m.WaitLog("closed: terminated", 5*time.Second) {
		t.Errorf("MediaMTX did not log the session closed by the DELETE: %s", tail(m.Log.String()))
	}
	peertest.CheckRecording(t, out, 0)
}

// TestWHIPWrongToken: a refused token gives the 401 message once, and the
// destination waits in failed instead of retrying.
func TestWHIPWrongToken(t *testing.T) {
	m := startMediaMTX(t)
	e := newEngine(t, 0)
	defer e.Stop(t)
	h := handler(t, e, "wrong", &Publisher{URL: m.WHIPURL("cam"), Token: pubUser + ":wrong-password"})
	defer h.Close()
	st := waitState(t, h, dest.StateFailed, 20*time.Second)
	if !strings.Contains(st.LastError, "401") || strings.Contains(st.LastError, "wrong-password") {
		t.Errorf("error %q: want 401, without the token", st.LastError)
	}
	time.Sleep(3 * time.Second)
	st = h.Status()
	if st.State != dest.StateFailed || st.Reconnects != 0 || st.RetryInS < 60 {
		t.Errorf("after 3 s: %+v: want still failed, no retry", st)
	}
	if n := strings.Count(m.Log.String(), "POST /cam/whip"); n != 1 {
		t.Errorf("%d POSTs to the endpoint in MediaMTX's log: want exactly one", n)
	}
}

func tail(s string) string {
	if len(s) > 3000 {
		return s[len(s)-3000:]
	}
	return s
}
