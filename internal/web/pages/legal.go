package pages

import (
	"html/template"
	"net/http"
	"sync"

	"github.com/quorum-app/quorum/internal/legal"
	"github.com/quorum-app/quorum/internal/render"
)

// legalPages serves the operator's terms of service and privacy policy
// (internal/legal), rendered once from their Markdown through the same
// sanitiser as comments.
type legalPages struct {
	docs legal.Docs
	html func() [2]template.HTML
}

func newLegalPages(d *legal.Docs) legalPages {
	docs := legal.Defaults()
	if d != nil {
		docs = *d
	}
	return legalPages{docs: docs, html: sync.OnceValue(func() [2]template.HTML {
		r := render.NewDocument()
		return [2]template.HTML{r.Markdown(docs.Terms.Body()), r.Markdown(docs.Privacy.Body())}
	})}
}

// Version is what the sign-in forms carry and sign-up records.
func (l legalPages) Version() string { return l.docs.Version() }

type legalPageData struct {
	Kind    string // "terms" or "privacy"
	Title   string
	Body    template.HTML
	Version string
	Default bool
	// Other links the other document.
	OtherURL, OtherTitle string
}

func (s *Server) legalPage(w http.ResponseWriter, r *http.Request, kind string) {
	html := s.legal.html()
	d, other := s.legal.docs.Terms, s.legal.docs.Privacy
	data := legalPageData{Kind: kind, Body: html[0], OtherURL: "/privacy"}
	if kind == "privacy" {
		d, other = other, d
		data.Body, data.OtherURL = html[1], "/terms"
	}
	data.Title, data.Version, data.Default, data.OtherTitle = d.Title, d.Version, d.Default, other.Title
	s.web.Page(w, r, http.StatusOK, "legal", d.Title, data)
}

// GET /terms
func (s *Server) TermsPage(w http.ResponseWriter, r *http.Request) { s.legalPage(w, r, "terms") }

// GET /privacy
func (s *Server) PrivacyPage(w http.ResponseWriter, r *http.Request) { s.legalPage(w, r, "privacy") }
