package testpeer

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"
)

// RTMPPull decodes one stream of an nginx-rtmp ingest with ffprobe, from
// before it is published until the publisher has left: the RTMP receiver
// of the tests.
type RTMPPull struct {
	ng       *Nginx
	app, key string
	done     chan struct{}
	slack    time.Duration // ffprobe's read timeout and Wait's limit
	a        *Analysis
	err      error
}

// StartRTMPPull starts the player and returns once nginx holds it waiting
// for the stream. It is stopped when the test ends; it may run 90 s.
func StartRTMPPull(t testing.TB, ng *Nginx, app, key string) *RTMPPull {
	t.Helper()
	return StartRTMPPullFor(t, ng, app, key, 90*time.Second)
}

// StartRTMPPullFor is StartRTMPPull for a pull that may run for limit; it
// waits for data (and Wait for the end) a third of that, at most a minute.
func StartRTMPPullFor(t testing.TB, ng *Nginx, app, key string, limit time.Duration) *RTMPPull {
	t.Helper()
	RequireBinaries(t, "ffprobe")
	p := &RTMPPull{ng: ng, app: app, key: key, done: make(chan struct{}), slack: min(limit/3, time.Minute)}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	go func() {
		defer close(p.done)
		defer cancel()
		p.a, p.err = Analyze(ctx, ng.RTMPURL(app, key), "-rw_timeout", strconv.FormatInt(p.slack.Microseconds(), 10))
	}()
	t.Cleanup(func() { cancel(); <-p.done })
	if err := WaitForPlayer(ng, app, key, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	return p
}

// WaitForPlayer waits until nginx's /stat shows a player on app/key.
func WaitForPlayer(ng *Nginx, app, key string, timeout time.Duration) error {
	for deadline := time.Now().Add(timeout); ; time.Sleep(50 * time.Millisecond) {
		if st, err := ng.Stat(); err == nil {
			if s := st.Stream(app, key); s != nil && s.NClients > 0 {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("player for %s/%s did not connect within %v", app, key, timeout)
		}
	}
}

// WaitUnpublished waits until app/key has no publisher any more.
func WaitUnpublished(ng *Nginx, app, key string, timeout time.Duration) error {
	for deadline := time.Now().Add(timeout); ; time.Sleep(20 * time.Millisecond) {
		st, err := ng.Stat()
		if err != nil {
			return err
		}
		if s := st.Stream(app, key); s == nil || s.Publishing == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s/%s still published after %v", app, key, timeout)
		}
	}
}

// Wait ends the pull once the publisher has left (nginx keeps players
// waiting for the next publisher) and returns what ffprobe decoded.
func (p *RTMPPull) Wait(t testing.TB) *Analysis {
	t.Helper()
	endPull(t, p.ng, p.app, p.key, p.done, p.slack)
	if p.err != nil {
		t.Fatalf("ffprobe %s/%s: %v", p.app, p.key, p.err)
	}
	return p.a
}

// endPull waits for the publisher of app/key to leave, lets nginx pass
// the last frames on, drops its players and waits up to slack for the
// reading ffprobe (done) to finish.
func endPull(t testing.TB, ng *Nginx, app, key string, done <-chan struct{}, slack time.Duration) {
	t.Helper()
	if err := WaitUnpublished(ng, app, key, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if _, err := ng.DropSubscribers(app, key); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(slack):
		t.Fatal("ffprobe did not finish after the publisher stopped")
	}
}
