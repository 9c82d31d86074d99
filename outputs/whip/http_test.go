package whip

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"golive/outputs/dest"
)

// TestStatusMessages: each refusal of the offer gets its own message; 401,
// 403 and 404 are fatal, 5xx is retried; bodies and answers are bounded
// and the token never shows.
func TestStatusMessages(t *testing.T) {
	const token = "tok-SECRET-123"
	cases := []struct {
		status int
		body   string
		want   error
		fatal  bool
	}{
		{401, "bad token " + token, ErrUnauthorized, true},
		{403, "", ErrForbidden, true},
		{404, strings.Repeat("x", 100000), ErrNotFound, true},
		{503, "busy", ErrServer, false},
		{500, "", ErrServer, false},
	}
	for _, c := range cases {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer "+token {
				t.Errorf("Authorization %q", r.Header.Get("Authorization"))
			}
			w.WriteHeader(c.status)
			_, _ = w.Write([]byte(c.body))
		}))
		u, _ := url.Parse(srv.URL + "/live/whip")
		cl := newClient(u, token)
		_, err := cl.offer(context.Background(), "v=0")
		cl.close()
		srv.Close()
		if !errors.Is(err, c.want) || dest.IsFatal(err) != c.fatal {
			t.Errorf("%d: %v (fatal %v): want %v, fatal %v", c.status, err, dest.IsFatal(err), c.want, c.fatal)
		}
		if err != nil && (strings.Contains(err.Error(), token) || len(err.Error()) > 400) {
			t.Errorf("%d: message %q: token shown or too long", c.status, err)
		}
	}
}

func TestAnswerBounds(t *testing.T) {
	for name, h := range map[string]http.HandlerFunc{
		"huge answer": func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/sdp")
			w.Header().Set("Location", "/s/1")
			w.WriteHeader(201)
			_, _ = w.Write([]byte(strings.Repeat("a=x\r\n", maxAnswerBytes/4)))
		},
		"no location": func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/sdp")
			w.WriteHeader(201)
		},
		"huge header": func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("X-Big", strings.Repeat("b", 2*maxHeaderBytes))
			w.WriteHeader(201)
		},
	} {
		srv := httptest.NewServer(h)
		u, _ := url.Parse(srv.URL)
		cl := newClient(u, "")
		_, err := cl.offer(context.Background(), "v=0")
		cl.close()
		srv.Close()
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
