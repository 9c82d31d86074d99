package benchmark

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"time"

	gortmp "github.com/yutopp/go-rtmp"
	"github.com/yutopp/go-rtmp/handshake"
	"github.com/yutopp/go-rtmp/message"
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

// read parses chunks (RTMP specification 1.0, section 5.3) until the
// first coded video frame (an AVC NALU tag, not the sequence header)
// arrives or the connection ends.
func (p *firstVideoProbe) read(r *bufio.Reader) {
	defer close(p.done)
	var cr chunkReader
	cr.r, cr.chunkSize = r, 128
	for {
		typ, body, err := cr.next()
		if err != nil {
			return
		}
		switch {
		case typ == 1 && len(body) >= 4: // Set Chunk Size
			cr.chunkSize = int(binary.BigEndian.Uint32(body) & 0x7fffffff)
		case typ == 9 && len(body) >= 2 && body[1] == 1: // video, AVC NALU
			p.first <- time.Now()
			return
		}
	}
}

// chunkReader reassembles RTMP messages from chunks.
type chunkReader struct {
	r         *bufio.Reader
	chunkSize int
	streams   map[uint32]*chunkState
}

type chunkState struct {
	length int
	typ    byte
	buf    []byte
}

// next returns the type and body of the next complete message.
func (c *chunkReader) next() (byte, []byte, error) {
	if c.streams == nil {
		c.streams = map[uint32]*chunkState{}
	}
	for {
		b0, err := c.r.ReadByte()
		if err != nil {
			return 0, nil, err
		}
		csid := uint32(b0 & 0x3f)
		switch csid {
		case 0:
			b, err := c.r.ReadByte()
			if err != nil {
				return 0, nil, err
			}
			csid = 64 + uint32(b)
		case 1:
			var b [2]byte
			if _, err := io.ReadFull(c.r, b[:]); err != nil {
				return 0, nil, err
			}
			csid = 64 + uint32(b[0]) + 256*uint32(b[1])
		}
		st := c.streams[csid]
		if st == nil {
			st = &chunkState{}
			c.streams[csid] = st
		}
		var h [11]byte
		n := [4]int{11, 7, 3, 0}[b0>>6]
		if _, err := io.ReadFull(c.r, h[:n]); err != nil {
			return 0, nil, err
		}
		if n >= 7 {
			st.length = int(h[3])<<16 | int(h[4])<<8 | int(h[5])
			st.typ = h[6]
		}
		if n >= 3 && h[0] == 0xff && h[1] == 0xff && h[2] == 0xff {
			if _, err := c.r.Discard(4); err != nil { // extended timestamp
				return 0, nil, err
			}
		}
		want := min(st.length-len(st.buf), c.chunkSize)
		if want > 0 {
			start := len(st.buf)
			st.buf = append(st.buf, make([]byte, want)...)
			if _, err := io.ReadFull(c.r, st.buf[start:]); err != nil {
				return 0, nil, err
			}
		}
		if len(st.buf) >= st.length {
			body := st.buf
			st.buf = nil
			return st.typ, body, nil
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
