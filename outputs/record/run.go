package record

import (
	"context"
	"errors"
	"fmt"

	"golive/media/mux"
	"golive/media/unit"
	"golive/outputs/dest"
)

// Run records until ctx ends or the stream closes, then finishes the file
// (trailer, index). A bad path or format is fatal; a write error (disk
// full, folder removed) ends the attempt, and the handler's retry writes
// to a new file next to the first one. The file is created when the first
// packet (a video key frame) arrives, and Live is reported once its header
// is written.
func (r *Recorder) Run(ctx context.Context, s *dest.Session) error {
	format, err := r.format()
	if err != nil {
		return dest.Fatal(err)
	}
	if err := checkPath(r.Path); err != nil {
		return dest.Fatal(err)
	}
	first, err := s.Reader.Read(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	path := r.nextPath()
	m := &mux.Muxer{Path: path, Tracks: s.Tracks}
	m.Format, m.Options = muxerOptions(format)
	if s.Tracks.AudioFor(AudioCodec()) != nil {
		m.AudioCodec = AudioCodec()
	}
	if err := m.Initialize(); err != nil {
		return fmt.Errorf("start recording %s: %w", path, err)
	}
	s.Live()
	err = r.write(ctx, s, m, first)
	if cerr := m.Close(); cerr != nil {
		err = errors.Join(err, cerr)
	}
	r.account(s, m)
	if err != nil {
		return fmt.Errorf("recording %s: %w", path, err)
	}
	return nil
}

// write copies packets from the reader to the muxer, starting with p,
// until ctx ends (nil) or an error.
func (r *Recorder) write(ctx context.Context, s *dest.Session, m *mux.Muxer, p *unit.Packet) error {
	for {
		if err := m.WritePacket(p); err != nil {
			return err
		}
		if p.Codec == unit.CodecH264 {
			s.Counters.FramesSent.Add(1)
		}
		r.account(s, m)
		var err error
		if p, err = s.Reader.Read(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
	}
}

// account adds the file's growth to the byte counter.
func (r *Recorder) account(s *dest.Session, m *mux.Muxer) {
	n := m.Bytes()
	r.mu.Lock()
	delta := n - r.bytes
	r.bytes = n
	r.mu.Unlock()
	if delta > 0 {
		s.Counters.Bytes.Add(uint64(delta))
	}
}
