// Package rtmptest is a hostile RTMP server for tests: it accepts
// publishers on a loopback port and answers them the way a broken or
// malicious ingest (or anyone on the path of plain RTMP) could, one
// behaviour per server. It is used only from tests (outputs/rtmp,
// app/faults); GoLive's client must turn each behaviour into that
// destination's error, never into the process's.
package rtmptest

import (
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golive/outputs/rtmp"
)

// Behaviour is what a Server does to its publishers.
type Behaviour string

// Behaviours. Unless said otherwise the server first answers connect,
// createStream and publish like nginx-rtmp (the destination goes live)
// and misbehaves one second after NetStream.Publish.Start.
const (
	// Quiet is a well-behaved server that accepts the stream and
	// discards it (the control for the others).
	Quiet Behaviour = "quiet"
	// OversizedMessage sets its chunk size to 0x7FFFFFFF and sends a
	// 16 MB message.
	OversizedMessage Behaviour = "oversized-message"
	// ManyChunkStreams opens 60 chunk streams, each holding a partial
	// message of 1 MiB - 1 (just under the default message limit),
	// sent in 64 KiB chunks, one byte short of complete.
	ManyChunkStreams Behaviour = "many-chunk-streams"
	// HugeArrayConnect answers connect with a _result holding a strict
	// array that claims 2^31-1 elements.
	HugeArrayConnect Behaviour = "huge-array-connect"
	// HugeArrayOnStatus sends, mid-stream, an onStatus holding a strict
	// array that claims 2^31-1 elements.
	HugeArrayOnStatus Behaviour = "huge-array-onstatus"
	// DeepNesting answers connect with a _result holding a million
	// nested objects (NestLevels).
	DeepNesting Behaviour = "deep-nesting"
	// PingFlood asks for a 1-byte acknowledgement window and sends
	// ping requests as fast as the client reads them.
	PingFlood Behaviour = "ping-flood"
	// PublishThenClose answers NetStream.Publish.Start and closes the
	// connection one second later, every time.
	PublishThenClose Behaviour = "publish-then-close"
	// BadS0 answers the handshake with RTMP version 0xFF in S0.
	BadS0 Behaviour = "bad-s0"
	// GarbageConnect answers connect with a _result without status
	// (a null and a string instead of the information object).
	GarbageConnect Behaviour = "garbage-connect"
)

// Behaviours lists every hostile behaviour (all but Quiet).
var Behaviours = []Behaviour{OversizedMessage, ManyChunkStreams, HugeArrayConnect, HugeArrayOnStatus,
	DeepNesting, PingFlood, PublishThenClose, BadS0, GarbageConnect}

// Server is one hostile RTMP server on a loopback port.
type Server struct {
	Behaviour Behaviour
	// NestLevels is the nesting of DeepNesting (default 1,000,000).
	NestLevels int
	// MisbehaveAfter is how long after NetStream.Publish.Start the
	// mid-stream behaviours start (default 1 s).
	MisbehaveAfter time.Duration

	ln        net.Listener
	wg        sync.WaitGroup
	closing   chan struct{}
	closeOnce sync.Once

	mu    sync.Mutex
	conns map[net.Conn]bool

	connections atomic.Int64
	publishes   atomic.Int64
	sent        atomic.Int64
}

