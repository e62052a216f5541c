package market

// Category is what kind of business a merchant is. The set is closed: an
// unknown category in a filter is an EInvalid error, not an empty list.
type Category string

// CategoryInfo describes a category for people, in French and English.
type CategoryInfo struct {
	Slug Category `json:"slug"`
	FR   string   `json:"fr"`
	EN   string   `json:"en"`
}

// Categories lists every category, in display order.
var Categories = []CategoryInfo{
	{"restaurant", "Restaurant", "Restaurant"},
	{"cafe", "Café", "Café"},
	{"boulangerie", "Boulangerie-pâtisserie", "Bakery"},
	{"epicerie", "Épicerie", "Grocery"},
	{"librairie", "Librairie", "Bookshop"},
	{"spectacle", "Salle de spectacle", "Venue"},
	{"boutique", "Boutique", "Shop"},
	{"fleuriste", "Fleuriste", "Florist"},
	{"bien-etre", "Bien-être", "Wellness"},
	{"artisanat", "Artisanat", "Crafts"},
}

// Valid reports whether c is a known category.
func (c Category) Valid() bool {
	_, ok := CategoryByslug(c)
	return ok
}

// CategoryByslug returns the category's description.
func CategoryByslug(c Category) (CategoryInfo, bool) {
	for _, k := range Categories {
		if k.Slug == c {
			return k, true
		}
	}
	return CategoryInfo{}, false
}
