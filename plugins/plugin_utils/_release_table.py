# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""The CRI-O streams the collection knows: written by `make releases` (hacking/releases.py).

Each row names where its facts came from. Correct a fact by hand only with
its source beside it; the next `make releases` rewrites the file from
upstream's published lists.
"""

from __future__ import annotations

import typing as t


class Stream(t.NamedTuple):
    """What the collection knows of one CRI-O stream (and the Kubernetes minor it is made for)."""

    release: str  # the newest patch release
    pause: str  # the pause tag kubeadm of that minor uses (PauseVersion in cmd/kubeadm/app/constants)
    release_from: str = ""  # where the release was read
    pause_from: str = ""  # where the pause tag was read


# The day the table was last checked against upstream.
CHECKED = "2026-12-07"
# The stream used when neither crio_version nor crio_kubernetes_version is set: the newest.
DEFAULT_STREAM = "1.37"
# The oldest stream upstream supports. CRI-O 1.34 reached its end of life with
# Kubernetes 1.34 on 2026-10-27 (https://github.com/cri-o/packaging/issues/335).
OLDEST_MINOR = 35
STREAMS = {
    "1.35": Stream(
        "1.35.9",
        "3.10.1",
        "https://github.com/cri-o/cri-o/pull/10370 (Bump version to 1.35.9, merged 2026-09-21)",
        "PauseVersion in cmd/kubeadm/app/constants/constants.go of k8s.io/kubernetes v1.35.4",
    ),
    "1.36": Stream(
        "1.36.6",
        "3.10.2",
        "https://github.com/cri-o/cri-o/pull/10371 (Bump version to 1.36.6, merged 2026-09-21)",
        "PauseVersion in cmd/kubeadm/app/constants/constants.go of k8s.io/kubernetes v1.36.3",
    ),
    "1.37": Stream(
        "1.37.4",
        "3.10.2",
        "https://pkgs.alpinelinux.org/package/v3.25/community/x86_64/cri-o (cri-o 1.37.4-r0, built 2026-12-01)",
        "PauseVersion in cmd/kubeadm/app/constants/constants.go of k8s.io/kubernetes v1.37.2",
    ),
}
