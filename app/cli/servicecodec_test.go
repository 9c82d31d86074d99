package cli

import (
	"errors"
	"log/slog"
	"strings"
	"testing"

	"golive/app/profile"
	"golive/app/session"
)

// TestProfileSetRefusesCodecTheServiceDoesNotTake (issue 18): `golive
// profile set P dest.Twitch.codec=hevc` is refused at once with the
// message going live gives (what, which destination, what the service
// takes, what to set), and nothing of the profile changes: the other
// settings of the same command are not half-applied and the earlier ones
// stay. A codec the service takes is saved; a service changed to one that
// does not take the destination's codec is refused the same way.
func TestProfileSetRefusesCodecTheServiceDoesNotTake(t *testing.T) {
	h := newProfileHarness(t, &profile.MemoryKeyring{})
	h.ok("", "add", "p", "source=test", "audio=test", "fps=30")
	h.ok("", "add-dest", "p", "--rtmp", "rtmp://live.twitch.tv/app#"+cliKey1, "--service", "twitch", "--name", "Twitch")
	h.ok("", "add-dest", "p", "--rtmp", "rtmp://a.rtmp.youtube.com/live2#"+cliKey2, "--service", "youtube", "--name", "YT")
	h.ok("", "set", "p", "dest.Twitch.size=1280x720", "dest.Twitch.video_bitrate=3000k")

	_, _, err := h.run("", "set", "p", "fps=60", "dest.Twitch.codec=hevc")
	var usage *UsageError
	if !errors.As(err, &usage) {
		t.Fatalf("set dest.Twitch.codec=hevc: err = %v, want a usage error", err)
	}
	for _, want := range []string{`destination "Twitch"`, "Twitch does not take hevc video (it takes h264)",
		"dest.Twitch.codec=h264", `profile "p" was not changed`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q does not contain %q", err, want)
		}
	}
	p := storedProfile(t, h)
	tw, _ := p.Destination("Twitch")
	if r := p.Rendition(tw); r.Codec != profile.CodecH264 || r.Width != 1280 || r.VideoBitrate != 3_000_000 || p.Encoder.FPS != 30 {
		t.Errorf("after the refusal: Twitch rendition %+v, profile fps %d; want the saved H.264 1280x720 3000k, fps 30", r, p.Encoder.FPS)
	}

	// The message is the Go Live check's own: the same profile with the
	// codec written in is refused by session.FromProfile with its words.
	tw.Video.Codec = profile.CodecHEVC
	if _, live := session.FromProfile(p); live == nil || !strings.Contains(err.Error(), live.Error()) {
		t.Errorf("going live: %v; profile set said: %v", live, err)
	}

	h.ok("", "set", "p", "dest.YT.codec=hevc")
	h.fails(`destination "YT": Kick does not take hevc video (it takes h264)`, "set", "p", "dest.YT.size=1920x1080", "dest.YT.service=kick")
	p = storedProfile(t, h)
	yt, _ := p.Destination("YT")
	if yt.RTMP.Service != "youtube" || p.Rendition(yt).Codec != profile.CodecHEVC || yt.Video.Width != 0 {
		t.Errorf("YT after the refusals: service %q, rendition %+v", yt.RTMP.Service, p.Rendition(yt))
	}
	h.ok("", "set", "p", "dest.YT.service=kick", "dest.YT.codec=h264")
	h.requireNoKeys()
}

// storedProfile reads profile "p" back from the harness's config dir.
func storedProfile(t *testing.T, h *profileHarness) profile.Profile {
	t.Helper()
	st := &profile.Store{Dir: h.dir, Keyring: h.kr, Logger: slog.New(slog.DiscardHandler)}
	if err := st.Open(); err != nil {
		t.Fatal(err)
	}
	p, err := st.Get("p")
	if err != nil {
		t.Fatal(err)
	}
	return p
}
