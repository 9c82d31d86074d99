package whip

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// contentTypeFrag is the media type of ICE updates (RFC 8840 section 9.1,
// RFC 9725 section 4.4).
const contentTypeFrag = "application/trickle-ice-sdpfrag"

// errNoRestart: the session does not do ICE restarts (405 or 422 or 501
// to the PATCH, or a 2xx without new ICE credentials); the caller starts a
// new session instead.
var errNoRestart = errors.New("the WHIP session does not restart ICE")

// restartICE sends an ICE restart to the session (RFC 9725 section
// 4.4.1): PATCH with the new ufrag/pwd and candidates as an SDP fragment
// and If-Match "*". A 200 carries the session's new ufrag/pwd and
// candidates, and its new entity tag.
func (c *client) restartICE(ctx context.Context, session *url.URL, frag string) (answer, etag string, err error) {
	if session == nil {
		return "", "", errNoRestart
	}
	req, err := c.newRequest(ctx, http.MethodPatch, session.String(), strings.NewReader(frag))
	if err != nil {
		return "", "", err
	}
	req.Header.Set("Content-Type", contentTypeFrag)
	req.Header.Set("If-Match", "*")
	resp, err := c.http.Do(req)
	if err != nil {
		return "", "", fmt.Errorf("whip ICE restart (PATCH) to %s: %w", c.endpoint.Host, c.redact(err))
	}
	defer drainClose(resp.Body)
	switch code := resp.StatusCode; {
	case code == http.StatusMethodNotAllowed || code == http.StatusUnprocessableEntity ||
		code == http.StatusNotImplemented || code == http.StatusNoContent:
		return "", "", fmt.Errorf("%w (PATCH answered %d)", errNoRestart, code)
	case code/100 != 2:
		b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		detail := ""
		if s := c.serverText(string(b)); s != "" {
			detail = ": " + s
		}
		return "", "", fmt.Errorf("whip %s: ICE restart (PATCH) refused with %d %s%s", c.endpoint.Host, code,
			http.StatusText(code), detail)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(strings.ToLower(ct), contentTypeFrag) {
		return "", "", fmt.Errorf("whip %s: ICE restart answer is %q, not %s", c.endpoint.Host, c.serverText(ct), contentTypeFrag)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxFragBytes+1))
	if err != nil {
		return "", "", fmt.Errorf("whip %s: reading the ICE restart answer: %w", c.endpoint.Host, err)
	}
	if len(b) > maxFragBytes {
		return "", "", fmt.Errorf("whip %s: ICE restart answer larger than %d kB", c.endpoint.Host, maxFragBytes>>10)
	}
	if len(strings.TrimSpace(string(b))) == 0 {
		return "", "", fmt.Errorf("%w (PATCH answered %d without new ICE credentials)", errNoRestart, resp.StatusCode)
	}
	return string(b), boundedETag(resp.Header.Get("ETag")), nil
}
