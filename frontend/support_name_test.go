package frontend

import "testing"

func TestSupporterName(t *testing.T) {
	for in, want := range map[string]string{
		"Awa":                       "Awa",
		"  Jean-Éric   O'Neil ":     "Jean-Éric O'Neil",
		"<script>alert(1)</script>": "scriptalertscript",
		"Zoë\nTremblay":             "Zoë Tremblay",
		"💥💥":                        "",
		"--":                        "",
		"Anne-Marie-Thérèse-Claude de la Fontaine": "Anne-Marie-Thérèse-Claud",
		"Awa 50 $":                "Awa",
		string([]byte{0xff, 'a'}): "",
	} {
		if got := supporterName(in); got != want {
			t.Errorf("supporterName(%q) = %q, want %q", in, got, want)
		}
	}
}
