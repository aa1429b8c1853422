#!/usr/bin/env bash
# `make test-django-matrix`: tests/django under Django 5.2 LTS and under the newest Django, each in a
# venv of its own. The newest Django needs Python 3.12 or newer: the first python3.1x on PATH that runs,
# else one installed by pyenv; set DJANGO_NEW_PYTHON to choose another.
set -euo pipefail
cd "$(dirname "$0")/.."

newest_python() {
    local version found
    for version in 3.14 3.13 3.12; do
        if python$version -c "" 2>/dev/null; then echo "python$version"; return; fi
        if command -v pyenv >/dev/null; then
            found=$(pyenv versions --bare 2>/dev/null | grep -E "^${version//./\\.}\.[0-9]+$" | tail -1 || true)
            if [ -n "$found" ]; then echo "$(pyenv root)/versions/$found/bin/python$version"; return; fi
        fi
    done
    echo "error: the newest Django needs Python 3.12 or newer; set DJANGO_NEW_PYTHON=/path/to/python3.12" >&2
    return 1
}

run() {  # run VENV PYTHON DJANGO_REQUIREMENT
    local venv=$1 python=$2 django=$3 started=$SECONDS
    [ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --upgrade pip
    # The editable install compiles the catalogs (the build hook), as `make install` does; the example
    # portal shares the Flask portal's texts, hence the [flask] extra.
    "$venv/bin/python" -m pip install --quiet -e ".[flask]" "$django" "pytest>=8" "pytest-django>=4.9" "hypothesis>=6.100"
    echo "== $("$venv/bin/python" -c 'import django, sys; print(f"Django {django.__version__} on Python {sys.version.split()[0]}")')"
    local status=0
    "$venv/bin/python" -m pytest -q -p no:cacheprovider tests/django || status=$?
    echo "== took $((SECONDS - started)) s"
    return $status
}

# Both run, whatever the first gives; the exit status says whether both passed.
failed=0
run .venv-django-lts "${DJANGO_LTS_PYTHON:-python3}" "django>=5.2,<5.3" || failed=1
run .venv-django-newest "${DJANGO_NEW_PYTHON:-$(newest_python)}" "django>=6" || failed=1
exit $failed
