package ui

import (
	"fmt"
	"math"
	"net"
	"strings"

	"golive/app/profile"
	"golive/outputs/dest"
	"golive/outputs/rtmpurl"
)

// Errors for people: a destination's last error (protocol text from the
// handler) becomes one sentence that names the destination, says what
// happened and what to do. The technical text stays one click away
// (Details).

// problem is what a row says about a destination that is not on air.
type problem struct {
	// Message is the sentence for people ("" when all is well).
	Message string
	// Cert is set for a certificate the destination does not trust: the
	// row offers "Trust this certificate".
	Cert bool
}

// serviceName is how people call the destination's server: its service
// ("Twitch"), else its host.
func serviceName(d profile.Destination) string {
	if d.RTMP == nil {
		return d.Name
	}
	if p := serviceLabel(d.RTMP.Service); p != "Custom" {
		return p
	}
	if h := destHost(d); h != "" {
		return h
	}
	return d.Name
}

// destHost is the host name of an RTMP destination's server.
func destHost(d profile.Destination) string {
	if d.RTMP == nil {
		return srtWHIPHost(d)
	}
	ep, err := rtmpurl.ParseURL(d.RTMP.URL, "k")
	if err != nil {
		return ""
	}
	host, _, err := net.SplitHostPort(ep.Addr())
	if err != nil {
		return ep.Addr()
	}
	return host
}

// explain turns a destination's state and last error into a problem.
func explain(d profile.Destination, st dest.Status) problem {
	raw := strings.ToLower(st.LastError)
	if raw == "" || st.State == dest.StateLive {
		return problem{}
	}
	svc := serviceName(d)
	host := destHost(d)
	if host == "" {
		host = svc
	}
	msg := func(format string, args ...any) problem {
		return problem{Message: d.Name + ": " + fmt.Sprintf(format, args...)}
	}
	if p, ok := explainSRTWHIP(d, raw, host); ok {
		return p
	}
	switch {
	case strings.Contains(raw, "does not match the pinned one"):
		p := msg("%s's certificate is not the one you trusted. If the server's certificate was renewed, trust the new one; otherwise someone may be in between: check your network.", host)
		p.Cert = true
		return p
	case strings.Contains(raw, "certificate"):
		p := msg("%s's certificate is not trusted by this computer. Choose its CA file in the destination, or trust this certificate if you know the server.", host)
		p.Cert = true
		return p
	case strings.Contains(raw, "connect to application"):
		return msg("%s refused the application in the server URL: check the server address (the part after the host).", svc)
	case strings.Contains(raw, "publish rejected") || strings.Contains(raw, "in answer to publish"):
		return msg("%s refused the stream key: check it in %s's dashboard, then edit this destination.", svc, svc)
	case strings.Contains(raw, "no such host") || strings.Contains(raw, "server misbehaving"):
		return msg("the server name %q was not found: check it for a typo.", host)
	case strings.Contains(raw, "connection refused"):
		return msg("%s refused the connection: the server is down or the port is wrong. GoLive retries on its own.", host)
	case strings.Contains(raw, "timeout") || strings.Contains(raw, "did not answer") || strings.Contains(raw, "deadline"):
		return msg("%s did not answer in time: check your network connection. GoLive retries on its own.", host)
	case strings.Contains(raw, "permission denied") || strings.Contains(raw, "read-only"):
		return msg("GoLive may not write there: choose another folder for the file.")
	case strings.Contains(raw, "no space left"):
		return msg("the disk is full: free some space or record to another disk.")
	case strings.Contains(raw, "lost") || strings.Contains(raw, "closed") || strings.Contains(raw, "reset") ||
		strings.Contains(raw, "broken pipe") || strings.Contains(raw, "stopped reading"):
		return msg("the connection to %s was lost. GoLive reconnects on its own.", host)
	}
	return msg("%s could not be reached. See Details for the technical message.", svc)
}

// badgeFor is a row's short state text and colour. The text is a few
// words at most (the whole story is in the row's message), so a failure
// never widens the window.
func badgeFor(d profile.Destination, st dest.Status, phase phase) (string, level) {
	switch st.State {
	case dest.StateConnecting:
		return "connecting", levelWarning
	case dest.StateLive:
		return "live", levelGood
	case dest.StateReconnecting:
		return fmt.Sprintf("reconnecting in %.0fs", math.Ceil(st.RetryInS)), levelWarning
	case dest.StateFailed:
		return "failed", levelDanger
	case dest.StateStopped:
		if phase == phaseLive {
			return "stopped", levelNormal
		}
	}
	switch {
	case !d.Enabled:
		return "off", levelNormal
	case needsKey(d):
		return "needs key", levelWarning
	case phase == phaseIdle:
		return "ready", levelNormal
	}
	return "off", levelNormal
}

// needsKey reports whether an RTMP destination has no stream key, or any
// destination lacks a secret an export left out (an imported profile
// comes without them).
func needsKey(d profile.Destination) bool {
	if len(d.MissingSecrets()) > 0 {
		return true
	}
	if d.RTMP == nil {
		return false
	}
	_, err := rtmpurl.ParseURL(d.RTMP.URL, d.RTMP.Key)
	return err != nil && strings.Contains(strings.ToLower(err.Error()), "key")
}

// forPeople words a profile check for the window: the destination by
// name, the field as the window labels it, no command-line flags.
func forPeople(fe *profile.FieldError) string {
	msg := fe.Message
	if what, _, ok := strings.Cut(msg, " "+profile.LeftOutOnExport); ok {
		it := "them"
		if strings.HasSuffix(what, " was") {
			it = "it"
		}
		return fe.DestName + ": " + what + " " + profile.LeftOutOnExport + ": edit the destination to enter " + it + " again."
	}
	if fe.Field == "rtmp.key" && strings.Contains(msg, "missing") {
		return fe.DestName + ": the stream key is missing: edit the destination to add it."
	}
	label := fieldLabel(fe.Field)
	if !strings.HasPrefix(strings.ToLower(msg), strings.ToLower(label)) {
		msg = label + ": " + msg
	}
	if fe.Dest >= 0 {
		return fe.DestName + ": " + msg
	}
	return msg
}
