package control

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"log/slog"
	"time"
)

// newChallenge returns a fresh random challenge and salt (base64 of 32
// random bytes each), sent in Hello.
func newChallenge() challenge {
	return challenge{Challenge: randomB64(), Salt: randomB64()}
}

func randomB64() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.StdEncoding.EncodeToString(b[:])
}

// AuthString is the obs-websocket 5 authentication string for a password:
// base64(sha256(base64(sha256(password + salt)) + challenge)).
func AuthString(password, salt, challengeStr string) string {
	secret := sha256.Sum256([]byte(password + salt))
	secretB64 := base64.StdEncoding.EncodeToString(secret[:])
	auth := sha256.Sum256([]byte(secretB64 + challengeStr))
	return base64.StdEncoding.EncodeToString(auth[:])
}

// authOK compares the client's answer with the expected one in constant
// time.
func authOK(password string, c challenge, got string) bool {
	want := AuthString(password, c.Salt, c.Challenge)
	return subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}

// Auth failure throttling, for the whole server (every connection shares
// it, so parallel connections gain nothing): the first FreeFailures
// failures in a row are answered at once (typos), the next ones wait
// SlowDelay each before being checked, and past SlowerAfter failures in a
// row SlowerDelay each. One success resets the count.
const (
	FreeFailures = 10
	SlowDelay    = 100 * time.Millisecond
	SlowerAfter  = 100
	SlowerDelay  = time.Second
)

// authLimiter serializes and delays authentication checks after failures.
// Make it with newAuthLimiter.
type authLimiter struct {
	turn     chan struct{} // one token: held while an attempt waits and is checked
	failures int
	logger   *slog.Logger
}

// check runs one authentication attempt: it waits for its turn and the
// delay the recent failures call for, then runs ok and counts its result.
// It returns false without checking when ctx ends first.
func (l *authLimiter) check(ctx context.Context, ok func() bool) (bool, error) {
	select {
	case l.turn <- struct{}{}:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	defer func() { <-l.turn }()
	if d := l.delay(); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return false, ctx.Err()
		case <-t.C:
		}
	}
	if ok() {
		l.failures = 0
		return true, nil
	}
	l.failures++
	if l.failures == FreeFailures || l.failures%SlowerAfter == 0 {
		l.logger.Warn("remote control: wrong passwords in a row: answers are slowed down",
			"failures", l.failures, "delay", l.delay())
	}
	return false, nil
}

func newAuthLimiter(logger *slog.Logger) *authLimiter {
	return &authLimiter{turn: make(chan struct{}, 1), logger: logger}
}

func (l *authLimiter) delay() time.Duration {
	switch {
	case l.failures >= SlowerAfter:
		return SlowerDelay
	case l.failures >= FreeFailures:
		return SlowDelay
	}
	return 0
}
