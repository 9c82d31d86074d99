package rtp

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/pion/sdp/v3"

	"golive/media/unit"
)

// videoMedia is the m=video section of native mode: H.264 per RFC 6184
// section 8.1, HEVC per RFC 7798 section 7.1.
func (t *Target) videoMedia(v *unit.VideoParams) (*sdp.MediaDescription, error) {
	switch {
	case v == nil:
		return nil, errors.New("sdp: native mode needs a video track")
	case v.Codec == unit.CodecHEVC:
		fmtp, err := hevcFmtp(v)
		if err != nil {
			return nil, err
		}
		return t.media("video", t.Port, ptH265, "H265/90000", fmtp), nil
	case v.Codec != unit.CodecH264:
		return nil, fmt.Errorf("sdp: %w", errAV1OverRTP)
	}
	if len(v.SPS) < 4 || len(v.PPS) == 0 {
		return nil, errors.New("sdp: H.264 track has no SPS/PPS")
	}
	fmtp := "packetization-mode=1;profile-level-id=" + hex.EncodeToString(v.SPS[1:4]) +
		";sprop-parameter-sets=" + base64.StdEncoding.EncodeToString(v.SPS) + "," +
		base64.StdEncoding.EncodeToString(v.PPS)
	return t.media("video", t.Port, ptH264, "H264/90000", fmtp), nil
}

// errAV1OverRTP refuses the one video codec native RTP does not carry.
var errAV1OverRTP = errors.New("AV1 over RTP is not supported: use an RTMP destination or a recording")

// hevcFmtp is the a=fmtp of an HEVC stream (RFC 7798 section 7.1):
// profile-id, tier-flag and level-id from the SPS's profile_tier_level
// when it can be read, and the parameter sets as sprop-vps, sprop-sps and
// sprop-pps (base64 NAL units, header included), which let a receiver
// decode from the first IRAP picture it gets. Without DONL,
// sprop-max-don-diff is 0: it is left out (its default).
func hevcFmtp(v *unit.VideoParams) (string, error) {
	if len(v.VPS) < hevcHeaderSize || len(v.SPS) < hevcHeaderSize || len(v.PPS) < hevcHeaderSize {
		return "", errors.New("sdp: HEVC track has no VPS/SPS/PPS")
	}
	fmtp := ""
	if space, tier, profile, level, ok := hevcProfileTierLevel(v.SPS); ok && space == 0 {
		fmtp = fmt.Sprintf("profile-id=%d; tier-flag=%d; level-id=%d; ", profile, tier, level)
	}
	b64 := base64.StdEncoding.EncodeToString
	return fmtp + "sprop-vps=" + b64(v.VPS) + "; sprop-sps=" + b64(v.SPS) + "; sprop-pps=" + b64(v.PPS), nil
}

// hevcProfileTierLevel reads general_profile_space, general_tier_flag,
// general_profile_idc and general_level_idc from an SPS NAL unit (H.265
// sections 7.3.2.2 and 7.3.3): they are at fixed bit positions of its
// first 13 RBSP bytes. ok is false when the SPS is too short.
func hevcProfileTierLevel(sps []byte) (space, tier, profile, level int, ok bool) {
	var rbsp [13]byte
	n, zeros := 0, 0
	for _, b := range sps[min(len(sps), hevcHeaderSize):] {
		if n == len(rbsp) {
			break
		}
		if zeros >= 2 && b == 3 {
			zeros = 0 // emulation_prevention_three_byte (section 7.4.2)
			continue
		}
		if b == 0 {
			zeros++
		} else {
			zeros = 0
		}
		rbsp[n] = b
		n++
	}
	if n < len(rbsp) {
		return 0, 0, 0, 0, false
	}
	// rbsp[0]: sps_video_parameter_set_id, sps_max_sub_layers_minus1,
	// sps_temporal_id_nesting_flag; rbsp[1]: profile space, tier, profile
	// idc; 4 bytes of compatibility flags, 6 of constraint flags; level.
	p := rbsp[1]
	return int(p >> 6), int(p>>5) & 1, int(p & 0x1f), int(rbsp[12]), true
}
