package rtmp

import (
	"errors"
	"fmt"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/av1"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h265"
	"github.com/yutopp/go-flv/tag"
	"github.com/yutopp/go-rtmp/message"

	"golive/media/unit"
)

// HEVC and AV1 travel in the extended video tag header of Enhanced RTMP
// v1 (https://github.com/veovera/enhanced-rtmp, enhanced-rtmp-v1.pdf,
// "Extended VideoTagHeader"): the first byte is IsExHeader (0x80), the
// FrameType (bits 4-6) and the PacketType (low 4 bits), then the FourCC.
const (
	exHeader = 0x80

	exSequenceStart = 0 // body: the codec's decoder configuration record
	exCodedFrames   = 1 // HEVC: SI24 composition time, then NAL units
	exSequenceEnd   = 2
	exCodedFramesX  = 3 // HEVC without composition time

	frameKey   = 1
	frameInter = 2

	// obuTemporalDelimiter is the AV1 OBU type of temporal delimiters.
	obuTemporalDelimiter = 2

	// maxHEVCParamSet bounds a VPS/SPS/PPS (its 16-bit length field).
	maxHEVCParamSet = 0xffff
)

// fourCC returns the Enhanced RTMP FourCC of a video codec ("" for H.264,
// which keeps the legacy header).
func fourCC(c unit.Codec) string {
	switch c {
	case unit.CodecHEVC:
		return "hvc1"
	case unit.CodecAV1:
		return "av01"
	}
	return ""
}

// appendSequenceEnd appends the video tag that ends the stream's video,
// as FFmpeg's FLV muxer writes at its trailer: for H.264 the legacy AVC
// end of sequence (AVCPacketType 2, FLV spec v10.1 E.4.3.1), for HEVC/AV1
// Enhanced RTMP's PacketTypeSequenceEnd with the codec's FourCC and no
// body.
func appendSequenceEnd(dst []byte, c unit.Codec) []byte {
	if fcc := fourCC(c); fcc != "" {
		return append(dst, exHeader|frameKey<<4|exSequenceEnd, fcc[0], fcc[1], fcc[2], fcc[3])
	}
	return append(dst, byte(tag.FrameTypeKeyFrame)<<4|byte(tag.CodecIDAVC), byte(tag.AVCPacketTypeEOS), 0, 0, 0)
}

// fourCCNumber is the FourCC as the number onMetaData's videocodecid
// carries for an enhanced codec.
func fourCCNumber(fcc string) float64 {
	return float64(uint32(fcc[0])<<24 | uint32(fcc[1])<<16 | uint32(fcc[2])<<8 | uint32(fcc[3]))
}

// hevcDecoderConfig builds the HEVCDecoderConfigurationRecord (ISO/IEC
// 14496-15, 8.3.3.1) with one VPS, SPS and PPS and 4-byte NALU lengths.
func hevcDecoderConfig(vps, sps, pps []byte) ([]byte, error) {
	if len(vps) == 0 || len(sps) == 0 || len(pps) == 0 {
		return nil, errors.New("hevc parameter sets missing: need VPS, SPS and PPS")
	}
	if len(vps) > maxHEVCParamSet || len(sps) > maxHEVCParamSet || len(pps) > maxHEVCParamSet {
		return nil, errors.New("hevc parameter set longer than 65535 bytes")
	}
	var s h265.SPS
	if err := s.Unmarshal(sps); err != nil {
		return nil, fmt.Errorf("parse hevc sps: %w", err)
	}
	raw := h264.EmulationPreventionRemove(sps)
	if len(raw) < 15 {
		return nil, errors.New("hevc sps too short")
	}
	b := make([]byte, 0, 38+len(vps)+len(sps)+len(pps))
	b = append(b, 1)
	// general profile space/tier/idc, compatibility flags (32 bits),
	// constraint flags (48 bits), level: profile_tier_level() as coded
	// after the SPS's 2-byte NAL header and first byte.
	b = append(b, raw[3:15]...)
	b = append(b, 0xf0, 0x00, // min_spatial_segmentation_idc 0
		0xfc,                                // parallelismType 0
		0xfc|byte(s.ChromaFormatIdc&3),      // chromaFormat
		0xf8|byte(s.BitDepthLumaMinus8&7),   // bitDepthLumaMinus8
		0xf8|byte(s.BitDepthChromaMinus8&7), // bitDepthChromaMinus8
		0, 0)                                // avgFrameRate unknown
	nested := byte(0)
	if s.TemporalIDNestingFlag {
		nested = 1
	}
	b = append(b, (s.MaxSubLayersMinus1+1)&7<<3|nested<<2|3, 3) // lengthSizeMinusOne 3; 3 arrays
	for _, ps := range []struct {
		typ byte
		n   []byte
	}{{32, vps}, {33, sps}, {34, pps}} {
		b = append(b, 0x80|ps.typ, 0, 1, byte(len(ps.n)>>8), byte(len(ps.n)))
		b = append(b, ps.n...)
	}
	return b, nil
}

