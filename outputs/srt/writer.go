package srt

import (
	"errors"
	"fmt"

	"golive/outputs/dest"
	"golive/outputs/srturl"
)

const tsPacketSize = 188

// ErrConnectionLost is returned when the listener went away mid-stream.
var ErrConnectionLost = errors.New("connection lost")

// tsWriter is the muxer's io.Writer: it groups MPEG-TS packets into SRT
// live-mode messages of 7 packets (1316 bytes) and sends each one.
type tsWriter struct {
	sock     *socket
	counters *dest.Counters
	addr     string
	buf      [srturl.PayloadSize]byte
	pending  int
	err      error
}

// Write takes TS bytes from the muxer and sends every full message.
func (w *tsWriter) Write(b []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	n := len(b)
	for len(b) > 0 {
		c := copy(w.buf[w.pending:], b)
		w.pending += c
		b = b[c:]
		if w.pending == len(w.buf) {
			if err := w.flush(); err != nil {
				return n - len(b), err
			}
		}
	}
	return n, nil
}

// flush sends the whole TS packets that are pending (the muxer flushes
// after each access unit, so nothing waits for the next frame).
func (w *tsWriter) flush() error {
	if w.err != nil {
		return w.err
	}
	whole := w.pending / tsPacketSize * tsPacketSize
	if whole == 0 {
		return nil
	}
	if code := w.sock.send(w.buf[:whole]); code != 0 {
		w.err = sendFailure(w.addr, code)
		return w.err
	}
	w.counters.Bytes.Add(uint64(whole))
	w.pending = copy(w.buf[:], w.buf[whole:w.pending])
	return nil
}

func sendFailure(addr string, code int) error {
	switch code {
	case errConnLost, errNoConn:
		// Unreachable: the handler probes while waiting, so a listener
		// that comes back is picked up at once.
		return dest.Unreachable(fmt.Errorf("srt %s: %w (the listener closed it or stopped answering)", addr, ErrConnectionLost))
	case errAsyncSend:
		return fmt.Errorf("srt %s: send timed out: the listener does not take data fast enough", addr)
	}
	return fmt.Errorf("srt %s: send failed (libsrt error %d)", addr, code)
}
