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
	`{"op":1,"d":{"rpcVersion":1,"authentication":"xBKyF+cMjUjM+viGwsgkMDpbjU2G0FmaP03h5/oI3sE="}}`,
	`{"op":1,"d":{"rpcVersion":1,"authentication":7}}`,
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

// FuzzSession feeds one message to a session of a fake controller, once
// identified and once before Identify on a server with a password (the
// Identify and authentication path): whatever it is, the session answers
// or closes with a code, and never panics.
func FuzzSession(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := decodeMessage(data)
		if err != nil {
			return
		}
		for _, identified := range []bool{true, false} {
			fuzzHandle(t, m, identified)
		}
	})
}

func fuzzHandle(t *testing.T, m message, identified bool) {
	s := &Server{Controller: newFake(), Logger: slog.New(slog.DiscardHandler), Secrets: &secret.Registry{},
		Version: "fuzz", auth: newAuthLimiter(slog.New(slog.DiscardHandler)), proc: newProcessStats()}
	if !identified {
		s.Password = "fuzz-password"
	}
	s.base, s.stop = context.WithCancel(context.Background())
	defer s.stop()
	c := newConn(s)
	c.out = make(chan []byte, 4)
	c.identified.Store(identified)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range c.out {
		}
	}()
	err := c.handle(m, fuzzChallenge)
	var pe *protocolError
	if err != nil && !errors.As(err, &pe) {
		t.Fatalf("handle: %v", err)
	}
	if !identified && c.identified.Load() && m.Op == OpIdentify {
		if got, _ := stringField(m.D["authentication"], 128); got != AuthString(s.Password, fuzzChallenge.Salt, fuzzChallenge.Challenge) {
			t.Fatalf("identified with authentication %q", got)
		}
	}
	close(c.out)
	<-done
}

// fuzzChallenge is a fixed challenge, so that a seed can carry the right
// authentication string for "fuzz-password".
var fuzzChallenge = challenge{Challenge: "Y2hhbGxlbmdl", Salt: "c2FsdA=="}
