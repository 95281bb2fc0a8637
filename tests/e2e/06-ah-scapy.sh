#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# AH (RFC 4302) against an independent peer, no network:
#
#   IP datagram --hex--> prog_ah_tool enc --hex--> scapy SecurityAssociation.decrypt
#   IP datagram --> scapy SecurityAssociation.encrypt --hex--> prog_ah_tool dec
#
# Every HMAC (hmac-sha1, -sha2-256/384/512, -md5), IPv4 with TOS/TTL/DF and
# with router alert + record route options, IPv6 with traffic class/flow
# label, hop-by-hop and destination options carrying a "may change"
# option, a routing header with segments left 0; mutable fields changed in
# transit still verify, an immutable option changed does not; a flipped
# ICV bit, a wrong payload length field and a truncated AH are refused
# with their counters; the ah_cleartos / ah_offsetmask knobs change the
# ICV.  The checks live in ah_scapy.py, one "ok"/"not ok" line each.
. "$(dirname "$0")/lib.sh"
trap cleanup_common EXIT

TOOL=$B/tests/prog_ah_tool
if [ ! -x "$TOOL" ]; then
	notok "ah: $TOOL not built (make $TOOL)"
	exit 1
fi
if ! "$PY" -c 'import scapy.layers.ipsec' 2>/dev/null; then
	echo "skip - ah: scapy is not installed for $PY"
	exit 0
fi

rc=0
"$PY" "$ROOT/tests/e2e/ah_scapy.py" "$TOOL" || rc=$?
exit $rc
