package rtmp

import (
	"context"
	"encoding/binary"
	"fmt"
	"sync/atomic"
	"time"
)

// Reading what the server sends to a publisher: command answers, control
// messages (RTMP 5.4, 7.1.7) and nothing else of use. A server is
// trusted with none of it: the chunk layer is bounded (reader.go),
// commands are decoded by the bounded AMF0 decoder (amf.go), and what
// the server can make us do is rate-limited (flood control): pings are
// answered at most pingRate a second, acknowledgements are sent at most
// ackRate a second whatever the window asked for (the check runs once per
// message, never per byte), and past readMsgRate messages or readByteRate
// bytes a second the reader stops reading for a while, so that a flood
// costs the server its send buffer, not our CPU.

// Flood control rates (per second) and bursts.
const (
	pingRate      = 10
	ackRate       = 10
	readMsgRate   = 200
	readMsgBurst  = 400
	readByteRate  = 1 << 20
	readByteBurst = 2 << 20
	// minReadPause is the shortest pause of a flooded reader: a flood
	// costs a wake-up every 100 ms, not one per message.
	minReadPause = 100 * time.Millisecond
	// floodNoteFor is how long the flood note stays after the last sign
	// of a flood.
	floodNoteFor = 10 * time.Second
)

// User control event types (RTMP 7.1.7).
const (
	eventPingRequest  = 6
	eventPingResponse = 7
)

// bucket is a token bucket.
type bucket struct {
	rate, burst float64
	tokens      float64
	last        time.Time
}

func newBucket(rate, burst float64) bucket { return bucket{rate: rate, burst: burst, tokens: burst} }

