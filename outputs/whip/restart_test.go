package whip

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/pion/webrtc/v4"

	"golive/media/unit"
	"golive/outputs/dest"
)

const fragCred = "link-SECRET-credential"

// TestCreatedLinks: the 201's Link headers give the ICE servers and its
// ETag is kept; a malformed Link is this destination's fatal error, names
// the problem without the header's text (a credential), and leaves the
// session to be DELETEd.
func TestCreatedLinks(t *testing.T) {
	links := []string{`<turn:127.0.0.1:3478?transport=udp>; rel="ice-server"; username="u"; credential="` + fragCred + `"`,
		`<stun:stun.example.net>; rel="ice-server", <https://example.net>; rel="help"`}
	for name, c := range map[string]struct {
		links   []string
		servers int
		fatal   bool
	}{
		"two servers": {links, 2, false},
		"none":        {nil, 0, false},
		"malformed":   {[]string{`<turn:x; rel="ice-server"; credential="` + fragCred + `"`}, 0, true},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/sdp")
			w.Header().Set("Location", "/s/1")
			w.Header().Set("ETag", `"e1"`)
			for _, l := range c.links {
				w.Header().Add("Link", l)
			}
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write([]byte("v=0\r\n"))
		}))
		u, _ := url.Parse(srv.URL + "/whip")
		cl := newClient(u, "")
		res, err := cl.offer(context.Background(), "v=0")
		cl.close()
		srv.Close()
		if res == nil || res.session == nil || res.etag != `"e1"` || len(res.servers) != c.servers {
			t.Errorf("%s: %+v: want the session, ETag \"e1\" and %d servers", name, res, c.servers)
		}
		if (err != nil) != c.fatal || (err != nil && !dest.IsFatal(err)) {
			t.Errorf("%s: error %v: want fatal %v", name, err, c.fatal)
		}
		if err != nil && (strings.Contains(err.Error(), fragCred) || !strings.Contains(err.Error(), "ICE server list")) {
			t.Errorf("%s: message %q: want the ICE server list named, without the credential", name, err)
		}
		if c.servers == 2 && (res.servers[0].Credential != fragCred || res.servers[1].URL != "stun:stun.example.net") {
			t.Errorf("%s: servers %+v", name, res.servers)
		}
	}
	a := []ICEServer{{URL: "stun:a"}}
	b := []ICEServer{{URL: "stun:a"}, {URL: "turn:b", Username: "u", Credential: "p"}}
	if !subset(nil, a) || !subset(a, b) || subset(b, a) || subset([]ICEServer{{URL: "turn:b", Username: "u", Credential: "q"}}, b) {
		t.Error("subset: a server with another credential must count as new")
	}
}

const goodFrag = "a=ice-options:trickle\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\n" +
	"a=ice-ufrag:ABCD\r\na=ice-pwd:abcdefghijklmnopqrstuv\r\n" +
	"a=candidate:1 1 udp 2130706431 127.0.0.1 8189 typ host\r\na=end-of-candidates\r\n"

func TestParseFrag(t *testing.T) {
	f, err := parseFrag(goodFrag)
	if err != nil || f.ufrag != "ABCD" || f.pwd != "abcdefghijklmnopqrstuv" || len(f.candidates) != 1 {
		t.Fatalf("%+v, %v", f, err)
	}
	if _, err := parseFrag("a=candidate:1 1 udp 2130706431 127.0.0.1 8189 typ host\r\n"); !errors.Is(err, errNoRestart) {
		t.Errorf("candidates only: %v: want errNoRestart", err)
	}
	for name, bad := range map[string]string{
		"short ufrag":     strings.Replace(goodFrag, "ABCD", "AB", 1),
		"bad pwd char":    strings.Replace(goodFrag, "abcdefghijklmnopqrstuv", "abcdefghijklmnopqrst;v", 1),
		"two ufrags":      goodFrag + "a=ice-ufrag:WXYZ\r\n",
		"control char":    strings.Replace(goodFrag, "typ host", "typ\x00host", 1),
		"short candidate": goodFrag + "a=candidate:1 1 udp\r\n",
		"other line":      goodFrag + "a=fingerprint:sha-256 00\r\n",
		"many candidates": goodFrag + strings.Repeat("a=candidate:1 1 udp 1 127.0.0.1 9 typ host\r\n", maxFragCandidates),
		"long line":       goodFrag + "a=candidate:" + strings.Repeat("1 ", maxFragLineLen) + "\r\n",
		"many lines":      goodFrag + strings.Repeat("\r\n", maxFragLines),
		"huge":            strings.Repeat("a", maxFragBytes+1),
	} {
		if _, err := parseFrag(bad); err == nil || errors.Is(err, errNoRestart) {
			t.Errorf("%s: %v: want refused", name, err)
		}
	}
}

