// Package whip publishes the stream over WebRTC to a WHIP endpoint
// (RFC 9725): the SDP offer is POSTed with a bearer token, the 201's
// Location is the session, DELETEd at stop. H.264 (packetization-mode 1,
// no B-frames) and Opus come from the shared encoders; the NACK responder
// answers retransmission requests, PLI/FIR become key-frame requests on
// the encoder, and TWCC feedback drives a GCC bandwidth estimate (pion
// webrtc v4 and interceptor).
package whip

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/webrtc/v4"

	"golive/media/stream"
	"golive/media/unit"
	"golive/outputs/dest"
	"golive/outputs/interleave"
	"golive/outputs/whipurl"
)

// Timeouts of one connection attempt.
const (
	gatherTimeout  = 5 * time.Second
	connectTimeout = 15 * time.Second
	// keyRequestGap rate-limits the encoder requests a receiver's PLI/FIR
	// cause (the encoder allows one extra key frame a second as well).
	keyRequestGap = 500 * time.Millisecond
)

// Publisher is one WHIP destination: a dest.Worker.
type Publisher struct {
	// URL is the WHIP endpoint (http or https).
	URL string
	// Token is the bearer token (a secret like a stream key).
	Token string
	// Bitrate is the encoder's rate (default: the video track's): the
	// congestion-control estimate starts at 1.5 times it.
	Bitrate int
	// ICEFailAfter is how long the server may go silent before the
	// connection counts as lost (default 10 s).
	ICEFailAfter time.Duration
	Logger       *slog.Logger

	noNACK bool // tests: no NACK responder

	// learned are the ICE servers of the last 201 (Run is not concurrent).
	learned []ICEServer
	// iceRestarts counts ICE restarts the session took for new ICE
	// servers; iceRepublished the sessions published again instead.
	iceRestarts, iceRepublished atomic.Uint64

	once sync.Once
	c    *counters
}

// ReaderConfig is the queue of a WHIP destination: H.264 and Opus.
func ReaderConfig(name string) stream.ReaderConfig {
	return stream.ReaderConfig{Name: name, Codecs: []unit.Codec{unit.CodecH264, unit.CodecOpus}}
}

// AudioCodec is the audio a WHIP destination carries.
func AudioCodec() unit.Codec { return unit.CodecOpus }

func (p *Publisher) counters() *counters {
	p.once.Do(func() { p.c = newCounters() })
	return p.c
}

// Check implements dest.Checker.
func (p *Publisher) Check() error {
	if _, err := whipurl.Parse(p.URL); err != nil {
		return err
	}
	return whipurl.CheckToken(p.Token)
}

// Detail implements dest.DetailReporter.
func (p *Publisher) Detail() map[string]any {
	d := p.counters().detail()
	if n := p.iceRestarts.Load(); n > 0 {
		d["ice_restarts"] = n
	}
	if n := p.iceRepublished.Load(); n > 0 {
		d["ice_republished"] = n
	}
	return d
}

// conn is one WHIP session.
type conn struct {
	pc      *webrtc.PeerConnection
	client  *client
	session *url.URL
	etag    string      // the session's entity tag (RFC 9725 section 4.4)
	servers []ICEServer // the ICE servers candidates were gathered with
	video   *rtpTrack
	audio   *rtpTrack
	vSender *webrtc.RTPSender
	state   chan webrtc.PeerConnectionState
	ice     chan webrtc.ICEConnectionState
	rtcp    sync.WaitGroup
}

// Run implements dest.Worker.
func (p *Publisher) Run(ctx context.Context, s *dest.Session) error {
	if p.Logger == nil {
		p.Logger = slog.Default()
	}
	if p.ICEFailAfter <= 0 {
		p.ICEFailAfter = DefaultICEFailAfter
	}
	endpoint, err := whipurl.Parse(p.URL)
	if err != nil {
		return dest.Fatal(err)
	}
	c, err := p.connect(ctx, endpoint, s.Tracks)
	if err != nil {
		return err
	}
	defer p.close(c)
	if err := c.waitConnected(ctx, endpoint.Host); err != nil {
		return err
	}
	keys := p.watchFeedback(c, s)
	s.Counters.SetPath(p.pathFigures)
	defer s.Counters.SetPath(nil)
	s.Live()
	snd := &sender{p: p, c: c, s: s, keys: keys, merge: interleave.Merger{Video: true, Audio: c.audio != nil,
		AudioHold: interleave.FrameInterval(s.Tracks.Video), VideoLead: interleave.ArrivalLead}}
	return snd.run(ctx)
}

