package api

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/solidaire-app/solidaire/market"
)

// SignIn is the sign-in service (market.SignIn).
type SignIn interface {
	Login(ctx context.Context, email, password string, token bool) (string, *market.Actor, error)
	LoginWithCode(ctx context.Context, email, password, code string, token bool) (string, *market.Actor, error)
	SendSignInCode(ctx context.Context, email, password, lang string) error
	ExistingAccountApplied(ctx context.Context, email, business, lang string) error
	Authenticate(ctx context.Context, token string) (*market.Actor, error)
	Logout(ctx context.Context, token string) error
	RequestPasswordReset(ctx context.Context, email, lang string) error
	ResetPassword(ctx context.Context, code, password string) error
	InviteStaff(ctx context.Context, inviter *market.Actor, m *market.Merchant, email, lang string, role market.Role) error
	AcceptInvitation(ctx context.Context, code, name, password string) (string, *market.Actor, error)
	StartPairing(ctx context.Context, owner *market.Actor, merchantID, deviceName string) (string, time.Time, error)
	Pair(ctx context.Context, code string) (string, *market.Device, error)
}

// SessionCookie is the name of the browser session cookie.
const SessionCookie = "sol_session"

// ctxActorValue is the gin context key of the *market.Actor.
const ctxActorValue = "actor_value"

// eCSRF: a cookie-authenticated write that does not come from our pages.
const eCSRF = "cross_site_request"

// actor returns the request's authenticated actor, or nil.
func actor(c *gin.Context) *market.Actor {
	a, _ := c.Get(ctxActorValue)
	ac, _ := a.(*market.Actor)
	return ac
}

// requireActor authenticates the request (bearer token, or the session
// cookie) and refuses it with 401 otherwise. Cookie-authenticated writes
// must come from our own pages (Sec-Fetch-Site or Origin), so another site
// cannot make a signed-in merchant's browser redeem.
func (s *Server) requireActor(c *gin.Context) {
	token, viaCookie := "", false
	if h := c.GetHeader("Authorization"); strings.HasPrefix(h, "Bearer ") {
		token = strings.TrimSpace(strings.TrimPrefix(h, "Bearer "))
	} else if ck, err := c.Cookie(SessionCookie); err == nil {
		token, viaCookie = ck, true
	}
	if token == "" {
		s.fail(c, &market.Error{Code: market.EUnauthorized, Message: "Connexion requise."})
		return
	}
	if viaCookie && !safeMethod(c.Request.Method) && !s.sameOrigin(c) {
		s.fail(c, &market.Error{Code: eCSRF, Message: "Requête refusée : elle ne vient pas de Solidaire."})
		return
	}
	a, err := s.cfg.SignIn.Authenticate(c.Request.Context(), token)
	if err != nil {
		if viaCookie {
			s.clearCookie(c)
		}
		s.fail(c, err)
		return
	}
	c.Set(ctxActorValue, a)
	c.Set(ctxActor, a.ID())
	c.Next()
}

func safeMethod(m string) bool { return m == "GET" || m == "HEAD" || m == "OPTIONS" }

// sameOrigin reports whether a browser request comes from our own pages.
func (s *Server) sameOrigin(c *gin.Context) bool {
	switch c.GetHeader("Sec-Fetch-Site") {
	case "same-origin":
		return true
	case "cross-site", "same-site":
		return false
	}
	origin := c.GetHeader("Origin")
	if origin == "" {
		return false
	}
	o, err := url.Parse(origin)
	b, err2 := url.Parse(s.cfg.BaseURL)
	return err == nil && err2 == nil && o.Scheme == b.Scheme && o.Host == b.Host
}

// requireAdmin lets only admins through (after requireActor).
func (s *Server) requireAdmin(c *gin.Context) {
	if a := actor(c); a == nil || !a.Admin || a.DeviceID != "" {
		s.fail(c, market.NotFound("Page"))
		return
	}
	c.Next()
}

