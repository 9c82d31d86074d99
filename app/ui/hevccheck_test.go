package ui

import (
	"strings"
	"testing"

	"golive/app/profile"
)

// TestGoLiveCheckQuietForHEVCOverRTPAndSRT: HEVC renditions on native and
// mpegts RTP and on SRT destinations are carried, so the Go Live check
// says nothing about them; beside them, HEVC to Twitch is the one warning.
func TestGoLiveCheckQuietForHEVCOverRTPAndSRT(t *testing.T) {
	p := profile.DefaultProfile()
	hevc := &profile.Video{Codec: profile.CodecHEVC}
	p.Destinations = []profile.Destination{
		{Name: "native", Kind: profile.KindRTP, Enabled: true, Video: hevc,
			RTP: &profile.RTP{Host: "127.0.0.1", Port: 6000, Mode: "native"}},
		{Name: "ts", Kind: profile.KindRTP, Enabled: true, Video: hevc, RTP: &profile.RTP{Host: "127.0.0.1", Port: 6010}},
		{Name: "contrib", Kind: profile.KindSRT, Enabled: true, Video: hevc, SRT: &profile.SRT{URL: "srt://127.0.0.1:9000"}},
	}
	if w := (&sessionEngine{}).Check(p); len(w) != 0 {
		t.Fatalf("warnings %q", w)
	}
	p.Destinations = append(p.Destinations, profile.Destination{Name: "Twitch", Kind: profile.KindRTMP, Enabled: true,
		Video: hevc, RTMP: &profile.RTMP{Service: "twitch", URL: "rtmp://live.twitch.tv/app", Key: "k"}})
	if w := (&sessionEngine{}).Check(p); len(w) != 1 || !strings.HasPrefix(w[0], "Twitch: video codec hevc is not accepted") {
		t.Fatalf("warnings %q, want the one about Twitch", w)
	}
}
