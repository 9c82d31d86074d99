package ui

import (
	"strings"
	"testing"

	"golive/app/profile"
	"golive/outputs/dest"
)

// TestErrorsForPeople: each cause gives one sentence naming the
// destination and what to do, never the raw protocol text.
func TestErrorsForPeople(t *testing.T) {
	twitch := profile.Destination{Name: "Twitch", Kind: profile.KindRTMP, Enabled: true,
		RTMP: &profile.RTMP{Service: "twitch", URL: "rtmp://live.twitch.tv/app", Key: "live_x"}}
	custom := profile.Destination{Name: "Mine", Kind: profile.KindRTMP, Enabled: true,
		RTMP: &profile.RTMP{Service: "custom", URL: "rtmp://strem.example.org/live", Key: "k"}}
	rec := profile.Destination{Name: "Recording", Kind: profile.KindRecord, Enabled: true,
		Record: &profile.Record{Path: "/media/usb/a.mkv"}}
	cases := []struct {
		d    profile.Destination
		raw  string
		want string
	}{
		{twitch, "publish rejected by the server: NetStream.Publish.BadName (key ****ve_x)",
			"Twitch: Twitch refused the stream key: check it in Twitch's dashboard"},
		{custom, "connect to strem.example.org:1935: dial tcp: lookup strem.example.org: no such host",
			`Mine: the server name "strem.example.org" was not found: check it for a typo.`},
		{custom, "rtmps strem.example.org: server certificate rejected: x509: certificate signed by unknown authority",
			"Mine: strem.example.org's certificate is not trusted by this computer"},
		{custom, "connect to strem.example.org:1935: dial tcp 1.2.3.4:1935: connect: connection refused",
			"Mine: strem.example.org refused the connection"},
		{rec, "open /media/usb/a.mkv: read-only file system", "Recording: GoLive may not write there"},
	}
	for _, c := range cases {
		p := explain(c.d, dest.Status{State: dest.StateReconnecting, LastError: c.raw})
		if !strings.HasPrefix(p.Message, c.want) || strings.Contains(p.Message, "tcp") {
			t.Errorf("%q\n  says %q\n  want %q…", c.raw, p.Message, c.want)
		}
	}
	if p := explain(twitch, dest.Status{State: dest.StateLive, LastError: "old"}); p.Message != "" {
		t.Errorf("a live destination shows %q", p.Message)
	}
}
