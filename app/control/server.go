package control

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"

	"golive/app/secret"
)

// DefaultAddr is where the remote control listens unless told otherwise:
// loopback only, obs-websocket's port.
const DefaultAddr = "127.0.0.1:4455"

// Defaults of the Server's limits.
const (
	DefaultMaxClients      = 16
	DefaultIdentifyTimeout = 10 * time.Second
	writeTimeout           = 10 * time.Second
	// outQueue bounds the messages waiting for a slow client; an event
	// that finds it full closes that client (it reconnects and asks again).
	outQueue = 256
)

// Server is the obs-websocket 5 server. Fill the exported fields, call
// Initialize (which listens), then Run until its context ends.
type Server struct {
	// Addr is host:port to listen on ("" = DefaultAddr).
	Addr string
	// Password is required from every client. An empty password turns
	// authentication off (tests only: `golive serve` always sets one).
	Password   string
	Controller Controller
	// Version is GoLive's version, reported by GetVersion.
	Version string
	Logger  *slog.Logger
	// Secrets redacts what is sent to clients (nil = secret.Default).
	Secrets *secret.Registry
	// MaxClients bounds the simultaneous connections (0 = default).
	MaxClients int
	// IdentifyTimeout closes a client that does not identify in time.
	IdentifyTimeout time.Duration

	ln      net.Listener
	hs      *http.Server
	auth    *authLimiter
	proc    *processStats
	unsub   func()
	mu      sync.Mutex
	conns   map[*conn]struct{}
	closing bool
	wg      sync.WaitGroup
	base    context.Context
	stop    context.CancelFunc
}

// Initialize checks the configuration and starts listening.
func (s *Server) Initialize() error {
	if s.Controller == nil {
		return errors.New("remote control: no controller")
	}
	if s.Logger == nil {
		s.Logger = slog.Default()
	}
	if s.Secrets == nil {
		s.Secrets = secret.Default
	}
	if s.Addr == "" {
		s.Addr = DefaultAddr
	}
	if s.MaxClients <= 0 {
		s.MaxClients = DefaultMaxClients
	}
	if s.IdentifyTimeout <= 0 {
		s.IdentifyTimeout = DefaultIdentifyTimeout
	}
	s.Secrets.Register(s.Password)
	ln, err := net.Listen("tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("remote control: listen on %s: %w (is another program, such as OBS, using the port? choose another address)", s.Addr, err)
	}
	s.ln = ln
	s.auth = newAuthLimiter(s.Logger)
	s.proc = newProcessStats()
	s.conns = make(map[*conn]struct{})
	s.base, s.stop = context.WithCancel(context.Background())
	s.hs = &http.Server{Handler: s, ReadHeaderTimeout: 5 * time.Second, MaxHeaderBytes: 16 << 10,
		ErrorLog: slog.NewLogLogger(s.Logger.Handler(), slog.LevelDebug)}
	s.unsub = s.Controller.Subscribe(s.broadcast)
	return nil
}

// ListenAddr returns the address the server listens on.
func (s *Server) ListenAddr() string { return s.ln.Addr().String() }

// Run serves clients until ctx ends, then tells them ExitStarted, closes
// every connection and returns once all of them are gone.
func (s *Server) Run(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- s.hs.Serve(s.ln) }()
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
		err = fmt.Errorf("remote control: %w", err)
	}
	s.shutdown()
	if err == nil {
		if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) {
			err = fmt.Errorf("remote control: %w", serr)
		}
	}
	return err
}

// shutdown announces the exit, closes every connection and waits for them.
func (s *Server) shutdown() {
	s.unsub()
	s.broadcast(Event{Type: EventExitStarted})
	s.mu.Lock()
	s.closing = true
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.finish(websocket.StatusGoingAway, "GoLive is exiting", true)
	}
	sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = s.hs.Shutdown(sctx)
	s.wg.Wait()
	s.stop()
}

// ServeHTTP upgrades a request to an obs-websocket session.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c, ok := s.register()
	if !ok {
		http.Error(w, "too many remote control clients", http.StatusServiceUnavailable)
		return
	}
	defer s.unregister(c)
	// Origin checks stay on: a web page from another site cannot drive
	// the stream through the user's browser.
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{Subprotocol, SubprotocolMsgPack}})
	if err != nil {
		s.Logger.Debug("remote control: websocket upgrade refused", "err", err, "remote", r.RemoteAddr)
		return
	}
	ws.SetReadLimit(MaxMessageBytes)
	if offered := r.Header.Get("Sec-WebSocket-Protocol"); offered != "" && ws.Subprotocol() == "" {
		_ = ws.Close(websocket.StatusCode(CloseUnsupportedFeature), "only the obswebsocket.json and obswebsocket.msgpack subprotocols are supported")
		return
	}
	c.ws = ws
	c.msgpack = ws.Subprotocol() == SubprotocolMsgPack
	c.remote = r.RemoteAddr
	c.serve()
}

func (s *Server) register() (*conn, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing || len(s.conns) >= s.MaxClients {
		return nil, false
	}
	c := newConn(s)
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	return c, true
}

func (s *Server) unregister(c *conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	s.wg.Done()
}

// broadcast sends an event to every identified client subscribed to its
// category. It never blocks: a client whose queue is full is closed.
func (s *Server) broadcast(ev Event) {
	msg, intent := eventPayload(ev)
	data, err := s.encode(outMessage{Op: OpEvent, D: msg})
	if err != nil {
		s.Logger.Error("remote control: cannot encode event", "event", ev.Type, "err", err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		if c.identified.Load() && c.subs.Load()&intent != 0 {
			c.trySend(data)
		}
	}
}

// encode marshals a message for a client. As a last guard, a message that
// would carry a registered secret (a stream key, the password) is
// redacted and logged as a bug.
func (s *Server) encode(m outMessage) ([]byte, error) {
	data, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	if s.Secrets.Contains(string(data)) {
		s.Logger.Error("remote control: a message held a secret: redacted", "op", m.Op)
		data = []byte(s.Secrets.Redact(string(data)))
	}
	return data, nil
}

// eventPayload builds an Event's data and its subscription intent.
func eventPayload(ev Event) (eventMessage, uint32) {
	switch ev.Type {
	case EventStreamStateChanged:
		return eventMessage{EventType: ev.Type, EventIntent: SubOutputs,
			EventData: map[string]any{"outputActive": ev.Active, "outputState": ev.State}}, SubOutputs
	case EventRecordStateChanged:
		d := map[string]any{"outputActive": ev.Active, "outputState": ev.State, "outputPath": nil}
		if ev.Path != "" {
			d["outputPath"] = ev.Path
		}
		return eventMessage{EventType: ev.Type, EventIntent: SubOutputs, EventData: d}, SubOutputs
	case EventCurrentProfileChanged:
		return eventMessage{EventType: ev.Type, EventIntent: SubConfig,
			EventData: map[string]any{"profileName": ev.Profile}}, SubConfig
	}
	return eventMessage{EventType: ev.Type, EventIntent: SubGeneral}, SubGeneral
}
