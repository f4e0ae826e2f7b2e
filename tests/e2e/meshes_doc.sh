# docs/meshes.md's hop-by-hop tables are the profiles' as a run loads them:
# a profile changed (or refitted) without `make meshes-doc` fails here.
. "$(dirname "$0")/common.inc"
python3 tools/meshes_doc.py "$MESHSIM" --check || fail "docs/meshes.md is stale: run make meshes-doc"
exit 0
