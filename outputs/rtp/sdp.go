package rtp

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/pion/sdp/v3"

	"golive/media/unit"
)

// SDP describes the target's streams (RFC 8866) for a receiver: in mpegts
// mode one m=video line with payload type 33 (MP2T/90000, RFC 3551); in
// native mode H.264 with profile-level-id, sprop-parameter-sets and
// packetization-mode=1 (RFC 6184 section 8.1), or HEVC with its parameter
// sets (RFC 7798 section 7.1, sdph265.go), and, when the stream carries
// Opus, opus/48000/2 on port+2 (RFC 7587 section 7). With SRTP the profile
// is RTP/SAVP and every media carries an a=crypto line (RFC 4568).
func (t *Target) SDP(tracks unit.Tracks) (string, error) {
	if err := t.init(); err != nil {
		return "", err
	}
	ip, err := t.resolveIP()
	if err != nil {
		return "", err
	}
	addrType := "IP4"
	if ip.To4() == nil {
		addrType = "IP6"
	}
	conn := &sdp.Address{Address: ip.String()}
	if ip.IsMulticast() && addrType == "IP4" {
		ttl := max(t.TTL, 1)
		conn.TTL = &ttl
	}
	desc := &sdp.SessionDescription{
		Origin: sdp.Origin{Username: "-", SessionID: t.sdpID, SessionVersion: 1,
			NetworkType: "IN", AddressType: addrType, UnicastAddress: ip.String()},
		SessionName:           "GoLive",
		ConnectionInformation: &sdp.ConnectionInformation{NetworkType: "IN", AddressType: addrType, Address: conn},
		TimeDescriptions:      []sdp.TimeDescription{{Timing: sdp.Timing{}}},
	}
	if t.Mode == ModeNative {
		err = t.nativeMedia(desc, tracks)
	} else {
		desc.MediaDescriptions = append(desc.MediaDescriptions,
			t.media("video", t.Port, ptMP2T, "MP2T/90000", ""))
	}
	if err != nil {
		return "", err
	}
	b, err := desc.Marshal()
	if err != nil {
		return "", fmt.Errorf("sdp: %w", err)
	}
	return string(b), nil
}

func (t *Target) nativeMedia(desc *sdp.SessionDescription, tracks unit.Tracks) error {
	m, err := t.videoMedia(tracks.Video)
	if err != nil {
		return err
	}
	desc.MediaDescriptions = append(desc.MediaDescriptions, m)
	if a := tracks.AudioFor(unit.CodecOpus); a != nil {
		// RFC 7587: always opus/48000/2; stereo is signalled in fmtp.
		fmtp := "sprop-stereo=0"
		if a.Channels > 1 {
			fmtp = "sprop-stereo=1;stereo=1"
		}
		desc.MediaDescriptions = append(desc.MediaDescriptions,
			t.media("audio", t.Port+2, ptOpus, "opus/48000/2", fmtp))
	}
	return nil
}

// media builds one m= section with its rtpmap, fmtp, rtcp-mux and crypto.
func (t *Target) media(kind string, port int, pt uint8, rtpmap, fmtp string) *sdp.MediaDescription {
	proto := "AVP"
	if t.SRTP {
		proto = "SAVP"
	}
	ptStr := strconv.Itoa(int(pt))
	m := &sdp.MediaDescription{MediaName: sdp.MediaName{
		Media: kind, Port: sdp.RangedPort{Value: port},
		Protos: []string{"RTP", proto}, Formats: []string{ptStr},
	}}
	m.WithValueAttribute("rtpmap", ptStr+" "+rtpmap)
	if fmtp != "" {
		m.WithValueAttribute("fmtp", ptStr+" "+fmtp)
	}
	if t.RTCPMux {
		m.WithPropertyAttribute("rtcp-mux")
	}
	if t.SRTP {
		m.WithValueAttribute("crypto", t.cryptoAttribute())
		if src, ok := t.stats.source(kind); ok {
			// RFC 5576 section 4.1, and the rollover counter of the
			// next packet, which SDES cannot carry (see sdpROCAttr).
			m.WithValueAttribute("ssrc", strconv.FormatUint(uint64(src.ssrc), 10)+" cname:"+src.cname)
			m.WithValueAttribute(sdpROCAttr, strconv.FormatUint(uint64(src.roc), 10))
		}
	}
	return m
}

// sdpROCAttr names the attribute that gives, while the stream runs, the
// SRTP rollover counter (RFC 3711 section 3.3.1) of the media's SSRC. A
// receiver that joins after the sequence number wrapped must start from
// it (GStreamer: the roc field of srtpdec's caps); receivers that do not
// know the attribute ignore it (RFC 8866 section 5.13). The SDP is
// rewritten as soon as the counter changes.
const sdpROCAttr = "x-srtp-roc"

