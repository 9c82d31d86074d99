package rtmp

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"os"
	"strconv"
	"testing"
	"time"

	gortmp "github.com/yutopp/go-rtmp"

	"golive/media/stream"
	"golive/media/unit"
	"golive/outputs/dest"
	"golive/outputs/dest/desttest"
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

var waitState = desttest.WaitState

func testCtx(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// emptyTracks is a stream description without media (for protocol tests).
var emptyTracks = unit.Tracks{}

func itoa(i int) string { return strconv.Itoa(i) }

// refuseWriter is the writer of go-rtmp's chunk streamer when tests use
// it as an independent reader of what we write: it must never write.
type refuseWriter struct{}

func (refuseWriter) Write([]byte) (int, error) {
	return 0, errors.New("rtmp: go-rtmp's chunk writer is not used")
}

// streamerConfig configures go-rtmp's chunk streamer in tests.
func streamerConfig() *gortmp.StreamControlStateConfig {
	return &gortmp.StreamControlStateConfig{
		DefaultChunkSize:           ChunkSize,
		MaxChunkSize:               gortmp.MaxChunkSize,
		MaxChunkStreams:            64,
		DefaultAckWindowSize:       math.MaxInt32,
		MaxAckWindowSize:           math.MaxInt32,
		DefaultBandwidthWindowSize: math.MaxInt32,
		MaxBandwidthWindowSize:     math.MaxInt32,
		MaxMessageSize:             gortmp.MaxChunkSize,
		MaxMessageStreams:          16,
	}
}