// Start starts a server with behaviour b; it stops when the test ends.
func Start(t testing.TB, b Behaviour) *Server {
	t.Helper()
	s := &Server{Behaviour: b}
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// Listen starts accepting connections on a free loopback port.
func (s *Server) Listen() error {
	if s.NestLevels <= 0 {
		s.NestLevels = 1_000_000
	}
	if s.MisbehaveAfter <= 0 {
		s.MisbehaveAfter = time.Second
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	s.ln, s.closing, s.conns = ln, make(chan struct{}), map[net.Conn]bool{}
	s.wg.Add(1)
	go s.accept()
	return nil
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// URL is the rtmp:// URL of a stream key on the server (application "live").
func (s *Server) URL(key string) string { return "rtmp://" + s.Addr() + "/live/" + key }

// Connections is the number of TCP connections accepted so far.
func (s *Server) Connections() int { return int(s.connections.Load()) }

// Publishes is the number of publish commands received so far.
func (s *Server) Publishes() int { return int(s.publishes.Load()) }

// BytesSent is what the server wrote to its clients so far.
func (s *Server) BytesSent() int64 { return s.sent.Load() }

// Close stops the server, closes its connections and waits for them.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closing)
		_ = s.ln.Close()
		s.mu.Lock()
		for c := range s.conns {
			_ = c.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
	})
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		select {
		case <-s.closing:
			s.mu.Unlock()
			_ = nc.Close()
			return
		default:
		}
		s.conns[nc] = true
		s.mu.Unlock()
		s.connections.Add(1)
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			c := &conn{s: s, nc: nc, chunkSize: 128, done: make(chan struct{})}
			c.serve()
			s.mu.Lock()
			delete(s.conns, nc)
			s.mu.Unlock()
		}()
	}
}

// conn is one client connection.
type conn struct {
	s         *Server
	nc        net.Conn
	wmu       sync.Mutex
	chunkSize int
	done      chan struct{} // closed when the connection ends
	misbehave sync.Once
}

func (c *conn) serve() {
	var wg sync.WaitGroup
	defer func() {
		close(c.done)
		_ = c.nc.Close() // ends a misbehaving writer before waiting for it
		wg.Wait()
	}()
	_ = c.nc.SetDeadline(time.Now().Add(10 * time.Second))
	if err := c.handshake(); err != nil || c.s.Behaviour == BadS0 {
		return
	}
	_ = c.nc.SetDeadline(time.Time{})
	cr := rtmp.NewChunkReader(c.nc, rtmp.ReaderLimits{MaxMessage: 16 << 20, MaxChunkStreams: 64, MaxBuffered: 64 << 20})
	cr.Peer = "client"
	for {
		m, err := cr.ReadMessage()
		if err != nil {
			return
		}
		if m.TypeID != 20 {
			continue // media, data and control from the client: discarded
		}
		cmd, err := rtmp.DecodeCommand(m.Payload)
		if err != nil {
			return
		}
		if err := c.command(cmd, &wg); err != nil {
			return
		}
	}
}

// handshake runs the server side of the RTMP handshake (RTMP 5.2), with
// S0 = 0xFF for BadS0.
func (c *conn) handshake() error {
	c01 := make([]byte, 1537)
	if _, err := io.ReadFull(c.nc, c01); err != nil {
		return err
	}
	version := byte(3)
	if c.s.Behaviour == BadS0 {
		version = 0xff
	}
	out := append([]byte{version}, make([]byte, 1536)...) // S0, S1 (time 0, zeros)
	out = append(out, c01[1:]...)                         // S2 echoes C1
	if err := c.write(out); err != nil {
		return err
	}
	_, err := io.ReadFull(c.nc, make([]byte, 1536)) // C2
	return err
}

func (c *conn) write(b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.writeLocked(b)
}

func (c *conn) writeLocked(b []byte) error {
	n, err := c.nc.Write(b)
	c.s.sent.Add(int64(n))
	return err
}

// command answers one client command.
func (c *conn) command(cmd rtmp.Command, wg *sync.WaitGroup) error {
	switch cmd.Name {
	case "connect":
		return c.connectAnswer(cmd.TransactionID)
	case "createStream":
		return c.send(newMsg(3, 20, 0, amf("_result", cmd.TransactionID, nil, 1.0)))
	case "publish":
		c.s.publishes.Add(1)
		err := c.send(newMsg(5, 20, 1, amf("onStatus", 0.0, nil, map[string]any{
			"level": "status", "code": "NetStream.Publish.Start", "description": "Start publishing"})))
		if err != nil {
			return err
		}
		c.misbehave.Do(func() {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c.afterPublish()
			}()
		})
	}
	return nil
}

