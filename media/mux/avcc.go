package mux

import (
	"encoding/binary"
	"errors"
	"fmt"

	"golive/media/unit"
)

// AVCConfig builds an AVCDecoderConfigurationRecord ("avcC", ISO/IEC
// 14496-15 §5.3.3.1) from one SPS and one PPS given without start codes.
// NAL unit lengths in samples are 4 bytes (lengthSizeMinusOne = 3). The
// optional chroma/bit-depth extension of the high profiles is left out, as
// libavformat 5.1 does: decoders read those values from the SPS.
func AVCConfig(sps, pps []byte) ([]byte, error) {
	if len(sps) < 4 {
		return nil, fmt.Errorf("h264 sps too short (%d bytes)", len(sps))
	}
	if unit.NALUType(sps) != unit.NALUTypeSPS {
		return nil, fmt.Errorf("h264 sps has nal type %d", unit.NALUType(sps))
	}
	if len(pps) == 0 {
		return nil, errors.New("h264 pps is empty")
	}
	if unit.NALUType(pps) != unit.NALUTypePPS {
		return nil, fmt.Errorf("h264 pps has nal type %d", unit.NALUType(pps))
	}
	if len(sps) > 0xffff || len(pps) > 0xffff {
		return nil, errors.New("h264 parameter set longer than 65535 bytes")
	}
	b := make([]byte, 0, 11+len(sps)+len(pps))
	b = append(b,
		1,      // configurationVersion
		sps[1], // AVCProfileIndication
		sps[2], // profile_compatibility
		sps[3], // AVCLevelIndication
		0xfc|3, // reserved(6) + lengthSizeMinusOne
		0xe0|1, // reserved(3) + numOfSequenceParameterSets
	)
	b = binary.BigEndian.AppendUint16(b, uint16(len(sps)))
	b = append(b, sps...)
	b = append(b, 1) // numOfPictureParameterSets
	b = binary.BigEndian.AppendUint16(b, uint16(len(pps)))
	b = append(b, pps...)
	return b, nil
}

// AnnexBConfig returns SPS and PPS as an Annex B byte stream, the extradata
// form the MPEG-TS muxer expects.
func AnnexBConfig(sps, pps []byte) []byte {
	return unit.JoinAnnexB(nil, [][]byte{sps, pps})
}

// AppendAVCC appends the NAL units of an access unit in the length-prefixed
// form of ISO/IEC 14496-15 (4-byte big-endian sizes) used by MP4 and
// Matroska. Access unit delimiters are dropped: those containers frame
// samples themselves.
func AppendAVCC(dst []byte, nalus [][]byte) []byte {
	for _, n := range nalus {
		if len(n) == 0 || unit.NALUType(n) == unit.NALUTypeAUD {
			continue
		}
		dst = binary.BigEndian.AppendUint32(dst, uint32(len(n)))
		dst = append(dst, n...)
	}
	return dst
}
