//go:build tools

// Package tools pins the commands .ci/kube.sh builds, so that go mod tidy keeps their requirements.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
)
