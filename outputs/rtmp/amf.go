package rtmp

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// AMF0 decoding of server commands (AMF0 specification,
// https://rtmp.veriskope.com/pdf/amf0-file-format-specification.pdf;
// RTMP 7.1.1), made so that it cannot be weaponised: only what GoLive
// needs is kept (command name, transaction id, numeric arguments and the
// information object's code, level and description, the server's
// fmsVer); everything else is skipped by its length. Nesting is limited
// to amfMaxDepth and the number of values of one message to
// amfMaxElements, a count field is checked against both and against the
// bytes left before anything is done with it, and nothing is allocated
// from a length field: a strict array claiming 2^31-1 elements or a
// million nested objects is a ProtocolError, not an out-of-memory or a
// stack overflow.

// AMF0 decoding limits.
const (
	amfMaxDepth    = 8
	amfMaxElements = 1024
	amfMaxNumbers  = 8   // numeric top-level arguments kept
	amfMaxText     = 256 // bytes kept of a string field
)

// AMF0 type markers (AMF0 specification 2.1).
const (
	amfNumber      = 0x00
	amfBoolean     = 0x01
	amfString      = 0x02
	amfObject      = 0x03
	amfNull        = 0x05
	amfUndefined   = 0x06
	amfReference   = 0x07
	amfECMAArray   = 0x08
	amfObjectEnd   = 0x09
	amfStrictArray = 0x0a
	amfDate        = 0x0b
	amfLongString  = 0x0c
	amfUnsupported = 0x0d
	amfXMLDocument = 0x0f
	amfTypedObject = 0x10
	amfAVMPlus     = 0x11
)

// Command is what GoLive reads of a command message.
type Command struct {
	Name          string
	TransactionID float64
	// Numbers are the numeric arguments after the transaction id, in
	// order (createStream's _result carries the stream id).
	Numbers []float64
	// Code, Level and Description come from the first information
	// object (a top-level object or ECMA array with a code).
	Code, Level, Description string
	// FMSVer is the server version of connect's _result.
	FMSVer string
}

// amfDecoder walks AMF0 values in b.
type amfDecoder struct {
	b     []byte
	elems int
	cmd   *Command
	info  bool // the information object was found
}

func amfErr(format string, args ...any) error {
	return fmt.Errorf("AMF0: "+format, args...)
}

// DecodeCommand decodes an AMF0 command message body (RTMP 7.1.1).
func DecodeCommand(b []byte) (Command, error) {
	var cmd Command
	d := &amfDecoder{b: b, cmd: &cmd}
	name, err := d.topString()
	if err != nil {
		return cmd, fmt.Errorf("command name: %w", err)
	}
	cmd.Name = name
	if len(d.b) == 0 || d.b[0] != amfNumber {
		return cmd, amfErr("%s without a transaction id", printable(name))
	}
	tx, _ := d.number()
	cmd.TransactionID = tx
	for len(d.b) > 0 {
		if err := d.value(0); err != nil {
			return cmd, err
		}
	}
	return cmd, nil
}

// topString reads the command name: a string value.
func (d *amfDecoder) topString() (string, error) {
	if len(d.b) == 0 || d.b[0] != amfString {
		return "", amfErr("the message does not start with a string")
	}
	d.b = d.b[1:]
	s, err := d.shortString()
	if err != nil {
		return "", err
	}
	return keepText(s), nil
}

