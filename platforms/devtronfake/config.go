package devtronfake

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

func (s *Server) rowByProviderLocked(p string) *Row {
	for _, r := range s.rows {
		if r.Provider == p { // SQL "provider = ?": exact, and rows are stored upper-case
			return r
		}
	}
	return nil
}

func (s *Server) rowByIDLocked(id int) *Row {
	for _, r := range s.rows {
		if r.ID == id {
			return r
		}
	}
	return nil
}

// read renders a row as GetGitOpsConfigById / ByProvider do: plaintext token, TLS data blanked,
// presence flags set.
func read(r *Row, withToken bool) Config {
	c := r.Config
	if !withToken {
		c.Token = ""
	}
	c.TLSConfig = &TLSConfig{}
	c.IsCADataPresent, c.IsTLSCertDataPresent, c.IsTLSKeyDataPresent = r.CaCert != "", r.TLSCert != "", r.TLSKey != ""
	return c
}

func (s *Server) list(w http.ResponseWriter, admin bool) {
	s.mu.Lock()
	rows := slices.Clone(s.rows)
	out := make([]Config, 0, len(rows))
	slices.SortStableFunc(rows, func(a, b *Row) int { return b.UpdatedOn.Compare(a.UpdatedOn) }) // updated_on desc
	for _, r := range rows {
		out = append(out, read(r, false))
	}
	s.mu.Unlock()
	if !admin {
		forbidden(w)
		return
	}
	ok(w, out)
}

func (s *Server) byID(w http.ResponseWriter, admin bool, raw string) {
	id, err := strconv.Atoi(raw)
	if err != nil {
		fail(w, http.StatusBadRequest, err.Error())
		return
	}
	s.one(w, admin, func() *Row { return s.rowByIDLocked(id) })
}

func (s *Server) byProvider(w http.ResponseWriter, admin bool, p string) {
	s.one(w, admin, func() *Row { return s.rowByProviderLocked(p) })
}

// one answers with the configuration find picks (called with s.mu held), token included: 404
// when there is none, then 403 to a non-admin, as Devtron checks them.
func (s *Server) one(w http.ResponseWriter, admin bool, find func() *Row) {
	s.mu.Lock()
	r := find()
	var c Config
	if r != nil {
		c = read(r, true)
	}
	s.mu.Unlock()
	if r == nil {
		notFound(w)
		return
	}
	if !admin {
		forbidden(w)
		return
	}
	ok(w, c)
}

func (s *Server) configured(w http.ResponseWriter) {
	s.mu.Lock()
	defer s.mu.Unlock()
	res := map[string]bool{"exists": false, "allowCustomRepository": false}
	for _, r := range s.rows {
		if r.Active {
			res["exists"], res["allowCustomRepository"] = true, r.AllowCustomRepository
			break
		}
	}
	ok(w, res)
}

// decode parses the body as the handler does, then the DTO validator's oneof rule.
func decode(w http.ResponseWriter, body []byte) (Config, bool) {
	var c Config
	if err := json.Unmarshal(body, &c); err != nil {
		fail(w, http.StatusBadRequest, err.Error())
		return c, false
	}
	return c, true
}

func validProvider(w http.ResponseWriter, c Config) bool {
	if slices.Contains(Providers, c.Provider) {
		return true
	}
	msg := "Key: 'GitOpsConfigDto.Provider' Error:Field validation for 'Provider' failed on the 'oneof' tag"
	writeJSON(w, http.StatusBadRequest, envelope{Errors: []apiError{{InternalMessage: msg, UserMessage: msg}}})
	return false
}

