package cli

import (
	"context"
	"strings"
	"testing"

	"golive/media/testpeer"
)

// TestLivePlainAndRTMPSWithCA: `--rtmp rtmp://… --rtmp rtmps://… --ca
// cert.pem` publishes both (issue 16: the CA made the plain destination
// fail with "a CA file or certificate pin needs an rtmps:// URL"), and
// each stream decodes.
func TestLivePlainAndRTMPSWithCA(t *testing.T) {
	if testing.Short() {
		t.Skip("real-time encode")
	}
	testpeer.RequireBinaries(t, "ffprobe", "nginx")
	ng := testpeer.StartNginxRTMP(t)
	plain := testpeer.StartRTMPPull(t, ng, "live", "plainkey")
	secure := testpeer.StartRTMPPull(t, ng, "live", "secure")
	env, _, stderr := testEnv()
	code := Main(context.Background(), []string{"live", "--source", "test", "--audio", "test", "--size", "640x360",
		"--duration", "5s", "--stats", "none",
		"--rtmp", ng.RTMPURL("live", "plainkey"), "--rtmp", ng.RTMPSURL("localhost", "live", "secure"),
		"--ca", ng.CAFile()}, env)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for name, p := range map[string]*testpeer.RTMPPull{"rtmp://": plain, "rtmps://": secure} {
		a := p.Wait(t)
		v, au := a.Stream("video"), a.Stream("audio")
		if v == nil || au == nil || v.CodecName != "h264" || au.CodecName != "aac" || v.Width != 640 {
			t.Errorf("%s: streams %+v", name, a.Streams)
			continue
		}
		if len(a.Errors) > 0 || a.Count("video") < 100 {
			t.Errorf("%s: %d video frames decoded, errors %q", name, a.Count("video"), a.Errors)
		}
		t.Logf("%s: %d video, %d audio frames decoded", name, a.Count("video"), a.Count("audio"))
	}
}

// TestRTMPCAPairsInOrder: --rtmp-ca and --rtmp-pin pair with the --rtmp
// URLs in order; --ca and --pin reach the rtmps:// ones without their own
// and never a plain rtmp:// one; a per-destination CA on rtmp:// or too
// many of them is a usage error.
func TestRTMPCAPairsInOrder(t *testing.T) {
	fs, f := newLiveFlagSet(Env{Stderr: &strings.Builder{}})
	pin := strings.Repeat("ab", 32)
	err := fs.Parse([]string{"--rtmp", "rtmps://a.example/live#k1", "--rtmp", "rtmp://b.example/live#k2",
		"--rtmp", "rtmps://c.example/live#k3", "--rtmp-ca", "a.pem", "--rtmp-ca", "", "--ca", "all.pem", "--pin", pin})
	if err != nil {
		t.Fatal(err)
	}
	ds, err := f.destinations()
	if err != nil {
		t.Fatal(err)
	}
	got := [][2]string{}
	for _, d := range ds {
		got = append(got, [2]string{d.RTMP.CAFile, d.RTMP.PinSHA256})
	}
	want := [][2]string{{"a.pem", pin}, {"", ""}, {"all.pem", pin}}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("destination %d: CA %q pin %q, want %q %q", i+1, got[i][0], got[i][1], want[i][0], want[i][1])
		}
	}
	for want, args := range map[string][]string{
		"its URL is plain rtmp://":       {"--rtmp", "rtmp://b.example/live#k", "--rtmp-ca", "x.pem"},
		"2 --rtmp-ca for 1 --rtmp":       {"--rtmp", "rtmps://b.example/live#k", "--rtmp-ca", "x.pem", "--rtmp-ca", "y.pem"},
		"no --rtmp is one":               {"--rtmp", "rtmp://b.example/live#k", "--ca", "x.pem"},
		"2 --rtmp-pin for 1 --rtmp":      {"--rtmp", "rtmps://b.example/live#k", "--rtmp-pin", pin, "--rtmp-pin", pin},
		"--rtmp-ca/--rtmp-pin of --rtmp": {"--rtmp", "rtmp://b.example/live#k", "--rtmp-pin", pin},
	} {
		env, _, stderr := testEnv()
		code := Main(context.Background(), append([]string{"live", "--source", "test"}, args...), env)
		if code != ExitUsage || !strings.Contains(stderr.String(), want) {
			t.Errorf("%v: exit %d, %q; want exit 2 and %q", args, code, stderr, want)
		}
	}
}
