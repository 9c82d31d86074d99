package whip

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"

	"github.com/pion/webrtc/v4"

	"golive/media/unit"
	"golive/outputs/dest"
)

// connect opens the connection and publishes. The first offer is gathered
// with the ICE servers known so far (those of an earlier 201, else those
// of an OPTIONS pre-flight). When the 201 lists servers it was not
// gathered with (RFC 9725 section 4.6), they are applied: new
// configuration and an ICE restart sent to the session by PATCH (section
// 4.4.1); a session that does not restart ICE is DELETEd and the offer
// POSTed again, once, gathered with the new servers.
func (p *Publisher) connect(ctx context.Context, endpoint *url.URL, tracks unit.Tracks) (*conn, error) {
	c, err := p.open(ctx, endpoint, tracks, p.learned)
	if err != nil {
		return nil, err
	}
	fresh, err := c.offer(ctx, endpoint.Host)
	if err != nil || fresh == nil {
		if err != nil {
			p.close(c)
		}
		return c, err
	}
	p.learned = fresh
	p.Logger.Info("whip: the 201 lists new ICE servers; restarting ICE with them", "host", endpoint.Host,
		"servers", len(fresh))
	err = c.restart(ctx, endpoint.Host, fresh)
	if err == nil {
		p.iceRestarts.Add(1)
		return c, nil
	}
	p.close(c)
	if !errors.Is(err, errNoRestart) {
		return nil, err
	}
	p.Logger.Info("whip: publishing again with the 201's ICE servers (DELETE and POST)", "host", endpoint.Host,
		"why", err.Error())
	p.iceRepublished.Add(1)
	if c, err = p.open(ctx, endpoint, tracks, fresh); err != nil {
		return nil, err
	}
	if _, err := c.offer(ctx, endpoint.Host); err != nil {
		p.close(c)
		return nil, err
	}
	return c, nil
}

// restart applies new ICE servers to the connection and restarts ICE
// through the session (RFC 9725 section 4.4.1): new ufrag/pwd, candidates
// gathered with the servers, PATCHed as an SDP fragment; the session's
// answer (its new ufrag/pwd and candidates) completes the remote
// description. errNoRestart: the session does not do ICE restarts.
func (c *conn) restart(ctx context.Context, host string, servers []ICEServer) error {
	cfg := c.pc.GetConfiguration()
	cfg.ICEServers = webrtcServers(servers)
	if err := c.pc.SetConfiguration(cfg); err != nil {
		return dest.Fatal(fmt.Errorf("whip %s: the ICE servers of the 201 are not usable: %w", host, err))
	}
	o, err := c.pc.CreateOffer(&webrtc.OfferOptions{ICERestart: true})
	if err != nil {
		return fmt.Errorf("whip %s: ICE restart offer: %w", host, err)
	}
	if err := c.gather(ctx, o); err != nil {
		return err
	}
	frag, err := buildFrag(c.pc.LocalDescription().SDP)
	if err != nil {
		return fmt.Errorf("whip %s: ICE restart fragment: %w", host, err)
	}
	answer, etag, err := c.client.restartICE(ctx, c.session, frag)
	if err != nil {
		return err
	}
	if etag != "" {
		c.etag = etag
	}
	f, err := parseFrag(answer)
	if errors.Is(err, errNoRestart) {
		return err
	}
	if err != nil {
		return dest.Fatal(fmt.Errorf("whip %s: the server's ICE restart answer is not usable: %w", host, err))
	}
	remote, err := restartedRemote(c.pc.RemoteDescription().SDP, f)
	if err == nil {
		err = c.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: remote})
	}
	if err != nil {
		return dest.Fatal(fmt.Errorf("whip %s: the server's ICE restart answer is not usable: %w", host, err))
	}
	c.servers = servers
	return nil
}

// webrtcServers is the pion form of the servers.
func webrtcServers(servers []ICEServer) []webrtc.ICEServer {
	var out []webrtc.ICEServer
	for _, s := range servers {
		out = append(out, webrtc.ICEServer{URLs: []string{s.URL}, Username: s.Username, Credential: s.Credential})
	}
	return out
}

// subset: every server of a is in b.
func subset(a, b []ICEServer) bool {
	for _, s := range a {
		if !slices.Contains(b, s) {
			return false
		}
	}
	return true
}
