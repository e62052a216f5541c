package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/solidaire-app/solidaire/market"
)

// bindJSON decodes the request body into dst strictly: JSON content type,
// one object, no unknown fields, right types. Every failure is an EInvalid
// (or ETooLarge) error that says what is wrong and, when it can, which field.
func bindJSON(c *gin.Context, dst any) error {
	if ct := c.GetHeader("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return &market.Error{Code: market.EUnsupportedMedia, Message: "Le corps doit être du JSON (Content-Type: application/json)."}
		}
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		if isTooLarge(err) {
			return &market.Error{Code: market.ETooLarge, Message: "Requête trop volumineuse."}
		}
		return market.Errorf(market.EInvalid, "Corps de requête illisible.")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return market.Errorf(market.EInvalid, "Le corps de la requête est vide.")
	}
	if !utf8.Valid(body) {
		return market.Errorf(market.EInvalid, "Le corps doit être encodé en UTF-8.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return market.Errorf(market.EInvalid, "Le corps doit contenir un seul objet JSON.")
	}
	return nil
}

// jsonError explains a decoding error in the contract's terms.
func jsonError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return market.Errorf(market.EInvalid, "JSON mal formé (position %d).", syntax.Offset)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return market.Errorf(market.EInvalid, "Le corps doit être un objet JSON.")
		}
		want := "has the wrong type"
		switch typ.Type.Kind().String() {
		case "int", "int64", "int32":
			want = "must be an integer"
		case "string":
			want = "must be a string"
		case "bool":
			want = "must be true or false"
		case "slice":
			want = "must be a list"
		case "struct", "map":
			want = "must be an object"
		}
		return market.Invalid(field, want)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return market.Errorf(market.EInvalid, "JSON incomplet.")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return market.Invalid(name, "unknown field")
	}
	return market.Errorf(market.EInvalid, "JSON invalide.")
}

// page reads ?limit= (1..100, default 20) and ?cursor=.
func page(c *gin.Context) (market.Page, error) {
	p := market.Page{Limit: market.DefaultLimit, Cursor: c.Query("cursor")}
	if v, ok := c.GetQuery("limit"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > market.MaxLimit {
			return p, market.Invalid("limit", fmt.Sprintf("must be an integer from 1 to %d", market.MaxLimit))
		}
		p.Limit = n
	}
	if len(p.Cursor) > 512 {
		return p, market.Invalid("cursor", "malformed cursor")
	}
	return p, nil
}

// text reads a free-text query parameter of at most max characters.
func text(c *gin.Context, name string, max int) (string, error) {
	v := strings.TrimSpace(c.Query(name))
	if !utf8.ValidString(v) || utf8.RuneCountInString(v) > max {
		return "", market.Invalid(name, fmt.Sprintf("must be at most %d characters", max))
	}
	return v, nil
}

// list is the contract's list envelope.
type list[T any] struct {
	Data       []T    `json:"data"`
	NextCursor string `json:"next_cursor"`
}

// marshal renders v as gin's c.JSON does, for bytes that are kept.
func marshal(v any) ([]byte, error) {
	return json.Marshal(v)
}
