package rtmp

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"golive/outputs/dest"
)

// ErrCertificate matches every failed server certificate check.
var ErrCertificate = errors.New("server certificate rejected")

// tlsSetup is the TLS client configuration of one RTMPS destination:
// system roots by default, plus an extra CA file, or a pinned leaf
// certificate. Verification failures are errors, never a plaintext retry.
type tlsSetup struct {
	config *tls.Config
	pin    []byte
}

// newTLSSetup validates the CA file and the pin.
func newTLSSetup(ep *Endpoint, caFile, pin string) (*tlsSetup, error) {
	ts := &tlsSetup{config: &tls.Config{ServerName: ep.Host, MinVersion: tls.VersionTLS12}}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("rtmps ca file: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("rtmps ca file %s: no PEM certificate found", caFile)
		}
		ts.config.RootCAs = pool
	}
	if pin != "" {
		p, err := ParsePin(pin)
		if err != nil {
			return nil, err
		}
		ts.pin = p
		// The pinned certificate replaces chain verification, which a
		// self-signed server cannot pass; it is checked in
		// VerifyConnection, so a mismatch still fails the handshake.
		ts.config.InsecureSkipVerify = true
		ts.config.VerifyConnection = ts.verifyPin
	}
	return ts, nil
}

// ParsePin decodes a SHA-256 certificate fingerprint written as 64 hex
// digits, optionally separated by colons or spaces.
func ParsePin(pin string) ([]byte, error) {
	clean := strings.NewReplacer(":", "", " ", "", "-", "").Replace(strings.TrimSpace(pin))
	clean = strings.TrimPrefix(strings.ToLower(clean), "sha256/")
	b, err := hex.DecodeString(clean)
	if err != nil || len(b) != sha256.Size {
		return nil, errors.New("rtmps certificate pin: want a SHA-256 fingerprint of 64 hex digits")
	}
	return b, nil
}

// Fingerprint returns the SHA-256 fingerprint of a DER certificate as
// colon-separated hex, the form ParsePin accepts.
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

func (ts *tlsSetup) verifyPin(cs tls.ConnectionState) error {
	if len(cs.PeerCertificates) == 0 {
		return errors.New("server sent no certificate")
	}
	sum := sha256.Sum256(cs.PeerCertificates[0].Raw)
	if string(sum[:]) != string(ts.pin) {
		return fmt.Errorf("certificate fingerprint %s does not match the pinned one",
			Fingerprint(cs.PeerCertificates[0].Raw))
	}
	return nil
}

// handshake runs the TLS handshake over nc within timeout.
func (ts *tlsSetup) handshake(ctx context.Context, nc net.Conn, timeout time.Duration) (net.Conn, error) {
	hctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tc := tls.Client(nc, ts.config)
	if err := tc.HandshakeContext(hctx); err != nil {
		_ = nc.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if isCertError(err) {
			// Retrying cannot make an untrusted certificate trusted.
			return nil, dest.Fatal(fmt.Errorf("rtmps %s: %w: %w (give the server's CA file or pin its certificate)",
				ts.config.ServerName, ErrCertificate, err))
		}
		return nil, fmt.Errorf("rtmps tls handshake with %s: %w", ts.config.ServerName, timeoutHint(err))
	}
	return tc, nil
}

func isCertError(err error) bool {
	var (
		verr *tls.CertificateVerificationError
		uerr x509.UnknownAuthorityError
		herr x509.HostnameError
		cerr x509.CertificateInvalidError
	)
	if errors.As(err, &verr) || errors.As(err, &uerr) || errors.As(err, &herr) || errors.As(err, &cerr) {
		return true
	}
	// A VerifyConnection failure (pin mismatch) arrives as a plain error
	// wrapped by the tls package.
	return strings.Contains(err.Error(), "certificate")
}
