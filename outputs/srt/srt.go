// Package srt publishes the stream as MPEG-TS over SRT in caller mode
// (Haivision SRT, draft-sharabayko-srt) to a listener: an ingest service,
// MediaMTX, or ffmpeg -i 'srt://:PORT?mode=listener'. It uses libsrt, the
// reference implementation ffmpeg and OBS use, through a small cgo binding
// (libsrt.go): its reject reasons tell a wrong passphrase from a refused
// stream id, and its statistics give RTT, retransmissions and losses.
package srt

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golive/media/stream"
	"golive/media/unit"
	"golive/outputs/dest"
	"golive/outputs/internal/tssend"
	"golive/outputs/srturl"
)

// Defaults of the connection.
const (
	DefaultConnectTimeout = 3 * time.Second
	DefaultSendTimeout    = 2 * time.Second
	DefaultPeerIdle       = 5 * time.Second
)

// Publisher is one SRT destination: a dest.Worker.
type Publisher struct {
	// URL is the srt:// URL (see srturl.Parse).
	URL string
	// Passphrase, when set, overrides one in the URL. A secret.
	Passphrase string
	// Latency, when set, overrides the URL's latency.
	Latency time.Duration
	// ConnectTimeout, SendTimeout and PeerIdle bound the connection
	// (defaults 3 s, 2 s, 5 s).
	ConnectTimeout time.Duration
	SendTimeout    time.Duration
	PeerIdle       time.Duration
	Logger         *slog.Logger

	// down is set while the listener does not answer: the next attempt
	// starts with a cheap probe instead of a ConnectTimeout-long dial.
	down atomic.Bool

	mu    sync.Mutex
	sock  *socket
	total srtStats // totals of closed sockets
	last  srtStats // last figures of the current socket
}

// ReaderConfig is the queue of an SRT destination: H.264 or HEVC (a
// stream carries one) and AAC, 2 s.
func ReaderConfig(name string) stream.ReaderConfig {
	return stream.ReaderConfig{Name: name, Codecs: []unit.Codec{unit.CodecH264, unit.CodecHEVC, unit.CodecAAC}}
}

// CheckVideo refuses, with a message for people, video an SRT destination
// cannot carry: MPEG-TS takes H.264 and HEVC (stream types 0x1b and 0x24)
// here, not AV1.
func CheckVideo(c unit.Codec) error {
	if c == unit.CodecH264 || c == unit.CodecHEVC {
		return nil
	}
	return fmt.Errorf("%s over SRT (MPEG-TS) is not supported: use an RTMP destination or a recording", strings.ToUpper(c.String()))
}

// AudioCodec is the audio an SRT destination carries (AAC in MPEG-TS).
func AudioCodec() unit.Codec { return unit.CodecAAC }

// Endpoint parses the URL with the overrides applied.
func (p *Publisher) Endpoint() (srturl.URL, error) {
	u, err := srturl.Parse(p.URL)
	if err != nil {
		return u, err
	}
	if p.Passphrase != "" {
		u.Passphrase = p.Passphrase
	}
	if p.Latency != 0 {
		u.Latency = p.Latency
	}
	return u, u.Validate()
}

// Check implements dest.Checker.
func (p *Publisher) Check() error {
	_, err := p.Endpoint()
	return err
}

func (p *Publisher) defaults() {
	if p.ConnectTimeout <= 0 {
		p.ConnectTimeout = DefaultConnectTimeout
	}
	if p.SendTimeout <= 0 {
		p.SendTimeout = DefaultSendTimeout
	}
	if p.PeerIdle <= 0 {
		p.PeerIdle = DefaultPeerIdle
	}
	if p.Logger == nil {
		p.Logger = slog.Default()
	}
}

// Run implements dest.Worker: connect, mux MPEG-TS, send until ctx ends.
func (p *Publisher) Run(ctx context.Context, s *dest.Session) error {
	p.defaults()
	u, err := p.Endpoint()
	if err != nil {
		return dest.Fatal(err)
	}
	if v := s.Tracks.Video; v != nil {
		if err := CheckVideo(v.Codec); err != nil {
			return dest.Fatal(fmt.Errorf("srt %s: %w", u.Address(), err))
		}
	}
	if p.down.Load() {
		if perr := p.Probe(ctx); perr != nil {
			return dest.Unreachable(fmt.Errorf("srt %s: %w (probed: %w)", u.Address(), ErrNoListener, perr))
		}
	}
	sock, err := p.connect(ctx, u)
	p.down.Store(errors.Is(err, ErrNoListener))
	if err != nil {
		return err
	}
	p.mu.Lock()
	p.sock = sock
	p.mu.Unlock()
	defer p.release(sock)
	s.Counters.SetPath(sock.pathFigures)
	defer s.Counters.SetPath(nil)
	z := newPacker(sock, s.Counters, u.Address())
	x := &tssend.Sender{Proto: "srt", Packer: z}
	if _, err := x.Open(s); err != nil {
		return err
	}
	s.Live()
	err = x.Pump(ctx, s)
	p.down.Store(errors.Is(err, ErrConnectionLost))
	// Close writes what the muxer still holds: send it too.
	if cerr := x.Close(); cerr != nil && err == nil && z.Err() == nil {
		err = cerr
	}
	if z.Err() == nil && (errors.Is(err, stream.ErrClosed) || errors.Is(err, context.Canceled)) {
		drain(sock, u.Latency)
	}
	return err
}

