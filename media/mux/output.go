package mux

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync/atomic"
)

// Seek constants of libavformat's custom I/O (libavformat/avio.h).
const (
	avseekSize  = 0x10000
	avseekForce = 0x20000
)

// output is the Go side of the muxer's custom AVIOContext: libavformat's
// write and seek callbacks land here, so that a file or any io.Writer
// receives the bytes and a failing write keeps its Go error (libavformat
// would only see AVERROR_UNKNOWN).
type output struct {
	w    io.Writer
	s    io.Seeker // nil when the output cannot seek
	file *os.File  // owned, closed by close()
	name string    // for error messages

	pos  int64
	size atomic.Int64
	err  error // first write or seek error
}

func openFile(path string) (*output, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, fmt.Errorf("create output file: %w", err)
	}
	return &output{w: f, s: f, file: f, name: path}, nil
}

func newWriterOutput(w io.Writer) *output {
	o := &output{w: w, name: "output writer"}
	if s, ok := w.(io.Seeker); ok {
		o.s = s
	}
	return o
}

// write is libavformat's write_packet callback. libavformat 5.1 ignores
// short writes, so anything short of the whole buffer is an error.
func (o *output) write(b []byte) (int, error) {
	if o.err != nil {
		return 0, o.err
	}
	n, err := o.w.Write(b)
	if err == nil && n < len(b) {
		err = io.ErrShortWrite
	}
	o.advance(int64(n))
	if err != nil {
		o.err = err
		if pe := (*fs.PathError)(nil); !errors.As(err, &pe) {
			o.err = fmt.Errorf("write %s: %w", o.name, err)
		}
		return n, o.err
	}
	return n, nil
}

func (o *output) advance(n int64) {
	o.pos += n
	if o.pos > o.size.Load() {
		o.size.Store(o.pos)
	}
}

// seek is libavformat's seek callback, including its AVSEEK_SIZE query.
func (o *output) seek(offset int64, whence int) (int64, error) {
	if o.err != nil {
		return 0, o.err
	}
	if whence&avseekSize != 0 {
		return o.size.Load(), nil
	}
	whence &^= avseekForce
	pos, err := o.s.Seek(offset, whence)
	if err != nil {
		o.err = err
		if pe := (*fs.PathError)(nil); !errors.As(err, &pe) {
			o.err = fmt.Errorf("seek %s: %w", o.name, err)
		}
		return 0, o.err
	}
	o.pos = pos
	return pos, nil
}

// close syncs and closes an owned file. A file that already failed is
// only closed.
func (o *output) close() error {
	if o.file == nil {
		return nil
	}
	var err error
	if st, serr := o.file.Stat(); o.err == nil && serr == nil && st.Mode().IsRegular() {
		err = o.file.Sync()
	}
	err = errors.Join(err, o.file.Close())
	o.file = nil
	if err != nil {
		return fmt.Errorf("close %s: %w", o.name, err)
	}
	return nil
}
