package dest

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// TestUnknownHostFails: a server name DNS does not know (a typo) fails
// after UnknownHostTries attempts instead of reconnecting for ever, and
// Retry now tries again.
func TestUnknownHostFails(t *testing.T) {
	defer goleak.VerifyNone(t)
	fail := make([]error, 20)
	for i := range fail {
		fail[i] = fmt.Errorf("connect to live.twiych.tv:1935: %w",
			&net.DNSError{Err: "no such host", Name: "live.twiych.tv", IsNotFound: true})
	}
	w := &scriptWorker{failures: fail}
	h := &Handler{Name: "typo", Kind: "rtmp", Worker: w, Stream: newStream(), FirstRetry: time.Millisecond}
	if err := h.Initialize(); err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	st := waitState(t, h, StateFailed)
	if n := w.attempts.Load(); n != UnknownHostTries || !strings.Contains(st.LastError, "check the server name for a typo") {
		t.Fatalf("failed after %d attempts with %q", n, st.LastError)
	}
	h.RetryNow()
	deadline := time.Now().Add(5 * time.Second)
	for w.attempts.Load() == UnknownHostTries {
		if time.Now().After(deadline) {
			t.Fatal("Retry now did not try again")
		}
		time.Sleep(time.Millisecond)
	}
}
