package rtmp_test

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"golive/media/stream"
	"golive/media/unit"
	"golive/outputs/dest"
	"golive/outputs/rtmp"
	"golive/outputs/rtmp/rtmptest"
)

// TestHostileConnectAnswers publishes to the hostile servers that
// misbehave before the stream goes live: each attempt ends with an error
// that names the step and what the server did, quickly, without the
// memory the server asked for.
func TestHostileConnectAnswers(t *testing.T) {
	cases := []struct {
		b     rtmptest.Behaviour
		nest  int
		want  string
		fatal bool
	}{
		{rtmptest.HugeArrayConnect, 0, "waiting for the answer to connect: server sent a malformed _result: AMF0: a strict array of 2147483647 elements", false},
		{rtmptest.DeepNesting, 0, "waiting for the answer to connect: server sent a 4 MB message (limit 1 MB)", false},
		{rtmptest.DeepNesting, 200_000, "server sent a malformed _result: AMF0: values nested deeper than 8 levels", false},
		{rtmptest.GarbageConnect, 0, "server refused connect: no status given", false},
		{rtmptest.BadS0, 0, "server answered with RTMP version 255 in S0 (want 3)", false},
	}
	for _, c := range cases {
		t.Run(string(c.b), func(t *testing.T) {
			srv := &rtmptest.Server{Behaviour: c.b, NestLevels: c.nest}
			if err := srv.Listen(); err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			s := stream.New(unit.Tracks{})
			defer s.Close()
			r := s.Subscribe(rtmp.ReaderConfig("hostile"))
			defer r.Close()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			start := time.Now()
			p := &rtmp.Publisher{URL: srv.URL("hostilekey"), Timeout: 5 * time.Second}
			err := p.Run(ctx, &dest.Session{Reader: r, Counters: &dest.Counters{}})
			took := time.Since(start)
			runtime.ReadMemStats(&after)
			if err == nil || !strings.Contains(err.Error(), c.want) || dest.IsFatal(err) != c.fatal {
				t.Fatalf("Run = %v (fatal %v), want %q", err, dest.IsFatal(err), c.want)
			}
			var pe *rtmp.ProtocolError
			if c.b != rtmptest.GarbageConnect && !errors.As(err, &pe) {
				t.Errorf("%v is not a ProtocolError", err)
			}
			if took > 3*time.Second {
				t.Errorf("the attempt took %v", took)
			}
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 32<<20 {
				t.Errorf("one attempt allocated %d MB", grew>>20)
			}
			t.Logf("%v in %v", err, took.Round(time.Millisecond))
		})
	}
}
