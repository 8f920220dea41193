# acked.sh: acknowledged writes under a crash (sourced after assert.sh, bash).
#
# A client keeps a log of what it was told; after the server is killed and started again the
# log is compared with what the server kept: nothing acknowledged may be lost, nothing may be
# stored twice, and a client that was not answered may send again (idempotently).
#
# A kind of write K is two functions the test defines:
#   acked_send_K I    performs write number I and prints the HTTP status it got (000: none)
#   acked_stored_K    prints the number I of every write the server has stored, one per line,
#                     once per stored copy (so a write stored twice shows up twice)
# Writes that exist today: points corrections, video edits, scheduled lives (test_kill.sh);
# watch time has its own client (watch_client --ack-log). The lottery draw and quiz answers
# do not exist yet: when they land, each becomes a kind here (acked_send_lottery, …).

# acked_start K N: sends writes 1..N of kind K one after another in the background, logging
# "I STATUS" to $T_TMP/acked-K.log; ACKED_PID[K] is the loop's pid.
declare -A ACKED_PID
acked_start() {
  local k=$1 n=$2
  : >"$T_TMP/acked-$k.log"
  ( for i in $(seq 1 "$n"); do echo "$i $("acked_send_$k" "$i")" >>"$T_TMP/acked-$k.log"; done ) &
  ACKED_PID[$k]=$!
  T_PIDS+=("$!")
}

# acked_stop K: stops the loop (its last write may be in flight: neither answered nor logged).
acked_stop() { kill "${ACKED_PID[$1]}" 2>/dev/null; wait "${ACKED_PID[$1]}" 2>/dev/null; }

# acked_list K: the numbers of the writes the client was told succeeded (2xx).
acked_list() { awk '$2 ~ /^2/ { print $1 }' "$T_TMP/acked-$1.log"; }

# acked_check K WHAT: every acknowledged write is stored, and none is stored twice.
acked_check() {
  local k=$1 what=$2 acked stored lost twice
  acked=$(acked_list "$k" | sort -n)
  stored=$("acked_stored_$k" | sort -n)
  lost=$(comm -23 <(sort <<<"$acked") <(sort -u <<<"$stored") | grep -c . || true)
  twice=$(uniq -d <<<"$stored" | grep -c . || true)
  check "$what: some writes were acknowledged before the kill ($(grep -c . <<<"$acked"))" test -n "$acked"
  eq "$what: nothing acknowledged was lost" 0 "$lost"
  eq "$what: nothing stored twice" 0 "$twice"
}

# acked_retry K N WHAT: every write 1..N sent again, as clients do when unsure; each must be
# stored exactly once afterwards. A write acknowledged before must be refused as already
# done (409), never applied again.
acked_retry() {
  local k=$1 n=$2 what=$3 i code again=0 bad=0
  for i in $(seq 1 "$n"); do
    code=$("acked_send_$k" "$i")
    if acked_list "$k" | grep -qx "$i"; then
      [ "$code" = 409 ] || again=$((again + 1))
    else
      case "$code" in 2*|409) ;; *) bad=$((bad + 1)) ;; esac
    fi
  done
  eq "$what: an acknowledged write sent again is refused as done (409), never applied twice" 0 "$again"
  eq "$what: an unanswered write sent again is taken (2xx) or known (409)" 0 "$bad"
  eq "$what: after the retries each of the $n is stored exactly once" "$(seq 1 "$n" | tr '\n' ' ')" \
    "$("acked_stored_$k" | sort -n | tr '\n' ' ')"
}