// resolveIP returns Host as an address (a name is resolved).
func (t *Target) resolveIP() (net.IP, error) {
	if ip := net.ParseIP(t.Host); ip != nil {
		return ip, nil
	}
	ips, err := net.LookupIP(t.Host)
	if err != nil || len(ips) == 0 {
		return nil, fmt.Errorf("resolve %s: %w", t.Host, err)
	}
	return ips[0], nil
}

// WriteSDP writes the SDP to SDPPath (default DefaultSDPPath) and returns
// the path. The file is replaced atomically and readable by everyone (a
// player may run as another user); with SRTP it holds the key and is
// readable only by its owner.
func (t *Target) WriteSDP(tracks unit.Tracks) (string, error) {
	text, err := t.SDP(tracks)
	if err != nil {
		return "", err
	}
	perm := os.FileMode(0o644)
	if t.SRTP {
		perm = 0o600
	}
	tmp, err := os.CreateTemp(filepath.Dir(t.SDPPath), ".golive-sdp-*")
	if err != nil {
		return "", fmt.Errorf("write sdp: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(text); err != nil {
		tmp.Close()
		return "", fmt.Errorf("write sdp: %w", err)
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return "", fmt.Errorf("write sdp: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("write sdp: %w", err)
	}
	if err := os.Rename(tmp.Name(), t.SDPPath); err != nil {
		return "", fmt.Errorf("write sdp: %w", err)
	}
	t.stats.mu.Lock()
	t.stats.sdpPath = t.SDPPath
	t.stats.mu.Unlock()
	return t.SDPPath, nil
}

func (t *Target) hostPort(port int) string {
	return net.JoinHostPort(t.Host, strconv.Itoa(port))
}

// sdpRuntimeDirEnv names the per-user runtime directory (XDG Base
// Directory spec): a 0700 tmpfs that only its user can read and that
// the system empties at logout, the place for files holding keys.
const sdpRuntimeDirEnv = "XDG_RUNTIME_DIR"

// defaultSDP chooses the SDP path when the user gave none: for plain RTP
// DefaultSDPPath (in the temporary directory, so any player can open it);
// with SRTP, whose SDP holds the master key, a file in $XDG_RUNTIME_DIR/
// golive (or, without one, a new 0700 directory under the temporary
// directory), removed when the stream ends.
func (t *Target) defaultSDP() (string, error) {
	if !t.SRTP {
		return DefaultSDPPath(t.Host, t.Port), nil
	}
	name := filepath.Base(DefaultSDPPath(t.Host, t.Port))
	if run := os.Getenv(sdpRuntimeDirEnv); run != "" && filepath.IsAbs(run) {
		dir := filepath.Join(run, "golive")
		if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
			return "", fmt.Errorf("rtp target: folder for the SRTP SDP: %w", err)
		}
		if fi, err := os.Lstat(dir); err != nil || !fi.IsDir() || fi.Mode().Perm()&0o077 != 0 {
			return "", fmt.Errorf("rtp target: %s is not a private folder (want mode 0700): give sdp=FILE", dir)
		}
		return filepath.Join(dir, name), nil
	}
	dir, err := os.MkdirTemp("", "golive-srtp-")
	if err != nil {
		return "", fmt.Errorf("rtp target: folder for the SRTP SDP: %w", err)
	}
	return filepath.Join(dir, name), nil
}

// removeKeySDP deletes an SDP that holds the SRTP key, when GoLive chose
// its path (an sdp= the user gave stays), and the private folder made for
// it without $XDG_RUNTIME_DIR.
func (t *Target) removeKeySDP() {
	if !t.SRTP || !t.sdpOwned || t.SDPPath == "" {
		return
	}
	if err := os.Remove(t.SDPPath); err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Logger.Warn("cannot remove the SDP holding the SRTP key", "path", t.SDPPath, "err", err)
	}
	if dir := filepath.Dir(t.SDPPath); strings.HasPrefix(filepath.Base(dir), "golive-srtp-") {
		_ = os.Remove(dir) // only when empty
	}
	t.stats.mu.Lock()
	t.stats.sdpPath = ""
	t.stats.mu.Unlock()
}

// Secrets returns the target's secrets, for the process-wide registry
// that hides them from logs and texts: the SRTP master key and salt in
// the base64 form of the SDP's a=crypto line. Nothing without SRTP.
func (t *Target) Secrets() ([]string, error) {
	if err := t.init(); err != nil {
		return nil, err
	}
	if !t.SRTP {
		return nil, nil
	}
	return []string{t.srtpInline()}, nil
}
