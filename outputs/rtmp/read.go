package rtmp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	gortmp "github.com/yutopp/go-rtmp"
	"github.com/yutopp/go-rtmp/message"
)

// goRTMPAckLimit bounds the bytes read from one server. go-rtmp's chunk
// reader sends an acknowledgement through its own writer once it has read
// half of its window, which stays at math.MaxInt32 (we never set it):
// stopping below that keeps our chunk encoder the only writer on the
// socket. A publisher receives a few bytes a second (acknowledgements,
// pings), so only a misbehaving server reaches it; the connection then
// fails and is redialled.
const goRTMPAckLimit = math.MaxInt32/2 - 1

// errReadLimit ends a connection that reached goRTMPAckLimit.
var errReadLimit = errors.New("the server sent more than 1 GiB to a publisher")

// readCounter counts the bytes received from the server, for our
// acknowledgements (RTMP 5.4.3), and stops at limit.
type readCounter struct {
	r     io.Reader
	n     uint64
	limit uint64
}

func (rc *readCounter) Read(p []byte) (int, error) {
	if left := rc.limit - rc.n; uint64(len(p)) > left {
		p = p[:left]
	}
	if len(p) == 0 {
		return 0, errReadLimit
	}
	n, err := rc.r.Read(p)
	rc.n += uint64(n)
	return n, err
}

// readLoop decodes server messages: chunk size changes are applied, pings
// and acknowledgement windows are answered, commands are queued for the
// caller.
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
		if err := c.handle(cm.Message); err != nil {
			c.readErr = err
			return
		}
		c.acknowledge()
	}
}

// handle acts on one server message. Its writes (ping answers) go
// through the connection's writer like any other and are bounded by the
// write timeout; their errors reach the muxer's next write.
func (c *clientConn) handle(msg message.Message) error {
	switch m := msg.(type) {
	case *message.SetChunkSize:
		if err := c.cs.PeerState().SetChunkSize(m.ChunkSize); err != nil {
			return fmt.Errorf("server chunk size: %w", err)
		}
	case *message.WinAckSize:
		// RTMP 5.4.4: acknowledge every Size bytes received.
		c.ackWindow = uint64(max(m.Size, 0))
	case *message.UserCtrl:
		// RTMP 7.1.7: a ping request is answered with its timestamp.
		if p, ok := m.Event.(*message.UserCtrlEventPingRequest); ok {
			_ = c.write(context.Background(), csControl, 0, 0, &message.UserCtrl{
				Event: &message.UserCtrlEventPingResponse{Timestamp: p.Timestamp},
			})
		}
	case *message.CommandMessage:
		cmd := serverCommand{name: m.CommandName, tx: m.TransactionID, values: decodeValues(m)}
		select {
		case c.commands <- cmd:
		case <-c.closing:
			return errConnClosed
		}
	}
	return nil
}

// acknowledge sends an Acknowledgement (RTMP 5.4.3) once a window's worth
// of bytes has been received since the last one: its sequence number is
// the number of bytes received so far.
func (c *clientConn) acknowledge() {
	if c.ackWindow == 0 || c.rx.n-c.acked < c.ackWindow {
		return
	}
	c.acked = c.rx.n
	_ = c.write(context.Background(), csControl, 0, 0, &message.Ack{SequenceNumber: uint32(c.rx.n)})
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
