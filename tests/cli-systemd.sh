#!/bin/sh
# tests/cli-systemd.sh: the systemd service and timer pair: installed by
# make install where systemd looks (PREFIX/lib/systemd/system), the
# service naming the installed binary and running the man page's batch
# (with --wait, exit 10 not a failure), both accepted by systemd-analyze
# verify, the timer's calendar parsed by systemd.
. "$top_srcdir/tests/cli-lib.sh"

: "${top_builddir:=$top_srcdir}"
MAKEFLAGS= make -s -C "$top_builddir" install-systemd-service \
	install-dist_systemdunitDATA DESTDIR="$T/inst" prefix=/usr \
	bindir=/usr/bin >"$T/make.out" 2>&1
same $? 0 "make install of the units ($(head -c 300 "$T/make.out"))"
u="$T/inst/usr/lib/systemd/system"
svc="$u/stockagent-batch.service" tim="$u/stockagent-batch.timer"
[ -f "$svc" ] && [ -f "$tim" ] && ok || bad "units not installed under /usr/lib/systemd/system"
has "$svc" '^ExecStart=/usr/bin/stockagent batch --watchlist /etc/stockagent/watchlist.txt .*--wait [0-9]+' "ExecStart: the installed binary, the batch with --wait"
has "$svc" '^SuccessExitStatus=10$' "exit 10 (some symbols failed) is not a unit failure"
has "$svc" '^Type=oneshot$' "a oneshot service"
has "$tim" '^OnCalendar=' "timer has a calendar"
has "$tim" '^Persistent=true$' "a missed run starts at boot"
has "$tim" '^WantedBy=timers.target$' "timer installable"
if command -v systemd-analyze >/dev/null 2>&1; then
	# verify wants the binary to exist: point the copy at the built one.
	sed "s|/usr/bin/stockagent|$STOCKAGENT|" "$svc" >"$T/stockagent-batch.service"
	cp "$tim" "$T/stockagent-batch.timer"
	systemd-analyze verify --man=no "$T/stockagent-batch.service" \
		"$T/stockagent-batch.timer" >"$T/verify" 2>&1 && ok ||
		bad "systemd-analyze verify: $(head -c 400 "$T/verify")"
	cal=$(sed -n 's/^OnCalendar=//p' "$tim")
	systemd-analyze calendar "$cal" >/dev/null 2>&1 && ok || bad "calendar '$cal'"
	sed 's/^ExecStart=/ExecStrat=/' "$T/stockagent-batch.service" >"$T/bad.service"
	systemd-analyze verify --man=no "$T/bad.service" >/dev/null 2>&1 &&
		bad "verify accepted a unit without ExecStart" || ok
else
	echo "SKIP: systemd-analyze missing; units not verified"
fi
cli_done
