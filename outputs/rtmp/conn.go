package rtmp

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"sync"
	"sync/atomic"
	"time"

	gortmp "github.com/yutopp/go-rtmp"
	"github.com/yutopp/go-rtmp/handshake"
	"github.com/yutopp/go-rtmp/message"
)

// The client is built from go-rtmp's handshake, chunk streamer and message
// codecs rather than its ClientConn, which has no timeouts, swallows
// onStatus and stops reading on the _result that real ingests send for
// releaseStream. Owning the socket and the read loop gives deadlines,
// publish status and ping answers (RTMP specification 1.0, sections 5-7).

// Chunk stream ids (RTMP 5.3.1.1: 2 is reserved for protocol control).
const (
	csControl = 2
	csCommand = 3
	csAudio   = 4
	csData    = 5
	csVideo   = 6
)

// ChunkSize is the outgoing chunk size announced before connect.
const ChunkSize = 4096

// errConnClosed is returned by writes after the connection was closed.
var errConnClosed = errors.New("rtmp connection closed")

// serverCommand is one command message received from the server.
type serverCommand struct {
	name   string
	tx     int64
	values []any
}

// clientConn is one RTMP connection: one writer (the caller) and one read
// goroutine owned by the connection.
type clientConn struct {
	nc      net.Conn
	cs      *gortmp.ChunkStreamer
	timeout time.Duration
	cmsg    gortmp.ChunkMessage

	commands chan serverCommand
	pings    chan uint32
	closing  chan struct{}
	readDone chan struct{}
	readErr  error // set before readDone is closed
	// frames are the capture times of video messages not yet on the
	// wire (see wireTap).
	frames frameTimes

	closeOnce sync.Once
}

// countingConn counts written bytes and bounds every write with a deadline
// so that a peer that stops reading fails the connection instead of
// blocking it forever.
type countingConn struct {
	net.Conn
	written      *atomic.Uint64
	writeTimeout time.Duration
}

func (c *countingConn) Write(b []byte) (int, error) {
	if c.writeTimeout > 0 {
		_ = c.Conn.SetWriteDeadline(time.Now().Add(c.writeTimeout))
	}
	n, err := c.Conn.Write(b)
	if c.written != nil {
		c.written.Add(uint64(n))
	}
	return n, err
}

// dialOptions configure dial.
type dialOptions struct {
	ep           *Endpoint
	tls          *tlsSetup
	timeout      time.Duration
	writeTimeout time.Duration
	sendBuffer   int
	written      *atomic.Uint64
	latency      *latencyHist // capture-to-wire latency of video frames, or nil
}

// dial connects (TCP, then TLS for rtmps), runs the RTMP handshake within
// the timeout and starts the read loop. ctx cancels every step.
func dial(ctx context.Context, o dialOptions) (*clientConn, error) {
	d := net.Dialer{Timeout: o.timeout}
	nc, err := d.DialContext(ctx, "tcp", o.ep.Addr())
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", o.ep.Addr(), err)
	}
	if tc, ok := nc.(*net.TCPConn); ok && o.sendBuffer > 0 {
		_ = tc.SetWriteBuffer(o.sendBuffer)
	}
	if o.ep.Scheme == "rtmps" {
		if nc, err = o.tls.handshake(ctx, nc, o.timeout); err != nil {
			return nil, err
		}
	}
	nc = &countingConn{Conn: nc, written: o.written, writeTimeout: o.writeTimeout}
	// The handshake reads with no context: a deadline and a watchdog
	// closing the socket on cancellation bound it.
	stop := context.AfterFunc(ctx, func() { _ = nc.Close() })
	_ = nc.SetDeadline(time.Now().Add(o.timeout))
	br := bufio.NewReaderSize(nc, 16*1024)
	err = handshake.HandshakeWithServer(br, nc, &handshake.Config{SkipHandshakeVerification: true})
	_ = nc.SetDeadline(time.Time{})
	if !stop() || err != nil {
		_ = nc.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("rtmp handshake with %s: %w", o.ep.Addr(), timeoutHint(err))
	}
	c := &clientConn{
		nc:       nc,
		timeout:  o.timeout,
		commands: make(chan serverCommand, 16),
		pings:    make(chan uint32, 4),
		closing:  make(chan struct{}),
		readDone: make(chan struct{}),
	}
	var w io.Writer = nc
	if o.latency != nil {
		w = &wireTap{w: nc, frames: &c.frames, hist: o.latency, video: csVideo, chunk: ChunkSize}
	}
	c.cs = gortmp.NewChunkStreamer(br, bufio.NewWriterSize(w, 2*ChunkSize), streamerConfig())
	// Our outgoing chunk size is ChunkSize from the first message on (the
	// SetChunkSize sent before connect); the server's starts at 128.
	_ = c.cs.PeerState().SetChunkSize(gortmp.DefaultChunkSize)
	go c.readLoop()
	return c, nil
}

func streamerConfig() *gortmp.StreamControlStateConfig {
	return &gortmp.StreamControlStateConfig{
		DefaultChunkSize:           ChunkSize,
		MaxChunkSize:               gortmp.MaxChunkSize,
		MaxChunkStreams:            64,
		DefaultAckWindowSize:       math.MaxInt32,
		MaxAckWindowSize:           math.MaxInt32,
		DefaultBandwidthWindowSize: math.MaxInt32,
		MaxBandwidthWindowSize:     math.MaxInt32,
		MaxMessageSize:             gortmp.MaxChunkSize,
		MaxMessageStreams:          16,
	}
}

