//go:build linux

package capture

/*
#cgo CFLAGS: -I/usr/include/pipewire-0.3 -I/usr/include/spa-0.2 -D_REENTRANT
#cgo LDFLAGS: -ldl -lpthread
#cgo pkg-config: libavutil
#include <stdlib.h>
#include "pipewire_linux.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"image"
	"os"
	"syscall"
	"time"

	"github.com/asticode/go-astiav"
)

// pwStream is one PipeWire video stream from a screen-cast node. Every new
// picture makes the wake pipe readable; take copies the newest one.
type pwStream struct {
	c    *C.golive_pw
	wake *os.File // read end, non-blocking (Go's poller: deadlines work)
	wr   *os.File // write end, written by the PipeWire thread
	buf  [64]byte
}

// loadPipeWire opens libpipewire-0.3 (once per process).
func loadPipeWire() error {
	var msg [256]C.char
	if C.golive_pw_load(&msg[0], C.int(len(msg))) != 0 {
		return fmt.Errorf("%w: %s: install PipeWire (Debian/Ubuntu: apt install pipewire)", ErrPipeWireMissing, C.GoString(&msg[0]))
	}
	return nil
}

// openPWStream links a stream to node on the PipeWire remote (which it
// takes over, also on failure).
func openPWStream(remote *os.File, node uint32, fps int) (*pwStream, error) {
	defer remote.Close()
	if err := loadPipeWire(); err != nil {
		return nil, err
	}
	var p [2]int
	if err := syscall.Pipe2(p[:], syscall.O_NONBLOCK|syscall.O_CLOEXEC); err != nil {
		return nil, fmt.Errorf("wake-up pipe: %w", err)
	}
	s := &pwStream{wake: os.NewFile(uintptr(p[0]), "pipewire-wake"), wr: os.NewFile(uintptr(p[1]), "pipewire-wake-w")}
	fd, err := syscall.Dup(int(remote.Fd()))
	if err != nil {
		s.closeFiles()
		return nil, fmt.Errorf("PipeWire remote: %w", err)
	}
	var msg [256]C.char
	s.c = C.golive_pw_open(C.int(fd), C.uint32_t(node), C.int(fps), C.int(p[1]), &msg[0], C.int(len(msg)))
	if s.c == nil {
		s.closeFiles()
		return nil, fmt.Errorf("%w: %s", ErrPipeWireMissing, C.GoString(&msg[0]))
	}
	return s, nil
}

// seq counts the pictures received.
func (s *pwStream) seq() uint64 { return uint64(C.golive_pw_seq(s.c)) }

// age is how long ago the newest picture was on screen, now (0: none yet).
func (s *pwStream) age() time.Duration { return time.Duration(C.golive_pw_age(s.c)) }

// skipped counts unreadable pictures.
func (s *pwStream) skipped() uint64 { return uint64(C.golive_pw_skipped(s.c)) }

// ended returns why the stream stopped, or nil.
func (s *pwStream) ended() error {
	var msg [256]C.char
	if C.golive_pw_ended(s.c, &msg[0], C.int(len(msg))) == 0 {
		return nil
	}
	return errors.New(C.GoString(&msg[0]))
}

// wait blocks until a new picture or the stream's end may have arrived,
// or until deadline.
func (s *pwStream) wait(deadline time.Time) {
	if err := s.wake.SetReadDeadline(deadline); err != nil {
		time.Sleep(time.Until(deadline))
		return
	}
	_, _ = s.wake.Read(s.buf[:]) // a timeout or wake-up bytes: the caller looks again
}

// take copies the newest picture, cropped to region (zero: all), into f.
// It reports false when no picture has arrived yet.
func (s *pwStream) take(f *astiav.Frame, region image.Rectangle) (bool, error) {
	var fw, fh C.int
	r := C.golive_pw_take(s.c, f.UnsafePointer(), C.int(region.Min.X), C.int(region.Min.Y),
		C.int(region.Dx()), C.int(region.Dy()), &fw, &fh)
	switch r {
	case 0:
		return true, nil
	case C.GOLIVE_PW_NONE:
		return false, nil
	case C.GOLIVE_PW_OUTSIDE:
		return false, fmt.Errorf("region %v is outside the shared monitor (%dx%d)", region, int(fw), int(fh))
	case C.GOLIVE_PW_UNMAPPABLE:
		return false, errors.New("the portal delivers pictures in memory GoLive cannot read (DMA-BUF without a mapping)")
	default:
		return false, errors.New("out of memory copying a picture")
	}
}

func (s *pwStream) closeFiles() {
	_ = s.wake.Close()
	_ = s.wr.Close()
}

// close stops the stream and frees it.
func (s *pwStream) close() {
	if s.c != nil {
		C.golive_pw_close(s.c)
		s.c = nil
	}
	s.closeFiles()
}
