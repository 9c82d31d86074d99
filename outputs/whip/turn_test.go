package whip

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/stun/v4"
	"github.com/pion/turn/v5"

	"golive/media/testpeer"
	"golive/outputs/dest"
	"golive/outputs/internal/peertest"
)

// Credentials the test TURN server takes; turnPass is a secret.
const (
	turnRealm = "golive.test"
	turnUser  = "turn-user"
	turnPass  = "turn-SECRET-cred-4711"
)

// turnServer is a TURN server (RFC 8656, pion/turn) on loopback that
// counts the Allocate requests its auth handler saw with turnUser.
type turnServer struct {
	srv  *turn.Server
	port int

	mu        sync.Mutex
	allocates int // Allocate requests authenticated as turnUser
	others    []string
}

func startTURN(t *testing.T) *turnServer {
	t.Helper()
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts := &turnServer{port: pc.LocalAddr().(*net.UDPAddr).Port}
	key := turn.GenerateAuthKey(turnUser, turnRealm, turnPass)
	ts.srv, err = turn.NewServer(turn.ServerConfig{
		Realm: turnRealm,
		AuthHandler: func(ra *turn.RequestAttributes) (string, []byte, bool) {
			ts.mu.Lock()
			defer ts.mu.Unlock()
			if ra.Username != turnUser {
				ts.others = append(ts.others, ra.Username)
				return "", nil, false
			}
			if ra.Method == stun.MethodAllocate {
				ts.allocates++
			}
			return ra.Username, key, true
		},
		PacketConnConfigs: []turn.PacketConnConfig{{PacketConn: pc, RelayAddressGenerator: &turn.RelayAddressGeneratorStatic{
			RelayAddress: net.IPv4(127, 0, 0, 1), Address: "127.0.0.1"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ts.srv.Close() })
	return ts
}

// linkingProxy is an HTTP proxy in front of MediaMTX's WHIP endpoint that
// adds the TURN server to the Link headers of every 201 (RFC 9725 section
// 4.6) and records the PATCH requests (If-Match and Content-Type). With
// refusePatch it answers them 405 itself, as a server without ICE
// restarts does (section 4.4).
type linkingProxy struct {
	*httptest.Server
	mu      sync.Mutex
	patches []string
}

func newLinkingProxy(t *testing.T, m *testpeer.MediaMTX, link string, refusePatch bool) *linkingProxy {
	t.Helper()
	target, _ := url.Parse(fmt.Sprintf("http://127.0.0.1:%d", m.HTTPPort))
	lp := &linkingProxy{}
	rp := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) { pr.SetURL(target) }}
	rp.ModifyResponse = func(r *http.Response) error {
		if r.StatusCode == http.StatusCreated {
			r.Header.Add("Link", link)
		}
		return nil
	}
	lp.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPatch {
			lp.mu.Lock()
			lp.patches = append(lp.patches, r.Header.Get("If-Match")+" "+r.Header.Get("Content-Type"))
			lp.mu.Unlock()
			if refusePatch {
				w.WriteHeader(http.StatusMethodNotAllowed)
				return
			}
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(lp.Close)
	return lp
}

func (lp *linkingProxy) patchList() []string {
	lp.mu.Lock()
	defer lp.mu.Unlock()
	return slices.Clone(lp.patches)
}

// TestWHIPTURNFrom201: the WHIP server names a TURN server only in the 201
// (Link header, RFC 9725 section 4.6). The publisher applies it with an
// ICE restart PATCHed to the session (section 4.4.1; MediaMTX answers
// with its new ufrag/pwd and candidates), or, when the session refuses
// PATCH (405 from the proxy), DELETEs it and POSTs again gathered with the
// TURN server. Either way the TURN server's auth handler sees our Allocate
// with the 201's credentials and the allocation is made (the password was
// right), the stream read back over RTSP decodes with 0 errors, and the
// TURN credential shows in no log line, status, error or stats field.
func TestWHIPTURNFrom201(t *testing.T) {
	testpeer.RequireBinaries(t, "ffmpeg", "ffprobe")
	for _, c := range []struct {
		name        string
		refusePatch bool
		counter     string
		posts       int
	}{
		{"restart", false, "ice_restarts", 1},
		{"republish", true, "ice_republished", 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := startMediaMTX(t)
			ts := startTURN(t)
			link := fmt.Sprintf(`<turn:127.0.0.1:%d?transport=udp>; rel="ice-server"; username="%s"; credential="%s"; credential-type="password"`,
				ts.port, turnUser, turnPass)
			lp := newLinkingProxy(t, m, link, c.refusePatch)
			var logs syncBuffer
			allocations := 0
			st, out := publishThrough(t, lp.URL+"/cam/whip", m, &logs, func() { allocations = ts.srv.AllocationCount() })
			ts.mu.Lock()
			allocates, others := ts.allocates, ts.others
			ts.mu.Unlock()
			patches := lp.patchList()
			t.Logf("status %+v; TURN allocates %d, allocations while live %d; PATCHes %q", st, allocates, allocations, patches)
			if allocates == 0 || len(others) > 0 || allocations == 0 {
				t.Errorf("TURN server saw %d Allocate requests as %q (%d allocations made) and other users %q: want ours",
					allocates, turnUser, allocations, others)
			}
			if st.State != dest.StateLive || st.Reconnects != 0 || st.Detail[c.counter] != uint64(1) {
				t.Errorf("status %+v: want live without reconnects, %s 1", st, c.counter)
			}
			if len(patches) != 1 || patches[0] != `* application/trickle-ice-sdpfrag` {
				t.Errorf("PATCHes %q: want one ICE restart with If-Match * and an sdpfrag", patches)
			}
			if n := strings.Count(m.Log.String(), "POST /cam/whip"); n != c.posts {
				t.Errorf("%d POSTs in MediaMTX's log: want %d", n, c.posts)
			}
			if c.refusePatch && !strings.Contains(m.Log.String(), "DELETE /") {
				t.Errorf("the first session was not DELETEd: %s", tail(m.Log.String()))
			}
			status, _ := json.Marshal(st)
			for what, s := range map[string]string{"log": logs.String(), "status": string(status)} {
				if strings.Contains(s, turnPass) {
					t.Errorf("the TURN credential shows in the %s: %s", what, s)
				}
			}
			peertest.CheckRecording(t, out, 0)
		})
	}
}

// publishThrough publishes to url until live, reads MediaMTX's path
// back over RTSP for 5 s, calls whileLive and stops; it returns the status
// just before the stop and the recording.
func publishThrough(t *testing.T, url string, m *testpeer.MediaMTX, logs *syncBuffer, whileLive func()) (dest.Status, string) {
	t.Helper()
	e := newEngine(t, 0)
	defer e.Stop(t)
	p := &Publisher{URL: url, Token: pubToken,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	h := handler(t, e, "turn", p)
	defer h.Close()
	e.Start()
	waitState(t, h, dest.StateLive, 30*time.Second)
	out := filepath.Join(t.TempDir(), "rtsp.mkv")
	readRTSP(t, m.RTSPURL("cam"), out, 5*time.Second)
	whileLive()
	return h.Status(), out
}

// syncBuffer is a bytes.Buffer for a logger used from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
