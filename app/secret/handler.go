package secret

import (
	"context"
	"fmt"
	"log/slog"
)

// Handler is a slog.Handler that redacts secrets from the message and
// from every attribute (including groups, errors, Stringers and
// LogValuers) before passing the record on. Attributes whose name is
// key-like (key, stream_key, token, password...) are replaced whole.
//
// Install it around the real handler:
//
//	slog.SetDefault(slog.New(secret.NewHandler(slog.NewTextHandler(os.Stderr, nil), nil)))
type Handler struct {
	next slog.Handler
	reg  *Registry
}

// NewHandler wraps next; reg nil means Default.
func NewHandler(next slog.Handler, reg *Registry) *Handler {
	if reg == nil {
		reg = Default
	}
	return &Handler{next: next, reg: reg}
}

// NewLogger is a shortcut for slog.New(NewHandler(next, nil)).
func NewLogger(next slog.Handler) *slog.Logger {
	return slog.New(NewHandler(next, nil))
}

// Enabled implements slog.Handler.
func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

// Handle implements slog.Handler.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, h.reg.Redact(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.redactAttr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

// WithAttrs implements slog.Handler; the attributes are redacted now, so a
// secret registered later is not removed from them (register keys before
// building loggers that carry them, or better, never attach keys).
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		red[i] = h.redactAttr(a)
	}
	return &Handler{next: h.next.WithAttrs(red), reg: h.reg}
}

// WithGroup implements slog.Handler.
func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{next: h.next.WithGroup(name), reg: h.reg}
}

func (h *Handler) redactAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	if v.Kind() == slog.KindGroup {
		group := v.Group()
		red := make([]any, len(group))
		for i, g := range group {
			red[i] = h.redactAttr(g)
		}
		return slog.Group(a.Key, red...)
	}
	if IsSensitiveName(a.Key) && !isEmptyValue(v) {
		return slog.String(a.Key, Redacted)
	}
	return slog.Attr{Key: a.Key, Value: h.redactValue(v)}
}

func isEmptyValue(v slog.Value) bool {
	return v.Kind() == slog.KindString && v.String() == ""
}

func (h *Handler) redactValue(v slog.Value) slog.Value {
	switch v.Kind() {
	case slog.KindString:
		return slog.StringValue(h.reg.Redact(v.String()))
	case slog.KindAny:
		var s string
		switch x := v.Any().(type) {
		case error:
			s = x.Error()
			if red := h.reg.Redact(s); red != s {
				return slog.AnyValue(&redactedError{msg: red, err: x})
			}
			return v
		case fmt.Stringer:
			s = x.String()
		case []byte:
			s = string(x)
		default:
			s = fmt.Sprintf("%+v", x)
		}
		if red := h.reg.Redact(s); red != s {
			return slog.StringValue(red)
		}
		return v
	default:
		return v
	}
}

// redactedError keeps the chain of the original error (errors.Is/As still
// work) while printing only the redacted message.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// RedactError returns err with its message redacted by reg (nil means
// Default); errors.Is and errors.As still see the original chain. It
// returns err itself when nothing needed hiding, and nil for nil.
func RedactError(err error, reg *Registry) error {
	if err == nil {
		return nil
	}
	if reg == nil {
		reg = Default
	}
	msg := err.Error()
	red := reg.Redact(msg)
	if red == msg {
		return err
	}
	return &redactedError{msg: red, err: err}
}
