package testpeer

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/sirupsen/logrus"
	rtmp "github.com/yutopp/go-rtmp"
	"github.com/yutopp/go-rtmp/message"
)

// EchoForms are the forms in which a careless or hostile server echoes a
// stream key back in its error texts: exact, URL path- and query-escaped
// (upper- and lower-case hex), lower- and upper-cased, the part before
// '?' (a Facebook key's secret part) and each '&'-separated part.
func EchoForms(key string) []string {
	forms := []string{key, url.PathEscape(key), url.QueryEscape(key), strings.ToLower(url.QueryEscape(key)),
		strings.ToLower(key), strings.ToUpper(key)}
	parts := strings.FieldsFunc(key, func(r rune) bool { return r == '?' || r == '&' })
	if len(parts) > 1 {
		for _, p := range parts {
			if len(p) >= 6 {
				forms = append(forms, p, url.QueryEscape(p))
			}
		}
	}
	return forms
}

// EchoKeyServer is an RTMP server (go-rtmp) that accepts connect and
// createStream, then refuses every publish with an onStatus
// NetStream.Publish.BadName whose description quotes the stream key in
// every EchoForms form.
type EchoKeyServer struct {
	ln   net.Listener
	srv  *rtmp.Server
	done chan struct{}

	mu   sync.Mutex
	keys []string
}

// StartEchoKeyServer listens on a free loopback port until the test ends.
func StartEchoKeyServer(t testing.TB) *EchoKeyServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e := &EchoKeyServer{ln: ln, done: make(chan struct{})}
	quiet := logrus.New()
	quiet.Out = io.Discard
	e.srv = rtmp.NewServer(&rtmp.ServerConfig{OnConnect: func(c net.Conn) (io.ReadWriteCloser, *rtmp.ConnConfig) {
		return c, &rtmp.ConnConfig{Handler: &echoHandler{srv: e}, Logger: quiet,
			ControlState: rtmp.StreamControlStateConfig{DefaultBandwidthWindowSize: 6 * 1024 * 1024 / 8}}
	}})
	go func() { defer close(e.done); _ = e.srv.Serve(ln) }()
	t.Cleanup(func() { _ = e.srv.Close(); <-e.done })
	return e
}

// URL is rtmp://ADDR/app, to publish KEY with --rtmp-key or URL#KEY.
func (e *EchoKeyServer) URL(app string) string { return "rtmp://" + e.ln.Addr().String() + "/" + app }

// Keys returns the stream keys publishers sent, in order.
func (e *EchoKeyServer) Keys() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.keys...)
}

type echoHandler struct {
	rtmp.DefaultHandler
	srv  *EchoKeyServer
	conn *rtmp.Conn
}

func (h *echoHandler) OnServe(conn *rtmp.Conn) { h.conn = conn }

// OnPublish answers with the echoing error on the command chunk stream
// (3, where the publish came: in order before go-rtmp's own "Publish
// succeeded.", which the refused client no longer reads).
func (h *echoHandler) OnPublish(ctx *rtmp.StreamContext, ts uint32, cmd *message.NetStreamPublish) error {
	key := cmd.PublishingName
	h.srv.mu.Lock()
	h.srv.keys = append(h.srv.keys, key)
	h.srv.mu.Unlock()
	desc := "stream name " + strings.Join(EchoForms(key), " / ") + " is not allowed"
	var body bytes.Buffer
	enc := message.NewAMFEncoder(&body, message.EncodingTypeAMF0)
	status := &message.NetStreamOnStatus{InfoObject: message.NetStreamOnStatusInfoObject{
		Level: message.NetStreamOnStatusLevelError, Code: message.NetStreamOnStatusCodePublishBadName, Description: desc}}
	if err := message.EncodeBodyAnyValues(enc, status); err != nil {
		return err
	}
	return h.conn.Write(context.Background(), 3, ts, &rtmp.ChunkMessage{StreamID: ctx.StreamID, Message: &message.CommandMessage{
		CommandName: "onStatus", Encoding: message.EncodingTypeAMF0, Body: &body}})
}
