package rtmp

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"slices"
)

// Incoming chunking, RTMP specification 1.0 section 5.3
// (https://rtmp.veriskope.com/docs/spec/#53-chunking), read with limits:
// every byte comes from a peer that may be hostile. A length field is
// checked against the limits before anything is kept, and a message's
// buffer grows only with the bytes that actually arrived, so what a peer
// can make us hold is bounded by ReaderLimits, whatever it announces
// (chunk size 0x7FFFFFFF, a 16 MB message, 60 chunk streams each holding
// a partial message). A violation is a *ProtocolError of this connection.

// Default limits of ChunkReader, close to nginx-rtmp's defaults
// (max_message 1M, max_streams 32): a publisher receives only small
// command and control messages from its server.
const (
	DefaultMaxMessage      = 1 << 20
	DefaultMaxChunkStreams = 8
	DefaultMaxBuffered     = 2 << 20
)

// Message type ids of the protocol control messages (RTMP 5.4).
const (
	typeSetChunkSize = 1
	typeAbort        = 2
	typeAck          = 3
	typeUserControl  = 4
	typeWinAckSize   = 5
	typeSetPeerBW    = 6
	typeCommandAMF3  = 17
	typeCommandAMF0  = 20
)

// readPiece is the most a ChunkReader reads (and grows a message buffer
// by) at a time: memory follows the bytes that arrived, not the length
// a header announced.
const readPiece = 16 << 10

// maxChunkSize is the largest chunk size a peer may announce (RTMP 5.4.1:
// 31 bits).
const maxChunkSize = math.MaxInt32

// ReaderLimits bound what a peer can make a ChunkReader hold.
type ReaderLimits struct {
	// MaxMessage is the largest message accepted (default 1 MiB).
	MaxMessage int
	// MaxChunkStreams is how many chunk streams may carry messages
	// (default 8).
	MaxChunkStreams int
	// MaxBuffered bounds the bytes held in unfinished messages over all
	// chunk streams (default 2 MiB).
	MaxBuffered int
}

func (l ReaderLimits) withDefaults() ReaderLimits {
	if l.MaxMessage <= 0 {
		l.MaxMessage = DefaultMaxMessage
	}
	if l.MaxChunkStreams <= 0 {
		l.MaxChunkStreams = DefaultMaxChunkStreams
	}
	if l.MaxBuffered <= 0 {
		l.MaxBuffered = DefaultMaxBuffered
	}
	return l
}

// ProtocolError is a peer breaking the protocol or a limit: the
// connection cannot go on.
type ProtocolError struct{ Msg string }

func (e *ProtocolError) Error() string { return e.Msg }

// Message is one message read by a ChunkReader.
type Message struct {
	ChunkStreamID uint32
	TypeID        uint8
	Timestamp     uint32
	StreamID      uint32
	// Payload is the message body; it is not reused by the reader.
	Payload []byte
}

// inStream is the state of one incoming chunk stream.
type inStream struct {
	id        uint32
	length    int
	typeID    uint8
	streamID  uint32
	timestamp uint32
	delta     uint32
	extended  bool   // the last header had an extended timestamp
	buf       []byte // the message being reassembled
	partial   bool   // a message is under way
}

// ChunkReader reassembles the messages a peer sends (RTMP 5.3). It
// applies Set Chunk Size and Abort Message itself (they belong to the
// chunk layer) and still returns them. It is not safe for concurrent use.
type ChunkReader struct {
	// Peer names the other side in errors ("server" by default).
	Peer string

	r         *bufio.Reader
	limits    ReaderLimits
	chunkSize int
	streams   []inStream
	buffered  int
	n         uint64
	hdr       [11]byte
}

// NewChunkReader reads messages from r, which is used as is when it is
// a *bufio.Reader (bytes the handshake left buffered are kept).
func NewChunkReader(r io.Reader, limits ReaderLimits) *ChunkReader {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 16*1024)
	}
	return &ChunkReader{r: br, limits: limits.withDefaults(), chunkSize: 128, Peer: "server"}
}

// BytesRead is the number of bytes read so far (for acknowledgements).
func (c *ChunkReader) BytesRead() uint64 { return c.n }

// ChunkSize is the peer's current chunk size.
func (c *ChunkReader) ChunkSize() int { return c.chunkSize }

func (c *ChunkReader) errorf(format string, args ...any) error {
	return &ProtocolError{Msg: c.Peer + " " + fmt.Sprintf(format, args...)}
}

// ReadMessage returns the next complete message.
func (c *ChunkReader) ReadMessage() (Message, error) {
	for {
		m, done, err := c.readChunk()
		if err != nil {
			return Message{}, err
		}
		if !done {
			continue
		}
		if err := c.control(m); err != nil {
			return Message{}, err
		}
		return m, nil
	}
}

// control applies the chunk layer's own messages.
func (c *ChunkReader) control(m Message) error {
	if m.StreamID != 0 || len(m.Payload) < 4 {
		return nil
	}
	v := binary.BigEndian.Uint32(m.Payload)
	switch m.TypeID {
	case typeSetChunkSize:
		if v == 0 || v > maxChunkSize {
			return c.errorf("set chunk size %d (want 1 to %d)", v, maxChunkSize)
		}
		c.chunkSize = int(v)
	case typeAbort:
		if st := c.find(v); st != nil && st.partial {
			c.buffered -= len(st.buf)
			st.buf, st.partial = nil, false
		}
	}
	return nil
}

