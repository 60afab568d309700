#!/bin/sh
# Builds the node's two OCI images as tar archives, to be imported into containerd:
#  - the Redis image: a Debian rootfs (debootstrap) with Debian's redis-server,
#    redis-sentinel, redis-tools and haproxy (the master endpoint), and a `redis` user with uid/gid 999 like the
#    official image (the manifests run as 999);
#  - the sandbox image: pause.c compiled statically.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.sh"
. "$here/lib.sh"

for tool in debootstrap umoci gcc; do
  command -v "$tool" >/dev/null 2>&1 || kit_die "images" "$tool is missing (apt-get install debootstrap umoci gcc)"
done

# oci_tar PIECE ROOTFS TAR IMAGE CONFIG...: packs ROOTFS as a one-layer OCI image archive
# whose one reference is IMAGE's tag (`ctr images import --base-name <IMAGE without tag>`
# then names it IMAGE).
oci_tar() {
  piece=$1 rootfs=$2 tarball=$3 tag=${4##*:}
  shift 4
  work=$(dirname "$tarball")/oci
  rm -rf "$work"
  kit_run "$piece" "$log" umoci init --layout "$work/layout"
  kit_run "$piece" "$log" umoci new --image "$work/layout:$tag"
  kit_run "$piece" "$log" umoci unpack --image "$work/layout:$tag" "$work/bundle"
  rm -rf "$work/bundle/rootfs"
  mv "$rootfs" "$work/bundle/rootfs"
  kit_run "$piece" "$log" umoci repack --image "$work/layout:$tag" "$work/bundle"
  kit_run "$piece" "$log" umoci config --image "$work/layout:$tag" \
    --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    "$@"
  kit_run "$piece" "$log" tar -C "$work/layout" -cf "$tarball.tmp" .
  mv "$tarball.tmp" "$tarball"
  rm -rf "$work"
}

out="$KIT_CACHE/images-$KIT_DEBIAN_SUITE-r$KIT_IMAGES_REV"
mkdir -p "$out"
log="$out/build.log"

piece="pause image"
if [ -f "$out/pause.tar" ]; then
  kit_log "$piece: cached"
else
  : >"$log"
  kit_log "$piece: compiling pause.c"
  rm -rf "$out/pause-rootfs"
  mkdir -p "$out/pause-rootfs"
  kit_run "$piece" "$log" gcc -static -O2 -o "$out/pause-rootfs/pause" "$here/pause.c"
  oci_tar "$piece" "$out/pause-rootfs" "$out/pause.tar" "$KIT_PAUSE_IMAGE" --config.entrypoint /pause
  kit_log "$piece: $out/pause.tar"
fi

piece="redis image ($KIT_DEBIAN_SUITE)"
if [ -f "$out/redis.tar" ]; then
  kit_log "$piece: cached"
else
  kit_log "$piece: debootstrap $KIT_DEBIAN_SUITE with Debian's Redis (a few minutes)"
  rootfs="$out/redis-rootfs"
  rm -rf "$rootfs"
  # The redis user first, as 999 like the official image, so the packages reuse it.
  kit_run "$piece" "$log" debootstrap --variant=minbase --include=passwd "$KIT_DEBIAN_SUITE" "$rootfs" "$KIT_DEBIAN_MIRROR"
  kit_run "$piece" "$log" chroot "$rootfs" groupadd -r -g 999 redis
  kit_run "$piece" "$log" chroot "$rootfs" useradd -r -g redis -u 999 -d /var/lib/redis -s /usr/sbin/nologin redis
  # policy-rc.d: the packages must not try to start services inside the chroot.
  printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
  chmod +x "$rootfs/usr/sbin/policy-rc.d"
  kit_run "$piece" "$log" chroot "$rootfs" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server redis-sentinel redis-tools haproxy procps
  rm -f "$rootfs/usr/sbin/policy-rc.d"
  chroot "$rootfs" apt-get clean >>"$log" 2>&1 || true
  rm -rf "$rootfs/var/lib/apt/lists"/* "$rootfs/usr/share/doc" "$rootfs/usr/share/man" "$rootfs/usr/share/locale"
  mkdir -p "$rootfs/data"
  chown 999:999 "$rootfs/data"
  "$rootfs/usr/bin/redis-server" --version >>"$log" 2>&1 || true
  oci_tar "$piece" "$rootfs" "$out/redis.tar" "$KIT_REDIS_IMAGE" --config.user 999 --config.workingdir /data
  kit_log "$piece: $out/redis.tar"
fi
