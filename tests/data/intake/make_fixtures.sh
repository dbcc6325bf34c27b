#!/usr/bin/env bash
# Regenerates the CP932 intake fixtures from their UTF-8 sources, as Excel
# would save them (CRLF line ends), plus one row of bytes CP932 cannot decode.
set -euo pipefail
cd "$(dirname "$0")"
sed 's/$/\r/' hersys_mixed.utf8.csv | iconv -f UTF-8 -t CP932 > hersys_mixed.cp932.csv
# A row whose name holds bytes that are not CP932 (0xFF 0xFF).
printf '1000018,2022/8/1,\xff\xff \x8e\x52,,\x92\x6a,1980/1/1,,,\x90\x5f\x93\xde\x90\xec\x8c\xa7\x89\xa1\x95\x6c\x8e\x73\x92\x86\x8b\xe6,,,,,,,,,,,,\r\n' >> hersys_mixed.cp932.csv
# Update sheets and press attributes, as health centers and hospitals send them.
for name in updates_hospital updates_hospital_week2 updates_events updates_noid press; do
  sed 's/$/\r/' "$name.utf8.csv" | iconv -f UTF-8 -t CP932 > "$name.cp932.csv"
done
