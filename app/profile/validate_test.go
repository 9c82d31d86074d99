package profile

import (
	"strings"
	"testing"
)

func TestValidateInvalidProfiles(t *testing.T) {
	cases := []struct {
		name   string
		change func(p *Profile)
		field  string // FieldError.Field
		dest   int    // FieldError.Dest
		msg    string // substring of the message
	}{
		{"empty name", func(p *Profile) { p.Name = "" }, "name", -1, "profile name is empty"},
		{"blank name", func(p *Profile) { p.Name = "   " }, "name", -1, "profile name is empty"},
		{"padded name", func(p *Profile) { p.Name = " x" }, "name", -1, "starts or ends with spaces"},
		{"long name", func(p *Profile) { p.Name = strings.Repeat("n", 65) }, "name", -1, "too long (65 characters, max 64)"},
		{"control char", func(p *Profile) { p.Name = "a\tb" }, "name", -1, "control characters"},
		{"source", func(p *Profile) { p.Capture.Source = "webcam" }, "capture.source", -1, `unknown source "webcam"`},
		{"region count", func(p *Profile) { p.Capture.Region = "1,2,3" }, "capture.region", -1, "must be X,Y,W,H"},
		{"region number", func(p *Profile) { p.Capture.Region = "0,0,a,100" }, "capture.region", -1, `"a" is not a whole number`},
		{"region negative", func(p *Profile) { p.Capture.Region = "-1,0,100,100" }, "capture.region", -1, "X and Y must be 0 or more"},
		{"region far", func(p *Profile) { p.Capture.Region = "9223372036854775807,0,100,100" }, "capture.region", -1, "at most 65535"},
		{"region tiny", func(p *Profile) { p.Capture.Region = "0,0,8,100" }, "capture.region", -1, "at least 16"},
		{"audio", func(p *Profile) { p.Capture.Audio = "speaker" }, "capture.audio", -1, `unknown audio input "speaker"`},
		{"width small", func(p *Profile) { p.Encoder.Width = 100 }, "encoder.width", -1, "width 100 out of range 160-7680"},
		{"width odd", func(p *Profile) { p.Encoder.Width = 1281 }, "encoder.width", -1, "width 1281 must be even"},
		{"height big", func(p *Profile) { p.Encoder.Height = 5000 }, "encoder.height", -1, "height 5000 out of range 90-4320"},
		{"height odd", func(p *Profile) { p.Encoder.Height = 721 }, "encoder.height", -1, "must be even"},
		{"fps zero", func(p *Profile) { p.Encoder.FPS = 0 }, "encoder.fps", -1, "frame rate 0 out of range 1-120"},
		{"fps high", func(p *Profile) { p.Encoder.FPS = 240 }, "encoder.fps", -1, "frame rate 240 out of range"},
		{"bitrate low", func(p *Profile) { p.Encoder.VideoBitrate = 50_000 }, "encoder.video_bitrate", -1, "video bitrate 50k out of range 100k-100M"},
		{"bitrate high", func(p *Profile) { p.Encoder.VideoBitrate = 200_000_000 }, "encoder.video_bitrate", -1, "video bitrate 200M out of range"},
		{"audio bitrate", func(p *Profile) { p.Encoder.AudioBitrate = 8000 }, "encoder.audio_bitrate", -1, "audio bitrate 8k out of range 32k-512k"},
		{"encoder", func(p *Profile) { p.Encoder.Encoder = "libvpx" }, "encoder.encoder", -1, `unknown encoder "libvpx"`},
		{"preset", func(p *Profile) { p.Encoder.Preset = "turbo" }, "encoder.preset", -1, `unknown x264 preset "turbo"`},
		{"dest name empty", func(p *Profile) { p.Destinations[1].Name = "" }, "name", 1, "destination name is empty"},
		{"dest name duplicate", func(p *Profile) { p.Destinations[2].Name = "twitch" }, "name", 2, "duplicate destination name (same as destination 1)"},
		{"kind", func(p *Profile) { p.Destinations[2].Kind = "hls" }, "kind", 2, `unknown destination kind "hls"`},
		{"kind without settings", func(p *Profile) { p.Destinations[2].Kind = KindRTP }, "rtp", 2, "rtp settings are missing"},
		{"two kinds", func(p *Profile) { p.Destinations[2].RTP = &RTP{Host: "h", Port: 5} }, "kind", 2, "more than one kind"},
		{"rtmp scheme", func(p *Profile) { p.Destinations[0].RTMP.URL = "http://live.twitch.tv/app" }, "rtmp.url", 0, `unsupported scheme "http"`},
		{"rtmp no host", func(p *Profile) { p.Destinations[0].RTMP.URL = "rtmp://" }, "rtmp.url", 0, "missing host"},
		{"rtmp no app", func(p *Profile) { p.Destinations[0].RTMP.URL = "rtmp://host" }, "rtmp.url", 0, "missing application name"},
		{"rtmp port", func(p *Profile) { p.Destinations[0].RTMP.URL = "rtmp://host:99999/app" }, "rtmp.url", 0, `invalid port "99999": must be 1-65535`},
		{"rtmp key space", func(p *Profile) { p.Destinations[0].RTMP.Key = "a b" }, "rtmp.key", 0, "stream key contains spaces"},
		{"rtmp service", func(p *Profile) { p.Destinations[0].RTMP.Service = "myspace" }, "rtmp.service", 0, `unknown service "myspace"`},
		{"rtmp pin", func(p *Profile) { p.Destinations[0].RTMP.PinSHA256 = "abc" }, "rtmp.pin_sha256", 0, "SHA-256"},
		{"rtp host", func(p *Profile) { p.Destinations[1].RTP.Host = "" }, "rtp.host", 1, "host is empty"},
		{"rtp host bad", func(p *Profile) { p.Destinations[1].RTP.Host = "a b" }, "rtp.host", 1, "not an IP address or host name"},
		{"rtp port zero", func(p *Profile) { p.Destinations[1].RTP.Port = 0 }, "rtp.port", 1, "port 0 out of range 1-65532"},
		{"rtp port rtcp", func(p *Profile) { p.Destinations[1].RTP.Mode = "mpegts"; p.Destinations[1].RTP.Port = 65535 }, "rtp.port", 1, "port 65535 out of range 1-65534"},
		{"rtp mode", func(p *Profile) { p.Destinations[1].RTP.Mode = "rtsp" }, "rtp.mode", 1, `unknown mode "rtsp"`},
		{"rtp mtu", func(p *Profile) { p.Destinations[1].RTP.MTU = 100 }, "rtp.mtu", 1, "MTU 100 out of range 256-9000"},
		{"rtp ttl", func(p *Profile) { p.Destinations[1].RTP.TTL = 300 }, "rtp.ttl", 1, "TTL 300 out of range 0-255"},
		{"record path", func(p *Profile) { p.Destinations[2].Record.Path = " " }, "record.path", 2, "file path is only spaces"},
		{"record format", func(p *Profile) { p.Destinations[2].Record.Format = "avi" }, "record.format", 2, `unknown format "avi"`},
		{"record ext", func(p *Profile) { p.Destinations[2].Record.Format = ""; p.Destinations[2].Record.Path = "/x/show.mov" }, "record.format", 2, `cannot tell the container from "show.mov"`},
	}
	base := fullProfile()
	if err := base.Validate(); err != nil {
		t.Fatalf("base profile invalid: %v", err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := base.Clone()
			c.change(&p)
			err := p.Validate()
			fes := FieldErrors(err)
			if len(fes) != 1 {
				t.Fatalf("want exactly one field error, got %d: %v", len(fes), err)
			}
			fe := fes[0]
			if fe.Field != c.field || fe.Dest != c.dest || !strings.Contains(fe.Message, c.msg) {
				t.Fatalf("got field %q dest %d message %q; want field %q dest %d message containing %q",
					fe.Field, fe.Dest, fe.Message, c.field, c.dest, c.msg)
			}
			requireNoLeak(t, "validation error", err.Error())
		})
	}
}

