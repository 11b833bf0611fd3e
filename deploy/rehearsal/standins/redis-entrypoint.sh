#!/bin/sh
# The official redis image runs its entry point as root and drops to redis; here the image
# already runs as redis, so this only runs what it is given.
exec "$@"
