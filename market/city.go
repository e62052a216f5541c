package market

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"
)

// City is a town merchants can be in. Solidaire keeps a list of them, so
// that "montreal" never becomes a second Montréal: a business applying
// picks its city from the list, and an admin adds the ones missing.
type City struct {
	Name    string // as it is written and shown: "Montréal"
	Country string // ISO 3166-1 alpha-2 ("CA", "FR"), "" when not given
}

// Key is what two spellings of one city share: the folded name, its spaces
// collapsed ("Montréal", "montreal" and "MONTREAL" have one key). A
// merchant's city_key is the key of its city.
func (c City) Key() string { return CityKey(c.Name) }

// CityKey returns the key of a city's name (see City.Key).
func CityKey(name string) string { return Fold(strings.Join(strings.Fields(name), " ")) }

// UnknownCity is the message of a city that is not in the list.
const UnknownCity = "Ville inconnue : choisissez-la dans la liste, ou écrivez-nous pour l'ajouter."

// CityFinder finds a city of the list by any spelling of its name; store.DB
// implements it. It returns ENotFound for a city not in the list.
type CityFinder interface {
	City(ctx context.Context, name string) (City, error)
}

// ListedCity returns the city of the list that name spells, written as the
// list writes it ("montreal " gives "Montréal"). A name not in the list is
// an EInvalid error on field, whose message is UnknownCity.
func ListedCity(ctx context.Context, cities CityFinder, field, name string) (City, error) {
	if CityKey(name) == "" || utf8.RuneCountInString(name) > 100 {
		return City{}, &Error{Code: EInvalid, Message: "Indiquez la ville.", Fields: map[string]string{field: "Indiquez la ville."}}
	}
	c, err := cities.City(ctx, name)
	if ErrorCode(err) == ENotFound {
		return City{}, &Error{Code: EInvalid, Message: UnknownCity, Fields: map[string]string{field: UnknownCity}}
	}
	return c, err
}

// NewCity checks a city an admin adds: a name of 1 to 100 characters with
// a letter and no control character (its spaces collapsed), and a country
// that is empty or two letters (upper-cased). EInvalid naming "name" or
// "country" otherwise.
func NewCity(name, country string) (City, error) {
	name = strings.Join(strings.Fields(name), " ")
	n := utf8.RuneCountInString(name)
	if n == 0 || n > 100 || !strings.ContainsFunc(name, unicode.IsLetter) || strings.ContainsFunc(name, unicode.IsControl) {
		return City{}, Invalid("name", "must be 1 to 100 characters, with a letter")
	}
	country = strings.ToUpper(strings.TrimSpace(country))
	if country != "" && (len(country) != 2 || strings.ContainsFunc(country, func(r rune) bool { return r < 'A' || r > 'Z' })) {
		return City{}, Invalid("country", "must be an ISO 3166-1 alpha-2 code, such as CA or FR")
	}
	return City{Name: name, Country: country}, nil
}