// open builds the peer connection with its two send-only tracks, gathering
// with the ICE servers given or, when there are none yet (nil), with those
// of an OPTIONS pre-flight.
func (p *Publisher) open(ctx context.Context, endpoint *url.URL, tracks unit.Tracks, ice []ICEServer) (*conn, error) {
	cl := newClient(endpoint, p.Token)
	if ice == nil {
		ice = cl.iceServers(ctx)
	}
	bitrate := p.Bitrate
	if bitrate <= 0 && tracks.Video != nil {
		bitrate = tracks.Video.Bitrate
	}
	if bitrate <= 0 {
		bitrate = 2_500_000
	}
	// GCC's estimate climbs to 1.5 times the rate received on a path with
	// room: starting there, the estimate an adaptive encoder follows
	// (dest.PathFigures) does not read as a path too narrow for the
	// encoder's own rate in the first seconds.
	bitrate = bitrate * 3 / 2
	api, err := newAPI(apiOptions{tracks: tracks, loopback: whipurl.IsLoopback(endpoint), noNACK: p.noNACK,
		bitrate: bitrate, counters: p.counters(), iceFail: p.ICEFailAfter})
	if err != nil {
		return nil, dest.Fatal(fmt.Errorf("whip: webrtc set-up: %w", err))
	}
	cfg := webrtc.Configuration{BundlePolicy: webrtc.BundlePolicyMaxBundle, ICEServers: webrtcServers(ice)}
	pc, err := api.NewPeerConnection(cfg)
	if err != nil {
		return nil, fmt.Errorf("whip: peer connection: %w", err)
	}
	c := &conn{pc: pc, client: cl, servers: ice, state: make(chan webrtc.PeerConnectionState, 16),
		ice: make(chan webrtc.ICEConnectionState, 16)}
	pc.OnConnectionStateChange(func(st webrtc.PeerConnectionState) { nonBlocking(c.state, st) })
	pc.OnICEConnectionStateChange(func(st webrtc.ICEConnectionState) { nonBlocking(c.ice, st) })
	if err := c.addTracks(tracks); err != nil {
		_ = pc.Close()
		return nil, err
	}
	return c, nil
}

func nonBlocking[T any](ch chan T, v T) {
	select {
	case ch <- v:
	default:
	}
}

func (c *conn) addTracks(tracks unit.Tracks) error {
	var err error
	if c.video, err = newRTPTrack(h264Codec(tracks.Video), "video", true); err != nil {
		return err
	}
	if c.vSender, err = c.addSendOnly(c.video.track); err != nil {
		return err
	}
	if tracks.AudioFor(unit.CodecOpus) == nil {
		return nil
	}
	if c.audio, err = newRTPTrack(opusCodec(), "audio", false); err != nil {
		return err
	}
	_, err = c.addSendOnly(c.audio.track)
	return err
}

func (c *conn) addSendOnly(t webrtc.TrackLocal) (*webrtc.RTPSender, error) {
	tr, err := c.pc.AddTransceiverFromTrack(t, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly})
	if err != nil {
		return nil, fmt.Errorf("whip: add track: %w", err)
	}
	return tr.Sender(), nil
}