func (s *Server) setCookie(c *gin.Context, token string, ttl time.Duration) {
	http.SetCookie(c.Writer, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", MaxAge: int(ttl.Seconds()),
		HttpOnly: true, Secure: strings.HasPrefix(s.cfg.BaseURL, "https://"), SameSite: http.SameSiteLaxMode})
}

func (s *Server) clearCookie(c *gin.Context) {
	http.SetCookie(c.Writer, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: strings.HasPrefix(s.cfg.BaseURL, "https://"), SameSite: http.SameSiteLaxMode})
}

type meJSON struct {
	User *struct {
		ID    string `json:"id"`
		Email string `json:"email"`
		Name  string `json:"name"`
		Admin bool   `json:"admin"`
		// Organiser is true for whoever organises something: events at a
		// merchant, a campaign or a town's programme (an admin's reach
		// over all of them does not count).
		Organiser bool `json:"organiser"`
	} `json:"user,omitempty"`
	Device *struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"device,omitempty"`
	Merchants []memberJSON `json:"merchants"`
	Token     string       `json:"token,omitempty"`
}

type memberJSON struct {
	Slug string      `json:"slug"`
	Name string      `json:"name"`
	Role market.Role `json:"role"`
}

func (s *Server) newMe(c *gin.Context, a *market.Actor) (meJSON, error) {
	out := meJSON{Merchants: []memberJSON{}}
	if a.DeviceID != "" {
		out.Device = &struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		}{a.DeviceID, a.Name}
	} else {
		out.User = &struct {
			ID        string `json:"id"`
			Email     string `json:"email"`
			Name      string `json:"name"`
			Admin     bool   `json:"admin"`
			Organiser bool   `json:"organiser"`
		}{a.UserID, a.Email, a.Name, a.Admin, organises(a)}
	}
	for id, role := range a.Merchants {
		m, err := s.cfg.Merchants.MerchantByID(c.Request.Context(), id)
		if err != nil {
			return out, err
		}
		out.Merchants = append(out.Merchants, memberJSON{m.Slug, m.Name, role})
	}
	return out, nil
}

// organises reports whether the actor holds an organiser's role anywhere.
func organises(a *market.Actor) bool {
	for _, roles := range []map[string]market.Role{a.Merchants, a.Campaigns, a.Programmes} {
		for _, r := range roles {
			if r == market.RoleOrganiser {
				return true
			}
		}
	}
	return false
}

// login answers POST /api/v1/auth/login: a session cookie, or with
// {"token": true} a bearer token for a till. Limited per source address;
// failures make that source wait for that account (signInAttempt), and
// many failures make the account ask for a code mailed to its address:
// 401 ESignInCodeRequired, then the same request with {"code"}.
func (s *Server) login(c *gin.Context) error {
	var req struct {
		Email    string `json:"email"`
		Password string `json:"password"`
		Token    bool   `json:"token"`
		Code     string `json:"code"`
		Lang     string `json:"lang"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if err := s.limit(c, "login:ip:"+c.ClientIP(), s.cfg.Limits.LoginPerIP); err != nil {
		return err
	}
	at, err := s.signInAttempt(c, req.Email)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	sent := &market.Error{Code: market.ESignInCodeRequired, Message: "Trop d'essais : nous vous avons envoyé un code par courriel."}
	var token string
	var a *market.Actor
	switch {
	case req.Code != "" && at.codesSpent(ctx):
		return &market.Error{Code: market.ESignInCodeRequired,
			Message: "Trop de codes incorrects : attendez 15 minutes, puis connectez-vous pour recevoir un nouveau code."}
	case req.Code != "":
		token, a, err = s.cfg.SignIn.LoginWithCode(ctx, req.Email, req.Password, req.Code, req.Token)
	case at.codeRequired:
		// The same answer, and the same count, whether the password was
		// right (and the code sent) or not: it tells a guesser nothing.
		if err = s.cfg.SignIn.SendSignInCode(ctx, req.Email, req.Password, req.Lang); err == nil ||
			market.ErrorCode(err) == market.EUnauthorized {
			at.failed(ctx, false)
			return sent
		}
		return err
	default:
		token, a, err = s.cfg.SignIn.Login(ctx, req.Email, req.Password, req.Token)
	}
	if code := market.ErrorCode(err); code == market.EUnauthorized || code == market.ESignInCodeRequired {
		s.metrics.failedLogins.Inc()
		at.failed(ctx, code == market.ESignInCodeRequired)
		if at.codeRequired {
			return &market.Error{Code: market.ESignInCodeRequired, Message: "Code ou mot de passe incorrect."}
		}
		return err
	}
	if err != nil {
		return err
	}
	at.succeeded(ctx)
	out, err := s.newMe(c, a)
	if err != nil {
		return err
	}
	if req.Token {
		out.Token = token
	} else {
		s.setCookie(c, token, market.BrowserSessionTTL)
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, out)
	return nil
}

