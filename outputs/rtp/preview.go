package rtp

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"golive/media/unit"
)

// VLCArgs are the arguments that make VLC play the target: in mpegts mode
// the rtp:// URL, plus --srtp-key and --srtp-salt (hexadecimal, VLC's
// SRTP options) when SRTP is on; in native mode the SDP file (written by
// WriteSDP or Run), which Debian's VLC 3.0 cannot play without live555. The
// key is a secret: do not log the result.
func (t *Target) VLCArgs() []string {
	if t.Mode == ModeNative {
		return []string{t.SDPFile()}
	}
	args := []string{t.VLCURL()}
	if t.SRTP && t.init() == nil {
		args = append(args, "--srtp-key="+hex.EncodeToString(t.key[:16]), "--srtp-salt="+hex.EncodeToString(t.key[16:]))
	}
	return args
}

// ErrNoPlayer is returned by OpenInVLC when neither vlc nor xdg-open is
// installed.
var ErrNoPlayer = errors.New("VLC is not installed (install the vlc package) and xdg-open is missing: open the URL or SDP in a player yourself")

// playerStartGrace is how long OpenInVLC waits for a player that fails at
// once (bad arguments, refusing to run as root).
const playerStartGrace = 700 * time.Millisecond

// OpenInVLC starts VLC on the target: the rtp:// URL in mpegts mode, the
// SDP file (written first) in native mode. Without vlc it falls back to
// xdg-open. The player runs until it exits or ctx ends (pass a context that
// lives as long as the preview should). An early exit is returned with the
// player's output.
func OpenInVLC(ctx context.Context, t *Target, tracks unit.Tracks) error {
	if err := t.init(); err != nil {
		return err
	}
	if t.Mode == ModeNative {
		if _, err := t.WriteSDP(tracks); err != nil {
			return err
		}
	}
	args := t.VLCArgs()
	prog, err := exec.LookPath("vlc")
	if err != nil {
		if prog, err = exec.LookPath("xdg-open"); err != nil {
			return ErrNoPlayer
		}
		args = args[:1] // xdg-open takes one URL or file
	}
	return startPlayer(ctx, prog, args)
}

// PlayerInput is what a player opens: the rtp:// URL in mpegts mode
// without SRTP, else the SDP file at sdpPath (native mode, or the SRTP key
// that only the SDP carries).
func (t *Target) PlayerInput(sdpPath string) string {
	if t.Mode == ModeNative || t.SRTP {
		return sdpPath
	}
	return t.VLCURL()
}

// OpenInVLC starts VLC on the target (the package's OpenInVLC).
func (t *Target) OpenInVLC(ctx context.Context, tracks unit.Tracks) error {
	return OpenInVLC(ctx, t, tracks)
}

// startPlayer runs prog and reports an exit within the grace period as an
// error. The process is reaped by a goroutine that ends with it (or with
// ctx, which kills it).
func startPlayer(ctx context.Context, prog string, args []string) error {
	var out strings.Builder
	cmd := exec.CommandContext(ctx, prog, args...)
	// One writer for both: os/exec then calls it from one goroutine.
	w := &limitedWriter{b: &out, n: 4096}
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", prog, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			// args[0] is the URL or SDP path; the rest may hold a key.
			return fmt.Errorf("%s %s: %w: %s", prog, args[0], err, strings.TrimSpace(out.String()))
		}
		return nil
	case <-time.After(playerStartGrace):
		return nil
	}
}

// limitedWriter keeps the first n bytes written to it.
type limitedWriter struct {
	b *strings.Builder
	n int
}

func (w *limitedWriter) Write(p []byte) (int, error) {
	if room := w.n - w.b.Len(); room > 0 {
		w.b.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}
