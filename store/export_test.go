package store

// SetDenseSearch sets the number of matches from which a search walks the
// merchants in slug order (see searchMerchants), so that tests take that
// way with a few merchants; it returns what puts the default back.
func SetDenseSearch(n int) (restore func()) {
	old := denseSearch
	denseSearch = n
	return func() { denseSearch = old }
}
