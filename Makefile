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
SCENARIOS ?= testbed modules default kubelet package fleet migrate diagnose reset

.PHONY: help venv collection bed lint unit sanity galaxy molecule test demo demo-clean clean
.PHONY: docs docs-check changelog-lint galaxy-e2e bench

help:
	@echo "make demo   one node converged with playbooks/site.yml, from scratch"
	@echo "make test   lint, unit tests, sanity and every Molecule scenario"
	@echo "make docs   regenerate docs/reference; make bench  timings to bench/results"

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

lint: venv collection
	yamllint -s .
	ansible-lint

unit: venv collection
	pytest -q tests/unit

sanity: venv
	bash tests/run-sanity.sh

# The tarball Galaxy users get installs into an empty collections path.
galaxy: venv
	rm -rf build/galaxy && mkdir -p build/galaxy/collections
	ansible-galaxy collection build --force --output-path build/galaxy .
	export ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/build/galaxy/collections; \
	ansible-galaxy collection install --offline build/galaxy/nodeops-crio-*.tar.gz; \
	ansible-galaxy collection list nodeops.crio | grep -E "^nodeops\.crio +$$(sed -n 's/^version: *//p' galaxy.yml)\b"

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

# Timings of nodeops.crio.site, written to bench/results/; not part of test.
bench: venv collection bed
	python bench/run.py

molecule: venv collection bed
	for s in $(SCENARIOS); do molecule test -s $$s; done

test: lint unit sanity docs-check changelog-lint galaxy galaxy-e2e molecule

# One bed node, converged the air-gapped way as galaxy-e2e and bench do.
DEMO_NODES := -i localhost, molecule/resources/nodes.yml -e bed_network=nodeops-demo
DEMO_SITE := -i molecule/resources/demo-inventory.yml -e @molecule/resources/vars/airgap-node.yml
demo: venv collection bed
	ansible-playbook $(DEMO_NODES) -e nodes_state=present
	ansible-playbook $(DEMO_SITE) playbooks/site.yml
	ansible-playbook $(DEMO_SITE) molecule/resources/demo.yml

demo-clean: venv collection
	ansible-playbook $(DEMO_NODES) -e nodes_state=absent

clean: demo-clean
	rm -rf build tests/output
