package encode

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/asticode/go-astiav"

	"golive/media/unit"
)

// HEVC NAL unit types (ITU-T H.265, table 7-1).
const (
	hevcVPS = 32
	hevcSPS = 33
	hevcPPS = 34
)

// AV1 OBU types (AV1 specification 6.2.2).
const (
	obuSequenceHeader    = 1
	obuTemporalDelimiter = 2
)

// codecOf maps a libavcodec codec id to the unit codec GoLive carries, or
// 0 for a codec it does not.
func codecOf(id astiav.CodecID) unit.Codec {
	switch id {
	case astiav.CodecIDH264:
		return unit.CodecH264
	case astiav.CodecIDHevc:
		return unit.CodecHEVC
	}
	if id.Name() == "av1" { // go-astiav has no constant for AV_CODEC_ID_AV1
		return unit.CodecAV1
	}
	return 0
}

// newCodecOptions sets the live settings of the HEVC and AV1 encoders
// (libx265, libsvtav1, NVENC, Quick Sync): the speed preset, constant bit
// rate through the VBV, a fixed GOP of g frames with no scene-cut key
// frames and no B-frames (low delay).
func (v *Video) newCodecOptions(o map[string]string, g string) {
	switch v.Encoder {
	case "libx265":
		o["preset"] = v.Preset
		if v.Preset == "veryfast" { // the H.264 default is too slow for x265 live
			o["preset"] = "ultrafast"
		}
		o["tune"] = "zerolatency"
		o["forced-idr"] = "1"
		o["x265-params"] = "keyint=" + g + ":min-keyint=" + g + ":scenecut=0:bframes=0:log-level=error"
	case "libsvtav1":
		delete(o, "bf")
		delete(o, "keyint_min")
		delete(o, "bufsize")
		o["preset"] = svtPreset(v.Preset)
		// rc=2 is CBR, which needs the low-delay prediction structure.
		o["svtav1-params"] = "rc=2:pred-struct=1:tbr=" + strconv.Itoa(v.Bitrate/1000) +
			":keyint=" + g + ":scd=0:lookahead=0"
		delete(o, "maxrate")
	case "hevc_nvenc", "av1_nvenc":
		// Constant bit rate, no reordering delay, IDR on request (as h264_nvenc).
		o["rc"] = "cbr"
		o["zerolatency"] = "1"
		o["forced-idr"] = "1"
		if v.Encoder == "hevc_nvenc" {
			o["profile"] = "main"
		}
	case "hevc_qsv", "av1_qsv":
		o["preset"] = qsvPreset(v.Preset)
		o["forced_idr"] = "1"
		o["async_depth"] = "1" // one frame in flight: no added latency
	}
}

// qsvPreset maps an x264 preset name to Quick Sync's seven (veryfast …
// veryslow): the faster x264 names become veryfast, placebo veryslow.
func qsvPreset(p string) string {
	switch p {
	case "ultrafast", "superfast", "veryfast", "":
		return "veryfast"
	case "placebo":
		return "veryslow"
	}
	return p
}

// svtPreset maps a preset name to SVT-AV1's 0-13 scale: a number is kept,
// anything else gives 12 (fast enough to encode live on few cores).
func svtPreset(p string) string {
	if n, err := strconv.Atoi(p); err == nil && n >= 0 && n <= 13 {
		return p
	}
	return "12"
}

// readNewCodecParams reads HEVC's VPS/SPS/PPS (Annex B) or AV1's
// sequence header OBU from the encoder's global header.
func (v *Video) readNewCodecParams(c unit.Codec) error {
	extra := v.cc.ExtraData()
	v.params = unit.VideoParams{
		Codec: c, Width: v.Width, Height: v.Height, FPS: v.FPS,
		Bitrate: v.Bitrate, Encoder: v.Encoder,
	}
	if c == unit.CodecAV1 {
		if len(extra) < 2 || obuType(extra) != obuSequenceHeader {
			return fmt.Errorf("video encoder %s: no AV1 sequence header in its %d-byte global header", v.Encoder, len(extra))
		}
		v.params.SequenceHeader = slices.Clone(extra)
		v.spsPPS = v.params.SequenceHeader
		return nil
	}
	for _, n := range unit.SplitAnnexB(nil, extra) {
		p := map[int]*[]byte{hevcVPS: &v.params.VPS, hevcSPS: &v.params.SPS, hevcPPS: &v.params.PPS}[hevcType(n)]
		if p != nil && *p == nil {
			*p = slices.Clone(n)
		}
	}
	if v.params.VPS == nil || v.params.SPS == nil || v.params.PPS == nil {
		return fmt.Errorf("video encoder %s: no VPS/SPS/PPS in its %d-byte global header", v.Encoder, len(extra))
	}
	v.spsPPS = unit.JoinAnnexB(nil, [][]byte{v.params.VPS, v.params.SPS, v.params.PPS})
	return nil
}

// payload returns the packet's data, with the parameter sets (H.264 SPS
// and PPS, HEVC VPS/SPS/PPS, AV1 sequence header) put in front of a key
// frame that lacks them, and its NAL units (nil for AV1).
func (v *Video) payload(key bool) ([]byte, [][]byte) {
	data := v.pkt.Data()
	switch v.params.Codec {
	case unit.CodecAV1:
		if key && !startsWithSequenceHeader(data) {
			data = insertSequenceHeader(data, v.spsPPS)
		}
		return data, nil
	case unit.CodecHEVC:
		nalus := unit.SplitAnnexB(nil, data)
		if key && !slices.ContainsFunc(nalus, func(n []byte) bool { return hevcType(n) == hevcSPS }) {
			data = append(slices.Clip(v.spsPPS), data...)
			nalus = unit.SplitAnnexB(nalus[:0], data)
		}
		return data, nalus
	}
	nalus := unit.SplitAnnexB(nil, data)
	if key && !hasNALU(nalus, unit.NALUTypeSPS) {
		data = append(slices.Clip(v.spsPPS), data...)
		nalus = unit.SplitAnnexB(nalus[:0], data)
	}
	return data, nalus
}

func hevcType(n []byte) int {
	if len(n) == 0 {
		return -1
	}
	return int(n[0]>>1) & 0x3f
}

func obuType(b []byte) int { return int(b[0]>>3) & 0x0f }

// startsWithSequenceHeader reports whether the temporal unit's first OBU,
// after an optional temporal delimiter, is a sequence header.
func startsWithSequenceHeader(tu []byte) bool {
	if len(tu) > 1 && obuType(tu) == obuTemporalDelimiter && tu[1] == 0 {
		tu = tu[2:] // a temporal delimiter with its size field (0) is 2 bytes
	}
	return len(tu) > 0 && obuType(tu) == obuSequenceHeader
}

// insertSequenceHeader puts seq after the temporal unit's temporal
// delimiter (or first when it has none).
func insertSequenceHeader(tu, seq []byte) []byte {
	out := make([]byte, 0, len(tu)+len(seq))
	if len(tu) > 1 && obuType(tu) == obuTemporalDelimiter && tu[1] == 0 {
		out = append(out, tu[:2]...)
		tu = tu[2:]
	}
	out = append(out, seq...)
	return append(out, tu...)
}
