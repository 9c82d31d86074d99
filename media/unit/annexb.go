package unit

import "bytes"

// H.264 NAL unit types used by the outputs (ITU-T H.264 table 7-1).
const (
	NALUTypeIDR = 5
	NALUTypeSEI = 6
	NALUTypeSPS = 7
	NALUTypePPS = 8
	NALUTypeAUD = 9
)

// NALUType returns the nal_unit_type of a NAL unit (0 for an empty one).
func NALUType(nalu []byte) int {
	if len(nalu) == 0 {
		return 0
	}
	return int(nalu[0] & 0x1f)
}

// startCode is the 3-byte Annex B start code prefix (ITU-T H.264 B.1.1);
// a 4-byte one is a zero byte followed by it.
var startCode = []byte{0, 0, 1}

// SplitAnnexB splits an Annex B byte stream into its NAL units without
// start codes. The returned slices alias b. The result is appended to dst
// so a caller can reuse its slice. The start codes are found with
// bytes.Index, which scans with vector instructions.
func SplitAnnexB(dst [][]byte, b []byte) [][]byte {
	start := -1
	for i := 0; ; {
		j := bytes.Index(b[i:], startCode)
		if j < 0 {
			break
		}
		if start >= 0 {
			dst = appendNALU(dst, b[start:i+j])
		}
		i += j + len(startCode)
		start = i
	}
	if start >= 0 {
		dst = appendNALU(dst, b[start:])
	} else if len(b) > 0 {
		dst = append(dst, b)
	}
	return dst
}

// appendNALU appends n without the trailing zero bytes that belong to the
// next 4-byte start code.
func appendNALU(dst [][]byte, n []byte) [][]byte {
	for len(n) > 0 && n[len(n)-1] == 0 {
		n = n[:len(n)-1]
	}
	if len(n) == 0 {
		return dst
	}
	return append(dst, n)
}

// JoinAnnexB writes NAL units as an Annex B byte stream with 4-byte start
// codes, appending to dst.
func JoinAnnexB(dst []byte, nalus [][]byte) []byte {
	for _, n := range nalus {
		dst = append(dst, 0, 0, 0, 1)
		dst = append(dst, n...)
	}
	return dst
}
