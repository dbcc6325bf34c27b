# Ichigen — the two set-up commands of the README are `make run` and `make test`.
# Both install what they need from Debian (as root), build, and go on.

BUILD      ?= build
JOBS       ?= $(shell nproc)
SHELL      := /bin/bash
WERROR     ?= $(if $(CI),ON,OFF)
DEMO_DIR   ?= demo
DEMO_ROWS  ?= 20000
ICHIGEN    := $(BUILD)/ichigen

# Debian packages: build tools, libraries, and what the tests drive
# (LibreOffice writes and reads back real XLSX files).
DEB_PACKAGES := build-essential cmake ninja-build pkg-config g++ \
  libsqlite3-dev sqlite3 libicu-dev libssl-dev nlohmann-json3-dev libcli11-dev \
  libzip-dev libexpat1-dev libxlsxwriter-dev libgtest-dev libgmock-dev time \
  libcpp-httplib-dev libsodium-dev libreoffice-calc-nogui \
  chromium fonts-ipafont-gothic postgresql-15 libpq-dev

.PHONY: all deps build run demo test bench clean

all: build

# Installs only what is missing, so a second run costs a second.
deps:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing: $$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@# Node.js and npm build the web UI; a machine may already have them from
	@# another source (whose nodejs conflicts with Debian's npm), so only the
	@# missing command is installed, from Debian.
	@if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm; \
	fi

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DICHIGEN_WERROR=$(WERROR)

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

# Demo data: a synthetic HER-SYS export (CP932, as Excel saves it) with some bad rows.
demo: build
	mkdir -p $(DEMO_DIR)
	$(ICHIGEN) synth --kind hersys --rows $(DEMO_ROWS) --seed 7 --bad-rate 0.01 \
	  --out $(DEMO_DIR)/hersys_demo.csv --truth $(DEMO_DIR)/hersys_demo_truth.csv
	rm -f $(DEMO_DIR)/ichigen.db*
	$(ICHIGEN) --db $(DEMO_DIR)/ichigen.db import $(DEMO_DIR)/hersys_demo.csv
	$(ICHIGEN) --db $(DEMO_DIR)/ichigen.db stats recompute

# Demo log-ins (for the demo store only; see README).
DEMO_USERS := admin:admin:demo-admin-pass: operator1:operator:demo-operator-pass: \
  yokohama:municipality:demo-yokohama-pass:141003 auditor1:auditor:demo-auditor-pass:
PORT ?= 8080

run: demo
	@for u in $(DEMO_USERS); do \
	  IFS=: read -r login role pass scope <<< "$$u"; \
	  printf '%s\n' "$$pass" | $(ICHIGEN) --db $(DEMO_DIR)/ichigen.db user add "$$login" --role "$$role" \
	    $${scope:+--scope $$scope} --password-stdin >/dev/null; \
	done
	$(ICHIGEN) --db $(DEMO_DIR)/ichigen.db batches
	@echo
	@echo "デモデータを取り込みました。ブラウザで http://localhost:$(PORT)/ を開いてください。"
	@echo "Open http://localhost:$(PORT)/ — log-ins: operator1 / demo-operator-pass, yokohama / demo-yokohama-pass,"
	@echo "admin / demo-admin-pass, auditor1 / demo-auditor-pass.  Ctrl+C stops the server."
	$(ICHIGEN) --db $(DEMO_DIR)/ichigen.db serve --host 127.0.0.1 --port $(PORT)

# The tests run against SQLite and against a throwaway PostgreSQL cluster
# (tests/pg/cluster.sh, a unix socket in a temporary directory), which is
# stopped however the tests end. ICHIGEN_REQUIRE_PG=1 makes a PostgreSQL test
# fail rather than skip if the server were missing.
test: build
	@pgdir=$$(mktemp -d /tmp/ichigen-pg.XXXXXX); \
	trap '$(CURDIR)/tests/pg/cluster.sh stop "$$pgdir"' EXIT; \
	conninfo=$$($(CURDIR)/tests/pg/cluster.sh start "$$pgdir") || exit 1; \
	echo "PostgreSQL for the tests: $$conninfo"; \
	cd $(BUILD) && ICHIGEN_TEST_PG="$$conninfo" ICHIGEN_REQUIRE_PG=1 \
	  ctest --output-on-failure -j $(JOBS) --timeout 900

bench: build
	bash bench/run.sh

clean:
	rm -rf $(BUILD) $(DEMO_DIR)
