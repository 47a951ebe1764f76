#!/usr/bin/env bash
# Every second, how many of the Deployment's replicas are Ready and not
# terminating (a replica being evicted no longer serves); "error" when the
# API server does not answer.
ready='{{range .items}}{{if not .metadata.deletionTimestamp}}{{range .status.conditions}}{{if and (eq .type "Ready") (eq .status "True")}}x{{end}}{{end}}{{end}}{{end}}'
while :; do
  if out=$(kubectl --kubeconfig /etc/kubernetes/admin.conf get pods --selector app=hello -o go-template="$ready"); then
    echo "${#out}"
  else
    echo error
  fi
  sleep 1
done >/run/bed-ready.log 2>/dev/null
