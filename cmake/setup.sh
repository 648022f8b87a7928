#!/usr/bin/env bash
# Installs what leafsynth needs on Debian 12, idempotently, and says what it installs:
#   setup.sh                  what building and running `leafsynth` needs: the compiler, CMake and
#                             the library packages (what `bash cmake/run.sh synth` runs)
#   setup.sh --tests          that, and what the tests need on top: Catch2, Python, cfn-lint and
#                             moto (into .tools/venv only when not on PATH), Node with the AWS CDK
#                             CLI and the cloud-assembly schema (.tools/node), the pinned service
#                             specification (.tools/cfn-spec)
#   setup.sh --tests --sanitize  also clang with its sanitizer and libFuzzer runtimes and
#                             llvm-symbolizer, for the sanitizer stage (build-sanitize/); what
#                             `bash cmake/run.sh test` runs
#   --list                    prints the Debian packages of the mode, one per line, and installs nothing
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

tests=0
sanitize=0
list=0
for arg in "$@"; do
  case "$arg" in
    --tests) tests=1 ;;
    --sanitize) tests=1; sanitize=1 ;;
    --list) list=1 ;;
    *) echo "setup: error: unknown option '$arg' (use --tests, --sanitize, --list)" >&2; exit 2 ;;
  esac
done

# Building: the compiler, CMake with Ninja, and the -dev packages the library and CLI link.
packages=(
  build-essential cmake ninja-build pkg-config
  nlohmann-json3-dev libcli11-dev libfmt-dev libyaml-cpp-dev libssl-dev libzip-dev
  libcurl4-openssl-dev libpugixml-dev libpcre2-dev libmimalloc-dev
)
if ((tests)); then
  # Catch2 (unit tests), Python (CLI, moto and golden tests), openssl (TLS test certificates),
  # man and groff (the man page test), zsh (the zsh completion test), graphviz (graph --format png).
  packages+=(catch2 python3 python3-venv openssl man-db groff-base zsh graphviz)
  # node and npm run the AWS CDK CLI of tests/assembly. Keep the ones on PATH (e.g. a newer
  # NodeSource build, which ships its own npm); install Debian's only when either is missing.
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    packages+=(nodejs npm)
  fi
fi
if ((sanitize)); then
  # clang++ (14 on Debian 12), its ASan/UBSan/LSan and libFuzzer runtimes (libclang_rt.*), and
  # llvm-symbolizer (package llvm) for readable sanitizer stack traces.
  packages+=(clang libclang-rt-14-dev llvm)
fi

if ((list)); then
  printf '%s\n' "${packages[@]}"
  exit 0
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: error: run as root or install sudo to install: ${missing[*]}" >&2; exit 2; }
    sudo_cmd=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all Debian packages present"
fi

if ((tests == 0)); then
  echo "setup: ready to build (the test tools are installed by 'bash cmake/setup.sh --tests')"
  exit 0
fi

# cfn-lint and moto are Python tools (not packaged by Debian 12). Use the ones on PATH when
# present; otherwise install them into .tools/venv (needs access to PyPI).
need_py=()
command -v cfn-lint >/dev/null || need_py+=(cfn-lint)
command -v moto_server >/dev/null || need_py+=("moto[server]")
if ((${#need_py[@]})); then
  venv="$here/.tools/venv"
  if [ ! -x "$venv/bin/cfn-lint" ] || [ ! -x "$venv/bin/moto_server" ]; then
    echo "setup: installing ${need_py[*]} into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q cfn-lint "moto[server]" boto3 || {
      echo "setup: error: could not install cfn-lint/moto from PyPI; install them and put them on PATH" >&2
      exit 2
    }
  fi
else
  echo "setup: cfn-lint and moto_server found on PATH"
fi

# The AWS CDK CLI and the cloud-assembly schema (tests/assembly check the assembly against them,
# tests/deploy deploy cdk bootstrap's template), into .tools/node from the npm registry, at pinned
# versions so that the tests do not change with npm's newest release; installed only when missing
# or at another version.
node_dir="$here/.tools/node"
cdk_version=2.1148.1
schema_version=55.6.0
has_version() { grep -q "\"version\": \"$2\"" "$node_dir/node_modules/$1/package.json" 2>/dev/null; }
if [ -x "$node_dir/node_modules/.bin/cdk" ] &&
   [ -f "$node_dir/node_modules/@aws-cdk/cloud-assembly-schema/schema/cloud-assembly.schema.json" ] &&
   has_version aws-cdk "$cdk_version" && has_version @aws-cdk/cloud-assembly-schema "$schema_version"; then
  echo "setup: AWS CDK CLI $cdk_version and cloud-assembly schema $schema_version found in $node_dir"
else
  echo "setup: installing aws-cdk@$cdk_version and @aws-cdk/cloud-assembly-schema@$schema_version into $node_dir"
  mkdir -p "$node_dir"
  npm install --prefix "$node_dir" --no-audit --no-fund --loglevel=error \
    "aws-cdk@$cdk_version" "@aws-cdk/cloud-assembly-schema@$schema_version" || {
    echo "setup: error: could not install the AWS CDK CLI from the npm registry" >&2
    exit 2
  }
fi

# The pinned AWS CDK service specification the typed resources are generated from
# (tools/cfn/source.json), for the test that they are current; fetched with npm pack once.
if [ -f "$here/.tools/cfn-spec/aws-cdk-aws-service-spec-$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$here/tools/cfn/source.json").tgz" ]; then
  echo "setup: the pinned service specification is in $here/.tools/cfn-spec"
else
  echo "setup: fetching the pinned service specification (tools/cfn/source.json) into $here/.tools/cfn-spec"
  python3 "$here/tools/cfn/generate.py" --fetch "$here" || exit 2
fi
