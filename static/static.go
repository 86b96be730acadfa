// Package static holds the web pages, embedded into the binary so that it
// serves them with no files beside it.
package static

import "embed"

// FS is the pages and their assets, served at the root of the main listener.
//
//go:embed *.html *.css *.js i18n
var FS embed.FS
