package ui

import (
	"testing"

	"golive/app/profile"
	"golive/outputs/dest"
)

func TestRatioLevelThresholds(t *testing.T) {
	for _, c := range []struct {
		lost, total uint64
		want        level
	}{
		{0, 0, levelNormal}, {0, 1000, levelNormal}, {10, 1000, levelNormal},
		{11, 1000, levelWarning}, {50, 1000, levelWarning}, {51, 1000, levelDanger},
	} {
		if got := ratioLevel(c.lost, c.total); got != c.want {
			t.Errorf("ratioLevel(%d, %d) = %v, want %v", c.lost, c.total, got, c.want)
		}
	}
}

func TestFormats(t *testing.T) {
	for in, want := range map[float64]string{0: "0 kb/s", 850.4: "850 kb/s", 2612.4: "2.61 Mb/s", -3: "0 kb/s"} {
		if got := formatBitrate(in); got != want {
			t.Errorf("formatBitrate(%v) = %q, want %q", in, got, want)
		}
	}
	if got := formatElapsed(3725.9); got != "01:02:05" {
		t.Errorf("formatElapsed = %q", got)
	}
	live := profile.Destination{Kind: "rtmp", Enabled: true, RTMP: &profile.RTMP{URL: "rtmp://h/app", Key: "k"}}
	for _, c := range []struct {
		d     profile.Destination
		st    dest.Status
		phase phase
		want  string
		lv    level
	}{
		{live, dest.Status{State: dest.StateConnecting}, phaseLive, "connecting", levelWarning},
		{live, dest.Status{State: dest.StateLive}, phaseLive, "live", levelGood},
		{live, dest.Status{State: dest.StateReconnecting, RetryInS: 7.2}, phaseLive, "reconnecting in 8s", levelWarning},
		{live, dest.Status{State: dest.StateFailed, LastError: "publish rtmp://h/app/KEY123: rejected"}, phaseLive,
			"failed", levelDanger},
		{live, dest.Status{State: dest.StateStopped}, phaseLive, "stopped", levelNormal},
		{live, dest.Status{}, phaseIdle, "ready", levelNormal},
		{profile.Destination{Kind: "rtmp", Enabled: true, RTMP: &profile.RTMP{URL: "rtmp://h/app"}}, dest.Status{}, phaseIdle,
			"needs key", levelWarning},
		{profile.Destination{Kind: "rtmp", RTMP: live.RTMP}, dest.Status{}, phaseIdle, "off", levelNormal},
	} {
		if got, lv := badgeFor(c.d, c.st, c.phase); got != c.want || lv != c.lv {
			t.Errorf("badgeFor(%s) = %q/%v, want %q/%v", c.st.State, got, lv, c.want, c.lv)
		}
	}
	d := profile.Destination{Kind: "rtmp", RTMP: &profile.RTMP{URL: "rtmps://a.rtmps.youtube.com:443/live2/", Key: "abcd-efgh-ijkl-mnop"}}
	if got := targetText(d); got != "rtmps://a.rtmps.youtube.com:443/live2/****mnop" || kindLabel(d) != "RTMPS" {
		t.Errorf("target %q kind %q", got, kindLabel(d))
	}
}

// TestRecordingRowNamesTheFileWritten: a recording whose name was taken
// writes "show (2).mkv"; the row says so, not the name asked for.
func TestRecordingRowNamesTheFileWritten(t *testing.T) {
	got := protoFigures(profile.KindRecord, map[string]any{"file": "/videos/show (2).mkv", "file_bytes": 10})
	if got != "writing show (2).mkv" {
		t.Errorf("recording figures %q, want %q", got, "writing show (2).mkv")
	}
	if got := protoFigures(profile.KindRecord, map[string]any{}); got != "" {
		t.Errorf("recording without a file yet: %q, want nothing", got)
	}
	if got := protoFigures(profile.KindRTP, map[string]any{"file": "x.mkv"}); got != "" {
		t.Errorf("RTP destination: %q, want nothing", got)
	}
}

// TestSRTRowMasksStreamIDSecret: a destination row shows an SRT stream
// id's password masked, never the passphrase.
func TestSRTRowMasksStreamIDSecret(t *testing.T) {
	d := profile.Destination{Kind: "srt", SRT: &profile.SRT{
		URL: "srt://ingest.example.com:9000?streamid=publish:cam:user:ui-sid-pass-2718", Key: "passphrase-0123"}}
	want := "srt://ingest.example.com:9000?streamid=publish:cam:user:****2718 (encrypted)"
	if got := targetText(d); got != want {
		t.Errorf("targetText = %q, want %q", got, want)
	}
}
