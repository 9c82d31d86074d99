package benchmark

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"golive/app/cli"
	"golive/app/profile"
)

// TestTwoRenditionCase: the two-rendition case's profile commands give two
// destinations on the main 1280x720 2500k rendition and two on 854x480
// 1000k, and the ffmpeg reference splits into two encoders sent by one tee.
func TestTwoRenditionCase(t *testing.T) {
	i := slices.IndexFunc(Matrix(), func(c Case) bool { return c.Second != nil })
	if i < 0 {
		t.Fatal("no two-rendition case in the matrix")
	}
	c := Matrix()[i]
	e := Endpoints{}
	for k := range c.Destinations() {
		e.RTMP = append(e.RTMP, "rtmp://127.0.0.1:1935/live/key"+string(rune('a'+k)))
	}
	dir := t.TempDir()
	var out bytes.Buffer
	env := cli.Env{Stdout: &out, Stderr: &out, ConfigDir: dir, Keyring: profile.NoKeyring{Reason: "test"}}
	for _, args := range c.GoLiveSetup(e) {
		if code := cli.Main(context.Background(), args, env); code != cli.ExitOK {
			t.Fatalf("golive %v: exit %d: %s", args, code, out.String())
		}
	}
	out.Reset()
	if code := cli.Main(context.Background(), []string{"profile", "show", benchProfile}, env); code != cli.ExitOK {
		t.Fatalf("profile show: %s", out.String())
	}
	show := out.String()
	if strings.Count(show, "video 854x480@30 · 1.0 Mb/s · H.264") != 2 || strings.Count(show, "[on ] d") != 4 ||
		!strings.Contains(show, "1280x720 @ 30 fps, video 2500k") {
		t.Fatalf("profile:\n%s", show)
	}
	if a := c.GoLiveArgs(e, 10*time.Second); !slices.Contains(a, benchProfile) {
		t.Fatalf("golive args %v", a)
	}
	f := strings.Join(c.FFmpegArgs(e, 10*time.Second), " ")
	for _, want := range []string{"split=2[v0][s1];[s1]scale=854:480", "-b:v:1 1000k", "-b:v:0 2500k",
		`[select=\'v:1,a\':f=flv:onfail=ignore]rtmp://127.0.0.1:1935/live/keyd`, `[select=\'v:0,a\':f=flv:onfail=ignore]rtmp://127.0.0.1:1935/live/keya`} {
		if !strings.Contains(f, want) {
			t.Errorf("ffmpeg args lack %q: %s", want, f)
		}
	}
}
