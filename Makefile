# gitopscfg: `make run` builds and starts the app, `make test` runs every check CI runs.
GO        ?= go
BIN       ?= bin/gitopscfg
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)
BENCHTIME ?= 1s
PREFIX    ?= /usr/local
MANDIR    ?= man

.PHONY: build run test test-gitea test-kube lint bench fmt clean man install-man

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) .

run: build
	./$(BIN) $(ARGS)

test: lint
	$(GO) test -race -count=1 ./...

# The real-server suite: a throw-away Gitea (built once into ~/.cache/gitopscfg by .ci/gitea.sh,
# several minutes on a fresh machine) against the Gitea scenarios, and the emulator's parity with it;
# and a throw-away OpenSSH server with git-shell (openssh-server) for Git over SSH.
test-gitea:
	.ci/gitea.sh bin >/dev/null
	GITOPSCFG_GITEA=1 $(GO) test -race -count=1 -run 'Gitea|OpenSSH' -v ./e2e/ ./providers/ ./cli/

# The cluster suite: a throw-away kube-apiserver and etcd (built once into ~/.cache/gitopscfg by
# .ci/kube.sh, about 10 minutes on a fresh machine) against the Argo CD and Flux deliveries. With
# GITOPSCFG_KUBE set, a missing server fails the tests instead of skipping them.
test-kube:
	.ci/kube.sh bin >/dev/null
	GITOPSCFG_KUBE=1 $(GO) test -race -count=1 -run 'Cluster|Kube|ServerUp' -v ./platforms/... ./cli/ ./ui/

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

# BenchmarkFirstFrame and BenchmarkCheckProcess time the binary `make build` makes.
bench: build
	GITOPSCFG_BENCH_BIN=$(abspath $(BIN)) $(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./...

fmt:
	gofmt -w .

# One man page per command, generated from the command tree into $(MANDIR) (not committed).
man:
	rm -rf $(MANDIR)
	$(GO) run ./cli/manpages/genman.go -version $(VERSION) $(MANDIR)

install-man: man
	install -d $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0644 $(MANDIR)/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/

clean:
	rm -rf bin $(MANDIR)
