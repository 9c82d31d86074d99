package rtmp

import (
	"bytes"
	"encoding/binary"
	"math"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/yutopp/go-rtmp/message"
)

// amfBody encodes values with go-rtmp's AMF0 encoder (an independent
// encoder for our decoder).
func amfBody(t testing.TB, values ...any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := message.NewAMFEncoder(&buf, message.EncodingTypeAMF0)
	for _, v := range values {
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

func connectResult() []byte {
	var buf bytes.Buffer
	enc := message.NewAMFEncoder(&buf, message.EncodingTypeAMF0)
	for _, v := range []any{"_result", float64(1),
		map[string]any{"fmsVer": "FMS/3,0,1,123", "capabilities": float64(31)},
		map[string]any{"level": "status", "code": "NetConnection.Connect.Success",
			"description": "Connection succeeded.", "objectEncoding": float64(0),
			"data": map[string]any{"version": "3,5,7,7009"}}} {
		_ = enc.Encode(v)
	}
	return buf.Bytes()
}

func TestDecodeCommand(t *testing.T) {
	cmd, err := DecodeCommand(connectResult())
	if err != nil {
		t.Fatal(err)
	}
	if cmd.Name != "_result" || cmd.TransactionID != 1 || cmd.FMSVer != "FMS/3,0,1,123" ||
		cmd.Code != "NetConnection.Connect.Success" || cmd.Level != "status" || cmd.Description != "Connection succeeded." {
		t.Fatalf("connect _result: %+v", cmd)
	}
	cmd, err = DecodeCommand(amfBody(t, "_result", float64(4), nil, float64(7)))
	if err != nil || len(cmd.Numbers) != 1 || cmd.Numbers[0] != 7 {
		t.Fatalf("createStream _result: %+v, %v", cmd, err)
	}
	cmd, err = DecodeCommand(amfBody(t, "onStatus", float64(0), nil, map[string]any{
		"code": "NetStream.Publish.BadName", "description": "bad\x1b[31m name", "level": "error"}))
	if err != nil || cmd.Code != "NetStream.Publish.BadName" || cmd.Description != "bad?[31m name" {
		t.Fatalf("onStatus: %+v, %v", cmd, err)
	}
}

// strictArrayOf is a strict array header claiming n elements.
func strictArrayOf(n uint32) []byte {
	return binary.BigEndian.AppendUint32([]byte{amfStrictArray}, n)
}

// TestDecodeCommandHostile: the payloads that took the process down are
// each a short error.
func TestDecodeCommandHostile(t *testing.T) {
	prefix := amfBody(t, "_result", float64(1))
	nested := bytes.Repeat([]byte{amfObject, 0, 1, 'a'}, 1_000_000)
	cases := []struct {
		name string
		body []byte
		want string
	}{
		{"strict array 2^31-1", append(append(bytes.Clone(prefix), strictArrayOf(math.MaxInt32)...), 5, 5, 5),
			"a strict array of 2147483647 elements"},
		{"million nested objects", append(bytes.Clone(prefix), nested...), "nested deeper than 8 levels"},
		{"string past the end", append(bytes.Clone(prefix), amfLongString, 0xff, 0xff, 0xff, 0xff), "bytes with"},
		{"AMF3 switch", append(bytes.Clone(prefix), amfAVMPlus, 1), "AMF3"},
		{"too many values", append(bytes.Clone(prefix), bytes.Repeat([]byte{amfNull}, 5000)...), "more than 1024 values"},
		{"no transaction id", amfBody(t, "_result", "x"), "without a transaction id"},
		{"not a command", []byte{amfNumber, 0, 0, 0, 0, 0, 0, 0, 0}, "does not start with a string"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := DecodeCommand(c.body)
			runtime.ReadMemStats(&after)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<10 {
				t.Fatalf("decoding %d bytes allocated %d", len(c.body), grew)
			}
		})
	}
}

// FuzzAMF decodes arbitrary command bodies: no panic, bounded results.
func FuzzAMF(f *testing.F) {
	f.Add(connectResult())
	f.Add(amfBody(f, "onStatus", float64(0), nil, map[string]any{"code": "NetStream.Publish.Start"}))
	f.Add(append(amfBody(f, "_result", float64(1)), strictArrayOf(math.MaxInt32)...))
	f.Add(append(amfBody(f, "_result", float64(1)), bytes.Repeat([]byte{amfObject, 0, 1, 'a'}, 20)...))
	f.Add(append(amfBody(f, "_result", float64(1)), amfECMAArray, 0, 0, 0, 9, 0, 4, 'c', 'o', 'd', 'e', amfString, 0, 1, 'x', 0, 0, 9))
	f.Fuzz(func(t *testing.T, b []byte) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		cmd, _ := DecodeCommand(b)
		runtime.ReadMemStats(&after)
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<10 {
			t.Fatalf("decoding %d bytes allocated %d", len(b), grew)
		}
		for _, s := range []string{cmd.Name, cmd.Code, cmd.Level, cmd.Description, cmd.FMSVer} {
			if len(s) > amfMaxText*3 || strings.ContainsAny(s, "\x00\x1b\n") {
				t.Fatalf("kept %q", s)
			}
		}
		if len(cmd.Numbers) > amfMaxNumbers {
			t.Fatalf("%d numbers kept", len(cmd.Numbers))
		}
	})
}

