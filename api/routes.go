package api

import (
	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// routes lists every route of the server, one line each, grouped by who may
// call it. The middleware order is written once, here.
func (s *Server) routes() {
	e := s.engine
	e.Use(s.recoverPanics, s.requestID, s.strictTransport, s.logRequests, s.refuseBadURL, s.limitBody)

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
	v1.GET("/programmes/:slug", s.handle(s.getProgramme))
	v1.POST("/programmes/:slug/waitlist", s.handle(s.joinWaitlist))
	v1.POST("/campaigns/:slug/wall/:id/report", s.handle(s.reportWallPost))
	e.GET("/media/*key", s.handle(s.media))

	// Following a merchant by email: double opt-in, one-click unsubscribe.
	v1.POST("/merchants/:slug/followers", s.handle(s.follow))
	v1.POST("/followers/confirm", s.handle(s.confirmFollower))
	v1.POST("/followers/unsubscribe", s.handle(s.unsubscribe))

	// Buying: the buyer holds the order's access token, the voucher's code.
	v1.POST("/checkout", s.idempotent("checkout", keyRequired, s.createCheckout))
	v1.GET("/orders/:id", s.handle(s.getOrder))
	v1.GET("/vouchers/:code", s.handle(s.getVoucher))
	v1.GET("/vouchers/:code/qr.png", s.handle(s.voucherQR))
	v1.POST("/demo/checkout/:session/complete", s.handle(s.completeDemo))
	v1.GET("/tickets/:code", s.handle(s.getTicket))
	v1.GET("/tickets/:code/qr.png", s.handle(s.ticketQR))
	v1.POST("/tickets/:code/choice", s.idempotent("choice", keyOptional, s.chooseForTicket))
	v1.GET("/vouchers/:code/pass.pkpass", s.handle(s.voucherPass))
	v1.GET("/vouchers/:code/google-wallet", s.handle(s.voucherGoogleWallet))

	// Citizens' wallets: a link by email opens a session on the device.
	v1.POST("/wallet/link", s.handle(s.requestWalletLink))
	v1.POST("/wallet/session", s.handle(s.openWallet))
	wallet := v1.Group("/wallet", s.requireWallet)
	wallet.DELETE("/session", s.handle(s.endWallet))
	wallet.GET("", s.handle(s.getWallet))
	wallet.POST("/vouchers/:code/resend", s.handle(s.resendVoucher))
	wallet.PATCH("/vouchers/:code/gift", s.handle(s.rescheduleGift))

	// Apple's pass web service, authenticated by each pass's token.
	v1.POST("/passes/v1/devices/:device/registrations/:passType/:serial", s.handle(s.registerPassDevice))
	v1.DELETE("/passes/v1/devices/:device/registrations/:passType/:serial", s.handle(s.unregisterPassDevice))
	v1.GET("/passes/v1/devices/:device/registrations/:passType", s.handle(s.updatedPasses))
	v1.GET("/passes/v1/passes/:passType/:serial", s.handle(s.latestPass))
	v1.POST("/passes/v1/log", s.handle(s.passLog))

	// Payment provider callbacks, authenticated by their signature: the
	// platform's events and the connected accounts', each with its secret.
	v1.POST("/webhooks/stripe", s.handle(s.platformWebhook))
	v1.POST("/webhooks/stripe/connect", s.handle(s.connectWebhook))

	// Signing in; applying to sell; pairing a till.
	v1.POST("/auth/login", s.handle(s.login))
	v1.POST("/auth/logout", s.handle(s.logout))
	v1.POST("/auth/password-reset", s.handle(s.requestPasswordReset))
	v1.POST("/auth/password-reset/confirm", s.handle(s.resetPassword))
	v1.POST("/auth/invitations/accept", s.handle(s.acceptInvitation))
	v1.POST("/merchant-applications", s.handle(s.apply))
	v1.POST("/devices/pair", s.handle(s.pairDevice))

	// Signed-in people and paired tills; each handler checks the
	// permission it needs through merchantFor.
	me := v1.Group("", s.requireActor)
	me.GET("/auth/me", s.handle(s.me))
	me.POST("/merchant/scan", s.handle(s.scan))
	me.POST("/merchant/vouchers/:code/redemptions", s.idempotent("redeem", keyWithMoney, s.redeem))
	me.POST("/merchant/redemptions/:id/reverse", s.idempotent("reverse", keyOptional, s.reverse))
	me.POST("/merchant/tickets/:code/checkin", s.handle(s.checkIn))
	me.POST("/merchant/tickets/:code/checkin/undo", s.handle(s.undoCheckIn))
	me.GET("/merchant/redemptions", s.handle(s.listRedemptions))
	me.GET("/merchant/summary", s.handle(s.summary))
	me.GET("/merchant/ledger", s.handle(s.ledger))
	me.GET("/merchant/live", s.handle(s.live))
	me.GET("/merchant/staff", s.handle(s.listStaff))
	me.POST("/merchant/staff/invitations", s.handle(s.inviteStaff))
	me.DELETE("/merchant/staff/:user", s.handle(s.removeStaff))
	me.GET("/merchant/devices", s.handle(s.listDevices))
	me.POST("/merchant/devices/pairing", s.handle(s.startPairing))
	me.POST("/merchant/devices/:id/revoke", s.handle(s.revokeDevice))
	me.GET("/merchant/payments", s.handle(s.paymentsStatus))
	me.POST("/merchant/payments/onboarding", s.handle(s.paymentsOnboarding))
	me.GET("/merchant/programmes", s.handle(s.merchantProgrammes))
	me.POST("/merchant/programmes/:slug/join", s.handle(s.joinProgramme))
	me.POST("/merchant/programmes/:slug/leave", s.handle(s.leaveProgramme))
	me.GET("/merchant/programmes/:slug/statements", s.handle(s.merchantStatements))
	me.GET("/merchant/campaigns", s.handle(s.merchantCampaigns))
	me.POST("/merchant/campaigns/:slug/accept", s.handle(s.acceptCampaign))
	me.GET("/merchant/profile", s.handle(s.getProfile))
	me.PATCH("/merchant/profile", s.handle(s.patchProfile))
	me.PUT("/merchant/status", s.handle(s.putStatus))
	me.POST("/merchant/photos", s.handle(s.addPhoto))
	me.PATCH("/merchant/photos/:id", s.handle(s.movePhoto))
	me.DELETE("/merchant/photos/:id", s.handle(s.deletePhoto))
	me.GET("/merchant/posts", s.handle(s.listOwnPosts))
	me.POST("/merchant/posts", s.handle(s.createPost))
	me.DELETE("/merchant/posts/:id", s.handle(s.deletePost))
	me.GET("/organiser/events", s.handle(s.organiserEvents))
	me.POST("/organiser/events", s.handle(s.createEvent))
	me.PATCH("/organiser/events/:id", s.handle(s.updateEvent))
	me.POST("/organiser/events/:id/cancel", s.handle(s.cancelEvent))
	me.POST("/organiser/events/:id/postpone", s.handle(s.postponeEvent))
	me.GET("/organiser/events/:id/choices", s.handle(s.eventChoices))
	me.GET("/organiser/campaigns", s.handle(s.organiserCampaigns))
	me.POST("/organiser/campaigns", s.handle(s.createCampaign))
	me.POST("/organiser/campaigns/:slug/links", s.handle(s.createLink))
	me.POST("/organiser/campaigns/:slug/links/:code/disable", s.handle(s.disableLink))
	me.GET("/organiser/campaigns/:slug/stats", s.handle(s.campaignStats))
	me.GET("/organiser/campaigns/:slug/sources", s.handle(s.listSources))
	me.POST("/organiser/campaigns/:slug/sources", s.handle(s.addSource))
	me.DELETE("/organiser/campaigns/:slug/sources/:id", s.handle(s.removeSource))
	me.GET("/organiser/campaigns/:slug/mentions", s.handle(s.listMentions))
	me.POST("/organiser/campaigns/:slug/mentions/:id/approve", s.handle(s.approveMention))
	me.POST("/organiser/campaigns/:slug/mentions/:id/hide", s.handle(s.hideMention))
	me.GET("/organiser/campaigns/:slug/blocked-authors", s.handle(s.blockedAuthors))
	me.POST("/organiser/campaigns/:slug/blocked-authors", s.handle(s.blockAuthor))
	me.DELETE("/organiser/campaigns/:slug/blocked-authors", s.handle(s.unblockAuthor))
	me.GET("/organiser/programmes", s.handle(s.organiserProgrammes))
	me.GET("/organiser/programmes/:slug", s.handle(s.organiserProgramme))
	me.POST("/organiser/programmes/:slug/merchants/:merchant/accept", s.handle(s.acceptProgrammeMerchant))
	me.POST("/organiser/programmes/:slug/merchants/:merchant/remove", s.handle(s.removeProgrammeMerchant))
	me.GET("/organiser/programmes/:slug/settlements", s.handle(s.programmeSettlements))
	me.POST("/organiser/programmes/:slug/settlements", s.handle(s.settleProgramme))

	// Admins.
	admin := v1.Group("/admin", s.requireActor, s.requireAdmin)
	admin.GET("/merchants", s.handle(s.adminMerchants))
	admin.POST("/merchants/:slug/approve", s.handle(s.approveMerchant))
	admin.POST("/merchants/:slug/refuse", s.handle(s.refuseMerchant))
	admin.POST("/merchants/:slug/close", s.handle(s.closeMerchant))
	admin.POST("/merchants/:slug/photos/:id/hide", s.handle(s.hidePagePhoto))
	admin.POST("/merchants/:slug/posts/:id/hide", s.handle(s.hidePost))
	admin.GET("/merchants/:slug/changes", s.handle(s.pageChanges))
	admin.GET("/orders", s.handle(s.adminOrders))
	admin.POST("/orders/:id/accept", s.idempotent("accept", keyOptional, s.acceptOrder))
	admin.POST("/orders/:id/refund", s.idempotent("refund", keyOptional, s.refundOrder))
	admin.GET("/outbox", s.handle(s.adminOutbox))
	admin.POST("/programmes", s.handle(s.createProgramme))
	admin.POST("/cities", s.handle(s.addCity))

	// Share links: the campaigns' hot path.
	e.GET("/s/:code", s.handle(s.shareLink))

	e.NoRoute(s.noRoute)
	e.NoMethod(s.noMethod)
}
