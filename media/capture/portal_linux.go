//go:build linux

package capture

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/godbus/dbus/v5"
)

// The xdg-desktop-portal ScreenCast interface:
// https://flatpak.github.io/xdg-desktop-portal/docs/doc-org.freedesktop.portal.ScreenCast.html
// Every method returns a Request object path at once and answers later
// with its Response signal (code 0 success, 1 cancelled by the user, 2
// ended otherwise).
const (
	portalDest      = "org.freedesktop.portal.Desktop"
	portalPath      = "/org/freedesktop/portal/desktop"
	screenCastIface = "org.freedesktop.portal.ScreenCast"
	requestIface    = "org.freedesktop.portal.Request"
	sessionIface    = "org.freedesktop.portal.Session"

	sourceMonitor       = 1
	cursorHidden        = 1
	cursorEmbedded      = 2
	cursorMetadata      = 4
	persistUntilRevoked = 2
)

// Portal is a screen-cast session with the desktop portal: Initialize
// asks for one monitor (the desktop may show its picker) and starts the
// cast; OpenPipeWireRemote then gives the PipeWire connection that carries
// the pictures. Close ends the session.
type Portal struct {
	// Cursor draws the pointer into the pictures (cursor mode embedded);
	// otherwise it comes as metadata, which GoLive does not draw.
	Cursor bool
	// RestoreToken, from an earlier session, lets the portal reuse the
	// monitor chosen then without asking again.
	RestoreToken string
	// Timeout bounds each portal request, the user's choice in the
	// picker included (default 3 minutes).
	Timeout time.Duration
	Logger  *slog.Logger

	conn     *dbus.Conn
	obj      dbus.BusObject
	version  uint32
	session  dbus.ObjectPath
	signals  chan *dbus.Signal
	response chan *dbus.Signal
	closed   chan struct{} // closed when the portal ends the session
	done     chan struct{} // closed when the watcher returned
	once     sync.Once
	mu       sync.Mutex // guards session against the watcher

	// Node is the PipeWire node of the shared monitor; Size and Position
	// its size and place in the desktop as the portal reports them (zero
	// when not reported).
	Node     uint32
	Size     image.Point
	Position image.Point
	// NewRestoreToken is the token to keep for the next session ("" when
	// the portal gave none).
	NewRestoreToken string
}

// Initialize connects to the session bus and runs CreateSession,
// SelectSources and Start.
func (p *Portal) Initialize() error {
	if p.Timeout <= 0 {
		p.Timeout = 3 * time.Minute
	}
	if p.Logger == nil {
		p.Logger = slog.Default()
	}
	if err := p.connect(); err != nil {
		return err
	}
	if err := p.start(); err != nil {
		p.Close()
		return err
	}
	return nil
}

func (p *Portal) connect() error {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" && os.Getenv("XDG_RUNTIME_DIR") == "" {
		return fmt.Errorf("%w: no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set): run GoLive inside the desktop session", ErrPortalMissing)
	}
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return fmt.Errorf("%w: cannot reach the D-Bus session bus (run GoLive inside your desktop session): %w", ErrPortalMissing, err)
	}
	p.conn, p.obj = conn, conn.Object(portalDest, portalPath)
	v, err := p.obj.GetProperty(screenCastIface + ".version")
	if err != nil {
		conn.Close()
		return fmt.Errorf("%w: xdg-desktop-portal with the ScreenCast interface is not running (%w): "+
			"install xdg-desktop-portal and the backend of your desktop (-gnome, -kde or -wlr)", ErrPortalMissing, err)
	}
	p.version, _ = v.Value().(uint32)
	p.signals = make(chan *dbus.Signal, 16)
	p.response = make(chan *dbus.Signal, 4)
	p.closed, p.done = make(chan struct{}), make(chan struct{})
	conn.Signal(p.signals)
	for _, m := range [][]dbus.MatchOption{
		{dbus.WithMatchInterface(requestIface), dbus.WithMatchMember("Response")},
		{dbus.WithMatchInterface(sessionIface), dbus.WithMatchMember("Closed")},
	} {
		if err := conn.AddMatchSignal(m...); err != nil {
			conn.Close()
			p.conn = nil
			return fmt.Errorf("portal: subscribe to signals: %w", err)
		}
	}
	go p.watch()
	return nil
}

