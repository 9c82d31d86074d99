package control

import (
	"encoding/json"
	"reflect"
	"testing"
)

var msgpackSeeds = [][]byte{
	// {"op":1,"d":{"rpcVersion":1}}
	{0x82, 0xa2, 'o', 'p', 0x01, 0xa1, 'd', 0x81, 0xaa, 'r', 'p', 'c', 'V', 'e', 'r', 's', 'i', 'o', 'n', 0x01},
	{0xdd, 0xff, 0xff, 0xff, 0xff},       // an array claiming 4 G elements
	{0xdf, 0x00, 0x00, 0x00, 0x10, 0xc0}, // a map longer than the message
	{0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0}, // NaN
	{0x91, 0x91, 0x91, 0x91, 0xc0},
	{0xd3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe},
}

// TestMsgPackRoundTrip: a message GoLive sends comes back the same after
// MessagePack, and the decoder reads what obs-websocket-js writes.
func TestMsgPackRoundTrip(t *testing.T) {
	in := `{"op":7,"d":{"requestType":"GetStreamStatus","requestId":"é1","requestStatus":{"result":true,"code":100},` +
		`"responseData":{"outputActive":true,"outputBytes":123456789012,"outputCongestion":0.25,"outputPath":null,"list":[1,-2,"x",false]}}}`
	mp, err := jsonToMsgPack([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	out, err := msgpackToJSON(mp)
	if err != nil {
		t.Fatal(err)
	}
	var a, b any
	_ = json.Unmarshal([]byte(in), &a)
	_ = json.Unmarshal(out, &b)
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("round trip:\n%s\n%s", in, out)
	}
	js, err := msgpackToJSON(msgpackSeeds[0])
	if err != nil || string(js) != `{"d":{"rpcVersion":1},"op":1}` {
		t.Fatalf("decode: %s, %v", js, err)
	}
	for _, bad := range msgpackSeeds[1:4] {
		if _, err := msgpackToJSON(bad); err == nil {
			t.Errorf("% x decoded", bad)
		}
	}
}

// FuzzMsgPack: the MessagePack decoder never panics, gives valid JSON,
// and what it gives survives a round trip.
func FuzzMsgPack(f *testing.F) {
	for _, s := range msgpackSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		js, err := msgpackToJSON(data)
		if err != nil {
			return
		}
		if !json.Valid(js) {
			t.Fatalf("invalid JSON %q", js)
		}
		mp, err := jsonToMsgPack(js)
		if err != nil {
			t.Fatalf("re-encode %s: %v", js, err)
		}
		js2, err := msgpackToJSON(mp)
		if err != nil {
			t.Fatalf("decode again %s: %v", js, err)
		}
		var a, b any
		_ = json.Unmarshal(js, &a)
		_ = json.Unmarshal(js2, &b)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("round trip %s -> %s", js, js2)
		}
	})
}
