package frontend

import "io/fs"

// NewWithBundle is New serving the script bundle from dist instead of the
// embedded one: the browser tests build the bundle after the test binary
// was compiled, so the embedded copy may be missing or stale.
func NewWithBundle(cfg Config, dist fs.FS) (*Pages, error) { return newPages(cfg, dist) }

// ValidateJSONLD checks a JSON-LD document against the schema.org subset
// in testdata (jsonld_test.go), for the page tests.
var ValidateJSONLD = validateJSONLD
