package whip

import (
	"errors"
	"strings"
)

// Limits on what is read from Link headers.
const (
	maxLinkBytes   = 8 << 10 // all Link header values together
	maxICEServers  = 8
	maxLinkParams  = 16
	maxLinkURILen  = 512
	maxLinkValLen  = 512
	iceServerRel   = "ice-server"
	credentialType = "password"
)

// ICEServer is one STUN or TURN server offered by the WHIP server.
type ICEServer struct {
	URL        string
	Username   string
	Credential string
}

// parseLinks reads the ICE servers of Link headers (RFC 9725 section 4.6,
// RFC 8288 syntax):
//
//	Link: <turn:turn.example.net?transport=udp>; rel="ice-server";
//	      username="user"; credential="pass"; credential-type="password"
//
// Links of another relation are skipped; a malformed header is an error.
// At most maxICEServers are returned.
func parseLinks(values []string) ([]ICEServer, error) {
	total := 0
	var out []ICEServer
	for _, v := range values {
		total += len(v)
		if total > maxLinkBytes {
			return nil, errors.New("link headers longer than 8 kB")
		}
		links, err := splitLinks(v)
		if err != nil {
			return nil, err
		}
		for _, l := range links {
			s, ok, err := parseLink(l)
			if err != nil {
				return nil, err
			}
			if ok && len(out) < maxICEServers {
				out = append(out, s)
			}
		}
	}
	return out, nil
}

// splitLinks splits a header value at the commas between links (not those
// inside <...> or quoted strings).
func splitLinks(v string) ([]string, error) {
	var out []string
	inURI, inQuote, escaped := false, false, false
	start := 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case escaped:
			escaped = false
		case inQuote && c == '\\':
			escaped = true
		case inQuote:
			inQuote = c != '"'
		case inURI:
			inURI = c != '>'
		case c == '"':
			inQuote = true
		case c == '<':
			inURI = true
		case c == ',':
			out = append(out, v[start:i])
			start = i + 1
		}
	}
	if inURI || inQuote {
		return nil, errors.New("link header: unterminated <uri> or quoted string")
	}
	return append(out, v[start:]), nil
}

// parseLink reads one link; ok is false for links that are not ICE servers.
func parseLink(l string) (ICEServer, bool, error) {
	l = strings.TrimSpace(l)
	if l == "" {
		return ICEServer{}, false, nil
	}
	if !strings.HasPrefix(l, "<") {
		return ICEServer{}, false, errors.New("link header: a link must start with <uri>")
	}
	end := strings.IndexByte(l, '>')
	if end < 0 || end-1 > maxLinkURILen {
		return ICEServer{}, false, errors.New("link header: bad or too long <uri>")
	}
	s := ICEServer{URL: l[1:end]}
	params, err := splitParams(l[end+1:])
	if err != nil {
		return ICEServer{}, false, err
	}
	isICE := false
	for k, v := range params {
		switch k {
		case "rel":
			isICE = strings.Contains(" "+v+" ", " "+iceServerRel+" ")
		case "username":
			s.Username = v
		case "credential":
			s.Credential = v
		case "credential-type":
			if v != credentialType {
				return ICEServer{}, false, nil // OAuth credentials: not supported, skip
			}
		}
	}
	if !isICE {
		return ICEServer{}, false, nil
	}
	if !validICEURL(s.URL) {
		return ICEServer{}, false, errors.New("link header: ice-server is not a stun:, stuns:, turn: or turns: URI")
	}
	return s, true, nil
}

func validICEURL(u string) bool {
	for _, p := range []string{"stun:", "stuns:", "turn:", "turns:"} {
		if len(u) > len(p) && strings.EqualFold(u[:len(p)], p) {
			return !strings.ContainsAny(u, " \t\"<>")
		}
	}
	return false
}

// splitParams reads ; key="value" or ; key=token parameters.
func splitParams(s string) (map[string]string, error) {
	out := map[string]string{}
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		if s[0] != ';' {
			return nil, errors.New("link header: parameters must start with ';'")
		}
		s = strings.TrimSpace(s[1:])
		eq := strings.IndexAny(s, "=;")
		key, val := s, ""
		if eq < 0 {
			s = ""
		} else {
			key = s[:eq]
			s = s[eq:]
		}
		if strings.HasPrefix(s, "=") {
			var err error
			val, s, err = paramValue(strings.TrimSpace(s[1:]))
			if err != nil {
				return nil, err
			}
		}
		if len(out) >= maxLinkParams {
			return nil, errors.New("link header: too many parameters")
		}
		out[strings.ToLower(strings.TrimSpace(key))] = val
	}
	return out, nil
}

// paramValue reads a quoted string or a token; it returns the rest.
func paramValue(s string) (val, rest string, err error) {
	if !strings.HasPrefix(s, `"`) {
		end := strings.IndexByte(s, ';')
		if end < 0 {
			end = len(s)
		}
		val = strings.TrimSpace(s[:end])
		if len(val) > maxLinkValLen {
			return "", "", errors.New("link header: parameter too long")
		}
		return val, s[end:], nil
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		case c == '"':
			return b.String(), s[i+1:], nil
		default:
			b.WriteByte(c)
		}
		if b.Len() > maxLinkValLen {
			return "", "", errors.New("link header: parameter too long")
		}
	}
	return "", "", errors.New("link header: unterminated quoted string")
}