// watch routes the portal's signals until the connection closes (godbus
// then closes p.signals; a lost bus ends the session too).
func (p *Portal) watch() {
	defer close(p.done)
	defer p.once.Do(func() { close(p.closed) })
	for sig := range p.signals {
		switch sig.Name {
		case requestIface + ".Response":
			select {
			case p.response <- sig:
			default: // nobody waits for it: an answer to an abandoned request
			}
		case sessionIface + ".Closed":
			p.mu.Lock()
			ours := p.session != "" && sig.Path == p.session
			p.mu.Unlock()
			if ours {
				p.once.Do(func() { close(p.closed) })
			}
		}
	}
}

func (p *Portal) start() error {
	res, err := p.request("CreateSession", map[string]dbus.Variant{
		"session_handle_token": dbus.MakeVariant(token()),
	})
	if err != nil {
		return fmt.Errorf("portal CreateSession: %w", err)
	}
	s, _ := res["session_handle"].Value().(string)
	if s == "" {
		return errors.New("portal CreateSession: no session handle in the answer")
	}
	p.mu.Lock()
	p.session = dbus.ObjectPath(s)
	p.mu.Unlock()
	if _, err := p.request("SelectSources", p.session, p.selectOptions()); err != nil {
		return fmt.Errorf("portal SelectSources: %w", err)
	}
	res, err = p.request("Start", p.session, "", map[string]dbus.Variant{})
	if err != nil {
		return fmt.Errorf("portal Start: %w", err)
	}
	return p.readStreams(res)
}

func (p *Portal) selectOptions() map[string]dbus.Variant {
	opts := map[string]dbus.Variant{
		"types":    dbus.MakeVariant(uint32(sourceMonitor)),
		"multiple": dbus.MakeVariant(false),
	}
	if p.version >= 2 {
		opts["cursor_mode"] = dbus.MakeVariant(p.cursorMode())
	}
	if p.version >= 4 {
		opts["persist_mode"] = dbus.MakeVariant(uint32(persistUntilRevoked))
		if p.RestoreToken != "" {
			opts["restore_token"] = dbus.MakeVariant(p.RestoreToken)
		}
	}
	return opts
}

// cursorMode is embedded or metadata as asked, or what the portal has.
func (p *Portal) cursorMode() uint32 {
	want := uint32(cursorMetadata)
	if p.Cursor {
		want = cursorEmbedded
	}
	v, err := p.obj.GetProperty(screenCastIface + ".AvailableCursorModes")
	avail, _ := v.Value().(uint32)
	if err != nil || avail&want != 0 {
		return want
	}
	for _, m := range []uint32{cursorEmbedded, cursorMetadata, cursorHidden} {
		if avail&m != 0 {
			return m
		}
	}
	return want
}

// readStreams takes the node, size and position of the one shared monitor.
func (p *Portal) readStreams(res map[string]dbus.Variant) error {
	if t, ok := res["restore_token"].Value().(string); ok {
		p.NewRestoreToken = t
	}
	streams, ok := res["streams"].Value().([][]any)
	if !ok || len(streams) == 0 || len(streams[0]) != 2 {
		return errors.New("portal Start: the answer names no stream")
	}
	node, ok := streams[0][0].(uint32)
	if !ok {
		return errors.New("portal Start: the stream has no PipeWire node id")
	}
	p.Node = node
	props, _ := streams[0][1].(map[string]dbus.Variant)
	p.Size = pointProp(props, "size")
	p.Position = pointProp(props, "position")
	return nil
}

