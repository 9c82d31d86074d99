package dest

import (
	"context"
	"testing"
)

// pathWorker goes live with path figures registered, then waits for the
// end of its context.
type pathWorker struct{ f PathFigures }

func (w *pathWorker) Run(ctx context.Context, s *Session) error {
	s.Counters.Bytes.Add(5000)
	s.Counters.SetPath(func() (PathFigures, bool) { return w.f, true })
	defer s.Counters.SetPath(nil)
	s.Live()
	<-ctx.Done()
	return ctx.Err()
}

// TestPathFiguresInSample: what a worker registers with SetPath reaches
// the adaptive controller's sample (the estimate, packets sent and lost,
// and acknowledged bytes in place of those written), and a worker
// without acknowledgements keeps Written as Acked.
func TestPathFiguresInSample(t *testing.T) {
	for _, f := range []PathFigures{
		{Acked: 3000, Unacked: 1500, HasAcked: true, Sent: 40, Lost: 4},
		{Estimate: 1_200_000},
	} {
		w := &pathWorker{f: f}
		h := &Handler{Name: "p", Kind: "srt", Worker: w, Stream: newStream()}
		if err := h.Initialize(); err != nil {
			t.Fatal(err)
		}
		waitState(t, h, StateLive)
		s := h.Path()
		h.Close()
		acked, unacked := uint64(5000), uint64(0)
		if f.HasAcked {
			acked, unacked = f.Acked, f.Unacked
		}
		if !s.Live || s.Written != 5000 || s.Acked != acked || s.Unacked != unacked || s.Estimate != f.Estimate ||
			s.Sent != f.Sent || s.Lost != f.Lost {
			t.Errorf("figures %+v: sample %+v", f, s)
		}
		if after := h.Path(); after.Estimate != 0 || after.Live {
			t.Errorf("after the connection ended: %+v, want no figures", after)
		}
	}
}