// logout answers POST /api/v1/auth/logout.
func (s *Server) logout(c *gin.Context) error {
	token, _ := c.Cookie(SessionCookie)
	if h := c.GetHeader("Authorization"); strings.HasPrefix(h, "Bearer ") {
		token = strings.TrimPrefix(h, "Bearer ")
	}
	if err := s.cfg.SignIn.Logout(c.Request.Context(), token); err != nil {
		return err
	}
	s.clearCookie(c)
	c.Status(http.StatusNoContent)
	return nil
}

// me answers GET /api/v1/auth/me: who is signed in, and where.
func (s *Server) me(c *gin.Context) error {
	out, err := s.newMe(c, actor(c))
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, out)
	return nil
}

// requestPasswordReset answers POST /api/v1/auth/password-reset: 202
// whether the address has an account or not.
func (s *Server) requestPasswordReset(c *gin.Context) error {
	var req struct {
		Email string `json:"email"`
		Lang  string `json:"lang"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if err := s.limit(c, "reset:ip:"+c.ClientIP(), s.cfg.Limits.LoginPerIP); err != nil {
		return err
	}
	if _, err := market.CheckEmail("email", req.Email, true); err != nil {
		return err
	}
	if err := s.cfg.SignIn.RequestPasswordReset(c.Request.Context(), req.Email, req.Lang); err != nil {
		return err
	}
	c.JSON(http.StatusAccepted, gin.H{"status": "sent_if_known"})
	return nil
}

// resetPassword answers POST /api/v1/auth/password-reset/confirm.
func (s *Server) resetPassword(c *gin.Context) error {
	var req struct {
		Code     string `json:"code"`
		Password string `json:"password"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if err := s.cfg.SignIn.ResetPassword(c.Request.Context(), req.Code, req.Password); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// acceptInvitation answers POST /api/v1/auth/invitations/accept: the new
// staff member's account, signed in.
func (s *Server) acceptInvitation(c *gin.Context) error {
	var req struct {
		Code     string `json:"code"`
		Name     string `json:"name"`
		Password string `json:"password"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	token, a, err := s.cfg.SignIn.AcceptInvitation(c.Request.Context(), req.Code, req.Name, req.Password)
	if err != nil {
		return err
	}
	out, err := s.newMe(c, a)
	if err != nil {
		return err
	}
	s.setCookie(c, token, market.BrowserSessionTTL)
	c.JSON(http.StatusOK, out)
	return nil
}

// pairDevice answers POST /api/v1/devices/pair: a till exchanges the
// pairing code shown on the owner's dashboard for its own token.
func (s *Server) pairDevice(c *gin.Context) error {
	var req struct {
		Code string `json:"code"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if err := s.limit(c, "pair:ip:"+c.ClientIP(), s.cfg.Limits.LoginPerIP); err != nil {
		return err
	}
	token, d, err := s.cfg.SignIn.Pair(c.Request.Context(), req.Code)
	if err != nil {
		return err
	}
	m, err := s.cfg.Merchants.MerchantByID(c.Request.Context(), d.MerchantID)
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, gin.H{"token": token, "device": gin.H{"id": d.ID, "name": d.Name},
		"merchant": merchantRef{m.Slug, m.Name}})
	return nil
}
