package rtmp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"syscall"

	"github.com/yutopp/go-rtmp/message"

	"golive/media/unit"
	"golive/outputs/dest"
)

// Transaction ids of the publish sequence (RTMP 7.2.1: connect is 1).
const (
	txConnect       = 1
	txReleaseStream = 2
	txFCPublish     = 3
	txCreateStream  = 4
	txFCUnpublish   = 5
)

// FlashVer is the flashVer sent in connect, in the form ingests expect
// from FMLE-compatible encoders.
const FlashVer = "FMLE/3.0 (compatible; GoLive)"

// ErrPublishRejected matches a publish refused by the server (bad key,
// stream name in use, connect rejected).
var ErrPublishRejected = errors.New("publish rejected")

// publishInfo is what the server told us while publishing.
type publishInfo struct {
	streamID      uint32
	serverVersion string
	status        string
}

// publish runs connect, releaseStream, FCPublish, createStream and
// publish(key, "live"), and waits for NetStream.Publish.Start.
// An HEVC or AV1 stream (vc) announces its FourCC in connect's fourCcList.
func (c *clientConn) publish(ctx context.Context, ep *Endpoint, vc unit.Codec) (*publishInfo, error) {
	info := &publishInfo{}
	var err error
	if info.serverVersion, err = c.connect(ctx, ep, vc); err != nil {
		return nil, err
	}
	// Real ingests answer releaseStream and FCPublish (_result,
	// onFCPublish); the answers are read and ignored.
	for _, cmd := range []struct {
		name string
		tx   int64
	}{{"releaseStream", txReleaseStream}, {"FCPublish", txFCPublish}} {
		err := c.command(ctx, 0, cmd.name, cmd.tx, &message.NetConnectionReleaseStream{StreamName: ep.StreamKey})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", cmd.name, err)
		}
	}
	if info.streamID, err = c.createStream(ctx, ep); err != nil {
		return nil, err
	}
	if info.status, err = c.startPublish(ctx, ep, info.streamID); err != nil {
		return nil, err
	}
	return info, nil
}

// connectSuccess is the status of an accepted connect (RTMP 7.2.1.1).
const connectSuccess = "NetConnection.Connect.Success"

// connect sets the chunk size and connects to the application, returning
// the server's version (fmsVer). The answer must be a _result with
// status NetConnection.Connect.Success.
func (c *clientConn) connect(ctx context.Context, ep *Endpoint, vc unit.Codec) (string, error) {
	if err := c.write(ctx, csControl, 0, 0, &message.SetChunkSize{ChunkSize: ChunkSize}); err != nil {
		return "", err
	}
	var cmd message.AMFConvertible = &message.NetConnectionConnect{
		Command: message.NetConnectionConnectCommand{
			App: ep.App, Type: "nonprivate", FlashVer: FlashVer, TCURL: ep.TCURL,
			Capabilities: 15, AudioCodecs: 0x0400, VideoCodecs: 0x0080, VideoFunction: 1,
			ObjectEncoding: message.EncodingTypeAMF0,
		},
	}
	if fcc := fourCC(vc); fcc != "" {
		cmd = &exConnect{App: ep.App, Type: "nonprivate", FlashVer: FlashVer, TCURL: ep.TCURL,
			Capabilities: 15, AudioCodecs: 0x0400, VideoCodecs: 0x0080, VideoFunction: 1,
			ObjectEncoding: message.EncodingTypeAMF0, FourCCList: []any{fcc}}
	}
	err := c.command(ctx, 0, "connect", txConnect, cmd)
	if err != nil {
		return "", fmt.Errorf("connect: %w", err)
	}
	res, err := c.await(ctx, "connect", isReply(txConnect))
	if err != nil {
		return "", err
	}
	if res.Name == "_error" {
		return "", dest.Fatal(fmt.Errorf("%w: connect to application %q refused: %s",
			ErrPublishRejected, appName(ep), statusText(res, ep.StreamKey)))
	}
	if res.Code != connectSuccess {
		return "", fmt.Errorf("server refused connect: %s", statusText(res, ep.StreamKey))
	}
	return res.FMSVer, nil
}