// drain gives a clean stop's last packets time to arrive: libsrt drops
// unacknowledged data at close, and the listener holds what it got for
// the latency before delivering it. Bounded by 2 s.
func drain(s *socket, latency time.Duration) {
	if latency == 0 {
		latency = srturl.DefaultLatency
	}
	deadline := time.Now().Add(time.Second)
	for time.Now().Before(deadline) {
		st, ok := s.stats()
		if !ok || st.SendBufPackets == 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(min(latency+50*time.Millisecond, time.Second))
}

// connect resolves the host and dials with libsrt, turning its reject
// reason into a message for people.
func (p *Publisher) connect(ctx context.Context, u srturl.URL) (*socket, error) {
	addr, err := resolve(ctx, u)
	if err != nil {
		return nil, err
	}
	type result struct {
		s   *socket
		err *connectError
	}
	done := make(chan result, 1)
	go func() {
		s, cerr := dialSRT(addr, u.StreamID, u.Passphrase, u.Latency, u.KeyLength,
			p.ConnectTimeout, p.SendTimeout, p.PeerIdle)
		done <- result{s, cerr}
	}()
	var r result
	select {
	case r = <-done:
	case <-ctx.Done():
		// srt_connect ends within ConnectTimeout: wait, then close.
		r = <-done
		if r.s != nil {
			r.s.close()
		}
		return nil, ctx.Err()
	}
	if r.err != nil {
		return nil, connectFailure(u, r.err, p.ConnectTimeout)
	}
	return r.s, nil
}

func resolve(ctx context.Context, u srturl.URL) (netip.AddrPort, error) {
	if ip, err := netip.ParseAddr(u.Host); err == nil {
		return netip.AddrPortFrom(ip, uint16(u.Port)), nil
	}
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	ips, err := net.DefaultResolver.LookupNetIP(rctx, "ip", u.Host)
	if err != nil || len(ips) == 0 {
		return netip.AddrPort{}, fmt.Errorf("srt %s: cannot resolve the host: %w", u.Address(), err)
	}
	return netip.AddrPortFrom(ips[0], uint16(u.Port)), nil
}

// ErrWrongPassphrase, ErrStreamRejected and ErrNoListener classify
// connection failures (errors.Is).
var (
	ErrWrongPassphrase = errors.New("wrong passphrase")
	ErrStreamRejected  = errors.New("stream id refused")
	ErrNoListener      = errors.New("no SRT listener answered")
)

func connectFailure(u srturl.URL, e *connectError, timeout time.Duration) error {
	at := u.Address()
	switch {
	case e.reason == rejBadSecret:
		return dest.Fatal(fmt.Errorf("srt %s: %w: the listener could not decrypt with it (check the destination's passphrase)", at, ErrWrongPassphrase))
	case e.reason == rejUnsecure && u.Passphrase == "":
		return dest.Fatal(fmt.Errorf("srt %s: the listener requires a passphrase: set the destination's key", at))
	case e.reason == rejUnsecure:
		return dest.Fatal(fmt.Errorf("srt %s: the listener does not use encryption: remove the destination's passphrase", at))
	case e.reason == rejPeer || e.reason >= rejxFirst:
		return dest.Fatal(fmt.Errorf("srt %s: %w: the listener refused stream id %q (%s): check the stream id or the path it publishes to",
			at, ErrStreamRejected, u.StreamID, rejectText(e.reason)))
	case e.code == errNoServer || e.reason == rejTimeout:
		return dest.Unreachable(fmt.Errorf("srt %s: %w within %v (is the listener running? is UDP port %d open?)",
			at, ErrNoListener, timeout, u.Port))
	case e.code == errConnRej:
		return fmt.Errorf("srt %s: connection rejected: %s", at, rejectText(e.reason))
	}
	return fmt.Errorf("srt %s: connection failed (libsrt error %d, %s)", at, e.code, rejectText(e.reason))
}

func rejectText(reason int) string {
	if reason >= rejxFirst {
		return fmt.Sprintf("application code %d", reason)
	}
	return rejectName(reason)
}

// release closes the socket and folds its totals into p.total.
func (p *Publisher) release(s *socket) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if st, ok := s.stats(); ok {
		p.last = st
	}
	p.total = addStats(p.total, p.last)
	p.last = srtStats{}
	p.sock = nil
	s.close()
}

func addStats(a, b srtStats) srtStats {
	a.Sent += b.Sent
	a.Retransmitted += b.Retransmitted
	a.Lost += b.Lost
	a.Dropped += b.Dropped
	a.NAKs += b.NAKs
	return a
}

// Detail implements dest.DetailReporter: libsrt's figures, totals over
// every connection of this destination.
func (p *Publisher) Detail() map[string]any {
	p.mu.Lock()
	defer p.mu.Unlock()
	cur := p.last
	if p.sock != nil {
		if st, ok := p.sock.stats(); ok {
			p.last, cur = st, st
		}
	}
	t := addStats(p.total, cur)
	d := map[string]any{
		"retransmitted": t.Retransmitted, "lost": t.Lost, "nacks": t.NAKs,
		"dropped_late": t.Dropped, "packets_sent": t.Sent,
	}
	if p.sock != nil {
		d["rtt_ms"] = cur.RTTMs
		d["estimate_kbps"] = cur.BandwidthMbps * 1000
		d["send_buffer_ms"] = cur.SendBufMs
		d["send_buffer_packets"] = cur.SendBufPackets
	}
	return d
}