func (b *bucket) refill(now time.Time) {
	if !b.last.IsZero() {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	b.last = now
}

// take spends n tokens when there are that many.
func (b *bucket) take(now time.Time, n float64) bool {
	b.refill(now)
	if b.tokens < n {
		return false
	}
	b.tokens -= n
	return true
}

// charge spends n tokens, going into debt, and returns how long until
// the debt is paid.
func (b *bucket) charge(now time.Time, n float64) time.Duration {
	b.refill(now)
	b.tokens -= n
	if b.tokens >= 0 {
		return 0
	}
	return time.Duration(-b.tokens / b.rate * float64(time.Second))
}

// floodStats count what a server made us ignore, over every connection of
// one destination.
type floodStats struct {
	pingsAnswered atomic.Uint64
	pingsIgnored  atomic.Uint64
	acksDeferred  atomic.Uint64
	ignoredMsgs   atomic.Uint64
	pausedNanos   atomic.Uint64
	lastFlood     atomic.Uint64 // unix nanos of the last sign of a flood
}

func (f *floodStats) flooded(now time.Time) { f.lastFlood.Store(uint64(now.UnixNano())) }

// note is the destination's note while the server floods.
func (f *floodStats) note(now time.Time) string {
	last := f.lastFlood.Load()
	if last == 0 || now.Sub(time.Unix(0, int64(last))) > floodNoteFor {
		return ""
	}
	return fmt.Sprintf("server is flooding control messages (%d pings ignored, reading paused %.1f s)",
		f.pingsIgnored.Load(), time.Duration(f.pausedNanos.Load()).Seconds())
}

// serverReader reads one connection's server messages.
type serverReader struct {
	cr    *ChunkReader
	send  func(outMessage) error // answers (pings, acknowledgements)
	pause func(time.Duration) bool
	stats *floodStats
	now   func() time.Time

	pings, acks, msgs, bytes bucket
	ackWindow, acked         uint64
}

func newServerReader(cr *ChunkReader, stats *floodStats, send func(outMessage) error, pause func(time.Duration) bool) *serverReader {
	return &serverReader{
		cr: cr, send: send, pause: pause, stats: stats, now: time.Now,
		pings: newBucket(pingRate, pingRate), acks: newBucket(ackRate, ackRate),
		msgs: newBucket(readMsgRate, readMsgBurst), bytes: newBucket(readByteRate, readByteBurst),
	}
}

// next returns the next command from the server, acting on the control
// messages before it.
func (r *serverReader) next() (Command, error) {
	for {
		m, err := r.cr.ReadMessage()
		if err != nil {
			return Command{}, err
		}
		now := r.now()
		cmd, isCmd, err := r.handle(now, m)
		if err != nil {
			return Command{}, err
		}
		r.acknowledge(now)
		wait := max(r.msgs.charge(now, 1), r.bytes.charge(now, float64(len(m.Payload))))
		if wait > 0 {
			wait = max(wait, minReadPause)
			r.stats.flooded(now)
			r.stats.pausedNanos.Add(uint64(wait))
			if !r.pause(wait) {
				return Command{}, errConnClosed
			}
		}
		if isCmd {
			return cmd, nil
		}
	}
}

// handle acts on one message; commands are decoded and returned.
func (r *serverReader) handle(now time.Time, m Message) (Command, bool, error) {
	switch m.TypeID {
	case typeSetChunkSize, typeAbort, typeAck, typeSetPeerBW:
		// Applied by the chunk reader, or nothing to do for a publisher.
	case typeWinAckSize:
		if len(m.Payload) >= 4 {
			// RTMP 5.4.4: acknowledge every window bytes received.
			r.ackWindow = uint64(binary.BigEndian.Uint32(m.Payload))
		}
	case typeUserControl:
		r.userControl(now, m.Payload)
	case typeCommandAMF0, typeCommandAMF3:
		body := m.Payload
		if m.TypeID == typeCommandAMF3 && len(body) > 0 {
			body = body[1:] // an AMF0 body after a format byte (RTMP 7.1.1)
		}
		cmd, err := DecodeCommand(body)
		if err != nil {
			what := "command"
			if cmd.Name != "" {
				what = cmd.Name
			}
			return Command{}, false, &ProtocolError{Msg: fmt.Sprintf("server sent a malformed %s: %v", what, err)}
		}
		return cmd, true, nil
	default:
		r.stats.ignoredMsgs.Add(1)
	}
	return Command{}, false, nil
}

// userControl answers a ping request with its timestamp (RTMP 7.1.7),
// at most pingRate a second.
func (r *serverReader) userControl(now time.Time, p []byte) {
	if len(p) < 6 || binary.BigEndian.Uint16(p) != eventPingRequest {
		return
	}
	if !r.pings.take(now, 1) {
		r.stats.pingsIgnored.Add(1)
		r.stats.flooded(now)
		return
	}
	r.stats.pingsAnswered.Add(1)
	b := make([]byte, 6)
	binary.BigEndian.PutUint16(b, eventPingResponse)
	copy(b[2:], p[2:6])
	_ = r.send(outMessage{csid: csControl, typeID: typeUserControl, payload: b})
}

// acknowledge sends an Acknowledgement (RTMP 5.4.3) once a window's worth
// of bytes has been received since the last one, at most ackRate a
// second: its sequence number is the number of bytes received so far.
func (r *serverReader) acknowledge(now time.Time) {
	n := r.cr.BytesRead()
	if r.ackWindow == 0 || n-r.acked < r.ackWindow {
		return
	}
	if !r.acks.take(now, 1) {
		r.stats.acksDeferred.Add(1)
		return
	}
	r.acked = n
	b := binary.BigEndian.AppendUint32(make([]byte, 0, 4), uint32(n))
	_ = r.send(outMessage{csid: csControl, typeID: typeAck, payload: b})
}

// readLoop reads server messages until the connection ends: commands are
// queued for the caller, control messages are answered by the reader.
func (c *clientConn) readLoop() {
	defer close(c.readDone)
	for {
		cmd, err := c.sr.next()
		if err != nil {
			c.readErr = timeoutHint(err)
			return
		}
		// Nobody waits for commands once live: a server sending more
		// than the queue holds loses them, it does not stop the reader.
		select {
		case c.commands <- cmd:
		default:
			c.flood.ignoredMsgs.Add(1)
		}
	}
}

// pauseRead sleeps for d unless the connection closes first (false).
func (c *clientConn) pauseRead(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-c.closing:
		return false
	}
}

// answer sends a control message from the read loop. Its errors reach
// the muxer's next write.
func (c *clientConn) answer(m outMessage) error {
	return c.writeMessage(context.Background(), m, time.Time{})
}

// await returns the next server command accepted by match, waiting at
// most the connection timeout.
func (c *clientConn) await(ctx context.Context, what string, match func(Command) bool) (Command, error) {
	timer := time.NewTimer(c.timeout)
	defer timer.Stop()
	for {
		select {
		case cmd := <-c.commands:
			if match(cmd) {
				return cmd, nil
			}
		case <-c.readDone:
			return Command{}, fmt.Errorf("waiting for the answer to %s: %w", what, c.readErrOr())
		case <-timer.C:
			return Command{}, fmt.Errorf("server did not answer %s within %s", what, c.timeout)
		case <-ctx.Done():
			return Command{}, ctx.Err()
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
