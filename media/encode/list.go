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
}

var codecOfID = map[astiav.CodecID]unit.Codec{
	astiav.CodecIDH264: unit.CodecH264,
	astiav.CodecIDAac:  unit.CodecAAC,
	astiav.CodecIDOpus: unit.CodecOpus,
}

var hardwareSuffixes = []string{"_nvenc", "_qsv", "_vaapi", "_videotoolbox", "_amf", "_mf", "_v4l2m2m", "_omx", "_mediacodec"}

// ListEncoders returns the H.264, AAC and Opus encoders available, by
// codec then name.
func ListEncoders() []EncoderInfo {
	var out []EncoderInfo
	for _, c := range astiav.Codecs() {
		codec, ok := codecOfID[c.ID()]
		if !ok || !c.IsEncoder() {
			continue
		}
		hw := len(c.HardwareConfigs()) > 0
		for _, s := range hardwareSuffixes {
			hw = hw || strings.HasSuffix(c.Name(), s)
		}
		out = append(out, EncoderInfo{Name: c.Name(), Codec: codec, Hardware: hw})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Codec != out[j].Codec {
			return out[i].Codec < out[j].Codec
		}
		return out[i].Name < out[j].Name
	})
	return out
}
