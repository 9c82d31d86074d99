package whip

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	"golive/outputs/dest"
)

// Limits on what is read from the WHIP server.
const (
	maxAnswerBytes   = 256 << 10 // an SDP answer
	maxErrorBody     = 4 << 10   // read from an error response
	maxHeaderBytes   = 32 << 10  // all response headers
	maxRedirects     = 3
	httpTimeout      = 10 * time.Second
	deleteTimeout    = 3 * time.Second
	contentTypeSDP   = "application/sdp"
	statusSnippetLen = 200
	maxErrorText     = 300 // longer transport errors are shortened
	maxETagLen       = 256
)

// Errors of the WHIP exchange (errors.Is): 401 and 403 and 404 are fatal
// (the destination waits in failed for the user), 5xx and network errors
// are retried.
var (
	ErrUnauthorized = errors.New("401 Unauthorized")
	ErrForbidden    = errors.New("403 Forbidden")
	ErrNotFound     = errors.New("404 Not Found")
	ErrServer       = errors.New("server error")
)

// client is the HTTP side of WHIP (RFC 9725 section 4): POST the offer,
// DELETE the session resource. Every response is bounded.
type client struct {
	endpoint *url.URL
	token    string
	http     *http.Client
}

func newClient(endpoint *url.URL, token string) *client {
	tr := &http.Transport{
		Proxy:                  http.ProxyFromEnvironment,
		MaxResponseHeaderBytes: maxHeaderBytes,
		ResponseHeaderTimeout:  httpTimeout,
		TLSHandshakeTimeout:    httpTimeout,
		IdleConnTimeout:        30 * time.Second,
	}
	c := &client{endpoint: endpoint, token: token}
	c.http = &http.Client{Transport: tr, Timeout: httpTimeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= maxRedirects {
				return errors.New("too many redirects")
			}
			if via[0].URL.Scheme == "https" && req.URL.Scheme != "https" {
				return errors.New("redirect from https to http refused")
			}
			return nil
		}}
	return c
}

func (c *client) close() { c.http.CloseIdleConnections() }

func (c *client) newRequest(ctx context.Context, method, target string, body io.Reader) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return nil, err
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	return req, nil
}

// iceServers asks the endpoint for its ICE servers in an OPTIONS
// pre-flight (an earlier WHIP draft's way; RFC 9725 section 4.6 has them in
// the 201, see offer). Servers that do not answer OPTIONS have none here.
func (c *client) iceServers(ctx context.Context) []ICEServer {
	req, err := c.newRequest(ctx, http.MethodOptions, c.endpoint.String(), nil)
	if err != nil {
		return nil
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil
	}
	defer drainClose(resp.Body)
	if resp.StatusCode/100 != 2 {
		return nil
	}
	s, _ := parseLinks(resp.Header.Values("Link"))
	return s
}

// created is what a 201 Created brings (RFC 9725 section 4.2): the SDP
// answer, the session URL, its entity tag and the ICE servers of its Link
// headers (section 4.6: the endpoint may list them in the 201 instead of,
// or beside, an OPTIONS answer).
type created struct {
	answer  string
	session *url.URL
	etag    string
	servers []ICEServer
}

// offer POSTs the SDP offer. A created with a session comes back beside an
// error when the session exists on the server (to be DELETEd) but its
// answer cannot be used.
func (c *client) offer(ctx context.Context, sdp string) (*created, error) {
	req, err := c.newRequest(ctx, http.MethodPost, c.endpoint.String(), strings.NewReader(sdp))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", contentTypeSDP)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("whip POST to %s: %w", c.endpoint.Host, c.redact(err))
	}
	defer drainClose(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		return nil, c.statusError(resp)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(strings.ToLower(ct), contentTypeSDP) {
		return nil, fmt.Errorf("whip %s: answer is %q, not %s", c.endpoint.Host, c.serverText(ct), contentTypeSDP)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes+1))
	if err != nil {
		return nil, fmt.Errorf("whip %s: reading the answer: %w", c.endpoint.Host, err)
	}
	if len(body) > maxAnswerBytes {
		return nil, fmt.Errorf("whip %s: SDP answer larger than %d kB", c.endpoint.Host, maxAnswerBytes>>10)
	}
	loc := resp.Header.Get("Location")
	if loc == "" {
		return nil, fmt.Errorf("whip %s: 201 without a Location header (not a WHIP server?)", c.endpoint.Host)
	}
	session, err := resp.Request.URL.Parse(loc)
	if err != nil || (session.Scheme != "http" && session.Scheme != "https") {
		return nil, fmt.Errorf("whip %s: bad Location %q", c.endpoint.Host, c.serverText(loc))
	}
	res := &created{answer: string(body), session: session, etag: boundedETag(resp.Header.Get("ETag"))}
	if res.servers, err = parseLinks(resp.Header.Values("Link")); err != nil {
		// The text of err is the parser's own, never the header's (which
		// may hold a TURN credential).
		return res, dest.Fatal(fmt.Errorf("whip %s: the 201's ICE server list is malformed (%w); "+
			"the server or a proxy in front of it sends a bad Link header", c.endpoint.Host, err))
	}
	return res, nil
}

