package cli

import (
	"fmt"

	"golive/app/profile"
	"golive/app/session"
	"golive/outputs/rtmp"
)

// checkServiceCodecs refuses, when a profile is edited, a destination
// whose video codec its streaming service does not take (issue 18: HEVC or
// AV1 to Twitch, Facebook or Kick). It is the check going live makes
// (session.DestinationVideo → rtmp.CheckCodec) made before anything is
// saved, so the profile on disk keeps every setting it had.
func checkServiceCodecs(p *profile.Profile) error {
	for i := range p.Destinations {
		d := &p.Destinations[i]
		if d.RTMP == nil {
			continue
		}
		codec := session.VideoCodec(p.Rendition(d).Codec)
		if err := rtmp.CheckCodec(d.RTMP.Service, codec); err != nil {
			return &UsageError{Err: fmt.Errorf("destination %q: %w (dest.%s.codec=h264, or dest.%s.service=custom for a server that takes %s); profile %q was not changed",
				d.Name, err, d.Name, d.Name, codec, p.Name)}
		}
	}
	return nil
}
