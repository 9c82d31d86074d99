package rtmp

import (
	"errors"
	"strings"
	"testing"
	"time"

	"golive/media/stream"
	"golive/media/testpeer"
	"golive/outputs/dest"
)

// TestPublishSequenceNginx publishes without media to both applications
// of a real nginx-rtmp, checks /stat lists both streams, then checks a
// second publisher of the same name is rejected as fatal (go-rtmp does not
// report onStatus: the publisher reads it itself).
func TestPublishSequenceNginx(t *testing.T) {
	ng := testpeer.StartNginxRTMP(t)
	s := stream.New(emptyTracks)
	defer s.Close()
	h1 := startHandler(t, "a", s, &Publisher{URL: ng.RTMPURL("live", "key-one")})
	h2 := startHandler(t, "b", s, &Publisher{URL: "rtmp://127.0.0.1:" + itoa(ng.RTMPPort) + "/live2", Key: "key-two"})
	waitState(t, h1, dest.StateLive, 10*time.Second)
	waitState(t, h2, dest.StateLive, 10*time.Second)
	st, err := ng.Stat()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []struct{ app, name string }{{"live", "key-one"}, {"live2", "key-two"}} {
		ns := st.Stream(want.app, want.name)
		if ns == nil || ns.Publishing == nil {
			t.Fatalf("nginx stat has no publishing stream %s/%s: %+v", want.app, want.name, st)
		}
	}
	// Same name again: nginx answers NetStream.Publish.BadName.
	h3 := startHandler(t, "dup", s, &Publisher{URL: ng.RTMPURL("live", "key-one")})
	st3 := waitState(t, h3, dest.StateFailed, 10*time.Second)
	if !strings.Contains(st3.LastError, "publish rejected") || strings.Contains(st3.LastError, "key-one") {
		t.Fatalf("duplicate publish error = %q", st3.LastError)
	}
}

// TestProbeAndConfigErrors checks the reachability probe the handler uses
// to pick up a returning server, and that configuration errors are fatal
// and reported before anything is dialled.
func TestProbeAndConfigErrors(t *testing.T) {
	ng := testpeer.StartNginxRTMP(t)
	ctx := testCtx(t, 10*time.Second)
	if err := (&Publisher{URL: ng.RTMPURL("live", "k")}).Probe(ctx); err != nil {
		t.Fatalf("probe of a running server: %v", err)
	}
	closed := "rtmp://127.0.0.1:" + itoa(testpeer.FreePort(t)) + "/live/k"
	if err := (&Publisher{URL: closed}).Probe(ctx); err == nil {
		t.Fatal("probe of a closed port succeeded")
	}
	for _, c := range []struct{ url, key, msg string }{
		{"rtmp://127.0.0.1:1/live", "", "missing stream key"},
		{"rtmp://127.0.0.1:1/live", "a b", "stream key contains spaces"},
		{"udp://127.0.0.1:1/live/k", "", "unsupported scheme"},
	} {
		p := &Publisher{URL: c.url, Key: c.key, Logger: testLogger()}
		_, err := runOnce(ctx, p)
		if err == nil || !dest.IsFatal(err) || !errors.Is(err, ErrInvalidURL) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("Run(%q) = %v, want fatal %q", c.url, err, c.msg)
		}
		if p.Detail()["connects"].(uint64) != 0 {
			t.Errorf("Run(%q) dialled despite a bad URL", c.url)
		}
	}
}
