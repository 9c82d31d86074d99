package rtp

// nalFormat is what differs between the NAL unit payload formats of H.264
// (RFC 6184) and HEVC (RFC 7798): which NAL units are left out, the size of
// an aggregation packet's header (STAP-A, AP), and how one NAL unit (single
// or fragmented) and a group of them are written.
type nalFormat interface {
	skip(n []byte) bool
	aggregateHeader() int
	sendOne(sink payloadSink, n []byte, last bool) error
	sendGroup(sink payloadSink, nalus [][]byte, from, to int, last bool) error
}

// nextNALU returns the index of the first NAL unit at or after i that f
// sends, or len(nalus).
func nextNALU(f nalFormat, nalus [][]byte, i int) int {
	for i < len(nalus) && f.skip(nalus[i]) {
		i++
	}
	return i
}

// packetizeNALUs sends the NAL units of one access unit: neighbours that
// fit one payload together share an aggregation packet, a NAL unit alone
// goes as a single NAL unit packet or, larger than the payload, as
// fragments. The marker bit is set on the last packet when endsAU (the
// NAL units end the access unit).
func packetizeNALUs(sink payloadSink, f nalFormat, nalus [][]byte, endsAU bool) error {
	i := nextNALU(f, nalus, 0)
	for i < len(nalus) {
		j, size := i, f.aggregateHeader()
		room := len(sink.payloadBuffer())
		for k := j; k < len(nalus) && size+2+len(nalus[k]) <= room; k = nextNALU(f, nalus, k+1) {
			size += 2 + len(nalus[k])
			j = k + 1
		}
		if j <= i || nextNALU(f, nalus, i+1) >= j {
			// Zero or one NAL unit fits: send it alone.
			last := endsAU && nextNALU(f, nalus, i+1) >= len(nalus)
			if err := f.sendOne(sink, nalus[i], last); err != nil {
				return err
			}
			i = nextNALU(f, nalus, i+1)
			continue
		}
		last := endsAU && nextNALU(f, nalus, j) >= len(nalus)
		if err := f.sendGroup(sink, nalus, i, j, last); err != nil {
			return err
		}
		i = nextNALU(f, nalus, j)
	}
	return nil
}
