package audit_test

import (
	"encoding/json"
	"testing"

	"github.com/partnerdesk/partnerdesk/internal/audit"
)

type address struct {
	Street string `json:"street"`
	City   string `json:"city"`
}

type partner struct {
	Name    string   `json:"name"`
	Country string   `json:"country"`
	Address *address `json:"address,omitempty"`
	Tags    []string `json:"tags,omitempty"`
	Volume  float64  `json:"volume,omitempty"`
}

type credential struct {
	Name         string `json:"name"`
	APIKey       string `json:"api_key,omitempty"`
	ClientSecret string `json:"clientSecret,omitempty"`
	Password     string `json:"password,omitempty"`
	PrivateKey   string `json:"private_key,omitempty"`
	AccessToken  string `json:"access_token,omitempty"`
	KeySecret    string `json:"key_secret,omitempty"`
}

func TestDiff(t *testing.T) {
	acme := partner{Name: "Acme", Country: "SE", Address: &address{Street: "Storgatan 1", City: "Stockholm"}}
	moved := acme
	moved.Address = &address{Street: "Storgatan 1", City: "Malmö"}
	tests := []struct {
		name          string
		before, after any
		want          string
	}{
		{"OK_CreateHasBeforeNull", nil, partner{Name: "Acme", Country: "SE"},
			`{"country":{"after":"SE","before":null},"name":{"after":"Acme","before":null}}`},
		{"OK_DeleteHasAfterNull", partner{Name: "Acme", Country: "SE"}, nil,
			`{"country":{"after":null,"before":"SE"},"name":{"after":null,"before":"Acme"}}`},
		{"OK_UnchangedFieldsOmitted", partner{Name: "Acme", Country: "SE"}, partner{Name: "Acme AB", Country: "SE"},
			`{"name":{"after":"Acme AB","before":"Acme"}}`},
		{"OK_NestedFieldsByDottedPath", acme, moved,
			`{"address.city":{"after":"Malmö","before":"Stockholm"}}`},
		{"OK_NestedObjectRemovedListsItsFields", acme, partner{Name: "Acme", Country: "SE"},
			`{"address.city":{"after":null,"before":"Stockholm"},"address.street":{"after":null,"before":"Storgatan 1"}}`},
		{"OK_ArraysComparedWhole", partner{Name: "A", Tags: []string{"x", "y"}}, partner{Name: "A", Tags: []string{"x", "z"}},
			`{"tags":{"after":["x","z"],"before":["x","y"]}}`},
		{"OK_NumbersByValue", json.RawMessage(`{"volume": 1.50, "n": 1e2}`), json.RawMessage(`{"volume": 1.5, "n": 100}`),
			`{}`},
		{"OK_NumberChange", partner{Name: "A", Volume: 0.1}, partner{Name: "A", Volume: 1e21},
			`{"volume":{"after":1000000000000000000000,"before":0.1}}`},
		{"OK_NothingChangedIsEmpty", acme, acme, `{}`},
		{"OK_NoValuesIsEmpty", nil, nil, `{}`},
		{"OK_ScalarTopLevelIsValue", "a", "b", `{"value":{"after":"b","before":"a"}}`},
		{"Redacted_ChangedSecretsHideBothValues",
			credential{Name: "k", APIKey: "old", ClientSecret: "c1", Password: "p1", PrivateKey: "pk1", AccessToken: "t1", KeySecret: "s1"},
			credential{Name: "k", APIKey: "new", ClientSecret: "c2", Password: "p2", PrivateKey: "pk2", AccessToken: "t2", KeySecret: "s2"},
			`{"access_token":{"after":"[redacted]","before":"[redacted]","changed":true},` +
				`"api_key":{"after":"[redacted]","before":"[redacted]","changed":true},` +
				`"clientSecret":{"after":"[redacted]","before":"[redacted]","changed":true},` +
				`"key_secret":{"after":"[redacted]","before":"[redacted]","changed":true},` +
				`"password":{"after":"[redacted]","before":"[redacted]","changed":true},` +
				`"private_key":{"after":"[redacted]","before":"[redacted]","changed":true}}`},
		{"Redacted_UnchangedSecretOmitted", credential{Name: "a", APIKey: "same"}, credential{Name: "b", APIKey: "same"},
			`{"name":{"after":"b","before":"a"}}`},
		{"Redacted_SecretSetShowsNullBefore", nil, credential{Name: "k", Password: "hunter2"},
			`{"name":{"after":"k","before":null},"password":{"after":"[redacted]","before":null,"changed":true}}`},
		{"Redacted_EverythingUnderASecretObject",
			json.RawMessage(`{"signing_secret":{"kid":"k1","value":"AAAA"}}`),
			json.RawMessage(`{"signing_secret":{"kid":"k2","value":"BBBB"}}`),
			`{"signing_secret.kid":{"after":"[redacted]","before":"[redacted]","changed":true},` +
				`"signing_secret.value":{"after":"[redacted]","before":"[redacted]","changed":true}}`},
		{"Redacted_SecretsInsideArrays",
			json.RawMessage(`{"keys":[{"name":"k1","apiKey":"AAAA"}]}`),
			json.RawMessage(`{"keys":[{"name":"k1","apiKey":"BBBB"}]}`),
			`{"keys":{"after":[{"apiKey":"[redacted]","name":"k1"}],"before":[{"apiKey":"[redacted]","name":"k1"}],"changed":true}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := audit.Diff(tt.before, tt.after)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Fatalf("diff\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestDiffIsStable(t *testing.T) {
	before := map[string]any{"z": 1, "a": map[string]any{"y": "1", "b": "2"}, "m": []int{1, 2}}
	after := map[string]any{"z": 2, "a": map[string]any{"y": "3", "b": "4"}, "m": []int{2, 1}}
	first, err := audit.Diff(before, after)
	if err != nil {
		t.Fatal(err)
	}
	for range 50 {
		again, _ := audit.Diff(before, after)
		if string(again) != string(first) {
			t.Fatalf("diff of the same values differs between calls:\n%s\n%s", first, again)
		}
	}
}

func TestDiffRefusesValuesWithoutJSONForm(t *testing.T) {
	if _, err := audit.Diff(nil, map[string]any{"f": func() {}}); err == nil {
		t.Fatal("a value that cannot be marshalled was accepted")
	}
}

func TestIsSecretField(t *testing.T) {
	for name, want := range map[string]bool{
		"secret": true, "webhook_secret": true, "Password": true, "api_key": true, "apiKey": true, "API-KEY": true,
		"key_secret": true, "client_secret": true, "clientSecret": true, "private_key": true, "PrivateKey": true,
		"refresh_token": true, "token": true,
		"name": false, "key_id": false, "client_id": false, "public_key": false, "email": false,
	} {
		if got := audit.IsSecretField(name); got != want {
			t.Errorf("IsSecretField(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestCanonicalJSON(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"OK_KeysSortedWhitespaceGone", `{ "b": 1, "a": {"d": true, "c": null} }`, `{"a":{"c":null,"d":true},"b":1}`},
		{"OK_NumbersExactDecimals", `[1.50, 1e2, 1.5E-7, -0, 12345678901234567890123]`, `[1.5,100,0.00000015,0,12345678901234567890123]`},
		{"OK_StringsEscapedOneWay", `["\u0041\n\t\"\\<>&é", "a\u0000b"]`, "[\"A\\u000a\\u0009\\\"\\\\<>&é\",\"a\uFFFDb\"]"},
		{"OK_EmptyIsEmptyObject", ``, `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := audit.CanonicalJSON([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Fatalf("got %s want %s", got, tt.want)
			}
		})
	}
	if _, err := audit.CanonicalJSON([]byte(`[1e999999999]`)); err == nil {
		t.Fatal("a number with an absurd exponent was expanded")
	}
}
