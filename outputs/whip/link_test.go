package whip

import (
	"strings"
	"testing"
)

func TestParseLinks(t *testing.T) {
	got, err := parseLinks([]string{
		`<stun:stun.example.net>; rel="ice-server"`,
		`<turn:turn.example.net?transport=udp>; rel="ice-server"; username="user"; credential="my\"Pass"; credential-type="password", <https://example.net/doc>; rel="help"`,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []ICEServer{{URL: "stun:stun.example.net"},
		{URL: "turn:turn.example.net?transport=udp", Username: "user", Credential: `my"Pass`}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for _, bad := range []string{`<stun:x; rel="ice-server"`, `stun:x; rel=ice-server`, `<http://x>; rel="ice-server"`,
		`<stun:x>; rel="ice-server`, strings.Repeat(`<stun:x>; rel="ice-server",`, 400)} {
		if _, err := parseLinks([]string{bad}); err == nil {
			t.Errorf("parseLinks(%.60q) accepted", bad)
		}
	}
	many := strings.Repeat(`<stun:x>; rel="ice-server",`, 20)
	if got, err := parseLinks([]string{many}); err != nil || len(got) != maxICEServers {
		t.Errorf("20 servers: %d, %v: want the first %d", len(got), err, maxICEServers)
	}
}

// FuzzParseLinks: any Link header gives servers or an error within the
// limits, never a panic.
func FuzzParseLinks(f *testing.F) {
	f.Add(`<turn:t.example.net?transport=udp>; rel="ice-server"; username="u"; credential="p"; credential-type="password"`)
	f.Add(`<stun:s>; rel=ice-server, <https://x>; rel="next"; title="a,b"`)
	f.Add(`<stun:s>; rel="ice-server"; credential="a\\"`)
	f.Fuzz(func(t *testing.T, v string) {
		got, err := parseLinks([]string{v})
		if err != nil {
			return
		}
		if len(got) > maxICEServers {
			t.Fatalf("%d servers", len(got))
		}
		for _, s := range got {
			if !validICEURL(s.URL) || len(s.Username) > maxLinkValLen || len(s.Credential) > maxLinkValLen {
				t.Fatalf("bad server %+v", s)
			}
		}
	})
}
