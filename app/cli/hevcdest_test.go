package cli

import (
	"log/slog"
	"strings"
	"testing"

	"golive/app/profile"
	"golive/app/session"
)

// TestProfileSetHEVCOnRTPAndSRT: `golive profile set … dest.NAME.codec=hevc`
// on native and mpegts RTP and on SRT destinations is accepted, shown on
// the rows, and the session made of the profile gives each an HEVC
// rendition encoded by libx265 (one encoder for the three); AV1 on an RTP
// destination is accepted by `profile set` (a profile may be edited in any
// order) but refused before going live with the message that says what to
// use.
func TestProfileSetHEVCOnRTPAndSRT(t *testing.T) {
	h := newProfileHarness(t, &profile.MemoryKeyring{})
	h.ok("", "add", "p", "source=test", "audio=test")
	h.ok("", "add-dest", "p", "--rtp", "127.0.0.1:6000?mode=native", "--name", "native")
	h.ok("", "add-dest", "p", "--rtp", "127.0.0.1:6010", "--name", "ts")
	h.ok("", "add-dest", "p", "--srt", "srt://127.0.0.1:9000", "--name", "contrib")
	h.ok("", "set", "p", "dest.native.codec=hevc", "dest.ts.codec=hevc", "dest.contrib.codec=hevc")
	out := h.ok("", "show", "p")
	if strings.Count(out, "HEVC") != 3 {
		t.Errorf("show: want the three HEVC renditions in\n%s", out)
	}
	st := &profile.Store{Dir: h.dir, Keyring: h.kr, Logger: slog.New(slog.DiscardHandler)}
	if err := st.Open(); err != nil {
		t.Fatal(err)
	}
	p, _ := st.Get("p")
	cfg, err := session.FromProfile(p)
	if err != nil {
		t.Fatalf("going live refused: %v", err)
	}
	if len(cfg.Outputs) != 3 {
		t.Fatalf("%d outputs", len(cfg.Outputs))
	}
	for _, o := range cfg.Outputs {
		if o.Video == nil || o.Video.Encoder != "libx265" || *o.Video != *cfg.Outputs[0].Video {
			t.Errorf("%s: rendition %+v, want the shared libx265 one", o.Name, o.Video)
		}
	}
	h.ok("", "set", "p", "dest.native.codec=av1")
	if err := st.Open(); err != nil {
		t.Fatal(err)
	}
	p, _ = st.Get("p")
	if _, err := session.FromProfile(p); err == nil ||
		!strings.Contains(err.Error(), `destination "native": AV1 over RTP is not supported: use an RTMP destination or a recording`) {
		t.Errorf("av1 over rtp: %v", err)
	}
}