func TestValidateReportsAllProblems(t *testing.T) {
	p := fullProfile()
	p.Name = ""
	p.Encoder.FPS = 0
	p.Destinations[1].RTP.Port = 0
	err := p.Validate()
	if n := len(FieldErrors(err)); n != 3 {
		t.Fatalf("want 3 errors, got %d: %v", n, err)
	}
	want := "name: profile name is empty\nencoder.fps: frame rate 0 out of range 1-120\n" +
		`destination 2 "Preview": rtp.port: port 0 out of range 1-65532 (RTCP needs the next ports)`
	if err.Error() != want {
		t.Fatalf("message:\n%s\nwant:\n%s", err, want)
	}
}

func TestValidateKeyOptionalButRequiredForLive(t *testing.T) {
	p := fullProfile()
	p.Destinations[0].RTMP.Key = ""
	if err := p.Validate(); err != nil {
		t.Fatalf("a profile without key must be storable: %v", err)
	}
	err := p.ValidateForLive()
	fes := FieldErrors(err)
	if len(fes) != 1 || fes[0].Field != "rtmp.key" {
		t.Fatalf("ValidateForLive = %v", err)
	}
	p.Destinations[0].RTMP.URL = "rtmps://live.twitch.tv:443/app/" + testKey
	if err := p.ValidateForLive(); err != nil {
		t.Fatalf("key in URL: %v", err)
	}
	for i := range p.Destinations {
		p.Destinations[i].Enabled = false
	}
	if err := p.ValidateForLive(); err == nil || !strings.Contains(err.Error(), "no enabled destination") {
		t.Fatalf("all disabled: %v", err)
	}
}

func TestNormalizeMovesKeyOutOfURL(t *testing.T) {
	p := fullProfile()
	p.Destinations[0].RTMP.Key = ""
	p.Destinations[0].RTMP.URL = " rtmp://live.twitch.tv/app/" + testKey + " "
	p.Normalize()
	r := p.Destinations[0].RTMP
	if r.URL != "rtmp://live.twitch.tv/app" || r.Key != testKey {
		t.Fatalf("normalized to url %q key-set=%v", r.URL, r.Key == testKey)
	}
}

func TestBitrateParsing(t *testing.T) {
	for in, want := range map[string]int{"2500k": 2_500_000, "2.5M": 2_500_000, "128000": 128_000,
		"128 kbps": 128_000, "6Mb/s": 6_000_000, "800kb": 800_000} {
		got, err := ParseBitrate(in)
		if err != nil || got != want {
			t.Errorf("ParseBitrate(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "fast", "-5k", "1e20", "NaN"} {
		if _, err := ParseBitrate(bad); err == nil {
			t.Errorf("ParseBitrate(%q) accepted", bad)
		}
	}
	if FormatBitrate(2_500_000) != "2500k" || FormatBitrate(6_000_000) != "6M" || FormatBitrate(1500) != "1500" {
		t.Error("FormatBitrate")
	}
}
