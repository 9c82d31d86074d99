package dest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"time"
)

// backoff is the retry state of a handler across attempts.
type backoff struct {
	delay     time.Duration
	lostLive  time.Time // when a live connection was last lost
	seenDown  bool      // a probe failed since the destination was last live
	shortLive int       // live connections in a row that ended before StableLive
	// unknownHost counts attempts in a row whose server name was not
	// found (see UnknownHostTries).
	unknownHost int
}

// UnknownHostTries is how many attempts in a row may fail with a server
// name that DNS does not know before the handler gives up as on a fatal
// error (a typo does not fix itself; Retry now tries again).
const UnknownHostTries = 4

// isUnknownHost reports whether err is a DNS answer that the name does
// not exist (not a DNS server that cannot be reached).
func isUnknownHost(err error) bool {
	var d *net.DNSError
	return errors.As(err, &d) && d.IsNotFound
}

// afterAttempt updates the backoff after an attempt that went live at
// liveAt (zero: never) and ended with err, and returns the error to
// report. Only a connection that stayed live StableLive resets the
// backoff; one that died sooner says so in the error.
func (h *Handler) afterAttempt(b *backoff, liveAt time.Time, err error) error {
	if !liveAt.IsZero() {
		b.lostLive = time.Now()
		b.seenDown = false
		lived := time.Since(liveAt)
		if lived >= h.StableLive {
			b.delay, b.shortLive = h.FirstRetry, 0
		} else {
			b.shortLive++
			err = fmt.Errorf("closed %s after publish, %d %s in a row: %w",
				secondsText(lived), b.shortLive, plural(b.shortLive, "time", "times"), err)
		}
	}
	if IsFatal(err) && !isLocal(err) && !WaitsForUser(err) && !b.lostLive.IsZero() && time.Since(b.lostLive) < h.FatalGrace {
		// Probably our own previous connection, still held by the
		// server: retry normally for a while before giving up.
		err = unfatal(err)
	}
	if isUnknownHost(err) {
		b.unknownHost++
	} else {
		b.unknownHost = 0
	}
	if b.unknownHost >= UnknownHostTries && !IsFatal(err) {
		err = Fatal(fmt.Errorf("%w (not found %d times in a row: check the server name for a typo)", err, b.unknownHost))
	}
	return err
}

// secondsText prints a duration as "1 s", or "0.3 s" under a second.
func secondsText(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
	return fmt.Sprintf("%.0f s", d.Seconds())
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// nextDelay returns the wait before the next attempt, with ±10% jitter.
func (h *Handler) nextDelay(err error, delay time.Duration) (time.Duration, State) {
	if WaitsForUser(err) {
		return time.Duration(math.MaxInt64), StateFailed
	}
	if IsFatal(err) {
		return h.FatalRetry, StateFailed
	}
	random := h.random
	if random == nil {
		random = rand.Float64
	}
	jitter := 0.9 + 0.2*random()
	return time.Duration(float64(delay) * jitter), StateReconnecting
}

// realTimer is the timer of a wait: fires once after d.
func realTimer(d time.Duration, _ bool) (<-chan time.Time, func() bool) {
	t := time.NewTimer(d)
	return t.C, t.Stop
}

// wait sleeps for d, returning early (true) on RetryNow or a successful
// probe, and false when ctx ends. A successful probe shortens the wait
// only once a probe saw the server unreachable (*seenDown, kept across
// attempts): a server that accepts connections and then refuses or drops
// the stream must not be retried every ProbeInterval.
func (h *Handler) wait(ctx context.Context, d time.Duration, probe bool, seenDown *bool) bool {
	var tick <-chan time.Time
	prober, canProbe := h.Worker.(Prober)
	probing := probe && canProbe
	if probing {
		t := time.NewTicker(h.ProbeInterval)
		defer t.Stop()
		tick = t.C
	}
	start := h.waitTimer
	if start == nil {
		start = realTimer
	}
	fire, stop := start(d, probing)
	defer stop()
	for {
		select {
		case <-ctx.Done():
			return false
		case <-fire:
			return true
		case <-h.retryNow:
			return true
		case <-tick:
			pctx, cancel := context.WithTimeout(ctx, h.ProbeInterval)
			err := prober.Probe(pctx)
			cancel()
			if err != nil {
				*seenDown = true
			} else if *seenDown {
				h.Logger.Info("destination reachable again")
				return true
			}
		}
	}
}
