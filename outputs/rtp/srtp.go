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

func newSRTPContext(key []byte) (*srtp.Context, error) {
	ctx, err := srtp.CreateContext(key[:16], key[16:], srtp.ProtectionProfileAes128CmHmacSha1_80)
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

// FFmpegSRTPArgs returns the ffmpeg/ffplay input arguments that receive
// this target's SRTP stream, for example
//
//	-srtp_in_suite AES_CM_128_HMAC_SHA1_80 -srtp_in_params KEY -f rtp srtp://127.0.0.1:5004
//
// In native mode the SDP file (with its a=crypto lines) is the way in:
// dynamic payload types need it. It returns "" when SRTP is off. The key is
// a secret: do not log the result.
func (t *Target) FFmpegSRTPArgs() (string, error) {
	if err := t.init(); err != nil {
		return "", err
	}
	if !t.SRTP {
		return "", nil
	}
	if t.Mode == ModeNative {
		return strings.Join([]string{"-protocol_whitelist", "file,udp,rtp", "-i", t.SDPPath}, " "), nil
	}
	return strings.Join([]string{"-srtp_in_suite", SRTPSuite, "-srtp_in_params", t.srtpInline(),
		"-f", "rtp", "srtp://" + t.hostPort(t.Port)}, " "), nil
}
