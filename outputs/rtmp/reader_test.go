package rtmp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// wireOf encodes messages with our chunk encoder at chunk size size.
func wireOf(t testing.TB, size int, ms ...outMessage) []byte {
	t.Helper()
	enc := chunkEncoder{size: size}
	var wire []byte
	for _, m := range ms {
		b, err := enc.encode(m)
		if err != nil {
			t.Fatal(err)
		}
		wire = append(wire, b...)
	}
	return wire
}

// TestChunkReaderRoundTrip reads back what our encoder writes: every
// header type, extended timestamps, interleaved chunk streams, a chunk
// size change on the way, read one byte at a time.
func TestChunkReaderRoundTrip(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789"), 1000)
	setSize := binary.BigEndian.AppendUint32(nil, 4096)
	ms := []outMessage{
		{csid: csVideo, typeID: typeVideo, timestamp: 0, streamID: 1, payload: big},
		{csid: csAudio, typeID: typeAudio, timestamp: 10, streamID: 1, payload: []byte("aac")},
		{csid: csVideo, typeID: typeVideo, timestamp: 33, streamID: 1, payload: big},
		{csid: csVideo, typeID: typeVideo, timestamp: 66, streamID: 1, payload: big},
		{csid: csControl, typeID: typeSetChunkSize, payload: setSize},
		{csid: csVideo, typeID: typeVideo, timestamp: 0x1000000, streamID: 1, payload: big[:5000]},
		{csid: 300, typeID: typeVideo, timestamp: 0x1000021, streamID: 1, payload: big[:300]},
		{csid: csVideo, typeID: typeVideo, timestamp: 0x1000042, streamID: 1, payload: []byte{}},
	}
	wire := wireOf(t, 128, ms[:5]...)
	wire = append(wire, wireOf(t, 4096, ms[5:]...)...)
	cr := NewChunkReader(iotest.OneByteReader(bytes.NewReader(wire)), ReaderLimits{})
	for i, want := range ms {
		got, err := cr.ReadMessage()
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if got.ChunkStreamID != uint32(want.csid) || got.TypeID != want.typeID || got.Timestamp != want.timestamp ||
			got.StreamID != want.streamID || !bytes.Equal(got.Payload, want.payload) {
			t.Fatalf("message %d: got cs %d type %d ts %d stream %d len %d; want %+v", i, got.ChunkStreamID,
				got.TypeID, got.Timestamp, got.StreamID, len(got.Payload), want.csid)
		}
	}
	if cr.ChunkSize() != 4096 || cr.BytesRead() != uint64(len(wire)) {
		t.Fatalf("chunk size %d, %d of %d bytes read", cr.ChunkSize(), cr.BytesRead(), len(wire))
	}
	if _, err := cr.ReadMessage(); !errors.Is(err, io.EOF) {
		t.Fatalf("after the last message: %v", err)
	}
}

