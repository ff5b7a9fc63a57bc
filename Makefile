# publisher: `make` sets up what is missing and builds every edition of the sample;
# `make test` checks it. Run as root on Debian to install system packages too.

VENV    := .venv
PYTHON  := $(VENV)/bin/python
SOURCE  ?= source
OUT     ?= build
JOBS    ?= 2
# VARIANT=zh-Hant-TW: only that variant (default: every variant the edition publishes);
# ARTICLE=slug (or "a b"): only those articles' own outputs.
VARIANT ?=
ARTICLE ?=
PORT    ?= 8000
PUBLISH := $(VENV)/bin/publisher
VARIANT_OPTION := $(if $(VARIANT),--variant $(VARIANT))
ARTICLE_OPTION := $(foreach article,$(ARTICLE),--article $(article))
# fonts-noto-cjk: the CJK faces (SC, TC, HK); fonts-arphic-ukai: the Kai face of
# bylines (CN, TW, HK forms); fonts-hanazono: fallback for the rare characters
# (CJK Extension B and beyond) Noto CJK lacks; fonts-noto-color-emoji: emoji;
# libpango-1.0-0, libpangoft2-1.0-0: WeasyPrint's text layout; libharfbuzz-subset0: WeasyPrint
# subsets CJK fonts over ten times faster with it; poppler-utils: pdffonts and
# pdftotext for the tests; chromium: the browser the preview's tests drive (Playwright
# cannot download its own browser build here).
DEBIAN_PACKAGES := fonts-noto-cjk fonts-arphic-ukai fonts-hanazono fonts-noto-color-emoji \
                   libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils chromium
PYTHON_STAMP := $(VENV)/.installed
# npm's packages (package.json, pinned by package-lock.json): Vivliostyle CLI, which lays
# out the vertical PDF (pdf: {vertical: ...}); Ace by DAISY, for
# `publisher verify` and the tests. No browser is downloaded: Ace runs on Debian's chromium.
NODE_STAMP := node_modules/.installed

.PHONY: all setup system pdf epub docx html proof test lint check review pages clean docx-pdf-check lock sample-digests docs-pictures docs-tables \
        verify site-pictures \
        docx-pages vertical-pages vertical-pdf-pages bench preview watch install-user preview-picture

all: setup
	$(PUBLISH) build --source $(SOURCE) --out $(OUT) --jobs $(JOBS) $(VARIANT_OPTION) $(ARTICLE_OPTION)

pdf epub docx html: setup
	$(PUBLISH) build $@ --source $(SOURCE) --out $(OUT) --jobs $(JOBS) $(VARIANT_OPTION) $(ARTICLE_OPTION)

# The edition in the browser, refreshed on every save (Ctrl-C stops).
preview: setup
	$(PUBLISH) preview --source $(SOURCE) --out $(OUT) --port $(PORT) $(VARIANT_OPTION)

# Rebuild on every save (FORMATS="pdf epub" for some formats only; Ctrl-C stops).
# The proof loop: make watch FORMATS=pdf VARIANT=zh-Hans ARTICLE=02-jiaokou
watch: setup
	$(PUBLISH) watch $(FORMATS) --source $(SOURCE) --out $(OUT) --jobs $(JOBS) $(VARIANT_OPTION) \
	  $(ARTICLE_OPTION)

# The guide's picture of the preview (zh-Hant-TW), taken in chromium.
preview-picture: setup
	$(PYTHON) docs/preview_picture.py

# `publisher` for this user, anywhere: a link in ~/.local/bin to the .venv's command.
install-user: setup
	mkdir -p $(HOME)/.local/bin
	ln -sf $(abspath $(VENV))/bin/publisher $(HOME)/.local/bin/publisher
	@case ":$$PATH:" in *":$(HOME)/.local/bin:"*) ;; \
	  *) echo "add ~/.local/bin to PATH, e.g. in ~/.profile:  export PATH=\"\$$HOME/.local/bin:\$$PATH\"";; \
	esac
	@echo "installed: $(HOME)/.local/bin/publisher"

# Proof one article: its own PDF and DOCX in every variant, not the edition.
#   make proof ARTICLE=02-jiaokou
proof: setup
	@test -n "$(ARTICLE)" || { echo "usage: make proof ARTICLE=<slug> (the article file's name)"; exit 2; }
	$(PUBLISH) build pdf docx $(ARTICLE_OPTION) --source $(SOURCE) --out $(OUT) --jobs $(JOBS) \
	  $(VARIANT_OPTION)

# Build times and memory (bench/units.py; several minutes, CPU-heavy).
bench: setup
	$(PYTHON) bench/units.py

check: setup
	$(PUBLISH) check --source $(SOURCE)

