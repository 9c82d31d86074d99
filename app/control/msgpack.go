package control

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
)

// SubprotocolMsgPack is obs-websocket's MessagePack encoding (binary
// frames), the default of obs-websocket-js under Node. GoLive translates it
// to and from JSON at the edge, so both encodings share one decoder.
const SubprotocolMsgPack = "obswebsocket.msgpack"

// maxMsgPackDepth bounds the nesting of a decoded MessagePack value.
const maxMsgPackDepth = 32

var errMsgPack = errors.New("malformed MessagePack")

// msgpackToJSON decodes one MessagePack value (the whole input) into its
// JSON text (https://github.com/msgpack/msgpack/blob/master/spec.md).
// Counts are checked against the bytes left before anything is allocated.
func msgpackToJSON(data []byte) ([]byte, error) {
	d := mpDecoder{b: data}
	v, err := d.value(0)
	if err != nil {
		return nil, err
	}
	if d.i != len(d.b) {
		return nil, fmt.Errorf("%w: %d bytes after the value", errMsgPack, len(d.b)-d.i)
	}
	return json.Marshal(v)
}

type mpDecoder struct {
	b []byte
	i int
}

func (d *mpDecoder) take(n int) ([]byte, error) {
	if n < 0 || n > len(d.b)-d.i {
		return nil, fmt.Errorf("%w: truncated", errMsgPack)
	}
	p := d.b[d.i : d.i+n]
	d.i += n
	return p, nil
}

// uint reads an n-byte big-endian unsigned integer.
func (d *mpDecoder) uint(n int) (uint64, error) {
	p, err := d.take(n)
	if err != nil {
		return 0, err
	}
	var v uint64
	for _, c := range p {
		v = v<<8 | uint64(c)
	}
	return v, nil
}

func (d *mpDecoder) value(depth int) (any, error) {
	if depth > maxMsgPackDepth {
		return nil, fmt.Errorf("%w: nested deeper than %d", errMsgPack, maxMsgPackDepth)
	}
	p, err := d.take(1)
	if err != nil {
		return nil, err
	}
	c := p[0]
	switch {
	case c <= 0x7f:
		return int64(c), nil
	case c >= 0xe0:
		return int64(int8(c)), nil
	case c&0xf0 == 0x80:
		return d.mapOf(int(c&0x0f), depth)
	case c&0xf0 == 0x90:
		return d.arrayOf(int(c&0x0f), depth)
	case c&0xe0 == 0xa0:
		return d.str(int(c & 0x1f))
	}
	return d.typed(c, depth)
}

// mpSizes is the size of the length or integer after a type byte.
var mpSizes = map[byte]int{0xd9: 1, 0xda: 2, 0xdb: 4, 0xdc: 2, 0xdd: 4, 0xde: 2, 0xdf: 4,
	0xcc: 1, 0xcd: 2, 0xce: 4, 0xcf: 8, 0xd0: 1, 0xd1: 2, 0xd2: 4, 0xd3: 8}

// typed decodes the values with a type byte and a length or payload.
func (d *mpDecoder) typed(c byte, depth int) (any, error) {
	switch c {
	case 0xc0:
		return nil, nil
	case 0xc2, 0xc3:
		return c == 0xc3, nil
	case 0xca, 0xcb:
		n := 4 + 4*int(c-0xca)
		u, err := d.uint(n)
		if err != nil {
			return nil, err
		}
		f := math.Float64frombits(u)
		if n == 4 {
			f = float64(math.Float32frombits(uint32(u)))
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("%w: a number that JSON cannot hold", errMsgPack)
		}
		return f, nil
	}
	n, ok := mpSizes[c]
	if !ok {
		return nil, fmt.Errorf("%w: unsupported type 0x%02x", errMsgPack, c)
	}
	u, err := d.uint(n)
	if err != nil {
		return nil, err
	}
	switch {
	case c >= 0xd9 && c <= 0xdb:
		return d.str(clampLen(u))
	case c == 0xdc || c == 0xdd:
		return d.arrayOf(clampLen(u), depth)
	case c == 0xde || c == 0xdf:
		return d.mapOf(clampLen(u), depth)
	case c >= 0xcc && c <= 0xcf:
		return u, nil
	}
	shift := 64 - 8*n // sign-extend int8..int64
	return int64(u<<shift) >> shift, nil
}

// clampLen turns a declared length into an int that take rejects when it
// is more than the message holds.
func clampLen(u uint64) int {
	if u > math.MaxInt32 {
		return -1
	}
	return int(u)
}

func (d *mpDecoder) str(n int) (any, error) {
	p, err := d.take(n)
	if err != nil {
		return nil, err
	}
	return string(p), nil
}

func (d *mpDecoder) arrayOf(n, depth int) (any, error) {
	if n < 0 || n > len(d.b)-d.i { // every element takes at least a byte
		return nil, fmt.Errorf("%w: array longer than the message", errMsgPack)
	}
	out := make([]any, 0, n)
	for range n {
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (d *mpDecoder) mapOf(n, depth int) (any, error) {
	if n < 0 || 2*n > len(d.b)-d.i {
		return nil, fmt.Errorf("%w: map longer than the message", errMsgPack)
	}
	out := make(map[string]any, n)
	for range n {
		k, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		ks, ok := k.(string)
		if !ok {
			return nil, fmt.Errorf("%w: a map key that is not a string", errMsgPack)
		}
		if out[ks], err = d.value(depth + 1); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// jsonToMsgPack encodes a JSON text (a message GoLive built) as
// MessagePack.
func jsonToMsgPack(data []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := mpEncode(&b, v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func mpEncode(b *bytes.Buffer, v any) error {
	switch x := v.(type) {
	case nil:
		b.WriteByte(0xc0)
	case bool:
		b.WriteByte(0xc2 + b2byte(x))
	case json.Number:
		if i, err := x.Int64(); err == nil {
			b.WriteByte(0xd3)
			return binary.Write(b, binary.BigEndian, i)
		}
		f, err := x.Float64()
		if err != nil {
			return err
		}
		b.WriteByte(0xcb)
		return binary.Write(b, binary.BigEndian, f)
	case string:
		b.WriteByte(0xdb)
		_ = binary.Write(b, binary.BigEndian, uint32(len(x)))
		b.WriteString(x)
	case []any:
		b.WriteByte(0xdd)
		_ = binary.Write(b, binary.BigEndian, uint32(len(x)))
		for _, e := range x {
			if err := mpEncode(b, e); err != nil {
				return err
			}
		}
	case map[string]any:
		b.WriteByte(0xdf)
		_ = binary.Write(b, binary.BigEndian, uint32(len(x)))
		for k, e := range x {
			if err := mpEncode(b, k); err != nil {
				return err
			}
			if err := mpEncode(b, e); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("msgpack: cannot encode %T", v)
	}
	return nil
}

func b2byte(v bool) byte {
	if v {
		return 1
	}
	return 0
}
