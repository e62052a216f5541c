package api

import "sync"

// qrCache keeps the QR images of the vouchers and tickets asked for lately,
// by URL. A voucher's or a ticket's URL never changes and neither is ever
// deleted, so an image made once, after the code was found, stays true:
// the next request for it is served without a read or a render, on every
// instance alike (each keeps its own). Bounded: a full cache forgets an
// entry at random.
type qrCache struct {
	max    int
	mu     sync.RWMutex
	images map[string][]byte
}

func newQRCache(max int) *qrCache {
	return &qrCache{max: max, images: make(map[string][]byte)}
}

// get returns the image kept for url, if any.
func (q *qrCache) get(url string) ([]byte, bool) {
	q.mu.RLock()
	defer q.mu.RUnlock()
	png, ok := q.images[url]
	return png, ok
}

// put keeps png as the image of url, which names a code that exists.
func (q *qrCache) put(url string, png []byte) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.images) >= q.max {
		for k := range q.images {
			delete(q.images, k)
			break
		}
	}
	q.images[url] = png
}