// createStream asks for a message stream and returns its id.
func (c *clientConn) createStream(ctx context.Context, ep *Endpoint) (uint32, error) {
	if err := c.command(ctx, 0, "createStream", txCreateStream, &message.NetConnectionCreateStream{}); err != nil {
		return 0, fmt.Errorf("createStream: %w", err)
	}
	res, err := c.await(ctx, "createStream", isReply(txCreateStream))
	if err != nil {
		return 0, err
	}
	if res.Name == "_error" || len(res.Numbers) == 0 {
		return 0, fmt.Errorf("createStream refused: %s", statusText(res, ep.StreamKey))
	}
	id := res.Numbers[0]
	if id < 0 || id > math.MaxUint32 || id != math.Trunc(id) {
		return 0, fmt.Errorf("createStream: the server gave stream id %v", id)
	}
	return uint32(id), nil
}

// startPublish publishes the key on streamID and returns the status code
// of the server's answer, which must be NetStream.Publish.Start.
func (c *clientConn) startPublish(ctx context.Context, ep *Endpoint, streamID uint32) (string, error) {
	err := c.command(ctx, streamID, "publish", 0, &message.NetStreamPublish{
		PublishingName: ep.StreamKey, PublishingType: "live",
	})
	if err != nil {
		return "", fmt.Errorf("publish: %w", err)
	}
	st, err := c.await(ctx, "publish", func(cmd Command) bool { return cmd.Name == "onStatus" })
	if err != nil {
		if ctx.Err() == nil && c.closedByServer() {
			// Ingests that check keys out of band (nginx-rtmp on_publish,
			// Twitch) drop the connection instead of answering.
			return "", dest.Fatal(fmt.Errorf("%w: the server closed the connection in answer to publish "+
				"(stream key refused?): %w", ErrPublishRejected, err))
		}
		return "", err
	}
	if st.Code != "NetStream.Publish.Start" {
		return "", dest.Fatal(fmt.Errorf("%w by the server: %s", ErrPublishRejected, statusText(st, ep.StreamKey)))
	}
	return st.Code, nil
}

// unpublish sends FCUnpublish and deleteStream (best effort), within
// ctx's deadline. The writes are synchronous: when it returns, they are
// in the socket.
func (c *clientConn) unpublish(ctx context.Context, ep *Endpoint, streamID uint32) {
	c.unwatch() // the publishing context has ended: write under ctx now
	if c.command(ctx, 0, "FCUnpublish", txFCUnpublish, &message.NetStreamFCUnpublish{StreamName: ep.StreamKey}) != nil {
		return
	}
	_ = c.command(ctx, 0, "deleteStream", 0, &message.NetStreamDeleteStream{StreamID: streamID})
}

func isReply(tx float64) func(Command) bool {
	return func(cmd Command) bool {
		return (cmd.Name == "_result" || cmd.Name == "_error") && cmd.TransactionID == tx
	}
}

func appName(ep *Endpoint) string {
	app, _, _ := strings.Cut(ep.App, "?")
	return app
}

// statusText formats an information object as "code: description",
// masking the stream key should the server echo it.
func statusText(cmd Command, key string) string {
	s := cmd.Code
	if cmd.Description != "" {
		s += ": " + cmd.Description
	}
	if s == "" {
		s = "no status given (" + cmd.Name + " without an information object)"
	}
	if key != "" {
		s = strings.ReplaceAll(s, key, MaskKey(key))
	}
	return s
}

// closedByServer reports whether the read loop ended because the server
// closed or reset the connection.
func (c *clientConn) closedByServer() bool {
	select {
	case <-c.readDone:
		return errors.Is(c.readErr, io.EOF) || errors.Is(c.readErr, io.ErrUnexpectedEOF) ||
			errors.Is(c.readErr, syscall.ECONNRESET)
	default:
		return false
	}
}
