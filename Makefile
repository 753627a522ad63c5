# Wardnet Cloud. `make test` is what CI runs; `make bench` measures the
# performance targets recorded in docs/benchmarks.md.

GO        ?= go
PKGS      ?= ./...
TESTFLAGS ?=
BENCHTIME ?= 3x

.PHONY: test lint fmt vet staticcheck bench fuzz

test: lint
	$(GO) test -race -count=1 -timeout 20m $(TESTFLAGS) $(PKGS)

lint: fmt vet staticcheck

fmt:
	@out=$$(gofmt -l .); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

staticcheck:
	$(GO) tool staticcheck $(PKGS)

# Each benchmark measures its target and its baseline in the same run and
# prints a summary line `NAME value=X unit=U baseline=Y ratio=R`; the last
# lines of the output collect them.
bench:
	@$(GO) test -run '^$$' -bench . -benchtime $(BENCHTIME) -timeout 60m $(PKGS) | tee .bench.out
	@echo; echo "== summary"; grep -E '^[A-Za-z0-9_.-]+ value=[^ ]+ unit=[^ ]+ baseline=[^ ]+ ratio=[^ ]+$$' .bench.out

# Short runs of every fuzz target (make fuzz FUZZTIME=10m for longer).
FUZZTIME ?= 30s
fuzz:
	@for pkg in $$($(GO) list $(PKGS)); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done
