package ui

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"

	"golive/app/profile"
	"golive/outputs/rtmp"
	"golive/outputs/rtmpurl"
)

// certTimeout bounds fetching a server's certificate to show it.
const certTimeout = 5 * time.Second

// serverCert is what the window shows about a server's certificate.
type serverCert struct {
	Fingerprint string // SHA-256, colon-separated hex (a valid pin)
	Subject     string
	Issuer      string
	NotAfter    time.Time
}

// fetchCertificate reads the certificate an RTMPS server presents,
// without trusting it and without sending anything else: the user
// decides from its fingerprint and subject whether to pin it.
func fetchCertificate(ctx context.Context, url string) (serverCert, error) {
	ep, err := rtmpurl.ParseURL(url, "k")
	if err != nil {
		return serverCert{}, err
	}
	host, _, err := net.SplitHostPort(ep.Addr())
	if err != nil {
		return serverCert{}, err
	}
	d := tls.Dialer{NetDialer: &net.Dialer{Timeout: certTimeout}, Config: &tls.Config{
		ServerName: host, MinVersion: tls.VersionTLS12,
		InsecureSkipVerify: true, //nolint:gosec // only reads the certificate to show it
	}}
	ctx, cancel := context.WithTimeout(ctx, certTimeout)
	defer cancel()
	c, err := d.DialContext(ctx, "tcp", ep.Addr())
	if err != nil {
		return serverCert{}, fmt.Errorf("reading the certificate of %s: %w", ep.Addr(), err)
	}
	defer c.Close()
	certs := c.(*tls.Conn).ConnectionState().PeerCertificates
	if len(certs) == 0 {
		return serverCert{}, errors.New("the server sent no certificate")
	}
	return describeCert(certs[0]), nil
}

func describeCert(c *x509.Certificate) serverCert {
	return serverCert{Fingerprint: rtmp.Fingerprint(c.Raw), Subject: c.Subject.String(),
		Issuer: c.Issuer.String(), NotAfter: c.NotAfter}
}

// askTrust shows the certificate of destination i's server and, if the
// user trusts it, pins it to that destination (restarting it while live).
func (l *destList) askTrust(i int) {
	if i >= len(l.w.prof.Destinations) || l.w.prof.Destinations[i].RTMP == nil {
		return
	}
	d := l.w.prof.Destinations[i].Clone()
	l.w.goAsync(func() func() {
		cert, err := fetchCertificate(context.Background(), d.RTMP.URL)
		return func() {
			if err != nil {
				l.w.showError("Trust certificate", err)
				return
			}
			l.confirmTrust(i, d, cert)
		}
	})
}

// confirmTrust asks whether to pin cert to destination d (at index i).
func (l *destList) confirmTrust(i int, d profile.Destination, cert serverCert) {
	msg := fmt.Sprintf("%s presents this certificate, which this computer does not trust:\n\n"+
		"Subject: %s\nIssued by: %s\nValid until: %s\nSHA-256: %s\n\n"+
		"Trust it only if you know this server (compare the fingerprint with what its owner gives). "+
		"GoLive will then accept exactly this certificate for %s, and refuse any other.",
		destHost(d), cert.Subject, cert.Issuer, cert.NotAfter.Format("2006-01-02"), cert.Fingerprint, d.Name)
	dlg := dialog.NewConfirm("Trust this certificate?", msg, func(ok bool) {
		if !ok || i >= len(l.w.prof.Destinations) || l.w.prof.Destinations[i].Name != d.Name {
			return
		}
		nd := l.w.prof.Destinations[i].Clone()
		if nd.RTMP == nil {
			return
		}
		nd.RTMP.PinSHA256 = cert.Fingerprint
		if err := l.put(i, nd); err != nil {
			l.w.showError("Trust certificate", err)
		}
	}, l.w.win)
	dlg.SetConfirmText(labelTrust + " for this destination")
	l.w.showModal(dlg, fyne.NewSize(560, 320), nil, dlg.Dismiss)
}
