package rtmp

import (
	"bufio"
	"bytes"
	"context"
	"testing"
	"time"

	gortmp "github.com/yutopp/go-rtmp"
	"github.com/yutopp/go-rtmp/message"
)

func TestLatencyHistPercentiles(t *testing.T) {
	var h latencyHist
	if _, ok := h.percentile(0.5); ok {
		t.Fatal("empty histogram has a percentile")
	}
	for ms := range 100 { // 0..99 ms, one frame each
		h.record(time.Duration(ms)*time.Millisecond + 300*time.Microsecond)
	}
	h.record(5 * time.Second) // beyond the last bucket
	p50, _ := h.percentile(0.50)
	p99, _ := h.percentile(0.99)
	p100, _ := h.percentile(1)
	if p50 != 51 || p99 != 100 || p100 != 5000 {
		t.Fatalf("p50 %v p99 %v p100 %v, want 51 100 5000", p50, p99, p100)
	}
	d := map[string]any{}
	h.details(d, "latency")
	if d["latency_frames"] != uint64(101) || d["latency_max_ms"] != 5000.0 || d["latency_p50_ms"] != 51.0 {
		t.Fatalf("details = %v", d)
	}
}

// TestWireTapFollowsGoRTMPChunks writes video and audio messages through
// go-rtmp's chunk streamer into a wireTap: every frame must be recorded
// once its last chunk is written, whatever its size or timestamp, and
// the same bytes replayed one at a time must give the same count.
func TestWireTapFollowsGoRTMPChunks(t *testing.T) {
	var wire bytes.Buffer
	var hist latencyHist
	tap := &wireTap{w: &wire, hist: &hist, frames: &frameTimes{}, video: csVideo, chunk: ChunkSize}
	cs := gortmp.NewChunkStreamer(bufio.NewReader(bytes.NewReader(nil)), bufio.NewWriterSize(tap, 2*ChunkSize), streamerConfig())
	defer cs.Close()
	ctx := context.Background()
	sizes := []int{40, 0, 4096, 4097, 12000, 9, 30000, 700}
	stamps := []uint32{0, 33, 66, 0x1000000, 0x1000021, 100, 133, 166} // extended, then reversed
	frames := 0
	for i, n := range sizes {
		capture := time.Now().Add(-time.Duration(10+i) * time.Millisecond)
		if i == 0 {
			capture = time.Time{} // a sequence header: not a frame
		} else {
			frames++
		}
		tap.frames.push(capture)
		msg := &gortmp.ChunkMessage{StreamID: 1, Message: &message.VideoMessage{Payload: bytes.NewReader(make([]byte, n))}}
		if err := cs.Write(ctx, csVideo, stamps[i], msg); err != nil {
			t.Fatal(err)
		}
		audio := &gortmp.ChunkMessage{StreamID: 1, Message: &message.AudioMessage{Payload: bytes.NewReader(make([]byte, 300+i))}}
		if err := cs.Write(ctx, csAudio, stamps[i], audio); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []int{csVideo, csAudio} {
		if _, err := cs.NewChunkWriter(ctx, id); err != nil { // waits until written
			t.Fatal(err)
		}
	}
	if tap.broken || hist.total.Load() != uint64(frames) {
		t.Fatalf("broken %v, %d frames recorded, want %d", tap.broken, hist.total.Load(), frames)
	}
	if p50, _ := hist.percentile(0.5); p50 < 10 {
		t.Fatalf("p50 = %v ms, want at least the 10 ms the frames are old", p50)
	}
	var replay latencyHist
	slow := &wireTap{w: &bytes.Buffer{}, hist: &replay, frames: &frameTimes{}, video: csVideo, chunk: ChunkSize}
	slow.frames.push(time.Time{})
	for range sizes[1:] {
		slow.frames.push(time.Now())
	}
	for _, b := range wire.Bytes() {
		slow.follow([]byte{b}, time.Now())
	}
	if slow.broken || replay.total.Load() != uint64(frames) {
		t.Fatalf("byte by byte: broken %v, %d frames, want %d", slow.broken, replay.total.Load(), frames)
	}
}

func TestFrameTimesFIFO(t *testing.T) {
	var f frameTimes
	base := time.Unix(1000, 0)
	for i := range 70 { // overflows the ring: the oldest are dropped
		f.push(base.Add(time.Duration(i)))
	}
	first, ok := f.pop()
	if !ok || !first.Equal(base.Add(6)) {
		t.Fatalf("first = %v, want base+6", first)
	}
	for range 63 {
		f.pop()
	}
	if _, ok := f.pop(); ok {
		t.Fatal("pop from an empty FIFO")
	}
}
