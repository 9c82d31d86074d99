package srt

/*
#cgo pkg-config: srt
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <srt/srt.h>

// libsrt keeps its last error per thread and a cgo call may move to
// another thread between calls: every helper returns the error of its
// own call through *err (and the reject reason through *reason).

static int gl_set_int(SRTSOCKET s, SRT_SOCKOPT opt, int v) {
	return srt_setsockflag(s, opt, &v, sizeof v);
}

static SRTSOCKET gl_open(const char *sid, int sidlen, const char *pass, int passlen,
		int latency_ms, int keylen, int conntimeo_ms, int sndtimeo_ms, int peeridle_ms, int *err) {
	SRTSOCKET s = srt_create_socket();
	if (s == SRT_INVALID_SOCK) {
		*err = srt_getlasterror(NULL);
		return s;
	}
	int ok = 1;
	int yes = 1;
	int tt = SRTT_LIVE;
	ok = ok && srt_setsockflag(s, SRTO_TRANSTYPE, &tt, sizeof tt) == 0;
	ok = ok && srt_setsockflag(s, SRTO_SENDER, &yes, sizeof yes) == 0;
	ok = ok && gl_set_int(s, SRTO_CONNTIMEO, conntimeo_ms) == 0;
	ok = ok && gl_set_int(s, SRTO_SNDTIMEO, sndtimeo_ms) == 0;
	ok = ok && gl_set_int(s, SRTO_PEERIDLETIMEO, peeridle_ms) == 0;
	if (latency_ms > 0) {
		ok = ok && gl_set_int(s, SRTO_LATENCY, latency_ms) == 0;
	}
	if (sidlen > 0) {
		ok = ok && srt_setsockflag(s, SRTO_STREAMID, sid, sidlen) == 0;
	}
	if (passlen > 0) {
		if (keylen > 0) {
			ok = ok && gl_set_int(s, SRTO_PBKEYLEN, keylen) == 0;
		}
		ok = ok && srt_setsockflag(s, SRTO_PASSPHRASE, pass, passlen) == 0;
	}
	if (!ok) {
		*err = srt_getlasterror(NULL);
		srt_close(s);
		return SRT_INVALID_SOCK;
	}
	return s;
}

static int gl_connect(SRTSOCKET s, const unsigned char *ip, int iplen, int port, int *err, int *reason) {
	struct sockaddr_in6 sa6;
	struct sockaddr_in sa4;
	const struct sockaddr *sa;
	int salen;
	if (iplen == 4) {
		memset(&sa4, 0, sizeof sa4);
		sa4.sin_family = AF_INET;
		sa4.sin_port = htons(port);
		memcpy(&sa4.sin_addr, ip, 4);
		sa = (const struct sockaddr *)&sa4;
		salen = sizeof sa4;
	} else {
		memset(&sa6, 0, sizeof sa6);
		sa6.sin6_family = AF_INET6;
		sa6.sin6_port = htons(port);
		memcpy(&sa6.sin6_addr, ip, 16);
		sa = (const struct sockaddr *)&sa6;
		salen = sizeof sa6;
	}
	int r = srt_connect(s, sa, salen);
	if (r == SRT_ERROR) {
		*err = srt_getlasterror(NULL);
		*reason = srt_getrejectreason(s);
	}
	return r;
}

static int gl_send(SRTSOCKET s, const char *buf, int len, int *err) {
	int r = srt_sendmsg2(s, buf, len, NULL);
	if (r == SRT_ERROR) {
		*err = srt_getlasterror(NULL);
	}
	return r;
}

typedef struct {
	double rtt_ms;
	double bandwidth_mbps;
	long long sent;
	long long retransmitted;
	long long lost;
	long long dropped;
	long long naks;
	int snd_buf_packets;
	int snd_buf_ms;
} gl_stats;

static int gl_bstats(SRTSOCKET s, gl_stats *out) {
	SRT_TRACEBSTATS p;
	if (srt_bstats(s, &p, 0) == SRT_ERROR) {
		return -1;
	}
	out->rtt_ms = p.msRTT;
	out->bandwidth_mbps = p.mbpsBandwidth;
	out->sent = p.pktSentTotal;
	out->retransmitted = p.pktRetransTotal;
	out->lost = p.pktSndLossTotal;
	out->dropped = p.pktSndDropTotal;
	out->naks = p.pktRecvNAKTotal;
	out->snd_buf_packets = p.pktSndBuf;
	out->snd_buf_ms = p.msSndBuf;
	return 0;
}
*/
import "C"

