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
// candidate at the relay and takes the publisher's candidates out of the
// offer. MediaMTX then knows the publisher only as the relay's address (a
// peer-reflexive candidate, RFC 8445 7.3.1.3); with them, its own checks
// to the publisher's host candidates made a direct pair that ICE could
// choose, and the media bypassed the relay (seen in outputs/whip: a
// "lossy" path that lost nothing). The relay must target m's UDPPort.
// The proxy stops with the test.
func WHIPVia(t testing.TB, m *MediaMTX, relay *UDPRelay) string {
	t.Helper()
	target, _ := url.Parse(fmt.Sprintf("http://127.0.0.1:%d", m.HTTPPort))
	from := []byte(" " + strconv.Itoa(m.UDPPort) + " typ host")
	to := []byte(" " + strconv.Itoa(relay.Port()) + " typ host")
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			if pr.Out.Method == http.MethodPost && pr.Out.Body != nil {
				// A body that cannot be read goes on cut short: MediaMTX
				// then refuses the offer, which the test reports.
				_ = replaceBody(pr.Out.Header, &pr.Out.Body, &pr.Out.ContentLength, withoutCandidates)
			}
		},
		ModifyResponse: func(r *http.Response) error {
			if r.Header.Get("Content-Type") != "application/sdp" {
				return nil
			}
			return replaceBody(r.Header, &r.Body, &r.ContentLength, func(b []byte) []byte {
				return bytes.ReplaceAll(b, from, to)
			})
		},
	}
	srv := httptest.NewServer(rp)
	t.Cleanup(srv.Close)
	return srv.URL
}

// replaceBody reads a request's or response's body (up to 1 MiB) and
// puts back edit's result, with its length.
func replaceBody(h http.Header, body *io.ReadCloser, length *int64, edit func([]byte) []byte) error {
	b, err := io.ReadAll(io.LimitReader(*body, 1<<20))
	_ = (*body).Close()
	if err != nil {
		return err
	}
	b = edit(b)
	*body = io.NopCloser(bytes.NewReader(b))
	*length = int64(len(b))
	h.Set("Content-Length", strconv.Itoa(len(b)))
	return nil
}

// withoutCandidates drops the a=candidate lines of an SDP.
func withoutCandidates(sdp []byte) []byte {
	var out []byte
	for line := range bytes.Lines(sdp) {
		if !bytes.HasPrefix(line, []byte("a=candidate:")) {
			out = append(out, line...)
		}
	}
	return out
}
