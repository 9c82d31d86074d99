package benchmark

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"time"

	gortmp "github.com/yutopp/go-rtmp"
	"github.com/yutopp/go-rtmp/handshake"
	"github.com/yutopp/go-rtmp/message"

	"golive/outputs/rtmp"
)

// firstVideoProbe is an RTMP player connected to the ingest before the
// publisher starts: nginx-rtmp (wait_key on) relays the first coded video
// frame of the stream to it the moment the frame arrives, which marks the
// "Go Live → first video tag at the ingest" time (RTMP specification 1.0,
// sections 7.2.1 connect/createStream and 7.2.2 play).
type firstVideoProbe struct {
	nc    net.Conn
	cs    *gortmp.ChunkStreamer
	first chan time.Time
	done  chan struct{}
}

// ingest message stream id nginx-rtmp gives every createStream.
const nginxStreamID = 1

func startFirstVideoProbe(ctx context.Context, addr, app, key string) (*firstVideoProbe, error) {
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("probe player: %w", err)
	}
	_ = nc.SetDeadline(time.Now().Add(5 * time.Second))
	br := bufio.NewReaderSize(nc, 64*1024)
	if err := handshake.HandshakeWithServer(br, nc, &handshake.Config{SkipHandshakeVerification: true}); err != nil {
		nc.Close()
		return nil, fmt.Errorf("probe player handshake: %w", err)
	}
	_ = nc.SetDeadline(time.Time{})
	cs := gortmp.NewChunkStreamer(br, bufio.NewWriter(nc), &gortmp.StreamControlStateConfig{
		DefaultChunkSize: gortmp.DefaultChunkSize, MaxChunkSize: gortmp.MaxChunkSize,
		MaxChunkStreams: 64, DefaultAckWindowSize: math.MaxInt32, MaxAckWindowSize: math.MaxInt32,
		DefaultBandwidthWindowSize: math.MaxInt32, MaxBandwidthWindowSize: math.MaxInt32,
		MaxMessageSize: gortmp.MaxChunkSize, MaxMessageStreams: 16,
	})
	p := &firstVideoProbe{nc: nc, cs: cs, first: make(chan time.Time, 1), done: make(chan struct{})}
	steps := []struct {
		name     string
		tx       int64
		streamID uint32
		body     message.AMFConvertible
	}{
		{"connect", 1, 0, &message.NetConnectionConnect{Command: message.NetConnectionConnectCommand{
			App: app, Type: "nonprivate", TCURL: "rtmp://" + addr + "/" + app}}},
		{"createStream", 2, 0, &message.NetConnectionCreateStream{}},
		{"play", 0, nginxStreamID, playArgs{key}},
	}
	for _, s := range steps {
		var buf bytes.Buffer
		if err := message.EncodeBodyAnyValues(message.NewAMFEncoder(&buf, message.EncodingTypeAMF0), s.body); err != nil {
			nc.Close()
			return nil, fmt.Errorf("probe player %s: %w", s.name, err)
		}
		err := cs.Write(ctx, 3, 0, &gortmp.ChunkMessage{StreamID: s.streamID, Message: &message.CommandMessage{
			CommandName: s.name, TransactionID: s.tx, Encoding: message.EncodingTypeAMF0, Body: &buf}})
		if err != nil {
			nc.Close()
			return nil, fmt.Errorf("probe player %s: %w", s.name, err)
		}
	}
	go p.read(br)
	return p, nil
}

// playArgs is the body of play (go-rtmp does not encode NetStreamPlay):
// a null command object, the stream name, start -2 (live or recorded).
type playArgs struct{ name string }

func (p playArgs) FromArgs(...any) error { return errors.New("play: decode not supported") }

func (p playArgs) ToArgs(message.EncodingType) ([]any, error) {
	return []any{nil, p.name, float64(-2)}, nil
}

// read reads messages with GoLive's own chunk reader (RTMP specification
// 1.0, section 5.3) until the first coded video frame (an AVC NALU tag,
// not the sequence header) arrives or the connection ends. The ingest
// relays whole key frames: the limits are a player's, not a publisher's.
func (p *firstVideoProbe) read(r *bufio.Reader) {
	defer close(p.done)
	cr := rtmp.NewChunkReader(r, rtmp.ReaderLimits{MaxMessage: 16 << 20, MaxChunkStreams: 64, MaxBuffered: 64 << 20})
	for {
		m, err := cr.ReadMessage()
		if err != nil {
			return
		}
		if m.TypeID == 9 && len(m.Payload) >= 2 && m.Payload[1] == 1 { // video, AVC NALU
			p.first <- time.Now()
			return
		}
	}
}

// wait returns when the first video frame arrived, or an error when the
// connection ended first or ctx expired.
func (p *firstVideoProbe) wait(ctx context.Context) (time.Time, error) {
	select {
	case t := <-p.first:
		return t, nil
	case <-p.done:
		select {
		case t := <-p.first:
			return t, nil
		default:
			return time.Time{}, errors.New("probe player: connection ended before any video")
		}
	case <-ctx.Done():
		return time.Time{}, ctx.Err()
	}
}

// close ends the player and waits for its reader.
func (p *firstVideoProbe) close() {
	_ = p.nc.Close()
	_ = p.cs.Close()
	<-p.done
}
