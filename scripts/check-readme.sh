#!/usr/bin/env bash
# Checks that the README's marked examples are the real output of the current binary.
#
#   scripts/check-readme.sh [--update] [FILE]      FILE defaults to README.md
#
# A code block is checked when the line before it (blank lines aside) is a marker:
#
#   <!-- check -->            the block is a transcript: each `$ command` line is followed by
#                             exactly what the command prints on standard output
#   <!-- check: COMMAND -->   the whole block is what COMMAND prints (the command stays out of view)
#
# Commands run with bash from FILE's folder, `beian` being the binary under test, standard input
# empty, no colour and no history; pipes, redirections and `; echo "exit $?"` work as usual.
# Trailing spaces and trailing blank lines are ignored; everything else must match. Exit codes are
# not compared (show them with `; echo "exit $?"` when they matter).
#
# --update writes the current output into the blocks instead of comparing (review with git diff).
# BEIAN_BIN names the binary; without it, `cargo build --release` builds one.
set -uo pipefail

update=0
if [[ ${1:-} == --update ]]; then
    update=1
    shift
fi
readme=${1:-README.md}
if [[ ! -f $readme ]]; then
    echo "check-readme: $readme not found" >&2
    exit 2
fi
readme_dir=$(cd "$(dirname "$readme")" && pwd)

if [[ -z ${BEIAN_BIN:-} ]]; then
    root=$(cd "$(dirname "$0")/.." && pwd)
    cargo build --release --quiet --manifest-path "$root/Cargo.toml" || exit 2
    BEIAN_BIN="${CARGO_TARGET_DIR:-$root/target}/release/beian"
fi
BEIAN_BIN=$(cd "$(dirname "$BEIAN_BIN")" && pwd)/$(basename "$BEIAN_BIN")
if [[ ! -x $BEIAN_BIN ]]; then
    echo "check-readme: no binary at $BEIAN_BIN" >&2
    exit 2
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir "$scratch/bin"
ln -s "$BEIAN_BIN" "$scratch/bin/beian"

# Runs one command as the README's reader would; prints its standard output.
run() {
    (
        cd "$readme_dir" || exit 2
        env -u NO_COLOR -u CLICOLOR -u CLICOLOR_FORCE -u COLUMNS -u BEIAN_W -u TERM \
            BEIAN_HISTORY= PATH="$scratch/bin:$PATH" \
            timeout 60 bash -c "$1" </dev/null 2>"$scratch/stderr"
    )
}

# Text as compared: no trailing spaces on a line, no trailing blank lines.
normalize() {
    sed -e 's/[[:space:]]*$//' | sed -e ':a' -e '/^\n*$/{$d;N;ba' -e '}'
}

checked=0
failed=0
output=()          # the file as --update rewrites it
marker_re='^[[:space:]]*<!--[[:space:]]*check(:[[:space:]]*(.*[^[:space:]]))?[[:space:]]*-->[[:space:]]*$'
fence_re='^[[:space:]]*```'

# Compares (or, with --update, replaces) what `$1` printed with the expected lines in $2.
# Appends the lines the block should hold to the array `fresh`.
check_one() {
    local command=$1 expected=$2 line=$3 actual
    actual=$(run "$command" | normalize)
    expected=$(printf '%s' "$expected" | normalize)
    checked=$((checked + 1))
    if [[ $update == 1 ]]; then
        [[ -n $actual ]] && mapfile -t -O "${#fresh[@]}" fresh <<<"$actual"
        return
    fi
    if [[ $actual != "$expected" ]]; then
        failed=$((failed + 1))
        echo "$readme:$line: \`$command\` prints something else:"
        diff -u --label "README" --label "beian" <(printf '%s\n' "$expected") <(printf '%s\n' "$actual")
        if [[ -s $scratch/stderr ]]; then
            echo "(its standard error:)"
            cat "$scratch/stderr"
        fi
        echo
    fi
}

# Checks one marked block: $1 the marker's command (empty for a transcript), $2 the block's first line.
check_block() {
    local command=$1 first=$2 current="" expected="" start=$2 i=$2 body_line
    fresh=()
    if [[ -n $command ]]; then
        check_one "$command" "$(printf '%s\n' "${block[@]}")" "$first"
        return
    fi
    if [[ ${#block[@]} -eq 0 || ${block[0]} != '$ '* ]]; then
        echo "$readme:$first: a <!-- check --> block starts with a \`\$ command\` line" >&2
        failed=$((failed + 1))
        fresh=("${block[@]}")
        return
    fi
    for body_line in "${block[@]}"; do
        if [[ $body_line == '$ '* ]]; then
            if [[ -n $current ]]; then
                check_one "$current" "$expected" "$start"
            fi
            current=${body_line#\$ }
            expected=""
            start=$i
            fresh+=("$body_line")
        else
            expected+="$body_line"$'\n'
        fi
        i=$((i + 1))
    done
    check_one "$current" "$expected" "$start"
}

pending=""         # set after a marker: "cmd:COMMAND" or "transcript"
in_block=0
block=()
lineno=0
while IFS= read -r text || [[ -n $text ]]; do
    lineno=$((lineno + 1))
    if [[ $in_block == 1 ]]; then
        if [[ $text =~ ^[[:space:]]*\`\`\`[[:space:]]*$ ]]; then
            in_block=0
            if [[ -n $pending ]]; then
                if [[ $pending == cmd:* ]]; then
                    check_block "${pending#cmd:}" "$block_start"
                else
                    check_block "" "$block_start"
                fi
                output+=("${fresh[@]}")
                pending=""
            fi
            output+=("$text")
        else
            block+=("$text")
            [[ -z $pending ]] && output+=("$text")
        fi
        continue
    fi
    output+=("$text")
    if [[ $text =~ $marker_re ]]; then
        if [[ -n ${BASH_REMATCH[1]} ]]; then
            pending="cmd:${BASH_REMATCH[2]}"
        else
            pending="transcript"
        fi
    elif [[ -n $pending && $text =~ $fence_re ]]; then
        in_block=1
        block=()
        block_start=$((lineno + 1))
    elif [[ -n $pending && -n ${text//[[:space:]]/} ]]; then
        echo "$readme:$lineno: a check marker must stand right before a code block" >&2
        failed=$((failed + 1))
        pending=""
    elif [[ $in_block == 0 && $text =~ $fence_re ]]; then
        # An unmarked block: copy it through untouched (its lines may look like markers).
        in_block=1
        block=()
    fi
done <"$readme"

if [[ $in_block == 1 && -n $pending ]]; then
    echo "$readme: the last checked code block is not closed" >&2
    failed=$((failed + 1))
fi

if [[ $update == 1 && $failed == 0 ]]; then
    printf '%s\n' "${output[@]}" >"$readme"
    echo "check-readme: $checked examples written into $readme"
    exit 0
fi
if [[ $checked == 0 && $failed == 0 ]]; then
    echo "check-readme: $readme marks no example with <!-- check -->" >&2
    exit 1
fi
echo "check-readme: $checked examples checked, $failed differ"
[[ $failed == 0 ]]
