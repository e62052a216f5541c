package market

import (
	"strings"
	"testing"
)

func TestMayTrade(t *testing.T) {
	for status, want := range map[MerchantStatus]string{
		MerchantApproved:  "",
		MerchantProgramme: "",
		MerchantPending:   EMerchantPending,
		MerchantRefused:   EMerchantRefused,
		MerchantClosed:    EMerchantClosed,
	} {
		m := &Merchant{Name: "Café", Slug: "cafe", Status: status, RefusedReason: "Registre introuvable."}
		if got := ErrorCode(m.MayTrade()); got != want {
			t.Errorf("%s: %q, want %q", status, got, want)
		}
		if got := ErrorCode((&Event{Draft: true}).MayPublish(m)); got != "" {
			t.Errorf("%s: a draft refused: %q", status, got)
		}
		if got := ErrorCode((&Event{}).MayPublish(m)); got != want {
			t.Errorf("%s: publishing: %q, want %q", status, got, want)
		}
	}
	refused := &Merchant{Status: MerchantRefused, RefusedReason: "Registre introuvable."}
	if msg := ErrorMessage(refused.MayTrade()); msg == "" || !strings.Contains(msg, "Registre introuvable.") {
		t.Errorf("the refusal does not give the reason: %q", msg)
	}
}

func TestApprovedOrganiser(t *testing.T) {
	approved := &Merchant{ID: "m1", Status: MerchantApproved}
	pending := &Merchant{ID: "m2", Status: MerchantPending}
	for _, c := range []struct {
		name string
		a    *Actor
		own  []*Merchant
		want string
	}{
		{"admin", &Actor{Admin: true}, nil, ""},
		{"campaign organiser", &Actor{Campaigns: map[string]Role{"c": RoleOrganiser}}, nil, ""},
		{"owner of an approved merchant", &Actor{Merchants: map[string]Role{"m1": RoleOwner}}, []*Merchant{approved}, ""},
		{"staff of an approved merchant", &Actor{Merchants: map[string]Role{"m1": RoleStaff}}, []*Merchant{approved}, EOrganiserNotApproved},
		{"owner of a pending merchant", &Actor{Merchants: map[string]Role{"m2": RoleOwner}}, []*Merchant{pending}, EMerchantPending},
		{"a till", &Actor{DeviceID: "d", Admin: true}, nil, EOrganiserNotApproved},
		{"nobody", &Actor{}, nil, EOrganiserNotApproved},
	} {
		if got := ErrorCode(ApprovedOrganiser(c.a, c.own)); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

func TestCampaignFeature(t *testing.T) {
	mine := &Merchant{ID: "m1", Slug: "mine", Status: MerchantApproved}
	theirs := &Merchant{ID: "m2", Slug: "theirs", Status: MerchantApproved}
	c := &Campaign{}
	a := &Actor{Merchants: map[string]Role{"m1": RoleOrganiser}}
	if err := c.Feature(a, []*Merchant{mine, theirs}, nil); err != nil {
		t.Fatal(err)
	}
	if c.Awaiting["mine"] || !c.Awaiting["theirs"] {
		t.Fatalf("awaiting %v", c.Awaiting)
	}
	if err := c.Feature(a, nil, []*Merchant{{Slug: "closed", Status: MerchantClosed}}); ErrorCode(err) != EMerchantClosed {
		t.Fatalf("a closed venue featured: %v", err)
	}
}
