package secret

import (
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// MinSecretLen is the shortest secret a Registry replaces in free text;
// shorter values would garble ordinary words. Short keys are still hidden
// where they sit in URLs or in attributes with a key-like name.
const MinSecretLen = 4

// MinPartLen is the shortest ?/&-separated part of a secret that is
// hidden on its own (the part of a Facebook key before "?", a "a=..."
// token after it): shorter parts are too common to mask.
const MinPartLen = 6

// Registry is the one concurrency-safe set of secret values (stream keys,
// SRTP keys, tokens) that GoLive hides from every log line, stats field,
// error and text shown to people. Each registered secret is hidden in all
// the forms a server or library may echo it in: exact, URL path- and
// query-escaped, in any letter case, and each of its ?/&-separated parts
// of MinPartLen or more characters (with their escaped forms).
type Registry struct {
	mu      sync.RWMutex
	secrets map[string]struct{}
	forms   map[string]struct{} // every form of every secret
	re      *regexp.Regexp      // case-insensitive alternation of forms, longest first
}

// Default is the registry used by Handler when none is given, by the
// profile store for every stream key it loads or saves, and by the
// command line for keys given on it.
var Default = &Registry{}

// Register adds secrets to redact. Empty and very short values are ignored.
func (r *Registry) Register(values ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	changed := false
	for _, v := range values {
		if len(v) < MinSecretLen {
			continue
		}
		if r.secrets == nil {
			r.secrets = make(map[string]struct{})
			r.forms = make(map[string]struct{})
		}
		if _, ok := r.secrets[v]; ok {
			continue
		}
		r.secrets[v] = struct{}{}
		for _, f := range Variants(v) {
			r.forms[f] = struct{}{}
		}
		changed = true
	}
	if changed {
		r.compile()
	}
}

// compile builds the matcher from r.forms; r.mu is held.
func (r *Registry) compile() {
	forms := make([]string, 0, len(r.forms))
	for f := range r.forms {
		forms = append(forms, f)
	}
	// Longest first: regexp alternation is leftmost-first, so a key that
	// contains another form is replaced whole.
	sort.Slice(forms, func(i, j int) bool {
		if len(forms[i]) != len(forms[j]) {
			return len(forms[i]) > len(forms[j])
		}
		return forms[i] < forms[j]
	})
	quoted := make([]string, len(forms))
	for i, f := range forms {
		quoted[i] = regexp.QuoteMeta(f)
	}
	r.re = regexp.MustCompile("(?i)(?:" + strings.Join(quoted, "|") + ")")
}

// Variants returns the forms of secret that a Registry hides: the value
// itself, its URL path- and query-escaped forms, and each ?/&-separated
// part of MinPartLen or more characters with its escaped forms. Matching
// ignores letter case, so case-folded copies need no entry of their own.
func Variants(secret string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		for _, f := range []string{s, url.PathEscape(s), url.QueryEscape(s)} {
			if len(f) >= MinSecretLen && !seen[f] {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	add(secret)
	parts := strings.FieldsFunc(secret, func(c rune) bool { return c == '?' || c == '&' })
	if len(parts) > 1 {
		for _, p := range parts {
			if len(p) >= MinPartLen {
				add(p)
			}
		}
	}
	return out
}

// Len returns the number of registered secrets.
func (r *Registry) Len() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.secrets)
}

// Redact returns s with every form of every registered secret replaced
// by Redacted and every embedded URL passed through RedactURL. The forms
// are matched again after the URL pass: re-encoding a URL decodes what
// needs no escape ("rtmp://%61bcd@h" becomes "rtmp://abcd@h"), which can
// spell a registered secret that was not there as written.
func (r *Registry) Redact(s string) string {
	if s == "" {
		return s
	}
	var re *regexp.Regexp
	if r != nil {
		r.mu.RLock()
		re = r.re
		r.mu.RUnlock()
	}
	if re != nil {
		s = re.ReplaceAllLiteralString(s, Redacted)
	}
	if u := RedactURLsInText(s); u != s {
		s = u
		if re != nil {
			s = re.ReplaceAllLiteralString(s, Redacted)
		}
	}
	return s
}

// Contains reports whether s holds any form of a registered secret.
func (r *Registry) Contains(s string) bool {
	r.mu.RLock()
	re := r.re
	r.mu.RUnlock()
	return re != nil && re.MatchString(s)
}

// Register adds secrets to the Default registry.
func Register(values ...string) { Default.Register(values...) }

// Redact redacts s with the Default registry.
func Redact(s string) string { return Default.Redact(s) }
