#!/usr/bin/env bash
# A request to OCI signed by hand with openssl and sent with curl: no OCI SDK involved.
# usage: oci-curl.sh CONFIG_FILE PORT CA_BUNDLE METHOD HOST PATH
# The request goes to 127.0.0.1:PORT (curl --resolve) with HOST as its Host and TLS name.
set -euo pipefail
config=$1 port=$2 ca=$3 method=$4 host=$5 path=$6

value() { sed -n "0,/^\[DEFAULT\]/d; /^\[/q; s/^$1=//p" "$config"; }
tenancy=$(value tenancy) user=$(value user) fingerprint=$(value fingerprint) key=$(value key_file)

date=$(LC_ALL=C TZ=GMT date '+%a, %d %b %Y %H:%M:%S GMT')
target="$(echo "$method" | tr '[:upper:]' '[:lower:]') $path"
signing_string=$(printf 'date: %s\n(request-target): %s\nhost: %s' "$date" "$target" "$host")
signature=$(printf '%s' "$signing_string" | openssl dgst -sha256 -sign "$key" | openssl base64 -A)
authorization="Signature version=\"1\",keyId=\"$tenancy/$user/$fingerprint\",algorithm=\"rsa-sha256\",headers=\"date (request-target) host\",signature=\"$signature\""

exec curl --silent --show-error --cacert "$ca" --resolve "$host:$port:127.0.0.1" \
    -X "$method" -H "date: $date" -H "host: $host" -H "authorization: $authorization" \
    --write-out '\n%{http_code}\n' "https://$host:$port$path"
