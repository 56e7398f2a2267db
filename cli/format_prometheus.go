package cli

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"gitopscfg/platforms"
	"gitopscfg/providers"
)

// The prometheus format: the text exposition format, for node_exporter's textfile collector
// (`--output /var/lib/node_exporter/textfile/gitopscfg.prom`, written atomically). Names are
// stable: dashboards and alerts rely on them (README "Monitoring").

// promMetric is one metric family: its name, help and type, in the order they are written.
type promMetric struct{ name, help string }

var (
	promSuccess = promMetric{"gitopscfg_check_success",
		"1 when every check of the provider's stored credentials passed, 0 when one failed."}
	promDuration = promMetric{"gitopscfg_check_duration_seconds",
		"How long the check of the provider took, round trip included with --deep."}
	promTime = promMetric{"gitopscfg_check_timestamp_seconds",
		"When the check ran, as a Unix timestamp."}
	promExpiry = promMetric{"gitopscfg_token_expiry_timestamp_seconds",
		"When the provider's token expires, as a Unix timestamp; absent when the token has no expiry date or it is unknown."}
	promCertExpiry = promMetric{"gitopscfg_client_cert_expiry_timestamp_seconds",
		"When the credential's client certificate expires, as a Unix timestamp; absent when it has none."}
	promScope = promMetric{"gitopscfg_token_scope_granted",
		"1 when the token has the required scope or permission, 0 when it is missing; absent when it could not be confirmed."}
	promStage = promMetric{"gitopscfg_deep_stage_success",
		"With --deep: 1 when the round-trip stage passed, 0 when it failed or was skipped."}
	promStageDuration = promMetric{"gitopscfg_deep_stage_duration_seconds",
		"With --deep: how long the round-trip stage took."}
	promDevtronSuccess = promMetric{"gitopscfg_devtron_check_success",
		"With --devtron: 1 when the Devtron instance answers, its API token is valid and its user a super-admin, 0 when not."}
	promDevtronDuration = promMetric{"gitopscfg_devtron_check_duration_seconds",
		"With --devtron: how long the check of the Devtron instance took."}
	promDevtronCertExpiry = promMetric{"gitopscfg_devtron_client_cert_expiry_timestamp_seconds",
		"With --devtron: when the Devtron instance's own client certificate expires, as a Unix timestamp; absent when it has none."}
	promDevtronInSync = promMetric{"gitopscfg_devtron_in_sync",
		"With --devtron: 1 when Devtron holds the provider's stored configuration, 0 when its configuration differs; absent when Devtron holds none, cannot hold one, or it could not be compared."}
	promDevtronActiveMatches = promMetric{"gitopscfg_devtron_active_provider_matches",
		"With --devtron: 1 when Devtron's active provider is the one active here, 0 when it is another; absent when Devtron could not be compared."}
	promPlatformSuccess = promMetric{"gitopscfg_platform_check_success",
		"With --platforms: 1 when the platform instance (Argo CD, Flux) answers and may do what a push needs, 0 when not."}
	promPlatformDuration = promMetric{"gitopscfg_platform_check_duration_seconds",
		"With --platforms: how long the check of the platform instance took."}
	promPlatformInSync = promMetric{"gitopscfg_platform_in_sync",
		"With --platforms: 1 when the platform instance holds the credential as stored, 0 when it differs; absent when it holds none or it could not be compared."}
	promPlatformOrphaned = promMetric{"gitopscfg_platform_orphaned",
		"With --platforms: how many credentials the platform instance holds from gitopscfg that are no longer stored (push --prune deletes them)."}
)

func init() {
	registerCheckFormat(checkFormat{
		Name:    "prometheus",
		Summary: "Prometheus text format, for node_exporter's textfile collector (use --output FILE.prom)",
		Write:   writePrometheus,
	})
}

// promSample is one line: labels in order, then the value.
type promSample struct {
	labels [][2]string
	value  float64
}

// promFamilies are the samples of each metric family, in the order they were added.
type promFamilies map[promMetric][]promSample

func (f promFamilies) add(m promMetric, v float64, labels ...[2]string) {
	f[m] = append(f[m], promSample{labels, v})
}

func writePrometheus(w io.Writer, rep *checkReport) error {
	families := promFamilies{}
	order := []promMetric{promSuccess, promDuration, promTime, promExpiry, promCertExpiry, promScope}
	if rep.Deep {
		order = append(order, promStage, promStageDuration)
	}
	if len(rep.Devtron) > 0 {
		order = append(order, promDevtronSuccess, promDevtronDuration, promDevtronCertExpiry, promDevtronInSync, promDevtronActiveMatches)
	}
	for _, r := range rep.Results {
		families.addProvider(r, rep)
	}
	for _, dc := range rep.Devtron {
		families.addDevtron(dc)
	}
	if len(rep.Platforms) > 0 {
		order = append(order, promPlatformSuccess, promPlatformDuration, promPlatformInSync, promPlatformOrphaned)
	}
	for _, pc := range rep.Platforms {
		families.addPlatform(pc)
	}
	return families.write(w, order)
}

