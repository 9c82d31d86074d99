package srturl

import (
	"net/url"
	"slices"
	"strings"
)

// MinKeyStreamID is the shortest stream id of no known form that is
// taken for a stream key.
const MinKeyStreamID = 8

// secretStreamIDKeys are the keys of SRT's access-control stream id
// ("#!::k=v,k=v", https://github.com/Haivision/srt/blob/master/docs/features/access-control.md)
// whose values are secrets: MediaMTX reads the password from s, other
// listeners from p or a spelled-out name.
var secretStreamIDKeys = []string{"s", "p", "pass", "passwd", "password", "pwd", "key", "token", "secret", "auth", "jwt"}

// streamIDActions are the first field of MediaMTX's ACTION:PATH[:USER:PASS[:QUERY]] form.
var streamIDActions = []string{"publish", "read", "playback"}

// streamIDParts splits a stream id into its parts and tells which are
// secrets; the parts joined again give the id back.
//   - "#!::r=live/x,u=user,p=pass": each value of a key in
//     secretStreamIDKeys is a secret;
//   - MediaMTX's "publish:PATH:USER:PASS[:QUERY]": PASS is a secret, and
//     so is each value of a key in secretStreamIDKeys in QUERY
//     ("k=v&k=v", passed to MediaMTX's authentication: jwt=..., token=...);
//   - anything else of MinKeyStreamID bytes or more (an ingest service's
//     stream key, "live/stream") is a secret as a whole: nothing tells a
//     key from a name. A shorter one ("live") is a name: registered as a
//     secret it would hide that word in every message.
func streamIDParts(id string) (parts []string, secret []bool) {
	if id == "" {
		return nil, nil
	}
	if body, ok := strings.CutPrefix(id, "#!::"); ok {
		parts, secret = keyValueParts(body, ",")
		return append([]string{"#!::"}, parts...), append([]bool{false}, secret...)
	}
	f := strings.SplitN(id, ":", 5)
	if len(f) >= 2 && isAction(f[0]) {
		if len(f) < 4 {
			return []string{id}, []bool{false}
		}
		parts = []string{strings.Join(f[:3], ":") + ":", f[3]}
		secret = []bool{false, f[3] != ""}
		if len(f) == 5 {
			q, qs := keyValueParts(f[4], "&")
			parts, secret = append(append(parts, ":"), q...), append(append(secret, false), qs...)
		}
		return parts, secret
	}
	return []string{id}, []bool{len(id) >= MinKeyStreamID}
}

// keyValueParts splits "k=v<sep>k=v" into parts, the values of the keys
// in secretStreamIDKeys marked secret; joined they give s back.
func keyValueParts(s, sep string) (parts []string, secret []bool) {
	for i, kv := range strings.Split(s, sep) {
		if i > 0 {
			parts, secret = append(parts, sep), append(secret, false)
		}
		k, v, found := strings.Cut(kv, "=")
		if !found || v == "" || !isSecretKey(k) {
			parts, secret = append(parts, kv), append(secret, false)
			continue
		}
		parts, secret = append(parts, k+"=", v), append(secret, false, true)
	}
	return parts, secret
}

func isSecretKey(k string) bool {
	return slices.Contains(secretStreamIDKeys, strings.ToLower(strings.TrimSpace(k)))
}

func isAction(a string) bool { return slices.Contains(streamIDActions, a) }

// StreamIDSecrets returns the secrets a stream id carries (see
// streamIDParts): a password in SRT's access-control or MediaMTX's form,
// or the whole id when it is neither (an ingest service's stream key).
// They are to be registered and masked like a passphrase.
func StreamIDSecrets(id string) []string {
	parts, secret := streamIDParts(id)
	var out []string
	for i, p := range parts {
		if secret[i] {
			out = append(out, p)
		}
	}
	return out
}

// MaskStreamID returns id with each secret replaced by mask(secret).
func MaskStreamID(id string, mask func(string) string) string {
	parts, secret := streamIDParts(id)
	var b strings.Builder
	for i, p := range parts {
		if secret[i] {
			p = mask(p)
		}
		b.WriteString(p)
	}
	return b.String()
}

// Masked renders the URL for people: as String (no passphrase), with the
// stream id's secrets replaced by mask(secret) and the stream id left
// unescaped (it is not meant to be parsed again).
func (u URL) Masked(mask func(string) string) string {
	if len(StreamIDSecrets(u.StreamID)) == 0 {
		return u.String()
	}
	rest := u
	rest.StreamID = ""
	q := ""
	if _, after, ok := strings.Cut(rest.String(), "?"); ok {
		q = "&" + after
	}
	return "srt://" + u.Address() + "?streamid=" +
		strings.ReplaceAll(MaskStreamID(u.StreamID, mask), "&", url.QueryEscape("&")) + q
}
