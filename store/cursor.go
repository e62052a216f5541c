package store

import (
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/solidaire-app/solidaire/market"
)

// A cursor is the sort key of the last item of a page, opaque to clients:
// base64url of "key" or "number:key".

func encodeCursor(parts ...string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strings.Join(parts, "\x1f")))
}

// decodeCursor returns the n parts of a cursor, or EInvalid naming "cursor".
func decodeCursor(c string, n int) ([]string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) > 512 {
		return nil, market.Invalid("cursor", "malformed cursor")
	}
	parts := strings.Split(string(b), "\x1f")
	if len(parts) != n {
		return nil, market.Invalid("cursor", "malformed cursor")
	}
	return parts, nil
}

// decodeTimeCursor returns the (millis, id) of an events cursor.
func decodeTimeCursor(c string) (int64, string, error) {
	parts, err := decodeCursor(c, 2)
	if err != nil {
		return 0, "", err
	}
	ms, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil {
		return 0, "", market.Invalid("cursor", "malformed cursor")
	}
	return ms, parts[1], nil
}

// limit returns a page's limit clamped to the allowed range; the api layer
// already rejects out-of-range values, this only guards internal callers.
func limit(p market.Page) int {
	switch {
	case p.Limit <= 0:
		return market.DefaultLimit
	case p.Limit > market.MaxLimit:
		return market.MaxLimit
	}
	return p.Limit
}
