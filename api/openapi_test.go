package api_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

// The OpenAPI tests keep api/openapi.yaml equal to what the code serves:
// every route registered in the package's source is in the spec and the
// spec has nothing else; and, per route, the statuses the code can answer
// with (from what its handler calls) are documented.

// codeRoute is one route registered with gin, read from the source.
type codeRoute struct {
	method, path string // path in OpenAPI form: {param}
	pos          string // file:line of the registration
	handler      string // the Server method that serves it, "" when not s.handle/s.idempotent
	idempotent   bool   // wrapped in s.idempotent
	actor, admin bool   // behind s.requireActor, s.requireAdmin
}

func (r codeRoute) key() string { return r.method + " " + r.path }

var ginMethods = map[string]bool{"GET": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "HEAD": true, "OPTIONS": true}

// group is a gin router group as the source builds it.
type group struct {
	prefix       string
	actor, admin bool
}

// sourceRoutes parses the package's non-test files and returns every route
// they register, with the package's functions (for the handler checks).
func sourceRoutes(t *testing.T) ([]codeRoute, map[string]*ast.FuncDecl, *token.FileSet) {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var routes []codeRoute
	funcs := map[string]*ast.FuncDecl{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			funcs[fn.Name.Name] = fn
			routes = append(routes, funcRoutes(t, fset, fn)...)
		}
	}
	if len(routes) == 0 {
		t.Fatal("no route found in the package's source")
	}
	return routes, funcs, fset
}

// funcRoutes returns the routes one function registers. Groups are local
// variables made from s.engine with Group; a route on anything else fails
// the test, which must then learn the new construction.
func funcRoutes(t *testing.T, fset *token.FileSet, fn *ast.FuncDecl) []codeRoute {
	groups := map[string]group{}
	resolve := func(x ast.Expr) (group, bool) {
		switch x := x.(type) {
		case *ast.Ident:
			g, ok := groups[x.Name]
			return g, ok
		case *ast.SelectorExpr:
			if x.Sel.Name == "engine" {
				return group{}, true
			}
		}
		return group{}, false
	}
	var routes []codeRoute
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if len(n.Lhs) != len(n.Rhs) {
				return true
			}
			for i, lhs := range n.Lhs {
				id, ok := lhs.(*ast.Ident)
				if !ok {
					continue
				}
				switch rhs := n.Rhs[i].(type) {
				case *ast.SelectorExpr:
					if rhs.Sel.Name == "engine" {
						groups[id.Name] = group{}
					}
				case *ast.CallExpr:
					sel, ok := rhs.Fun.(*ast.SelectorExpr)
					if !ok || sel.Sel.Name != "Group" {
						continue
					}
					parent, ok := resolve(sel.X)
					if !ok {
						t.Errorf("%s: a group made from an unknown router; teach openapi_test.go", fset.Position(rhs.Pos()))
						continue
					}
					rel, ok := stringLit(rhs.Args[0])
					if !ok {
						t.Errorf("%s: a group prefix that is not a string literal", fset.Position(rhs.Pos()))
						continue
					}
					g := group{prefix: joinPath(parent.prefix, rel), actor: parent.actor, admin: parent.admin}
					g.actor = g.actor || hasMiddleware(rhs.Args[1:], "requireActor")
					g.admin = g.admin || hasMiddleware(rhs.Args[1:], "requireAdmin")
					groups[id.Name] = g
				}
			}
		case *ast.CallExpr:
			sel, ok := n.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			args := n.Args
			method := sel.Sel.Name
			switch {
			case ginMethods[method]:
			case method == "Handle" && len(args) >= 2:
				m, ok := stringLit(args[0])
				if !ok {
					return true
				}
				method, args = m, args[1:]
			case method == "Any" || method == "Match" || method == "StaticFS" || method == "Static" || method == "StaticFile":
				if _, ok := resolve(sel.X); ok {
					t.Errorf("%s: %s registers routes openapi_test.go cannot list; teach it", fset.Position(n.Pos()), method)
				}
				return true
			default:
				return true
			}
			if len(args) == 0 {
				return true
			}
			rel, ok := stringLit(args[0])
			if !ok {
				return true
			}
			pos := fset.Position(n.Pos()).String()
			g, ok := resolve(sel.X)
			if !ok {
				t.Errorf("%s: %s %q on a router whose prefix openapi_test.go cannot tell; teach it", pos, method, rel)
				return true
			}
			r := codeRoute{method: method, path: openAPIPath(joinPath(g.prefix, rel)), pos: pos, actor: g.actor, admin: g.admin}
			r.actor = r.actor || hasMiddleware(args[1:], "requireActor")
			r.admin = r.admin || hasMiddleware(args[1:], "requireAdmin")
			r.handler, r.idempotent = handlerName(args[len(args)-1])
			routes = append(routes, r)
		}
		return true
	})
	return routes
}