func (d *amfDecoder) take(n int) ([]byte, error) {
	if n < 0 || n > len(d.b) {
		return nil, amfErr("a value of %d bytes with %d left", n, len(d.b))
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v, nil
}

func (d *amfDecoder) u16() (int, error) {
	v, err := d.take(2)
	if err != nil {
		return 0, err
	}
	return int(binary.BigEndian.Uint16(v)), nil
}

func (d *amfDecoder) u32() (uint32, error) {
	v, err := d.take(4)
	if err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint32(v), nil
}

// shortString returns the bytes of a UTF-8 string (16-bit length).
func (d *amfDecoder) shortString() ([]byte, error) {
	n, err := d.u16()
	if err != nil {
		return nil, err
	}
	return d.take(n)
}

// number reads a number value whose marker is next.
func (d *amfDecoder) number() (float64, error) {
	v, err := d.take(9)
	if err != nil {
		return 0, err
	}
	return math.Float64frombits(binary.BigEndian.Uint64(v[1:])), nil
}

// count charges n values against amfMaxElements.
func (d *amfDecoder) count(n int) error {
	if d.elems+n > amfMaxElements {
		return amfErr("more than %d values in one message", amfMaxElements)
	}
	d.elems += n
	return nil
}

// value decodes (or skips) one value at the given nesting depth.
func (d *amfDecoder) value(depth int) error {
	if err := d.count(1); err != nil {
		return err
	}
	marker := d.b[0]
	if marker == amfNumber {
		f, err := d.number()
		if err == nil && depth == 0 && len(d.cmd.Numbers) < amfMaxNumbers {
			d.cmd.Numbers = append(d.cmd.Numbers, f)
		}
		return err
	}
	d.b = d.b[1:]
	var err error
	switch marker {
	case amfBoolean:
		_, err = d.take(1)
	case amfString:
		_, err = d.shortString()
	case amfNull, amfUndefined, amfUnsupported:
	case amfReference:
		_, err = d.take(2)
	case amfDate:
		_, err = d.take(10)
	case amfLongString, amfXMLDocument:
		var n uint32
		if n, err = d.u32(); err == nil {
			_, err = d.take(int(min(n, math.MaxInt32)))
		}
	case amfObject, amfECMAArray, amfTypedObject:
		err = d.object(marker, depth)
	case amfStrictArray:
		err = d.strictArray(depth)
	case amfAVMPlus:
		err = amfErr("an AMF3 value in an AMF0 command")
	default:
		err = amfErr("unknown type marker 0x%02x", marker)
	}
	return err
}

// enter checks the nesting limit for a container at depth.
func enter(depth int) error {
	if depth+1 > amfMaxDepth {
		return amfErr("values nested deeper than %d levels", amfMaxDepth)
	}
	return nil
}

// strictArray skips a strict array: its count is checked against the
// element limit and the bytes left (each value takes one at least).
func (d *amfDecoder) strictArray(depth int) error {
	if err := enter(depth); err != nil {
		return err
	}
	n, err := d.u32()
	if err != nil {
		return err
	}
	if int64(n) > int64(amfMaxElements-d.elems) {
		return amfErr("a strict array of %d elements (limit %d values per message)", n, amfMaxElements)
	}
	if int64(n) > int64(len(d.b)) {
		return amfErr("a strict array of %d elements in %d bytes", n, len(d.b))
	}
	for range n {
		if len(d.b) == 0 {
			return amfErr("a strict array cut short")
		}
		if err := d.value(depth + 1); err != nil {
			return err
		}
	}
	return nil
}

// object reads the properties of an object, ECMA array (whose count is
// only a hint, AMF0 2.10) or typed object, up to the object end marker.
func (d *amfDecoder) object(marker byte, depth int) error {
	if err := enter(depth); err != nil {
		return err
	}
	var err error
	switch marker {
	case amfECMAArray:
		_, err = d.u32()
	case amfTypedObject:
		_, err = d.shortString() // class name
	}
	if err != nil {
		return err
	}
	var f fields
	for {
		key, err := d.shortString()
		if err != nil {
			return err
		}
		if len(key) == 0 && len(d.b) > 0 && d.b[0] == amfObjectEnd {
			d.b = d.b[1:]
			break
		}
		if len(d.b) == 0 {
			return amfErr("an object cut short")
		}
		if depth == 0 && d.b[0] == amfString {
			if err := f.set(d, key); err != nil {
				return err
			}
			continue
		}
		if err := d.value(depth + 1); err != nil {
			return err
		}
	}
	d.keep(f)
	return nil
}

// fields are the string properties of a top-level object GoLive reads.
type fields struct{ code, level, description, fmsVer string }

// set reads the string value of property key (its marker is next).
func (f *fields) set(d *amfDecoder, key []byte) error {
	if err := d.count(1); err != nil {
		return err
	}
	d.b = d.b[1:]
	v, err := d.shortString()
	if err != nil {
		return err
	}
	switch string(key) {
	case "code":
		f.code = keepText(v)
	case "level":
		f.level = keepText(v)
	case "description":
		f.description = keepText(v)
	case "fmsVer":
		f.fmsVer = keepText(v)
	}
	return nil
}

// keep records the fields of a top-level object: the first object with a
// code is the information object.
func (d *amfDecoder) keep(f fields) {
	if f.fmsVer != "" && d.cmd.FMSVer == "" {
		d.cmd.FMSVer = f.fmsVer
	}
	if f.code != "" && !d.info {
		d.info = true
		d.cmd.Code, d.cmd.Level, d.cmd.Description = f.code, f.level, f.description
	}
}

// keepText returns at most amfMaxText bytes of b as a printable string:
// a server's text reaches people's screens and logs.
func keepText(b []byte) string {
	if len(b) > amfMaxText {
		b = b[:amfMaxText]
	}
	return printable(string(b))
}

// printable replaces control characters and invalid UTF-8 with '?'.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r == utf8.RuneError || unicode.IsControl(r) || r == '\u202e' {
			return '?'
		}
		return r
	}, s)
}
