#!/usr/bin/env bash
# A quarter of work for the Riverside lived-experience panel and steering
# group, April to June 2026, recorded with the `coprod` command, ending with
# every report in HTML and Markdown.
#
# It works in a new temporary folder (under $TMPDIR, else /tmp) and never
# writes here. At the end it prints where the workspace and the reports are.
#
#   ./walkthrough.sh            # needs `coprod` on PATH (pip install coprod)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/coprod-panel.XXXXXX")"
ws="$work/panel"
reports="$work/reports"

# Every command below acts on the new workspace, as the panel coordinator.
export COPROD_WORKSPACE="$ws"
export COPROD_USER="panel-coordinator"

step() { printf '\n== %s\n' "$*"; }

step "A workspace from this folder's coprod.toml"
coprod init "$ws" --config "$here/coprod.toml"
coprod config check

step "Six people join the panel: the welcome form, filled in together"
for answers in "$here"/answers/welcome/*.toml; do
  coprod intake run welcome --answers "$answers"
done

step "The staff, commissioner, councillor and partner in the steering group"
coprod participant add "Priya Shah" --role staff        # P-7, the panel coordinator
coprod participant add "Helen Moss" --role commissioner # P-8
coprod participant add "Dan Okafor" --role councillor   # P-9
coprod participant add "Gary Pike" --role partner       # P-10, runs the hostels
coprod participant add "Lee" --role peer_mentor         # P-11
coprod participant list

step "Session 1 (April): the panel on the hostel pathway"
coprod session new "Panel: what is it like to use the hostel pathway?" --date 2026-04-14 \
  --facilitator P-7 --facilitator P-11 \
  --purpose "Hear what the hostel pathway is like from people who have used it."
coprod session attend S-1 P-2 P-3 P-5 P-7 P-11
coprod session attend S-1 P-6 --status apologies
for rating in P-2:engagement P-3:consultation P-5:engagement P-7:co_design P-11:engagement; do
  coprod session rate S-1 "${rating%%:*}" "${rating##*:}"
done
# Jordan and River gave their attendance, rating and words on the feedback form.
coprod intake run session_feedback --answers "$here/answers/feedback/S-1-jordan.toml"
coprod intake run session_feedback --answers "$here/answers/feedback/S-1-river.toml"
coprod tension raise "Panel members are asked for their views after the hostel rules are already decided." \
  --kind power --session S-1 --raised-by P-1 --between lived_experience --between commissioner
coprod tension raise "Staff say the curfew keeps people safe; panel members say it pushes people back onto the street." \
  --kind lived_vs_professional --session S-1 --raised-by P-4 --between lived_experience --between staff
coprod tension move T-1 acknowledged --note "The coordinator will take it to the steering group."
coprod tension move T-2 acknowledged --note "Both sides agreed to talk it through at the steering group."

step "Session 2 (May): the steering group"
coprod session new "Steering group: redesigning the hostel pathway" --date 2026-05-19 \
  --facilitator P-7 --purpose "Agree what changes in the hostel pathway this year."
coprod session attend S-2 P-1 P-5 P-7 P-8 P-9 P-10
coprod session attend S-2 P-3 --status apologies
coprod session attend S-2 P-4 --status absent
for rating in P-1:co_design P-5:consultation P-7:co_design P-8:co_production \
              P-9:co_design P-10:co_production; do
  coprod session rate S-2 "${rating%%:*}" "${rating##*:}"
done
coprod intake run session_feedback --answers "$here/answers/feedback/S-2-marta.toml"
coprod tension raise "Panel members are not paid for steering group time, only for panel meetings." \
  --kind resources --session S-2 --raised-by P-2 --between lived_experience --between commissioner
coprod tension move T-1 explored --note "The commissioner explained the procurement timetable."
coprod tension move T-2 explored --note "Two residents and the hostel manager gave their views."
coprod tension move T-2 held \
  --note "Both views are honest and will not go away; we name it at each review of the rules."
coprod tension move T-3 acknowledged --note "The commissioner will look at the budget."

coprod commitment make "Two panel members sit on the evaluation panel for the new hostel contract, with a vote." \
  --by P-8 --authority can_decide --due 2026-06-30 --session S-2 --answers T-1 \
  --scope "I can add two seats with a vote; I cannot change the procurement rules."
coprod commitment make "Review the curfew with residents and the panel before the autumn." \
  --by P-10 --authority can_influence --due 2026-09-30 --session S-2 --answers T-2 \
  --scope "I can propose changes to the provider's board; the board decides."
coprod commitment make "Raise payment for steering group time at the council's scrutiny committee." \
  --by P-9 --authority can_only_raise --due 2026-06-15 --session S-2 --answers T-3 \
  --scope "I can put it on the committee's agenda; the budget is not mine."
coprod commitment make "Pay panel members for steering group time at the panel's rate." \
  --by P-8 --authority can_decide --due 2026-06-30 --session S-2 --answers T-3
for c in C-1 C-2 C-3 C-4; do coprod commitment move "$c" agreed; done
coprod commitment move C-1 in_progress
coprod commitment progress C-1 "The tender documents now name two panel seats on the evaluation panel."
coprod commitment move C-2 in_progress
coprod commitment progress C-2 "A residents' meeting on the curfew is booked for July."
coprod commitment progress C-3 "Raised at scrutiny on 2 June; referred to the budget round."

step "Session 3 (June): the panel and steering group together, on what changed"
coprod session new "Panel and steering group: what changed this quarter" --date 2026-06-23 \
  --facilitator P-7 --facilitator P-1 \
  --purpose "Check each promise made this quarter, with the people who made them."
coprod session attend S-3 P-2 P-3 P-4 P-5 P-7 P-8 P-11
for rating in P-2:co_design P-3:engagement P-4:co_design P-5:co_design P-7:co_production \
              P-8:co_production P-11:co_design; do
  coprod session rate S-3 "${rating%%:*}" "${rating##*:}"
done
coprod intake run session_feedback --answers "$here/answers/feedback/S-3-jordan.toml"
coprod intake run session_feedback --answers "$here/answers/feedback/S-3-tomasz.toml"
coprod commitment move C-1 delivered --note "Two panel members scored the bids on 20 June."
coprod commitment move C-4 delivered --note "Steering group time is paid from June."
coprod commitment move C-3 partly_delivered --note "Raised and minuted; the budget round decides in October."
coprod tension move T-3 resolved --note "Steering group time is now paid at the panel's rate."
coprod tension move T-1 resolved --note "Panel members now have seats, with a vote, when the contract is decided."
coprod tension list
coprod commitment list

step "The reports, in HTML and Markdown"
mkdir -p "$reports"
for kind in summary commitments tensions participation ladder; do
  coprod report "$kind" -o "$reports/$kind.html"
  coprod report "$kind" -o "$reports/$kind.md"
done
for session in S-1 S-2 S-3; do
  coprod report session "$session" -o "$reports/session-$session.html"
  coprod report session "$session" -o "$reports/session-$session.md"
done

step "Done"
echo "workspace: $ws"
echo "reports: $reports"