func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

func hasMiddleware(args []ast.Expr, name string) bool {
	for _, a := range args {
		if sel, ok := a.(*ast.SelectorExpr); ok && sel.Sel.Name == name {
			return true
		}
	}
	return false
}

// handlerName reads s.handle(s.name) and s.idempotent("scope", s.name).
func handlerName(e ast.Expr) (string, bool) {
	call, ok := e.(*ast.CallExpr)
	if !ok || len(call.Args) == 0 {
		return "", false
	}
	wrap, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || wrap.Sel.Name != "handle" && wrap.Sel.Name != "idempotent" {
		return "", false
	}
	h, ok := call.Args[len(call.Args)-1].(*ast.SelectorExpr)
	if !ok {
		return "", false
	}
	return h.Sel.Name, wrap.Sel.Name == "idempotent"
}

// joinPath joins a group prefix and a relative path as gin does.
func joinPath(abs, rel string) string {
	if rel == "" {
		return abs
	}
	p := path.Join(abs, rel)
	if strings.HasSuffix(rel, "/") && !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return p
}

var ginParam = regexp.MustCompile(`[:*]([A-Za-z0-9_]+)`)

// openAPIPath turns gin's /a/:b/*c into /a/{b}/{c}.
func openAPIPath(p string) string { return ginParam.ReplaceAllString(p, "{$1}") }

// spec is openapi.yaml, decoded generically.
type spec struct {
	doc map[string]any
}

