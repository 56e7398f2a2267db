package newkind

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"time"

	"gitopscfg/platforms"
	"gitopscfg/providers"
)

// Acme CD is a delivery platform the product does not have: this package is everything a new
// platform takes (ARCHITECTURE.md: a platform is one package plus its registration). Its client
// below registers itself in init, as a platform's own package would; the command line, the status
// and the checks then serve it without an edit anywhere else, which the script testdata/script/
// acme.txtar proves through the real command line.
func init() {
	platforms.Register(platforms.Spec{Kind: "acme", Name: "Acme CD",
		Open: openAcme,
		Settings: []platforms.Setting{{Flag: "url", Usage: "Acme CD's URL (e.g. https://acme.example.com)",
			Ref: func(in *platforms.Instance) *string { return &in.URL }, Required: true, URL: true, Meta: "URL"}},
		Secret: &platforms.Secret{Noun: "Acme CD API token", Usage: "read the Acme CD API token from standard input"},
		SetDoc: platforms.Doc{Use: "set [INSTANCE] --url URL --token-stdin [--no-check]",
			Short: "Store an Acme CD instance (its API token is encrypted like the Git tokens)",
			Long:  "Store an Acme CD instance that `gitopscfg push acme` sends credentials to.",
			Group: "Store or remove the Acme CD instances credentials are pushed to"},
		Where:     func(in platforms.Instance) string { return in.URL },
		PushDoc:   "Send a credential to a stored Acme CD instance, which keeps one per credential name.",
		PushExits: [2]string{"Acme CD saved it", "Acme CD refused it"},
	})
}

// acme is the client of one Acme CD instance.
type acme struct {
	in   platforms.Instance
	http *http.Client
}

func openAcme(env *providers.Env, in platforms.Instance) (platforms.Platform, error) {
	if err := providers.RequireSafeURL(in.URL); err != nil {
		return nil, fmt.Errorf("the Acme CD URL: %w", err)
	}
	if in.Token == "" {
		return nil, errors.New("no Acme CD API token is stored: run `gitopscfg acme set --url URL --token-stdin`")
	}
	hc, err := env.Clients.ForTransport(providers.Transport{Net: in.Net})
	if err != nil {
		return nil, err
	}
	return &acme{in: in, http: hc}, nil
}

// do sends one request with the instance's token and decodes a JSON answer into out.
func (a *acme) do(ctx context.Context, method, path string, body, out any) error {
	var rd *strings.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	} else {
		rd = strings.NewReader("")
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(a.in.URL, "/")+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+a.in.Token)
	resp, err := a.http.Do(req)
	if err != nil {
		return errors.New(a.in.Redact(err.Error()))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("Acme CD answered %s", resp.Status)
	}
	if out == nil {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

func (a *acme) Check(ctx context.Context) providers.Result {
	start := time.Now()
	r := providers.Result{Host: a.in.URL}
	var who struct{ User string }
	if err := a.do(ctx, http.MethodGet, "/api/whoami", nil, &who); err != nil {
		r.Add("token", providers.Fail, err.Error())
	} else {
		r.OK, r.User = true, who.User
		r.Add("token", providers.Pass, "the API token is "+who.User+"'s")
	}
	r.DurationMS = time.Since(start).Milliseconds()
	return r
}

// held is what Acme CD keeps of one credential: never the token itself, its digest.
type held struct {
	Provider    string `json:"provider"`
	Username    string `json:"username"`
	TokenSHA256 string `json:"token_sha256"`
}

func heldOf(c providers.Credentials) held {
	sum := sha256.Sum256([]byte(c.Token))
	return held{Provider: string(c.Provider), Username: c.Username, TokenSHA256: hex.EncodeToString(sum[:])}
}

func (a *acme) Compare(ctx context.Context, stored []providers.Credentials) (platforms.Drift, error) {
	var there map[string]held
	if err := a.do(ctx, http.MethodGet, "/api/credentials", nil, &there); err != nil {
		return platforms.Drift{}, err
	}
	out := platforms.Drift{Credentials: map[string]platforms.ProviderDrift{}}
	for _, c := range stored {
		d := platforms.ProviderDrift{Provider: c.Provider, State: platforms.InSync}
		h, ok := there[c.CredentialName()]
		switch want := heldOf(c); {
		case !ok:
			d.State = platforms.Absent
		case h != want:
			d.State = platforms.Differs
			if h.Username != want.Username {
				d.Fields = append(d.Fields, "username")
			}
			if h.TokenSHA256 != want.TokenSHA256 {
				d.Fields = append(d.Fields, "token")
			}
		}
		out.Credentials[c.CredentialName()] = d
	}
	return out, nil
}

func (a *acme) Deliver(ctx context.Context, c providers.Credentials, _ platforms.PushOptions) (platforms.PushResult, error) {
	start := time.Now()
	r := platforms.PushResult{Provider: c.Provider, Target: a.in.URL, Method: http.MethodPut, Requests: 1}
	if err := a.do(ctx, http.MethodPut, "/api/credentials/"+c.CredentialName(), heldOf(c), nil); err != nil {
		r.Outcome, r.Message = platforms.Refused, err.Error()
		return r, nil
	}
	r.Outcome, r.Message = platforms.Saved, "Acme CD saved "+c.CredentialName()
	r.DurationMS = time.Since(start).Milliseconds()
	return r, nil
}

// acmeServer is an Acme CD answering on loopback to one API token; Requests lists the method and
// path of every request it served.
type acmeServer struct {
	*httptest.Server
	token    string
	mu       sync.Mutex
	held     map[string]held
	requests []string
}

func startAcme(token string) *acmeServer {
	s := &acmeServer{token: token, held: map[string]held{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

func (s *acmeServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r.Method+" "+r.URL.Path)
	w.Header().Set("Content-Type", "application/json")
	if r.Header.Get("Authorization") != "Bearer "+s.token {
		http.Error(w, `{"message":"bad token"}`, http.StatusUnauthorized)
		return
	}
	switch name, isCred := strings.CutPrefix(r.URL.Path, "/api/credentials/"); {
	case r.Method == http.MethodGet && r.URL.Path == "/api/whoami":
		_, _ = w.Write([]byte(`{"user":"acme-admin"}`))
	case r.Method == http.MethodGet && r.URL.Path == "/api/credentials":
		_ = json.NewEncoder(w).Encode(s.held)
	case r.Method == http.MethodPut && isCred && name != "":
		var h held
		if err := json.NewDecoder(r.Body).Decode(&h); err != nil {
			http.Error(w, `{"message":"bad body"}`, http.StatusBadRequest)
			return
		}
		s.held[name] = h
		_, _ = w.Write([]byte(`{}`))
	default:
		http.NotFound(w, r)
	}
}

// Requests is every request served, in order.
func (s *acmeServer) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}