# Pictures for people: the cover, the contents and the first article page of
# each variant's PDF, as PNG in docs/pictures/ (shown in the README and the guide).
pages: pdf
	mkdir -p docs/pictures
	for pdf in $(OUT)/*/*.pdf; do \
	  variant=$$(basename $$(dirname $$pdf)); \
	  pdftoppm -png -r 60 -f 1 -l 3 $$pdf docs/pictures/$$variant || exit 1; \
	done

# The Traditional review list: where OpenCC's reading is likely wrong (README).
review: setup
	$(PUBLISH) review --source $(SOURCE)

test: setup
	$(PYTHON) -m ruff check publisher styles tests source bench
	$(PYTHON) -m pytest -n $(JOBS)

lint: setup
	$(PYTHON) -m ruff check publisher styles tests source bench
	$(PYTHON) -m ruff format --check publisher styles tests source bench

setup: system $(PYTHON_STAMP) $(NODE_STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# Check every output of the sample build: EPUBCheck and Ace, PDF fonts, glyphs, tags,
# language and identification, DOCX fonts and language (publisher verify).
verify: all
	$(PUBLISH) verify --out $(OUT)

# What Debian must provide: installed when running as root, else printed.
system:
	@missing=""; \
	for package in $(DEBIAN_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "install ok installed" \
	    || missing="$$missing $$package"; \
	done; \
	command -v java >/dev/null 2>&1 || missing="$$missing default-jre-headless"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing nodejs npm"; \
	command -v python3 >/dev/null 2>&1 || missing="$$missing python3"; \
	python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive \
	      apt-get install -y -q --no-install-recommends $$missing; \
	  else \
	    echo "missing Debian packages; run as root:  apt-get install$$missing"; exit 1; \
	  fi; \
	fi

# The pinned set first (requirements.lock), then publisher itself, editable, adding nothing.
$(PYTHON_STAMP): pyproject.toml requirements.lock setup.py
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install -q --upgrade pip
	$(PYTHON) -m pip install -q -r requirements.lock
	$(PYTHON) -m pip install -q --no-deps --no-build-isolation -e '.[test,review]'
	touch $@

# Resolve pyproject.toml's ranges afresh into requirements.lock (in a scratch venv).
lock:
	rm -rf .lock-venv && python3 -m venv .lock-venv
	.lock-venv/bin/python -m pip install -q --upgrade pip
	.lock-venv/bin/python -m pip install -q 'setuptools>=68' '.[test,review]'
	{ sed -n '1,3p' requirements.lock; .lock-venv/bin/python -m pip freeze --all \
	  --exclude-editable | grep -v -e '^pip==' -e '^publisher'; } > requirements.lock.new
	mv requirements.lock.new requirements.lock && rm -rf .lock-venv

clean:
	rm -rf $(OUT)

# Record the sample's output digests (tests/test_reproducible.py holds builds to them).
sample-digests: all
	$(PYTHON) tests/sample_digests.py $(OUT) > tests/fixtures/sample-digests.json

# Not part of `make test`: LibreOffice (installed here when run as root) opens
# every DOCX headless, as an editor's would (no settings of ours), and writes a
# PDF; pdffonts/pdftotext/pdfplumber then confirm the Chinese text came through
# in embedded CJK fonts (no Type 3, no character missing from the fonts used),
# the body in a serif face and the region's glyph forms (SC, TC, HK), and the
# contents' page numbers right. See bench/docx_pdf_check.py.
DOCX_CHECK_PACKAGES := libreoffice-writer-nogui
docx-pdf-check: setup
	@command -v soffice >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive \
	      apt-get install -y -q --no-install-recommends $(DOCX_CHECK_PACKAGES); \
	  else \
	    echo "missing LibreOffice; run as root:  apt-get install $(DOCX_CHECK_PACKAGES)"; exit 1; \
	  fi; }
	$(PUBLISH) build docx --source $(SOURCE) --out $(OUT) --jobs $(JOBS)
	$(PYTHON) bench/docx_pdf_check.py $(OUT) $(DOCX_CHECK_ARGS)

# The same, writing the guide's pictures of the zh-Hans and zh-Hant-TW DOCX to docs/pictures/.
docx-pages: DOCX_CHECK_ARGS = --pages docs/pictures
docx-pages: docx-pdf-check

# Not part of `make test`: a picture of a vertical (直排) page of the zh-Hant-TW EPUB,
# shown by Debian's headless chromium (installed here when run as root), into docs/pictures/.
vertical-pages: setup
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive \
	      apt-get install -y -q --no-install-recommends chromium; \
	  else \
	    echo "missing chromium; run as root:  apt-get install chromium"; exit 1; \
	  fi; }
	$(PYTHON) docs/vertical_pages.py $(SOURCE) docs/pictures

# Every picture of the README and the guide, made anew from the current code (the
# DOCX pages install LibreOffice, the vertical page and the preview use chromium).
# Pages of the vertical print PDF (直排) of zh-Hant-TW and zh-Hant-HK, into docs/pictures/.
vertical-pdf-pages: setup
	$(PYTHON) docs/vertical_pdf_pages.py $(SOURCE) docs/pictures

docs-pictures: pages docx-pages vertical-pages vertical-pdf-pages preview-picture site-pictures

# The table of edition.yaml's keys in docs/editing.md, from the schema (docs/config_table.py).
docs-tables: setup
	$(PYTHON) docs/config_table.py

# The web edition's article page, wide and on a phone (docs/site_pictures.py).
site-pictures: html
	$(PYTHON) docs/site_pictures.py
