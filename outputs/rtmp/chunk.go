package rtmp

import (
	"encoding/binary"
	"fmt"
)

// Outgoing chunking, RTMP specification 1.0 section 5.3
// (https://rtmp.veriskope.com/docs/spec/#53-chunking). Every message is
// encoded into one reused buffer, its payload cut into ChunkSize chunks,
// so that the connection hands it to the socket with a single Write from
// the calling goroutine.
//
// Header compression (section 5.3.1.2): each chunk stream remembers the
// header of its previous message, and the next message gets the smallest
// header that describes it:
//
//	type 0 (11 bytes): first message, new message stream id, or a
//	                   timestamp that went backwards (absolute timestamp);
//	type 1 (7 bytes):  new length or message type (timestamp delta);
//	type 2 (3 bytes):  same length and type, new delta;
//	type 3 (0 bytes):  same delta as the previous type 1 or 2 header.
//
// Readers disagree on what a type 3 header means right after a type 0
// one (the specification and ffmpeg take the type 0 timestamp as the
// delta, nginx-rtmp and go-rtmp take 0), so a type 3 header is used for a
// new message only when the previous header carried a delta.
//
// Timestamps and deltas of 0xFFFFFF and more are sent as 0xFFFFFF in the
// header followed by a 4-byte extended timestamp (section 5.3.1.3). The
// continuation chunks of such a message (type 3 headers) repeat the
// extended timestamp, as the specification requires and nginx-rtmp and
// ffmpeg expect.

// Message type ids of audio and video messages (RTMP 7.1.4, 7.1.5).
const (
	typeAudio = 8
	typeVideo = 9
)

// Chunk header limits (RTMP 5.3.1).
const (
	minChunkStreamID = 2        // 0 and 1 mark the 2- and 3-byte basic headers
	maxChunkStreamID = 65599    // 3-byte basic header: 64 + 0xFFFF
	extendedTS       = 0xffffff // timestamp field value announcing an extended timestamp
	maxMessageLength = 0xffffff // the message length field has 3 bytes
)

// chunkStream is the state of one outgoing chunk stream: the header
// fields of its last message.
type chunkStream struct {
	id        int
	length    uint32
	typeID    uint8
	streamID  uint32
	timestamp uint32
	delta     uint32
	started   bool // a message was sent on it
	hasDelta  bool // the last header was type 1 or 2 (see type 3 above)
}

// chunkEncoder splits messages into chunks. It is not safe for
// concurrent use: the connection serialises its writers.
type chunkEncoder struct {
	size    int           // outgoing chunk size
	streams []chunkStream // in order of first use; a handful at most
	buf     []byte
}

// outMessage is one message to send.
type outMessage struct {
	csid      int
	typeID    uint8
	timestamp uint32
	streamID  uint32
	payload   []byte
}

// encode returns the chunks of m, valid until the next call. After the
// first messages on each chunk stream it allocates nothing.
func (e *chunkEncoder) encode(m outMessage) ([]byte, error) {
	return e.encodeAll([]outMessage{m})
}

// encodeAll returns the chunks of every message of ms, one after the
// other, valid until the next call. Nothing is encoded (and no chunk
// stream changes) when one of them cannot be sent.
func (e *chunkEncoder) encodeAll(ms []outMessage) ([]byte, error) {
	for _, m := range ms {
		if err := checkMessage(m); err != nil {
			return nil, err
		}
	}
	b := e.buf[:0]
	for _, m := range ms {
		b = e.appendChunks(b, m)
	}
	e.buf = b
	return b, nil
}

// checkMessage returns why m cannot be chunked, or nil.
func checkMessage(m outMessage) error {
	if m.csid < minChunkStreamID || m.csid > maxChunkStreamID {
		return fmt.Errorf("rtmp chunk stream id %d out of range [%d, %d]", m.csid, minChunkStreamID, maxChunkStreamID)
	}
	if len(m.payload) > maxMessageLength {
		return fmt.Errorf("rtmp message of %d bytes, more than the %d a chunk header can carry", len(m.payload), maxMessageLength)
	}
	return nil
}

// appendChunks appends the chunks of m (checked) to b.
func (e *chunkEncoder) appendChunks(b []byte, m outMessage) []byte {
	format, field := e.stream(m.csid).next(m)
	ext := field >= extendedTS
	b = appendBasicHeader(b, format, m.csid)
	b = appendMessageHeader(b, format, field, m)
	p := m.payload
	for {
		n := min(len(p), e.size)
		b = append(b, p[:n]...)
		if p = p[n:]; len(p) == 0 {
			break
		}
		b = appendBasicHeader(b, 3, m.csid)
		if ext {
			b = binary.BigEndian.AppendUint32(b, field)
		}
	}
	return b
}

// stream returns the state of chunk stream csid, created on first use.
func (e *chunkEncoder) stream(csid int) *chunkStream {
	for i := range e.streams {
		if e.streams[i].id == csid {
			return &e.streams[i]
		}
	}
	e.streams = append(e.streams, chunkStream{id: csid})
	return &e.streams[len(e.streams)-1]
}

// next picks the header format of m on this chunk stream and the value of
// its timestamp field (absolute for type 0, a delta otherwise), and
// remembers m's header.
func (st *chunkStream) next(m outMessage) (format uint8, field uint32) {
	length := uint32(len(m.payload))
	delta := m.timestamp - st.timestamp
	switch {
	case !st.started, m.streamID != st.streamID, m.timestamp < st.timestamp:
		format, field = 0, m.timestamp
	case length != st.length || m.typeID != st.typeID:
		format, field = 1, delta
	case st.hasDelta && delta == st.delta:
		format, field = 3, delta
	default:
		format, field = 2, delta
	}
	st.hasDelta = format != 0
	st.delta = delta
	if format == 0 {
		st.delta = 0
	}
	st.started = true
	st.length, st.typeID, st.streamID, st.timestamp = length, m.typeID, m.streamID, m.timestamp
	return format, field
}

// appendBasicHeader appends a chunk basic header (RTMP 5.3.1.1): chunk
// stream ids 2-63 in one byte, 64-319 in two, 320-65599 in three.
func appendBasicHeader(b []byte, format uint8, csid int) []byte {
	f := format << 6
	switch {
	case csid < 64:
		return append(b, f|byte(csid))
	case csid < 320:
		return append(b, f, byte(csid-64))
	default:
		return append(b, f|1, byte(csid-64), byte((csid-64)>>8))
	}
}

// appendMessageHeader appends the chunk message header of the given
// format (RTMP 5.3.1.2) and the extended timestamp when field needs it.
func appendMessageHeader(b []byte, format uint8, field uint32, m outMessage) []byte {
	if format == 3 {
		if field >= extendedTS {
			b = binary.BigEndian.AppendUint32(b, field)
		}
		return b
	}
	b = appendUint24(b, min(field, extendedTS))
	if format <= 1 {
		b = appendUint24(b, uint32(len(m.payload)))
		b = append(b, m.typeID)
	}
	if format == 0 {
		b = binary.LittleEndian.AppendUint32(b, m.streamID) // little-endian (5.3.1.2.1)
	}
	if field >= extendedTS {
		b = binary.BigEndian.AppendUint32(b, field)
	}
	return b
}

func appendUint24(b []byte, v uint32) []byte {
	return append(b, byte(v>>16), byte(v>>8), byte(v))
}
