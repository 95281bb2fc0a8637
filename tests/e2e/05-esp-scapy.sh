#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# ESP transforms against an independent peer, no network:
#
#   IP datagram --hex--> prog_esp_tool enc --hex--> scapy SecurityAssociation.decrypt
#   IP datagram --> scapy SecurityAssociation.encrypt --hex--> prog_esp_tool dec
#
# AES-GCM-128/256 (aes-gcm-16), IPv4 and IPv6 (also with hop-by-hop,
# routing and destination options headers), TCP/UDP/ICMP; then every other
# implemented algorithm (chacha20-poly1305, aes-cbc/aes-ctr/null with each
# HMAC) against scapy, and aes-gmac, aes-gcm-8/-12 against
# python3-cryptography; the datagram that comes out must equal the one
# that went in.  The checks live in esp_scapy.py, one "ok"/"not ok" line
# each.
. "$(dirname "$0")/lib.sh"
trap cleanup_common EXIT

TOOL=$B/tests/prog_esp_tool
if [ ! -x "$TOOL" ]; then
	notok "esp: $TOOL not built (make $TOOL)"
	exit 1
fi
if ! "$PY" -c 'import scapy.layers.ipsec' 2>/dev/null; then
	echo "skip - esp: scapy is not installed for $PY"
	exit 0
fi

rc=0
"$PY" "$ROOT/tests/e2e/esp_scapy.py" "$TOOL" || rc=$?
exit $rc
