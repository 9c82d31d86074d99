package rtmp

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/mpeg4audio"
	"github.com/yutopp/go-amf0"
	"github.com/yutopp/go-flv/tag"

	"golive/media/unit"
)

// FLV tag bodies as RTMP carries them (FLV/F4V specification 10.1, annex
// E.4.2 AUDIODATA and E.4.3 VIDEODATA): RTMP audio and video messages are
// FLV tag bodies without the 11-byte tag header.

// aacFlags is the AUDIODATA header byte for AAC: the format is 10 and the
// rate, size and type fields are always 44 kHz, 16 bit, stereo (E.4.2.1);
// the real values come from the AudioSpecificConfig.
const aacFlags = byte(tag.SoundFormatAAC)<<4 | byte(tag.SoundRate44kHz)<<2 |
	byte(tag.SoundSize16Bit)<<1 | byte(tag.SoundTypeStereo)

// FLV codec ids for onMetaData.
const (
	flvVideoCodecAVC = 7
	flvAudioCodecAAC = 10
)

// avcDecoderConfig builds the AVCDecoderConfigurationRecord (ISO/IEC
// 14496-15, 5.3.3.1) for one SPS and one PPS, with 4-byte NALU lengths.
func avcDecoderConfig(sps, pps []byte) ([]byte, error) {
	if len(sps) < 4 || len(pps) == 0 {
		return nil, errors.New("h264 parameter sets missing: need SPS and PPS")
	}
	if len(sps) > maxHEVCParamSet || len(pps) > maxHEVCParamSet {
		// The record's length fields are 16-bit.
		return nil, errors.New("h264 parameter set longer than 65535 bytes")
	}
	var s h264.SPS
	if err := s.Unmarshal(sps); err != nil {
		return nil, fmt.Errorf("parse h264 sps: %w", err)
	}
	b := make([]byte, 0, 16+len(sps)+len(pps))
	b = append(b, 1, sps[1], sps[2], sps[3], 0xfc|3, 0xe0|1)
	b = append(b, byte(len(sps)>>8), byte(len(sps)))
	b = append(b, sps...)
	b = append(b, 1, byte(len(pps)>>8), byte(len(pps)))
	b = append(b, pps...)
	switch s.ProfileIdc {
	case 100, 110, 122, 144:
		b = append(b, 0xfc|byte(s.ChromaFormatIdc&3), 0xf8|byte(s.BitDepthLumaMinus8&7),
			0xf8|byte(s.BitDepthChromaMinus8&7), 0)
	}
	return b, nil
}

// avcSequenceHeader returns the VIDEODATA body carrying the decoder
// configuration (AVCPacketType 0).
func avcSequenceHeader(sps, pps []byte) ([]byte, error) {
	rec, err := avcDecoderConfig(sps, pps)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	err = tag.EncodeVideoData(&buf, &tag.VideoData{
		FrameType:     tag.FrameTypeKeyFrame,
		CodecID:       tag.CodecIDAVC,
		AVCPacketType: tag.AVCPacketTypeSequenceHeader,
		Data:          bytes.NewReader(rec),
	})
	return buf.Bytes(), err
}

// aacSequenceHeader returns the AUDIODATA body carrying the
// AudioSpecificConfig (AACPacketType 0), after checking it parses.
func aacSequenceHeader(asc []byte) ([]byte, error) {
	var c mpeg4audio.AudioSpecificConfig
	if err := c.Unmarshal(asc); err != nil {
		return nil, fmt.Errorf("parse aac audio specific config: %w", err)
	}
	var buf bytes.Buffer
	err := tag.EncodeAudioData(&buf, &tag.AudioData{
		SoundFormat:   tag.SoundFormatAAC,
		SoundRate:     tag.SoundRate44kHz,
		SoundSize:     tag.SoundSize16Bit,
		SoundType:     tag.SoundTypeStereo,
		AACPacketType: tag.AACPacketTypeSequenceHeader,
		Data:          bytes.NewReader(asc),
	})
	return buf.Bytes(), err
}

// appendVideoTag appends the VIDEODATA body of one H.264 access unit
// (AVCPacketType 1): the NAL units of p with 4-byte lengths, access unit
// delimiters left out, and the composition time offset PTS-DTS in ms.
// It allocates nothing once dst has grown to the largest frame.
func appendVideoTag(dst []byte, p *unit.Packet) []byte {
	ft := byte(tag.FrameTypeInterFrame)
	if p.Key {
		ft = byte(tag.FrameTypeKeyFrame)
	}
	cts := max(0, (p.PTS-p.DTS)/time.Millisecond)
	dst = append(dst, ft<<4|byte(tag.CodecIDAVC), byte(tag.AVCPacketTypeNALU),
		byte(cts>>16), byte(cts>>8), byte(cts))
	for _, n := range p.NALUs {
		if unit.NALUType(n) == unit.NALUTypeAUD || len(n) == 0 {
			continue
		}
		l := len(n)
		dst = append(dst, byte(l>>24), byte(l>>16), byte(l>>8), byte(l))
		dst = append(dst, n...)
	}
	return dst
}

// appendAudioTag appends the AUDIODATA body of one raw AAC frame
// (AACPacketType 1).
func appendAudioTag(dst []byte, p *unit.Packet) []byte {
	dst = append(dst, aacFlags, byte(tag.AACPacketTypeRaw))
	return append(dst, p.Data...)
}

// parameterSets returns the SPS and PPS carried in band by a key frame.
func parameterSets(p *unit.Packet) (sps, pps []byte) {
	for _, n := range p.NALUs {
		switch unit.NALUType(n) {
		case unit.NALUTypeSPS:
			if sps == nil {
				sps = n
			}
		case unit.NALUTypePPS:
			if pps == nil {
				pps = n
			}
		}
	}
	return sps, pps
}

// metadataBody encodes the body of the "@setDataFrame" data message:
// "onMetaData" and an ECMA array describing the stream, as OBS sends it.
func metadataBody(tr unit.Tracks) ([]byte, error) {
	md := amf0.ECMAArray{"duration": 0.0, "fileSize": 0.0}
	encoder := "GoLive"
	if v := tr.Video; v != nil {
		md["width"] = float64(v.Width)
		md["height"] = float64(v.Height)
		md["framerate"] = float64(v.FPS)
		md["videodatarate"] = float64(v.Bitrate) / 1000
		md["videocodecid"] = float64(flvVideoCodecAVC)
		if fcc := fourCC(v.Codec); fcc != "" { // Enhanced RTMP: the FourCC
			md["videocodecid"] = fourCCNumber(fcc)
		}
		if v.Encoder != "" {
			encoder += " (" + v.Encoder + ")"
		}
	}
	if a := tr.AudioFor(unit.CodecAAC); a != nil {
		md["audiodatarate"] = float64(a.Bitrate) / 1000
		md["audiosamplerate"] = float64(a.SampleRate)
		md["audiosamplesize"] = 16.0
		md["audiochannels"] = float64(a.Channels)
		md["stereo"] = a.Channels == 2
		md["audiocodecid"] = float64(flvAudioCodecAAC)
	}
	md["encoder"] = encoder
	var buf bytes.Buffer
	enc := amf0.NewEncoder(&buf)
	if err := enc.Encode("onMetaData"); err != nil {
		return nil, err
	}
	if err := enc.Encode(md); err != nil {
		return nil, fmt.Errorf("encode onMetaData: %w", err)
	}
	return buf.Bytes(), nil
}
