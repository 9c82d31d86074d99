package rtmp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/yutopp/go-rtmp/message"
)

// writeMessage sends m: its chunks (RTMP 5.3) with a single Write on the
// socket, from the calling goroutine, one message at a time whatever the
// number of writers (the muxer, the publish commands, the read loop's
// answers). When it returns the last byte is in the socket, so capture,
// when not zero, is the capture time of the video frame m carries: its
// capture-to-wire latency is recorded then. It fails once the connection
// is broken, and for good after a failed write, which may have cut a
// message short.
func (c *clientConn) writeMessage(ctx context.Context, m outMessage, capture time.Time) error {
	return c.writeMessages(ctx, []outMessage{m}, []time.Time{capture})
}

// writeMessages sends the messages of ms in order, all with one Write, as
// writeMessage does one; captures[i] is the capture time of the video
// frame ms[i] carries, or zero.
func (c *clientConn) writeMessages(ctx context.Context, ms []outMessage, captures []time.Time) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.writable(); err != nil {
		return err
	}
	// Nothing is encoded or written when ctx already ended: the chunk
	// streams' state must match what the server received.
	if err := c.nc.arm(ctx); err != nil {
		return err
	}
	b, err := c.enc.encodeAll(ms)
	if err != nil {
		return err
	}
	if _, err := c.nc.send(b); err != nil {
		return c.writeFailed(ctx, err)
	}
	if c.latency != nil {
		for _, capture := range captures {
			if !capture.IsZero() {
				c.latency.record(time.Since(capture))
			}
		}
	}
	return nil
}

// writable returns why nothing can be written anymore, or nil.
func (c *clientConn) writable() error {
	if c.werr != nil {
		return c.werr
	}
	select {
	case <-c.closing:
		return errConnClosed
	case <-c.readDone:
		if c.readErr != nil {
			return fmt.Errorf("rtmp read: %w", c.readErr)
		}
		return errConnClosed
	default:
		return nil
	}
}

// writeFailed records a failed Write and returns its error.
func (c *clientConn) writeFailed(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		c.werr = fmt.Errorf("rtmp write interrupted: %w", ctx.Err())
		return ctx.Err()
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		c.werr = fmt.Errorf("rtmp write: the server stopped reading (%w)", err)
	} else {
		c.werr = fmt.Errorf("rtmp write: %w", err)
	}
	return c.werr
}

// write encodes a protocol, command or data message with go-rtmp's
// message encoder and sends it. Media messages use writeMessage directly.
func (c *clientConn) write(ctx context.Context, csid int, ts, streamID uint32, msg message.Message) error {
	var body bytes.Buffer
	if err := message.NewEncoder(&body).Encode(msg); err != nil {
		// Wrapping with fmt also hides go-rtmp's pkg/errors stack
		// traces, which slog would print with %+v.
		return fmt.Errorf("encode rtmp message %d: %w", msg.TypeID(), err)
	}
	return c.writeMessage(ctx, outMessage{
		csid: csid, typeID: uint8(msg.TypeID()), timestamp: ts, streamID: streamID, payload: body.Bytes(),
	}, time.Time{})
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
