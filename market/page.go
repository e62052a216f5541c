package market

// Page is a cursor-paginated request: at most Limit items after Cursor.
type Page struct {
	Limit  int    // 1..100
	Cursor string // opaque; empty for the first page
}

// Page limits.
const (
	DefaultLimit = 20
	MaxLimit     = 100
)