// TestFragRoundTrip: the fragment built from a real ICE restart offer
// carries its new ufrag/pwd and candidates (parseFrag reads them back),
// and a restart answer made from a fragment is accepted by pion.
func TestFragRoundTrip(t *testing.T) {
	pc, remote := offerAnswered(t)
	defer func() { _ = pc.Close() }()
	o, err := pc.CreateOffer(&webrtc.OfferOptions{ICERestart: true})
	if err != nil {
		t.Fatal(err)
	}
	c := &conn{pc: pc}
	if err := c.gather(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	frag, err := buildFrag(pc.LocalDescription().SDP)
	if err != nil {
		t.Fatal(err)
	}
	f, err := parseFrag(frag)
	if err != nil || len(f.candidates) == 0 || !strings.Contains(pc.LocalDescription().SDP, "a=ice-ufrag:"+f.ufrag) ||
		!strings.Contains(frag, "a=mid:0\r\n") || !strings.HasSuffix(frag, "a=end-of-candidates\r\n") {
		t.Fatalf("fragment %q: %+v, %v", frag, f, err)
	}
	served := iceFrag{ufrag: "NEWU", pwd: "newpasswordnewpassword", candidates: []string{"1 1 udp 2130706431 127.0.0.1 9 typ host"}}
	answer, err := restartedRemote(remote, served)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(answer, "a=ice-ufrag:NEWU") != 2 || strings.Count(answer, "a=candidate:") != 1 {
		t.Errorf("answer %q: want the new ufrag in both sections and one candidate", answer)
	}
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer}); err != nil {
		t.Errorf("pion refused the restart answer: %v", err)
	}
}

