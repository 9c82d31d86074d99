package rtmp

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// FuzzDecoderConfig builds the codec configuration records of (Enhanced)
// RTMP (AVCDecoderConfigurationRecord, HEVCDecoderConfigurationRecord,
// AV1CodecConfigurationRecord, AAC AudioSpecificConfig) from arbitrary
// parameter sets, parsed by mediacommon first: never a panic, and a record
// that is built carries each parameter set whole, with its true length.
// Corpus: testdata/fuzz/FuzzDecoderConfig (x264, x265, SVT-AV1 and AAC-LC
// parameter sets).
func FuzzDecoderConfig(f *testing.F) {
	f.Add([]byte{0x67, 0x64, 0, 0x1f, 0xac}, []byte{0x68, 0xeb}, []byte(nil))
	f.Fuzz(func(t *testing.T, a, b, c []byte) {
		if rec, err := avcDecoderConfig(a, b); err == nil {
			checkAVCRecord(t, rec, a, b)
		}
		if rec, err := hevcDecoderConfig(a, b, c); err == nil {
			checkHEVCRecord(t, rec, a, b, c)
		}
		if rec, err := av1DecoderConfig(a); err == nil {
			if len(rec) != 4+len(a) || rec[0] != 0x81 || !bytes.Equal(rec[4:], a) {
				t.Fatalf("av1 record % x for % x", rec, a)
			}
		}
		_, _ = aacSequenceHeader(a)
	})
}

// checkAVCRecord reads back an AVCDecoderConfigurationRecord (ISO/IEC
// 14496-15 5.3.3.1): one SPS and one PPS, whole.
func checkAVCRecord(t *testing.T, rec, sps, pps []byte) {
	t.Helper()
	if len(rec) < 11+len(sps)+len(pps) || rec[0] != 1 || rec[5] != 0xe1 {
		t.Fatalf("avc record header % x", rec[:min(len(rec), 8)])
	}
	if n := int(binary.BigEndian.Uint16(rec[6:])); n != len(sps) || !bytes.Equal(rec[8:8+n], sps) {
		t.Fatalf("avc record SPS of %d bytes for %d", n, len(sps))
	}
	p := rec[8+len(sps):]
	if n := int(binary.BigEndian.Uint16(p[1:])); p[0] != 1 || n != len(pps) || !bytes.Equal(p[3:3+n], pps) {
		t.Fatalf("avc record PPS of %d bytes for %d", n, len(pps))
	}
}

// checkHEVCRecord reads back the three arrays (VPS, SPS, PPS) of an
// HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 8.3.3.1).
func checkHEVCRecord(t *testing.T, rec []byte, sets ...[]byte) {
	t.Helper()
	if len(rec) < 23 || rec[0] != 1 || rec[22] != 3 {
		t.Fatalf("hevc record header % x", rec[:min(len(rec), 23)])
	}
	p := rec[23:]
	for i, ps := range sets {
		if len(p) < 5 || p[0]&0x3f != byte(32+i) || binary.BigEndian.Uint16(p[1:]) != 1 {
			t.Fatalf("hevc record array %d: % x", i, p[:min(len(p), 5)])
		}
		n := int(binary.BigEndian.Uint16(p[3:]))
		if n != len(ps) || len(p) < 5+n || !bytes.Equal(p[5:5+n], ps) {
			t.Fatalf("hevc record array %d holds %d bytes for %d", i, n, len(ps))
		}
		p = p[5+n:]
	}
	if len(p) != 0 {
		t.Fatalf("hevc record: %d bytes after the arrays", len(p))
	}
}

// TestDecoderConfigLongParameterSet: a parameter set longer than the
// 16-bit length field is refused, not written with a wrapped length.
func TestDecoderConfigLongParameterSet(t *testing.T) {
	sps, pps := x264ParameterSets(t)
	long := append(append([]byte{}, sps...), make([]byte, 1<<16)...)
	if rec, err := avcDecoderConfig(long, pps); err == nil {
		t.Fatalf("a %d-byte SPS gave a %d-byte record", len(long), len(rec))
	}
	if rec, err := avcDecoderConfig(sps, pps); err != nil {
		t.Fatal(err)
	} else {
		checkAVCRecord(t, rec, sps, pps)
	}
}
