package api

import (
	"bytes"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Listener wraps l so that the requests net/http refuses before any
// handler sees them (a path with a bad percent-escape such as
// /api/v1/merchants/%zz, a malformed header) are answered in Solidaire's
// shapes rather than with net/http's plain-text "400 Bad Request": the
// contract's JSON error (bad_request) under /api, /healthz and /readyz, a
// small HTML page elsewhere, with X-Request-ID and, behind HTTPS,
// Strict-Transport-Security, like every other answer. net/http writes that
// answer straight to the connection and then closes it, which is where it
// is replaced; the request line it answers is the last one read. When
// net/http itself serves TLS the answer is encrypted before it gets here
// and stays net/http's: Solidaire's TLS ends at the proxy in front.
func (s *Server) Listener(l net.Listener) net.Listener {
	return malformedListener{Listener: l, s: s}
}

type malformedListener struct {
	net.Listener
	s *Server
}

func (l malformedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &requestLineConn{Conn: c, s: l.s}, nil
}

// lineStart is how much of a line requestLineConn keeps: enough for a
// method and the start of a path.
const lineStart = 256

// requestLineConn remembers the start of the last request line read on
// the connection, and replaces net/http's own plain-text 400.
type requestLineConn struct {
	net.Conn
	s *Server

	// net/http reads in the background while a handler writes: both
	// sides use the fields below.
	mu     sync.Mutex
	line   []byte // the start of the line being read
	method string // of the last request line read
	target string // the start of its target
}

func (c *requestLineConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.scan(p[:n])
	}
	return n, err
}

// scan follows the lines of what was read, keeping the start of each and
// noting those that look like a request line ("GET /path HTTP/1.1").
func (c *requestLineConn) scan(b []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		seg := b
		if i >= 0 {
			seg = b[:i]
		}
		if room := lineStart - len(c.line); room > 0 {
			c.line = append(c.line, seg[:min(room, len(seg))]...)
		}
		if i < 0 {
			return
		}
		c.requestLine(c.line)
		c.line, b = c.line[:0], b[i+1:]
	}
}

// requestLine notes line's method and target when it is a request line.
func (c *requestLineConn) requestLine(line []byte) {
	method, rest, ok := bytes.Cut(line, []byte(" "))
	if !ok || len(method) == 0 || len(method) > 20 || len(rest) == 0 {
		return
	}
	for _, r := range method {
		if r < 'A' || r > 'Z' {
			return
		}
	}
	if rest[0] != '/' && !bytes.HasPrefix(rest, []byte("http")) {
		return
	}
	target, _, _ := bytes.Cut(rest, []byte(" "))
	c.method, c.target = string(method), string(target)
}

// netHTTPError is how net/http's own answers to a malformed request
// begin after their status line; a handler's answers always carry a Date.
const netHTTPError = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"

func (c *requestLineConn) Write(b []byte) (int, error) {
	if !bytes.HasPrefix(b, []byte("HTTP/1.1 400 Bad Request")) || !bytes.Contains(b, []byte(netHTTPError)) ||
		bytes.Contains(b, []byte("\r\nDate: ")) {
		return c.Conn.Write(b)
	}
	c.mu.Lock()
	method, target := c.method, c.target
	c.mu.Unlock()
	if _, err := c.Conn.Write(c.s.malformedAnswer(method, target)); err != nil {
		return 0, err
	}
	return len(b), nil
}

// malformedAnswer is the whole HTTP answer to a request that net/http
// refused before any handler: JSON for the API, a page for people.
func (s *Server) malformedAnswer(method, target string) []byte {
	path := target
	if _, rest, ok := strings.Cut(path, "://"); ok {
		// The absolute form: "http://host/api/…".
		path = "/"
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			path = rest[j:]
		}
	}
	path, _, _ = strings.Cut(path, "?")
	id := s.nextID()
	api := apiPath(path)
	s.metrics.observe("malformed", method, 400, 0)
	s.log.Debug("malformed request refused", "method", method, "api", api, "request_id", id)
	contentType, body := "text/html; charset=utf-8", malformedPage
	if api {
		contentType = "application/json; charset=utf-8"
		body = `{"error":{"code":"` + eBadRequest + `","message":"Requête mal formée : l'adresse (un caractère échappé %xx) ou un en-tête n'est pas valide."}}`
	}
	var b bytes.Buffer
	b.WriteString("HTTP/1.1 400 Bad Request\r\nContent-Type: " + contentType + "\r\nContent-Length: " + strconv.Itoa(len(body)) +
		"\r\nCache-Control: no-store\r\nX-Request-Id: " + id + "\r\nDate: " + time.Now().UTC().Format(http.TimeFormat) + "\r\n")
	if s.https {
		b.WriteString("Strict-Transport-Security: " + hsts + "\r\n")
	}
	b.WriteString("Connection: close\r\n\r\n" + body)
	return b.Bytes()
}

// malformedPage is the page for people whose link is malformed, French
// first: the site's own pages cannot be reached from here.
const malformedPage = `<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Adresse invalide — Solidaire</title>
<style>body{font:1.1rem/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#222}a{color:#0b5394}</style>
</head>
<body>
<main>
<h1>Adresse invalide</h1>
<p>Cette adresse est mal écrite (un caractère « % » y est mal placé) : vérifiez le lien, ou repartez de l’accueil.</p>
<p lang="en">This address is malformed: check the link, or start again from the home page.</p>
<p><a href="/">Accueil de Solidaire</a></p>
</main>
</body>
</html>
`