import (
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// libsrt error codes (srt.h SRT_ERRNO) and reject reasons (SRT_REJECT_REASON,
// access_control.h SRT_REJX_*) that get their own message.
const (
	errNoServer  = 1001 // SRT_ENOSERVER: connection timed out
	errConnRej   = 1002 // SRT_ECONNREJ
	errConnLost  = 2001 // SRT_ECONNLOST
	errNoConn    = 2002 // SRT_ENOCONN
	errAsyncSend = 6001 // SRT_EASYNCSND: send timed out

	rejPeer      = 2  // SRT_REJ_PEER: the listener's application refused
	rejBadSecret = 10 // SRT_REJ_BADSECRET: wrong passphrase
	rejUnsecure  = 11 // SRT_REJ_UNSECURE: passphrase on one side only
	rejTimeout   = 16 // SRT_REJ_TIMEOUT
	rejxFirst    = 1000
)

var startup sync.Once

// socket is one libsrt caller socket. Close may be called concurrently
// with stats; libsrt sockets are ids, so a closed one only fails.
type socket struct {
	id     C.SRTSOCKET
	mu     sync.Mutex
	closed bool
	// handed and handedBytes count the messages given to libsrt (path.go).
	handed, handedBytes atomic.Uint64
	// acked is the last Acked figure given (path.go keeps it monotonic).
	acked atomic.Uint64
}

// connectError is libsrt's answer to srt_connect.
type connectError struct {
	code, reason int
}

// dialSRT opens a socket with the URL's options and connects it to addr
// (blocking up to connTimeout).
func dialSRT(addr netip.AddrPort, streamID, pass string, latency time.Duration, keyLen int,
	connTimeout, sendTimeout, peerIdle time.Duration) (*socket, *connectError) {
	startup.Do(func() { C.srt_startup() })
	csid := C.CString(streamID)
	defer C.free(unsafe.Pointer(csid))
	cpass := C.CString(pass)
	defer C.free(unsafe.Pointer(cpass))
	var cerr C.int
	id := C.gl_open(csid, C.int(len(streamID)), cpass, C.int(len(pass)), C.int(latency.Milliseconds()),
		C.int(keyLen), C.int(connTimeout.Milliseconds()), C.int(sendTimeout.Milliseconds()),
		C.int(peerIdle.Milliseconds()), &cerr)
	if id < 0 {
		return nil, &connectError{code: int(cerr)}
	}
	s := &socket{id: id}
	ip := addr.Addr().Unmap()
	raw := ip.AsSlice()
	var reason C.int
	if C.gl_connect(id, (*C.uchar)(unsafe.Pointer(&raw[0])), C.int(len(raw)), C.int(addr.Port()), &cerr, &reason) != 0 {
		s.close()
		return nil, &connectError{code: int(cerr), reason: int(reason)}
	}
	return s, nil
}

// send sends one live-mode message; it returns libsrt's error code.
func (s *socket) send(b []byte) int {
	var cerr C.int
	if C.gl_send(s.id, (*C.char)(unsafe.Pointer(&b[0])), C.int(len(b)), &cerr) < 0 {
		return int(cerr)
	}
	return 0
}

func (s *socket) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		C.srt_close(s.id)
	}
}

// srtStats are libsrt's totals for one socket (srt_bstats).
type srtStats struct {
	RTTMs          float64
	BandwidthMbps  float64
	Sent           int64
	Retransmitted  int64
	Lost           int64
	Dropped        int64
	NAKs           int64
	SendBufPackets int
	SendBufMs      int
}

func (s *socket) stats() (srtStats, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return srtStats{}, false
	}
	var o C.gl_stats
	if C.gl_bstats(s.id, &o) != 0 {
		return srtStats{}, false
	}
	return srtStats{
		RTTMs: float64(o.rtt_ms), BandwidthMbps: float64(o.bandwidth_mbps),
		Sent: int64(o.sent), Retransmitted: int64(o.retransmitted), Lost: int64(o.lost),
		Dropped: int64(o.dropped), NAKs: int64(o.naks),
		SendBufPackets: int(o.snd_buf_packets), SendBufMs: int(o.snd_buf_ms),
	}, true
}

// rejectName is libsrt's text for a reject reason.
func rejectName(reason int) string {
	return C.GoString(C.srt_rejectreason_str(C.int(reason)))
}

// QuietLogs limits libsrt's own logging (stderr) to fatal messages: its
// errors are reported through the destination's state instead.
func QuietLogs() {
	C.srt_setloglevel(2) // LOG_CRIT
}
