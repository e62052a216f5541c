package api

import (
	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// routes lists every route of the server, one line each, grouped by who may
// call it. The middleware order is written once, here.
func (s *Server) routes() {
	e := s.engine
	e.Use(s.recoverPanics, s.requestID, s.logRequests, s.limitBody)

	// Operations.
	e.GET("/healthz", s.handle(s.healthz))
	e.GET("/readyz", s.handle(s.readyz))
	e.GET("/metrics", gin.WrapH(promhttp.HandlerFor(s.cfg.Registry, promhttp.HandlerOpts{})))

	// Public catalogue.
	v1 := e.Group("/api/v1")
	v1.GET("/merchants", s.handle(s.listMerchants))
	v1.GET("/merchants/:slug", s.handle(s.getMerchant))
	v1.GET("/events", s.handle(s.listEvents))
	v1.GET("/events/:id", s.handle(s.getEvent))
	v1.GET("/campaigns", s.handle(s.listCampaigns))
	v1.GET("/campaigns/:slug", s.handle(s.getCampaign))
	v1.GET("/categories", s.handle(s.listCategories))
	v1.GET("/cities", s.handle(s.listCities))

	// Buying: the buyer holds the order's access token, the voucher's code.
	v1.POST("/checkout", s.idempotent("checkout", s.createCheckout))
	v1.GET("/orders/:id", s.handle(s.getOrder))
	v1.GET("/vouchers/:code", s.handle(s.getVoucher))
	v1.GET("/vouchers/:code/qr.png", s.handle(s.voucherQR))
	v1.POST("/demo/checkout/:session/complete", s.handle(s.completeDemo))

	// Payment provider callbacks, authenticated by their signature.
	v1.POST("/webhooks/stripe", s.handle(s.stripeWebhook))

	e.NoRoute(s.noRoute)
	e.NoMethod(s.noMethod)
}
