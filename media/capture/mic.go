package capture

/*
#include <stdlib.h>
*/
import "C"

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/gen2brain/malgo"
)

// ErrNoMicrophone is returned when no capture device matches.
var ErrNoMicrophone = errors.New("no microphone found")

// BackendNull is miniaudio's real null backend (captures silence paced in
// real time). malgo.BackendNull (13) is miniaudio's custom backend.
const BackendNull = malgo.Backend(14)

// DeviceBackends are the real audio backends, in miniaudio's order of
// preference; ones the platform lacks are skipped. The null backend is
// left out so a machine without a sound card reports no microphone.
var DeviceBackends = []malgo.Backend{
	malgo.BackendWasapi, malgo.BackendDsound, malgo.BackendWinmm, malgo.BackendCoreaudio,
	malgo.BackendSndio, malgo.BackendAudio4, malgo.BackendOss, malgo.BackendPulseaudio,
	malgo.BackendAlsa, malgo.BackendJack, malgo.BackendAaudio, malgo.BackendOpensl,
}

// Microphone is one capture device.
type Microphone struct {
	Name    string
	ID      string // hex device id, stable for the backend
	Default bool
}

// MicConfig selects a capture device.
type MicConfig struct {
	// Device is a device ID or name (exact, else a case-insensitive
	// substring); "" is the system default.
	Device string
	// Backends to try (default DeviceBackends).
	Backends []malgo.Backend
}

// ListMicrophones lists the capture devices of the first working backend.
func ListMicrophones(backends []malgo.Backend) ([]Microphone, error) {
	if backends == nil {
		backends = DeviceBackends
	}
	mctx, err := malgo.InitContext(backends, malgo.ContextConfig{}, nil)
	if err != nil {
		return nil, fmt.Errorf("list microphones: init audio context: %w", err)
	}
	defer func() {
		_ = mctx.Uninit()
		mctx.Free()
	}()
	return listDevices(mctx.Context)
}

// captureDevices lists real capture devices: ALSA's "null" PCM, which
// only generates zeros, is not a microphone.
func captureDevices(mctx malgo.Context) ([]malgo.DeviceInfo, error) {
	infos, err := mctx.Devices(malgo.Capture)
	if err != nil {
		return nil, fmt.Errorf("list microphones: %w", err)
	}
	out := infos[:0]
	for _, in := range infos {
		if strings.TrimRight(string(in.ID[:]), "\x00") == "null" {
			continue
		}
		out = append(out, in)
	}
	return out, nil
}

func listDevices(mctx malgo.Context) ([]Microphone, error) {
	infos, err := captureDevices(mctx)
	if err != nil {
		return nil, err
	}
	out := make([]Microphone, 0, len(infos))
	for _, in := range infos {
		out = append(out, Microphone{Name: in.Name(), ID: in.ID.String(), Default: in.IsDefault != 0})
	}
	return out, nil
}

// findDevice resolves cfg.Device among the context's capture devices:
// nil id means the default device.
func findDevice(mctx malgo.Context, want string) (*malgo.DeviceID, string, error) {
	infos, err := captureDevices(mctx)
	if err != nil {
		return nil, "", err
	}
	if len(infos) == 0 {
		return nil, "", ErrNoMicrophone
	}
	if want == "" {
		for _, in := range infos {
			if in.IsDefault != 0 {
				return nil, in.Name(), nil
			}
		}
		return nil, infos[0].Name(), nil
	}
	for _, in := range infos {
		if in.ID.String() == want || in.Name() == want {
			return &in.ID, in.Name(), nil
		}
	}
	for _, in := range infos {
		if strings.Contains(strings.ToLower(in.Name()), strings.ToLower(want)) {
			return &in.ID, in.Name(), nil
		}
	}
	return nil, "", fmt.Errorf("microphone %q: %w among %d devices", want, ErrNoMicrophone, len(infos))
}

