package rtmp

import (
	"testing"

	"golive/media/unit"
)

// TestCheckCodecForPeople: a codec the service does not take is refused
// with the service's name and its codecs written for people ("h264", not
// Go's "[h264]"); YouTube takes H.264, HEVC and AV1; a custom server
// anything.
func TestCheckCodecForPeople(t *testing.T) {
	err := CheckCodec(PresetTwitch, unit.CodecHEVC)
	if want := "Twitch does not take hevc video (it takes h264): set this destination's codec to h264"; err == nil || err.Error() != want {
		t.Fatalf("HEVC to Twitch: %v, want %q", err, want)
	}
	for _, c := range []unit.Codec{unit.CodecH264, unit.CodecHEVC, unit.CodecAV1} {
		if err := CheckCodec(PresetYouTube, c); err != nil {
			t.Errorf("%v to YouTube: %v", c, err)
		}
		if err := CheckCodec(PresetCustom, c); err != nil {
			t.Errorf("%v to a custom server: %v", c, err)
		}
	}
	if got := CodecList([]unit.Codec{unit.CodecH264, unit.CodecHEVC, unit.CodecAV1}); got != "h264, hevc, av1" {
		t.Fatalf("CodecList: %q", got)
	}
}
