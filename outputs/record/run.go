package record

import (
	"context"
	"errors"
	"fmt"
	"os"

	"golive/media/mux"
	"golive/media/unit"
	"golive/outputs/dest"
)

// Run records until ctx ends or the stream closes, then finishes the file
// (trailer, index). A bad path or format is fatal; a write error (folder
// removed) ends the attempt, and the handler's retry writes to a new file
// next to the first one. A full disk ends it with a DiskFullError that
// waits for the user (dest.NeedsUser). The file is created when the first
// packet (a video key frame) arrives, and Live is reported once its
// header is written.
func (r *Recorder) Run(ctx context.Context, s *dest.Session) error {
	format, err := r.format()
	if err != nil {
		return dest.Fatal(err)
	}
	if err := r.Check(); err != nil {
		return dest.Fatal(err)
	}
	first, err := s.Reader.Read(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	tg, err := r.resolve(format, r.now())
	if err != nil {
		return dest.Fatal(err)
	}
	w, path, err := openOutput(tg)
	if err != nil {
		if isDiskFull(err) {
			return dest.NeedsUser(&DiskFullError{Free: freeBytes(tg.dir)})
		}
		return fmt.Errorf("start recording: %w", err)
	}
	defer w.res.release()
	r.setCurrent(path)
	return r.record(ctx, s, w, path, format, first)
}

// openOutput takes the reserve and creates the recording file.
func openOutput(tg target) (*diskWriter, string, error) {
	var res *reserve
	if tg.special == "" {
		var err error
		if res, err = newReserve(tg.dir); err != nil {
			return nil, "", err
		}
	}
	f, path, err := tg.create()
	if err != nil {
		res.release()
		return nil, "", err
	}
	w := &diskWriter{f: f, res: res}
	if tg.special == "" {
		w.dir = tg.dir
	}
	return w, path, nil
}

// record muxes into w until the end, then finalises the file.
func (r *Recorder) record(ctx context.Context, s *dest.Session, w *diskWriter, path, format string, first *unit.Packet) error {
	m := &mux.Muxer{Writer: w, Tracks: s.Tracks}
	m.Format, m.Options = muxerOptions(format)
	if s.Tracks.AudioFor(AudioCodec()) != nil {
		m.AudioCodec = AudioCodec()
	}
	if err := m.Initialize(); err != nil {
		cerr := w.close()
		if w.wrote.Load() == 0 {
			_ = os.Remove(path) // nothing recorded: leave no empty file
		}
		if w.full.Load() {
			return dest.NeedsUser(&DiskFullError{Free: freeBytes(w.dir)})
		}
		return fmt.Errorf("start recording %s: %w", path, errors.Join(err, cerr))
	}
	s.Live()
	err := r.write(ctx, s, m, w, first)
	if cerr := m.Close(); cerr != nil {
		err = errors.Join(err, cerr)
	}
	if cerr := w.close(); cerr != nil {
		err = errors.Join(err, cerr)
	}
	r.account(s, m)
	if w.full.Load() {
		w.res.release()
		return dest.NeedsUser(&DiskFullError{Path: path, Free: freeBytes(w.dir)})
	}
	if err != nil {
		return fmt.Errorf("recording %s: %w", path, err)
	}
	return nil
}

// write copies packets from the reader to the muxer, starting with p,
// until ctx ends (nil), the disk fills up (nil, w.full set) or an error.
func (r *Recorder) write(ctx context.Context, s *dest.Session, m *mux.Muxer, w *diskWriter, p *unit.Packet) error {
	for {
		if err := m.WritePacket(p); err != nil {
			return err
		}
		if p.Kind() == unit.KindVideo {
			s.Counters.FramesSent.Add(1)
		}
		r.account(s, m)
		if w.full.Load() {
			return nil // the packet is whole: finish the file here
		}
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