// TestChunkReaderLargeChunk: a message in one chunk larger than the
// reader's read piece (a large chunk size) is reassembled whole, and what
// is allocated follows the bytes that arrived: a 12-byte header announcing
// 1 MB costs no megabyte.
func TestChunkReaderLargeChunk(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789"), 10_000)
	wire := wireOf(t, 1<<20, outMessage{csid: csVideo, typeID: typeVideo, streamID: 1, payload: big})
	cr := NewChunkReader(bytes.NewReader(wire), ReaderLimits{})
	cr.chunkSize = 1 << 20
	if got, err := cr.ReadMessage(); err != nil || !bytes.Equal(got.Payload, big) {
		t.Fatalf("read %d bytes, %v; want %d", len(got.Payload), err, len(big))
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	cr = NewChunkReader(bytes.NewReader(header0(4, 1<<20-1, typeVideo)), ReaderLimits{})
	cr.chunkSize = 1 << 20
	if _, err := cr.ReadMessage(); err == nil {
		t.Fatal("a cut message was read")
	}
	runtime.ReadMemStats(&after)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 128<<10 {
		t.Fatalf("allocated %d bytes for a 12-byte header", grew)
	}
}

// header0 is a type 0 chunk header announcing a message of length on csid.
func header0(csid byte, length int, typeID byte) []byte {
	return []byte{csid, 0, 0, 0, byte(length >> 16), byte(length >> 8), byte(length), typeID, 0, 0, 0, 0}
}

// TestChunkReaderLimits: what a hostile server announces is refused with
// a clear error before it costs memory.
func TestChunkReaderLimits(t *testing.T) {
	huge := append(header0(4, 0xffffff, typeVideo), make([]byte, 128)...)
	var streams []byte
	for cs := byte(3); cs < 3+20; cs++ {
		streams = append(streams, header0(cs, 10, typeVideo)...)
		streams = append(streams, make([]byte, 10)...)
	}
	var partial []byte
	partial = append(partial, 0x02, 0, 0, 0, 0, 0, 4, typeSetChunkSize, 0, 0, 0, 0)
	partial = binary.BigEndian.AppendUint32(partial, 1<<20-2) // each message stays one byte short
	for cs := byte(3); cs < 8; cs++ {
		partial = append(partial, header0(cs, 1<<20-1, typeVideo)...)
		partial = append(partial, make([]byte, 1<<20-2)...)
	}
	cases := []struct {
		name, wire, want string
	}{
		{"16 MB message", string(huge), "server sent a 16 MB message (limit 1 MB)"},
		{"chunk streams", string(streams), "server used more than 8 chunk streams (limit 8)"},
		{"partial messages", string(partial), "server left more than 2 MB in unfinished messages (limit 2 MB)"},
		{"no full header", "\x43\x00\x00\x00\x00\x00\x05\x09", "server started chunk stream 3 without a full header"},
		{"chunk size 0", "\x02\x00\x00\x00\x00\x00\x04\x01\x00\x00\x00\x00\x00\x00\x00\x00", "set chunk size 0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			cr := NewChunkReader(strings.NewReader(c.wire), ReaderLimits{})
			var err error
			for err == nil {
				_, err = cr.ReadMessage()
			}
			runtime.ReadMemStats(&after)
			var pe *ProtocolError
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want a ProtocolError with %q", err, c.want)
			}
			if grew := after.TotalAlloc - before.TotalAlloc; grew > uint64(len(c.wire))*2+1<<20 {
				t.Fatalf("allocated %d bytes for %d bytes of input", grew, len(c.wire))
			}
		})
	}
}

// FuzzChunkReader feeds arbitrary bytes to the client's read side after
// the handshake (chunk reader, message handling, AMF0 decoding, flood
// control): it never panics and allocates in proportion to the input,
// whatever lengths the input announces.
func FuzzChunkReader(f *testing.F) {
	f.Add(wireOf(f, 128, outMessage{csid: csCommand, typeID: typeCommandAMF0, payload: connectResult()}))
	f.Add(append(header0(4, 0xffffff, typeVideo), make([]byte, 300)...))
	f.Add([]byte("\x02\x00\x00\x00\x00\x00\x06\x04\x00\x00\x00\x06\x00\x00\x00\x01"))
	f.Add([]byte("\x02\x00\x00\x00\x00\x00\x04\x01\x7f\xff\xff\xff\x03\x00\x00\x00\x00\x00\x10\x14\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		var sent int
		sr := newServerReader(NewChunkReader(bytes.NewReader(b), ReaderLimits{}), &floodStats{},
			func(outMessage) error { sent++; return nil }, func(time.Duration) bool { return true })
		for {
			if _, err := sr.next(); err != nil {
				break
			}
		}
		runtime.ReadMemStats(&after)
		if grew := after.TotalAlloc - before.TotalAlloc; grew > uint64(len(b))*4+256<<10 {
			t.Fatalf("allocated %d bytes for %d bytes of input", grew, len(b))
		}
		if sent > len(b) {
			t.Fatalf("%d answers to %d bytes", sent, len(b))
		}
	})
}
