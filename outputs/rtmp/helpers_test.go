package rtmp

import (
	"context"
	"log/slog"
	"os"
	"strconv"
	"testing"
	"time"

	"golive/media/stream"
	"golive/media/unit"
	"golive/outputs/dest"
)

// testLogger logs at warn level and above, so test output stays short.
func testLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// startHandler runs a publisher through the shared destination handler,
// as the session does.
func startHandler(t *testing.T, name string, s *stream.Stream, p *Publisher) *dest.Handler {
	t.Helper()
	if p.Logger == nil {
		p.Logger = testLogger()
	}
	h := &dest.Handler{Name: name, Kind: "rtmp", Worker: p, Stream: s, Reader: ReaderConfig(name), Logger: p.Logger}
	if err := h.Initialize(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	return h
}

// waitState waits until the handler reaches state, failing after timeout.
func waitState(t *testing.T, h *dest.Handler, want dest.State, timeout time.Duration) dest.Status {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		st := h.Status()
		if st.State == want {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: state %s (error %q), want %s", h.Name, st.State, st.LastError, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func testCtx(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// emptyTracks is a stream description without media (for protocol tests).
var emptyTracks = unit.Tracks{}

func itoa(i int) string { return strconv.Itoa(i) }
