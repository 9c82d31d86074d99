package rtmp

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gortmp "github.com/yutopp/go-rtmp"
	"github.com/yutopp/go-rtmp/message"

	"golive/outputs/dest"
)

// recordConn keeps (or, with discard, drops) what is written to it and
// counts the Write calls; reads and deadlines go to one end of a
// net.Pipe, so reads block until the connection is closed.
type recordConn struct {
	net.Conn
	discard bool
	writes  atomic.Int64
	mu      sync.Mutex
	wire    bytes.Buffer
}

func (r *recordConn) Write(b []byte) (int, error) {
	r.writes.Add(1)
	if !r.discard {
		r.mu.Lock()
		r.wire.Write(b)
		r.mu.Unlock()
	}
	return len(b), nil
}

// testConn returns a connection on nc with its read loop running, as
// dial leaves it after the handshake, closed at the end of the test.
func testConn(t testing.TB, nc net.Conn, hist *latencyHist) *clientConn {
	cc := &countingConn{Conn: nc, written: new(atomic.Uint64), writeTimeout: 10 * time.Second}
	c := newClientConn(cc, bufio.NewReader(cc), dialOptions{timeout: time.Second, latency: hist})
	t.Cleanup(c.close)
	return c
}

// pipeConn returns a recordConn whose reads block until it is closed.
func pipeConn(t testing.TB, discard bool) *recordConn {
	a, b := net.Pipe()
	t.Cleanup(func() { _ = a.Close(); _ = b.Close() })
	return &recordConn{Conn: a, discard: discard}
}

// TestWriteMessageOneWrite sends batches of a video frame of every size
// and an audio packet through a connection: each batch is one Write, the
// bytes count, each frame's latency is recorded when written (sequence
// headers are not frames), and go-rtmp decodes every message in order.
func TestWriteMessageOneWrite(t *testing.T) {
	rc := pipeConn(t, false)
	var hist latencyHist
	c := testConn(t, rc, &hist)
	m := &muxer{c: c, streamID: 1, s: &dest.Session{Counters: &dest.Counters{}}, p: &Publisher{}}
	ctx := context.Background()
	sizes := []int{40, 4096, 4097, 12000, 9, 30000, 700}
	for i, n := range sizes {
		capture := time.Now().Add(-20 * time.Millisecond)
		if i == 0 {
			capture = time.Time{} // a sequence header
		}
		m.addMessage(csVideo, typeVideo, uint32(i*33), make([]byte, n), capture)
		m.addMessage(csAudio, typeAudio, uint32(i*21), make([]byte, 300), time.Time{})
		if err := m.flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := rc.writes.Load(), int64(len(sizes)); got != want {
		t.Errorf("%d writes for %d batches", got, want)
	}
	if got := c.nc.written.Load(); got != uint64(rc.wire.Len()) {
		t.Errorf("counted %d bytes, wrote %d", got, rc.wire.Len())
	}
	if got := hist.total.Load(); got != uint64(len(sizes)-1) {
		t.Errorf("%d frames recorded, want %d", got, len(sizes)-1)
	}
	if p50, _ := hist.percentile(0.5); p50 < 20 {
		t.Errorf("p50 = %v ms, want at least the 20 ms the frames are old", p50)
	}
	msgs := goRTMPDecode(t, rc.wire.Bytes())
	if len(msgs) != 2*len(sizes) {
		t.Fatalf("decoded %d messages, want %d", len(msgs), 2*len(sizes))
	}
	for i, n := range sizes {
		if v := msgs[2*i]; v.csid != csVideo || v.typeID != typeVideo || len(v.payload) != n || v.timestamp != uint32(i*33) {
			t.Errorf("video %d: csid %d type %d ts %d, %d bytes", i, v.csid, v.typeID, v.timestamp, len(v.payload))
		}
	}
}

// TestConcurrentWritersDoNotInterleave runs three writers at once, as the
// muxer, the publish commands and the read loop may: every message must
// be decoded whole, in each writer's order.
func TestConcurrentWritersDoNotInterleave(t *testing.T) {
	rc := pipeConn(t, false)
	c := testConn(t, rc, nil)
	const perWriter = 200
	var wg sync.WaitGroup
	for w, csid := range []int{csVideo, csAudio, csControl} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 9))
			for i := range perWriter {
				p := bytes.Repeat([]byte{byte(i)}, 1+r.IntN(3*ChunkSize))
				if err := c.writeMessage(context.Background(), outMessage{csid: csid, typeID: typeVideo, timestamp: uint32(i), streamID: 1, payload: p}, time.Time{}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	next := map[int]int{}
	for _, m := range goRTMPDecode(t, rc.wire.Bytes()) {
		i := next[m.csid]
		if m.timestamp != uint32(i) || len(m.payload) == 0 || !bytes.Equal(m.payload, bytes.Repeat([]byte{byte(i)}, len(m.payload))) {
			t.Fatalf("csid %d: message %d has ts %d, payload % x...", m.csid, i, m.timestamp, m.payload[:min(8, len(m.payload))])
		}
		next[m.csid]++
	}
	if next[csVideo] != perWriter || next[csAudio] != perWriter || next[csControl] != perWriter {
		t.Fatalf("decoded %v messages per chunk stream, want %d each", next, perWriter)
	}
}

// TestWriteInterruptedByContext blocks a write on a server that does not
// read: ending the watched context returns it after closeGrace, not
// after the 10 s write timeout, and the connection then refuses writes
// (the message may have been cut). A context that ended before unwatch
// does not disturb later writes under another context.
func TestWriteInterruptedByContext(t *testing.T) {
	client, server := net.Pipe()
	defer server.Close()
	c := testConn(t, client, nil)
	ctx, cancel := context.WithCancel(context.Background())
	c.watch(ctx)
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	err := c.writeMessage(ctx, outMessage{csid: csVideo, typeID: typeVideo, payload: make([]byte, 10_000)}, time.Time{})
	if took := time.Since(start); !errors.Is(err, context.Canceled) || took < closeGrace || took > closeGrace+3*time.Second {
		t.Fatalf("blocked write = %v after %v, want context.Canceled about %v after the 100 ms", err, took, closeGrace)
	}
	c.unwatch()
	if err := c.write(context.Background(), csControl, 0, 0, &message.Ack{}); err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("write after an interrupted one = %v", err)
	}

	client2, server2 := net.Pipe()
	defer server2.Close()
	go func() { _, _ = io.Copy(io.Discard, server2) }()
	c2 := testConn(t, client2, nil)
	ctx2, cancel2 := context.WithCancel(context.Background())
	c2.watch(ctx2)
	cancel2()
	c2.unwatch()
	if err := c2.write(context.Background(), csControl, 0, 0, &message.Ack{}); err != nil {
		t.Fatalf("write under a live context after unwatch: %v", err)
	}
	if err := c2.write(ctx2, csControl, 0, 0, &message.Ack{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("write under an ended context = %v", err)
	}
}

// TestReadLoopAnswers plays a server that asks for acknowledgements every
// 35 bytes (RTMP 5.4.4) and sends pings: the read loop answers each ping
// with its timestamp and acknowledges the bytes received so far (5.4.3),
// through our writer only.
func TestReadLoopAnswers(t *testing.T) {
	client, server := net.Pipe()
	defer server.Close()
	testConn(t, client, nil)
	const window = 35
	srv := chunkEncoder{size: gortmp.DefaultChunkSize}
	msgs := []message.Message{&message.WinAckSize{Size: window}}
	for i := range 3 {
		msgs = append(msgs, &message.UserCtrl{Event: &message.UserCtrlEventPingRequest{Timestamp: uint32(1000 + i)}})
	}
	var frames [][]byte
	var sent []int // bytes sent after each server message
	total := 0
	for _, m := range msgs {
		var body bytes.Buffer
		if err := message.NewEncoder(&body).Encode(m); err != nil {
			t.Fatal(err)
		}
		b, err := srv.encode(outMessage{csid: csControl, typeID: uint8(m.TypeID()), payload: body.Bytes()})
		if err != nil {
			t.Fatal(err)
		}
		frames = append(frames, bytes.Clone(b))
		total += len(b)
		sent = append(sent, total)
	}
	// The first ping leaves fewer than 35 bytes received, the second more.
	if sent[1] >= window || sent[2] < window {
		t.Fatalf("server messages end at %v bytes: the test needs another window", sent)
	}
	go func() {
		for _, b := range frames { // one Write per message: one Read each
			if _, err := server.Write(b); err != nil {
				return
			}
		}
	}()
	cs := gortmp.NewChunkStreamer(bufio.NewReader(server), refuseWriter{}, streamerConfig())
	defer func() { _ = cs.Close(); <-cs.Done() }()
	_ = cs.PeerState().SetChunkSize(ChunkSize)
	var got []string
	for len(got) < 4 {
		var cm gortmp.ChunkMessage
		_ = server.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, _, err := cs.Read(&cm); err != nil {
			t.Fatalf("after %q: %v", got, err)
		}
		switch m := cm.Message.(type) {
		case *message.UserCtrl:
			got = append(got, "pong "+itoa(int(m.Event.(*message.UserCtrlEventPingResponse).Timestamp)))
		case *message.Ack:
			got = append(got, "ack "+itoa(int(m.SequenceNumber)))
		}
	}
	want := []string{"pong 1000", "pong 1001", "ack " + itoa(sent[2]), "pong 1002"}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Fatalf("client sent %q, want %q", got, want)
	}
}

