package rtmp

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yutopp/go-rtmp/handshake"

	"golive/media/stream"
	"golive/media/testpeer"
	"golive/outputs/dest"
)

// silentServer accepts connections, optionally completes the RTMP
// handshake, then reads and discards everything without answering.
func silentServer(t *testing.T, doHandshake bool) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				if doHandshake {
					_ = handshake.HandshakeWithClient(c, c, &handshake.Config{SkipHandshakeVerification: true})
				}
				buf := make([]byte, 4096)
				for {
					if _, err := c.Read(buf); err != nil {
						return
					}
				}
			}()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		for _, c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String()
}

// runOnce runs the publisher once, outside the handler, and returns its
// error and how long it took.
func runOnce(ctx context.Context, p *Publisher) (time.Duration, error) {
	s := stream.New(emptyTracks)
	defer s.Close()
	r := s.Subscribe(ReaderConfig("once"))
	defer r.Close()
	start := time.Now()
	err := p.Run(ctx, &dest.Session{Reader: r, Counters: &dest.Counters{}})
	return time.Since(start), err
}

// TestWatchdogs checks that a server which accepts and then never answers
// (at the TCP, handshake or command level) makes Run return an error
// after the configured timeout instead of hanging, and that cancelling
// the context ends a hung attempt at once. The time bounds are generous:
// they detect hangs, not speed.
func TestWatchdogs(t *testing.T) {
	ng := testpeer.StartNginxRTMP(t)
	blackHole := testpeer.StartTCPProxy(t, "127.0.0.1:1")
	blackHole.SetMode(testpeer.ProxyBlackHole)
	tests := []struct {
		name, url, msg string
	}{
		{"no handshake answer", "rtmp://" + silentServer(t, false) + "/live/k", "rtmp handshake"},
		{"no connect answer", "rtmp://" + silentServer(t, true) + "/live/k", "did not answer connect"},
		{"black hole", "rtmp://" + blackHole.Addr() + "/live/k", "server did not answer"},
		{"tls front without tls", "rtmp://127.0.0.1:" + itoa(ng.RTMPSPort) + "/live/k", "rtmp handshake"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := &Publisher{URL: tt.url, Timeout: 500 * time.Millisecond, Logger: testLogger()}
			took, err := runOnce(testCtx(t, 20*time.Second), p)
			if err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("Run = %v, want an error containing %q", err, tt.msg)
			}
			if took > 5*time.Second {
				t.Fatalf("Run took %v with a 500ms timeout", took)
			}
		})
	}
	t.Run("cancel", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(300*time.Millisecond, cancel)
		p := &Publisher{URL: "rtmp://" + silentServer(t, true) + "/live/k", Timeout: time.Minute, Logger: testLogger()}
		took, err := runOnce(ctx, p)
		if !errors.Is(err, context.Canceled) || took > 5*time.Second {
			t.Fatalf("Run = %v after %v, want context.Canceled soon after cancel", err, took)
		}
	})
}