// av1DecoderConfig builds the AV1CodecConfigurationRecord (AV1 Codec ISOBMFF
// Binding, 2.3.3) from the sequence header OBU, which it carries as the
// configOBUs.
func av1DecoderConfig(seq []byte) ([]byte, error) {
	var hdr av1.OBUHeader
	if err := hdr.Unmarshal(seq); err != nil || hdr.Type != av1.OBUTypeSequenceHeader || !hdr.HasSize {
		return nil, errors.New("av1 sequence header OBU missing or without its size field")
	}
	var s av1.SequenceHeader
	if err := s.Unmarshal(seq); err != nil {
		return nil, fmt.Errorf("parse av1 sequence header: %w", err)
	}
	if len(s.SeqLevelIdx) == 0 {
		return nil, errors.New("av1 sequence header without operating point")
	}
	bit := func(v bool, shift uint) byte {
		if v {
			return 1 << shift
		}
		return 0
	}
	cc := s.ColorConfig
	b := []byte{0x81, s.SeqProfile<<5 | s.SeqLevelIdx[0]&0x1f,
		bit(len(s.SeqTier) > 0 && s.SeqTier[0], 7) | bit(cc.HighBitDepth, 6) | bit(cc.TwelveBit, 5) |
			bit(cc.MonoChrome, 4) | bit(cc.SubsamplingX, 3) | bit(cc.SubsamplingY, 2) | byte(cc.ChromaSamplePosition)&3,
		0}
	return append(b, seq...), nil
}

// exSequenceStart returns the VIDEODATA body announcing an HEVC or AV1
// stream: PacketType SequenceStart with the decoder configuration record.
func exSequenceStartBody(v *unit.VideoParams) ([]byte, error) {
	var rec []byte
	var err error
	switch v.Codec {
	case unit.CodecHEVC:
		rec, err = hevcDecoderConfig(v.VPS, v.SPS, v.PPS)
	case unit.CodecAV1:
		rec, err = av1DecoderConfig(v.SequenceHeader)
	default:
		err = fmt.Errorf("video codec %s has no Enhanced RTMP FourCC", v.Codec)
	}
	if err != nil {
		return nil, err
	}
	b := append([]byte{exHeader | frameKey<<4 | exSequenceStart}, fourCC(v.Codec)...)
	return append(b, rec...), nil
}

// appendExVideoTag appends the VIDEODATA body of one HEVC access unit
// (CodedFrames with the composition time, or CodedFramesX when it is 0,
// NAL units with 4-byte lengths, delimiters left out) or one AV1 temporal
// unit (CodedFrames: its OBUs, temporal delimiters left out).
func appendExVideoTag(dst []byte, p *unit.Packet) []byte {
	ft := byte(frameInter)
	if p.Key {
		ft = frameKey
	}
	if p.Codec == unit.CodecAV1 {
		dst = append(dst, exHeader|ft<<4|exCodedFrames, 'a', 'v', '0', '1')
		return appendOBUs(dst, p.Data)
	}
	cts := max(0, (p.PTS-p.DTS)/time.Millisecond)
	if cts == 0 {
		dst = append(dst, exHeader|ft<<4|exCodedFramesX, 'h', 'v', 'c', '1')
	} else {
		dst = append(dst, exHeader|ft<<4|exCodedFrames, 'h', 'v', 'c', '1', byte(cts>>16), byte(cts>>8), byte(cts))
	}
	for _, n := range p.NALUs {
		if len(n) == 0 || (n[0]>>1)&0x3f == 35 { // access unit delimiter
			continue
		}
		l := len(n)
		dst = append(dst, byte(l>>24), byte(l>>16), byte(l>>8), byte(l))
		dst = append(dst, n...)
	}
	return dst
}

// appendOBUs appends the OBUs of a low-overhead temporal unit except its
// temporal delimiter (AV1 in ISOBMFF and Enhanced RTMP leaves it out).
func appendOBUs(dst, tu []byte) []byte {
	if len(tu) >= 2 && (tu[0]>>3)&0x0f == obuTemporalDelimiter && tu[0]&0x02 != 0 && tu[1] == 0 {
		tu = tu[2:]
	}
	return append(dst, tu...)
}

// exConnect is the connect command object with the Enhanced RTMP
// fourCcList, sent instead of go-rtmp's when the stream is HEVC or AV1.
type exConnect struct {
	App            string               `amf0:"app"`
	Type           string               `amf0:"type"`
	FlashVer       string               `amf0:"flashVer"`
	TCURL          string               `amf0:"tcUrl"`
	Fpad           bool                 `amf0:"fpad"`
	Capabilities   int                  `amf0:"capabilities"`
	AudioCodecs    int                  `amf0:"audioCodecs"`
	VideoCodecs    int                  `amf0:"videoCodecs"`
	VideoFunction  int                  `amf0:"videoFunction"`
	ObjectEncoding message.EncodingType `amf0:"objectEncoding"`
	FourCCList     []any                `amf0:"fourCcList"`
}

// FromArgs is not used: the command is only sent.
func (*exConnect) FromArgs(...any) error { return errors.New("exConnect is send-only") }

// ToArgs encodes the command object.
func (e *exConnect) ToArgs(message.EncodingType) ([]any, error) { return []any{e}, nil }
