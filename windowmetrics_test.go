package main

import (
	"slices"
	"testing"
)

// TestWindowMetricsArgument: `golive --metrics ADDR` and `golive
// --metrics=ADDR` (one dash too) open the window with metrics; anything
// else goes to the command line unchanged.
func TestWindowMetricsArgument(t *testing.T) {
	for _, c := range []struct {
		args []string
		addr string
		rest []string
	}{
		{[]string{"--metrics", "127.0.0.1:9100"}, "127.0.0.1:9100", nil},
		{[]string{"-metrics", "127.0.0.1:9100"}, "127.0.0.1:9100", nil},
		{[]string{"--metrics=127.0.0.1:9100"}, "127.0.0.1:9100", nil},
		{[]string{"-metrics=:9100"}, ":9100", nil},
		{nil, "", nil},
		{[]string{"live", "--metrics", "127.0.0.1:9100"}, "", []string{"live", "--metrics", "127.0.0.1:9100"}},
		{[]string{"serve", "--metrics=127.0.0.1:9100"}, "", []string{"serve", "--metrics=127.0.0.1:9100"}},
		{[]string{"--metricsx=1"}, "", []string{"--metricsx=1"}},
	} {
		addr, rest := windowMetrics(c.args)
		if addr != c.addr || !slices.Equal(rest, c.rest) {
			t.Errorf("%q: %q, %q; want %q, %q", c.args, addr, rest, c.addr, c.rest)
		}
	}
}
