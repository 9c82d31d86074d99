package rtmptest

import (
	"bytes"
	"encoding/binary"

	"github.com/yutopp/go-rtmp/message"
)

// msg is one message the server sends.
type msg struct {
	csid, typeID int
	streamID     uint32
	payload      []byte
}

func newMsg(csid, typeID int, streamID uint32, payload []byte) msg {
	return msg{csid: csid, typeID: typeID, streamID: streamID, payload: payload}
}

// header0 is a type 0 chunk header (RTMP 5.3.1.2.1), timestamp 0.
func header0(csid, length, typeID int, streamID uint32) []byte {
	b := []byte{byte(csid), 0, 0, 0, byte(length >> 16), byte(length >> 8), byte(length), byte(typeID)}
	return binary.LittleEndian.AppendUint32(b, streamID)
}

// chunks cuts the message into chunks of size bytes (csid < 64).
func (m msg) chunks(size int) []byte {
	b := header0(m.csid, len(m.payload), m.typeID, m.streamID)
	p := m.payload
	for {
		n := min(len(p), size)
		b = append(b, p[:n]...)
		if p = p[n:]; len(p) == 0 {
			return b
		}
		b = append(b, 0xc0|byte(m.csid))
	}
}

// amf encodes values in AMF0 with go-rtmp's encoder (nil is null,
// map[string]any an object). Only the kit's own values are encoded: a
// value the encoder refuses is left out (the client then sees it
// missing).
func amf(values ...any) []byte {
	var buf bytes.Buffer
	enc := message.NewAMFEncoder(&buf, message.EncodingTypeAMF0)
	for _, v := range values {
		_ = enc.Encode(v)
	}
	return buf.Bytes()
}

// strictArray is the header of an AMF0 strict array claiming n elements.
func strictArray(n uint32) []byte {
	return binary.BigEndian.AppendUint32([]byte{0x0a}, n)
}
