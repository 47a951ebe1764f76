# nodeops.crio: the two commands of the README and the steps they are made of.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VENV := $(CURDIR)/.venv
export NODEOPS_CACHE ?= $(HOME)/.cache/nodeops-crio
export PATH := $(VENV)/bin:$(PATH)
# Scenarios live in molecule/ as the design says; the collection is used from
# this checkout through build/collections, so nothing stale is installed.
export MOLECULE_GLOB := molecule/*/molecule.yml
export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/build/collections
export ANSIBLE_FORCE_COLOR ?= false
# Longest first: `make molecule` runs LANES scenarios at a time (tests/molecule.sh)
# and a free lane takes the next one named.
SCENARIOS ?= cluster kubelet package fleet default reset migrate conformance diagnose testbed modules
LANES ?= 2
# The cores besides the pinned one that `make cores` tests (tests/cores/CORE.txt),
# and which of its tests: unit, sanity or all.
CORES ?= 2.17 2.21
CORE_TESTS ?= all

.PHONY: help venv collection bed lint unit sanity galaxy molecule test demo demo-clean clean
.PHONY: docs docs-check changelog-lint galaxy-e2e bench cores releases

help:
	@echo "make demo   a two-node Kubernetes cluster on CRI-O nodes made by playbooks/site.yml"
	@echo "make test   lint, unit tests, sanity (also on the cores of make cores) and every Molecule scenario"
	@echo "make docs   regenerate docs/reference; make bench  timings to bench/results"
	@echo "make releases  refresh the CRI-O release table from upstream (needs network)"

$(VENV)/.installed: requirements.txt constraints.txt
	@command -v python3 >/dev/null || { apt-get update -qq && apt-get install -y -qq python3; }
	@python3 -m venv --help >/dev/null 2>&1 && python3 -c 'import ensurepip' 2>/dev/null || \
		{ apt-get update -qq && apt-get install -y -qq python3-venv; }
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q -r requirements.txt -c constraints.txt
	touch $@

venv: $(VENV)/.installed

collection:
	@mkdir -p build/collections/ansible_collections/nodeops
	@ln -sfn $(CURDIR) build/collections/ansible_collections/nodeops/crio

bed:
	molecule/resources/bed.sh all

# Every shell script of the checkout; CI starts from a bare machine, so shellcheck comes from apt when missing.
SHELL_SCRIPTS := molecule/resources/*.sh molecule/resources/mirror/serve molecule/resources/runc-oom-clamp \
	molecule/cluster/files/bed-poll.sh tests/*.sh tests/galaxy/e2e.sh .ci/run roles/crio/files/install-files.sh

lint: venv collection
	yamllint -s .
	ansible-lint
	ruff check
	ruff format --check
	mypy
	@command -v shellcheck >/dev/null || { apt-get update -qq && apt-get install -y -qq shellcheck; }
	shellcheck $(SHELL_SCRIPTS)

unit: venv collection
	pytest -q tests/unit

sanity: venv
	bash tests/run-sanity.sh

# The unit tests and sanity on the oldest and newest supported cores: 2.17 in
# a venv on the host's Python, 2.21 on Debian 13's Python 3.13 in a container.
cores: venv collection
	for c in $(CORES); do bash tests/cores.sh $$c $(CORE_TESTS); done

# The tarball Galaxy users get installs into an empty collections path and
# carries the changelog of its version.
galaxy: venv
	rm -rf build/galaxy && mkdir -p build/galaxy/collections
	ansible-galaxy collection build --force --output-path build/galaxy .
	export ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/build/galaxy/collections; \
	ansible-galaxy collection install --offline build/galaxy/nodeops-crio-*.tar.gz; \
	version=$$(sed -n 's/^version: *//p' galaxy.yml); \
	ansible-galaxy collection list nodeops.crio | grep -E "^nodeops\.crio +$$version\b"; \
	grep -qx "v$$version" build/galaxy/collections/ansible_collections/nodeops/crio/CHANGELOG.rst || \
		{ echo "make galaxy: the tarball's CHANGELOG.rst has no section v$$version (docs/releases.md)" >&2; exit 1; }

# The tarball's playbook converges a bed node from outside the checkout.
galaxy-e2e: galaxy bed
	bash tests/galaxy/e2e.sh

# docs/reference/ is generated from argument_specs and module docs.
docs: venv collection
	python docs/generate.py

docs-check: venv collection
	python docs/generate.py --check

changelog-lint: venv
	antsibull-changelog lint

# plugins/plugin_utils/_release_table.py from upstream's published lists; prints
# what changed (ARGS=--check only prints; see hacking/releases.py).
releases: venv
	python hacking/releases.py $(ARGS)

# Timings of nodeops.crio.site, written to bench/results/; not part of test.
bench: venv collection bed
	python bench/run.py

molecule: venv collection bed
	bash tests/molecule.sh $(LANES) $(SCENARIOS)

test: lint unit sanity cores docs-check changelog-lint galaxy galaxy-e2e molecule

# A two-node cluster (control plane and worker) on bed nodes made CRI-O
# nodes by site.yml, formed with kubeadm; the bed builds only what it needs.
DEMO_NODES := -i localhost, molecule/resources/nodes.yml -e bed_network=nodeops-demo -e nodes_count=2
DEMO_CLUSTER := -i molecule/resources/cluster/demo-inventory.yml -e bed_network=nodeops-demo
demo: venv collection
	molecule/resources/bed.sh demo
	ansible-playbook $(DEMO_NODES) -e nodes_state=present
	ansible-playbook $(DEMO_CLUSTER) molecule/resources/cluster/prepare.yml
	ansible-playbook $(DEMO_CLUSTER) playbooks/site.yml
	ansible-playbook $(DEMO_CLUSTER) molecule/resources/cluster/form.yml
	ansible-playbook $(DEMO_CLUSTER) molecule/resources/cluster/demo.yml

# kubelet's cgroups live in the machine's tree: removed before the nodes.
demo-clean: venv collection
	if docker inspect nodeops-demo-node1 >/dev/null 2>&1; then \
		ansible-playbook $(DEMO_CLUSTER) molecule/kubelet/cleanup.yml; fi
	ansible-playbook $(DEMO_NODES) -e nodes_state=absent

clean: demo-clean
	rm -rf build tests/output