func (c *ChunkReader) readFull(b []byte) error {
	n, err := io.ReadFull(c.r, b)
	c.n += uint64(n)
	return err
}

// basicHeader reads a chunk basic header (RTMP 5.3.1.1).
func (c *ChunkReader) basicHeader() (format uint8, csid uint32, err error) {
	if err := c.readFull(c.hdr[:1]); err != nil {
		return 0, 0, err
	}
	format, csid = c.hdr[0]>>6, uint32(c.hdr[0]&0x3f)
	switch csid {
	case 0:
		if err := c.readFull(c.hdr[:1]); err != nil {
			return 0, 0, err
		}
		csid = 64 + uint32(c.hdr[0])
	case 1:
		if err := c.readFull(c.hdr[:2]); err != nil {
			return 0, 0, err
		}
		csid = 64 + uint32(c.hdr[0]) + uint32(c.hdr[1])<<8
	}
	return format, csid, nil
}

func (c *ChunkReader) find(csid uint32) *inStream {
	for i := range c.streams {
		if c.streams[i].id == csid {
			return &c.streams[i]
		}
	}
	return nil
}

// stream returns chunk stream csid, created by a type 0 header within
// the chunk stream limit.
func (c *ChunkReader) stream(csid uint32, format uint8) (*inStream, error) {
	if st := c.find(csid); st != nil {
		return st, nil
	}
	if format != 0 {
		// RTMP 5.3.1.2.1: a chunk stream starts with a type 0 header.
		return nil, c.errorf("started chunk stream %d without a full header (type %d)", csid, format)
	}
	if len(c.streams) >= c.limits.MaxChunkStreams {
		return nil, c.errorf("used more than %d chunk streams (limit %d)", len(c.streams), c.limits.MaxChunkStreams)
	}
	c.streams = append(c.streams, inStream{id: csid})
	return &c.streams[len(c.streams)-1], nil
}

// messageHeader reads the message header of the given format (RTMP
// 5.3.1.2) and the extended timestamp (5.3.1.3) into st.
func (c *ChunkReader) messageHeader(st *inStream, format uint8) error {
	n := [4]int{11, 7, 3, 0}[format]
	if err := c.readFull(c.hdr[:n]); err != nil {
		return err
	}
	if format == 3 {
		if st.extended {
			// The extended timestamp is repeated; its value is the one
			// of the last full header.
			if err := c.readFull(c.hdr[:4]); err != nil {
				return err
			}
		}
		if !st.partial {
			st.timestamp += st.delta
		}
		return nil
	}
	if st.partial {
		return c.errorf("sent a new message header on chunk stream %d before the end of its message", st.id)
	}
	field := uint32(c.hdr[0])<<16 | uint32(c.hdr[1])<<8 | uint32(c.hdr[2])
	if format <= 1 {
		length := int(c.hdr[3])<<16 | int(c.hdr[4])<<8 | int(c.hdr[5])
		if length > c.limits.MaxMessage {
			return c.errorf("sent a %s message (limit %s)", sizeText(length), sizeText(c.limits.MaxMessage))
		}
		st.length, st.typeID = length, c.hdr[6]
	}
	if format == 0 {
		st.streamID = binary.LittleEndian.Uint32(c.hdr[7:11])
	}
	st.extended = field == extendedTS
	if st.extended {
		if err := c.readFull(c.hdr[:4]); err != nil {
			return err
		}
		field = binary.BigEndian.Uint32(c.hdr[:4])
	}
	if format == 0 {
		st.timestamp, st.delta = field, 0
	} else {
		st.timestamp, st.delta = st.timestamp+field, field
	}
	return nil
}

// readChunk reads one chunk and returns the message it completes, if any.
func (c *ChunkReader) readChunk() (Message, bool, error) {
	format, csid, err := c.basicHeader()
	if err != nil {
		return Message{}, false, err
	}
	st, err := c.stream(csid, format)
	if err != nil {
		return Message{}, false, err
	}
	if err := c.messageHeader(st, format); err != nil {
		return Message{}, false, err
	}
	n := min(st.length-len(st.buf), c.chunkSize)
	if n > 0 {
		if c.buffered+n > c.limits.MaxBuffered {
			return Message{}, false, c.errorf("left more than %s in unfinished messages (limit %s)",
				sizeText(c.buffered), sizeText(c.limits.MaxBuffered))
		}
		// The buffer grows with what arrives, never from the length: a
		// chunk can be the whole message (chunk size up to 2^31-1), so it
		// is read in pieces of at most readPiece bytes.
		for got := 0; got < n; {
			k := min(n-got, readPiece)
			start := len(st.buf)
			st.buf = slices.Grow(st.buf, k)[:start+k]
			if err := c.readFull(st.buf[start:]); err != nil {
				return Message{}, false, err
			}
			got += k
		}
		c.buffered += n
	}
	if len(st.buf) < st.length {
		st.partial = true
		return Message{}, false, nil
	}
	m := Message{ChunkStreamID: csid, TypeID: st.typeID, Timestamp: st.timestamp, StreamID: st.streamID, Payload: st.buf}
	c.buffered -= len(st.buf)
	st.buf, st.partial = nil, false
	return m, true, nil
}

// sizeText prints a byte count for people: "16 MB", "1 MB", "900 kB".
func sizeText(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.0f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f kB", float64(n)/(1<<10))
	default:
		return fmt.Sprintf("%d bytes", n)
	}
}
