package rtmp

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/yutopp/go-rtmp/handshake"

	"golive/outputs/dest"
)

// The client is built from go-rtmp's handshake and message encoders
// rather than its ClientConn, which has no timeouts, swallows onStatus
// and stops reading on the _result that real ingests send for
// releaseStream. Owning the socket and the read loop gives deadlines,
// publish status and ping answers (RTMP specification 1.0, sections 5-7,
// https://rtmp.veriskope.com/docs/spec/). Messages are written by our
// own chunk encoder (chunk.go), synchronously, from the goroutine that
// sends them, and read by our own bounded chunk reader (reader.go): the
// server's bytes decide neither our memory nor our CPU.

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

// clientConn is one RTMP connection: any number of writers, serialised
// by wmu, and one read goroutine owned by the connection.
type clientConn struct {
	nc      *countingConn
	sr      *serverReader
	flood   *floodStats
	timeout time.Duration
	latency *latencyHist // capture-to-wire latency of video frames, or nil

	wmu  sync.Mutex // held for a whole message, encoding and Write
	enc  chunkEncoder
	werr error // the first failed write: the stream may be cut mid-message

	commands chan Command
	closing  chan struct{}
	readDone chan struct{}
	readErr  error // set before readDone is closed

	stopWatch   func() bool // see watch
	watchDone   chan struct{}
	unwatchOnce sync.Once
	closeOnce   sync.Once
}

// countingConn counts written bytes and bounds every write with a deadline
// so that a peer that stops reading fails the connection instead of
// blocking it forever.
type countingConn struct {
	net.Conn
	written      *atomic.Uint64
	writeTimeout time.Duration
}

// Write writes b within the write timeout (the handshake's writes).
func (c *countingConn) Write(b []byte) (int, error) {
	if c.writeTimeout > 0 {
		_ = c.SetWriteDeadline(time.Now().Add(c.writeTimeout))
	}
	return c.send(b)
}

// arm sets the deadline of the next send: the write timeout, or ctx's
// deadline when sooner. It then checks ctx, so that a cancellation
// watched by clientConn.watch either is seen here or moves the deadline
// after this call.
func (c *countingConn) arm(ctx context.Context) error {
	var d time.Time
	if c.writeTimeout > 0 {
		d = time.Now().Add(c.writeTimeout)
	}
	if cd, ok := ctx.Deadline(); ok && (d.IsZero() || cd.Before(d)) {
		d = cd
	}
	_ = c.SetWriteDeadline(d)
	return ctx.Err()
}

// send writes b under the deadline already set, counting the bytes.
func (c *countingConn) send(b []byte) (int, error) {
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
	// tcpState, when not nil, is given the function reading the TCP
	// connection's acknowledged and unacknowledged bytes.
	tcpState func(func() (acked, unacked uint64, ok bool))
	latency  *latencyHist // capture-to-wire latency of video frames, or nil
	flood    *floodStats  // the destination's flood counters, or nil
	limits   ReaderLimits
}

// dial connects (TCP, then TLS for rtmps), runs the RTMP handshake within
// the timeout and starts the read loop. ctx cancels every step, and
// interrupts a blocked write until unwatch.
func dial(ctx context.Context, o dialOptions) (*clientConn, error) {
	d := net.Dialer{Timeout: o.timeout}
	nc, err := d.DialContext(ctx, "tcp", o.ep.Addr())
	if err != nil {
		// The server cannot be reached: the handler may probe it.
		return nil, dest.Unreachable(fmt.Errorf("connect to %s: %w", o.ep.Addr(), err))
	}
	tc, _ := nc.(*net.TCPConn)
	if tc != nil && o.sendBuffer > 0 {
		_ = tc.SetWriteBuffer(o.sendBuffer)
	}
	if o.ep.Scheme == "rtmps" {
		if nc, err = o.tls.handshake(ctx, nc, o.timeout); err != nil {
			return nil, err
		}
	}
	cc := &countingConn{Conn: nc, written: o.written, writeTimeout: o.writeTimeout}
	if o.tcpState != nil && tc != nil {
		o.tcpState(func() (uint64, uint64, bool) { return tcpState(tc) })
	}
	// The handshake reads with no context: a deadline and a watchdog
	// closing the socket on cancellation bound it.
	stop := context.AfterFunc(ctx, func() { _ = cc.Close() })
	_ = cc.SetDeadline(time.Now().Add(o.timeout))
	br := bufio.NewReaderSize(&s0Check{r: cc}, 16*1024)
	err = handshake.HandshakeWithServer(br, cc, &handshake.Config{SkipHandshakeVerification: true})
	_ = cc.SetDeadline(time.Time{})
	if !stop() || err != nil {
		_ = cc.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("rtmp handshake with %s: %w", o.ep.Addr(), timeoutHint(err))
	}
	c := newClientConn(cc, br, o)
	c.watch(ctx)
	return c, nil
}

// newClientConn starts the read loop of a connection whose handshake is
// done; br reads from nc.
func newClientConn(nc *countingConn, br *bufio.Reader, o dialOptions) *clientConn {
	c := &clientConn{
		nc:        nc,
		flood:     o.flood,
		timeout:   o.timeout,
		latency:   o.latency,
		enc:       chunkEncoder{size: ChunkSize},
		commands:  make(chan Command, 16),
		closing:   make(chan struct{}),
		readDone:  make(chan struct{}),
		stopWatch: func() bool { return true },
	}
	if c.flood == nil {
		c.flood = &floodStats{}
	}
	c.sr = newServerReader(NewChunkReader(br, o.limits), c.flood, c.answer, c.pauseRead)
	go c.readLoop()
	return c
}

// s0Check fails the handshake when S0, the first byte the server sends,
// is not RTMP version 3 (RTMP 5.2.2): go-rtmp's handshake does not look.
type s0Check struct {
	r    io.Reader
	seen bool
}

func (s *s0Check) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if !s.seen && n > 0 {
		s.seen = true
		if p[0] != 3 {
			return 0, &ProtocolError{Msg: fmt.Sprintf("server answered with RTMP version %d in S0 (want 3): not an RTMP server?", p[0])}
		}
	}
	return n, err
}

func timeoutHint(err error) error {
	if pe := (*ProtocolError)(nil); errors.As(err, &pe) {
		return pe
	}
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

// watch bounds, once ctx ends, a write blocked on a server that stopped
// reading to closeGrace rather than the write timeout, by moving the
// write deadline: a message being written to a healthy server still
// completes, so that unpublish can follow it. It costs nothing per
// message.
func (c *clientConn) watch(ctx context.Context) {
	done := make(chan struct{})
	c.watchDone = done
	c.stopWatch = context.AfterFunc(ctx, func() {
		defer close(done)
		_ = c.nc.SetWriteDeadline(time.Now().Add(closeGrace))
	})
}

// unwatch ends watch: once it returns, writes under another context (the
// unpublish grace) are not interrupted anymore.
func (c *clientConn) unwatch() {
	c.unwatchOnce.Do(func() {
		if !c.stopWatch() && c.watchDone != nil {
			<-c.watchDone // the interruption is running: let it finish
		}
	})
}

// close closes the socket, then waits for the read loop to exit.
func (c *clientConn) close() {
	c.closeOnce.Do(func() {
		c.unwatch()
		close(c.closing)
		_ = c.nc.Close()
		<-c.readDone
	})
}
