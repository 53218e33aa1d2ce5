# Pushing to a registry with htpasswd (Basic) auth: without credentials the push fails with a
# clear message; with a docker config file, $REGISTRY_AUTH_FILE, --creds, --username with
# --password-stdin, or $SCRATCHPACK_REGISTRY_USER/PASSWORD it succeeds; wrong credentials are
# named by their source. The password appears in no output and no file under out/.
E2E_DIR=$(cd "$(dirname "$0")" && pwd)
source "$E2E_DIR/lib.sh"
source "$E2E_DIR/registry.sh"

command -v htpasswd >/dev/null || fail "htpasswd is not installed (apache2-utils)"
user=pusher
password="S3cret-$RANDOM-$RANDOM-pw"
auth=$(printf '%s:%s' "$user" "$password" | base64 -w0)
htpasswd -Bbn "$user" "$password" >"$WORK/htpasswd"
registry_start auth-registry "$WORK/htpasswd"

capture "$SCRATCHPACK" build "$EXAMPLES/hello.cpp"
assert_eq 0 "$RC" "build exit code ($ERR)"
digest=$(archive_root_digest out/hello.tar)

# scratchpack with no credentials from this machine: a private HOME, no auth variables.
mkdir -p "$WORK/home" "$WORK/outputs"
n=0
sp() {
  env -u DOCKER_CONFIG -u REGISTRY_AUTH_FILE -u XDG_RUNTIME_DIR -u XDG_CONFIG_HOME \
    HOME="$WORK/home" "$@" "$SCRATCHPACK" "${SP_ARGS[@]}"
}
# Runs scratchpack (args in SP_ARGS, env assignments as arguments) and keeps its output.
run_sp() {
  capture sp "$@"
  n=$((n + 1))
  printf '%s' "$OUT" >"$WORK/outputs/$n.out"
  printf '%s' "$ERR" >"$WORK/outputs/$n.err"
}

step "no credentials"
SP_ARGS=(push out/hello.tar "$REGISTRY/hello:latest")
run_sp
assert_eq 1 "$RC" "push without credentials"
assert_contains "$ERR" "error: push $REGISTRY/hello:latest: the registry requires authentication (401 Unauthorized)" "message"
assert_contains "$ERR" "hint: pass --username USER --password-stdin, or log in with 'podman login $REGISTRY'" "hint"
assert_eq "" "$OUT" "stdout of a failed push"

step "wrong password in a docker config"
mkdir -p "$WORK/bad-docker"
printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$REGISTRY" "$(printf '%s:wrong-%s' "$user" "$password" | base64 -w0)" >"$WORK/bad-docker/config.json"
run_sp DOCKER_CONFIG="$WORK/bad-docker"
assert_eq 1 "$RC" "push with a wrong password"
assert_contains "$ERR" "the registry rejected the credentials from $WORK/bad-docker/config.json (401 Unauthorized)" "message"

step "docker config file (DOCKER_CONFIG)"
mkdir -p "$WORK/docker"
printf '{"auths":{"http://%s":{"auth":"%s"}}}\n' "$REGISTRY" "$auth" >"$WORK/docker/config.json"
run_sp DOCKER_CONFIG="$WORK/docker"
assert_eq 0 "$RC" "push with DOCKER_CONFIG ($ERR)"
assert_eq "$REGISTRY/hello@$digest" "$OUT" "pushed digest"

step "~/.docker/config.json"
mkdir -p "$WORK/home/.docker"
cp "$WORK/docker/config.json" "$WORK/home/.docker/config.json"
SP_ARGS=(push --json out/hello.tar "$REGISTRY/home/hello:latest")
run_sp
assert_eq 0 "$RC" "push with ~/.docker/config.json ($ERR)"
rm "$WORK/home/.docker/config.json"

step "REGISTRY_AUTH_FILE (podman's format: username/password fields)"
printf '{"auths":{"%s":{"username":"%s","password":"%s"}}}\n' "$REGISTRY" "$user" "$password" >"$WORK/auth.json"
SP_ARGS=(push out/hello.tar "$REGISTRY/authfile/hello:latest")
run_sp REGISTRY_AUTH_FILE="$WORK/auth.json"
assert_eq 0 "$RC" "push with REGISTRY_AUTH_FILE ($ERR)"

step "--creds beats a wrong config"
SP_ARGS=(push --json --creds "$user:$password" out/hello.tar "$REGISTRY/creds/hello:latest")
run_sp DOCKER_CONFIG="$WORK/bad-docker"
assert_eq 0 "$RC" "push with --creds ($ERR)"
assert_eq "$digest" "$(json_get "$OUT" push.digest)" "digest with --creds"
SP_ARGS=(push --creds "no-colon-$password" out/hello.tar "$REGISTRY/creds/hello:latest")
run_sp
assert_eq 2 "$RC" "--creds without a colon"
assert_contains "$ERR" "expects USER:PASSWORD" "message"

step "--username with --password-stdin (the password is not on the command line)"
SP_ARGS=(push --json --username "$user" --password-stdin out/hello.tar "$REGISTRY/stdin/hello:latest")
run_sp DOCKER_CONFIG="$WORK/bad-docker" <<<"$password"
assert_eq 0 "$RC" "push with --password-stdin ($ERR)"
assert_eq "$digest" "$(json_get "$OUT" push.digest)" "digest with --password-stdin"
printf '%s\r\n' "$password" >"$WORK/password-crlf"
SP_ARGS=(push --username "$user" --password-stdin out/hello.tar "$REGISTRY/stdin/hello:crlf")
run_sp <"$WORK/password-crlf"
assert_eq 0 "$RC" "push with --password-stdin and a CRLF line end ($ERR)"
rm "$WORK/password-crlf"
SP_ARGS=(push --username "$user" --password-stdin out/hello.tar "$REGISTRY/stdin/hello:latest")
run_sp <<<"wrong-$password"
assert_eq 1 "$RC" "push with a wrong password on stdin"
assert_contains "$ERR" "the registry rejected the credentials from --password-stdin (401 Unauthorized)" "message"
SP_ARGS=(push --password-stdin out/hello.tar "$REGISTRY/stdin/hello:latest")
run_sp <<<"$password"
assert_eq 2 "$RC" "--password-stdin without --username"
assert_contains "$ERR" "error: --password-stdin: needs --username USER" "message"

step "\$SCRATCHPACK_REGISTRY_USER and \$SCRATCHPACK_REGISTRY_PASSWORD"
SP_ARGS=(push --json out/hello.tar "$REGISTRY/env/hello:latest")
run_sp SCRATCHPACK_REGISTRY_USER="$user" SCRATCHPACK_REGISTRY_PASSWORD="$password" DOCKER_CONFIG="$WORK/bad-docker"
assert_eq 0 "$RC" "push with credentials from the environment ($ERR)"
assert_eq "$digest" "$(json_get "$OUT" push.digest)" "digest with the environment"
run_sp SCRATCHPACK_REGISTRY_PASSWORD="$password"
assert_eq 2 "$RC" "a password without a user"
assert_contains "$ERR" "error: \$SCRATCHPACK_REGISTRY_PASSWORD: is set but \$SCRATCHPACK_REGISTRY_USER is not" "message"

step "the password is in no output and no file under out/"
skopeo inspect --tls-verify=false --creds "$user:$password" "docker://$REGISTRY/hello:latest" >/dev/null ||
  fail "skopeo cannot see the pushed image"
for secret in "$password" "$auth"; do
  if grep -rlF -- "$secret" "$WORK/outputs" out/; then
    fail "a secret appears in the files above"
  fi
done
echo "ok"
