package cli

import (
	"fmt"
	"strconv"
	"strings"
)

// parseSize reads "WIDTHxHEIGHT"; the range is checked by the profile.
func parseSize(s string) (w, h int, err error) {
	a, b, ok := strings.Cut(strings.ToLower(strings.TrimSpace(s)), "x")
	if ok {
		w, err = strconv.Atoi(a)
		if err == nil {
			h, err = strconv.Atoi(b)
		}
	}
	if !ok || err != nil {
		return 0, 0, fmt.Errorf("size %q: want WIDTHxHEIGHT such as 1280x720", s)
	}
	return w, h, nil
}
