package rtp

import (
	"encoding/base64"
	"strings"
	"testing"

	"golive/media/unit"
	"golive/outputs/rtptarget"
)

// hevcSynthTracks are synthTracks with HEVC video (libx265's parameter
// sets).
func hevcSynthTracks() unit.Tracks {
	tr := synthTracks()
	tr.Video = &unit.VideoParams{Codec: unit.CodecHEVC, Width: 640, Height: 360, FPS: 30,
		VPS: testVPS, SPS: testHEVCSPS, PPS: testHEVCPPS}
	return tr
}

// TestSDPNativeHEVC: an HEVC track gets H265/90000 with profile, tier and
// level and the three parameter sets in base64 (RFC 7798 section 7.1); an
// AV1 track or HEVC without parameter sets is refused with a message.
func TestSDPNativeHEVC(t *testing.T) {
	tg := &Target{Config: rtptarget.Config{Host: "127.0.0.1", Port: 6000, Mode: ModeNative, SDPPath: t.TempDir() + "/h.sdp"}}
	text, err := tg.SDP(hevcSynthTracks())
	if err != nil {
		t.Fatal(err)
	}
	d := parseSDP(t, text)
	if len(d.MediaDescriptions) != 2 {
		t.Fatalf("%d media sections:\n%s", len(d.MediaDescriptions), text)
	}
	v := d.MediaDescriptions[0]
	if v.MediaName.Port.Value != 6000 || v.MediaName.Formats[0] != "97" {
		t.Errorf("video m= line %+v", v.MediaName)
	}
	b64 := base64.StdEncoding.EncodeToString
	want := map[string]string{
		"rtpmap": "97 H265/90000",
		"fmtp": "97 profile-id=1; tier-flag=0; level-id=63; sprop-vps=" + b64(testVPS) +
			"; sprop-sps=" + b64(testHEVCSPS) + "; sprop-pps=" + b64(testHEVCPPS),
	}
	for k, w := range want {
		if got, _ := v.Attribute(k); got != w {
			t.Errorf("video a=%s:%s, want %s", k, got, w)
		}
	}
	av1 := synthTracks()
	av1.Video = &unit.VideoParams{Codec: unit.CodecAV1, SequenceHeader: []byte{0x0a, 0x0b}}
	if _, err := tg.SDP(av1); err == nil || !strings.Contains(err.Error(), "AV1 over RTP is not supported: use an RTMP destination or a recording") {
		t.Errorf("av1: %v", err)
	}
	if err := checkVideo(av1.Video); err == nil || !strings.Contains(err.Error(), "AV1 over RTP is not supported") {
		t.Errorf("checkVideo av1: %v", err)
	}
	bare := hevcSynthTracks()
	bare.Video.VPS = nil
	if _, err := tg.SDP(bare); err == nil || !strings.Contains(err.Error(), "no VPS/SPS/PPS") {
		t.Errorf("hevc without vps: %v", err)
	}
}
