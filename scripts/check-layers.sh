#!/usr/bin/env bash
# check-layers.sh: the folders of src/server depend on each other one way only.
#
#   http/     the engine adapter (the only place that includes the engine's headers, h2o.h and
#             h2o/, or the TLS library's, openssl/)
#   gate/     the request pipeline
#   handlers/ console/   the REST API's and the web console's handlers (console may use the
#                        REST handlers, never the other way)
#   request/  the engine-neutral request, reply, body decoding and router
#   service/  credentials, accounts, limiters, access log
#   auth/     Basic parsing, the server key and keyed hash
#   store/    storage backends
# The files directly in src/server (main, commands, config, app, admin, serve) assemble the
# rest and may include anything; app.h and config.h are the shared context every layer reads.
# Exits 1 and names every include that points the wrong way. Run by `make test` (CTest).
set -euo pipefail
cd "$(dirname "$0")/../src/server"

# folder -> the folders (and top-level headers) its files may include
declare -A allowed=(
    [http]="http gate request common app.h config.h"
    [gate]="gate handlers console request service auth store common app.h config.h"
    [console]="console handlers request service auth store common app.h config.h"
    [handlers]="handlers request service auth store common app.h config.h"
    [request]="request store common"
    [service]="service auth store common app.h config.h"
    [auth]="auth store common"
    [store]="store common"
)

bad=0
for dir in "${!allowed[@]}"; do
    while IFS=: read -r file line inc; do
        target=${inc#*\"}
        target=${target%%\"*}
        top=${target%%/*}
        ok=0
        for a in ${allowed[$dir]}; do
            [[ $top == "$a" ]] && ok=1
        done
        if ((!ok)); then
            echo "check-layers: $file:$line includes \"$target\": $dir/ may not depend on it" >&2
            bad=1
        fi
    done < <(grep -Hn '^#include "' "$dir"/*.[ch] || true)
done

# The engine's and the TLS library's headers stay inside the adapter.
while IFS= read -r hit; do
    echo "check-layers: $hit: only http/ may include the engine or TLS library" >&2
    bad=1
done < <(grep -rn --include='*.[ch]' -E '#include <(h2o|openssl/|picohttpparser|microhttpd|gnutls/)' . |
    grep -v '^\./http/' || true)

if ((bad)); then
    exit 1
fi
echo "check-layers: every include of src/server points down the layers"