func (s *Server) create(w http.ResponseWriter, admin bool, body []byte) {
	if !admin {
		forbidden(w)
		return
	}
	c, good := decode(w, body)
	if !good || !validProvider(w, c) {
		return
	}
	s.mu.Lock()
	exists := s.rowByProviderLocked(c.Provider) != nil
	s.mu.Unlock()
	if exists {
		failAPI(w, http.StatusConflict, "", "gitops provider already exists")
		return
	}
	v := s.dryRun(&c)
	if len(v.StageErrorMap) > 0 {
		ok(w, v)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail500 > 0 {
		s.fail500--
		fail(w, http.StatusInternalServerError, "rpc error: code = Unavailable desc = connection error: desc = \"transport: Error while dialing: dial tcp 10.96.0.12:80: connect: connection refused\"")
		return
	}
	row := &Row{Config: c}
	row.Active = true // createGitOpsConfig always saves the new row active
	if c.EnableTLSVerification {
		if !applyTLS(w, row, c) {
			return
		}
	}
	row.Provider = strings.ToUpper(c.Provider)
	if s.rowByProviderLocked(row.Provider) != nil { // created meanwhile by another request
		failAPI(w, http.StatusConflict, "", "gitops provider already exists")
		return
	}
	for _, o := range s.rows {
		o.Active = false
	}
	row.ID = s.nextID
	s.nextID++
	row.TLSConfig = nil
	row.UpdatedOn = s.now()
	s.rows = append(s.rows, row)
	ok(w, v)
}

// applyTLS is the TLS part of createGitOpsConfig / updateGitOpsConfig: new data replaces, the
// is*Present flags are authoritative (false erases), and the result must be coherent (412).
func applyTLS(w http.ResponseWriter, row *Row, c Config) bool {
	if c.TLSConfig.CaData != "" {
		row.CaCert = c.TLSConfig.CaData
	}
	if c.TLSConfig.TLSCertData != "" && c.TLSConfig.TLSKeyData != "" {
		row.TLSCert, row.TLSKey = c.TLSConfig.TLSCertData, c.TLSConfig.TLSKeyData
	}
	if !c.IsCADataPresent {
		row.CaCert = ""
	}
	if !c.IsTLSCertDataPresent {
		row.TLSCert = ""
	}
	if !c.IsTLSKeyDataPresent {
		row.TLSKey = ""
	}
	if (row.TLSKey != "") != (row.TLSCert != "") || (row.CaCert == "" && row.TLSKey == "" && row.TLSCert == "") {
		failAPI(w, http.StatusPreconditionFailed, "", "failed to update gitOps config in db")
		return false
	}
	return true
}

// decodeConfig is the configuration an update or a validation sends, as Devtron's handlers read
// it: refused to a non-admin (403), its token the stored one of the body's provider when it
// carries none (404 when none is stored), then a body that does not decode is a 400. false: the
// answer is written.
func (s *Server) decodeConfig(w http.ResponseWriter, admin bool, body []byte) (Config, bool) {
	if !admin {
		forbidden(w)
		return Config{}, false
	}
	var c Config
	err := json.Unmarshal(body, &c)
	if c.Token == "" {
		// The handler takes the stored token of the body's provider, not of its id.
		s.mu.Lock()
		r := s.rowByProviderLocked(c.Provider)
		if r != nil {
			c.Token = r.Token
		}
		s.mu.Unlock()
		if r == nil {
			notFound(w)
			return Config{}, false
		}
	}
	if err != nil {
		fail(w, http.StatusBadRequest, err.Error())
		return Config{}, false
	}
	return c, true
}

func (s *Server) update(w http.ResponseWriter, admin bool, body []byte) {
	c, valid := s.decodeConfig(w, admin, body)
	if !valid {
		return
	}
	if !validProvider(w, c) {
		return
	}
	tlsEmpty := c.EnableTLSVerification && (c.TLSConfig == nil || c.TLSConfig.CaData == "" || c.TLSConfig.TLSCertData == "" || c.TLSConfig.TLSKeyData == "")
	if tlsEmpty {
		s.mu.Lock()
		r := s.rowByIDLocked(c.ID)
		var ca, cert, key string
		if r != nil {
			ca, cert, key = r.CaCert, r.TLSCert, r.TLSKey
		}
		s.mu.Unlock()
		if r == nil {
			failAPI(w, http.StatusInternalServerError, "", "gitops config update failed, does not exist")
			return
		}
		if c.TLSConfig != nil {
			ca, cert, key = or(c.TLSConfig.CaData, ca), or(c.TLSConfig.TLSCertData, cert), or(c.TLSConfig.TLSKeyData, key)
		}
		c.TLSConfig = &TLSConfig{CaData: ca, TLSCertData: cert, TLSKeyData: key}
	}
	v := s.dryRun(&c)
	if len(v.StageErrorMap) > 0 {
		ok(w, v)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	row := s.rowByIDLocked(c.ID)
	if row == nil {
		// Validation ran (a real repository was created and deleted) before the id was looked up.
		failAPI(w, http.StatusInternalServerError, "", "gitops config update failed, does not exist")
		return
	}
	var active *Row
	for _, o := range s.rows {
		if o.Active {
			active = o
			break
		}
	}
	if !c.Active && active == nil {
		fail(w, http.StatusInternalServerError, "no active config found, please ensure atleast on gitops config active")
		return
	}
	if s.fail500 > 0 {
		s.fail500--
		fail(w, http.StatusInternalServerError, "rpc error: code = Unavailable desc = connection error: desc = \"transport: Error while dialing: dial tcp 10.96.0.12:80: connect: connection refused\"")
		return
	}
	next := *row
	next.Provider = strings.ToUpper(c.Provider)
	next.Username, next.Token, next.GitLabGroupID, next.GitHubOrgID = c.Username, c.Token, c.GitLabGroupID, c.GitHubOrgID
	next.Host, next.Active, next.AzureProjectName = c.Host, c.Active, c.AzureProjectName
	next.BitBucketWorkspaceID, next.BitBucketProjectKey = c.BitBucketWorkspaceID, c.BitBucketProjectKey
	next.AllowCustomRepository, next.EnableTLSVerification = c.AllowCustomRepository, c.EnableTLSVerification
	if c.EnableTLSVerification {
		if !applyTLS(w, &next, c) {
			return
		}
	} else {
		next.CaCert, next.TLSCert, next.TLSKey = "", "", ""
	}
	if c.Active && active != nil && active.ID != row.ID {
		active.Active = false
	}
	next.UpdatedOn = s.now()
	*row = next
	ok(w, v)
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (s *Server) validateOnly(w http.ResponseWriter, admin bool, body []byte) {
	c, valid := s.decodeConfig(w, admin, body)
	if !valid {
		return
	}
	ok(w, s.dryRun(&c))
}

// dryRun is the service's and the validation service's GitOpsValidateDryRun.
func (s *Server) dryRun(c *Config) validation {
	tlsEmpty := c.EnableTLSVerification && (c.TLSConfig.CaData == "" && c.TLSConfig.TLSCertData == "" && c.TLSConfig.TLSKeyData == "") // nil tlsConfig: panic, as Devtron's
	if c.Token == "" || tlsEmpty {
		s.mu.Lock()
		r := s.rowByIDLocked(c.ID)
		s.mu.Unlock()
		if r == nil {
			// "No matching entry found": an empty answer, which the caller reads as a pass.
			return validation{}
		}
		if c.Token == "" {
			c.Token = r.Token
		}
	}
	if c.AllowCustomRepository || s.opts.ArgoCDMissing {
		return validation{ValidationSkipped: true}
	}
	if strings.ToUpper(c.Provider) == "BITBUCKET_CLOUD" {
		c.Host = "https://bitbucket.org/"
		c.BitBucketProjectKey = strings.ToUpper(c.BitBucketProjectKey)
	}
	s.mu.Lock()
	hold, holding := s.hold, s.holding
	if holding != nil {
		close(holding)
		s.holding = nil
	}
	stageErrs, delFails := s.stageErrors, s.deleteFails
	s.mu.Unlock()
	if hold != nil {
		<-hold // Devtron does not stop when its client goes away
	}
	v := validation{StageErrorMap: map[string]string{}, ValidatedOn: s.now().UTC()}
	if strings.ToUpper(c.Provider) == "GITLAB" {
		if _, err := strconv.Atoi(c.GitLabGroupID); err != nil {
			v.StageErrorMap["Create Repo"] = "gitlab client error: " + err.Error()
			return v
		}
	}
	if len(stageErrs) > 0 {
		for _, st := range Stages {
			if msg, bad := stageErrs[st]; bad {
				v.StageErrorMap[st] = msg
				break
			}
			v.SuccessfulStages = append(v.SuccessfulStages, st)
		}
		for k, msg := range stageErrs {
			if !slices.Contains(Stages, k) {
				v.StageErrorMap[k] = msg
			}
		}
		return v
	}
	v.SuccessfulStages = slices.Clone(Stages[:len(Stages)-1])
	if delFails {
		v.DeleteRepoFailed = true
	} else {
		v.SuccessfulStages = append(v.SuccessfulStages, "Delete Repo")
	}
	return v
}