// connectAnswer answers connect, or misbehaves there.
func (c *conn) connectAnswer(tx float64) error {
	props := map[string]any{"fmsVer": "FMS/3,0,1,123", "capabilities": 31.0}
	switch c.s.Behaviour {
	case HugeArrayConnect:
		body := append(amf("_result", tx, props), strictArray(1<<31-1)...)
		return c.send(newMsg(3, 20, 0, append(body, 5, 5, 5, 5)))
	case DeepNesting:
		body := amf("_result", tx, props)
		for range c.s.NestLevels {
			body = append(body, 3, 0, 1, 'a') // object { a: object { a: ... } }
		}
		if err := c.setChunkSize(1 << 30); err != nil {
			return err
		}
		return c.send(newMsg(3, 20, 0, body))
	case GarbageConnect:
		return c.send(newMsg(3, 20, 0, amf("_result", tx, nil, "garbage")))
	}
	return c.send(newMsg(3, 20, 0, amf("_result", tx, props, map[string]any{
		"level": "status", "code": "NetConnection.Connect.Success", "description": "Connection succeeded."})))
}

// afterPublish runs the mid-stream behaviours.
func (c *conn) afterPublish() {
	select {
	case <-time.After(c.s.MisbehaveAfter):
	case <-c.done:
		return
	case <-c.s.closing:
		return
	}
	switch c.s.Behaviour {
	case PublishThenClose:
		_ = c.nc.Close()
	case HugeArrayOnStatus:
		body := append(amf("onStatus", 0.0, nil), strictArray(1<<31-1)...)
		_ = c.send(newMsg(5, 20, 1, append(body, 5, 5, 5, 5)))
	case OversizedMessage:
		c.oversized()
	case ManyChunkStreams:
		c.manyChunkStreams()
	case PingFlood:
		c.pingFlood()
	}
}

// oversized announces a 16 MB message and sends as much of it as the
// client reads.
func (c *conn) oversized() {
	if c.setChunkSize(0x7fffffff) != nil {
		return
	}
	const size = 16<<20 - 1
	if c.write(header0(4, size, 9, 1)) != nil {
		return
	}
	junk := make([]byte, 64<<10)
	for sent := 0; sent < size; sent += len(junk) {
		if c.write(junk[:min(len(junk), size-sent)]) != nil {
			return
		}
	}
}

// manyChunkStreams leaves a partial message on each of 60 chunk streams.
func (c *conn) manyChunkStreams() {
	const chunk, size = 64 << 10, 1<<20 - 1
	if c.setChunkSize(chunk) != nil {
		return
	}
	junk := make([]byte, chunk)
	for cs := 4; cs < 64; cs++ {
		for sent := 0; sent+chunk < size; sent += chunk {
			b := append([]byte{0xc0 | byte(cs)}, junk...) // type 3: the next chunk
			if sent == 0 {
				b = append(header0(cs, size, 9, 1), junk...)
			}
			if c.write(b) != nil {
				return
			}
		}
	}
}

// pingFlood asks for an acknowledgement every byte and sends pings as
// fast as the client takes them.
func (c *conn) pingFlood() {
	if c.send(newMsg(2, 5, 0, []byte{0, 0, 0, 1})) != nil {
		return
	}
	var batch []byte
	for i := range 4096 {
		batch = append(batch, newMsg(2, 4, 0, []byte{0, 6, 0, 0, byte(i >> 8), byte(i)}).chunks(128)...)
	}
	for {
		if c.write(batch) != nil {
			return
		}
	}
}

// setChunkSize sends Set Chunk Size (RTMP 5.4.1) and uses n from then on.
func (c *conn) setChunkSize(n uint32) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	m := newMsg(2, 1, 0, []byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
	if err := c.writeLocked(m.chunks(c.chunkSize)); err != nil {
		return err
	}
	c.chunkSize = int(n)
	return nil
}

// send writes one message chunked at the current chunk size.
func (c *conn) send(m msg) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.writeLocked(m.chunks(c.chunkSize))
}

// String names the server for test logs.
func (s *Server) String() string {
	return fmt.Sprintf("%s server on %s", s.Behaviour, s.Addr())
}
