// Package reqlog carries a request's id in its context and adds it to every
// log line written with that context, whichever package writes it; it also
// carries the client's address as the HTTP layer found it (behind trusted
// proxies only), for the pages' rate limits.
package reqlog

import (
	"context"
	"log/slog"
)

type key struct{}

// WithID returns a context that carries the request id.
func WithID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, key{}, id)
}

// ID returns the request id carried by ctx, or "".
func ID(ctx context.Context) string {
	id, _ := ctx.Value(key{}).(string)
	return id
}

type ipKey struct{}

// WithClientIP returns a context that carries the client's address.
func WithClientIP(ctx context.Context, ip string) context.Context {
	return context.WithValue(ctx, ipKey{}, ip)
}

// ClientIP returns the client's address carried by ctx, or "".
func ClientIP(ctx context.Context) string {
	ip, _ := ctx.Value(ipKey{}).(string)
	return ip
}

// Handler wraps a slog.Handler so that records logged with a context that
// carries a request id get a request_id attribute.
type Handler struct{ slog.Handler }

// Handle adds the request id, then passes the record on.
func (h Handler) Handle(ctx context.Context, r slog.Record) error {
	if id := ID(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

// WithAttrs keeps the wrapper around the derived handler.
func (h Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return Handler{h.Handler.WithAttrs(attrs)}
}

// WithGroup keeps the wrapper around the derived handler.
func (h Handler) WithGroup(name string) slog.Handler {
	return Handler{h.Handler.WithGroup(name)}
}
