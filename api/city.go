package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/solidaire-app/solidaire/market"
)

// CityList is the list of cities merchants can be in, which admins keep
// (store.DB). The server finds it in its Catalogue, or its Onboarding.
type CityList interface {
	// ListCities returns the list, in alphabetical order.
	ListCities(ctx context.Context) ([]market.City, error)
	// AddCity adds a city; EInvalid for a wrong name or country, EConflict
	// when the list has it under any spelling.
	AddCity(ctx context.Context, c market.City) (market.City, error)
}

// cityJSON is a city of the list.
type cityJSON struct {
	Name    string `json:"name"`
	Country string `json:"country,omitempty"`
}

// cityList returns the server's list of cities; EUnavailable when it was
// given none.
func (s *Server) cityList() (CityList, error) {
	if l, ok := s.cfg.Catalogue.(CityList); ok {
		return l, nil
	}
	if l, ok := s.cfg.Onboarding.(CityList); ok {
		return l, nil
	}
	return nil, &market.Error{Code: market.EUnavailable, Message: "La liste des villes est indisponible."}
}

// listCities answers GET /api/v1/cities: the cities a merchant can be in,
// the list a business applying picks from.
func (s *Server) listCities(c *gin.Context) error {
	l, err := s.cityList()
	if err != nil {
		return err
	}
	cities, err := l.ListCities(c.Request.Context())
	if err != nil {
		return err
	}
	out := list[cityJSON]{Data: make([]cityJSON, len(cities))}
	for i, city := range cities {
		out.Data[i] = cityJSON{Name: city.Name, Country: city.Country}
	}
	c.JSON(http.StatusOK, out)
	return nil
}

// addCityRequest is a city an admin adds to the list.
type addCityRequest struct {
	Name    string `json:"name"`
	Country string `json:"country"`
}

// addCity answers POST /api/v1/admin/cities {"name", "country"}: 201 with
// the city as the list writes it; 409 when the list has it already, under
// any spelling.
func (s *Server) addCity(c *gin.Context) error {
	var req addCityRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	l, err := s.cityList()
	if err != nil {
		return err
	}
	city, err := l.AddCity(c.Request.Context(), market.City{Name: req.Name, Country: req.Country})
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"city": cityJSON{Name: city.Name, Country: city.Country}})
	return nil
}