// TestFloodControl plays a server that sends 2000 pings and a window of
// 1 byte within one second: at most pingRate pings are answered and
// ackRate acknowledgements sent, the rest is counted, the reader pauses
// past its message budget, and the destination shows the note.
func TestFloodControl(t *testing.T) {
	var ms []outMessage
	ms = append(ms, outMessage{csid: csControl, typeID: typeWinAckSize, payload: []byte{0, 0, 0, 1}})
	for i := range 2000 {
		p := binary.BigEndian.AppendUint16(nil, eventPingRequest)
		ms = append(ms, outMessage{csid: csControl, typeID: typeUserControl, payload: binary.BigEndian.AppendUint32(p, uint32(i))})
	}
	wire := wireOf(t, 128, ms...)
	stats := &floodStats{}
	answers := map[uint8]int{}
	var paused time.Duration
	clock := time.Unix(1000, 0)
	sr := newServerReader(NewChunkReader(bytes.NewReader(wire), ReaderLimits{}), stats,
		func(m outMessage) error { answers[m.typeID]++; return nil },
		func(d time.Duration) bool { paused += d; clock = clock.Add(d); return true })
	sr.now = func() time.Time { return clock } // the flood takes no time but the pauses
	if _, err := sr.next(); err == nil {
		t.Fatal("no error at the end of the input")
	}
	// 2001 messages against a budget of 400 plus 200 a second: 8 s.
	if paused < 7*time.Second || paused > 9*time.Second {
		t.Fatalf("reader paused %v, want about 8 s", paused)
	}
	// Within those 8 s: 10 pings and 10 acknowledgements a second.
	limit := int(pingRate * (1 + paused.Seconds()))
	if p, a := answers[typeUserControl], answers[typeAck]; p < pingRate || p > limit || a < ackRate || a > limit {
		t.Fatalf("answered %d pings and sent %d acks in %v, want %d to %d", p, a, paused, pingRate, limit)
	}
	if n := stats.pingsIgnored.Load(); int(n) != 2000-answers[typeUserControl] || stats.acksDeferred.Load() == 0 {
		t.Fatalf("ignored %d pings, deferred %d acks", n, stats.acksDeferred.Load())
	}
	if note := stats.note(clock); !strings.Contains(note, "server is flooding control messages") {
		t.Fatalf("note %q", note)
	}
	if note := stats.note(clock.Add(time.Minute)); note != "" {
		t.Fatalf("note a minute after the flood: %q", note)
	}
}
