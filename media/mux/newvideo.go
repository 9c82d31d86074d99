package mux

import (
	"errors"
	"fmt"

	"github.com/asticode/go-astiav"

	"golive/media/unit"
)

// newVideoConfig is the codec id and extradata of an HEVC or AV1 stream.
// Packets stay as the encoder made them (HEVC in Annex B, AV1
// low-overhead OBUs) with the parameter sets as extradata: libavformat's
// Matroska, MP4 and MPEG-TS muxers write the hvcC/av1C records and
// length-prefix HEVC NAL units themselves.
func newVideoConfig(v *unit.VideoParams) (astiav.CodecID, []byte, error) {
	if v.Codec == unit.CodecHEVC {
		if len(v.VPS) == 0 || len(v.SPS) == 0 || len(v.PPS) == 0 {
			return 0, nil, errors.New("hevc parameter sets missing: need VPS, SPS and PPS")
		}
		return astiav.CodecIDHevc, unit.JoinAnnexB(nil, [][]byte{v.VPS, v.SPS, v.PPS}), nil
	}
	if len(v.SequenceHeader) == 0 {
		return 0, nil, errors.New("av1 sequence header missing")
	}
	dec := astiav.FindDecoderByName("av1") // go-astiav has no AV1 codec id constant
	if dec == nil {
		return 0, nil, fmt.Errorf("this libavcodec does not know AV1")
	}
	return dec.ID(), v.SequenceHeader, nil
}
