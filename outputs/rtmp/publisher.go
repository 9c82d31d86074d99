package rtmp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"golive/media/stream"
	"golive/media/unit"
	"golive/outputs/dest"
)

// Queue limits before video is dropped until the next key frame, as OBS
// does: 700 ms when the encoder uses B-frames, 900 ms without.
const (
	MaxQueueBFrames = 700 * time.Millisecond
	MaxQueuePFrames = 900 * time.Millisecond
)

// Default timeouts.
const (
	DefaultTimeout      = 5 * time.Second
	DefaultWriteTimeout = 10 * time.Second
	DefaultSendBuffer   = 512 * 1024
	closeGrace          = 300 * time.Millisecond
)

// ReaderConfig is the subscription an RTMP destination should use: H.264 (or
// HEVC or AV1, Enhanced RTMP)
// and AAC only, video dropped beyond MaxQueuePFrames of queued media.
func ReaderConfig(name string) stream.ReaderConfig {
	return stream.ReaderConfig{
		Name:     name,
		MaxQueue: MaxQueuePFrames,
		Codecs:   []unit.Codec{unit.CodecH264, unit.CodecHEVC, unit.CodecAV1, unit.CodecAAC},
	}
}

// Publisher publishes a stream to one RTMP or RTMPS destination. It is a
// dest.Worker (run by dest.Handler, which reconnects) and a dest.Prober.
type Publisher struct {
	// URL is rtmp://host[:port]/app[/instance] or rtmps://..., with the
	// key as last path element when Key is empty.
	URL string
	// Key is the stream key (a secret, never logged).
	Key string
	// CAFile is an extra PEM CA bundle trusted for RTMPS.
	CAFile string
	// PinSHA256 pins the RTMPS server certificate by its SHA-256
	// fingerprint (for self-signed servers).
	PinSHA256 string
	Logger    *slog.Logger
	// Timeout bounds each connection step: TCP connect, TLS and RTMP
	// handshakes, every command answer (default 5 s).
	Timeout time.Duration
	// WriteTimeout is how long a socket write may block before the
	// connection is considered dead (default 10 s).
	WriteTimeout time.Duration
	// SendBuffer is the socket send buffer in bytes (default 512 KiB).
	// A bounded kernel buffer keeps congestion visible in the queue
	// (measured in ms of media) instead of hiding seconds of it in the
	// socket; 512 KiB still allows 20 Mbit/s at 200 ms round trip.
	SendBuffer int
	// Limits bound what the server can make us hold (zero: defaults of
	// 1 MiB per message, 8 chunk streams, 2 MiB in partial messages).
	Limits ReaderLimits

	mu      sync.Mutex
	detail  detail
	latency latencyHist // capture to last byte on the socket
	dequeue latencyHist // capture to the muxer's read from its queue
	flood   floodStats  // what servers made us ignore
}

type detail struct {
	server        string
	serverVersion string
	status        string
	streamID      uint32
	audioFrames   uint64
	connects      uint64
}

// Detail reports protocol details for the UI (dest.DetailReporter).
func (p *Publisher) Detail() map[string]any {
	p.mu.Lock()
	defer p.mu.Unlock()
	d := map[string]any{
		"server":         p.detail.server,
		"server_version": p.detail.serverVersion,
		"status":         p.detail.status,
		"stream_id":      p.detail.streamID,
		"audio_frames":   p.detail.audioFrames,
		"connects":       p.detail.connects,
		"chunk_size":     ChunkSize,
		"pings_answered": p.flood.pingsAnswered.Load(),
		"pings_ignored":  p.flood.pingsIgnored.Load(),
		"acks_deferred":  p.flood.acksDeferred.Load(),
		"msgs_ignored":   p.flood.ignoredMsgs.Load(),
		"read_paused_ms": p.flood.pausedNanos.Load() / uint64(time.Millisecond),
	}
	p.latency.details(d, "latency")
	p.dequeue.details(d, "dequeue")
	return d
}

// Note is shown on the destination while its server floods us with
// control messages (dest.Noter).
func (p *Publisher) Note() string { return p.flood.note(time.Now()) }

func (p *Publisher) setup() (*Endpoint, *tlsSetup, *slog.Logger, error) {
	ep, err := ParseURL(p.URL, p.Key)
	if err != nil {
		return nil, nil, nil, err
	}
	log := p.Logger
	if log == nil {
		log = slog.Default()
	}
	log = log.With("url", ep.String())
	var ts *tlsSetup
	if ep.Scheme == "rtmps" {
		if ts, err = newTLSSetup(ep, p.CAFile, p.PinSHA256); err != nil {
			return nil, nil, nil, err
		}
	} else if p.CAFile != "" || p.PinSHA256 != "" {
		return nil, nil, nil, errors.New("a CA file or certificate pin needs an rtmps:// URL")
	}
	return ep, ts, log, nil
}

// Run connects, publishes and sends packets from s.Reader until ctx ends
// or the connection fails. Errors retrying cannot fix are dest.Fatal.
func (p *Publisher) Run(ctx context.Context, s *dest.Session) error {
	ep, ts, log, err := p.setup()
	if err != nil {
		return dest.Fatal(err)
	}
	timeout := p.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	wt := p.WriteTimeout
	if wt <= 0 {
		wt = DefaultWriteTimeout
	}
	sndbuf := p.SendBuffer
	if sndbuf <= 0 {
		sndbuf = DefaultSendBuffer
	}
	p.mu.Lock()
	p.detail.server = ep.String()
	p.detail.connects++
	p.mu.Unlock()
	defer s.Counters.SetTCP(nil)
	c, err := dial(ctx, dialOptions{ep: ep, tls: ts, timeout: timeout,
		writeTimeout: wt, sendBuffer: sndbuf, written: &s.Counters.Bytes, tcpState: s.Counters.SetTCP, latency: &p.latency,
		flood: &p.flood, limits: p.Limits})
	if err != nil {
		return err
	}
	defer c.close()
	var vc unit.Codec
	if s.Tracks.Video != nil {
		vc = s.Tracks.Video.Codec
	}
	info, err := c.publish(ctx, ep, vc)
	if err != nil {
		return err
	}
	p.mu.Lock()
	p.detail.serverVersion, p.detail.status, p.detail.streamID = info.serverVersion, info.status, info.streamID
	p.mu.Unlock()
	log.Info("rtmp publishing", "server_version", info.serverVersion)
	s.Live()
	m := &muxer{c: c, s: s, streamID: info.streamID, p: p}
	err = m.run(ctx)
	if ctx.Err() != nil || errors.Is(err, stream.ErrClosed) {
		gctx, cancel := context.WithTimeout(context.Background(), closeGrace)
		c.unwatch() // the publishing context has ended: write under gctx now
		if m.endSequence(gctx) == nil {
			c.unpublish(gctx, ep, info.streamID)
		}
		cancel()
	}
	return err
}

// Probe checks that the server accepts TCP connections (dest.Prober).
func (p *Publisher) Probe(ctx context.Context) error {
	ep, err := ParseURL(p.URL, p.Key)
	if err != nil {
		return err
	}
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", ep.Addr())
	if err != nil {
		return fmt.Errorf("probe %s: %w", ep.Addr(), err)
	}
	return nc.Close()
}