// offerAnswered is a publisher peer connection (loopback candidates) in
// stable state, answered by a pion answerer; it returns that answer.
func offerAnswered(t *testing.T) (*webrtc.PeerConnection, string) {
	t.Helper()
	tracks := unit.Tracks{Video: &unit.VideoParams{Codec: unit.CodecH264}, Audio: []*unit.AudioParams{{Codec: unit.CodecOpus}}}
	api, err := newAPI(apiOptions{tracks: tracks, bitrate: 1_000_000, iceFail: 2e9, counters: &counters{}, loopback: true})
	if err != nil {
		t.Fatal(err)
	}
	pc, err := api.NewPeerConnection(webrtc.Configuration{BundlePolicy: webrtc.BundlePolicyMaxBundle})
	if err != nil {
		t.Fatal(err)
	}
	c := &conn{pc: pc}
	if err := c.addTracks(tracks); err != nil {
		t.Fatal(err)
	}
	o, err := pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.gather(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	ans, err := webrtc.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ans.Close() }()
	if err := ans.SetRemoteDescription(*pc.LocalDescription()); err != nil {
		t.Fatal(err)
	}
	a, err := ans.CreateAnswer(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := ans.SetLocalDescription(a); err != nil {
		t.Fatal(err)
	}
	if err := pc.SetRemoteDescription(a); err != nil {
		t.Fatal(err)
	}
	return pc, a.SDP
}

// TestRestartICEStatuses: sessions without ICE restart (405, 422, 501,
// 204, an empty 200) give errNoRestart (publish again); other refusals and
// bad answers are errors naming the PATCH; the PATCH carries If-Match *
// and the sdpfrag type.
func TestRestartICEStatuses(t *testing.T) {
	for name, c := range map[string]struct {
		status    int
		ctype     string
		body      string
		noRestart bool
	}{
		"405": {405, "", "", true}, "422": {422, "", "", true}, "501": {501, "", "", true},
		"204": {204, "", "", true}, "empty 200": {200, contentTypeFrag, "", true},
		"500":        {500, "", "boom", false},
		"wrong type": {200, "text/html", goodFrag, false},
		"huge":       {200, contentTypeFrag, strings.Repeat("a=x\r\n", maxFragBytes), false},
		"good":       {200, contentTypeFrag, goodFrag, false},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodPatch || r.Header.Get("If-Match") != "*" || r.Header.Get("Content-Type") != contentTypeFrag {
				t.Errorf("%s: %s If-Match %q Content-Type %q", name, r.Method, r.Header.Get("If-Match"), r.Header.Get("Content-Type"))
			}
			if c.ctype != "" {
				w.Header().Set("Content-Type", c.ctype)
			}
			w.Header().Set("ETag", `"e2"`)
			w.WriteHeader(c.status)
			_, _ = w.Write([]byte(c.body))
		}))
		u, _ := url.Parse(srv.URL + "/whip")
		s, _ := url.Parse(srv.URL + "/s/1")
		cl := newClient(u, "")
		answer, etag, err := cl.restartICE(context.Background(), s, "a=ice-ufrag:x\r\n")
		cl.close()
		srv.Close()
		switch {
		case name == "good":
			if err != nil || answer != goodFrag || etag != `"e2"` {
				t.Errorf("%s: %q %q %v", name, answer, etag, err)
			}
		case errors.Is(err, errNoRestart) != c.noRestart || err == nil:
			t.Errorf("%s: %v: want errNoRestart %v", name, err, c.noRestart)
		}
	}
	if _, _, err := newClient(&url.URL{Scheme: "http", Host: "x"}, "").restartICE(context.Background(), nil, ""); !errors.Is(err, errNoRestart) {
		t.Errorf("no session: %v: want errNoRestart", err)
	}
}

// FuzzParseFrag: any fragment from the server gives bounded ICE
// credentials and candidates or an error, never a panic, and an accepted
// one makes a remote description. Corpus: testdata/fuzz/FuzzParseFrag.
func FuzzParseFrag(f *testing.F) {
	f.Add(goodFrag)
	f.Add("a=ice-ufrag:ABCD\na=ice-pwd:abcdefghijklmnopqrstuv\n")
	f.Add("m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\na=candidate:1 1 udp 1 ::1 9 typ host\r\n")
	const remote = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n" +
		"m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=ice-ufrag:OLDU\r\na=ice-pwd:oldpasswordoldpassword\r\n" +
		"a=candidate:1 1 udp 1 127.0.0.1 9 typ host\r\na=rtpmap:96 H264/90000\r\n"
	f.Fuzz(func(t *testing.T, s string) {
		fr, err := parseFrag(s)
		if err != nil {
			return
		}
		if len(fr.ufrag) < minUfragLen || len(fr.pwd) < minPwdLen || len(fr.ufrag) > maxICECredLen ||
			len(fr.pwd) > maxICECredLen || !iceChars(fr.ufrag+fr.pwd) || len(fr.candidates) > maxFragCandidates {
			t.Fatalf("accepted %+v", fr)
		}
		out, err := restartedRemote(remote, fr)
		if err == nil && !strings.Contains(out, "a=ice-ufrag:"+fr.ufrag+"\r\n") {
			t.Fatalf("remote %q lacks the new ufrag", out)
		}
	})
}
