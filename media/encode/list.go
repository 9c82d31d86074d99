package encode

import (
	"sort"
	"strings"

	"github.com/asticode/go-astiav"

	"golive/media/unit"
)

// EncoderInfo describes one encoder of this libavcodec.
type EncoderInfo struct {
	Name  string
	Codec unit.Codec
	// Hardware is true for GPU/ASIC encoders (NVENC, QSV, VAAPI,
	// VideoToolbox, AMF, MediaFoundation, V4L2 M2M...).
	Hardware bool
	// Unsupported says why GoLive cannot drive this encoder although this
	// libavcodec has it; empty when GoLive can use it.
	Unsupported string
}

// usableEncoders are the encoders GoLive configures for live streaming
// (options per encoder in video.go and videocodec.go, audio in audio.go).
var usableEncoders = map[string]bool{
	"libx264": true, "h264_nvenc": true, "h264_qsv": true, "h264_videotoolbox": true,
	"libx265": true, "hevc_nvenc": true, "hevc_qsv": true,
	"libsvtav1": true, "av1_nvenc": true, "av1_qsv": true,
	"aac": true, "libopus": true,
}

// unsupportedWhy explains why an encoder GoLive does not drive is left out.
func unsupportedWhy(name string) string {
	switch {
	case usableEncoders[name]:
		return ""
	case strings.HasSuffix(name, "_vaapi"):
		return "needs VAAPI hardware frames, which GoLive does not set up"
	case name == "opus":
		return "FFmpeg's experimental Opus encoder; GoLive uses libopus"
	case name == "libx264rgb":
		return "encodes RGB, which players do not expect"
	}
	return "not configured by GoLive for live streaming"
}

// listOrder lists video codecs first, then audio.
var listOrder = map[unit.Codec]int{unit.CodecH264: 0, unit.CodecHEVC: 1, unit.CodecAV1: 2, unit.CodecAAC: 3, unit.CodecOpus: 4}

// listedCodec maps an encoder's codec id to the codec GoLive lists it for.
func listedCodec(id astiav.CodecID) (unit.Codec, bool) {
	switch id {
	case astiav.CodecIDAac:
		return unit.CodecAAC, true
	case astiav.CodecIDOpus:
		return unit.CodecOpus, true
	}
	c := codecOf(id)
	return c, c != 0
}

var hardwareSuffixes = []string{"_nvenc", "_qsv", "_vaapi", "_videotoolbox", "_amf", "_mf", "_v4l2m2m", "_omx", "_mediacodec"}

// ListEncoders returns the H.264, HEVC, AV1, AAC and Opus encoders of
// this libavcodec, by codec then name; Unsupported marks the ones GoLive
// does not drive.
func ListEncoders() []EncoderInfo {
	var out []EncoderInfo
	for _, c := range astiav.Codecs() {
		codec, ok := listedCodec(c.ID())
		if !ok || !c.IsEncoder() {
			continue
		}
		hw := len(c.HardwareConfigs()) > 0
		for _, s := range hardwareSuffixes {
			hw = hw || strings.HasSuffix(c.Name(), s)
		}
		out = append(out, EncoderInfo{Name: c.Name(), Codec: codec, Hardware: hw, Unsupported: unsupportedWhy(c.Name())})
	}
	sort.Slice(out, func(i, j int) bool {
		if ri, rj := listOrder[out[i].Codec], listOrder[out[j].Codec]; ri != rj {
			return ri < rj
		}
		return out[i].Name < out[j].Name
	})
	return out
}