// addProvider adds a provider's samples: its outcome, duration, check time and expiry, its scopes,
// and with --deep its round-trip stages.
func (f promFamilies) addProvider(r providers.Result, rep *checkReport) {
	base := promLabels(r, rep.Orgs[r.CredentialName()])
	f.add(promSuccess, promBool(r.OK), base...)
	f.add(promDuration, float64(r.DurationMS)/1000, base...)
	f.add(promTime, float64(rep.At.Unix()), base...)
	if r.ExpiresAt != nil {
		f.add(promExpiry, float64(r.ExpiresAt.Unix()), base...)
	}
	if at := clientCertExpiry(r); at != nil {
		f.add(promCertExpiry, float64(at.Unix()), base...)
	}
	for _, sc := range providers.MustLookup(r.Provider).Scopes {
		c, ok := r.Find(providers.ScopeCheckID(sc.Name))
		// A warning on a required scope means it could not be confirmed (Azure DevOps and
		// Bitbucket cannot show write access without writing): no sample, rather than a 0
		// that would page someone. A missing advisory scope is a warning too, but known.
		known := ok && (c.Status == providers.Pass || c.Status == providers.Fail || (c.Status == providers.Warn && sc.Advisory))
		if !known {
			continue
		}
		f.add(promScope, promBool(c.Status == providers.Pass), append(base, [2]string{"scope", sc.Name})...)
	}
	if !rep.Deep {
		return
	}
	for _, id := range providers.AllDeepStages {
		c, ok := r.Find(id)
		if !ok {
			continue
		}
		stage := [2]string{"stage", strings.TrimPrefix(id, "deep:")}
		f.add(promStage, promBool(c.Status == providers.Pass), append(base, stage)...)
		if c.DurationMS != nil {
			f.add(promStageDuration, float64(*c.DurationMS)/1000, append(base, stage)...)
		}
	}
}

// addDevtron adds the Devtron instance's samples (--devtron): its check and, once compared, whether
// it holds the stored configurations and the same active provider.
func (f promFamilies) addDevtron(dc *devtronCheck) {
	url := [2]string{"url", dc.Result.Host}
	f.add(promDevtronSuccess, promBool(dc.Result.OK), url)
	f.add(promDevtronDuration, float64(dc.Result.DurationMS)/1000, url)
	if at := clientCertExpiry(dc.Result); at != nil {
		f.add(promDevtronCertExpiry, float64(at.Unix()), url)
	}
	if dc.Drift == nil || dc.Drift.Error != nil {
		return
	}
	f.add(promDevtronActiveMatches, promBool(!dc.Drift.ActiveDiffers), url)
	for _, name := range slices.Sorted(maps.Keys(dc.Drift.Providers)) {
		labels := [][2]string{{"provider", cmp.Or(dc.Drift.providerOf[name], name)}, {"credential", name}, url}
		// Only a configuration Devtron holds and that was compared is in sync or not.
		switch platforms.DriftState(dc.Drift.Providers[name]) {
		case platforms.InSync:
			f.add(promDevtronInSync, 1, labels...)
		case platforms.Differs:
			f.add(promDevtronInSync, 0, labels...)
		}
	}
}

// addPlatform adds an instance's samples (--platforms): its check and, once compared, whether it
// holds each stored credential and how many it holds for credentials no longer stored.
func (f promFamilies) addPlatform(pc *devtronCheck) {
	base := [][2]string{{"kind", string(pc.Kind)}, {"instance", pc.Name}}
	f.add(promPlatformSuccess, promBool(pc.Result.OK), base...)
	f.add(promPlatformDuration, float64(pc.Result.DurationMS)/1000, base...)
	if pc.Drift == nil || pc.Drift.Error != nil {
		return
	}
	f.add(promPlatformOrphaned, float64(len(pc.Drift.orphaned)), base...)
	for _, name := range slices.Sorted(maps.Keys(pc.Drift.Providers)) {
		labels := append(slices.Clip(base), [2]string{"provider", cmp.Or(pc.Drift.providerOf[name], name)}, [2]string{"credential", name})
		switch platforms.DriftState(pc.Drift.Providers[name]) {
		case platforms.InSync:
			f.add(promPlatformInSync, 1, labels...)
		case platforms.Differs:
			f.add(promPlatformInSync, 0, labels...)
		}
	}
}

// write writes the families in order, each with its HELP and TYPE; a family without a sample is
// left out.
func (f promFamilies) write(w io.Writer, order []promMetric) error {
	bw := bufio.NewWriter(w)
	for _, m := range order {
		if len(f[m]) == 0 {
			continue
		}
		fmt.Fprintf(bw, "# HELP %s %s\n# TYPE %s gauge\n", m.name, promEscapeHelp(m.help), m.name)
		for _, s := range f[m] {
			bw.WriteString(m.name)
			bw.WriteByte('{')
			for i, l := range s.labels {
				if i > 0 {
					bw.WriteByte(',')
				}
				fmt.Fprintf(bw, "%s=\"%s\"", l[0], promEscapeLabel(l[1]))
			}
			bw.WriteString("} ")
			bw.WriteString(promNumber(s.value))
			bw.WriteByte('\n')
		}
	}
	return bw.Flush()
}

// promLabels are the labels every metric of a provider carries: provider, host, org.
func promLabels(r providers.Result, org string) [][2]string {
	return [][2]string{{"provider", string(r.Provider)}, {"credential", r.CredentialName()}, {"host", r.Host}, {"org", org}}
}

// promNumber writes whole numbers (timestamps) in full, others in the shortest exact form.
func promNumber(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

func promBool(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// promEscapeLabel escapes a label value as the text format requires: backslash, quote, newline.
func promEscapeLabel(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

// promEscapeHelp escapes a HELP text: backslash and newline.
func promEscapeHelp(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`).Replace(s)
}
