package storage

import (
	"mime"
	"path"
	"strings"

	"github.com/solidaire-app/solidaire/market"
)

// MaxKeyLength bounds a key, in bytes.
const MaxKeyLength = 512

// CheckKey returns nil for a key a store accepts, and an EInvalid error
// otherwise. A key is one or more segments joined by "/", each made of
// lowercase ASCII letters, digits, "_", "." and "-", beginning with a
// letter or a digit (so no "", ".", ".." nor hidden name), at most
// MaxKeyLength bytes in all: "photos/m_1/p_2-640.jpg". Such a key is the
// same path on every filesystem and every S3 server, needs no escaping in a
// URL, and cannot leave the store's directory.
func CheckKey(key string) error {
	if key == "" || len(key) > MaxKeyLength {
		return badKey()
	}
	for seg := range strings.SplitSeq(key, "/") {
		if seg == "" || !alnum(seg[0]) {
			return badKey()
		}
		for i := 1; i < len(seg); i++ {
			if c := seg[i]; !alnum(c) && c != '_' && c != '.' && c != '-' {
				return badKey()
			}
		}
	}
	return nil
}

// alnum reports whether c is a lowercase ASCII letter or a digit.
func alnum(c byte) bool {
	return 'a' <= c && c <= 'z' || '0' <= c && c <= '9'
}

// badKey is the error of a key no store accepts.
func badKey() error {
	return market.Invalid("key", "Nom de fichier invalide.")
}

// contentTypes maps the extensions a key may end with to the content type
// of the file it names. Every store derives a file's type from its key, so
// that the local directory needs no sidecar and serves the same types as a
// bucket: a photo is "….jpg", whatever stores it.
var contentTypes = map[string]string{
	".jpg":  "image/jpeg",
	".jpeg": "image/jpeg",
	".png":  "image/png",
	".webp": "image/webp",
	".gif":  "image/gif",
	".avif": "image/avif",
	".pdf":  "application/pdf",
	".json": "application/json",
	".txt":  "text/plain; charset=utf-8",
	".csv":  "text/csv; charset=utf-8",
}

// defaultContentType is the type of a key without a known extension.
const defaultContentType = "application/octet-stream"

// ContentType returns the content type of the file a key names, decided by
// its extension ("image/jpeg" for "….jpg"), application/octet-stream for
// an extension not in the table.
func ContentType(key string) string {
	if t, ok := contentTypes[path.Ext(key)]; ok {
		return t
	}
	return defaultContentType
}

// checkPut checks the key and the content type given to Put, which must be
// empty or the key's own (parameters such as charset aside), and returns
// the type to store.
func checkPut(key, contentType string, size int64) (string, error) {
	if err := CheckKey(key); err != nil {
		return "", err
	}
	want := ContentType(key)
	if contentType != "" {
		got, _, err := mime.ParseMediaType(contentType)
		wantBase, _, _ := mime.ParseMediaType(want)
		if err != nil || got != wantBase {
			return "", market.Invalid("content_type", "Le type du fichier ne correspond pas à son nom.")
		}
	}
	if size < -1 {
		return "", market.Invalid("size", "Taille invalide.")
	}
	return want, nil
}
