package whip

import (
	"bufio"
	"bytes"
	"context"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"

	"golive/media/unit"
)

// fuzzToken is the bearer token of FuzzWHIPAnswer: no error may show it.
const fuzzToken = "fuzz-TOKEN-0123456789"

// rawResponse answers every request with the same raw HTTP/1.1 response,
// read by net/http's own parser as a server's bytes would be.
type rawResponse []byte

func (r rawResponse) RoundTrip(req *http.Request) (*http.Response, error) {
	return http.ReadResponse(bufio.NewReader(bytes.NewReader(r)), req)
}

// FuzzWHIPAnswer plays a hostile WHIP server: its whole HTTP response to
// the offer (status, headers, SDP answer) is fuzzed. The client's checks
// never panic, never show the token and bound what they keep; an answer
// they accept is applied to a real peer connection (pion), which must
// accept it or return an error, not panic.
// Corpus: testdata/fuzz/FuzzWHIPAnswer.
func FuzzWHIPAnswer(f *testing.F) {
	f.Add([]byte("HTTP/1.1 201 Created\r\nContent-Type: application/sdp\r\nLocation: /s/1\r\n\r\nv=0\r\n"))
	f.Add([]byte("HTTP/1.1 401 Unauthorized\r\nContent-Length: 30\r\n\r\nbad token fuzz-TOKEN-0123456789"))
	f.Add([]byte("HTTP/1.1 307 Temporary Redirect\r\nLocation: http://other/whip\r\n\r\n"))
	endpoint, _ := url.Parse("https://whip.example.com/live/whip")
	f.Fuzz(func(t *testing.T, raw []byte) {
		c := &client{endpoint: endpoint, token: fuzzToken, http: &http.Client{Transport: rawResponse(raw),
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
		res, err := c.offer(context.Background(), "v=0\r\n")
		if err != nil {
			if res != nil {
				checkServers(t, res.servers)
			}
			if msg := err.Error(); strings.Contains(msg, fuzzToken) || len(msg) > 1200 {
				t.Fatalf("error shows the token or is too long (%d bytes): %.300q", len(msg), msg)
			}
			return
		}
		answer, session := res.answer, res.session
		if len(answer) > maxAnswerBytes || session == nil || (session.Scheme != "http" && session.Scheme != "https") {
			t.Fatalf("accepted a %d-byte answer, session %v", len(answer), session)
		}
		checkServers(t, res.servers)
		var d sdp.SessionDescription
		if d.UnmarshalString(answer) != nil {
			return // pion refuses it first thing: no peer connection needed
		}
		_ = applyAnswer(t, answer)
	})
}

// checkServers: ICE servers of a 201 stay within the Link limits.
func checkServers(t *testing.T, servers []ICEServer) {
	t.Helper()
	if len(servers) > maxICEServers {
		t.Fatalf("%d ICE servers kept", len(servers))
	}
	for _, s := range servers {
		if !validICEURL(s.URL) || len(s.Username) > maxLinkValLen || len(s.Credential) > maxLinkValLen {
			t.Fatalf("bad ICE server kept: %q", s.URL)
		}
	}
}

// applyAnswer gives answer to a fresh publisher peer connection (the
// production API, gathering no candidates) in have-local-offer.
func applyAnswer(t *testing.T, answer string) error {
	t.Helper()
	tracks := unit.Tracks{Video: &unit.VideoParams{Codec: unit.CodecH264}}
	api, err := newAPI(apiOptions{tracks: tracks, bitrate: 1_000_000, iceFail: time.Second,
		counters: &counters{}, noICE: true})
	if err != nil {
		t.Fatal(err)
	}
	pc, err := api.NewPeerConnection(webrtc.Configuration{BundlePolicy: webrtc.BundlePolicyMaxBundle})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = pc.Close() }()
	c := &conn{pc: pc}
	if err := c.addTracks(tracks); err != nil {
		t.Fatal(err)
	}
	o, err := pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := pc.SetLocalDescription(o); err != nil {
		t.Fatal(err)
	}
	return pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer})
}

// TestWHIPAnswerSeed: the corpus's 201 answer, made by a pion answerer
// for the publisher's offer, passes the client's checks and is accepted by
// the publisher's peer connection, so the fuzzer starts from an answer
// that reaches pion's full processing.
func TestWHIPAnswerSeed(t *testing.T) {
	b, err := os.ReadFile("testdata/fuzz/FuzzWHIPAnswer/seed-201-pion-answer")
	if err != nil {
		t.Fatal(err)
	}
	_, quoted, _ := strings.Cut(strings.TrimSpace(string(b)), "[]byte(")
	raw, err := strconv.Unquote(strings.TrimSuffix(quoted, ")"))
	if err != nil {
		t.Fatal(err)
	}
	endpoint, _ := url.Parse("https://whip.example.com/live/whip")
	c := &client{endpoint: endpoint, http: &http.Client{Transport: rawResponse(raw)}}
	res, err := c.offer(context.Background(), "v=0\r\n")
	if err != nil || res.session.String() != "https://whip.example.com/s/1" {
		t.Fatalf("seed refused by the client: %v (%+v)", err, res)
	}
	if err := applyAnswer(t, res.answer); err != nil {
		t.Fatalf("seed answer refused by pion: %v", err)
	}
}
