#!/usr/bin/env bash
# test-deps.sh installs what `make test` needs on a Debian machine and says
# nothing when everything is there already; run it as often as you like.
# As root it installs with apt-get; as anyone else it lists what is missing
# and the command that installs it, and exits 1.
#
# To need something more, add one line at the bottom:
#   need_apt NAME CHECK PACKAGE...   a Debian package; CHECK succeeds once it is there
#   need_go NAME MODULE@VERSION      a Go program, installed with go install
# e.g. chromium for the end-to-end tests is `need_apt chromium "have chromium" chromium`.
set -euo pipefail

missing_apt=()   # Debian packages to install
missing_go=()    # module@version to go install
missing_names=() # what they are, for the message

# have reports whether a program is on PATH.
have() { command -v "$1" >/dev/null 2>&1; }

# have_initdb reports whether PostgreSQL's server programs are here: Debian
# keeps them off PATH, under /usr/lib/postgresql/VERSION/bin, where
# internal/testenv looks too.
have_initdb() {
	have initdb && return 0
	local f
	for f in /usr/lib/postgresql/*/bin/initdb; do
		[[ -x $f ]] && return 0
	done
	return 1
}

# need_apt NAME CHECK PACKAGE...: when CHECK (a command line) fails, the
# packages are to be installed.
need_apt() {
	local name=$1 check=$2
	shift 2
	if ! eval "$check"; then
		missing_names+=("$name")
		missing_apt+=("$@")
	fi
}

# need_go NAME MODULE@VERSION: when the program NAME is not on PATH (nor in
# GOBIN or GOPATH/bin), the module is to be installed with go install.
need_go() {
	local name=$1 module=$2 gobin
	have "$name" && return 0
	if have go; then
		gobin=$(go env GOBIN)
		[[ -n $gobin ]] || gobin="$(go env GOPATH)/bin"
		[[ -x $gobin/$name ]] && return 0
	fi
	missing_names+=("$name")
	missing_go+=("$module")
}

# install installs what the checks found missing, or explains how to.
install() {
	((${#missing_names[@]} > 0)) || return 0
	if ((EUID != 0)); then
		echo "test-deps: missing: ${missing_names[*]}" >&2
		if ((${#missing_apt[@]} > 0)); then
			echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing_apt[*]}" >&2
		fi
		local m
		for m in "${missing_go[@]}"; do
			echo "  go install $m" >&2
		done
		exit 1
	fi
	if ((${#missing_apt[@]} > 0)); then
		echo "test-deps: installing ${missing_apt[*]}" >&2
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq
		apt-get install -y -qq --no-install-recommends "${missing_apt[@]}" >/dev/null
	fi
	local m
	for m in "${missing_go[@]}"; do
		echo "test-deps: go install $m" >&2
		go install "$m"
	done
}

need_apt postgresql have_initdb postgresql
need_apt redis-server "have redis-server" redis-server
need_apt node "have node && have npm" nodejs npm
need_apt chromium "have chromium" chromium
need_apt openssl "have openssl" openssl
need_go stripe-mock github.com/stripe/stripe-mock@v0.203.0
need_go versitygw github.com/versity/versitygw/cmd/versitygw@v1.8.0

install
