package rtp

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/pion/srtp/v3"
)

// SRTPSuite is the only SRTP crypto suite offered (RFC 4568 section 6.2).
const SRTPSuite = "AES_CM_128_HMAC_SHA1_80"

// srtpKeyLen is the master key (16 bytes) plus master salt (14 bytes).
const srtpKeyLen = 30

func newSRTPKey() ([]byte, error) {
	key := make([]byte, srtpKeyLen)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("srtp key: %w", err)
	}
	return key, nil
}

// newSRTPContext makes the sending context. With rcc, every RTP packet
// carries the roll-over counter in its tag (RFC 4771, RCCm2 with R = 1:
// ROC + 6-byte MAC), as VLC 3.0's --srtp-key receiver expects (it creates
// its session in RCC mode 1, which is the same on the wire when R = 1).
func newSRTPContext(key []byte, rcc bool) (*srtp.Context, error) {
	var opts []srtp.ContextOption
	if rcc {
		opts = append(opts, srtp.RolloverCounterCarryingTransform(srtp.RCCMode2, 1))
	}
	ctx, err := srtp.CreateContext(key[:16], key[16:], srtp.ProtectionProfileAes128CmHmacSha1_80, opts...)
	if err != nil {
		return nil, fmt.Errorf("srtp context: %w", err)
	}
	return ctx, nil
}

// srtpInline is the base64 key||salt of the SDP a=crypto line.
func (t *Target) srtpInline() string {
	return base64.StdEncoding.EncodeToString(t.key)
}

// cryptoAttribute is the SDES a=crypto value (RFC 4568 section 9.1).
func (t *Target) cryptoAttribute() string {
	return "1 " + SRTPSuite + " inline:" + t.srtpInline()
}

// FFmpegReceiveArgs returns the ffmpeg/ffplay input arguments that receive
// this target, SRTP or not, in either mode:
//
//	-protocol_whitelist file,udp,rtp -i /tmp/golive-rtp-127.0.0.1-5004.sdp
//
// With SRTP the SDP carries the key in its a=crypto lines, which ffmpeg's
// SDP demuxer applies to RTP and RTCP. (ffmpeg 5.1's command line rejects
// -srtp_in_suite/-srtp_in_params for an srtp:// input: "Option
// srtp_in_suite not found", so SRTPParams is for other consumers.)
func (t *Target) FFmpegReceiveArgs() ([]string, error) {
	if err := t.init(); err != nil {
		return nil, err
	}
	return []string{"-protocol_whitelist", "file,udp,rtp", "-i", t.SDPPath}, nil
}

// FFmpegSRTPArgs is FFmpegReceiveArgs as one string, or "" when SRTP is
// off. The key is in the SDP file, not in the string.
func (t *Target) FFmpegSRTPArgs() (string, error) {
	args, err := t.FFmpegReceiveArgs()
	if err != nil || !t.SRTP {
		return "", err
	}
	return strings.Join(args, " "), nil
}

// SRTPParams returns the srtp:// URL, crypto suite and base64 key||salt of
// an SRTP target (mpegts mode, whose payload type 33 needs no SDP), in the
// form of libavformat's srtp protocol options srtp_in_suite and
// srtp_in_params, for API users and tools that take them. ok is false when
// SRTP is off. The key is a secret: do not log it.
func (t *Target) SRTPParams() (url, suite, params string, ok bool) {
	if t.init() != nil || !t.SRTP {
		return "", "", "", false
	}
	return "srtp://" + t.hostPort(t.Port), SRTPSuite, t.srtpInline(), true
}