// boundedETag keeps an entity tag (RFC 9110 section 8.8.3) the server may
// expect back in If-Match, or "" when it is not a plausible one.
func boundedETag(v string) string {
	if len(v) > maxETagLen || shortText(v) != v {
		return ""
	}
	return v
}

// statusError turns a refused offer into the message for people.
func (c *client) statusError(resp *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	host := c.endpoint.Host
	detail := ""
	if s := c.serverText(string(b)); s != "" {
		detail = ": " + s
	}
	switch code := resp.StatusCode; {
	case code == http.StatusUnauthorized:
		return dest.Fatal(fmt.Errorf("whip %s: %w: the server refused the bearer token (check the destination's key)%s", host, ErrUnauthorized, detail))
	case code == http.StatusForbidden:
		return dest.Fatal(fmt.Errorf("whip %s: %w: the token may not publish here%s", host, ErrForbidden, detail))
	case code == http.StatusNotFound:
		return dest.Fatal(fmt.Errorf("whip %s: %w: no WHIP endpoint at %s (check the URL)%s", host, ErrNotFound, c.endpoint.Path, detail))
	case code >= 500 || code == http.StatusTooManyRequests:
		return fmt.Errorf("whip %s: %w %d %s%s", host, ErrServer, code, http.StatusText(code), detail)
	case code >= 400:
		return dest.Fatal(fmt.Errorf("whip %s: offer refused with %d %s%s", host, code, http.StatusText(code), detail))
	}
	return fmt.Errorf("whip %s: unexpected answer %d %s (want 201 Created)", host, resp.StatusCode, http.StatusText(resp.StatusCode))
}

// remove DELETEs the session resource (RFC 9725 section 4.3): the server
// ends the session at once instead of waiting for ICE to time out.
func (c *client) remove(session *url.URL) error {
	ctx, cancel := context.WithTimeout(context.Background(), deleteTimeout)
	defer cancel()
	req, err := c.newRequest(ctx, http.MethodDelete, session.String(), nil)
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return c.redact(err)
	}
	defer drainClose(resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("DELETE answered %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	return nil
}

// redact makes a transport error safe to show: without the token, and
// short and printable (net/http quotes what a server sent in place of a
// response, up to the header limit).
func (c *client) redact(err error) error {
	msg := err.Error()
	leaks := c.token != "" && strings.Contains(msg, c.token)
	if !leaks && len(msg) <= maxErrorText && shortText(msg) == msg {
		return err
	}
	msg = shortText(c.redactText(msg))
	if leaks {
		return errors.New(msg)
	}
	return &shortError{msg: msg, err: err}
}

// shortError is an error shown shortened; errors.Is and As still see the
// original.
type shortError struct {
	msg string
	err error
}

func (e *shortError) Error() string { return e.msg }
func (e *shortError) Unwrap() error { return e.err }

func (c *client) redactText(s string) string {
	if c.token == "" {
		return s
	}
	return strings.ReplaceAll(s, c.token, "***")
}

func drainClose(r io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(r, maxErrorBody))
	_ = r.Close()
}

// serverText is text the server sent (a body, a header) as an error may
// show it: without the token, which a server may echo anywhere, and
// shortened by shortText.
func (c *client) serverText(s string) string { return shortText(c.redactText(s)) }

// shortText makes server text safe to show: one line, printable, short.
func shortText(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > statusSnippetLen {
		s = string(r[:statusSnippetLen-1]) + "…"
	}
	return s
}
