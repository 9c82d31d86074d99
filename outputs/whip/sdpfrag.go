package whip

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pion/sdp/v3"
)

// Limits on an SDP fragment from the server (RFC 8840 section 9).
const (
	maxFragBytes      = 16 << 10
	maxFragLines      = 128
	maxFragLineLen    = 512
	maxFragCandidates = 32
	minUfragLen       = 4 // RFC 8839 section 5.4
	minPwdLen         = 22
	maxICECredLen     = 256
)

// iceFrag is the ICE part of an SDP fragment: credentials and candidates
// (values after "a=candidate:").
type iceFrag struct {
	ufrag, pwd string
	candidates []string
}

// buildFrag makes the fragment of an ICE restart from the local
// description (RFC 9725 section 4.4.1, RFC 8840 section 9): with
// max-bundle only the first "m=" section, its mid, the new ufrag/pwd and
// every candidate gathered, then a=end-of-candidates (no trickle).
func buildFrag(local string) (string, error) {
	var d sdp.SessionDescription
	if err := d.UnmarshalString(local); err != nil {
		return "", fmt.Errorf("local description: %w", err)
	}
	if len(d.MediaDescriptions) == 0 {
		return "", errors.New("local description without media")
	}
	m := d.MediaDescriptions[0]
	ufrag, pwd := iceValue(&d, m, "ice-ufrag"), iceValue(&d, m, "ice-pwd")
	mid, _ := m.Attribute("mid")
	if ufrag == "" || pwd == "" || mid == "" {
		return "", errors.New("local description without ICE credentials or mid")
	}
	var b strings.Builder
	if g, ok := d.Attribute("group"); ok {
		b.WriteString("a=group:" + g + "\r\n")
	}
	b.WriteString("m=" + m.MediaName.String() + "\r\n")
	b.WriteString("a=mid:" + mid + "\r\na=ice-ufrag:" + ufrag + "\r\na=ice-pwd:" + pwd + "\r\n")
	for _, a := range m.Attributes {
		if a.Key == "candidate" {
			b.WriteString("a=candidate:" + a.Value + "\r\n")
		}
	}
	b.WriteString("a=end-of-candidates\r\n")
	return b.String(), nil
}

func iceValue(d *sdp.SessionDescription, m *sdp.MediaDescription, key string) string {
	if v, ok := m.Attribute(key); ok {
		return v
	}
	v, _ := d.Attribute(key)
	return v
}

// parseFrag reads the server's answer to an ICE restart: its new
// ufrag/pwd and candidates, bounded. Lines other than ICE attributes, mid,
// group and m= are refused. A fragment without ufrag and pwd is
// errNoRestart (the server took our candidates but did not restart).
func parseFrag(s string) (iceFrag, error) {
	var f iceFrag
	if len(s) > maxFragBytes {
		return f, fmt.Errorf("sdpfrag larger than %d kB", maxFragBytes>>10)
	}
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	if len(lines) > maxFragLines {
		return f, fmt.Errorf("sdpfrag of more than %d lines", maxFragLines)
	}
	for _, l := range lines {
		if err := f.line(l); err != nil {
			return iceFrag{}, err
		}
	}
	if f.ufrag == "" || f.pwd == "" {
		return iceFrag{}, fmt.Errorf("%w (its answer has no ice-ufrag and ice-pwd)", errNoRestart)
	}
	return f, nil
}

func (f *iceFrag) line(l string) error {
	if len(l) > maxFragLineLen {
		return fmt.Errorf("sdpfrag line longer than %d bytes", maxFragLineLen)
	}
	if !printable(l) {
		return errors.New("sdpfrag line with control or non-ASCII characters")
	}
	key, val, _ := strings.Cut(l, ":")
	switch key {
	case "a=ice-ufrag", "a=ice-pwd":
		least, dst := minUfragLen, &f.ufrag
		if key == "a=ice-pwd" {
			least, dst = minPwdLen, &f.pwd
		}
		if len(val) < least || len(val) > maxICECredLen || !iceChars(val) {
			return fmt.Errorf("sdpfrag %s is not %d to %d ice-chars", key[2:], least, maxICECredLen)
		}
		if *dst != "" && *dst != val {
			return fmt.Errorf("sdpfrag with two different %s", key[2:])
		}
		*dst = val
	case "a=candidate":
		if len(strings.Fields(val)) < 8 {
			return errors.New("sdpfrag candidate with fewer than 8 fields")
		}
		if len(f.candidates) >= maxFragCandidates {
			return fmt.Errorf("sdpfrag with more than %d candidates", maxFragCandidates)
		}
		f.candidates = append(f.candidates, val)
	case "", "a=end-of-candidates", "a=mid", "a=group", "a=ice-options":
	default:
		if !strings.HasPrefix(l, "m=") {
			return fmt.Errorf("sdpfrag line %q is not an ICE attribute", shortText(key))
		}
	}
	return nil
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// iceChars: ALPHA / DIGIT / "+" / "/" (RFC 8839 section 5.4).
func iceChars(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isICEChar(c) {
			return false
		}
	}
	return true
}

func isICEChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '/'
}

// restartedRemote is the remote description after an ICE restart: the
// negotiated one with the fragment's credentials in every media section
// and its candidates in the first (the bundle's), nothing else changed
// (RFC 9725 section 4.4.1: the non-ICE SDP still applies).
func restartedRemote(remote string, f iceFrag) (string, error) {
	var d sdp.SessionDescription
	if err := d.UnmarshalString(remote); err != nil {
		return "", fmt.Errorf("remote description: %w", err)
	}
	d.Attributes = withoutICE(d.Attributes)
	for i, m := range d.MediaDescriptions {
		m.Attributes = append(withoutICE(m.Attributes), sdp.NewAttribute("ice-ufrag", f.ufrag),
			sdp.NewAttribute("ice-pwd", f.pwd))
		if i == 0 {
			for _, c := range f.candidates {
				m.Attributes = append(m.Attributes, sdp.NewAttribute("candidate", c))
			}
			m.Attributes = append(m.Attributes, sdp.NewPropertyAttribute("end-of-candidates"))
		}
	}
	b, err := d.Marshal()
	return string(b), err
}

func withoutICE(attrs []sdp.Attribute) []sdp.Attribute {
	out := attrs[:0:0]
	for _, a := range attrs {
		switch a.Key {
		case "ice-ufrag", "ice-pwd", "candidate", "end-of-candidates":
		default:
			out = append(out, a)
		}
	}
	return out
}
