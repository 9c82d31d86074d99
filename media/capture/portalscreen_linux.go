//go:build linux

package capture

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/asticode/go-astiav"
)

const (
	// firstPictureTimeout bounds the wait for the portal's first picture.
	firstPictureTimeout = 5 * time.Second
	// maxCatchUp is how far behind the grid Read may fall (a busy machine)
	// and still deliver every slot, each stamped with its own time; further
	// behind, it skips to the present.
	maxCatchUp = 500 * time.Millisecond
)

// portalScreen is a VideoSource of the monitor the desktop portal shares.
// PipeWire sends a picture only when the screen changes, so Read keeps the
// fixed frame rate itself: one picture per slot of the 1/FPS grid from the
// stream epoch: the newest picture in the slot of the time it was on
// screen (from the producer's timestamp, else its arrival), the
// previous one again when the screen stayed still for the whole slot.
type portalScreen struct {
	cfg      ScreenConfig
	portal   *Portal
	pw       *pwStream
	frame    *astiav.Frame
	interval time.Duration
	epoch    time.Time
	next     int64     // the grid slot Read fills next
	seen     uint64    // PipeWire picture count when frame was copied
	observed uint64    // the newest picture count Read noticed
	shown    time.Time // when that picture was on screen
}

// newPortalScreen asks the portal for a monitor and connects its stream.
func newPortalScreen(cfg ScreenConfig) (*portalScreen, error) {
	if err := loadPipeWire(); err != nil { // before the user is asked anything
		return nil, err
	}
	p := &Portal{Cursor: cfg.Cursor, RestoreToken: cfg.RestoreToken}
	if err := p.Initialize(); err != nil {
		return nil, err
	}
	s := &portalScreen{cfg: cfg, portal: p, interval: time.Second / time.Duration(cfg.FPS)}
	remote, err := p.OpenPipeWireRemote()
	if err != nil {
		s.Close()
		return nil, err
	}
	if s.pw, err = openPWStream(remote, p.Node, cfg.FPS); err != nil {
		s.Close()
		return nil, err
	}
	if s.frame = astiav.AllocFrame(); s.frame == nil {
		s.Close()
		return nil, errors.New("allocate frame")
	}
	if err := s.waitFirst(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// waitFirst waits for the first picture: the clock starts with one.
func (s *portalScreen) waitFirst() error {
	deadline := time.Now().Add(firstPictureTimeout)
	for s.seen == 0 {
		if err := s.failed(); err != nil {
			return err
		}
		if s.pw.seq() != 0 {
			if err := s.refresh(); err != nil {
				return err
			}
			continue
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no picture from the shared screen within %v (%d unreadable)", firstPictureTimeout, s.pw.skipped())
		}
		s.pw.wait(deadline)
	}
	return nil
}

// refresh copies the newest picture into frame.
func (s *portalScreen) refresh() error {
	seq := s.pw.seq()
	ok, err := s.pw.take(s.frame, s.cfg.Region)
	if err != nil {
		return err
	}
	if ok || s.seen != 0 { // none held (buffers renegotiated): keep the last picture
		s.seen = seq
	}
	return nil
}

// failed reports the end of the session or of its stream.
func (s *portalScreen) failed() error {
	select {
	case <-s.portal.Closed():
		return fmt.Errorf("%w: sharing was stopped from the desktop, or the compositor exited", ErrSessionEnded)
	default:
	}
	if err := s.pw.ended(); err != nil {
		return fmt.Errorf("%w: %w", ErrSessionEnded, err)
	}
	return nil
}

// RestoreToken is the token that lets the next session share the same
// monitor without asking ("" when the portal gave none).
func (s *portalScreen) RestoreToken() string { return s.portal.NewRestoreToken }

func (s *portalScreen) Start(epoch time.Time) error {
	s.epoch = epoch
	s.next = 0
	return nil
}

func (s *portalScreen) slotTime(n int64) time.Time {
	return s.epoch.Add(time.Duration(n) * s.interval)
}

func (s *portalScreen) Read(ctx context.Context) (VideoFrame, error) {
	for {
		if err := ctx.Err(); err != nil {
			return VideoFrame{}, err
		}
		if err := s.failed(); err != nil {
			return VideoFrame{}, err
		}
		now := time.Now()
		start := s.slotTime(s.next).Add(-s.interval / 2)
		end := start.Add(s.interval)
		due := end.Add(s.interval / 2)      // a picture may arrive that long after its slot
		if now.After(due.Add(maxCatchUp)) { // far behind (stalled): skip to now
			s.next = int64(math.Round(float64(now.Sub(s.epoch)) / float64(s.interval)))
			continue
		}
		fresh := s.observe(now)
		switch {
		case fresh && !s.shown.Before(end): // it belongs to a later slot: this one repeats
			return s.deliver(false)
		case fresh && !s.shown.Before(start), !now.Before(due):
			return s.deliver(fresh)
		}
		s.pw.wait(minTime(due, now.Add(100*time.Millisecond)))
	}
}

// observe notes a new picture and when it was on screen: now minus its
// age, which counts from the producer's timestamp (or its arrival) up to
// now, so a Read that wakes up late on a busy machine still files the
// picture in the slot of its own instant.
func (s *portalScreen) observe(now time.Time) bool {
	seq := s.pw.seq()
	if seq == s.seen {
		return false
	}
	if seq != s.observed {
		s.observed, s.shown = seq, now.Add(-s.pw.age())
	}
	return true
}

// deliver hands out the picture of slot next, the newest one if fresh.
func (s *portalScreen) deliver(fresh bool) (VideoFrame, error) {
	if fresh {
		if err := s.refresh(); err != nil {
			return VideoFrame{}, fmt.Errorf("portal screen: %w", err)
		}
	}
	t := s.slotTime(s.next)
	s.next++
	return VideoFrame{Frame: s.frame, Time: t}, nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func (s *portalScreen) Close() {
	if s.pw != nil {
		s.pw.close()
		s.pw = nil
	}
	if s.portal != nil {
		s.portal.Close()
	}
	if s.frame != nil {
		s.frame.Free()
		s.frame = nil
	}
}

func openPortalScreen(cfg ScreenConfig) (VideoSource, error) {
	s, err := newPortalScreen(cfg)
	if err != nil {
		return nil, err
	}
	return s, nil
}
