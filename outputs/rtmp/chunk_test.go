package rtmp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"

	gortmp "github.com/yutopp/go-rtmp"
	"github.com/yutopp/go-rtmp/message"
)

// decodedMessage is one message as go-rtmp's chunk reader decoded it.
type decodedMessage struct {
	csid      int
	typeID    uint8
	timestamp uint32
	streamID  uint32
	payload   []byte
}

// goRTMPDecode decodes every message of wire with go-rtmp's chunk reader
// (ChunkStreamer.Read), as a server would with our chunk size. It reads
// one byte at a time: go-rtmp reads a 3-byte basic header with
// io.ReadAtLeast into its whole 64 KiB cache, which takes more than the
// header from a reader that has more.
func goRTMPDecode(t testing.TB, wire []byte) []decodedMessage {
	t.Helper()
	cs := gortmp.NewChunkStreamer(iotest.OneByteReader(bytes.NewReader(wire)), refuseWriter{}, streamerConfig())
	defer func() { _ = cs.Close(); <-cs.Done() }()
	if err := cs.PeerState().SetChunkSize(ChunkSize); err != nil {
		t.Fatal(err)
	}
	var out []decodedMessage
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("go-rtmp read after %d messages: panic %v", len(out), r)
		}
	}()
	for {
		var cm gortmp.ChunkMessage
		csid, ts, err := cs.Read(&cm)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("go-rtmp read after %d messages: %v", len(out), err)
		}
		d := decodedMessage{csid: csid, typeID: uint8(cm.Message.TypeID()), timestamp: ts, streamID: cm.StreamID}
		if p := mediaPayload(cm.Message); p != nil {
			if d.payload, err = io.ReadAll(p); err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, d)
	}
}

// basicHeaderLen is the basic header size for csid (RTMP 5.3.1.1).
func basicHeaderLen(csid int) int {
	switch {
	case csid < 64:
		return 1
	case csid < 320:
		return 2
	default:
		return 3
	}
}

// wantEncodedLen is the size of a message's chunks: its first header,
// the payload, and one type 3 header (with the extended timestamp when
// the first had one) per ChunkSize of payload after the first.
func wantEncodedLen(csid int, format uint8, ext bool, n int) int {
	extLen := 0
	if ext {
		extLen = 4
	}
	chunks := max(1, (n+ChunkSize-1)/ChunkSize)
	return basicHeaderLen(csid) + []int{11, 7, 3, 0}[format] + extLen + n + (chunks-1)*(basicHeaderLen(csid)+extLen)
}

// mediaPayload returns the payload of an audio or video message.
func mediaPayload(m message.Message) io.Reader {
	switch m := m.(type) {
	case *message.VideoMessage:
		return m.Payload
	case *message.AudioMessage:
		return m.Payload
	}
	return nil
}

