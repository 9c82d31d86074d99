package secret

import (
	"sort"
	"strings"
	"sync"
)

// MinSecretLen is the shortest secret a Registry replaces in free text;
// shorter values would garble ordinary words. Short keys are still hidden
// where they sit in URLs or in attributes with a key-like name.
const MinSecretLen = 4

// Registry is a concurrency-safe set of secret values to redact.
type Registry struct {
	mu      sync.RWMutex
	secrets map[string]struct{}
	sorted  []string // longest first, so a key containing another is replaced whole
}

// Default is the registry used by Handler when none is given and by the
// profile store for every stream key it loads or saves.
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
		}
		if _, ok := r.secrets[v]; !ok {
			r.secrets[v] = struct{}{}
			changed = true
		}
	}
	if changed {
		r.sorted = r.sorted[:0]
		for s := range r.secrets {
			r.sorted = append(r.sorted, s)
		}
		sort.Slice(r.sorted, func(i, j int) bool {
			if len(r.sorted[i]) != len(r.sorted[j]) {
				return len(r.sorted[i]) > len(r.sorted[j])
			}
			return r.sorted[i] < r.sorted[j]
		})
	}
}

// Len returns the number of registered secrets.
func (r *Registry) Len() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.secrets)
}

// Redact returns s with every registered secret replaced by Redacted and
// every embedded URL passed through RedactURL.
func (r *Registry) Redact(s string) string {
	if s == "" {
		return s
	}
	if r != nil {
		r.mu.RLock()
		for _, sec := range r.sorted {
			if strings.Contains(s, sec) {
				s = strings.ReplaceAll(s, sec, Redacted)
			}
		}
		r.mu.RUnlock()
	}
	return RedactURLsInText(s)
}

// Contains reports whether s holds any registered secret.
func (r *Registry) Contains(s string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, sec := range r.sorted {
		if strings.Contains(s, sec) {
			return true
		}
	}
	return false
}

// Register adds secrets to the Default registry.
func Register(values ...string) { Default.Register(values...) }

// Redact redacts s with the Default registry.
func Redact(s string) string { return Default.Redact(s) }
