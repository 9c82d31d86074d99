package session

import (
	"testing"

	"golive/app/profile"
	"golive/outputs/rtp"
)

// TestVLCVariantReachesTheSender: a profile's srtp=vlc destination makes
// an RTP target that carries the roll-over counter (RFC 4771), the
// variant VLC decrypts; plain SRTP does not.
func TestVLCVariantReachesTheSender(t *testing.T) {
	for _, c := range []struct {
		spec string
		rcc  bool
	}{{"127.0.0.1:5004?srtp=vlc", true}, {"127.0.0.1:5004?srtp=1", false}} {
		d, err := profile.ParseRTPFlag(c.spec)
		if err != nil {
			t.Fatal(err)
		}
		o, err := DestinationOutput(d)
		if err != nil {
			t.Fatal(err)
		}
		tg, ok := o.Worker.(*rtp.Target)
		if !ok {
			t.Fatalf("%s: worker %T", c.spec, o.Worker)
		}
		if !tg.SRTP || tg.SRTPRCC != c.rcc {
			t.Errorf("%s: target SRTP %v, RCC %v; want RCC %v", c.spec, tg.SRTP, tg.SRTPRCC, c.rcc)
		}
	}
}
