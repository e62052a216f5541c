package api

import (
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/solidaire-app/solidaire/market"
)

// photoBodyLimit is the body limit of a photo upload: the photo and the
// multipart envelope around it.
const photoBodyLimit = market.MaxPhotoBytes + 64<<10

// addPhoto answers POST /api/v1/merchant/photos, multipart with the field
// "photo": JPEG, PNG or WebP by content (415 otherwise), at most 10 MiB,
// at most 6 a page (409).
func (s *Server) addPhoto(c *gin.Context) error {
	m, err := s.pageMerchant(c)
	if err != nil {
		return err
	}
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return &market.Error{Code: market.EUnsupportedMedia, Message: "Envoyez la photo en multipart/form-data, champ « photo »."}
	}
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return market.Invalid("photo", "Formulaire illisible.")
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return market.Invalid("photo", "Choisissez une photo.")
		}
		if err != nil {
			if isTooLarge(err) {
				return tooLarge(photoBodyLimit)
			}
			return market.Invalid("photo", "Formulaire illisible.")
		}
		if part.FormName() != "photo" {
			part.Close()
			continue
		}
		body := &watchedReader{r: part}
		p, err := s.cfg.MerchantPages.AddPhoto(c.Request.Context(), actor(c), m, body)
		part.Close()
		if body.tooLarge {
			return tooLarge(photoBodyLimit)
		}
		if err != nil {
			return err
		}
		s.catalogueChanged(c.Request.Context())
		c.JSON(http.StatusCreated, newPhotoJSON(p, p.Position == 0))
		return nil
	}
}

// watchedReader remembers that a read went past the body limit, whatever
// the reader's consumer made of the error.
type watchedReader struct {
	r        io.Reader
	tooLarge bool
}

func (w *watchedReader) Read(p []byte) (int, error) {
	n, err := w.r.Read(p)
	if err != nil && isTooLarge(err) {
		w.tooLarge = true
	}
	return n, err
}

// movePhoto answers PATCH /api/v1/merchant/photos/{id} {"position"}.
func (s *Server) movePhoto(c *gin.Context) error {
	m, err := s.pageMerchant(c)
	if err != nil {
		return err
	}
	var req struct {
		Position *int `json:"position"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if req.Position == nil {
		return market.Invalid("position", "Position requise (0 : couverture).")
	}
	p, err := s.cfg.MerchantPages.MovePhoto(c.Request.Context(), actor(c), m, c.Param("id"), *req.Position)
	if err != nil {
		return err
	}
	s.catalogueChanged(c.Request.Context())
	photos, err := s.cfg.PageReads.PagePhotos(c.Request.Context(), m.ID, true)
	if err != nil {
		return err
	}
	for _, ph := range photosJSON(photos) {
		if ph.ID == p.ID {
			c.JSON(http.StatusOK, ph)
			return nil
		}
	}
	return market.NotFound("Photo")
}

// deletePhoto answers DELETE /api/v1/merchant/photos/{id}.
func (s *Server) deletePhoto(c *gin.Context) error {
	m, err := s.pageMerchant(c)
	if err != nil {
		return err
	}
	if err := s.cfg.MerchantPages.DeletePhoto(c.Request.Context(), actor(c), m, c.Param("id")); err != nil {
		return err
	}
	s.catalogueChanged(c.Request.Context())
	c.Status(http.StatusNoContent)
	return nil
}
