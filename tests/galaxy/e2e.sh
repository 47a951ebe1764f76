#!/usr/bin/env bash
# `make galaxy-e2e`: the collection as Galaxy users get it. The tarball that
# `make galaxy` built and installed into build/galaxy/collections (an empty
# collections path) converges a bed node with `ansible-playbook
# nodeops.crio.site`, run from a directory outside the checkout; then a second
# run must change nothing and a playbook calling the collection's crio_facts
# must find CRI-O ready. The node, its mirror and network (nodeops-galaxy*) are removed after.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export ANSIBLE_COLLECTIONS_PATH=$root/build/galaxy/collections
export ANSIBLE_FORCE_COLOR=false
nodes=(-i "localhost," "$root/molecule/resources/nodes.yml" -e bed_network=nodeops-galaxy)
site=(-i "$root/tests/galaxy/inventory.yml" -e "@$root/molecule/resources/vars/airgap-node.yml")
work=$(mktemp -d "${TMPDIR:-/tmp}/nodeops-galaxy.XXXXXX")

cleanup() {
  ansible-playbook "${nodes[@]}" -e nodes_state=absent >/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

ansible-playbook "${nodes[@]}" -e nodes_state=present >/dev/null
cd "$work"

# The modules must resolve from the installed tarball, not from this checkout.
module=$(ansible-doc --json -t module nodeops.crio.crio_facts |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["nodeops.crio.crio_facts"]["doc"]["filename"])')
case $module in
  "$ANSIBLE_COLLECTIONS_PATH"/*) ;;
  *) echo "galaxy-e2e: nodeops.crio resolves to $module, not to the installed tarball" >&2; exit 1 ;;
esac

ansible-playbook "${site[@]}" nodeops.crio.site
ansible-playbook "${site[@]}" nodeops.crio.site | tee second.log
grep -Eq '^nodeops-galaxy-node1 +: ok=[0-9]+ +changed=0 +unreachable=0 +failed=0' second.log || {
  echo "galaxy-e2e: the second run of nodeops.crio.site changed something" >&2
  exit 1
}

ansible-playbook "${site[@]}" "$root/tests/galaxy/verify.yml"
