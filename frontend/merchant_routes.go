package frontend

import "net/http"

// merchantRoutes lists the merchant side's routes, one line each.
func (p *Pages) merchantRoutes(mux *http.ServeMux) {
}