// mic captures a malgo device as mono float at 48 kHz, upmixed to stereo.
// The device callback hands chunks over through a bounded channel; when
// the reader falls behind by a second, chunks are dropped and counted.
type mic struct {
	name    string
	mctx    *malgo.AllocatedContext
	dev     *malgo.Device
	idMem   unsafe.Pointer
	chunks  chan AudioChunk
	dropped atomic.Uint64
}

// micQueue bounds the chunks waiting for Read (about 1 s at 10 ms).
const micQueue = 100

// NewMicrophone opens a capture device (not yet started). It returns an
// error wrapping ErrNoMicrophone when no device matches.
func NewMicrophone(cfg MicConfig) (AudioSource, error) {
	backends := cfg.Backends
	if backends == nil {
		backends = DeviceBackends
	}
	mctx, err := malgo.InitContext(backends, malgo.ContextConfig{}, nil)
	if err != nil {
		return nil, fmt.Errorf("microphone: init audio context: %w (%w)", err, ErrNoMicrophone)
	}
	m := &mic{mctx: mctx, chunks: make(chan AudioChunk, micQueue)}
	if err := m.open(cfg.Device); err != nil {
		m.Close()
		return nil, fmt.Errorf("microphone: %w", err)
	}
	return m, nil
}

func (m *mic) open(device string) error {
	id, name, err := findDevice(m.mctx.Context, device)
	if err != nil {
		return err
	}
	m.name = name
	dc := malgo.DefaultDeviceConfig(malgo.Capture)
	dc.Capture.Format = malgo.FormatF32
	dc.Capture.Channels = 1
	dc.SampleRate = SampleRate
	dc.PeriodSizeInMilliseconds = 10
	if id != nil {
		m.idMem = C.CBytes(id[:]) //nolint:gocritic // dupSubExpr is about cgo's generated code for C.CBytes, not this line
		dc.Capture.DeviceID = m.idMem
	}
	m.dev, err = malgo.InitDevice(m.mctx.Context, dc, malgo.DeviceCallbacks{Data: m.onData})
	if err != nil {
		return fmt.Errorf("open %q: %w", name, err)
	}
	return nil
}

// onData runs on the audio thread: convert and hand over, never block.
func (m *mic) onData(_, in []byte, frames uint32) {
	now := time.Now()
	n := int(frames)
	if len(in) < 4*n {
		n = len(in) / 4
	}
	samples := make([]float32, 2*n)
	for i := range n {
		v := math.Float32frombits(binary.LittleEndian.Uint32(in[4*i:]))
		samples[2*i], samples[2*i+1] = v, v
	}
	chunk := AudioChunk{Samples: samples, Time: now.Add(-samplesToDuration(int64(n)))}
	select {
	case m.chunks <- chunk:
	default:
		m.dropped.Add(1)
	}
}

func (m *mic) Start(time.Time) error {
	if err := m.dev.Start(); err != nil {
		return fmt.Errorf("microphone %q: start: %w", m.name, err)
	}
	return nil
}

func (m *mic) Read(ctx context.Context) (AudioChunk, error) {
	select {
	case <-ctx.Done():
		return AudioChunk{}, ctx.Err()
	case c := <-m.chunks:
		return c, nil
	}
}

// Name returns the opened device's name.
func (m *mic) Name() string { return m.name }

func (m *mic) Note() string {
	if d := m.dropped.Load(); d > 0 {
		return fmt.Sprintf("microphone %q: %d chunks dropped (capture fell behind)", m.name, d)
	}
	return ""
}

func (m *mic) Close() {
	if m.dev != nil {
		m.dev.Uninit() // stops the device and waits for its thread
		m.dev = nil
	}
	if m.mctx != nil {
		_ = m.mctx.Uninit()
		m.mctx.Free()
		m.mctx = nil
	}
	if m.idMem != nil {
		C.free(m.idMem)
		m.idMem = nil
	}
}
