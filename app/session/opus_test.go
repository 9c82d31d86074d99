package session

import (
	"errors"
	"strings"
	"testing"

	"golive/app/profile"
	"golive/media/engine"
	"golive/media/unit"
)

// TestOpusThatCannotFitIsRefused: a destination whose packets cannot hold
// Opus at the chosen bitrate is refused before going live, with the
// numbers, and nothing starts.
func TestOpusThatCannotFitIsRefused(t *testing.T) {
	s := &Session{Config: Config{
		Engine:  engine.Config{AudioBitrate: 510_000},
		Outputs: []Output{{Name: "tiny", Kind: "rtp", Worker: stalledWorker{}, AudioCodec: unit.CodecOpus, MaxAudioPacket: 100}},
	}}
	err := s.Initialize()
	if err == nil {
		s.Close()
		t.Fatal("went live")
	}
	for _, want := range []string{`destination "tiny"`, "510 kbit/s", "100 bytes", "320 kbit/s"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if s.eng != nil {
		t.Error("the engine was started")
	}
}

// TestNativeRTPCarriesItsPacketLimit: a native RTP destination tells the
// session its Opus packet limit (mtu less RTP header and SRTP tag); the
// smallest of several is the encoder's.
func TestNativeRTPCarriesItsPacketLimit(t *testing.T) {
	var outs []Output
	for _, r := range []*profile.RTP{
		{Host: "127.0.0.1", Port: 5004, Mode: "native", MTU: 576},
		{Host: "127.0.0.1", Port: 5008, Mode: "native", MTU: 256, SRTP: true},
		{Host: "127.0.0.1", Port: 5012, Mode: "mpegts", MTU: 256},
	} {
		o, err := DestinationOutput(profile.Destination{Name: "d", Kind: profile.KindRTP, Enabled: true, RTP: r})
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, o)
	}
	if outs[0].MaxAudioPacket != 564 || outs[1].MaxAudioPacket != 234 || outs[2].MaxAudioPacket != 0 {
		t.Errorf("limits %d, %d, %d: want 564, 234, 0", outs[0].MaxAudioPacket, outs[1].MaxAudioPacket, outs[2].MaxAudioPacket)
	}
	s := &Session{Config: Config{Outputs: outs}}
	if got := s.opusMaxPacket(); got != 234 {
		t.Errorf("encoder limit %d, want 234", got)
	}
}

// TestLiveAddNeedsEncoderThatFits: a native RTP destination added while
// live whose MTU needs smaller Opus packets than the running encoder was
// set for asks for a restart instead of failing on its first packet.
func TestLiveAddNeedsEncoderThatFits(t *testing.T) {
	s := &Session{eng: &engine.Engine{}, opusLimit: 564}
	small := Output{Name: "small", AudioCodec: unit.CodecOpus, MaxAudioPacket: 244}
	err := s.checkAudioFits(small)
	if !errors.Is(err, ErrNeedsRestart) || !strings.Contains(err.Error(), "244 bytes") || !strings.Contains(err.Error(), "564 bytes") {
		t.Errorf("adding mtu 256 to an encoder for 564 bytes: %v", err)
	}
	if err := s.checkAudioFits(Output{Name: "big", AudioCodec: unit.CodecOpus, MaxAudioPacket: 1188}); err != nil {
		t.Errorf("adding a larger limit: %v", err)
	}
	s.opusLimit = 0
	if err := s.checkAudioFits(small); !errors.Is(err, ErrNeedsRestart) || !strings.Contains(err.Error(), "no limit") {
		t.Errorf("adding a limit to an unlimited encoder: %v", err)
	}
}
