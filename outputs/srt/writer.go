package srt

import (
	"errors"
	"fmt"

	"golive/outputs/dest"
	"golive/outputs/internal/tssend"
	"golive/outputs/srturl"
)

// ErrConnectionLost is returned when the listener went away mid-stream.
var ErrConnectionLost = errors.New("connection lost")

// newPacker groups MPEG-TS packets into SRT live-mode messages of 7 packets
// (1316 bytes) and sends each one on sock, counting the bytes.
func newPacker(sock *socket, counters *dest.Counters, addr string) *tssend.Packer {
	buf := make([]byte, srturl.PayloadSize)
	return &tssend.Packer{
		Buffer: func() []byte { return buf },
		Send: func(n int) error {
			if code := sock.send(buf[:n]); code != 0 {
				return sendFailure(addr, code)
			}
			counters.Bytes.Add(uint64(n))
			sock.handed.Add(1)
			sock.handedBytes.Add(uint64(n))
			return nil
		},
	}
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
