package frontend

import (
	"embed"
	"io/fs"
)

// The bundle built by esbuild (npm run build) lands in dist/, which git
// ignores but for dist/.keep: without Node the directory holds only that
// file, the binary still builds and the pages simply run without their
// scripts (every page works without JavaScript).
//
//go:embed all:dist
var distFiles embed.FS

// The stylesheet, the templates and the service worker are plain files in
// the repository, so the site looks right even when no bundle was built.
//
//go:embed static templates
var files embed.FS

// distFS returns the embedded bundle directory.
func distFS() fs.FS { return mustSub(distFiles, "dist") }

// staticFS returns the embedded static directory.
func staticFS() fs.FS { return mustSub(files, "static") }

// templateFS returns the embedded templates directory.
func templateFS() fs.FS { return mustSub(files, "templates") }

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // the directory is embedded above: only a broken build gets here
	}
	return sub
}
