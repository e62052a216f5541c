package frontend

import "net/http"

// organiserRoutes lists the organiser side's routes, one line each.
func (p *Pages) organiserRoutes(mux *http.ServeMux) {
}
