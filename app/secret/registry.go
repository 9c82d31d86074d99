package secret

import (
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"
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
	m       *matcher            // built from forms; replaced, never changed
}

// matcher finds the forms of the registered secrets: a case-insensitive
// alternation of those that are valid UTF-8 (longest first), and the
// others byte for byte (a regexp matches text, not bytes: a key typed or
// piped with invalid UTF-8 would not even compile into one).
type matcher struct {
	re    *regexp.Regexp
	exact []string // longest first
}

// replace replaces every form in s with Redacted.
func (m *matcher) replace(s string) string {
	if m == nil {
		return s
	}
	for _, f := range m.exact {
		s = strings.ReplaceAll(s, f, Redacted)
	}
	if m.re != nil {
		s = m.re.ReplaceAllLiteralString(s, Redacted)
	}
	return s
}

func (m *matcher) match(s string) bool {
	if m == nil {
		return false
	}
	for _, f := range m.exact {
		if strings.Contains(s, f) {
			return true
		}
	}
	return m.re != nil && m.re.MatchString(s)
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
	m := &matcher{}
	var quoted []string
	for _, f := range forms {
		if utf8.ValidString(f) {
			quoted = append(quoted, regexp.QuoteMeta(f))
		} else {
			m.exact = append(m.exact, f)
		}
	}
	if len(quoted) > 0 {
		re, err := regexp.Compile("(?i)(?:" + strings.Join(quoted, "|") + ")")
		if err != nil {
			// Not expected for quoted UTF-8; still hide every form, in
			// its exact letter case, rather than fail.
			m.exact = forms
		}
		m.re = re
	}
	r.m = m
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
	var m *matcher
	if r != nil {
		r.mu.RLock()
		m = r.m
		r.mu.RUnlock()
	}
	s = m.replace(s)
	if u := RedactURLsInText(s); u != s {
		s = m.replace(u)
	}
	return s
}

// Contains reports whether s holds any form of a registered secret.
func (r *Registry) Contains(s string) bool {
	r.mu.RLock()
	m := r.m
	r.mu.RUnlock()
	return m.match(s)
}

// Register adds secrets to the Default registry.
func Register(values ...string) { Default.Register(values...) }

// Redact redacts s with the Default registry.
func Redact(s string) string { return Default.Redact(s) }
