# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""Values every role and playbook of the collection shares, in one place
(read through the lookup nodeops.crio.constant)."""

CONSTANTS = {
    # Where commands on a node find crio, crictl and kubelet: the bundle puts
    # them in /usr/local/bin, packages in /usr/bin, and a become shell's PATH
    # may have neither.
    "node_path": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    # Downloads of the crio and crictl roles, and the bundle's install stamps.
    "cache_dir": "/var/cache/nodeops-crio",
    # The drop-in folder the kubelet role gives a kubelet that has none
    # (--config-dir); the kubelet role and kubelet_facts read it.
    "kubelet_config_dir": "/etc/kubernetes/kubelet.conf.d",
}
