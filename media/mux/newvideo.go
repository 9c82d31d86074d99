package mux

import (
	"errors"
	"fmt"

	"github.com/asticode/go-astiav"

	"golive/media/unit"
)

// addNewVideo adds an HEVC or AV1 stream. Packets stay as the encoder made
// them (HEVC in Annex B, AV1 low-overhead OBUs) with the parameter sets as
// extradata: libavformat's Matroska, MP4 and MPEG-TS muxers write the
// hvcC/av1C records and length-prefix HEVC NAL units themselves.
func (m *Muxer) addNewVideo(v *unit.VideoParams) (*track, error) {
	var extra []byte
	var id astiav.CodecID
	switch v.Codec {
	case unit.CodecHEVC:
		if len(v.VPS) == 0 || len(v.SPS) == 0 || len(v.PPS) == 0 {
			return nil, errors.New("hevc parameter sets missing: need VPS, SPS and PPS")
		}
		extra = unit.JoinAnnexB(nil, [][]byte{v.VPS, v.SPS, v.PPS})
		id = astiav.CodecIDHevc
	default:
		if len(v.SequenceHeader) == 0 {
			return nil, errors.New("av1 sequence header missing")
		}
		extra = v.SequenceHeader
		dec := astiav.FindDecoderByName("av1") // go-astiav has no AV1 codec id constant
		if dec == nil {
			return nil, fmt.Errorf("this libavcodec does not know AV1")
		}
		id = dec.ID()
	}
	s := m.fc.NewStream(nil)
	if s == nil {
		return nil, errors.New("allocating stream failed")
	}
	cp := s.CodecParameters()
	cp.SetMediaType(astiav.MediaTypeVideo)
	cp.SetCodecID(id)
	cp.SetCodecTag(0)
	cp.SetWidth(v.Width)
	cp.SetHeight(v.Height)
	cp.SetPixelFormat(astiav.PixelFormatYuv420P)
	if err := cp.SetExtraData(extra); err != nil {
		return nil, fmt.Errorf("set extradata: %w", err)
	}
	if v.FPS > 0 {
		s.SetAvgFrameRate(astiav.NewRational(v.FPS, 1))
		s.SetRFrameRate(astiav.NewRational(v.FPS, 1))
	}
	s.SetTimeBase(astiav.NewRational(1, 90000))
	return &track{index: s.Index()}, nil
}
