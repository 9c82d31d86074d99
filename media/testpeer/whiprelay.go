package testpeer

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"testing"
)

// WHIPVia puts relay between WHIP publishers and MediaMTX's ICE port: it
// returns the base URL of an HTTP proxy in front of MediaMTX's WHIP
// endpoint ("BASE/PATH/whip") that points the SDP answer's host
// candidate at the relay. The relay must target m's UDPPort. The proxy
// stops with the test.
func WHIPVia(t testing.TB, m *MediaMTX, relay *UDPRelay) string {
	t.Helper()
	target, _ := url.Parse(fmt.Sprintf("http://127.0.0.1:%d", m.HTTPPort))
	rp := httputil.NewSingleHostReverseProxy(target)
	from := []byte(" " + strconv.Itoa(m.UDPPort) + " typ host")
	to := []byte(" " + strconv.Itoa(relay.Port()) + " typ host")
	rp.ModifyResponse = func(r *http.Response) error {
		if r.Header.Get("Content-Type") != "application/sdp" {
			return nil
		}
		b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			return err
		}
		_ = r.Body.Close()
		b = bytes.ReplaceAll(b, from, to)
		r.Body = io.NopCloser(bytes.NewReader(b))
		r.ContentLength = int64(len(b))
		r.Header.Set("Content-Length", strconv.Itoa(len(b)))
		return nil
	}
	srv := httptest.NewServer(rp)
	t.Cleanup(srv.Close)
	return srv.URL
}