// discardConn drops what is written and ignores write deadlines
// (net.Pipe's allocate a timer each); reads block until it is closed.
type discardConn struct {
	net.Conn
	writes int
}

func (d *discardConn) Write(b []byte) (int, error)      { d.writes++; return len(b), nil }
func (d *discardConn) SetWriteDeadline(time.Time) error { return nil }

// BenchmarkWriteVideo writes 10 kB video frames (3 chunks) through the
// whole write path but the socket: encoding, one Write, latency record.
func BenchmarkWriteVideo(b *testing.B) {
	dc := &discardConn{Conn: pipeConn(b, true).Conn}
	benchWriteVideo(b, dc)
	b.ReportMetric(float64(dc.writes)/float64(b.N), "writes/op")
}

// BenchmarkWriteVideoTCP does the same to a loopback TCP socket drained
// by another goroutine: write deadlines and write(2) included.
func BenchmarkWriteVideoTCP(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	server, err := ln.Accept()
	if err != nil {
		b.Fatal(err)
	}
	drained := make(chan struct{})
	go func() { defer close(drained); _, _ = io.Copy(io.Discard, server) }()
	defer func() { _ = client.Close(); <-drained; _ = server.Close() }()
	benchWriteVideo(b, client)
}

func benchWriteVideo(b *testing.B, nc net.Conn) {
	var hist latencyHist
	c := testConn(b, nc, &hist)
	defer c.close()
	m := &muxer{c: c, streamID: 1, s: &dest.Session{Counters: &dest.Counters{}}, p: &Publisher{}}
	payload := make([]byte, 10_000)
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(int64(len(payload)))
	for i := 0; b.Loop(); i++ {
		m.addMessage(csVideo, typeVideo, uint32(i*33), payload, time.Now())
		if err := m.flush(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