func pointProp(props map[string]dbus.Variant, name string) image.Point {
	v, ok := props[name]
	if !ok {
		return image.Point{}
	}
	if xy, ok := v.Value().([]any); ok && len(xy) == 2 {
		x, _ := xy[0].(int32)
		y, _ := xy[1].(int32)
		return image.Pt(int(x), int(y))
	}
	return image.Point{}
}

// OpenPipeWireRemote returns the PipeWire connection of the session.
func (p *Portal) OpenPipeWireRemote() (*os.File, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var fd dbus.UnixFD
	err := p.obj.CallWithContext(ctx, screenCastIface+".OpenPipeWireRemote", 0,
		p.session, map[string]dbus.Variant{}).Store(&fd)
	if err != nil {
		return nil, fmt.Errorf("%w: the portal could not open a PipeWire connection (is the pipewire service running?): %w",
			ErrPipeWireMissing, err)
	}
	return os.NewFile(uintptr(fd), "pipewire-remote"), nil
}

// Closed is closed when the portal ends the session (the user stopped the
// sharing from the desktop, or the compositor went away).
func (p *Portal) Closed() <-chan struct{} { return p.closed }

// Close ends the session and disconnects. It is safe to call twice.
func (p *Portal) Close() {
	if p.conn == nil {
		return
	}
	if p.session != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		call := p.conn.Object(portalDest, p.session).CallWithContext(ctx, sessionIface+".Close", 0)
		cancel()
		if call.Err != nil {
			p.Logger.Debug("portal: close session", "err", call.Err)
		}
	}
	_ = p.conn.Close() // closes p.signals: the watcher returns
	<-p.done
	p.conn = nil
}

// request calls a ScreenCast method whose last argument is its options and
// waits for the Response of the Request it returns.
func (p *Portal) request(method string, args ...any) (map[string]dbus.Variant, error) {
	opts, _ := args[len(args)-1].(map[string]dbus.Variant)
	opts["handle_token"] = dbus.MakeVariant(token())
	ctx, cancel := context.WithTimeout(context.Background(), p.Timeout)
	defer cancel()
	var handle dbus.ObjectPath
	if err := p.obj.CallWithContext(ctx, screenCastIface+"."+method, 0, args...).Store(&handle); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrPortalRefused, err)
	}
	for {
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("no answer from the desktop portal within %v (was its dialog left open?)", p.Timeout)
		case sig := <-p.response:
			if sig.Path != handle || len(sig.Body) < 2 {
				continue
			}
			code, _ := sig.Body[0].(uint32)
			res, _ := sig.Body[1].(map[string]dbus.Variant)
			return res, responseError(code)
		}
	}
}

func responseError(code uint32) error {
	switch code {
	case 0:
		return nil
	case 1:
		return fmt.Errorf("%w: choose a screen and press Share to go live", ErrPortalCancelled)
	default:
		return fmt.Errorf("%w (response code %d): the desktop did not allow it or could not capture "+
			"(check the portal backend for your desktop, e.g. xdg-desktop-portal-gnome, -kde or -wlr)", ErrPortalRefused, code)
	}
}

// token is a fresh handle token (letters, digits and underscores only).
func token() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return "golive_" + strings.ToLower(hex.EncodeToString(b[:]))
}

// PortalInfo describes where portal screen capture comes from (the
// ScreenCast version on the session bus and whether PipeWire loads), or
// why it is not available.
func PortalInfo() (string, error) {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return "", fmt.Errorf("%w: no D-Bus session bus: %w", ErrPortalMissing, err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	var v dbus.Variant
	err = conn.Object(portalDest, portalPath).CallWithContext(ctx, "org.freedesktop.DBus.Properties.Get", 0,
		screenCastIface, "version").Store(&v)
	if err != nil {
		return "", fmt.Errorf("%w: xdg-desktop-portal ScreenCast is not on the session bus: %w", ErrPortalMissing, err)
	}
	if err := loadPipeWire(); err != nil {
		return "", err
	}
	return fmt.Sprintf("xdg-desktop-portal ScreenCast v%v on the session bus, frames through PipeWire", v.Value()), nil
}
