#!/usr/bin/env bash
# Builds the platform's image (deploy/Containerfile) without a Docker engine and without a registry, then checks
# it: the members API started from the image's own file system against a scratch database answers /ready, the
# Vietnamese font is where the PDFs look for it, and the process runs as the unprivileged user.
#
#   bash deploy/image/build.sh [tag]        (root; Debian's buildah and debootstrap are installed if missing)
#
# The base is a Debian root file system made by debootstrap from Debian's own mirror and imported as a scratch
# image once. Prints the build time and the image's size (docs/OPERATIONS.md records them).
set -euo pipefail
cd "$(dirname "$0")/../.."
tag="${1:-congdoan/platform:dev}"
base="localhost/congdoan/debian-base:bookworm"
storage=(--storage-driver vfs)
export BUILDAH_ISOLATION=chroot

if ! command -v buildah >/dev/null || ! command -v debootstrap >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq buildah debootstrap >/dev/null
fi
started=$(date +%s)
if ! buildah "${storage[@]}" inspect --type image "$base" >/dev/null 2>&1; then
    rootfs=$(mktemp -d)
    debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >/dev/null
    container=$(buildah "${storage[@]}" from scratch)
    mountpoint=$(buildah "${storage[@]}" mount "$container")
    cp -a "$rootfs"/. "$mountpoint"/
    buildah "${storage[@]}" umount "$container" >/dev/null
    buildah "${storage[@]}" commit -q "$container" "$base" >/dev/null
    buildah "${storage[@]}" rm "$container" >/dev/null
    rm -rf "$rootfs"
fi
based=$(date +%s)

# The web app's assets as the platform serves them (built on this machine; the image copies web/dist).
source deploy/install.sh
ca=()
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then  # the machine's trust (some networks intercept TLS)
    ca=(--volume /etc/ssl/certs/ca-certificates.crt:/run/build-ca.crt:ro --build-arg BUILD_CA=/run/build-ca.crt)
fi
buildah "${storage[@]}" bud -q --isolation chroot --layers=false "${ca[@]}" -f deploy/Containerfile -t "$tag" . \
    >/dev/null
built=$(date +%s)
size=$(buildah "${storage[@]}" images --format '{{.Size}}' "$tag" | head -1)

# The check: a scratch database, the members API from the image's file system, /ready.
database="congdoan_image_check_$$"
port=18102
psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE $database" >/dev/null
container=$(buildah "${storage[@]}" from -q "$tag")
cleanup() {
    buildah "${storage[@]}" rm "$container" >/dev/null 2>&1 || true
    psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $database" >/dev/null 2>&1 || true
}
trap cleanup EXIT
run=(buildah "${storage[@]}" run --isolation chroot --user 10001
     --env "MEMBERS_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/$database"
     --env "MEMBERS_HTTP_PORT=$port" --env MEMBERS_PHOTO_DIR=/tmp/photos
     --env MEMBERS_ENVIRONMENT=local "$container" --)  # the check uses the repository's development secrets
"${run[@]}" python -m members migrate
[ "$("${run[@]}" id -u)" = 10001 ] || { echo "image check: not running as uid 10001" >&2; exit 1; }
"${run[@]}" python -c "from chassis.fonts import font_path; print(font_path())" \
    || { echo "image check: the Vietnamese PDF font is missing" >&2; exit 1; }
! "${run[@]}" sh -c 'command -v gcc || command -v cc || ls /root/.cache 2>/dev/null' \
    || { echo "image check: a compiler or a cache is in the image" >&2; exit 1; }
# Inside the container: start the API, wait for /ready, stop it (the container then exits on its own).
if "${run[@]}" sh -c "python -m members api & api=\$!
    for _ in \$(seq 1 120); do
        if python -c 'import urllib.request; urllib.request.urlopen(\"http://127.0.0.1:$port/ready\")' 2>/dev/null
        then kill \$api; wait \$api; exit 0; fi
        sleep 1
    done
    kill \$api; exit 1"; then
    echo "image $tag: members API ready from the image; size $size; base $((based - started)) s," \
         "build $((built - based)) s"
else
    echo "image check: the members API did not become ready" >&2
    exit 1
fi