func loadSpec(t *testing.T) spec {
	t.Helper()
	b, err := os.ReadFile("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	return spec{doc}
}

var specMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// operations returns the spec's operations by "METHOD /path".
func (s spec) operations(t *testing.T) map[string]map[string]any {
	t.Helper()
	paths := asMap(s.doc["paths"])
	if paths == nil {
		t.Fatal("openapi.yaml has no paths")
	}
	ops := map[string]map[string]any{}
	for p, item := range paths {
		for k, op := range asMap(item) {
			if !slices.Contains(specMethods, k) {
				continue
			}
			m := asMap(op)
			if m == nil {
				t.Errorf("%s %s: not an operation object", k, p)
				continue
			}
			ops[strings.ToUpper(k)+" "+p] = m
		}
	}
	return ops
}

// deref follows a local $ref (#/a/b/c) to what it names.
func (s spec) deref(v any) (any, error) {
	for range 10 {
		m := asMap(v)
		ref, ok := m["$ref"].(string)
		if !ok {
			return v, nil
		}
		if !strings.HasPrefix(ref, "#/") {
			return nil, fmt.Errorf("$ref %q is not local", ref)
		}
		var cur any = s.doc
		for _, part := range strings.Split(ref[2:], "/") {
			part = strings.NewReplacer("~1", "/", "~0", "~").Replace(part)
			next, ok := asMap(cur)[part]
			if !ok {
				return nil, fmt.Errorf("$ref %q names nothing", ref)
			}
			cur = next
		}
		v = cur
	}
	return nil, fmt.Errorf("$ref loop")
}

func asMap(v any) map[string]any {
	switch v := v.(type) {
	case map[string]any:
		return v
	case map[any]any:
		m := make(map[string]any, len(v))
		for k, x := range v {
			m[fmt.Sprint(k)] = x
		}
		return m
	}
	return nil
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// TestOpenAPIRoutes: every route of the code is in openapi.yaml, and the
// spec has no path or method that the code does not serve.
func TestOpenAPIRoutes(t *testing.T) {
	routes, _, _ := sourceRoutes(t)
	ops := loadSpec(t).operations(t)
	code := map[string]codeRoute{}
	for _, r := range routes {
		if prev, dup := code[r.key()]; dup {
			t.Errorf("%s: %s registered twice (also %s)", r.pos, r.key(), prev.pos)
		}
		code[r.key()] = r
		if _, ok := ops[r.key()]; !ok {
			t.Errorf("%s: %s is served but missing from openapi.yaml", r.pos, r.key())
		}
	}
	var extra []string
	for k := range ops {
		if _, ok := code[k]; !ok {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		t.Errorf("openapi.yaml has %s, which the code does not serve", k)
	}
}

// TestOpenAPIDocument checks the spec on its own: version, references,
// path parameters, unique operation ids, a success answer per operation
// and the contract's error shape for every error answer.
func TestOpenAPIDocument(t *testing.T) {
	s := loadSpec(t)
	if v, _ := s.doc["openapi"].(string); !strings.HasPrefix(v, "3.1.") {
		t.Errorf("openapi: %q, want 3.1.x", v)
	}
	// Every $ref resolves.
	var walk func(where string, v any)
	walk = func(where string, v any) {
		if m := asMap(v); m != nil {
			if _, ok := m["$ref"].(string); ok {
				if _, err := s.deref(m); err != nil {
					t.Errorf("%s: %v", where, err)
				}
			}
			for k, x := range m {
				walk(where+"/"+k, x)
			}
		}
		for i, x := range asList(v) {
			walk(where+"/"+strconv.Itoa(i), x)
		}
	}
	walk("#", s.doc)

	errorSchema := "#/components/schemas/Error"
	if _, err := s.deref(map[string]any{"$ref": errorSchema}); err != nil {
		t.Fatalf("the contract's error shape: %v", err)
	}
	ids := map[string]string{}
	paths := asMap(s.doc["paths"])
	for key, op := range s.operations(t) {
		p := key[strings.Index(key, " ")+1:]
		if id, _ := op["operationId"].(string); id == "" {
			t.Errorf("%s: no operationId", key)
		} else if prev, dup := ids[id]; dup {
			t.Errorf("%s: operationId %q also used by %s", key, id, prev)
		} else {
			ids[id] = key
		}
		// Path parameters: declared exactly, required.
		want := map[string]bool{}
		for _, m := range regexp.MustCompile(`\{([^}]+)\}`).FindAllStringSubmatch(p, -1) {
			want[m[1]] = true
		}
		got := map[string]bool{}
		params := append(slices.Clone(asList(asMap(paths[p])["parameters"])), asList(op["parameters"])...)
		for _, raw := range params {
			v, err := s.deref(raw)
			if err != nil {
				continue // reported by the walk
			}
			prm := asMap(v)
			if prm["in"] != "path" {
				continue
			}
			name, _ := prm["name"].(string)
			got[name] = true
			if !want[name] {
				t.Errorf("%s: path parameter %q is not in the path", key, name)
			}
			if prm["required"] != true {
				t.Errorf("%s: path parameter %q must be required", key, name)
			}
		}
		for name := range want {
			if !got[name] {
				t.Errorf("%s: path parameter {%s} is not declared", key, name)
			}
		}
		// Responses: one success; errors in the contract's shape.
		responses := asMap(op["responses"])
		success := false
		for status, raw := range responses {
			code, err := strconv.Atoi(status)
			if err != nil {
				t.Errorf("%s: response %q is not a status code", key, status)
				continue
			}
			if code < 400 {
				success = true
				continue
			}
			v, err := s.deref(raw)
			if err != nil {
				continue
			}
			schema := asMap(asMap(asMap(asMap(v)["content"])["application/json"])["schema"])
			if !refersTo(schema, errorSchema) {
				t.Errorf("%s: the %d answer is not the contract's error shape (%s)", key, code, errorSchema)
			}
			if code == 429 || code == 503 {
				if asMap(asMap(v)["headers"])["Retry-After"] == nil {
					t.Errorf("%s: the %d answer does not document Retry-After", key, code)
				}
			}
		}
		if !success {
			t.Errorf("%s: no success answer", key)
		}
	}
}

// refersTo reports whether schema is $ref target or an allOf including it.
func refersTo(schema map[string]any, target string) bool {
	if schema["$ref"] == target {
		return true
	}
	for _, sub := range asList(schema["allOf"]) {
		if asMap(sub)["$ref"] == target {
			return true
		}
	}
	return false
}

// TestOpenAPIStatuses checks, route by route, that the spec documents what
// the code can answer: the success statuses its handler writes, and the
// errors of what it goes through (idempotency, sign-in, admin, strict JSON
// decoding, rate limits, merchant selection).
func TestOpenAPIStatuses(t *testing.T) {
	routes, funcs, _ := sourceRoutes(t)
	s := loadSpec(t)
	ops := s.operations(t)
	calls := callGraph(funcs)
	for _, r := range routes {
		op, ok := ops[r.key()]
		if !ok {
			continue // TestOpenAPIRoutes reports it
		}
		responses := asMap(op["responses"])
		documented := func(code int) bool { _, ok := responses[strconv.Itoa(code)]; return ok }
		need := func(why string, codes ...int) {
			for _, c := range codes {
				if !documented(c) {
					t.Errorf("%s (%s): %s, but %d is not documented", r.key(), r.pos, why, c)
				}
			}
		}
		if r.idempotent {
			need("it takes an Idempotency-Key", 400, 409)
			if !hasParam(s, op, "header", "Idempotency-Key") {
				t.Errorf("%s (%s): it takes an Idempotency-Key, which is not documented", r.key(), r.pos)
			}
		}
		if r.actor {
			need("it needs a signed-in caller", 401)
			if len(asList(op["security"])) == 0 {
				t.Errorf("%s (%s): it needs a signed-in caller, but has no security requirement", r.key(), r.pos)
			}
			if r.method != "GET" && r.method != "HEAD" && r.method != "OPTIONS" {
				need("a cookie-authenticated write may be a cross-site request", 403)
			}
		}
		if r.admin {
			need("non-admins get a 404", 404)
		}
		if r.handler == "" {
			continue
		}
		reach := reachable(calls, r.handler)
		if reach["bindJSON"] {
			need("it decodes a JSON body", 400, 413, 415)
			if asMap(op["requestBody"]) == nil {
				t.Errorf("%s (%s): it decodes a JSON body, which is not documented", r.key(), r.pos)
			}
		}
		if reach["limit"] {
			need("it is rate-limited", 429)
		}
		if reach["merchantFor"] {
			need("it acts for a merchant the caller names", 400, 403, 404)
			if !hasParam(s, op, "header", "X-Merchant") {
				t.Errorf("%s (%s): it acts for a merchant named by X-Merchant, which is not documented", r.key(), r.pos)
			}
		}
		if reach["page"] {
			need("it reads limit and cursor", 400)
			for _, name := range []string{"limit", "cursor"} {
				if !hasParam(s, op, "query", name) {
					t.Errorf("%s (%s): it reads ?%s=, which is not documented", r.key(), r.pos, name)
				}
			}
		}
		// Success statuses: those the handler names are documented; when it
		// names a 2xx, no other 2xx is.
		wrote := successStatuses(funcs[r.handler])
		for _, c := range wrote {
			need("its handler answers it", c)
		}
		names2xx := slices.ContainsFunc(wrote, func(c int) bool { return c < 300 })
		for status := range responses {
			c, _ := strconv.Atoi(status)
			if c >= 200 && c < 300 && names2xx && !slices.Contains(wrote, c) {
				t.Errorf("%s (%s): %d is documented, but its handler %s never answers it", r.key(), r.pos, c, r.handler)
			}
		}
	}
}

func hasParam(s spec, op map[string]any, in, name string) bool {
	for _, raw := range asList(op["parameters"]) {
		v, err := s.deref(raw)
		if err != nil {
			continue
		}
		if p := asMap(v); p["in"] == in && strings.EqualFold(fmt.Sprint(p["name"]), name) {
			return true
		}
	}
	return false
}

// callGraph maps each function or method of the package to the names it
// calls (s.name(...) and name(...)).
func callGraph(funcs map[string]*ast.FuncDecl) map[string]map[string]bool {
	g := map[string]map[string]bool{}
	for name, fn := range funcs {
		called := map[string]bool{}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			if call, ok := n.(*ast.CallExpr); ok {
				switch f := call.Fun.(type) {
				case *ast.Ident:
					called[f.Name] = true
				case *ast.SelectorExpr:
					if x, ok := f.X.(*ast.Ident); ok && x.Name == "s" {
						called[f.Sel.Name] = true
					}
				}
			}
			return true
		})
		g[name] = called
	}
	return g
}

func reachable(g map[string]map[string]bool, from string) map[string]bool {
	seen := map[string]bool{}
	stack := []string{from}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for c := range g[n] {
			if !seen[c] {
				seen[c] = true
				stack = append(stack, c)
			}
		}
	}
	return seen
}

var successNames = map[string]int{"StatusOK": 200, "StatusCreated": 201, "StatusAccepted": 202, "StatusNoContent": 204,
	"StatusMovedPermanently": 301, "StatusFound": 302, "StatusSeeOther": 303, "StatusTemporaryRedirect": 307, "StatusPermanentRedirect": 308}

// successStatuses lists the 2xx and 3xx statuses a handler names
// (http.StatusXxx).
func successStatuses(fn *ast.FuncDecl) []int {
	if fn == nil {
		return nil
	}
	var out []int
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if x, ok := sel.X.(*ast.Ident); ok && x.Name == "http" {
			if c, ok := successNames[sel.Sel.Name]; ok && !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
		return true
	})
	return out
}
