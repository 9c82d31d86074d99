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

// TestRTMPS publishes through nginx's TLS front signed by a test CA:
// accepted with the CA file or the right pin (by name and by IP), refused
// with a clear certificate error otherwise, never downgraded.
func TestRTMPS(t *testing.T) {
	ng := testpeer.StartNginxRTMP(t)
	s := stream.New(emptyTracks)
	defer s.Close()
	good := []struct {
		name string
		p    *Publisher
	}{
		{"ca-localhost", &Publisher{URL: ng.RTMPSURL("localhost", "live", "tls-a"), CAFile: ng.CAFile()}},
		{"ca-ip", &Publisher{URL: ng.RTMPSURL("127.0.0.1", "live2", "tls-b"), CAFile: ng.CAFile()}},
		{"pin", &Publisher{URL: ng.RTMPSURL("localhost", "live", "tls-c"), PinSHA256: Fingerprint(ng.ServerCertDER())}},
	}
	var hs []*dest.Handler
	for _, g := range good {
		hs = append(hs, startHandler(t, g.name, s, g.p))
	}
	for _, h := range hs {
		waitState(t, h, dest.StateLive, 10*time.Second)
	}
	st, err := ng.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if st.Stream("live", "tls-a") == nil || st.Stream("live2", "tls-b") == nil || st.Stream("live", "tls-c") == nil {
		t.Fatalf("nginx stat lacks the RTMPS streams: %+v", st)
	}

	wrongPin := strings.Repeat("ab", 32)
	bad := []struct {
		name string
		p    *Publisher
		msg  string
	}{
		{"no-ca", &Publisher{URL: ng.RTMPSURL("localhost", "live", "tls-x")}, "certificate signed by unknown authority"},
		{"wrong-pin", &Publisher{URL: ng.RTMPSURL("localhost", "live", "tls-y"), PinSHA256: wrongPin}, "does not match the pinned one"},
	}
	for _, b := range bad {
		_, err := runOnce(testCtx(t, 10*time.Second), b.p)
		if err == nil || !errors.Is(err, ErrCertificate) || !dest.IsFatal(err) || !strings.Contains(err.Error(), b.msg) {
			t.Errorf("%s: Run = %v, want a fatal certificate error containing %q", b.name, err, b.msg)
		}
		if err != nil && strings.Contains(err.Error(), "tls-") {
			t.Errorf("%s: error leaks the key: %v", b.name, err)
		}
	}
	// Configuration mistakes are reported before dialling.
	for _, c := range []struct {
		p   *Publisher
		msg string
	}{
		{&Publisher{URL: ng.RTMPSURL("localhost", "live", "k"), PinSHA256: "12:34"}, "64 hex digits"},
		{&Publisher{URL: ng.RTMPSURL("localhost", "live", "k"), CAFile: "/nonexistent/ca.pem"}, "rtmps ca file"},
		{&Publisher{URL: ng.RTMPSURL("localhost", "live", "k"), CAFile: ng.Dir + "/nginx.conf"}, "no PEM certificate"},
		{&Publisher{URL: ng.RTMPURL("live", "k"), CAFile: ng.CAFile()}, "needs an rtmps:// URL"},
	} {
		_, err := runOnce(testCtx(t, 10*time.Second), c.p)
		if err == nil || !dest.IsFatal(err) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("Run = %v, want fatal %q", err, c.msg)
		}
	}
}