// offer gathers every candidate (no trickle: one POST carries them all),
// POSTs the offer and applies the answer. It returns the ICE servers of
// the 201 when they are not all among those the candidates were gathered
// with (nil otherwise).
func (c *conn) offer(ctx context.Context, host string) ([]ICEServer, error) {
	o, err := c.pc.CreateOffer(nil)
	if err != nil {
		return nil, fmt.Errorf("whip: create offer: %w", err)
	}
	if err := c.gather(ctx, o); err != nil {
		return nil, err
	}
	res, err := c.client.offer(ctx, c.pc.LocalDescription().SDP)
	if res != nil {
		c.session, c.etag = res.session, res.etag
	}
	if err != nil {
		return nil, err
	}
	if err := c.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: res.answer}); err != nil {
		return nil, dest.Fatal(fmt.Errorf("whip %s: the server's SDP answer is not usable: %w", host, err))
	}
	if subset(res.servers, c.servers) {
		return nil, nil
	}
	return res.servers, nil
}

// gather sets the local description and waits for its candidates.
func (c *conn) gather(ctx context.Context, o webrtc.SessionDescription) error {
	gathered := webrtc.GatheringCompletePromise(c.pc)
	if err := c.pc.SetLocalDescription(o); err != nil {
		return fmt.Errorf("whip: set local description: %w", err)
	}
	select {
	case <-gathered:
	case <-time.After(gatherTimeout):
		// Send what was gathered: STUN/TURN servers that do not answer.
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

// waitConnected waits for ICE and DTLS; each failure has its message.
func (c *conn) waitConnected(ctx context.Context, host string) error {
	timer := time.NewTimer(connectTimeout)
	defer timer.Stop()
	iceUp := false
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
			if iceUp {
				return fmt.Errorf("whip %s: DTLS handshake did not complete within %v", host, connectTimeout)
			}
			return fmt.Errorf("whip %s: ICE found no path to the server within %v (UDP blocked? server candidates unreachable?)", host, connectTimeout)
		case <-c.ice:
			// The state now, not the event's: an event of the ICE session
			// an ICE restart replaced may still be queued.
			switch c.pc.ICEConnectionState() {
			case webrtc.ICEConnectionStateConnected, webrtc.ICEConnectionStateCompleted:
				iceUp = true
			case webrtc.ICEConnectionStateFailed:
				return fmt.Errorf("whip %s: ICE failed: no candidate pair works (UDP blocked or the server's addresses are unreachable)", host)
			}
		case <-c.state:
			switch c.pc.ConnectionState() {
			case webrtc.PeerConnectionStateConnected:
				return nil
			case webrtc.PeerConnectionStateFailed, webrtc.PeerConnectionStateClosed:
				if iceUp {
					return fmt.Errorf("whip %s: DTLS handshake failed (certificate or fingerprint refused)", host)
				}
				return fmt.Errorf("whip %s: ICE failed: no candidate pair works (UDP blocked or the server's addresses are unreachable)", host)
			}
		}
	}
}

// close DELETEs the session (when there is one) and closes the connection.
func (p *Publisher) close(c *conn) {
	if c.session != nil {
		if err := c.client.remove(c.session); err != nil {
			p.Logger.Warn("whip: DELETE of the session failed", "err", err)
		}
	}
	_ = c.pc.Close()
	c.rtcp.Wait()
	c.client.close()
}

// watchFeedback reads the RTCP of both senders (which also drives the
// interceptors: NACK answers, congestion control). PLI/FIR turn into
// rate-limited key-frame requests; the returned channel carries the time
// of each request, for the PLI-to-key-frame figure.
func (p *Publisher) watchFeedback(c *conn, s *dest.Session) <-chan time.Time {
	keys := make(chan time.Time, 1)
	var mu sync.Mutex
	var last time.Time
	ssrc := uint32(c.vSender.GetParameters().Encodings[0].SSRC)
	for _, tr := range c.pc.GetTransceivers() {
		sender := tr.Sender()
		c.rtcp.Go(func() {
			for {
				pkts, _, err := sender.ReadRTCP()
				if err != nil {
					return
				}
				now := time.Now()
				if !p.counters().feedback(pkts, ssrc, now) {
					continue
				}
				mu.Lock()
				ask := now.Sub(last) >= keyRequestGap
				if ask {
					last = now
				}
				mu.Unlock()
				if ask {
					p.counters().keyRequests.Add(1)
					s.RequestKeyFrame()
					nonBlocking(keys, now)
				}
			}
		})
	}
	return keys
}
