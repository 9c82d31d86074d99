package profile

import (
	"strings"
	"testing"
)

// TestRTMPFlagEdges (issue 16): `…/live/ab#cd` is ambiguous (a key
// "ab#cd", or app "live/ab" with key "cd") and says so without showing a
// key; the same key in the path and after '#' is one key; a Unicode key
// and an IDN host are carried intact (the host as punycode).
func TestRTMPFlagEdges(t *testing.T) {
	_, err := ParseRTMPFlag("rtmp://host/live/ab#cd", "")
	if err == nil || !strings.Contains(err.Error(), "ambiguous") || !strings.Contains(err.Error(), "--rtmp-key") {
		t.Errorf("…/live/ab#cd: %v, want the ambiguity explained", err)
	} else if strings.Contains(err.Error(), "ab") || strings.Contains(err.Error(), "cd") {
		t.Errorf("the message shows the key: %v", err)
	}
	for _, tc := range []struct{ raw, key, url, wantKey string }{
		{"rtmp://host/live/k1#k1", "", "rtmp://host/live", "k1"},
		{"rtmp://host/live#ab#cd", "", "rtmp://host/live", "ab#cd"},
		{"rtmp://host/live", "ab#cd", "rtmp://host/live", "ab#cd"},
		{"rtmp://host/live/ключ", "", "rtmp://host/live", "ключ"},
		{"rtmp://host/live#ключ", "", "rtmp://host/live", "ключ"},
		{"rtmps://Пример.РФ/live#k", "", "rtmps://xn--e1afmkfd.xn--p1ai/live", "k"},
	} {
		d, err := ParseRTMPFlag(tc.raw, tc.key)
		if err != nil {
			t.Errorf("%q: %v", tc.raw, err)
			continue
		}
		if d.RTMP.URL != tc.url || d.RTMP.Key != tc.wantKey {
			t.Errorf("%q: URL %q key %q, want %q %q", tc.raw, d.RTMP.URL, d.RTMP.Key, tc.url, tc.wantKey)
		}
		if err := checkDest(d); err != nil {
			t.Errorf("%q: does not validate: %v", tc.raw, err)
		}
	}
}

// TestRTPFlagKeepsTheVLCVariant: `--rtp …?srtp=vlc` is kept as the VLC
// variant of SRTP (it was silently turned into plain srtp=1) and written
// back the same way.
func TestRTPFlagKeepsTheVLCVariant(t *testing.T) {
	d, err := ParseRTPFlag("127.0.0.1:5004?srtp=vlc")
	if err != nil {
		t.Fatal(err)
	}
	if !d.RTP.SRTP || !d.RTP.SRTPVLC {
		t.Fatalf("srtp=vlc parsed as %+v", *d.RTP)
	}
	if s := d.RTP.TargetString(); !strings.Contains(s, "srtp=vlc") {
		t.Fatalf("target string %q lost the VLC variant", s)
	}
	plain, err := ParseRTPFlag("127.0.0.1:5004?srtp=1")
	if err != nil || !plain.RTP.SRTP || plain.RTP.SRTPVLC {
		t.Fatalf("srtp=1 parsed as %+v (%v)", plain.RTP, err)
	}
}
