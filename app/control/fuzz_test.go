package control

import (
	"context"
	"errors"
	"log/slog"
	"testing"

	"golive/app/secret"
)

var fuzzSeeds = []string{
	`{"op":1,"d":{"rpcVersion":1,"eventSubscriptions":33}}`,
	`{"op":6,"d":{"requestType":"GetVersion","requestId":"1"}}`,
	`{"op":6,"d":{"requestType":"StopOutput","requestId":"2","requestData":{"outputName":"a"}}}`,
	`{"op":8,"d":{"requestId":"b","haltOnFailure":true,"executionType":0,"requests":[{"requestType":"StartStream"},{"requestType":"X"}]}}`,
	`{"op":3,"d":{"eventSubscriptions":4294967295}}`,
	`{"request-type":"GetVersion","message-id":"1"}`,
	`{"op":1e400,"d":{}}`,
	`{"op":6,"d":{"requestType":"GetOutputStatus","requestId":"x","requestData":[1,2]}}`,
	`[[[[[[[[[[]]]]]]]]]]`,
	`{"op":8,"d":{"requestId":"b","requests":[null,1,"x",{"requestType":7}]}}`,
}

// FuzzDecodeMessage: the message decoder never panics and every error it
// returns names a close code of the protocol.
func FuzzDecodeMessage(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := decodeMessage(data)
		if err != nil {
			var pe *protocolError
			if !errors.As(err, &pe) || pe.Code < 4000 || pe.Code > 4012 {
				t.Fatalf("error %v is not a protocol close", err)
			}
			return
		}
		if m.D == nil {
			t.Fatal("decoded message without data")
		}
	})
}

// FuzzSession feeds one message to an identified session of a fake
// controller: whatever it is, the session answers or closes with a code,
// and never panics.
func FuzzSession(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s := &Server{Controller: newFake(), Logger: slog.New(slog.DiscardHandler), Secrets: &secret.Registry{},
			Version: "fuzz", auth: newAuthLimiter(slog.New(slog.DiscardHandler)), proc: newProcessStats()}
		s.base, s.stop = context.WithCancel(context.Background())
		defer s.stop()
		c := newConn(s)
		c.out = make(chan []byte, 4)
		c.identified.Store(true)
		m, err := decodeMessage(data)
		if err != nil {
			return
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			for range c.out {
			}
		}()
		if err := c.handle(m, newChallenge()); err != nil {
			var pe *protocolError
			if !errors.As(err, &pe) {
				t.Fatalf("handle: %v", err)
			}
		}
		close(c.out)
		<-done
	})
}