func timeoutHint(err error) error {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("server did not answer (%w)", err)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("server closed the connection (%w)", err)
	}
	// A plain wrapper: go-rtmp's errors print stack traces with %+v.
	return fmt.Errorf("%w", err)
}

// readLoop decodes server messages: chunk size changes are applied, pings
// are handed to the writer, commands are queued for the caller.
func (c *clientConn) readLoop() {
	defer close(c.readDone)
	defer func() {
		if r := recover(); r != nil {
			c.readErr = fmt.Errorf("rtmp read: malformed data from server: %v", r)
		}
	}()
	var cm gortmp.ChunkMessage
	for {
		if _, _, err := c.cs.Read(&cm); err != nil {
			c.readErr = timeoutHint(err)
			return
		}
		switch m := cm.Message.(type) {
		case *message.SetChunkSize:
			if err := c.cs.PeerState().SetChunkSize(m.ChunkSize); err != nil {
				c.readErr = fmt.Errorf("server chunk size: %w", err)
				return
			}
		case *message.UserCtrl:
			if p, ok := m.Event.(*message.UserCtrlEventPingRequest); ok {
				select {
				case c.pings <- p.Timestamp:
				default:
				}
			}
		case *message.CommandMessage:
			cmd := serverCommand{name: m.CommandName, tx: m.TransactionID, values: decodeValues(m)}
			select {
			case c.commands <- cmd:
			case <-c.closing:
				return
			}
		}
	}
}

func decodeValues(m *message.CommandMessage) []any {
	if m.Encoding != message.EncodingTypeAMF0 || m.Body == nil {
		return nil
	}
	dec := message.NewAMFDecoder(m.Body, m.Encoding)
	var out []any
	for {
		var v any
		if err := dec.Decode(&v); err != nil {
			return out
		}
		out = append(out, v)
	}
}

// write sends one message; it fails once the connection is broken.
func (c *clientConn) write(ctx context.Context, csid int, ts, streamID uint32, msg message.Message) error {
	select {
	case <-c.cs.Done():
		if err := c.cs.Err(); err != nil {
			return fmt.Errorf("rtmp write: %w", timeoutHint(err))
		}
		return errConnClosed
	case <-c.readDone:
		if c.readErr != nil {
			return fmt.Errorf("rtmp read: %w", c.readErr)
		}
		return errConnClosed
	default:
	}
	c.cmsg.StreamID = streamID
	c.cmsg.Message = msg
	if err := c.cs.Write(ctx, csid, ts, &c.cmsg); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		// Wrapping with fmt also hides go-rtmp's pkg/errors stack
		// traces, which slog would print with %+v.
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return fmt.Errorf("rtmp write: the server stopped reading (%w)", err)
		}
		return fmt.Errorf("rtmp write: %w", err)
	}
	return nil
}

// command sends an AMF0 command message.
func (c *clientConn) command(ctx context.Context, streamID uint32, name string, tx int64, body message.AMFConvertible) error {
	var buf bytes.Buffer
	if err := message.EncodeBodyAnyValues(message.NewAMFEncoder(&buf, message.EncodingTypeAMF0), body); err != nil {
		return fmt.Errorf("encode %s: %w", name, err)
	}
	return c.write(ctx, csCommand, 0, streamID, &message.CommandMessage{
		CommandName: name, TransactionID: tx, Encoding: message.EncodingTypeAMF0, Body: &buf,
	})
}

// await returns the next server command accepted by match, waiting at
// most the connection timeout.
func (c *clientConn) await(ctx context.Context, what string, match func(serverCommand) bool) (serverCommand, error) {
	timer := time.NewTimer(c.timeout)
	defer timer.Stop()
	for {
		select {
		case cmd := <-c.commands:
			if match(cmd) {
				return cmd, nil
			}
		case <-c.readDone:
			return serverCommand{}, fmt.Errorf("waiting for %s: %w", what, c.readErrOr())
		case <-timer.C:
			return serverCommand{}, fmt.Errorf("server did not answer %s within %s", what, c.timeout)
		case <-ctx.Done():
			return serverCommand{}, ctx.Err()
		}
	}
}

func (c *clientConn) readErrOr() error {
	if c.readErr != nil {
		return c.readErr
	}
	return errConnClosed
}

// pollErr returns the read loop's error once it has stopped.
func (c *clientConn) pollErr() error {
	select {
	case <-c.readDone:
		return fmt.Errorf("rtmp connection lost: %w", c.readErrOr())
	default:
		return nil
	}
}

// flush waits until the last message on csid has been handed to the
// socket, or until ctx ends. The connection must not write on csid after.
func (c *clientConn) flush(ctx context.Context, csid int) {
	_, _ = c.cs.NewChunkWriter(ctx, csid)
}

// close closes the socket and waits for the read loop to exit. The chunk
// streamer's write goroutine exits on the socket error or on Close.
func (c *clientConn) close() {
	c.closeOnce.Do(func() {
		close(c.closing)
		_ = c.nc.Close()
		_ = c.cs.Close()
		<-c.readDone
	})
}
