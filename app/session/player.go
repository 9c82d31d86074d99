package session

import (
	"context"
	"fmt"

	"golive/media/unit"
)

// Player is implemented by destinations that a local player can watch
// (outputs/rtp targets): the window and the command line ask the session
// for it instead of knowing the output types.
type Player interface {
	// WriteSDP writes the destination's SDP file for tracks and returns
	// its path.
	WriteSDP(tracks unit.Tracks) (string, error)
	// OpenInVLC starts VLC on the destination; it ends with ctx.
	OpenInVLC(ctx context.Context, tracks unit.Tracks) error
	// PlayerInput is what a player opens, given the SDP file's path: the
	// rtp:// URL when that is enough, else the SDP file.
	PlayerInput(sdpPath string) string
}

// PlayerHint says how to watch one destination in a local player.
type PlayerHint struct {
	Name string
	// Input is what a player opens (rtp:// URL or SDP file); SDPPath is
	// the SDP file written for the running stream ("" with Err).
	Input, SDPPath string
	Err            error
}

// PlayerHints writes the SDP file of every live destination a local
// player can watch and says how to open each.
func (s *Session) PlayerHints() []PlayerHint {
	var out []PlayerHint
	for _, e := range s.snapshot() {
		p, ok := e.out.Worker.(Player)
		if !ok || !e.active {
			continue
		}
		h := PlayerHint{Name: e.out.Name}
		if h.SDPPath, h.Err = p.WriteSDP(s.Tracks()); h.Err == nil {
			h.Input = p.PlayerInput(h.SDPPath)
		}
		out = append(out, h)
	}
	return out
}

// player returns the named destination's Player (one added while live
// included).
func (s *Session) player(name string) (Player, error) {
	if e := s.find(name); e != nil && e.active {
		if p, ok := e.out.Worker.(Player); ok {
			return p, nil
		}
	}
	return nil, fmt.Errorf("%q is not a live RTP destination", name)
}

// SDPPath writes the SDP file of the named destination and returns its
// path.
func (s *Session) SDPPath(name string) (string, error) {
	p, err := s.player(name)
	if err != nil {
		return "", err
	}
	return p.WriteSDP(s.Tracks())
}

// OpenInVLC starts VLC on the named destination; the player ends with ctx
// (pass one that ends with the stream).
func (s *Session) OpenInVLC(ctx context.Context, name string) error {
	p, err := s.player(name)
	if err != nil {
		return err
	}
	return p.OpenInVLC(ctx, s.Tracks())
}
