package platforms

import (
	"strings"
	"testing"

	"gitopscfg/providers"
)

// The registry knows each platform by its kind: Devtron has instances to open, Argo CD and Flux
// are exported; a kind without instances, or none at all, cannot be opened.
func TestRegistryOpensInstancesByKind(t *testing.T) {
	t.Parallel()
	var kinds []string
	for _, s := range Kinds() {
		kinds = append(kinds, string(s.Kind))
	}
	if got := strings.Join(kinds, " "); got != "argocd devtron flux" {
		t.Fatalf("kinds %q", got)
	}
	var exported []string
	for _, s := range Exporters() {
		exported = append(exported, string(s.Kind))
	}
	if got := strings.Join(exported, " "); got != "argocd flux" {
		t.Errorf("exporters %q", got)
	}
	env := providers.NewEnv("test")
	p, err := Open(env, Instance{Kind: KindDevtron, Name: "default", URL: "https://devtron.example.com", Token: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := p.(Planner); !ok {
		t.Error("Devtron plans its active configuration")
	}
	for _, kind := range []Kind{KindArgoCD, "helm"} {
		if _, err := Open(env, Instance{Kind: kind, URL: "https://x.example.com", Token: "t"}); err == nil {
			t.Errorf("opened an instance of %s", kind)
		}
	}
	if _, err := Lookup("helm"); err == nil {
		t.Error("looked up an unknown kind")
	}
}