func randomPayload(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// TestChunkHeaderFormats encodes a sequence chosen to walk every header
// type, both basic header extensions, multi-chunk messages and extended
// timestamps, checks each message's header type and size, and decodes the
// whole stream with go-rtmp's reader: every message must come back with
// its chunk stream, type, absolute timestamp, stream id and payload.
func TestChunkHeaderFormats(t *testing.T) {
	steps := []struct {
		why    string
		csid   int
		typeID uint8
		ts     uint32
		sid    uint32
		n      int
		format uint8
		ext    bool
	}{
		{"first on its chunk stream", csVideo, typeVideo, 0, 1, 40, 0, false},
		{"delta after a type 0 header", csVideo, typeVideo, 33, 1, 40, 2, false},
		{"same delta", csVideo, typeVideo, 66, 1, 40, 3, false},
		{"first audio", csAudio, typeAudio, 10, 1, 300, 0, false},
		{"delta 0 after a type 0 header: not 3 (ffmpeg reads delta 10)", csAudio, typeAudio, 10, 1, 300, 2, false},
		{"new delta", csVideo, typeVideo, 100, 1, 40, 2, false},
		{"new length, 3 chunks", csVideo, typeVideo, 133, 1, 9000, 1, false},
		{"same length and delta, 3 chunks", csVideo, typeVideo, 166, 1, 9000, 3, false},
		{"audio delta", csAudio, typeAudio, 31, 1, 300, 2, false},
		{"audio same delta", csAudio, typeAudio, 52, 1, 300, 3, false},
		{"audio same delta again", csAudio, typeAudio, 73, 1, 300, 3, false},
		{"new type, same length", csVideo, typeAudio, 199, 1, 9000, 1, false},
		{"timestamp backwards", csVideo, typeVideo, 150, 1, 40, 0, false},
		{"new message stream id", csVideo, typeVideo, 183, 2, 40, 0, false},
		{"extended delta", csVideo, typeVideo, 183 + 0x1000000, 2, 40, 2, true},
		{"delta after an extended one", csVideo, typeVideo, 216 + 0x1000000, 2, 40, 2, false},
		{"back from an extended timestamp", csVideo, typeVideo, 100, 2, 40, 0, false},
		{"exactly 0xFFFFFF", csData, typeVideo, 0xffffff, 1, 20, 0, true},
		{"exactly one chunk", csVideo, typeVideo, 133, 2, ChunkSize, 1, false},
		{"one byte more", csVideo, typeVideo, 166, 2, ChunkSize + 1, 1, false},
		{"2-byte basic header, lowest", 64, typeVideo, 7, 1, 5000, 0, false},
		{"2-byte basic header, highest", 319, typeVideo, 8, 1, 10, 0, false},
		{"3-byte basic header, lowest", 320, typeAudio, 9, 1, 5000, 0, false},
		{"3-byte basic header, highest", maxChunkStreamID, typeAudio, 10, 1, 10, 0, false},
		{"3-byte basic header, type 2", maxChunkStreamID, typeAudio, 20, 1, 10, 2, false},
		{"3-byte basic header, type 3", maxChunkStreamID, typeAudio, 30, 1, 10, 3, false},
		{"2-byte basic header, delta", 64, typeVideo, 40, 1, 5000, 2, false},
		{"2-byte basic header, same delta, 2 chunks", 64, typeVideo, 73, 1, 5000, 3, false},
	}
	r := rand.New(rand.NewPCG(1, 2))
	enc := chunkEncoder{size: ChunkSize}
	var wire []byte
	var want []decodedMessage
	for _, s := range steps {
		p := randomPayload(r, s.n)
		b, err := enc.encode(outMessage{csid: s.csid, typeID: s.typeID, timestamp: s.ts, streamID: s.sid, payload: p})
		if err != nil {
			t.Fatalf("%s: %v", s.why, err)
		}
		if got := b[0] >> 6; got != s.format {
			t.Errorf("%s: header type %d, want %d", s.why, got, s.format)
		}
		if got, w := len(b), wantEncodedLen(s.csid, s.format, s.ext, s.n); got != w {
			t.Errorf("%s: %d bytes, want %d", s.why, got, w)
		}
		wire = append(wire, b...)
		want = append(want, decodedMessage{s.csid, s.typeID, s.ts, s.sid, p})
	}
	got := goRTMPDecode(t, wire)
	if len(got) != len(want) {
		t.Fatalf("go-rtmp decoded %d messages, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.csid != w.csid || g.typeID != w.typeID || g.timestamp != w.timestamp || g.streamID != w.streamID ||
			!bytes.Equal(g.payload, w.payload) {
			t.Errorf("%s: decoded csid %d type %d ts %#x stream %d, %d bytes; want csid %d type %d ts %#x stream %d, %d bytes",
				steps[i].why, g.csid, g.typeID, g.timestamp, g.streamID, len(g.payload), w.csid, w.typeID, w.timestamp, w.streamID, len(w.payload))
		}
	}
}

// TestChunkExtendedTimestampContinuation checks that the type 3 headers
// of a message with an extended timestamp, continuation chunks and a new
// message with a type 3 header alike, repeat it (RTMP 5.3.1.3, as
// nginx-rtmp and ffmpeg read them). go-rtmp's reader does not expect the
// repetition: once checked, it is cut out and the rest decoded by go-rtmp.
func TestChunkExtendedTimestampContinuation(t *testing.T) {
	const csid = 320 // 3-byte basic headers
	r := rand.New(rand.NewPCG(3, 4))
	enc := chunkEncoder{size: ChunkSize}
	msgs := []struct {
		ts     uint32
		field  uint32 // the extended timestamp field
		format uint8
	}{
		{0x01234567, 0x01234567, 0}, // absolute
		{0x02234567, 0x01000000, 2}, // delta
		{0x03234567, 0x01000000, 3}, // same delta: type 3, still extended
	}
	var wire []byte
	var want []decodedMessage
	for _, m := range msgs {
		p := randomPayload(r, 2*ChunkSize+100)
		b, err := enc.encode(outMessage{csid: csid, typeID: typeVideo, timestamp: m.ts, streamID: 1, payload: p})
		if err != nil {
			t.Fatal(err)
		}
		wire = append(wire, cutRepeatedExtended(t, b, m.format, m.field, len(p))...)
		want = append(want, decodedMessage{csid, typeVideo, m.ts, 1, p})
	}
	got := goRTMPDecode(t, wire)
	if len(got) != len(want) {
		t.Fatalf("decoded %d messages, want %d", len(got), len(want))
	}
	for i, w := range want {
		if got[i].timestamp != w.timestamp || !bytes.Equal(got[i].payload, w.payload) {
			t.Errorf("message %d: ts %#x, %d bytes; want %#x, %d bytes", i, got[i].timestamp, len(got[i].payload), w.timestamp, len(w.payload))
		}
	}
}

// cutRepeatedExtended checks the chunk layout of one message encoded with
// an extended timestamp field and returns it without the extended
// timestamps that follow type 3 basic headers.
func cutRepeatedExtended(t *testing.T, b []byte, format uint8, field uint32, n int) []byte {
	t.Helper()
	bh := basicHeaderLen(320)
	var out []byte
	hdr := bh + []int{11, 7, 3, 0}[format]
	if format != 3 {
		if ts := b[bh : bh+3]; !bytes.Equal(ts, []byte{0xff, 0xff, 0xff}) {
			t.Fatalf("type %d header timestamp field % x, want ff ff ff", format, ts)
		}
		hdr += 4
		out = append(out, b[:hdr]...)
	} else {
		out = append(out, b[:bh]...)
		hdr += 4
	}
	if got := binary.BigEndian.Uint32(b[hdr-4 : hdr]); got != field {
		t.Fatalf("type %d header: extended timestamp %#x, want %#x", format, got, field)
	}
	b = b[hdr:]
	for left := n; ; {
		k := min(left, ChunkSize)
		out = append(out, b[:k]...)
		b, left = b[k:], left-k
		if left == 0 {
			break
		}
		// Type 3, csid 320 = 64 + 256 (RTMP 5.3.1.1), then the timestamp.
		if !bytes.Equal(b[:bh], []byte{0xc1, 0x00, 0x01}) || binary.BigEndian.Uint32(b[bh:bh+4]) != field {
			t.Fatalf("continuation header % x, want c1 00 01 then the extended timestamp %#x", b[:bh+4], field)
		}
		out = append(out, b[:bh]...)
		b = b[bh+4:]
	}
	if len(b) != 0 {
		t.Fatalf("%d bytes after the last chunk", len(b))
	}
	return out
}

// TestChunkEncoderLimits checks an empty message (one header, no
// continuation) and the errors for what a chunk header cannot carry.
func TestChunkEncoderLimits(t *testing.T) {
	enc := chunkEncoder{size: ChunkSize}
	b, err := enc.encode(outMessage{csid: csCommand, typeID: 20, timestamp: 5, streamID: 1})
	if err != nil || len(b) != 12 || b[0] != csCommand || b[6] != 0 {
		t.Fatalf("empty message = % x, %v; want a lone 12-byte type 0 header", b, err)
	}
	for _, c := range []struct {
		m   outMessage
		msg string
	}{
		{outMessage{csid: 1}, "out of range"},
		{outMessage{csid: maxChunkStreamID + 1}, "out of range"},
		{outMessage{csid: csVideo, payload: make([]byte, maxMessageLength+1)}, "more than"},
	} {
		if _, err := enc.encode(c.m); err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("encode(csid %d, %d bytes) = %v, want %q", c.m.csid, len(c.m.payload), err, c.msg)
		}
	}
}

// TestChunkEncoderAllocations checks that steady state allocates nothing.
func TestChunkEncoderAllocations(t *testing.T) {
	enc := chunkEncoder{size: ChunkSize}
	p := make([]byte, 10_000)
	ts := uint32(0)
	allocs := testing.AllocsPerRun(100, func() {
		ts += 33
		if _, err := enc.encode(outMessage{csid: csVideo, typeID: typeVideo, timestamp: ts, streamID: 1, payload: p}); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per message", allocs)
	}
}
