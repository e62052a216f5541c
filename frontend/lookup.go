package frontend

import (
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/solidaire-app/solidaire/internal/reqlog"
)

// lookupsPerIP is the budget of voucher and ticket pages per address: the
// API's code lookups share it (the same key), so guessing codes through
// the pages is no cheaper than through the API.
var lookupsPerIP = struct {
	count int
	per   time.Duration
}{300, time.Minute}

// lookupAllowed spends one code lookup of the client's address; it returns
// the 429 page when the budget is spent. The address is the one the HTTP
// layer found behind the trusted proxies, never a header the client wrote.
func (p *Pages) lookupAllowed(r *http.Request, l *locale) *page {
	if p.cfg.Limiter == nil {
		return nil
	}
	ip := reqlog.ClientIP(r.Context())
	if ip == "" {
		ip, _, _ = net.SplitHostPort(r.RemoteAddr)
	}
	count, per := lookupsPerIP.count, lookupsPerIP.per
	if p.cfg.LookupsPerIP > 0 {
		count, per = p.cfg.LookupsPerIP, p.cfg.LookupsWindow
	}
	ok, retry, err := p.cfg.Limiter.Allow(r.Context(), "voucher:ip:"+ip, count, per)
	if err != nil {
		p.log.WarnContext(r.Context(), "rate limiter unavailable", "error", err)
		return nil
	}
	if ok {
		return nil
	}
	pg := messagePage(http.StatusTooManyRequests, l, "lookup.busy")
	pg.retryAfter = max(1, int(retry.Round(time.Second)/time.Second))
	pg.Data.(*messageData).Text = l.must("lookup.busy.wait", strconv.Itoa(pg.retryAfter))
	return pg
}
